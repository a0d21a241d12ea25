"""Number rules: 个百分点, full years, ranges with both units, one width of % and digits, 倍."""

from __future__ import annotations

import pytest

from assistant.check import check_text


def fixes(text: str, rule: str) -> list[str | None]:
    return [f.replacement for f in check_text(text) if f.rule == rule]


@pytest.mark.parametrize(
    "text, fix",
    [
        ("参保率提高0.5%。", "提高0.5个百分点"),
        ("住院报销比例同比下降1.2％。", "下降1.2个百分点"),
        ("基层就诊率比上年提升了3%。", "提升了3个百分点"),
    ],
)
def test_rate_change_in_percent(text: str, fix: str) -> None:
    assert fixes(text, "number.rate_change") == [fix]


@pytest.mark.parametrize(
    "text",
    [
        "基金收入增长5%。",  # an amount, not a rate
        "参保率达99.85％。",  # a level
        "综合保障率从86.64％提高至93.36％。",  # from a level to a level
        "统筹基金支出增长率控制在4.9％以内。",
        "参保率提高0.5个百分点。",
        "工作效率提高20%。",  # a relative change of efficiency
        "覆盖率达到95%，基金收入增长5%。",
    ],
)
def test_rate_change_not_flagged(text: str) -> None:
    assert fixes(text, "number.rate_change") == []


def test_percent_noun() -> None:
    assert fixes("下降2个百分比。", "number.rate_change") == ["个百分点"]


@pytest.mark.parametrize(
    "text, fix",
    [
        ("23年1月以来，", "2023年"),
        ("完成22年度考核。", "2022年"),
        ("22年至23年，", "2022年"),
        ("23年底", "2023年"),
    ],
)
def test_short_year(text: str, fix: str) -> None:
    assert fixes(text, "number.short_year")[:1] == [fix]


@pytest.mark.parametrize(
    "text",
    [
        "近3年来，",
        "5年来，",
        "梳理5年来改革历程。",
        "实施20周年。",
        "连续10年保持。",
        "上世纪90年代",
        "2023年1月",
        "近10年底子",
    ],
)
def test_short_year_not_flagged(text: str) -> None:
    assert fixes(text, "number.short_year") == []


@pytest.mark.parametrize(
    "text, fix",
    [("控制在18~25%之间。", "18%~25%"), ("补助13～17万元。", "13万～17万"), ("占比30-40％。", "30％-40％")],
)
def test_range_unit(text: str, fix: str) -> None:
    assert fixes(text, "number.range_unit") == [fix]


@pytest.mark.parametrize(
    "text", ["控制在18%~25%之间。", "1－9月，", "60至79岁老年人", "12500~20000元", "13万~17万元"]
)
def test_range_unit_not_flagged(text: str) -> None:
    assert fixes(text, "number.range_unit") == []


def test_percent_width_mixed() -> None:
    text = "参保率99.85％，报销比例84.15％。\n满意率95%。"
    found = [f for f in check_text(text) if f.rule == "number.percent_width"]
    assert [(f.line, f.replacement) for f in found] == [(2, "％")]
    assert fixes("参保率99.85％，报销比例84.15％。", "number.percent_width") == []


def test_digit_width_mixed() -> None:
    text = "2023年办结业务1200件，满意率９９％。"
    assert fixes(text, "number.digit_width") == ["99"]
    assert fixes("２０２３年办结业务１２００件。", "number.digit_width") == []


def test_fold_decrease() -> None:
    assert len(fixes("不良事件下降2倍。", "number.fold_decrease")) == 1
    assert len(fixes("成本降低了一倍。", "number.fold_decrease")) == 1
    assert fixes("业务量增长2倍。", "number.fold_decrease") == []
    assert fixes("成本下降50%。", "number.fold_decrease") == []


def test_by_proportion_is_not_a_rate_change() -> None:
    assert fixes("补助标准按比例增加5%。", "number.rate_change") == []
