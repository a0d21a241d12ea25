"""assistant.trace: every number of a draft classified (user / computed / stale / unsupported / date)."""

from __future__ import annotations

from assistant.derive import derive_changes
from assistant.figures import parse_figures
from assistant.lock import lock
from assistant.trace import finalize, trace_numbers

PAST = (
    "（一）深化改革“促发展”。县域内就诊率达90.31％，基层就诊率达72.24％，群众就医满意度持续保持在90％以上。"
    "预付药品集采周转金346.12万元，确定2023年度统筹基金支出增长率控制在4.9％以内。2023年6月，成为省级试点县。"
)
EXEMPLAR = {"text": PAST, "source": "2023年工作总结.txt", "section": "一、2023年工作开展情况"}


def test_trace_classes() -> None:
    facts = parse_figures("2024年参保率99.91％，追回医保基金452.3万元").facts
    prev = parse_figures("2023年追回医保基金399.54万元").facts
    locked = lock(facts, derived=derive_changes(facts, prev))
    text = (
        "一是强化监管。2024年，追回医保基金452.3万元，同比增长13.21％，参保率99.91%，"
        "预付周转金346.12万元，新增试点12个，（三）三会一课，第一批，两家机构，2021年起。"
    )
    kinds = {t.text: t.kind for t in trace_numbers(text, locked, [PAST], "2024年工作总结")}
    assert kinds == {
        "2024年": "date",
        "452.3万元": "user",
        "13.21％": "computed",
        "99.91%": "user",
        "346.12万元": "stale",
        "12个": "unsupported",
        "两家": "unsupported",
        "2021年": "unsupported",
    }


def test_dates_checked_against_request_and_figures() -> None:
    locked = lock(parse_figures("截至2024年11月，追回医保基金452.3万元").facts)
    out = finalize(
        "截至9月底，追回医保基金452.3万元。2023年6月，成为试点县。", locked, [EXEMPLAR], "写2024年"
    )
    assert out.text == "截至2024年11月，追回医保基金452.3万元。【待核实：2023年6月】，成为试点县。"
    assert [(f["text"], f["kind"]) for f in out.report["flagged"]] == [
        ("9月底", "unsupported"),
        ("2023年6月", "stale"),
    ]


def test_headings_ordinals_and_named_concepts_are_not_figures() -> None:
    locked = lock(parse_figures("参保率99.91％").facts)
    text = "（三）综合施策。一是坚持“三会一课”，增强“四个意识”，构建“6个体系”，落实八项规定。第一批。参保率99.91％。"
    assert [(t.text, t.kind) for t in trace_numbers(text, locked)] == [("99.91％", "user")]


def test_markers_and_length_requests_are_left_alone() -> None:
    locked = lock(parse_figures("参保率99.91％").facts)
    text = "参保率99.91％，周转金【待补充：周转金】，赔付【待核实：2303.68万元】，全文约300字。"
    kinds = [(t.text, t.kind) for t in trace_numbers(text, locked)]
    assert kinds == [("99.91％", "user"), ("2303.68万元", "marked")]
    out = finalize(text, locked)
    assert out.text == text and out.report["flagged"] == []


def test_numbers_given_in_the_request_count_as_the_users() -> None:
    locked = lock([])
    (t,) = trace_numbers("完成投保人数34万人。", locked, [], "写一段，投保人数34万人")
    assert t.kind == "user"


def test_range_fact_is_present_only_with_both_ends() -> None:
    locked = lock(parse_figures("报销比例63%~68%").facts)
    assert finalize("报销比例保持在63%~68%。", locked).report["missing"] == []
    out = finalize("报销比例保持在63%。", locked)
    assert "63%~68%" in out.text and out.report["missing"] == []


def test_fullwidth_digits_in_model_output_are_users_figures() -> None:
    locked = lock(parse_figures("完成扫描办业务5318件").facts)
    out = finalize("完成扫描办业务５３１８件。", locked)
    assert out.text == "完成扫描办业务5318件。" and out.report["used"] == [
        {"metric": "扫描办业务", "text": "5318件"}
    ]


def test_year_to_date_month_range_needs_only_its_end() -> None:
    locked = lock(parse_figures("截至2024年10月底，完成扫描办业务5318件").facts)
    kinds = [(t.text, t.kind) for t in trace_numbers("1－10月，完成扫描办业务5318件；3－10月，另有", locked)]
    assert kinds == [("1－10月", "date"), ("5318件", "user"), ("3－10月", "unsupported")]


def test_exemplar_objects_give_the_source_of_a_stale_number() -> None:
    from dataclasses import dataclass

    @dataclass
    class Ex:  # the shape of assistant.budget.Exemplar: a masked view and the stored original
        source: str
        section: str
        text: str
        original: str

    locked = lock(parse_figures("参保率99.91％").facts)
    ex = Ex("2023年总结.txt", "一、成效", "预付周转金……", "预付药品集采周转金346.12万元。")
    out = finalize("预付药品集采周转金346.12万元，参保率99.91％。", locked, [ex])
    assert out.report["flagged"][0]["source"] == "2023年总结.txt > 一、成效"
