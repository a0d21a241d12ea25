"""assistant.update: 套改 — old paragraph + this year's figures -> same paragraph, new figures, no model."""

from __future__ import annotations

from assistant.figures import parse_figures
from assistant.update import smooth_update, update_text

# Seed-like paragraph, our own wording and numbers (never seed text).
OLD = (
    "截至2023年9月，青禾县基本医疗保险参保人数41.36万余人，参保率99.85％，职工医保、城乡居民医保政策范围内"
    "住院报销比例分别达到82.17％和68.40％。2023年完成投保人数213645人，投保率为65.2％。"
    "困难人员综合保障率从1月的85.10％提高至9月的92.45％。截至9月底，共追回医保基金286.4万元，处罚款95.6万元。"
    "2023年6月，青禾县成为省级试点县。"
)
NEW = (
    "截至2024年11月，基本医保参保人数42.08万人，参保率99.91％；职工医保、城乡居民医保政策范围内住院报销比例"
    "分别为85.02％和70.33％。追回医保基金452.3万元，处罚款126.8万元，"
    "困难人员综合保障率由1月的87.1％提高到11月的94.2％，检查定点医药机构186家。"
)


def test_update_replaces_matching_figures_advances_dates_marks_the_rest() -> None:
    r = update_text(OLD, parse_figures(NEW).facts)
    assert r.text == (
        "截至2024年11月，青禾县基本医疗保险参保人数42.08万人，参保率99.91％，职工医保、城乡居民医保政策范围内"
        "住院报销比例分别达到85.02％和70.33％。【待更新：2023年】完成投保人数【待更新：213645人】，投保率为【待更新：65.2％】。"
        "困难人员综合保障率从1月的87.1％提高至11月的94.2％。截至2024年11月，共追回医保基金452.3万元，处罚款126.8万元。"
        "2023年6月，青禾县成为省级试点县。"
    )
    pairs = [(x.old, x.new) for x in r.replacements if x.kind == "figure"]
    assert ("99.85％", "99.91％") in pairs and ("41.36万余人", "42.08万人") in pairs
    assert ("截至2023年9月", "截至2024年11月") in [(x.old, x.new) for x in r.replacements if x.kind == "date"]
    assert r.stale_marked == ["213645人", "65.2％", "2023年"]
    assert r.report["unplaced"] == [{"metric": "检查定点医药机构", "text": "186家"}]
    assert r.report["kept_dates"] == ["2023年6月"]


def test_unit_must_agree_and_similar_names_do_not_swap() -> None:
    # 投保人数 is not 参保人数, and a rate never replaces a count.
    r = update_text("完成投保人数213645人，参保率99.85％。", parse_figures("参保人数42.08万人").facts)
    assert r.text == "完成投保人数【待更新：213645人】，参保率【待更新：99.85％】。"
    assert r.report["unplaced"] == [{"metric": "参保人数", "text": "42.08万人"}]


def test_same_old_figure_twice_gets_the_same_new_value() -> None:
    r = update_text("参保率99.85％。全县参保率99.85％，居全市前列。", parse_figures("参保率99.91％").facts)
    assert r.text == "参保率99.91％。全县参保率99.91％，居全市前列。"


def test_change_phrase_is_recomputed_in_code() -> None:
    old = "截至2023年11月，追回医保基金399.54万元，同比增长20.5％；参保率99.85％，同比提高0.3个百分点。"
    r = update_text(old, parse_figures("截至2024年11月，追回医保基金452.3万元，参保率99.91％").facts)
    assert (
        r.text
        == "截至2024年11月，追回医保基金452.3万元，同比增长13.21％；参保率99.91％，同比提高0.06个百分点。"
    )
    assert [d.text for d in r.derived] == ["同比增长13.21％", "同比提高0.06个百分点"]


def test_change_not_comparable_is_marked() -> None:
    old = "截至9月底，追回医保基金309.82万元，同比增长20.5％。"
    r = update_text(old, parse_figures("截至2024年11月，追回医保基金452.3万元").facts)
    assert "【待更新：20.5％】" in r.text and "452.3万元" in r.text


def test_halfwidth_and_range_and_xx_masked_metric() -> None:
    r = update_text(
        "XX县追回XX基金309.82万元，报销比例63%~68%。",
        parse_figures("追回医保基金452.3万元，报销比例65%~70%").facts,
    )
    assert r.text == "XX县追回XX基金452.3万元，报销比例65%~70%。"


def test_nothing_to_update_marks_every_figure() -> None:
    r = update_text("共处理两定单位17家，追回基金309.82万元。", [])
    assert r.text == "共处理两定单位【待更新：17家】，追回基金【待更新：309.82万元】。"


def test_smooth_pass_is_traced_again(fake_chat) -> None:
    r = update_text(OLD, parse_figures(NEW).facts)
    # The model smooths the wording but slips in last year's 99.85％ and an invented 3个.
    smoothed = r.text.replace("参保率99.91％", "参保率99.85％").replace("共追回", "新增3个试点，共追回")
    fake_chat.enqueue(smoothed)
    final = smooth_update(None, OLD, r, model=fake_chat)
    assert "参保率99.91％" in final.text and "【待核实：3个】" in final.text
    assert final.report["smoothed"] is True and final.report["unmarked"] == []
    assert "【待更新：213645人】" in final.text


def test_smooth_pass_that_drops_a_marker_is_refused(fake_chat) -> None:
    r = update_text(OLD, parse_figures(NEW).facts)
    fake_chat.enqueue(r.text.replace("【待更新：213645人】", "213645人"))
    final = smooth_update(None, OLD, r, model=fake_chat)
    assert final.report["smoothed"] is False and "【待更新：213645人】" in final.text
