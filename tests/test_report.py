"""Whole report (issue 13): outline plan, numbering, figure assignment, writing, repeats, resume,
JSON shape, .docx headings, CLI. Fake chat model and fake embedder only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.report import quality
from assistant.report.outline import (
    Outline,
    OutlineNode,
    check_heading,
    clean_heading_reply,
    cn_numeral,
    iter_nodes,
    number_outline,
    part_of,
    plan_report,
    shift_years,
    target_years,
)
from assistant.report.store import ReportStore
from assistant.report.write import export_report, stream_report, write_report
from core.errors import BiganziError
from core.settings import get_settings

TITLE = "青禾县医保局2024年工作总结和2025年工作思路"
FIGURES = "参保人数：32.5万人\n追回违规基金：262万元\n中选药品平均降价：55%\n2025年目标参保率：99.5%"


@pytest.fixture
def kb_with_last_year(fake_doc):
    from index.ingest import ingest_chunks

    ingest_chunks(get_settings(), [fake_doc()], kb="yb")
    return "yb"


# --- numbering, years, parts, heading checks ----------------------------------------------------


def test_numbering_is_by_code_at_every_level():
    leaf = OutlineNode(level=0, heading="小项")
    nodes = [
        OutlineNode(
            level=0,
            heading="甲",
            children=[
                OutlineNode(
                    level=0,
                    heading="乙",
                    children=[
                        OutlineNode(
                            level=0, heading="丙", children=[leaf, OutlineNode(level=0, heading="小项二")]
                        )
                    ],
                )
            ],
        ),
        *[OutlineNode(level=0, heading=f"部分{i}") for i in range(11)],
    ]
    number_outline(nodes)
    assert [n.number for n in iter_nodes(nodes)][:5] == ["一、", "（一）", "1.", "（1）", "（2）"]
    assert nodes[-1].number == "十二、" and cn_numeral(20) == "二十" and cn_numeral(23) == "二十三"
    assert leaf.level == 4


def test_years_and_parts():
    assert target_years(TITLE) == (2024, 2025)
    assert target_years("某局2025年工作思路") == (2024, 2025)
    assert shift_years("2023年工作成效和2024年工作思路", 2023, 2024) == "2024年工作成效和2025年工作思路"
    assert part_of("2024年工作思路") == "思路"
    assert part_of("下一步工作打算") == "思路"
    assert part_of("存在的问题") == "问题"
    assert part_of("2023年工作开展情况", 2023) == "总结"


def test_heading_check_keeps_pattern_length_and_digits():
    orig = "紧扣基金绩效，深化医药改革"
    assert check_heading("紧扣基金监管，筑牢安全防线", orig) is None
    assert check_heading("紧扣基金监管，筑牢安全", orig) == "对仗字数与原标题不同"
    assert check_heading("紧扣基金监管筑牢安全防线", orig) == "分句数与原标题不同"
    assert check_heading("推进3项改革，深化医药改革", orig) == "含原标题没有的数字"
    assert check_heading("好", orig) is not None
    assert check_heading("标题：紧扣监管，筑牢防线", orig) is not None
    assert check_heading(orig, orig, taken=[orig]) == "与已有标题重复"
    # a parallel series (在…上着力 / 在…上聚力) keeps the opening its siblings share
    series = "在惠民上着力，制度体系更加完善"
    assert check_heading("制度体系更加完善，在惠民上着力", series, lead="在") is not None
    assert check_heading("在便民上发力，服务体系更加健全", series, lead="在") is None
    assert (
        clean_heading_reply("新标题：（二）紧扣基金监管，筑牢安全防线。\n说明…")
        == "紧扣基金监管，筑牢安全防线"
    )


# --- plan ---------------------------------------------------------------------------------------------


def test_plan_like_last_year_moves_years_rewords_checked_and_assigns_figures(kb_with_last_year, fake_chat):
    # One reworded line per heading without a year, in reading order; a bad reply keeps the original.
    fake_chat.enqueue(
        "织密参保网络，保障水平稳步提升",  # accepted
        "新标题：守牢基金安全线，严打欺诈骗保",  # accepted after clean-up
        "好的，以下是新标题",  # refused
        "异地就医结算仍不够便捷",  # accepted
        "抓实党风廉政建设工作",  # accepted
    )
    settings = get_settings()
    outline = plan_report(
        settings,
        TITLE,
        kb=kb_with_last_year,
        like="青禾县医保局2023年工作总结",
        length=2000,
        figures=FIGURES,
        model=fake_chat,
    )
    tops = outline.nodes
    assert [n.display for n in tops] == ["一、2024年工作成效", "二、存在的问题", "三、2025年工作思路"]
    assert [n.part for n in tops] == ["总结", "问题", "思路"]
    assert outline.like == "青禾县医保局2023年工作总结.txt"
    # numbering by code, every model line was one heading, prompts carried no JSON request
    assert [c.number for c in tops[0].children] == ["（一）", "（二）", "（三）"]
    assert len(fake_chat.calls) == 5  # 存在的问题: a standard label, kept
    assert all("JSON" not in m.content for call in fake_chat.calls for m in call)
    second = tops[0].children[1]
    assert second.heading == "守牢基金安全线，严打欺诈骗保"
    third = tops[0].children[2]
    assert third.heading == third.original == "推进集中带量采购，减轻群众负担"  # refused → original
    # figures: this year's only in the 总结 part, by metric; next year's target in the 思路 part
    summary_figs = [f for c in tops[0].children for f in c.figures]
    assert len(summary_figs) == 3
    assert all(any(m in f for f in summary_figs) for m in ("参保人数", "追回违规基金", "中选药品平均降价"))
    assert any("追回违规基金" in f for f in second.figures)
    assert any("降价" in f for f in third.figures)
    plan_figs = [f for c in tops[2].children for f in c.figures] + tops[1].figures
    assert len(plan_figs) == 1 and "99.5%" in plan_figs[0]
    # lengths budgeted over the leaves, parents sum their leaves, evidence kept from last year
    leaves = [leaf for _, leaf in outline.leaves()]
    assert all(leaf.length >= 120 for leaf in leaves)
    assert tops[0].length == sum(c.length for c in tops[0].children)
    assert 1400 <= sum(leaf.length for leaf in leaves) <= 2000
    assert all(leaf.evidence for leaf in leaves)


def test_plan_like_resolves_by_file_name_title_or_id_and_refuses_unknown(kb_with_last_year):
    from index.store import open_kb

    settings = get_settings()
    with open_kb(settings, "yb") as base:
        doc_id = base.documents()[0].doc_id[:10]
    for ref in ("青禾县医保局2023年工作总结.txt", "青禾县医保局2023年工作总结", doc_id):
        o = plan_report(settings, TITLE, kb="yb", like=ref, reword=False)
        assert o.nodes[0].heading == "2024年工作成效"
    with pytest.raises(BiganziError, match="biganzi docs"):
        plan_report(settings, TITLE, kb="yb", like="没有这篇.txt", reword=False)


def test_plan_from_genre_skeleton_with_retrieval(kb_with_last_year):
    outline = plan_report(
        get_settings(), TITLE, kb=kb_with_last_year, genre="工作总结", length=3000, figures=FIGURES
    )
    assert outline.genre == "工作总结"
    assert outline.nodes[0].display == "一、2024年工作开展情况"
    assert outline.nodes[-1].display == "三、2025年工作思路"
    assert all(leaf.evidence for _, leaf in outline.leaves())
    for g in ("党建工作总结", "述职报告", "工作思路"):
        o = plan_report(get_settings(), "某局2024年" + g, genre=g, length=2000)
        assert o.leaves() and all(n.number for n in iter_nodes(o.nodes))
    with pytest.raises(BiganziError, match="篇幅"):
        plan_report(get_settings(), TITLE, genre="工作总结", length=10)


def test_outline_json_round_trip_renumbers_edits():
    o = plan_report(get_settings(), TITLE, genre="工作总结", length=2000, figures=FIGURES)
    data = o.to_json()
    data["outline"][0]["children"].pop(0)  # delete
    data["outline"][0]["children"][0]["heading"] = "（九）改过的标题"  # rename (marker ignored)
    data["outline"].reverse()  # reorder
    back = Outline.from_json(json.loads(json.dumps(data)))
    assert back.nodes[-1].children[0].display == "（一）改过的标题"
    assert back.nodes[0].number == "一、"
    with pytest.raises(BiganziError):
        Outline.from_json({"title": "x"})


# --- write ------------------------------------------------------------------------------------------


def small_outline(figures: str = FIGURES) -> Outline:
    return plan_report(get_settings(), TITLE, genre="工作思路", length=1200, figures=figures)


def test_write_json_shape_figures_and_no_repeated_sentence(fake_chat):
    outline = plan_report(get_settings(), TITLE, genre="工作总结", length=3000, figures=FIGURES)
    result = write_report(get_settings(), outline, model=fake_chat, store=False)
    data = result.to_json()
    assert list(data) == ["title", "outline", "sections", "text", "timings"]
    assert set(data["outline"][0]) == {"level", "number", "heading", "children", "length", "figures"}
    sec = data["sections"][0]
    assert list(sec) == ["path", "heading", "text", "figures", "sources"]
    assert set(sec["figures"]) == {"used", "computed", "missing", "flagged"}
    assert set(data["timings"]) == {"total_s", "sections"} and len(data["timings"]["sections"]) == len(
        outline.leaves()
    )
    # the fake writes the same opening sentence for every section: repeats are rewritten, then dropped
    assert quality.repeated_sentences(data["text"]) == []
    for fig in ("32.5万人", "262万元", "55%", "99.5%"):
        assert fig in data["text"]
    # every heading in order, numbered by the outline
    lines = data["text"].split("\n")
    assert lines[0] == TITLE
    for n in iter_nodes(outline.nodes):
        assert n.display in lines


def test_repeat_measure_matches_the_reference(shared_quality):
    ref = shared_quality
    text = (
        "今年以来，我局始终坚持以人民为中心，扎实推进医保各项工作。一是全面推进参保扩面工作，持续提升覆盖质量；"
        "二是全力推进参保扩面工作，持续提升覆盖质量。\n今年以来，我局始终坚持以人民为中心，扎实推进医保各项工作。"
    )
    assert quality.repeated_sentences(text) == ref.repeated_sentences(text)
    assert quality.sentences(text) == ref.sentences(text)
    enum = "一是抓好参保扩面。三是强化基金监管。\n一是深化改革。二是优化服务。"
    assert len(quality.enumeration_errors(enum)) == len(ref.enumeration_errors(enum)) == 1


def test_drop_repeats_renumbers_and_keeps_figure_sentences():
    prior = [
        quality.grams(s) for s in quality.sentences("全面推进参保扩面工作，持续提升医保覆盖质量和水平。")
    ]
    body = (
        "今年以来，我们聚焦重点任务扎实推进。一是全面推进参保扩面工作，持续提升医保覆盖质量和水平；"
        "二是深化支付方式改革，推动医疗资源合理配置；三是强化基金监管，全年追回违规基金262万元。"
    )
    out, n = quality.drop_repeats(body, prior, keep=["262万元"])
    assert n == 1
    assert "一是深化支付方式改革" in out and "二是强化基金监管" in out and "262万元" in out
    assert quality.enumeration_errors(out) == []
    assert (
        quality.drop_repeats("全面推进参保扩面工作，持续提升医保覆盖质量和水平。", prior, keep=["水平"])[1]
        == 0
    )


def test_clean_body_removes_structure_and_artifacts():
    raw = "（一）强化基金监管\n**一是**严格 检查定点医药机构，实现全覆盖。\n1. 二是持续开展专项整治，形成高压态势。\n以下是正文如下的内容说明。"
    out = quality.clean_body(raw, "强化基金监管")
    assert out.startswith("一是严格检查定点医药机构")
    assert "（一）" not in out and "**" not in out and "1." not in out and "以下是" not in out


# --- resume ------------------------------------------------------------------------------------------


def test_interrupted_run_resumes_and_redo_rewrites_one_section(fake_chat):
    settings = get_settings()
    outline = small_outline()
    n = len(outline.leaves())
    done = 0
    for ev in stream_report(settings, outline, model=fake_chat):
        if ev.kind == "section_done":
            done += 1
            if done == 2:
                break  # interrupted after two sections
    store = ReportStore.for_report(settings, None, TITLE)
    assert len(store.keys()) == 2 and (store.dir / "outline.json").exists()
    calls = len(fake_chat.calls)
    result = write_report(settings, outline, model=fake_chat)
    assert [s.resumed for s in result.sections] == [True, True] + [False] * (n - 2)
    assert len(store.keys()) == n
    texts = [s.text for s in result.sections]
    # everything stored now: no model call at all
    calls = len(fake_chat.calls)
    again = write_report(settings, outline, model=fake_chat)
    assert len(fake_chat.calls) == calls and all(s.resumed for s in again.sections)
    assert again.text == result.text
    # rewrite section 2 only: the others are left as they are
    fake_chat.enqueue("重新写过的第二节内容，围绕重点任务开拓创新、真抓实干，推动各项工作取得新突破。")
    redone = write_report(settings, outline, model=fake_chat, redo=[1])
    assert [s.resumed for s in redone.sections] == [True, False] + [True] * (n - 2)
    assert redone.sections[1].text.startswith("重新写过的第二节内容")
    assert [s.text for i, s in enumerate(redone.sections) if i != 1] == [
        t for i, t in enumerate(texts) if i != 1
    ]
    # editing one section's heading rewrites that section only
    outline.leaves()[2][1].heading = "改了名字的一节"
    edited = write_report(settings, outline, model=fake_chat)
    assert [s.resumed for s in edited.sections] == [i != 2 for i in range(n)]


# --- export ---------------------------------------------------------------------------------------------


def test_docx_and_md_have_title_and_every_heading(fake_chat, tmp_path: Path):
    import docx

    outline = small_outline()
    result = write_report(get_settings(), outline, model=fake_chat, store=False)
    paths = export_report(result, tmp_path / "r.docx", tmp_path / "r.md")
    assert [p.name for p in paths] == ["r.docx", "r.md"]
    d = docx.Document(str(tmp_path / "r.docx"))
    styled = {p.text: p.style.name for p in d.paragraphs if p.text}
    assert styled[TITLE] == "公文标题"
    for node in iter_nodes(outline.nodes):
        assert styled[node.display].startswith("公文") and "标题" in styled[node.display]
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert md.startswith(f"# {TITLE}") and "## 一、" in md


# --- CLI --------------------------------------------------------------------------------------------------


def test_cli_plan_then_write_from_edited_outline(kb_with_last_year, fake_replies, tmp_path: Path):
    from assistant.cli import cli

    fake_replies(*(["不合格的标题回复"] * 5))
    runner = CliRunner()
    figs = tmp_path / "figs.txt"
    figs.write_text(FIGURES, encoding="utf-8")
    res = runner.invoke(
        cli,
        [
            "report",
            "plan",
            "--kb",
            "yb",
            "--title",
            TITLE,
            "--like",
            "青禾县医保局2023年工作总结.txt",
            "--figures",
            str(figs),
            "--length",
            "1500",
            "--json",
        ],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    plan = json.loads(res.stdout)
    assert plan["outline"][0]["heading"] == "2024年工作成效"
    plan["outline"][1]["length"] = 200
    plan["outline"][1]["heading"] = "当前工作中的短板"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(
        cli,
        ["report", "--kb", "yb", "--outline", str(path), "--json", "--docx", str(tmp_path / "r.docx")],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "二、当前工作中的短板" in data["text"] and (tmp_path / "r.docx").exists()
    assert "32.5万人" in data["text"]
    res = runner.invoke(cli, ["report", "--kb", "yb", "--outline", str(path), "--redo", "99"])
    assert res.exit_code != 0


def test_cli_needs_a_title():
    from assistant.cli import cli

    res = CliRunner().invoke(cli, ["report", "plan", "--genre", "工作总结"])
    assert isinstance(res.exception, BiganziError) and "--title" in str(res.exception)


def test_a_section_with_no_body_is_written_again(monkeypatch):
    from types import SimpleNamespace

    import assistant.draft
    from assistant.draft import DraftEvent

    replies = iter(
        ["（一）存在的问题", "一是基层经办力量仍然薄弱，专业人才相对缺乏，服务能力有待进一步提升。"]
    )

    def fake_stream_draft(settings, request, figures=None, length=300, **kwargs):
        text = next(replies)
        yield DraftEvent("token", text)
        yield DraftEvent("done", text, result=SimpleNamespace(text=text, figures={}, sources=[]))

    monkeypatch.setattr(assistant.draft, "stream_draft", fake_stream_draft)
    outline = Outline.from_json(
        {"title": TITLE, "outline": [{"level": 1, "heading": "存在的问题", "part": "问题", "length": 150}]}
    )
    result = write_report(get_settings(), outline, model=object(), store=False)
    assert result.sections[0].text.startswith("一是基层经办力量仍然薄弱")
    assert result.sections[0].notes == ["没有写出正文，重写本节"]
