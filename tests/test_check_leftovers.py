"""Leftovers (placeholders, 待补充 markers, scraping markers, template variables, repeats, long
paragraphs) and paired punctuation."""

from __future__ import annotations

import pytest

from assistant.check import CheckOptions, apply_fixes, check_text


def found(text: str, rule: str, opts: CheckOptions | None = None) -> list[str]:
    return [f.excerpt for f in check_text(text, opts) if f.rule == rule]


@pytest.mark.parametrize(
    "text, span",
    [
        ("XX局2023年工作总结", "XX"),
        ("召开党员大会X次。", "X"),
        ("新发展党员*人。", "*"),
        ("签约率*%。", "*"),
        ("X局党支部", "X"),
        ("××县医保局", "××"),
        ("某某同志", "某某"),
    ],
)
def test_placeholders(text: str, span: str) -> None:
    fs = [f for f in check_text(text) if f.rule == "leftover.placeholder"]
    assert [text[f.column : f.column + f.length] for f in fs] == [span]


@pytest.mark.parametrize(
    "text",
    [
        "开展X光机质量检查。",
        "引进CT、DR、X射线设备。",
        "推广OCR技术和APP。",
        "**重点工作**：加强学习。",  # markdown emphasis
        "* 加强学习",  # markdown bullet
        "2×3矩阵",
    ],
)
def test_not_placeholders(text: str) -> None:
    assert found(text, "leftover.placeholder") == []


def test_todo_markers() -> None:
    for text in [
        "全年办结业务【待补充】件。",
        "满意率【待核实】。",
        "（待更新）",
        "数据[待补充]",
        "TODO: 补数据",
    ]:
        assert len([f for f in check_text(text) if f.rule.startswith("leftover.todo")]) == 1, text
    assert [f for f in check_text("【典型案例】某县开展活动。") if f.rule.startswith("leftover.todo")] == []


def test_scrape_marker_is_deleted_by_fix() -> None:
    text = "抓牢支付方式改革这个“##paidbegin##牛鼻子”。\n##paidend##"
    fs = [f for f in check_text(text) if f.rule == "leftover.scrape_marker"]
    assert len(fs) == 2
    fixed, n = apply_fixes(text, fs)
    assert n == 2 and "##" not in fixed and "“牛鼻子”" in fixed


def test_template_variable() -> None:
    assert len(found("参保人数{{ insured }}万人。", "leftover.template_variable")) == 1
    assert found("参保人数50万人。", "leftover.template_variable") == []


def test_duplicate_sentence_and_paragraph() -> None:
    s = "持续推进全民参保工作，参保率稳定在99%以上。"
    text = f"一、甲\n{s}其他内容不同。\n二、乙\n新的开头。{s}"
    fs = [f for f in check_text(text) if f.rule == "leftover.duplicate"]
    assert [(f.line, "第2行" in f.message) for f in fs] == [(4, True)]
    para = "全年共办结各类业务1200件，群众满意率达到99%以上。"
    fs = [f for f in check_text(f"{para}\n另一段。\n{para}") if f.rule == "leftover.duplicate"]
    assert len(fs) == 1 and "这一段" in fs[0].message


def test_short_repeats_are_fine() -> None:
    assert found("严格考核。\n严格考核。\n强化监督。强化监督。", "leftover.duplicate") == []


def test_long_paragraph_limit_is_configurable() -> None:
    text = "加强学习。" * 130  # 650 characters
    assert len(found(text, "leftover.long_paragraph")) == 1
    assert found(text, "leftover.long_paragraph", CheckOptions(max_paragraph_chars=800)) == []
    assert found(text, "leftover.long_paragraph", CheckOptions(max_paragraph_chars=0)) == []
    assert found("加强学习。" * 100, "leftover.long_paragraph") == []


def test_disabled_rules_and_families() -> None:
    text = "XX局参保率提高0.5%。"
    assert {f.rule for f in check_text(text)} >= {"leftover.placeholder", "number.rate_change"}
    rules = {f.rule for f in check_text(text, CheckOptions(disabled=frozenset({"leftover"})))}
    assert rules == {"number.rate_change"}


def test_unpaired_quotes_and_brackets() -> None:
    fs = [
        f
        for f in check_text("累计提交建议13条，住院费用报销”“常驻异地工作人员备案”等4条。")
        if f.rule == "punct.unpaired"
    ]
    assert len(fs) == 1 and fs[0].column == 16
    assert len(found("设置发热门诊（诊室。", "punct.unpaired")) == 1
    fs = [f for f in check_text("设置发热门诊（诊室)。") if f.rule == "punct.unpaired"]
    assert [(f.column, f.replacement) for f in fs] == [(9, "）")]
    assert found("开展“学习贯彻党的二十大”活动（共3场），印发《方案》。", "punct.unpaired") == []


def test_dunhao_between_quoted_items() -> None:
    assert len(found("开展“家园支部”、“红色宣讲”等活动。", "punct.list_dunhao")) == 1
    assert found("开展“家园支部”“红色宣讲”等活动。", "punct.list_dunhao") == []
