"""The section plan is code's: points, their order and figures, the theme, lengths that add up."""

from __future__ import annotations

import pytest

from assistant.figures import parse_figures
from assistant.plan import (
    exemplar_items,
    exemplar_points,
    exemplar_topics,
    group_facts,
    n_points,
    plan_section,
    theme_of,
)

# Our own fictional exemplar text (never seed text).
EXEMPLAR = (
    "坚持把基金安全作为首要任务，持续保持高压态势。一是强化智能监控，扩充审核规则20条。"
    "二是推行信用评价，压实主体责任。三是借助第三方力量，缓解人手不足。"
)


def facts(text: str):
    return parse_figures(text).facts


def test_exemplar_structure_is_read() -> None:
    assert exemplar_items(EXEMPLAR) == ["强化智能监控", "推行信用评价", "借助第三方力量"]
    assert exemplar_items("没有列举的一段话。") == []
    assert exemplar_points([EXEMPLAR, "没有列举。", EXEMPLAR]) == 3
    assert exemplar_points(["没有列举。"]) is None
    # no numbers, placeholders or document titles in the topics taken from exemplars
    topics = exemplar_topics(["一是制定《XX办法》。二是扩充规则20条。三是推进智慧医保建设。", EXEMPLAR])
    assert "推进智慧医保建设" in topics and not any("《" in t or "20" in t for t in topics)


def test_figures_grouped_by_metric_and_kept_in_order() -> None:
    fs = facts("职工医保住院报销比例85.02％，城乡居民医保住院报销比例70.33％，检查定点医药机构186家。")
    groups = group_facts(fs, 5)
    assert [[f.text for f in g] for g in groups] == [["85.02％", "70.33％"], ["186家"]]
    assert len(group_facts(fs, 1)) == 1


@pytest.mark.parametrize("length", [150, 200, 250, 300, 350, 400, 600, 800])
def test_lengths_add_up_to_the_asked_length_and_points_are_long_enough(length: int) -> None:
    fs = facts("检查定点医药机构186家，追回医保基金452.3万元，处罚款126.8万元。")
    plan = plan_section("起草“综合施策护基金”一段。", fs, [EXEMPLAR], length=length, theme="综合施策护基金")
    assert plan.opening_length + sum(p.length for p in plan.points) == length
    assert 2 <= len(plan.points) <= 5
    assert all(p.length >= 40 for p in plan.points)
    assert [f.text for p in plan.points for f in p.facts] == ["186家", "452.3万元", "126.8万元"]
    assert [p.enumerator for p in plan.points] == ["一是", "二是", "三是", "四是", "五是"][: len(plan.points)]
    assert plan.layout == ("paragraphs" if length >= 600 else "inline")
    assert plan.allowed_numbers() == ["186家", "452.3万元", "126.8万元"]


def test_short_section_is_one_plain_paragraph_with_every_figure() -> None:
    plan = plan_section("概括参保扩面工作。", facts("参保人数38.6万人，参保率98.7％。"), length=120)
    assert plan.layout == "plain" and len(plan.points) == 1
    assert [f.text for f in plan.points[0].facts] == ["38.6万人", "98.7％"]


def test_no_numbers_genre_voice_and_general_points() -> None:
    plan = plan_section(
        "写2025年工作思路中“守牢基金安全底线”一段，不写具体数字。",
        facts("追回医保基金452.3万元。"),
        length=300,
        theme="守牢基金安全底线",
        genre="工作思路",
        no_numbers=True,
    )
    assert plan.no_numbers and plan.facts == [] and plan.allowed_numbers() == []
    assert plan.future and "下一步" in plan.opening_role
    assert all(not p.facts for p in plan.points) and len({p.topic for p in plan.points}) == len(plan.points)
    me = plan_section("写“抓班子带队伍”一段。", length=300, voice="述职", genre="述职报告")
    assert me.voice == "我" and "第一人称" in me.opening_role
    # general aspects come first: an exemplar's points name last year's specific events
    ex = plan_section("写“综合施策护基金”一段。", length=300, exemplar_texts=[EXEMPLAR])
    assert ex.points[0].topic == "健全工作机制，压实各方责任"
    assert not any("“" in p.topic for p in ex.points)


def test_number_of_points_follows_length_exemplars_and_figures() -> None:
    assert n_points(100, None, 0) == 0
    assert n_points(300, None, 0) == 3
    assert n_points(300, 2, 0) == 2  # the exemplars enumerate two points
    assert n_points(300, None, 4) == 4  # four separate figure groups fit
    assert n_points(200, 5, 0) == 3  # never points shorter than MIN_POINT


def test_theme_from_quotes_or_task() -> None:
    assert theme_of("起草“集采落地减负担”一段。", "集采落地减负担") == "集采落地减负担"
    assert theme_of("写一段2024年异地就医直接结算的情况。", None) == "异地就医直接结算"
    assert theme_of("用概括2024年的参保扩面工作。", None) == "参保扩面"


def test_a_list_in_one_sentence_stays_one_point() -> None:
    fs = facts("今年带量采购药品412种、耗材301种，节约费用2.3亿元。")
    assert [[f.text for f in g] for g in group_facts(fs, 5)] == [["412种", "301种"], ["2.3亿元"]]
