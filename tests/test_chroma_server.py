"""Ingest and search against a real Chroma server (`chroma run`) on loopback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from servers import free_port, loopback_server
from test_ingest import report_text

from core.errors import BiganziError
from core.settings import get_settings
from index.ingest import ingest_paths
from index.retrieve import search
from index.store import chroma_client, open_kb


def _chroma_cli() -> Path | None:
    exe = Path(sys.executable).with_name("chroma")
    return exe if exe.exists() else None


@pytest.fixture
def chroma_server(tmp_path: Path):
    exe = _chroma_cli()
    if exe is None:
        pytest.skip("chroma CLI not installed next to this Python")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        str(exe),
        "run",
        "--path",
        str(tmp_path / "server-data"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with loopback_server(cmd, f"{url}/api/v2/heartbeat", tmp_path / "chroma.log", timeout_s=90, env=env):
        yield url


@pytest.mark.server
def test_ingest_and_search_on_a_chroma_server(chroma_server: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BIGANZI_CHROMA_URL", chroma_server)
    src = tmp_path / "材料"
    src.mkdir()
    (src / "青禾县医保局2023年工作总结.txt").write_text(report_text("青禾县医保局2023年工作总结"), "utf-8")
    s = get_settings()
    assert s.chroma_url == chroma_server
    report = ingest_paths(s, [src])
    assert report.ok and len(report.added) == 1

    hits = search(s, "异地就医 垫资", k=2)
    assert hits[0].section.endswith("（一）异地就医结算还不够便捷")

    # the vectors live on the server, not in an embedded store under the data dir
    assert not (s.data_dir / "chroma").exists()
    with open_kb(s) as kb:
        names = [c.name for c in chroma_client(s).list_collections()]
        assert kb.collection_name in names
        v = kb.verify()
        assert v["chunks"] == v["vectors"] == 5 and not v["orphan_vectors"]
        with kb.writing():
            kb.remove("青禾县医保局2023年工作总结.txt")
        assert kb.verify()["vectors"] == 0


def test_unreachable_server_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("BIGANZI_CHROMA_URL", f"http://127.0.0.1:{free_port()}")
    s = get_settings()
    with pytest.raises(BiganziError) as e:
        chroma_client(s)
    assert "连不上 Chroma 服务" in str(e.value) and "BIGANZI_CHROMA_URL" in str(e.value)
