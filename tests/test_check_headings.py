"""Heading rules: sequence, restart under a new parent, skipped level, bracket width, final
punctuation, marker style, 一是/二是 enumerations. Each rule: a case it flags and one it must not."""

from __future__ import annotations

from assistant.check import apply_fixes, check_text


def rules(text: str, prefix: str = "heading.") -> list[tuple[str, int, str]]:
    return [(f.rule, f.line, f.replacement or "") for f in check_text(text) if f.rule.startswith(prefix)]


GOOD = """某局2023年工作总结
一、主要工作
（一）抓好学习。全年开展学习12次。
（二）抓好服务。办结业务210件。
1.窗口服务
2.上门服务
（三）抓好监管
二、存在的问题
（一）学习不够深入。个别党员学习流于形式。
三、下一步打算
一是加强学习。二是改进服务。三是严格监管。"""


def test_clean_outline_has_no_heading_findings() -> None:
    assert rules(GOOD) == []


def test_repeated_number_is_flagged_with_the_next_number() -> None:
    # Seed 000's pattern: 一、二、三、四、 then 三、下一步工作打算.
    text = "一、甲\n正文。\n二、乙\n三、丙\n四、丁\n三、下一步工作打算\n正文。"
    found = [f for f in check_text(text) if f.rule == "heading.sequence"]
    assert [(f.line, f.column, f.replacement) for f in found] == [(6, 0, "五、")]
    assert "四" in found[0].message
    fixed, n = apply_fixes(text, found)
    assert n == 1 and "五、下一步工作打算" in fixed


def test_skipped_number_is_flagged_once() -> None:
    text = "一、甲\n二、乙\n四、丙\n五、丁"
    assert rules(text) == [("heading.sequence", 3, "三、")]


def test_numbering_restarts_under_each_parent() -> None:
    ok = "一、甲\n（一）a\n（二）b\n二、乙\n（一）c\n（二）d"
    assert rules(ok) == []
    bad = "一、甲\n（一）a\n（二）b\n二、乙\n（三）c\n（四）d"
    assert rules(bad) == [("heading.sequence", 5, "（一）")]


def test_level_skipped() -> None:
    assert rules("一、甲\n1.直接出现\n2.第二项") == [("heading.level_skip", 2, "")]
    assert rules("一、甲\n（一）乙\n1.正常\n2.正常") == []


def test_document_that_starts_below_level_one_is_not_a_skip() -> None:
    # Short reports often use （一） as their top level.
    assert rules("（一）甲\n（二）乙\n1.丙") == []


def test_half_width_level2_bracket() -> None:
    text = "一、甲\n（一）a。正文。\n(二)b。正文。\n（三）c。正文。"
    assert rules(text) == [("heading.bracket", 3, "（二）")]
    assert rules(text.replace("(二)", "（二）")) == []


def test_half_width_level4_only_when_mixed() -> None:
    consistent = "一、甲\n（一）乙\n1.丙\n(1)a\n(2)b"
    assert rules(consistent) == []
    mixed = "一、甲\n（一）乙\n1.丙\n（1）a\n(2)b"
    assert rules(mixed) == [("heading.bracket", 5, "（2）")]


def test_final_punctuation_on_standalone_heading() -> None:
    text = "一、主要工作：\n正文。\n二、存在问题。\n正文。"
    found = [f for f in check_text(text) if f.rule == "heading.punctuation"]
    assert [(f.line, f.excerpt) for f in found] == [(1, "一、主要工作："), (3, "二、存在问题。")]
    fixed, _ = apply_fixes(text, found)
    assert fixed.splitlines()[0] == "一、主要工作" and fixed.splitlines()[2] == "二、存在问题"


def test_inline_heading_keeps_its_full_stop() -> None:
    assert rules("一、甲\n（一）抓好学习。全年开展学习12次。\n（二）抓好服务。办结业务。") == []


def test_numbered_sentence_is_not_a_heading_with_punctuation() -> None:
    text = "一、甲\n（一）乙\n1.全年共办结各类业务1200件，群众满意率达到99%。\n2.完成培训。"
    assert [r for r in rules(text) if r[0] == "heading.punctuation"] == [("heading.punctuation", 4, "")]


def test_marker_style() -> None:
    text = "一、甲\n（一）乙\n1、丙\n2.丁\n（二）、戊"
    assert rules(text) == [("heading.marker_style", 3, "."), ("heading.marker_style", 5, "")]
    assert rules("一、甲\n（一）乙\n1.丙\n2.丁\n（二）戊") == []


def test_enumeration_sequence() -> None:
    text = "一、打算\n一是加强学习。二是改进作风。四是严格考核。"
    assert rules(text) == [("heading.enum_sequence", 2, "三是")]
    # Restarted under a new heading, and a lone 三是 in ordinary text is not a list.
    assert rules("一、甲\n一是学。二是做。\n二、乙\n一是查。二是改。") == []
    assert rules("一、甲\n他说这三是指三个方面。") == []


def test_markdown_headings_are_recognised() -> None:
    text = "# 标题\n\n## 一、甲\n\n## 二、乙\n\n## 二、丙"
    assert rules(text) == [("heading.sequence", 7, "三、")]


def test_a_new_part_restarts_the_numbering() -> None:
    text = "第一部分 2023年工作总结\n一、甲\n二、乙\n第二部分 2024年工作计划\n一、丙\n二、丁\n附件1\n一、表格说明"
    assert rules(text) == []
    assert rules("一、甲\n二、乙\n一、丙") == [("heading.sequence", 3, "三、")]
