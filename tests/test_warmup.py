"""Warm-up at page start fills llama.cpp's cache with exactly the prefix drafts begin with."""

from __future__ import annotations

import pytest
from langchain_core.messages import SystemMessage

from assistant.draft import draft_section
from assistant.warmup import warm_up, warm_up_in_background
from core.settings import get_settings


def test_warm_up_sends_the_drafts_own_system_prompt(fake_chat) -> None:
    settings = get_settings()
    spent = warm_up(settings, kb="demo", model=fake_chat)
    assert set(spent) == {"search_s", "style_s", "model_s"}
    assert fake_chat.call_kwargs[0]["max_tokens"] == 1
    draft_section(settings, "起草“护基金”一段", figures="追回医保基金452.3万元。", kb="demo", model=fake_chat)
    warm, *drafts = fake_chat.calls  # a draft may make several calls (one per planned point)
    assert drafts and isinstance(warm[0], SystemMessage)
    assert all(d[0] == warm[0] for d in drafts)  # byte-identical: llama.cpp reuses it (and the saved state)


def test_warm_up_skips_the_model_for_a_remote_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings(llm="openai", openai_base_url="http://127.0.0.1:9/v1")
    assert "model_s" not in warm_up(settings)  # nothing is sent to an endpoint nobody asked for yet


def test_background_warm_up_failure_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from core.errors import BiganziError

    def boom(*_a, **_k):
        raise BiganziError("缺少模型文件：请运行 make setup")

    monkeypatch.setattr("assistant.warmup.warm_up", boom)
    warm_up_in_background(get_settings()).join(5)
    assert capsys.readouterr().err.strip() == "预热未完成：缺少模型文件：请运行 make setup"
