"""The `fake` backend: scripted by settings (for servers started in tests) or by enqueue, streaming
like the real ones, and a deterministic default reply built from the prompt."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.llm import context_size, count_tokens, get_chat_model, model_label, supports_prefill
from assistant.llm.fake import FakeChatModel, default_reply
from core.errors import BiganziError
from core.settings import get_settings


def test_streams_chunks_then_finish_and_usage(fake_chat: FakeChatModel) -> None:
    fake_chat.enqueue({"text": "一二三四五六七", "finish_reason": "length"})
    chunks = list(fake_chat.stream([HumanMessage(content="你好")]))
    assert [c.content for c in chunks if c.content] == ["一二三", "四五六", "七"]
    assert [
        c.response_metadata.get("finish_reason") for c in chunks if c.response_metadata.get("finish_reason")
    ] == ["length"]
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage == [{"input_tokens": 2, "output_tokens": 7, "total_tokens": 9}]
    assert fake_chat.invoke("x").content.startswith("收到")


def test_capabilities(fake_chat: FakeChatModel) -> None:
    assert count_tokens(fake_chat, "四个字符") == 4
    assert supports_prefill(fake_chat) and model_label(fake_chat) == "fake"
    assert context_size(fake_chat, get_settings(n_ctx=1234)) == 8192
    assert context_size(get_chat_model(get_settings(n_ctx=1234)), get_settings()) == 1234


def test_script_from_inline_json_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIGANZI_FAKE_REPLIES", json.dumps(["甲", {"text": "乙", "finish_reason": "length"}]))
    model = get_chat_model(get_settings())
    assert model.invoke("x").content == "甲"
    reply = get_chat_model(get_settings()).invoke("x")
    assert reply.content == "乙" and reply.response_metadata["finish_reason"] == "length"


def test_script_errors_and_scripted_failures(tmp_path, fake_replies, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_replies({"error": "模拟的服务故障"})
    with pytest.raises(BiganziError, match="模拟的服务故障"):
        get_chat_model(get_settings()).invoke("x")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("BIGANZI_FAKE_REPLIES", str(bad))
    with pytest.raises(BiganziError, match="JSON"):
        get_chat_model(get_settings())
    monkeypatch.setenv("BIGANZI_FAKE_REPLIES", str(tmp_path / "missing.json"))
    with pytest.raises(BiganziError, match=r"missing\.json"):
        get_chat_model(get_settings())


def test_default_reply_carries_figures_and_continues_prefill() -> None:
    prompt = "【今年数据】\n1. 追回医保基金：452.3万元（截至2024年11月）\n【写作任务】起草“护基金”一段\n"
    msgs = [SystemMessage(content="s"), HumanMessage(content=prompt)]
    full = default_reply(msgs)
    assert "“护基金”" in full and "截至2024年11月，追回医保基金452.3万元。" in full
    assert default_reply([*msgs, AIMessage(content=full[:10])]) == full[10:]
