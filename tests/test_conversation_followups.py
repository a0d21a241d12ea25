"""Chat follow-ups are rewrites of the current draft: same kinds, methods and checks as 改写, aimed at
the sentence named; a free follow-up keeps the conversation's cached prefix and is checked too."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.conversation import Conversation
from core.settings import get_settings

FIGURES = "截至2024年11月，检查定点医药机构186家，追回医保基金452.3万元，处罚款126.8万元。"
REQUEST = "起草2024年“综合施策护基金”一段"
DRAFT = (
    "今年以来，我局始终把维护基金安全作为首要任务，进一步健全基金监管机制。"
    "全年检查定点医药机构186家，追回医保基金452.3万元，处罚款126.8万元。"
    "我们积极开展宣传，大力营造氛围，不断提升群众的知法守法意识。"
    "下一步，我局将持续巩固提升监管成效。"
)


def run(events: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"info": [], "tokens": ""}
    for ev in events:
        if ev.kind == "info":
            out["info"].append(ev.text)
        elif ev.kind == "token":
            out["tokens"] += ev.text
        else:
            out["done"] = ev.result
    return out


def drafted(fake_chat: Any) -> Conversation:
    """A conversation whose current draft is DRAFT (drafted by the fake, then set: the drafting
    pipeline's own calls are not what these tests are about)."""
    from langchain_core.messages import AIMessage

    conv = Conversation(get_settings(), kb="missing", model=fake_chat, figures=FIGURES, length=200)
    run(conv.send(REQUEST))
    assert conv.turns[-1].kind == "draft" and conv.current is not None
    conv.current.text = DRAFT
    conv.messages[-1] = AIMessage(content=DRAFT)
    return conv


def test_compress_follow_up_fits_the_length_and_keeps_figures(fake_chat) -> None:
    conv = drafted(fake_chat)
    out = run(conv.send("再精炼一些，压缩到80字"))
    res = out["done"]
    assert conv.turns[-1].kind == "refine"
    assert any("改写方式：压缩" in i for i in out["info"])
    from assistant.rewrite_kinds import cjk_len, length_score

    assert length_score(80, cjk_len(res.text)) >= 80
    for figure in ("186家", "452.3万元", "126.8万元"):
        assert figure in res.text
    assert res.text.startswith("今年以来")  # the opening sentence is kept


def test_named_sentence_is_the_only_one_rewritten(fake_chat) -> None:
    conv = drafted(fake_chat)
    before = conv.current.text
    fake_chat.enqueue(
        "2024年，对186家定点医药机构开展全覆盖检查，挽回医保基金损失452.3万元，另处罚款126.8万元。"
    )
    res = run(conv.send("第二句换个说法"))["done"]
    assert "2024年，对186家定点医药机构开展全覆盖检查" in res.text  # 2024 is one of the user's figures
    first = before.partition("。")[0]
    assert res.text.startswith(first + "。")
    assert res.text.endswith("下一步，我局将持续巩固提升监管成效。")
    assert (
        "【原文】\n年内共检查186家定点医药机构、追回医保基金452.3万元" in fake_chat.calls[-1][-1].content
    )  # code's 全年 → 年内, its count list said as one and the count before its noun first


def test_named_sentence_echoed_is_reported_not_shown_as_done(fake_chat) -> None:
    conv = drafted(fake_chat)
    second = "全年检查定点医药机构186家，追回医保基金452.3万元，处罚款126.8万元。"
    fake_chat.enqueue(second, second, second, second)  # two tries, then the retry's two
    out = run(conv.send("第二句换个说法"))
    res = out["done"]
    assert res.text == conv.turns[0].result.text  # the draft is unchanged …
    assert any("未能完成" in n and "第二句没有换成新的说法" in n for n in res.notes)  # … and says so
    assert any("重试" in i for i in out["info"])


def test_add_a_named_metric_from_the_conversation_figures(fake_chat) -> None:
    conv = drafted(fake_chat)
    conv.figures = FIGURES + "\n参保率99.91%"
    fake_chat.enqueue("今年以来，我局始终把维护基金安全作为首要任务，参保率达到99.91%。")  # lost a clause
    res = run(conv.send("加上参保率"))["done"]
    assert "99.91%" in res.text
    assert "186家" in res.text and "452.3万元" in res.text


def test_missing_metric_is_a_note(fake_chat) -> None:
    conv = drafted(fake_chat)
    res = run(conv.send("加上参保率"))["done"]
    assert any("没有找到“参保率”的数据" in n for n in res.notes)


def test_free_follow_up_reuses_the_prefix_and_is_checked(fake_chat) -> None:
    conv = drafted(fake_chat)
    first = conv.current
    n = len(fake_chat.calls)
    fake_chat.enqueue(DRAFT, DRAFT.replace("积极", "切实").replace("大力", "广泛"))  # echo, then a change
    out = run(conv.send("语气更有力一些，突出成效"))
    res = out["done"]
    prompt = fake_chat.calls[n]
    assert prompt[: len(first.messages)] == first.messages  # the draft's prompt is the prefix
    assert prompt[len(first.messages)].content == DRAFT
    assert "【修改要求】语气更有力一些" in prompt[-1].content
    assert any("重试" in i for i in out["info"])
    assert "切实开展宣传" in res.text and not [n for n in res.notes if "未能" in n]


def test_free_follow_up_that_drops_a_number_is_repaired(fake_chat) -> None:
    conv = drafted(fake_chat)
    fake_chat.enqueue(
        "精炼稿：检查机构186家，追回基金452.3万元。",
        "精炼稿：检查机构186家，追回基金452.3万元，罚款126.8万元。",
    )
    out = run(conv.send("语气更有力一些"))
    assert any("126.8" in i for i in out["info"])
    assert out["done"].text.endswith("罚款126.8万元。")


def test_undo_after_a_follow_up(fake_chat) -> None:
    conv = drafted(fake_chat)
    after_draft = list(conv.messages)
    run(conv.send("再精炼一些"))
    assert [t.kind for t in conv.turns] == ["draft", "refine"]
    conv.undo()
    assert [t.kind for t in conv.turns] == ["draft"] and conv.messages == after_draft


def test_contradictions_are_reported(fake_chat, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = types.ModuleType("assistant.checks.contradiction")
    mod.find_contradictions = lambda text: (  # type: ignore[attr-defined]
        ["全年共追回医保基金：452.3万元 与 107.9万元"] if "107.9" in text else []
    )
    monkeypatch.setitem(sys.modules, "assistant.checks.contradiction", mod)
    conv = drafted(fake_chat)
    conv.turns[-1].result.text += "全年共追回医保基金107.9万元。"
    res = run(conv.send("改得更正式一些"))["done"]
    assert any(n.startswith("前后矛盾：") and "107.9" in n for n in res.notes)


def test_cli_chat_follow_up() -> None:
    res = CliRunner().invoke(
        cli,
        ["chat", "--kb", "missing", "--figures", FIGURES, "--length", "200", "--llm", "fake"],
        input=f"{REQUEST}\n压缩到50字\n/show\n/exit\n不会被读到\n",
    )
    assert res.exit_code == 0, res.output
    assert "改写方式：压缩，约50字" in res.output
    assert "不会被读到" not in res.output
