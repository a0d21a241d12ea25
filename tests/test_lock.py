"""assistant.lock + finalize: the user's figures survive whatever the model writes."""

from __future__ import annotations

import json

import pytest

from assistant.figures import parse_figures
from assistant.lock import lock, restore_partial, substitute
from assistant.trace import finalize, trace_numbers
from tests.conftest import EVAL

ISSUE_FIGURES = "县域内就诊率91.2％，基层就诊率73.05％，群众就医满意度92％以上"
# A past passage in the style of the seed reports (our own wording and numbers).
PAST = (
    "（一）深化改革“促发展”。县域内就诊率达90.31％，基层就诊率达72.24％，群众就医满意度持续保持在90％以上。"
    "预付药品集采周转金346.12万元，确定2023年度统筹基金支出增长率控制在4.9％以内。2023年6月，成为省级试点县。"
)
EXEMPLAR = {"text": PAST, "source": "2023年工作总结.txt", "section": "一、2023年工作开展情况"}


def test_prompt_block_lists_every_figure_verbatim() -> None:
    locked = lock(parse_figures(ISSUE_FIGURES).facts)
    for t in ("91.2％", "73.05％", "92％以上", "县域内就诊率"):
        assert t in locked.prompt_block
    assert "往年" in locked.prompt_block and locked.mode == "verbatim"
    assert lock([], needed=["参保率"]).prompt_block.count("待补充") >= 1


def test_block_lines_read_as_prose_and_date_said_once() -> None:
    locked = lock(parse_figures("截至2024年11月，检查定点医药机构186家，参保率99.91％").facts)
    lines = locked.prompt_block.splitlines()
    assert lines[1:] == ["1. 检查定点医药机构186家", "2. 参保率为99.91％", "（时间：截至2024年11月）"]


def test_echoed_instructions_are_removed() -> None:
    facts = parse_figures("截至2024年11月，检查定点医药机构186家").facts
    locked = lock(facts)
    raw = locked.prompt_block + "\n我局持续加强基金监管，检查定点医药机构186家。"
    out = finalize(raw, locked, [], "写2024年基金监管")
    assert out.text == "1. 检查定点医药机构186家\n我局持续加强基金监管，检查定点医药机构186家。"


def test_issue_failure_case_is_repaired() -> None:
    """The model wrote none of the three figures and copied 346.12万元 and 4.9％ from last year."""
    locked = lock(parse_figures(ISSUE_FIGURES).facts)
    raw = (
        "2024年，我局紧抓支付方式改革，预付药品集采周转金346.12万元，统筹基金支出增长率控制在4.9％以内，"
        "县域内就诊率稳步提升，群众就医满意度持续保持在高位。"
    )
    out = finalize(raw, locked, [EXEMPLAR], "起草2024年“深化改革促发展”一段")
    for fig in ("91.2％", "73.05％", "92％以上"):
        assert fig in out.text
    assert [f["text"] for f in out.report["flagged"]] == ["346.12万元", "4.9％以内"]
    assert {f["kind"] for f in out.report["flagged"]} == {"stale"}
    assert all(f["source"] == "2023年工作总结.txt > 一、2023年工作开展情况" for f in out.report["flagged"])
    assert out.report["missing"] == [] and len(out.report["used"]) == 3
    assert out.report["unmarked"] == []
    # No stale number is left outside a marker.
    visible = out.text
    for marker in ("【待补充：预付药品集采周转金】", "【待补充：统筹基金支出增长率】"):
        assert marker in visible
    assert "346.12" not in visible and "4.9" not in visible


def test_stale_value_next_to_a_user_metric_becomes_the_user_value() -> None:
    locked = lock(parse_figures(ISSUE_FIGURES).facts)
    out = finalize("县域内就诊率达90.31％，基层就诊率达72.24％，群众就医满意度92%以上。", locked, [EXEMPLAR])
    assert out.text == "县域内就诊率达91.2％，基层就诊率达73.05％，群众就医满意度92％以上。"
    assert [r["why"] for r in out.report["repairs"]] == ["written form"]
    assert [f["replaced_with"] for f in out.report["flagged"]] == ["91.2％", "73.05％"]


def test_written_form_is_restored() -> None:
    locked = lock(parse_figures("累计节约费用2.3亿元，服务群众2800余人次，参保人数50.12万人").facts)
    out = finalize("累计节约费用23000万元，服务群众2800人次，参保人数501200人。", locked)
    assert out.text == "累计节约费用2.3亿元，服务群众2800余人次，参保人数50.12万人。"
    assert out.report["missing"] == [] and out.report["flagged"] == []


def test_swapped_figures_are_put_back() -> None:
    locked = lock(parse_figures(ISSUE_FIGURES).facts)
    out = finalize("县域内就诊率73.05％，基层就诊率91.2％，群众就医满意度92％以上。", locked)
    assert out.text == "县域内就诊率91.2％，基层就诊率73.05％，群众就医满意度92％以上。"
    assert [r["why"] for r in out.report["repairs"]] == ["misattributed", "misattributed"]


def test_missing_figures_are_appended_in_the_users_words() -> None:
    facts = parse_figures(
        "截至2024年11月，检查定点医药机构186家，处理两定单位21家，追回医保基金452.3万元，处罚款126.8万元。"
    ).facts
    out = finalize(
        "我局持续加强基金监管，检查定点医药机构186家，保持高压态势。", lock(facts), [], "写2024年基金监管"
    )
    assert out.text.startswith("我局持续加强基金监管，检查定点医药机构186家，保持高压态势。截至2024年11月，")
    for fig in ("21家", "452.3万元", "126.8万元"):
        assert fig in out.text
    assert [p["text"] for p in out.report["placed"]] == ["21家", "452.3万元", "126.8万元"]
    assert out.report["missing"] == []
    out2 = finalize("我局持续加强基金监管。", lock(facts), place_missing=False)
    assert len(out2.report["missing"]) == 4


def test_missing_figure_goes_after_the_sentence_about_its_metric() -> None:
    facts = parse_figures("2024年药品带量采购412种，单颗常规种植牙总费用平均降幅61％。").facts
    draft = "一是深入推进药品带量采购412种，减轻群众负担。二是开展种植牙费用专项治理，规范收费。三是优化服务流程。"
    out = finalize(draft, lock(facts), [], "写2024年医药服务价格")
    assert out.text == (
        "一是深入推进药品带量采购412种，减轻群众负担。二是开展种植牙费用专项治理，规范收费。"
        "2024年，单颗常规种植牙总费用平均降幅61％。三是优化服务流程。"
    )
    # nothing in the draft speaks of the metric: the figure goes at the end
    out2 = finalize("一是优化服务流程。二是加强队伍建设。", lock(facts[1:]), [], "")
    assert out2.text.endswith("二是加强队伍建设。2024年，单颗常规种植牙总费用平均降幅61％。")


def test_placeholder_round_trip_with_scripted_model_output() -> None:
    locked = lock(parse_figures(ISSUE_FIGURES).facts, mode="placeholder")
    assert set(locked.tokens) == {"〔数1〕", "〔数2〕", "〔数3〕"}
    assert "〔数1〕 = 91.2％（县域内就诊率）" in locked.prompt_block
    # What small models really do: the token, a bracket variant, a unit repeated after the token, a made-up token.
    raw = "县域内就诊率达〔数1〕，基层就诊率达[数2]％，群众就医满意度保持在〔数3〕以上，另有〔数9〕。"
    out = finalize(raw, locked, [EXEMPLAR])
    assert (
        out.text
        == "县域内就诊率达91.2％，基层就诊率达73.05％，群众就医满意度保持在92％以上，另有【待核实：〔数9〕】。"
    )
    assert out.report["flagged"] == [
        {"text": "〔数9〕", "kind": "unsupported", "source": None, "replaced_with": "【待核实：〔数9〕】"}
    ]
    assert out.report["missing"] == []


def test_substitute_and_restore_partial_for_streaming() -> None:
    locked = lock(parse_figures("参保率99.91％，参保人数50.12万人").facts, mode="placeholder")
    assert substitute("参保人数〔数2〕万人", locked)[0] == "参保人数50.12万人"
    assert restore_partial("参保率达〔数1〕，参保人数〔数", locked) == "参保率达99.91％，参保人数"
    assert restore_partial("参保率达〔数1", locked) == "参保率达"
    assert restore_partial("参保率达〔数1〕", locked) == "参保率达99.91％"
    verbatim = lock(parse_figures("参保率99.91％").facts)
    assert restore_partial("参保率达99.91％", verbatim) == "参保率达99.91％"


def eval_cases() -> list[dict]:
    p = EVAL / "figures_dev.jsonl"
    return (
        [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()] if p.exists() else []
    )


def _bad_output(facts: list) -> tuple[str, str]:
    """A deliberately bad draft: last year's numbers for the user's metrics (copied from a past passage),
    half the figures left out, a half-width %, an invented count and a stale year."""
    past = "，".join(f"{f.metric}{'达' if f.base == '%' else ''}{_older(f)}" for f in facts)
    past = f"2022年，{past}。全年开展专项行动17次。"
    kept = facts[: len(facts) // 2]
    body = "，".join(f"{f.metric}{'达' if f.base == '%' else ''}{_older(f)}" for f in kept)
    raw = f"2022年，我局扎实推进各项工作，{body}，全年开展专项行动17次，新增示范点9个，各项指标稳中有进。"
    return raw, past


def _older(f) -> str:  # a past value in the same unit as written: 0.9 × the user's
    from decimal import Decimal

    from assistant.numbers import fmt_decimal

    v = Decimal(str(f.value).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    return fmt_decimal(v * Decimal("0.9"), 2) + f.unit


@pytest.mark.skipif(not eval_cases(), reason="../shared/eval not present")
def test_eval_cases_bad_outputs_are_fully_repaired() -> None:
    total = placed_ok = 0
    for case in eval_cases():
        facts = parse_figures(case["figures"]).facts
        raw, past = _bad_output(facts)
        out = finalize(
            raw, lock(facts), [{"text": past, "source": "past.txt", "section": "s"}], case["request"]
        )
        for needle in case["must_include"]:
            total += 1
            placed_ok += needle in out.text
        assert out.report["missing"] == [], case["id"]
        assert out.report["unmarked"] == [], case["id"]
        # Every number left outside a marker is the user's, computed, or an allowed date.
        for t in trace_numbers(out.text, lock(facts), [past], case["request"]):
            assert t.kind in ("user", "computed", "date", "marked"), (case["id"], t.text, t.kind)
        assert "2022年" not in out.text.replace("【待核实：2022年】", "")
    assert placed_ok == total  # 100% of required figures, verbatim
