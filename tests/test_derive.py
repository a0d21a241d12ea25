"""assistant.derive: changes computed in code (同比 ％, 个百分点 for rates, 倍 only for increases)."""

from __future__ import annotations

from decimal import Decimal

from assistant.derive import change, changes_within, derive_changes
from assistant.figures import Fact, parse_figures


def one(text: str) -> Fact:
    (f,) = parse_figures(text).facts
    return f


def test_amount_change_is_percent_of_previous() -> None:
    (d,) = change(one("截至2024年11月，追回医保基金452.3万元"), one("截至2023年11月，追回医保基金399.54万元"))
    assert d.text == "同比增长13.21％" and d.figure == "13.21％" and d.number == Decimal("13.21")
    assert d.kind == "同比" and d.comparable


def test_rate_change_is_in_points_never_percent() -> None:
    (d,) = change(one("2024年参保率99.91％"), one("2023年参保率99.85％"))
    assert d.text == "同比提高0.06个百分点" and d.base == "pp"
    assert "％" not in d.text and "%" not in d.text
    (d,) = change(one("2024年满意度90.5%"), one("2023年满意度93.1%"))
    assert d.text == "同比下降2.6个百分点"


def test_decrease_is_percent_never_times() -> None:
    ds = change(one("2024年费用50万元"), one("2023年费用100万元"))
    assert [d.text for d in ds] == ["同比下降50％"]


def test_times_only_for_increases_and_one_times_is_doubled() -> None:
    ds = change(one("2024年服务群众2400人次"), one("2023年服务群众1200人次"))
    assert [d.text for d in ds] == ["同比增长100％", "同比增长1倍"]


def test_approximate_inputs_give_approximate_results() -> None:
    ds = change(one("2024年服务群众2800余人次"), one("2023年服务群众2500人次"))
    assert ds[0].text == "同比增长约12％" and ds[0].approx


def test_percent_sign_follows_the_user() -> None:
    cur, prev = one("2024年追回基金452.3万元"), one("2023年追回基金399.54万元")
    assert change(cur, prev)[0].figure == "13.21％"  # the reports' full-width sign by default
    assert change(cur, prev, pct="%")[0].figure == "13.21%"


def test_zero_base_and_unit_mismatch_give_nothing() -> None:
    assert change(one("2024年新增机构5家"), one("2023年新增机构0家")) == []
    assert change(one("2024年参保人数50.12万人"), one("2023年参保率99.85%")) == []


def test_derive_changes_matches_by_metric() -> None:
    cur = parse_figures("截至2024年11月，追回医保基金452.3万元，参保率99.91％，处理两定单位21家").facts
    prev = parse_figures("截至2023年11月，追回XX基金399.54万元，参保率99.85％，处理两定单位17家").facts
    got = {d.metric: d.text for d in derive_changes(cur, prev)}
    assert got == {
        "追回医保基金": "同比增长13.21％",
        "参保率": "同比提高0.06个百分点",
        "处理两定单位": "同比增长23.5％",
    }


def test_not_comparable_when_as_of_month_differs() -> None:
    (d,) = change(one("截至2024年11月，追回基金452.3万元"), one("截至2023年9月底，追回基金309.82万元"))
    assert d.kind == "变化" and not d.comparable and d.text.startswith("增长")


def test_changes_within_from_to_and_year_columns() -> None:
    (d,) = changes_within(parse_figures("困难人员综合保障率由1月的86.64％提高到11月的93.36％").facts)
    assert d.text == "提高6.72个百分点" and d.basis == "11月 比 1月"
    ds = changes_within(
        parse_figures("指标\t2023年\t2024年\n参保率\t99.85%\t99.91%\n参保人数\t49.29万人\t50.12万人").facts
    )
    assert [(d.metric, d.text) for d in ds] == [
        ("参保率", "同比提高0.06个百分点"),
        ("参保人数", "同比增长1.68%"),
    ]
