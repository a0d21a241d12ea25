"""assistant.request: a free request read the way a bureau writer means it (issue 10 item 5)."""

from __future__ import annotations

import json

import pytest

from assistant.request import FROM_MESSAGE, parse_request, resolve
from tests.conftest import EVAL

# --- length --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("起草“护基金”一段，约300字。", 300),
        ("写“医疗救助托底线”的成效，200字左右。", 200),
        ("写一段2024年异地就医直接结算的情况，150字。", 150),
        ("写一段三百字左右的“基金监管”", 300),
        ("把上面这段压缩到120字", 120),
        ("起草一段，字数控制在250字以内", 250),
        ("起草一段，篇幅约３００字", 300),
        ("起草一段，300-400字", 350),
        ("写一段五百字的总结", 500),
        ("起草一段，千字左右", 1000),
        ("起草一段，不超过500字", 500),
        ("写一段，字数300", 300),
        ("起草“护基金”一段（约200字）", 200),
        ("起草“护基金”一段，约200字（不含标题）", 200),
        ("起草“参保扩面”一段，参保率99.91％。", None),
        ("起草2024年“集采落地减负担”一段", None),
        ("标题用三号字", None),
        ("第3字改一下", None),
    ],
)
def test_length(text: str, length: int | None) -> None:
    assert parse_request(text).length == length


def test_length_phrase_never_reaches_the_task() -> None:
    for text in (
        "起草“参保扩面”一段（约150字）",
        "起草“参保扩面”一段，约150字（不含标题）",
        "起草“参保扩面”一段，参保率99.91％，约150字。",
        "起草“参保扩面”一段，约150字，参保率99.91％。",
        "约150字，起草“参保扩面”一段",
        "写一段150字左右的“参保扩面”",
    ):
        spec = parse_request(text)
        assert spec.length == 150, text
        assert "150" not in spec.task and "字" not in spec.task.replace("“参保扩面”", ""), spec.task
        assert "150字" not in spec.figures_text
        assert all("字" not in f.text for f in spec.facts)


def test_the_last_length_wins_and_compress_keeps_its_verb() -> None:
    spec = parse_request("把上面这段压缩到120字")
    assert spec.length == 120
    assert spec.task == "把上面这段压缩"
    assert parse_request("先写约300字，再压缩到200字").length == 200


# --- figures in the message ----------------------------------------------------------------------


def test_figures_in_the_message_become_facts() -> None:
    spec = parse_request("起草“参保扩面”一段，参保率99.91％，约150字。")
    assert spec.task == "起草“参保扩面”一段。"
    assert spec.theme == "参保扩面"
    assert spec.figures_text == "参保率99.91％"
    assert [(f.metric, f.text, f.origin) for f in spec.facts] == [("参保率", "99.91％", FROM_MESSAGE)]


def test_qd1_figures_sentence_after_the_request() -> None:
    spec = parse_request(
        "起草2024年“集采落地减负担”一段，约250字。今年带量采购药品412种、耗材301种，节约费用2.3亿元。"
    )
    assert spec.task == "起草2024年“集采落地减负担”一段。"
    assert spec.length == 250
    assert spec.year == 2024
    assert spec.theme == "集采落地减负担"
    assert [f.text for f in spec.facts] == ["412种", "301种", "2.3亿元"]
    assert spec.facts[0].metric == "带量采购药品"  # "今年" is when, not what
    assert spec.facts[1].metric == "带量采购耗材"  # "、耗材301种" shares the head of the item before
    assert "2024" not in spec.figures_text  # the year of the request is not a figure
    assert all(f.origin == FROM_MESSAGE for f in spec.facts)


def test_time_clause_goes_with_its_figures() -> None:
    spec = parse_request("截至2024年10月底，全县参保率99.91％，写一段300字的总结")
    assert spec.task == "写一段总结"
    assert spec.figures_text == "截至2024年10月底，全县参保率99.91％"
    assert spec.facts[0].period == "截至2024年10月底"
    assert spec.length == 300


def test_years_dates_and_structure_counts_are_not_figures() -> None:
    for text in (
        "起草2024年“集采落地减负担”一段",
        "起草2025年工作思路中“守牢基金安全底线”一段",
        "写“医保改革”，分3个方面",
        "写“医保改革”，分三点写",
        "写一段，包括3个亮点",
        "围绕学习贯彻党的二十届三中全会精神写一段",
        "写一段2024年1-9月的医保工作",
    ):
        spec = parse_request(text)
        assert spec.facts == [], text
        assert spec.figures_text == ""
        assert spec.task == text.strip()


def test_figures_lines_with_a_lead_in() -> None:
    spec = parse_request("起草“织密参保网”一段\n今年数据：参保人数50.12万人；参保率99.91%")
    assert spec.task == "起草“织密参保网”一段"
    assert [f.text for f in spec.facts] == ["50.12万人", "99.91%"]
    assert "今年数据" not in spec.figures_text


def test_a_table_pasted_into_the_message() -> None:
    spec = parse_request(
        "起草“织密参保网”一段，约200字\n指标\t2023年\t2024年\n参保率\t99.85%\t99.91%\n参保人数\t49.8万人\t50.12万人"
    )
    assert spec.task == "起草“织密参保网”一段"
    assert spec.length == 200
    assert [(f.text, f.period) for f in spec.facts] == [
        ("99.85%", "2023年"),
        ("99.91%", "2024年"),
        ("49.8万人", "2023年"),
        ("50.12万人", "2024年"),
    ]
    spec = parse_request("起草“织密参保网”一段\n| 指标 | 数值 |\n|---|---|\n| 参保率 | 99.91% |")
    assert spec.task == "起草“织密参保网”一段" and [f.text for f in spec.facts] == ["99.91%"]
    assert parse_request("写一段\n名称\t说明\n甲\t乙").facts == []  # a table without figures stays


def test_figures_after_an_instruction_and_a_colon() -> None:
    spec = parse_request("用以下数据起草“护基金”一段：检查定点医药机构186家，追回医保基金452.3万元。")
    assert spec.task == "用以下数据起草“护基金”一段。"
    assert [f.text for f in spec.facts] == ["186家", "452.3万元"]
    spec = parse_request("请根据数据写一段：参保率99.91%，约200字")
    assert (spec.task, spec.length, spec.figures_text) == ("请根据数据写一段", 200, "参保率99.91%")
    spec = parse_request("起草“护基金”一段：\n参保率：99.91%")  # "指标：数值" keeps its colon
    assert (spec.task, spec.figures_text) == ("起草“护基金”一段", "参保率：99.91%")


def test_an_instruction_that_names_a_figure_keeps_its_words() -> None:
    spec = parse_request("围绕追回医保基金452.3万元写一段")
    assert spec.task.startswith("围绕追回医保基金")
    assert [f.text for f in spec.facts] == ["452.3万元"]


def test_no_numbers() -> None:
    for text in (
        "起草2025年工作思路中“守牢基金安全底线”一段，约200字，不写具体数字。",
        "写一段，不要数字",
        "别写数据",
        "不需要数字",
        "避免出现数字",
    ):
        assert parse_request(text).no_numbers, text
    assert not parse_request("写一段，不要编造数字").no_numbers  # don't invent numbers ≠ no numbers
    spec = parse_request("起草2025年工作思路中“守牢基金安全底线”一段，约200字，不写具体数字。")
    assert spec.task == "起草2025年工作思路中“守牢基金安全底线”一段，不写具体数字。"
    assert spec.facts == []
    assert not parse_request("起草一段，参保率99.91％").no_numbers


# --- theme, voice, genre, year -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("起草“保障能力实现新突破”一段", "保障能力实现新突破"),
        ('起草"保障能力实现新突破"一段', "保障能力实现新突破"),
        ("起草「保障能力实现新突破」一段", "保障能力实现新突破"),
        ("起草‘保障能力实现新突破’一段", "保障能力实现新突破"),
        ("写一段医保工作", None),
        ("写“医疗救助托底线”的成效", "医疗救助托底线"),
        ("标题为“保障能力实现新突破”，写一段", "保障能力实现新突破"),
        ("写一段关于“保障能力实现新突破”", "保障能力实现新突破"),
        # quoted terms are not headings
        ("起草落实“十四五”规划一段", None),
        ("写“三医联动”改革一段", None),
        ("推进“1+N”政策体系建设，写一段", None),
        # a quoted passage to write like is a style reference, not the theme
        ("写一段2024年基金监管工作的成效，风格参照往年的“综合施策护基金”。", None),
        ("参照“综合施策护基金”的写法，起草“集采落地减负担”一段", "集采落地减负担"),
    ],
)
def test_theme(text: str, theme: str | None) -> None:
    assert parse_request(text).theme == theme


def test_style_reference() -> None:
    assert (
        parse_request("写一段基金监管的成效，风格参照往年的“综合施策护基金”。").style_ref == "综合施策护基金"
    )
    assert parse_request("参照“综合施策护基金”的写法，起草“集采落地减负担”一段").style_ref == "综合施策护基金"
    assert parse_request("起草“护基金”一段").style_ref is None


@pytest.mark.parametrize(
    ("text", "genre", "voice"),
    [
        ("以卫健委书记述职的口吻，写“抓班子带队伍”一段，约350字。", "述职报告", "述职"),
        ("按党建工作总结的写法，写“清廉医保建设”一段", "党建工作总结", None),
        ("起草2025年工作思路中“守牢基金安全底线”一段", "工作思路", None),
        ("写今年工作总结里“护基金”一段", "工作总结", None),
        ("用第一人称写一段", None, "述职"),
        ("写一段医保工作", None, None),
    ],
)
def test_genre_and_voice(text: str, genre: str | None, voice: str | None) -> None:
    spec = parse_request(text)
    assert (spec.genre, spec.voice) == (genre, voice)


def test_year() -> None:
    assert parse_request("起草2025年工作思路中“守牢基金安全底线”一段").year == 2025
    assert parse_request("起草二〇二四年“护基金”一段").year == 2024
    assert parse_request("写一段医保工作").year is None


# --- resolve -------------------------------------------------------------------------------------


def test_resolve_length_precedence() -> None:
    assert resolve("起草一段，约150字").length == 150
    assert resolve("起草一段，约150字").length_from == "request"
    assert resolve("起草一段，约150字", length=400).length == 400
    assert resolve("起草一段，约150字", length=400).length_from == "explicit"
    assert resolve("起草一段").length == 300
    assert resolve("起草一段").length_from == "default"
    assert resolve("起草一段", default_length=500).length == 500


def test_resolve_merges_explicit_and_message_figures() -> None:
    r = resolve("起草“参保扩面”一段，参保率99.91％，约150字。", figures="参保人数50.12万人")
    assert r.task == "起草“参保扩面”一段。"
    assert [f.text for f in r.facts] == ["50.12万人", "99.91％"]
    assert [f.origin for f in r.facts] == ["", FROM_MESSAGE]
    assert r.figures == "参保人数50.12万人\n参保率99.91％"


def test_resolve_does_not_repeat_a_figure_given_twice() -> None:
    r = resolve("起草一段，参保率99.91％，参保人数50.12万人", figures="参保率99.91％")
    assert [f.text for f in r.facts] == ["99.91％", "50.12万人"]
    assert r.figures.count("99.91") == 1
    assert len(r.message_facts) == 2


def test_resolve_carries_the_rest() -> None:
    r = resolve("以卫健委书记述职的口吻，写“抓班子带队伍”一段，约350字。", figures="全年召开党委会议24次")
    assert (r.theme, r.voice, r.genre, r.no_numbers, r.length) == (
        "抓班子带队伍",
        "述职",
        "述职报告",
        False,
        350,
    )
    assert r.figures == "全年召开党委会议24次"
    r = resolve("起草一段，不写具体数字")
    assert r.no_numbers and r.figures == ""


def test_empty_request() -> None:
    assert parse_request("").task == ""
    assert parse_request("  ").length is None


# --- the dev cases -------------------------------------------------------------------------------


@pytest.mark.skipif(not (EVAL / "quality_dev.jsonl").exists(), reason="../shared/eval not present")
def test_dev_cases() -> None:
    for line in (EVAL / "quality_dev.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        r = resolve(case["request"], figures=case.get("figures") or None)
        assert r.length == case["asked"], case["id"]
        assert f"{case['asked']}字" not in r.task, case["id"]
        for want in case.get("must_include") or []:
            assert any(want in f.text or want in f.value for f in r.facts), (case["id"], want)
        assert r.no_numbers == bool(case.get("no_numbers")), case["id"]
    spec = parse_request(json.loads((EVAL / "quality_dev.jsonl").read_text().splitlines()[5])["request"])
    assert spec.voice == "述职"


# --- wired in: stream_draft, the CLI, Conversation -------------------------------------------------

MESSAGE = "起草“参保扩面”一段，参保率99.91％，约150字。"


def _done(events):  # type: ignore[no-untyped-def]
    return next(ev.result for ev in events if ev.kind == "done")


def test_stream_draft_takes_figures_and_length_from_the_message(fake_chat) -> None:
    from assistant.draft import stream_draft
    from core.settings import get_settings

    result = _done(stream_draft(get_settings(), MESSAGE, model=fake_chat))
    assert "99.91％" in result.text
    assert [u["text"] for u in result.figures["used"]] == ["99.91％"]
    assert "150字" not in result.request and "99.91" not in result.request
    prompt = fake_chat.calls[0][-1].content
    assert "参保率99.91％，约150字" not in prompt
    assert "150" in prompt  # the asked length is the message's, not the default
    assert "约300字" not in prompt


def test_stream_draft_explicit_length_wins(fake_chat) -> None:
    from assistant.draft import stream_draft
    from core.settings import get_settings

    _done(stream_draft(get_settings(), MESSAGE, length=400, model=fake_chat))
    prompt = fake_chat.calls[0][-1].content
    assert "400" in prompt and "150" not in prompt


def test_conversation_uses_the_message_figures(fake_chat) -> None:
    from assistant.conversation import Conversation
    from core.settings import get_settings

    conv = Conversation(get_settings(), model=fake_chat, figures="参保人数50.12万人")
    result = _done(conv.send(MESSAGE))
    assert sorted(u["text"] for u in result.figures["used"]) == ["50.12万人", "99.91％"]
    assert "150" in fake_chat.calls[0][-1].content


def test_cli_draft_reads_length_and_figures_from_the_request() -> None:
    from click.testing import CliRunner

    from assistant.cli import cli

    res = CliRunner().invoke(cli, ["draft", "-r", MESSAGE, "--json", "--llm", "fake"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "99.91％" in data["text"]
    assert [u["text"] for u in data["figures"]["used"]] == ["99.91％"]
    assert "篇幅按要求：约150字" in res.stderr
    assert "参保率99.91％" in res.stderr


# --- the page: chat turn and figures panel (no browser; tests/browser/test_chat_message_browser.py) ---


def _drain(it) -> None:  # type: ignore[no-untyped-def]
    for _ in it:
        pass


def test_page_draft_uses_the_message_length_unless_fixed() -> None:
    from core.settings import get_settings
    from ui import chat
    from ui.session import DeskSession

    st = get_settings()
    s = DeskSession(figures_text="参保人数50.12万人")
    _drain(chat.run_draft(st, s, MESSAGE, 300, None, length_fixed=False))
    assert s.conversation.length == 150
    assert "篇幅按消息：约150字" in s.last.notes
    assert {u["text"] for u in s.last.trace["used"]} == {"50.12万人", "99.91％"}
    assert "150字" not in s.draft

    s = DeskSession()
    _drain(chat.run_draft(st, s, MESSAGE, 300, None, length_fixed=True))
    assert s.conversation.length == 300
    assert "篇幅按固定的300字（消息里写的是约150字）" in s.last.notes
    assert [u["text"] for u in s.last.trace["used"]] == ["99.91％"]


def test_figures_panel_lists_message_figures_once() -> None:
    from ui.figures_panel import FROM_MESSAGE_MARK, message_facts, message_status, with_message_facts

    facts = message_facts(MESSAGE, "参保人数50.12万人")
    assert [f.text for f in facts] == ["99.91％"]
    assert message_facts(MESSAGE, "参保率99.91％") == []  # already confirmed: not again
    assert message_facts("再精炼一些") == []
    rows = with_message_facts([[True, "参保人数", "50.12万人", "", "参保人数50.12万人"]], facts)
    assert rows[-1][:4] == [True, "参保率", "99.91％", ""]
    assert rows[-1][4].startswith(FROM_MESSAGE_MARK)
    assert with_message_facts(rows, facts) == rows  # none twice
    status = message_status(facts, confirmed=1)
    assert status.startswith("已确认 1 项数据；本次消息中的 1 项数据") and "参保率 99.91％" in status


def test_cli_chat_says_what_it_read_from_a_new_request() -> None:
    from click.testing import CliRunner

    from assistant.cli import cli

    res = CliRunner().invoke(cli, ["chat", "--llm", "fake"], input=f"{MESSAGE}\n再精炼一些\n/exit\n")
    assert res.exit_code == 0, res.output
    assert res.stderr.count("篇幅按要求：约150字") == 1  # the draft, not the follow-up
    assert "99.91％" in res.stdout


@pytest.mark.smoke
def test_cli_draft_reads_the_message_with_the_local_model(local_model_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The real local model in a real process: the message's figure arrives verbatim, its length is
    the asked one, and the length phrase is not written into the draft."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "BIGANZI_DATA_DIR": str(tmp_path / "data"), "BIGANZI_LLM": "local"}
    cmd = [
        sys.executable, "-m", "assistant.cli", "draft", "--request", "起草“参保扩面”一段，参保率99.91％，约80字。",
        "--json", "--model-path", str(local_model_path), "--n-ctx", "2048", "--temperature", "0",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert "篇幅按要求：约80字" in proc.stderr
    assert "99.91％" in data["text"]
    assert [u["text"] for u in data["figures"]["used"]] == ["99.91％"]
    assert "80字" not in data["text"] and "约80" not in data["text"]
