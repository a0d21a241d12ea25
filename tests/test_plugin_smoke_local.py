"""Smoke: `biganzi serve --api-key K` with the real local model (llama.cpp, bundled GGUF): the official
`openai` client lists the model and streams a draft that keeps the figures typed in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.smoke, pytest.mark.server, pytest.mark.timeout(900)]

KEY = "k-smoke"
ASK = "参照往年写法，起草今年“综合施策护基金”一段，检查定点医药机构186家，追回医保基金452.3万元，约120字。"


def test_openai_client_streams_a_local_draft(local_model_path: Path, tmp_path: Path) -> None:
    from browser.harness import copy_examples, running_server, server_env
    from openai import OpenAI

    from core.settings import get_settings
    from index.ingest import ingest_paths

    data = tmp_path / "data"
    ingest_paths(
        get_settings(data_dir=data, embedder="fake"), copy_examples(tmp_path / "examples"), kb="default"
    )
    env = server_env(
        data, BIGANZI_LLM="local", BIGANZI_MODEL_PATH=str(local_model_path), BIGANZI_N_CTX="4096"
    )
    with running_server(data, "--api-key", KEY, env=env) as server:
        client = OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0, timeout=600)
        assert "biganzi" in [m.id for m in client.models.list()]
        stream = client.chat.completions.create(
            model="biganzi",
            messages=[{"role": "user", "content": ASK}],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = list(stream)
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert "452.3万元" in text and "186家" in text, text
        assert "参考：" in text
        assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
