"""Drafting pipeline with the scripted fake model: prompt layout, exemplars, budget, continuation,
no-KB fallback, conversation refinement and the CLI's JSON."""

from __future__ import annotations

import io
import json
import re
import sys

import pytest
from click.testing import CliRunner
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.cli import cli
from assistant.conversation import Conversation
from assistant.draft import DraftResult, clean_output, draft_section, exemplar_view, stream_draft
from core.settings import get_settings
from tests.conftest import EXAMPLES

FIGURES = "截至2024年11月，检查定点医药机构186家，追回医保基金452.3万元，处罚款126.8万元。"
REQUEST = "起草2024年“综合施策护基金”一段"


@pytest.fixture
def demo_kb():
    from index.ingest import ingest_paths

    settings = get_settings(kb="demo")
    ingest_paths(settings, [EXAMPLES], kb="demo")
    return settings


def run(events):
    out = {"token": [], "info": [], "done": None}
    for ev in events:
        if ev.kind == "done":
            out["done"] = ev.result
        else:
            out[ev.kind].append(ev.text)
    return out


# --- prompt layout and exemplars ------------------------------------------------------------------


def test_planned_prompts_share_the_system_prefix_and_carry_one_part_each(demo_kb, fake_chat) -> None:
    r1 = draft_section(demo_kb, REQUEST, figures=FIGURES, kb="demo", model=fake_chat)
    n1 = len(fake_chat.calls)
    draft_section(
        demo_kb, "起草“集采落地减负担”一段", figures="节约费用2.3亿元。", kb="demo", model=fake_chat
    )
    systems = {c[0].content for c in fake_chat.calls}
    assert len(systems) == 1 and "本单位文风" in next(iter(systems))  # byte-identical: llama.cpp reuses it
    assert all(isinstance(c[0], SystemMessage) and isinstance(c[-1], HumanMessage) for c in fake_chat.calls)
    first = fake_chat.calls[:n1]
    # the opening, then one call per point, each with only its own figures
    assert "开头的一句话" in first[0][-1].content and not re.search(
        r"\d{3}", first[0][-1].content.split("【写作任务】")[0].split("【今年数据】")[1]
    )
    for fig in ("186家", "452.3万元", "126.8万元"):
        carrying = [
            c for c in first if fig in c[-1].content.split("【写作任务】")[0].split("【今年数据】")[-1]
        ]
        assert len({c[-1].content for c in carrying}) == 1
    for c in first:
        user = c[-1].content
        assert "综合施策护基金" in user and "不写“一是”" in user
        # no exemplar text in a part's prompt: a small model copies its content (other fields, last
        # year's events); the plan's outline, from the exemplars' structure, is what it sees
        assert "【文风参考】" not in user and "【全段安排】开头一句；一是" in user
    # the plan: an opening and three points, enumerators by code, every figure kept
    assert r1.plan and [p["figures"] for p in r1.plan["points"]] == [["186家"], ["452.3万元"], ["126.8万元"]]
    assert re.search(r"一是.*二是.*三是", r1.text) and "\n" not in r1.text
    assert all(v in r1.text for v in ("186家", "452.3万元", "126.8万元"))
    assert len(r1.sources) == 3 and all(set(s) == {"source", "section", "text"} for s in r1.sources)
    assert r1.kb_used


def test_single_call_prompt_layout_exemplars_figures_request(demo_kb, fake_chat) -> None:
    draft_section(demo_kb, REQUEST, figures=FIGURES, kb="demo", model=fake_chat, planned=False)
    (first,) = fake_chat.calls
    user = first[-1].content
    assert user.index("【往年写法】") < user.index("【今年数据】") < user.index("【写作任务】")
    assert REQUEST in user and all(v in user for v in ("186家", "452.3万元", "126.8万元"))
    examples = user[user.index("【往年写法】") : user.index("【今年数据】")]
    shown = [re.sub(r"^\d+\.", "", line) for line in examples.splitlines()[1:]]
    assert shown and not any(re.search(r"[0-9０-９]", line) for line in shown)


def test_stream_events_and_result(demo_kb, fake_chat) -> None:
    out = run_stream(stream_draft(demo_kb, REQUEST, figures=FIGURES, kb="demo", model=fake_chat))
    res: DraftResult = out["done"]
    assert out["shown"] == res.raw_text  # tokens, restarts applied, are the raw text
    for figure in ("186家", "452.3万元", "126.8万元"):
        assert figure in res.text
    assert res.model == "fake"
    assert set(res.timings) >= {"ttft_s", "total_s", "prompt_tokens", "completion_tokens", "calls"}
    assert res.timings["prompt_tokens"] > 0 and res.finish_reason == "stop"
    assert res.timings["constrained"] == 0  # the fake cannot constrain decoding


def run_stream(events):
    """Like run(), and what a page shows: tokens appended, cleared on a restart."""
    shown, out = "", {"info": [], "done": None}
    for ev in events:
        if ev.kind == "token":
            shown += ev.text
        elif ev.kind == "info":
            out["info"].append(ev.text)
            if ev.restart:
                shown = ""
        else:
            out["done"] = ev.result
    out["shown"] = shown
    return out


def test_no_kb_drafts_from_style_defaults_and_says_so(fake_chat) -> None:
    out = run(stream_draft(get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat))
    res = out["done"]
    assert res.kb_used is False and res.sources == []
    assert any("默认文风" in i for i in out["info"])
    assert res.notes and "默认文风" in res.notes[0]
    assert "【往年写法】" not in fake_chat.calls[0][-1].content
    assert "452.3万元" in res.text


def test_empty_kb_says_so(fake_chat) -> None:
    from index.store import open_kb

    settings = get_settings()
    open_kb(
        settings,
        "empty",
        embedder=__import__("index.embed", fromlist=["x"]).get_embedder("fake"),
        create=True,
    )
    res = draft_section(settings, REQUEST, figures=FIGURES, kb="empty", model=fake_chat)
    assert res.kb_used is False and any("为空" in n for n in res.notes)


def test_exemplar_view_drops_number_clauses_and_keeps_structure() -> None:
    text = (
        "坚持把基金安全作为首要任务，全年检查定点医药机构120家，追回基金300万元。"
        "一是强化智能监控，扩充审核规则20条，提高核查效率。二是推行信用评价，压实主体责任。"
        "三是借助第三方力量，缓解人手不足。全年处理违规机构15家。"
    )
    view = exemplar_view(text)
    assert not re.search(r"\d", view)
    assert view.startswith("坚持把基金安全作为首要任务。")
    assert "一是强化智能监控" in view and "二是推行信用评价" in view
    assert exemplar_view(text, "full") == text
    assert len(exemplar_view(text, "masked")) > len(view) - 5


@pytest.mark.parametrize("view", ["structure", "masked", "openings"])
def test_exemplar_view_hides_placeholders_and_document_titles(view: str) -> None:
    text = (
        "一是制定《XX县定点零售药店常规药品监测制度》，规范药品价格。"
        "二是开设“XX执法微课堂”，以案释法。三是推进智慧医保建设，提升服务效率。"
    )
    shown = exemplar_view(text, view)  # type: ignore[arg-type]
    assert "XX" not in shown and "《" not in shown
    assert "规范药品价格" in shown or view == "openings"
    assert "三是推进智慧医保建设" in shown


def test_clean_output_drops_preface_and_markdown() -> None:
    assert (
        clean_output("好的，以下是起草的段落：\n**围绕护基金**，我们强化监管。")
        == "围绕护基金，我们强化监管。"
    )
    assert clean_output("综合施策护基金\n我局强化监管，成效明显。") == "我局强化监管，成效明显。"
    assert clean_output("我局强化监管，成效明显。") == "我局强化监管，成效明显。"


# --- continuation ------------------------------------------------------------------------------


def test_reply_cut_by_length_is_continued_in_place(fake_chat) -> None:
    fake_chat.enqueue({"text": "围绕护基金，我们追回医保", "finish_reason": "length"}, "基金452.3万元。")
    out = run(
        stream_draft(get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, planned=False)
    )
    res = out["done"]
    assert res.raw_text == "围绕护基金，我们追回医保基金452.3万元。"
    assert len(fake_chat.calls) == 2
    cont = fake_chat.calls[1]
    assert isinstance(cont[-1], AIMessage) and cont[-1].content == "围绕护基金，我们追回医保"
    assert cont[:-1] == fake_chat.calls[0]  # same prompt: the continuation reuses its prefix
    assert res.timings["continuations"] == 1
    assert any("续写" in i for i in out["info"])


def test_reply_cut_past_the_asked_length_ends_at_a_sentence_instead_of_continuing(fake_chat) -> None:
    long = "围绕护基金，我们追回医保基金452.3万元。" * 4 + "同时持续开展专项"
    fake_chat.enqueue({"text": long, "finish_reason": "length"})
    out = run(
        stream_draft(
            get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, length=50, planned=False
        )
    )
    res = out["done"]
    assert res.raw_text == "围绕护基金，我们追回医保基金452.3万元。" * 4
    assert len(fake_chat.calls) == 1  # not continued: it already said more than was asked
    assert any("句末收住" in i for i in out["info"])
    # shorter than asked when cut: still continued
    fake_chat.enqueue({"text": "围绕护基金，我们追回", "finish_reason": "length"}, "医保基金452.3万元。")
    res2 = run(
        stream_draft(
            get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, length=50, planned=False
        )
    )
    assert res2["done"].raw_text == "围绕护基金，我们追回医保基金452.3万元。"


def test_length_by_planning_no_extension_call(fake_chat) -> None:
    # Scripted parts that are short: the pipeline never asks for an extension (prompts/expand is gone).
    fake_chat.enqueue(
        *["我局坚持系统施策，扎实推进基金监管工作。"] + [f"第{i}方面持续推进，成效明显。" for i in range(8)]
    )
    res = draft_section(get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, length=300)
    assert not any("扩充" in c[-1].content or "篇幅不够" in c[-1].content for c in fake_chat.calls)
    # the parts' planned lengths add up to the asked length
    assert res.plan["opening"]["length"] + sum(p["length"] for p in res.plan["points"]) == 300
    from pathlib import Path

    assert not (Path(__file__).resolve().parent.parent / "prompts" / "expand.jinja").exists()


def test_continuation_without_prefill_asks_and_drops_overlap(fake_chat) -> None:
    fake_chat.supports_prefill = False
    fake_chat.enqueue(
        {"text": "围绕护基金，我们追回医保基金", "finish_reason": "length"},
        "追回医保基金452.3万元，处罚款126.8万元，成效明显。",
    )
    res = draft_section(
        get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, planned=False
    )
    assert res.raw_text == "围绕护基金，我们追回医保基金452.3万元，处罚款126.8万元，成效明显。"
    last = fake_chat.calls[1][-1]
    assert isinstance(last, HumanMessage) and "截断" in last.content


def test_continuation_that_starts_over_is_not_duplicated(fake_chat) -> None:
    fake_chat.supports_prefill = False
    first = "围绕护基金，我们强化监管，持续开展专项检查，检查定点医药机构186家"
    fake_chat.enqueue({"text": first, "finish_reason": "length"}, first + "，追回医保基金452.3万元。")
    res = draft_section(
        get_settings(),
        REQUEST,
        figures=FIGURES,
        kb="missing",
        model=fake_chat,
        lock_figures=False,
        planned=False,
    )
    assert res.raw_text == first + "，追回医保基金452.3万元。"


def test_reply_that_only_echoes_the_prompt_is_retried_hotter(fake_chat) -> None:
    fake_chat.enqueue("【今年数据】\n1. 追回医保基金：452.3万元", "围绕护基金，追回医保基金452.3万元。")
    out = run(
        stream_draft(
            get_settings(),
            REQUEST,
            figures=FIGURES,
            kb="missing",
            model=fake_chat,
            lock_figures=False,
            planned=False,
        )
    )
    # the retry starts the reply with the house style's first words (prefill), then the model goes on
    assert out["done"].raw_text == "一是围绕护基金，追回医保基金452.3万元。"
    retry = fake_chat.calls[1]
    assert isinstance(retry[-1], AIMessage) and retry[-1].content == "一是"
    assert retry[:-1] == fake_chat.calls[0]
    assert any("重试" in i for i in out["info"])
    assert fake_chat.call_kwargs[1]["temperature"] >= 0.7
    fake_chat.enqueue("【今年数据】", "【今年数据】", "【写作任务】")  # three echoes: give up, and say so
    out2 = run(
        stream_draft(
            get_settings(),
            REQUEST,
            figures=FIGURES,
            kb="missing",
            model=fake_chat,
            lock_figures=False,
            planned=False,
        )
    )
    assert out2["done"].raw_text == "" and len(fake_chat.calls) == 5
    assert fake_chat.call_kwargs[4]["temperature"] > fake_chat.call_kwargs[3]["temperature"] >= 0.7
    assert any("重新生成" in i for i in out2["info"])


ECHOES = [
    # the old pipeline's own extension request, kept as "the draft" because it was longer
    "收到：上面这段只有约58字，篇幅不够。请保留其中的内容和数据，再补充具体做法和成效，扩充到约120字。只输出完整的正文。",
    "【写作任务】起草2024年“综合施策护基金”一段\n【篇幅】约300字",
    "上面的数据逐字照抄、全部用上，不写别的数字，没有给出的具体活动、会议、人数和次数一律不写",
    "截至【待补充：指标名】，参保率99.91%，约150字。",
    # the system prompt and the number-repair request
    "你是“笔杆子”，帮助县市机关单位起草工作总结、党建工作总结、述职报告的公文写作助手。",
    "上一稿漏掉了原文中的数字：452.3万元。请把它们补回正文（数值和单位原样照抄），其余内容不变，只输出完整正文。",
]


@pytest.mark.parametrize("echo", ECHOES)
@pytest.mark.parametrize("planned", [True, False])
def test_a_reply_that_echoes_our_prompts_is_never_kept(fake_chat, echo: str, planned: bool) -> None:
    from assistant.prompts import render

    fake_chat.enqueue(*([echo] * 12))
    res = draft_section(
        get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, planned=planned, length=150
    )
    prompts = [str(m.content) for c in fake_chat.calls for m in c] + [render("continue", tail="x")]
    for sent in re.split(r"[。\n]", echo):
        if len(sent) >= 8:
            assert sent not in res.raw_text and sent not in res.text
    assert "约58字" not in res.text and "写作任务" not in res.text and "150字" not in res.text
    assert not any(p and p in res.text for p in prompts if len(p) > 20)


def test_at_most_two_continuations(fake_chat) -> None:
    fake_chat.enqueue(*[{"text": f"第{i}段", "finish_reason": "length"} for i in range(5)])
    res = draft_section(
        get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, planned=False
    )
    assert len(fake_chat.calls) == 3
    assert res.raw_text == "第0段第1段第2段" and res.finish_reason == "length"


def test_default_fake_reply_is_continued_by_max_tokens(fake_chat) -> None:
    whole = draft_section(
        get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, planned=False
    ).raw_text
    fake_chat.calls.clear()
    fake_chat.call_kwargs.clear()
    step = len(whole) // 3 + 1
    cut = draft_section(
        get_settings(),
        REQUEST,
        figures=FIGURES,
        kb="missing",
        model=fake_chat,
        max_new_tokens=step,
        planned=False,
    )
    assert cut.raw_text == whole and len(fake_chat.calls) == 3  # step + step + rest
    assert [kw["max_tokens"] for kw in fake_chat.call_kwargs] == [step, step, step]


# --- budget -------------------------------------------------------------------------------------


def test_small_context_trims_exemplars_and_reports(demo_kb, fake_chat) -> None:
    full = draft_section(demo_kb, REQUEST, figures=FIGURES, kb="demo", model=fake_chat, planned=False)
    prompt_chars = sum(len(m.content) for m in fake_chat.calls[0])
    fake_chat.n_ctx = prompt_chars + 400 - 120  # fake tokens are characters; 400 = reply room
    out = run(
        stream_draft(
            demo_kb, REQUEST, figures=FIGURES, kb="demo", model=fake_chat, max_new_tokens=400, planned=False
        )
    )
    res = out["done"]
    assert res.trimmed and any("范例3" in t for t in res.trimmed)
    assert any("为不超出上下文" in i for i in out["info"])
    user = fake_chat.calls[-1][-1].content
    assert REQUEST in user and all(v in user for v in ("186家", "452.3万元", "126.8万元"))
    assert len(res.sources) < len(full.sources) or any("截短" in t for t in res.trimmed)


def test_history_goes_between_system_and_request(fake_chat) -> None:
    history = [("user", "先写一段总体情况"), ("assistant", "总体情况稿。")]
    draft_section(get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, history=history)
    msgs = fake_chat.calls[0]
    assert [type(m).__name__ for m in msgs] == ["SystemMessage", "HumanMessage", "AIMessage", "HumanMessage"]
    assert msgs[2].content == "总体情况稿。"


def test_bad_inputs_are_one_line_errors(fake_chat) -> None:
    from core.errors import BiganziError

    with pytest.raises(BiganziError, match="请写明"):
        draft_section(get_settings(), "  ", model=fake_chat)
    with pytest.raises(BiganziError, match="--length"):
        draft_section(get_settings(), REQUEST, length=5, model=fake_chat)


# --- figures lock wiring (assistant/lock.py, issue 4) ---------------------------------------------


def test_figures_report_present_when_lock_installed(fake_chat) -> None:
    pytest.importorskip("assistant.lock")
    res = draft_section(get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat)
    assert res.figures is not None and set(res.figures) >= {"used", "missing", "flagged"}
    plain = draft_section(
        get_settings(), REQUEST, figures=FIGURES, kb="missing", model=fake_chat, lock_figures=False
    )
    assert plain.figures is None


# --- conversation -------------------------------------------------------------------------------


def test_conversation_drafts_then_follow_ups_change_the_draft(fake_chat) -> None:
    # Follow-ups are the rewrite helper's (assistant/conversation._refine, tests there); here: a
    # planned draft is a conversation turn whose messages a follow-up can build on.
    conv = Conversation(get_settings(), kb="missing", model=fake_chat, figures=FIGURES)
    first = run(conv.send(REQUEST))["done"]
    assert conv.turns[-1].kind == "draft" and first.plan is not None
    assert conv.messages[: len(first.messages)] == first.messages
    assert conv.messages[-1].content == first.text
    second = run(conv.send("再精炼一些"))["done"]
    assert conv.turns[-1].kind == "refine" and second.sources == first.sources
    for figure in ("186家", "452.3万元", "126.8万元"):
        assert figure in second.text


def test_conversation_undo_restores_the_previous_state(fake_chat) -> None:
    conv = Conversation(get_settings(), kb="missing", model=fake_chat, figures=FIGURES)
    run(conv.send(REQUEST))
    after_draft = list(conv.messages)
    run(conv.send("再精炼一些"))
    conv.undo()
    assert [t.kind for t in conv.turns] == ["draft"] and conv.messages == after_draft
    conv.undo()
    assert conv.turns == [] and conv.messages == []


def test_conversation_new_request_drafts_again(fake_chat) -> None:
    conv = Conversation(get_settings(), kb="missing", model=fake_chat, figures=FIGURES)
    run(conv.send(REQUEST))
    run(conv.send("再写一段“集采落地减负担”"))
    assert [t.kind for t in conv.turns] == ["draft", "draft"]
    conv.reset()
    assert conv.current is None and conv.messages == []


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_draft_json_shape(demo_kb, tmp_path) -> None:
    figures_file = tmp_path / "figures.txt"
    figures_file.write_text(FIGURES, encoding="utf-8")
    res = CliRunner().invoke(
        cli,
        [
            "draft",
            "--kb",
            "demo",
            "--request",
            REQUEST,
            "--figures-file",
            str(figures_file),
            "--json",
            "--llm",
            "fake",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) >= {"text", "sources", "model", "timings"}
    assert all(set(s) == {"source", "section"} for s in data["sources"]) and len(data["sources"]) == 3
    assert set(data["timings"]) >= {"ttft_s", "total_s", "prompt_tokens", "completion_tokens"}
    assert "452.3万元" in data["text"] and data["model"] == "fake"


def test_cli_draft_streams_text_and_sources(demo_kb, fake_replies) -> None:
    fake_replies("围绕护基金，我局检查定点医药机构186家，追回医保基金452.3万元，处罚款126.8万元。")
    res = CliRunner().invoke(cli, ["draft", "--kb", "demo", "-r", REQUEST, "--figures", FIGURES])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("围绕护基金，我局检查定点医药机构186家")
    assert "参考的往年段落" in res.stdout


def test_cli_errors_are_one_line(monkeypatch, capsys) -> None:
    from assistant.cli import main

    monkeypatch.setattr(sys, "argv", ["biganzi", "draft", "-r", REQUEST, "--llm", "openai"])
    monkeypatch.delenv("BIGANZI_OPENAI_BASE_URL", raising=False)
    with pytest.raises(SystemExit) as ex:
        main()
    assert ex.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "BIGANZI_OPENAI_BASE_URL" in err and "\n" not in err


def test_cli_chat_reads_piped_lines(fake_replies, monkeypatch) -> None:
    fake_replies(  # the draft: its opening and its three points, one call each
        "第一稿：我局坚持系统施策，扎实推进基金监管，守好群众的看病钱。",
        "持续开展定点医药机构全覆盖检查，检查定点医药机构186家，以查促改、以查促建，监管覆盖面持续扩大。",
        "坚持查处并举，对违规行为发现一起、查处一起，追回医保基金452.3万元，基金安全得到有力保障。",
        "依法依规加大惩戒力度，处罚款126.8万元，对欺诈骗保行为形成有力震慑，营造不敢骗的氛围。",
    )
    res = CliRunner().invoke(
        cli,
        ["chat", "--kb", "missing", "--figures", FIGURES],
        input=f"{REQUEST}\n再精炼一些\n/show\n/exit\n不会被读到\n",
    )
    assert res.exit_code == 0, res.output
    assert "第一稿：我局坚持系统施策" in res.stdout and "一是持续开展定点医药机构全覆盖检查" in res.stdout
    assert "不会被读到" not in res.stdout


def test_fake_backend_selected_by_settings_with_shared_script(fake_replies) -> None:
    from assistant.llm import get_chat_model

    fake_replies("一", "二")
    settings = get_settings()
    assert get_chat_model(settings).invoke("x").content == "一"
    assert get_chat_model(settings).invoke("x").content == "二"  # one script per process
    assert get_chat_model(settings).invoke("x").content.startswith("收到")


def test_stdin_unaffected(monkeypatch) -> None:
    # Guard: the chat command must not consume more than it reads (used with pipes).
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    res = CliRunner().invoke(cli, ["chat", "--kb", "missing"], input="")
    assert res.exit_code == 0
