"""One metric stated with two different values in one text (issue 11): find_contradictions and the
proofreading rule `contradiction.value`."""

from __future__ import annotations

import pytest

from assistant.check import check_text
from assistant.checks.base import CheckOptions
from assistant.checks.contradiction import find_contradictions
from tests.conftest import needs_seeds, seed_paths

# The draft of issue 11: the user's 452.3万元, then a 【待核实】 value nobody gave.
DRAFT = (
    "全年共追回医保基金452.3万元，有力维护了基金安全。持续加强宣传引导，营造良好氛围。"
    "全年共追回医保基金【待核实：107.9万元】，有力维护了基金安全。"
)


def test_the_issue_draft_has_one_contradiction() -> None:
    found = find_contradictions(DRAFT)
    assert len(found) == 1
    c = found[0]
    assert "追回医保基金" in c.metric
    assert [v.text for v in c.values] == ["452.3万元", "107.9万元"]
    assert [v.marked for v in c.values] == [False, True]
    assert c.sentences[0].startswith("全年共追回医保基金452.3万元")
    assert "107.9万元" in c.sentences[1]
    assert DRAFT[c.values[1].start : c.values[1].end] == "107.9万元"
    assert "452.3万元" in c.message and "107.9万元" in c.message and str(c) == c.message


@pytest.mark.parametrize(
    "text",
    [
        "参保率达99.91%。全县参保率为98.5%。",
        "城乡居民医保参保人数50.12万人。\n城乡居民医保参保人数48万人。",
        "医疗救助惠及1.5万人次，支出救助资金2860万元。全年医疗救助惠及1.2万人次。",
        "今年带量采购药品412种、耗材301种。全年带量采购药品400种。",
        "医保基金支出2.3亿元，其中住院支出1.5亿元。医保基金支出2.5亿元。",
    ],
)
def test_same_metric_two_values(text: str) -> None:
    assert len(find_contradictions(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        # the same value twice, or the same value rounded / qualified
        "全年追回医保基金452.3万元。全年共追回医保基金452.3万元，维护了基金安全。",
        "参保人数50.12万人。参保人数50.1万人。",
        "追回医保基金452.3万元，追回医保基金约450万元。",
        "参保率99.91%。参保率保持在99%以上。",
        # a part and the whole; another period or kind of value in the clause
        "全县参保人数50.12万人，其中城乡居民参保人数40万人。",
        "全县参保人数50.12万人。城乡居民参保人数40万人。",
        "上半年追回医保基金200万元，全年追回医保基金452.3万元。",
        "1-6月追回医保基金200万元，全年追回医保基金452.3万元。",
        "去年追回医保基金300万元，今年追回医保基金452.3万元。",
        "目标参保率99%，实际参保率99.91%。",
        "检查定点医药机构126家，其中医院26家。定点医药机构共有300家。",
        "全县46家定点医疗机构中有38家开通跨省住院费用直接结算。",
        # different metrics
        "全年追回医保基金452.3万元。检查定点医药机构126家，曝光典型案例5起。",
        "参保人数50.12万人，参保率99.91%。",
        # a change, not the value; different periods or years; a move from one value to another
        "参保人数50.12万人，较上年增加1.2万人。参保人数50.12万人。",
        "2023年参保人数49万人，2024年参保人数50万人。",
        "截至10月底参保率99.91%。截至6月底参保率98.2%。",
        "参保率由2023年的98.5%提高到2024年的99.91%。",
        "参保率由98.5%提高到99.91%。参保率99.91%。",
        "追回医保基金452.3万元。追回医保基金4523000元。",
        "",
    ],
)
def test_no_false_alarm(text: str) -> None:
    assert find_contradictions(text) == []


def test_rule_in_check_text() -> None:
    text = DRAFT.replace("。持续", "。\n持续")
    found = [f for f in check_text(text) if f.rule == "contradiction.value"]
    assert len(found) == 1
    f = found[0]
    line = text.split("\n")[f.line - 1]
    assert line[f.column : f.column + f.length] == "107.9万元"
    assert f.severity == "warning" and "452.3万元" in f.message and "第1行" in f.message
    assert f.replacement is None  # the user decides which value is right
    off = CheckOptions(disabled=frozenset({"contradiction"}))
    assert not [f for f in check_text(text, off) if f.rule.startswith("contradiction")]


@needs_seeds
def test_no_contradictions_in_the_real_reports() -> None:
    for path in seed_paths():
        assert find_contradictions(path.read_text(encoding="utf-8")) == [], path.name


def test_no_contradictions_in_our_demo_corpus() -> None:
    from assistant.textfile import decode_text
    from tests.conftest import EXAMPLES

    for path in sorted(EXAMPLES.glob("*")):
        if path.suffix in {".txt", ".md"} and path.name != "README.md":
            assert find_contradictions(decode_text(path.read_bytes(), path)) == [], path.name
