"""`biganzi serve` options: accounts, loopback-only without a login, clear one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.commands.serve import check_binding, is_loopback, parse_auth
from core.errors import BiganziError

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)
    check_binding(host, [])


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org", "10.0.0.1"])
def test_other_hosts_need_a_login(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(BiganziError, match="--auth"):
        check_binding(host, [])
    check_binding(host, [("clerk", "pw")])


def test_parse_auth_inline() -> None:
    assert parse_auth("clerk:s3cret:with:colons", None) == [("clerk", "s3cret:with:colons")]
    assert parse_auth(None, None) == []
    for bad in ("nopassword", "user:", ":pw"):
        with pytest.raises(BiganziError, match="用户名:密码"):
            parse_auth(bad, None)


def test_parse_auth_file(tmp_path: Path) -> None:
    f = tmp_path / "accounts.txt"
    f.write_text("# 办公室账号\nzhang:一二三\n\nli:456\n", encoding="utf-8")
    assert parse_auth(None, f) == [("zhang", "一二三"), ("li", "456")]
    f.write_text("zhang:1\nbroken\n", encoding="utf-8")
    with pytest.raises(BiganziError, match="第 2 行"):
        parse_auth(None, f)
    f.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(BiganziError, match="没有账号"):
        parse_auth(None, f)
    with pytest.raises(BiganziError, match="读不了"):
        parse_auth(None, tmp_path / "missing.txt")
    with pytest.raises(BiganziError, match="只能用一个"):
        parse_auth("a:b", f)


def test_serve_refuses_lan_without_login(tmp_path: Path) -> None:
    """The real command: one clear line on stderr, exit code 2, nothing started."""
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("错误：") and "0.0.0.0" in lines[0] and "--auth" in lines[0]
    assert "Traceback" not in proc.stderr
