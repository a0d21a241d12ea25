"""assistant.figures: the user's figures -> facts (metric, written value, unit, normalised number, period)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.figures import clean_metric, metric_score, parse_figures, parse_figures_file
from core.errors import BiganziError
from tests.conftest import EVAL


def by_metric(text: str) -> dict[str, tuple[str, Decimal, str]]:
    return {f.metric: (f.text, f.number, f.period) for f in parse_figures(text).facts}


def test_free_sentence_with_as_of_date() -> None:
    got = by_metric("截至2024年10月底，累计完成扫描办业务5318件，快速结算医疗费用2746万元")
    assert got == {
        "扫描办业务": ("5318件", Decimal(5318), "截至2024年10月底"),
        "快速结算医疗费用": ("2746万元", Decimal(27_460_000), "截至2024年10月底"),
    }
    assert {f.year for f in parse_figures("截至2024年10月底，完成业务5318件").facts} == {2024}


def test_issue_example_three_rates() -> None:
    facts = parse_figures("县域内就诊率91.2％，基层就诊率73.05％，群众就医满意度92％以上").facts
    assert [(f.metric, f.text, f.base, f.qualifier) for f in facts] == [
        ("县域内就诊率", "91.2％", "%", ""),
        ("基层就诊率", "73.05％", "%", ""),
        ("群众就医满意度", "92％以上", "%", "以上"),
    ]


def test_respectively_gives_two_metrics() -> None:
    facts = parse_figures("职工医保、城乡居民医保政策范围内住院报销比例分别为85.02％和70.33％。").facts
    assert [(f.metric, f.text) for f in facts] == [
        ("职工医保政策范围内住院报销比例", "85.02％"),
        ("城乡居民医保政策范围内住院报销比例", "70.33％"),
    ]
    facts = parse_figures("药品和医用耗材带量采购分别达到412种、301种").facts
    assert [(f.metric, f.text) for f in facts] == [("药品带量采购", "412种"), ("医用耗材带量采购", "301种")]


def test_list_without_repeated_unit_inherits_it() -> None:
    facts = parse_figures("带量采购分别达338、265种").facts
    assert [(f.text, f.base, f.number) for f in facts] == [("338种", "种", 338), ("265种", "种", 265)]


def test_from_to_gives_two_facts_with_periods() -> None:
    facts = parse_figures("困难人员综合保障率由1月的86.64％提高到11月的93.36％").facts
    assert [(f.metric, f.text, f.period, f.role) for f in facts] == [
        ("困难人员综合保障率", "86.64％", "1月", "from"),
        ("困难人员综合保障率", "93.36％", "11月", "to"),
    ]


def test_range() -> None:
    (f,) = parse_figures("预计报销比例63%~68%").facts
    assert (f.metric, f.text, f.number, f.high, f.base) == ("预计报销比例", "63%~68%", 63, 68, "%")


def test_chinese_numerals_and_fullwidth() -> None:
    facts = parse_figures("惠及三千余人，完成５３１８件业务。处理两家机构").facts
    assert [(f.text, f.number, f.qualifier) for f in facts] == [
        ("三千余人", 3000, "余"),
        ("５３１８件", 5318, ""),
        ("两家", 2, ""),
    ]
    assert facts[1].metric == "业务" and facts[2].metric == "处理机构"


def test_key_value_lines_and_unparsed_lines_come_back() -> None:
    r = parse_figures("参保率：99.91％\n参保人数: 50.12万人\n这一行没有数字\n\n基金：运行平稳")
    assert [(f.metric, f.text) for f in r.facts] == [("参保率", "99.91％"), ("参保人数", "50.12万人")]
    assert r.unparsed == ["这一行没有数字", "基金：运行平稳"]


def test_number_without_metric_is_unparsed_not_dropped() -> None:
    r = parse_figures("5318件")
    assert r.facts == [] and r.unparsed == ["5318件"]


def test_excel_paste_with_year_columns() -> None:
    r = parse_figures(
        "指标\t2023年\t2024年\n参保率\t99.85%\t99.91%\n参保人数\t49.29万人\t50.12万人\n备注\t无\t"
    )
    assert [(f.metric, f.text, f.year) for f in r.facts] == [
        ("参保率", "99.85%", 2023),
        ("参保率", "99.91%", 2024),
        ("参保人数", "49.29万人", 2023),
        ("参保人数", "50.12万人", 2024),
    ]
    assert r.unparsed == ["备注\t无"]


def test_markdown_table_with_unit_column() -> None:
    r = parse_figures(
        "| 指标 | 数值 | 单位 | 时间 |\n|---|---|---|---|\n| 参保人数 | 50.12 | 万人 | 截至2024年10月底 |\n| 追回医保基金 | 452.3 | 万元 | |"
    )
    assert [(f.metric, f.text, f.number, f.period) for f in r.facts] == [
        ("参保人数", "50.12万人", Decimal(501200), "截至2024年10月底"),
        ("追回医保基金", "452.3万元", Decimal(4_523_000), ""),
    ]
    assert r.facts[0].year == 2024


def test_clean_metric_strips_verbs_and_dates() -> None:
    assert clean_metric("截至2024年10月底，累计完成扫描办业务") == "扫描办业务"
    assert clean_metric("2024年基本医保参保人数") == "基本医保参保人数"
    assert clean_metric("参保率达到") == "参保率"
    assert clean_metric("群众满意度持续保持在") == "群众满意度"


def test_metric_score() -> None:
    assert metric_score("追回医保基金", "追回XX基金") == 1.0  # the seeds mask names with XX
    assert metric_score("基本医保参保人数", "XX县基本医疗保险参保人数") == 1.0
    assert metric_score("参保率", "基本医保参保率") == 0.9
    assert metric_score("参保人数", "投保人数") < 0.6
    assert metric_score("县域内就诊率", "基层就诊率") < 0.5


def test_csv_file_gbk_and_xlsx_with_percent_format(tmp_path: Path) -> None:
    csv_path = tmp_path / "figs.csv"
    csv_path.write_bytes("指标,数值\n参保率,99.91%\n追回医保基金,452.3万元\n".encode("gbk"))
    r = parse_figures_file(csv_path)
    assert [(f.metric, f.text) for f in r.facts] == [("参保率", "99.91%"), ("追回医保基金", "452.3万元")]

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["指标", "数值", "单位"])
    ws.append(["参保人数", 50.12, "万人"])
    ws.append(["参保率", 0.9991, None])
    ws["B3"].number_format = "0.00%"
    ws.append(["检查机构", 186, "家"])
    xlsx = tmp_path / "figs.xlsx"
    wb.save(xlsx)
    r = parse_figures_file(xlsx)
    assert [(f.metric, f.text, f.number) for f in r.facts] == [
        ("参保人数", "50.12万人", Decimal(501200)),
        ("参保率", "99.91%", Decimal("99.91")),
        ("检查机构", "186家", Decimal(186)),
    ]


def test_file_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(BiganziError, match="找不到"):
        parse_figures_file(tmp_path / "nope.xlsx")
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    with pytest.raises(BiganziError, match="不支持"):
        parse_figures_file(bad)


def eval_cases() -> list[dict]:
    p = EVAL / "figures_dev.jsonl"
    return (
        [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
        if p.exists()
        else []
    )


@pytest.mark.skipif(not eval_cases(), reason="../shared/eval not present")
def test_eval_figures_all_extracted() -> None:
    for case in eval_cases():
        r = parse_figures(case["figures"])
        assert r.unparsed == [], case["id"]
        texts = [f.text for f in r.facts]
        for needle in case["must_include"]:
            assert any(needle in t for t in texts), (case["id"], needle, texts)
        assert all(f.metric for f in r.facts)


def test_three_items_respectively_and_bulleted_notes() -> None:
    facts = parse_figures("城镇职工、城乡居民和灵活就业人员参保人数分别为12.3万人、35.6万人和2.1万人").facts
    assert [f.metric for f in facts] == ["城镇职工参保人数", "城乡居民参保人数", "灵活就业人员参保人数"]
    r = parse_figures("- 参保率：99.91％\n- 追回医保基金：452.3万元（截至2024年11月）\n1. 处理两定单位21家")
    assert [(f.metric, f.text, f.period) for f in r.facts] == [
        ("参保率", "99.91％", ""),
        ("追回医保基金", "452.3万元", "截至2024年11月"),
        ("处理两定单位", "21家", ""),
    ]
