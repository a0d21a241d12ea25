"""assistant.numbers: finding, reading and normalising numbers in Chinese report text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.numbers import (
    base_unit,
    find_numbers,
    fmt_decimal,
    parse_chinese_int,
    parse_decimal,
    to_halfwidth,
)


def figs(text: str) -> list[tuple[str, Decimal, str]]:
    return [(m.text, m.number, m.base) for m in find_numbers(text) if m.kind == "figure"]


@pytest.mark.parametrize(
    ("s", "n"),
    [
        ("三千", 3000),
        ("两", 2),
        ("十二", 12),
        ("一百零五", 105),
        ("二十", 20),
        ("三万五千", 35000),
        ("二〇二四", 2024),
    ],
)
def test_chinese_integers(s: str, n: int) -> None:
    assert parse_chinese_int(s) == n


def test_halfwidth_keeps_length_and_maps_digits() -> None:
    s = "参保率９９.８５％，１－９月"
    assert to_halfwidth(s) == "参保率99.85%，1-9月"
    assert len(to_halfwidth(s)) == len(s)


def test_percent_fullwidth_equals_halfwidth() -> None:
    (a,) = figs("99.85％")
    (b,) = figs("99.85%")
    assert a[1] == b[1] == Decimal("99.85") and a[2] == b[2] == "%"
    assert a[0] == "99.85％"  # written form kept


def test_wan_and_yi_scaling() -> None:
    assert figs("1.2万")[0][1] == Decimal(12000) == figs("12000")[0][1]
    (a,) = figs("2.3亿元")
    (b,) = figs("23000万元")
    assert a[1] == b[1] == Decimal(230_000_000) and a[2] == b[2] == "元"
    assert figs("50.12万人")[0][1:] == (Decimal(501200), "人")


def test_fullwidth_digits() -> None:
    assert figs("完成５３１８件") == [("５３１８件", Decimal(5318), "件")]


def test_qualifiers_before_and_after() -> None:
    ms = [
        m
        for m in find_numbers("惠及三千余人，金额3800余万元，49.29万余人，满意度92％以上，节约超1.8亿元")
        if m.kind == "figure"
    ]
    got = [(m.text, m.number, m.qualifier) for m in ms]
    assert got == [
        ("三千余人", 3000, "余"),
        ("3800余万元", 38_000_000, "余"),
        ("49.29万余人", 492900, "余"),
        ("92％以上", 92, "以上"),
        ("超1.8亿元", 180_000_000, "超"),
    ]
    assert ms[2].unit == "万人" and ms[1].unit == "万元"


def test_units_and_points() -> None:
    assert base_unit("万人") == "人" and base_unit("亿元") == "元" and base_unit("％") == "%"
    assert base_unit("个百分点") == "pp" and base_unit("名") == "人"
    assert figs("提高2.6个百分点") == [("2.6个百分点", Decimal("2.6"), "pp")]
    assert figs("百分之九十五")[0][1:] == (Decimal(95), "%")


def test_range_gives_two_figures() -> None:
    assert [f[0] for f in figs("控制在63%~68%之间")] == ["63%", "68%"]


@pytest.mark.parametrize(
    "text",
    [
        "一是加强",
        "（三）综合施策",
        "第一批",
        "三会一课",
        "增强“四个意识”",
        "两个维护",
        "八项规定",
        "两定单位",
        "三重保障",
        "暖心医保一件事",
        "党的二十大",
        "“十四五”规划",
        "八八战略",
        "“6个体系”",
        "“XX15分钟服务圈”",
        "5G网络",
        "COVID-19",
    ],
)
def test_not_figures(text: str) -> None:
    assert figs(text) == [], text


@pytest.mark.parametrize(
    ("text", "n", "unit"),
    [("两家", 2, "家"), ("三名", 3, "人"), ("二十余次", 20, "次"), ("一百多家", 100, "家")],
)
def test_chinese_quantities_are_figures(text: str, n: int, unit: str) -> None:
    assert figs(text) == [(text, Decimal(n), unit)]


def test_headings_and_ordinals() -> None:
    kinds = [(m.text, m.kind) for m in find_numbers("1.完善制度\n（2）加强管理\n第3批集采")]
    assert ("1", "heading") in kinds and ("2", "heading") in kinds and ("3批", "ordinal") in kinds


def test_dates() -> None:
    ds = [
        m
        for m in find_numbers("截至2024年10月底，1－9月，2023年6月，9月底，2023县域健康共同体")
        if m.kind == "date"
    ]
    assert [(d.text, d.years, d.months) for d in ds] == [
        ("2024年10月底", (2024,), (10,)),
        ("1－9月", (), (1, 9)),
        ("2023年6月", (2023,), (6,)),
        ("9月底", (), (9,)),
        ("2023", (2023,), ()),
    ]
    assert figs("3个月") == [("3个月", Decimal(3), "个月")]


def test_parse_decimal_and_format() -> None:
    assert parse_decimal("341,849") == Decimal(341849)
    assert parse_decimal("abc") is None
    assert fmt_decimal(Decimal("12.505")) == "12.51"
    assert fmt_decimal(Decimal("3.000")) == "3"
    assert fmt_decimal(Decimal("-0.001")) == "0"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("全市唯一一家实现源头防范", []),  # 唯一 + 一家: a word, then "one" — not the numeral 一一
        ("统一两个标准", []),
        ("逐一核查三家机构", ["三家"]),
        ("唯一5家单位", ["5家"]),
    ],
)
def test_words_ending_in_a_numeral_are_not_numbers(text: str, found: list[str]) -> None:
    assert [m.text for m in find_numbers(text)] == found


@pytest.mark.parametrize(
    "text",
    [
        "城镇职工参加基本医疗保险人数为2024年，占总人数的98.7％。",
        "累计节约费用约2024年元。",
        "服务群众共计2024年。",
    ],
)
def test_a_year_in_a_figures_slot_is_a_figure(text: str) -> None:
    kinds = {m.text: m.kind for m in find_numbers(text)}
    assert kinds["2024年"] == "figure"


@pytest.mark.parametrize(
    "text", ["2024年，我局参保率99.91％。", "到2024年底", "为2024年度重点工作", "自2024年以来"]
)
def test_a_year_as_a_date_stays_a_date(text: str) -> None:
    assert all(m.kind == "date" for m in find_numbers(text) if m.text.startswith("2024"))
