"""The `openai` backend end to end over the real protocol: llama-cpp-python's own OpenAI-compatible
server on loopback, serving the local model; we draft through it, streaming and not."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import free_port, loopback_server

from assistant.draft import draft_section, stream_draft
from assistant.llm import get_chat_model
from core.settings import get_settings

pytestmark = [pytest.mark.server, pytest.mark.smoke]

FIGURES = "2024年追回医保基金452.3万元。"


@pytest.fixture(scope="module")
def server(local_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] extras not installed")
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    base = f"http://127.0.0.1:{port}/v1"
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(local_model_path),
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "4096", "--n_threads", str(os.cpu_count() or 2),
        "--model_alias", "local-qwen",
    ]  # fmt: skip
    with loopback_server(cmd, f"{base}/models", log_path, timeout_s=180):
        yield base


def test_draft_streams_through_openai_compatible_server(server: str) -> None:
    settings = get_settings(llm="openai", openai_base_url=server, openai_api_key=None, openai_model=None)
    events = list(
        stream_draft(
            settings,
            "起草“综合施策护基金”一段",
            figures=FIGURES,
            length=60,
            kb="none",
            max_new_tokens=48,
            max_continuations=1,
        )
    )
    tokens = [e.text for e in events if e.kind == "token"]
    result = events[-1].result
    assert events[-1].kind == "done" and len(tokens) > 3  # really streamed, piece by piece
    assert result.model == "local-qwen"  # found through /v1/models
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in result.raw_text) > 10
    t = result.timings
    assert t["ttft_s"] is not None and t["ttft_s"] <= t["total_s"]
    assert t["completion_tokens"] > 0 and t["prompt_tokens"] > 0


def test_non_streaming_call(server: str) -> None:
    settings = get_settings(llm="openai", openai_base_url=server, openai_model="local-qwen")
    reply = get_chat_model(settings).invoke("用一句话介绍医保。", max_tokens=16)
    assert reply.content and reply.response_metadata.get("finish_reason") in ("stop", "length")
    result = draft_section(
        settings,
        "起草“护基金”一段",
        figures=FIGURES,
        length=40,
        kb="none",
        max_new_tokens=24,
        max_continuations=0,
    )
    assert result.raw_text
