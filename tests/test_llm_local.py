"""`local` backend with the real model (smoke): streaming, finish reasons, continuing a cut reply in
place, the model's own tokenizer, queued concurrent use, and a clear error for a broken file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.llm import count_tokens, get_chat_model, model_label, supports_prefill
from core.errors import BiganziError
from core.settings import get_settings

pytestmark = pytest.mark.smoke

PROMPT = [
    SystemMessage(content="你是公文写作助手。"),
    HumanMessage(content="用一句话说明医保基金监管的意义。"),
]


@pytest.fixture(scope="module")
def local(local_model_path: Path, tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("llm_local") / "data"  # the module's own: one model process for all
    settings = get_settings(
        llm="local", data_dir=data, model_path=local_model_path, n_ctx=1024, temperature=0.0
    )
    model = get_chat_model(settings)
    yield model
    model.supervisor.close()


def test_streams_and_reports_length_cut(local) -> None:
    chunks = list(local.stream(PROMPT, max_tokens=8))
    text = "".join(c.content for c in chunks)
    assert text and any("\u4e00" <= ch <= "\u9fff" for ch in text)
    finish = [
        c.response_metadata["finish_reason"] for c in chunks if c.response_metadata.get("finish_reason")
    ]
    assert finish == ["length"]
    usage = next(c.usage_metadata for c in chunks if c.usage_metadata)
    assert usage["output_tokens"] in range(6, 11) and usage["input_tokens"] > 10
    assert model_label(local).endswith(".gguf")


def test_continues_an_assistant_message_in_place(local) -> None:
    first = local.invoke(PROMPT, max_tokens=6).content
    rest = local.invoke([*PROMPT, AIMessage(content=first)], max_tokens=40).content
    assert supports_prefill(local)
    assert rest and not rest.startswith(first)  # it goes on from where the first part stopped
    whole = local.invoke(PROMPT, max_tokens=60).content
    assert (first + rest)[:10] == whole[:10]  # greedy decoding: same start as one uninterrupted reply


def test_counts_with_the_models_own_tokenizer(local) -> None:
    text = "今年以来，我局始终坚持以人民为中心，聚焦群众急难愁盼，扎实推进医保领域各项改革。"
    n = count_tokens(local, text)
    assert 0.4 * len(text) < n < 0.95 * len(text)  # Qwen ≈ 0.65 per character (cl100k would be ≈ 1.25)


def test_concurrent_callers_queue(local) -> None:
    results: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(local.invoke(PROMPT, max_tokens=6).content)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and len(results) == 2 and all(results)


def test_broken_gguf_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    model = get_chat_model(get_settings(llm="local", model_path=bad, n_ctx=256))
    with pytest.raises(BiganziError, match=r"无法加载模型 .*broken\.gguf"):
        model.invoke("你好", max_tokens=2)
