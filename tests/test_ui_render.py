"""HTML formatting of the number trace, diffs and sources."""

from __future__ import annotations

import re

from ui import render


def kinds(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-kind="(\w+)"[^>]*>([^<]*)</span>', html)


REPORT = {
    "used": [{"metric": "追回医保基金", "text": "452.3万元"}, {"metric": "参保率", "text": "99.91％"}],
    "computed": [{"metric": "参保率", "text": "提高0.06个百分点", "figure": "0.06个百分点"}],
    "missing": [{"metric": "检查定点医药机构", "text": "186家"}],
    "flagged": [
        {
            "text": "346.12万元",
            "kind": "stale",
            "source": "2023年工作总结.txt",
            "replaced_with": "【待核实：346.12万元】",
        },
        {"text": "88", "kind": "unsupported", "source": None},
    ],
}
TEXT = (
    "追回医保基金452.3万元，参保率99.91％，比上年提高0.06个百分点；去年追回【待核实：346.12万元】，"
    "处理88家机构，培训【待补充：培训人次】。再次强调452.3万元。"
)


def test_trace_marks_every_kind() -> None:
    html = render.trace_html(TEXT, render.report_marks(TEXT, REPORT))
    found = kinds(html)
    assert ("user", "452.3万元") in found
    assert found.count(("user", "452.3万元")) == 2  # every occurrence
    assert ("user", "99.91％") in found
    assert ("computed", "0.06个百分点") in found
    assert ("stale", "【待核实：346.12万元】") in found  # the placeholder takes the flagged number's kind
    assert ("unsupported", "88") in found
    assert ("placeholder", "【待补充：培训人次】") in found
    # the text itself is unchanged once the tags are removed
    assert re.sub(r"<[^>]+>", "", html) == TEXT


def test_legend_counts_and_labels() -> None:
    marks = render.report_marks(TEXT, REPORT)
    legend = render.legend_html(TEXT, marks)
    counts = dict(re.findall(r'<span data-kind="(\w+)">.*?</span> (\d+)</span>', legend))
    assert counts == {"user": "3", "computed": "1", "stale": "1", "unsupported": "1", "placeholder": "1"}
    for label in ("您给的数据", "程序计算", "往年旧数", "无来源数字", "待补充"):
        assert label in legend


def test_details_list_missing_and_flagged() -> None:
    html = render.report_details_html(REPORT)
    assert "186家" in html and "未能写入" in html
    assert "346.12万元" in html and "2023年工作总结.txt" in html


def test_user_text_is_escaped() -> None:
    text = "<script>alert(1)</script> 数字<b>12</b>"
    html = render.trace_html(text, render.locate(text, [("12", "user", "<x>")]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'title="&lt;x&gt;"' in html
    assert "<b>" not in render.sources_html([{"source": "<b>a</b>", "section": "一、", "text": "<i>x</i>"}])
    assert "<i>" not in render.diff_html("<i>旧</i>", "<i>新</i>")


def test_diff_marks_deletions_and_insertions() -> None:
    html = render.diff_html("参保率达到99.85％，工作扎实。", "参保率达到99.91％，工作扎实有效。")
    assert "<del>99.85％</del>" in html and "<ins>99.91％</ins>" in html
    assert "<ins>有效</ins>" in html
    ops = [{"op": "equal", "old": "一是", "new": "一是"}, {"op": "replace", "old": "进一步", "new": "持续"}]
    assert (
        render.ops_html(ops)
        == '<div class="bgz-diff" data-testid="diff">一是<del>进一步</del><ins>持续</ins></div>'
    )


def test_sources_are_expandable_entries() -> None:
    html = render.sources_html(
        [{"source": "2023年工作总结.txt", "section": "一、成效 > （二）护基金", "text": "开展专项检查。"}]
    )
    assert html.count("<details>") == 1
    assert "2023年工作总结.txt" in html and "一、成效 &gt; （二）护基金" in html and "开展专项检查" in html
    assert "没有引用" in render.sources_html([])
