"""整篇报告 tab without a browser: the outline table round trip, edits renumbered by code, progress
and the partly written report as the page shows it."""

from __future__ import annotations

import pytest

from assistant.report.outline import iter_nodes, plan_report
from assistant.report.write import SectionResult
from core.errors import BiganziError
from core.settings import get_settings
from ui.report_tab import _assemble, outline_rows, preview_md, progress_html, rows_outline

TITLE = "青禾县医保局2024年工作总结和2025年工作思路"


def test_table_round_trip_and_edits_renumbered():
    o = plan_report(get_settings(), TITLE, genre="工作总结", length=3000, figures="参保人数：32.5万人")
    rows = outline_rows(o)
    back = rows_outline(rows, TITLE, o.to_json())
    assert [n.display for n in iter_nodes(back.nodes)] == [n.display for n in iter_nodes(o.nodes)]
    assert [leaf.figures for _, leaf in back.leaves()] == [leaf.figures for _, leaf in o.leaves()]
    assert [n.part for n in iter_nodes(back.nodes)] == [n.part for n in iter_nodes(o.nodes)]
    # delete the second row, rename, move a level-1 part up, set a length, a level too deep is lifted
    rows.pop(1)
    rows[1][1] = "改过名字的一节"
    rows[1][2] = 450
    rows.insert(3, [4, "跳级的一行", 200, "", "总结"])
    edited = rows_outline(rows, TITLE)
    first = edited.nodes[0]
    assert first.children[0].display == "（一）改过名字的一节" and first.children[0].length == 450
    assert first.children[1].children[0].display == "1.跳级的一行"  # level 4 under a level 2: lifted to 3
    assert "（一）改过名字的一节（约450字" in preview_md(edited)
    with pytest.raises(BiganziError):
        rows_outline([[1, "", 100, "", ""]], TITLE)
    with pytest.raises(BiganziError):
        rows_outline(rows, "")


def test_progress_and_partial_report():
    assert 'value="3"' in progress_html(3, 10, 65.2) and "第 4/10 节，预计还需约 65 秒" in progress_html(
        3, 10, 65.2
    )
    o = plan_report(get_settings(), TITLE, genre="工作思路", length=1200)
    shown = _assemble(o, {0: "第一节正文。"}, 1, "第二节写到一半")
    assert shown.startswith(TITLE) and "第一节正文。" in shown and shown.endswith("第二节写到一半▌")
    last = o.leaves()[-1][1].display
    assert last not in shown  # sections not written yet are not shown
    assert SectionResult(index=0, path=[], heading="", text="x").to_json()["figures"] == {
        "used": [],
        "computed": [],
        "missing": [],
        "flagged": [],
    }


def test_app_has_the_report_tab():
    from ui.app import build_app

    app = build_app(get_settings())
    ids = {getattr(b, "elem_id", None) for b in app.blocks.values()}
    assert {"tab-report", "report-outline", "report-generate", "report-redo", "report-progress"} <= ids
