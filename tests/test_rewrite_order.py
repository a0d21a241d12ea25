"""换个说法's new order of a paragraph's measures (assistant.rewrite_order), the order-free measure that
keeps a new order from counting as a new wording on its own, and the page's partial accept of a
rewrite whose sentences moved."""

from __future__ import annotations

import pytest

from assistant.rewrite import apply_picked, changes, char_diff
from assistant.rewrite_kinds import (
    ORDER_FREE_MAX_SIMILARITY,
    RewriteSpec,
    change_similarity,
    numbers_in,
    order_free_similarity,
    parse_parts,
    verify,
)
from assistant.rewrite_order import blocks, order_measures
from core.errors import BiganziError

TEXT = (
    "（二）稳住就业“基本盘”。县人社局坚持把稳就业作为首要任务，深入落实就业优先政策。"
    "全年开展线上线下招聘会36场，帮助1200名高校毕业生实现就业。"
    "组织职业技能培训5800人次，发放培训补贴320万元。"
    "同时加强劳动保障监察，追发农民工工资1560万元。"
    "就业局势保持总体稳定。"
)
# each sentence said anew by hand, in the original order (what sentencewise hands on)
REWORDED = [
    "县人社局始终将稳就业摆在首要位置，全面落实就业优先政策。",
    "全年举办线上线下招聘会36场，助力1200名高校毕业生顺利就业。",
    "职业技能培训开展5800人次，培训补贴发放320万元。",
    "同时强化劳动保障监察，为农民工追发工资1560万元。",
    "全县就业形势保持总体稳定。",
]


def body(sentences: list[str]) -> str:
    return "".join(sentences)


def test_the_lead_and_a_closing_without_figures_stay_and_the_measures_move() -> None:
    sents = parse_parts(TEXT).sentences
    assert blocks(sents) == (1, [[1], [2], [3]], 1)
    new = order_measures(sents, REWORDED, target=0.73)
    assert new[0] == REWORDED[0] and new[-1] == REWORDED[-1]
    assert sorted(numbers_in(body(new))) == sorted(numbers_in(body(REWORDED)))
    # one swap is enough to get under the target: the fewest blocks out of place
    assert new[1] == REWORDED[1] and new != REWORDED
    # 同时 belongs to the third place, not to the sentence that had it
    assert new[3].startswith("同时") and not new[2].startswith("同时")
    assert change_similarity(body(sents), body(new)) < 0.73 <= change_similarity(body(sents), body(REWORDED))


def test_a_sentence_that_leans_on_the_one_before_moves_with_it() -> None:
    sents = [
        "我局坚持稳中求进。",
        "全年检查企业583家，督促整改隐患1942处。",
        "其中重大隐患12处，已全部整改到位。",
        "组织开展应急演练17次，参演人员达2300余人。",
        "我局还建成应急物资储备库3个。",
        "全年未发生较大以上事故。",
    ]
    head, moving, tail = blocks(sents) or (0, [], 0)
    assert (head, tail) == (1, 1) and moving == [[1, 2], [3, 4]]
    new = order_measures(sents, sents, target=0.5)
    assert (
        new.index("其中重大隐患12处，已全部整改到位。")
        == new.index("全年检查企业583家，督促整改隐患1942处。") + 1
    )


def test_a_result_sentence_after_the_lead_stays_with_it() -> None:
    sents = [
        "县医保局全力推进全民参保计划，逐户比对参保数据。",
        "全县参保人数达31.2万人，参保率稳定在99%以上。",
        "完善大病保险和医疗救助衔接机制，减轻医疗负担1860万元。",
        "推广医保电子凭证，激活人数达18.6万人。",
    ]
    assert blocks(sents) == (2, [[2], [3]], 0)


def test_points_move_and_keep_their_numbering_and_the_close_stays() -> None:
    sents = [
        "县卫健局持续推进医共体建设。",
        "一是夯实基层网络，改造乡镇卫生院9个。",
        "二是做实家庭医生签约服务，签约率达到81.4%。",
        "三是加强人才队伍建设，引进医学人才57名。",
        "全县县域内就诊率达到90.2%，群众就医更加便捷。",
    ]
    new = order_measures(sents, sents, target=0.5)
    assert [s[:2] for s in new[1:4]] == ["一是", "二是", "三是"]
    assert new[1:4] != sents[1:4] and new[-1] == sents[-1]


@pytest.mark.parametrize(
    "sents",
    [
        [
            "首先健全制度，出台办法3项。",
            "其次强化培训，培训200人次。",
            "最后开展督查，督查15次。",
            "成效明显。",
        ],
        ["今年主要抓两件事，一个是种树，一个是防火。", "全年造林3.6万亩。", "设卡点112个。", "未发生火灾。"],
        ["我局坚持稳中求进。", "全年检查企业583家。"],
    ],
)
def test_nothing_moves_in_a_sequence_an_announced_order_or_a_short_paragraph(sents: list[str]) -> None:
    assert blocks(sents) is None
    assert order_measures(sents, sents) == sents


def test_the_order_free_measure_undoes_a_new_order() -> None:
    sents = parse_parts(TEXT).sentences
    moved = order_measures(sents, sents, target=0.0)
    assert change_similarity(body(sents), body(moved)) < 0.75
    assert order_free_similarity(body(sents), body(moved)) > 0.95
    # reworded and moved: the order-free measure is the rewording's own
    new = order_measures(sents, REWORDED, target=0.73)
    assert (
        abs(order_free_similarity(body(sents), body(new)) - change_similarity(body(sents), body(REWORDED)))
        < 0.03
    )


def test_verify_rejects_a_new_order_alone_and_passes_one_added_to_a_rewording(
    strict_reword_bounds: None,
) -> None:
    parts = parse_parts(TEXT)
    spec = RewriteSpec(kind="reword", instruction="换个说法")
    keep = numbers_in(TEXT)
    moved = parts.join([order_measures(parts.sentences, parts.sentences, target=0.0)])
    problems = verify(spec, TEXT, moved, keep)
    assert [p.check for p in problems] == ["unchanged"] and "句子顺序" in str(problems[0])
    reworded = parts.join([order_measures(parts.sentences, REWORDED, target=0.73)])
    assert verify(spec, TEXT, reworded, keep) == []
    # the rewording alone (0.79) was not new enough
    assert verify(spec, TEXT, parts.join([REWORDED]), keep)
    assert order_free_similarity(parts.body, parse_parts(reworded).body) < ORDER_FREE_MAX_SIMILARITY


def test_sentencewise_gives_a_new_order_only_where_the_rewording_is_not_enough(
    strict_reword_bounds: None,
) -> None:
    from assistant.rewrite_methods import Ctx, _new_order_where_needed

    ctx = Ctx(model=None, system="", keep=numbers_in(TEXT), allowed=set(numbers_in(TEXT)))  # type: ignore[arg-type]

    parts = parse_parts(TEXT)
    assert _new_order_where_needed(ctx, parts, REWORDED) != REWORDED  # 0.79: a new order added
    assert _new_order_where_needed(ctx, parts, parts.sentences) == parts.sentences  # a copy: never only moved
    enough = [*REWORDED[:2], "5800人次参加职业技能培训，320万元补贴发放到位。", *REWORDED[3:]]
    if change_similarity(parts.body, body(enough)) < 0.73:
        assert _new_order_where_needed(ctx, parts, enough) == enough  # new enough already: the order stays


def test_a_partial_accept_that_would_lose_or_double_a_figure_is_refused() -> None:
    parts = parse_parts(TEXT)
    new = parts.join([order_measures(parts.sentences, REWORDED, target=0.73)])
    ops = char_diff(TEXT, new)
    names = changes(ops)
    assert apply_picked(ops, set(range(len(names)))) == new
    assert apply_picked(ops, set()) == TEXT
    # any pick that keeps the moved sentence where it left and also where it arrived, or neither
    refused = 0
    for k in range(len(names)):
        try:
            text = apply_picked(ops, {k})
        except BiganziError as e:
            refused += 1
            assert "数字" in str(e) and "\n" not in str(e)
        else:
            assert sorted(numbers_in(text)) == sorted(numbers_in(TEXT))
    assert refused


def test_the_user_is_told_when_the_measures_were_said_in_a_new_order() -> None:
    from assistant.rewrite_kinds import reordered

    parts = parse_parts(TEXT)
    new = parts.join([order_measures(parts.sentences, REWORDED, target=0.73)])
    assert reordered(TEXT, new) and not reordered(TEXT, parts.join([REWORDED])) and not reordered(TEXT, TEXT)


# --- one sentence's facts in a new order ---------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "blocks_expected"),
    [
        # two facts side by side: either may come first
        ("完成馆藏档案数字化扫描320万页，馆藏档案数字化率达到85%。", (0, [[0], [1]])),
        # an object split off by a comma (重要天气报告42期) and a 同比 change go with the clause before
        ("全年我局共发布预警信号186次，重要天气报告42期，平均提前量达到45分钟。", (0, [[0, 1], [2]])),
        ("全年空气质量优良天数达到331天，优良率为90.7%，同比提高2.1个百分点。", None),
        # a measure with no figure stays in front, a closing result stays last
        (
            "局党组坚持教育优先发展，新建中小学校6所，新增学位3240个，城乡师资配置更加均衡。",
            (1, [[1], [2]]),
        ),
        # a sequence keeps its order; a single fact has nothing to move with
        ("首先检查企业583家，然后整改隐患1942处。", None),
        ("一是加大贷款支持力度，发放个人住房贷款21.5亿元，支持4860户职工购房安居；", None),
    ],
)
def test_which_facts_of_a_sentence_may_move(sentence: str, blocks_expected: object) -> None:
    from assistant.rewrite_kinds import clauses_of
    from assistant.rewrite_order import fact_blocks

    assert fact_blocks(clauses_of(sentence)[0]) == blocks_expected


def test_a_sentences_facts_in_a_new_order_keep_its_lead_in_front() -> None:
    from assistant.rewrite_order import order_clauses

    original = "全年新建高标准农田4.2万亩，粮食总产量稳定在18.5万吨。"
    reworded = "全年建成高标准农田4.2万亩，粮食产量保持在18.5万吨。"  # 0.86: too close on its own
    moved = order_clauses(original, reworded, 0.78)
    assert moved == "全年粮食产量保持在18.5万吨，建成高标准农田4.2万亩。"
    assert change_similarity(original, moved) < 0.78
    # the words are still the rewording's: undone, the new order measures as the rewording did
    assert abs(order_free_similarity(original, moved) - change_similarity(original, reworded)) < 0.03
    # the same words moved are no new wording
    assert order_free_similarity(original, order_clauses(original, original, 0.78)) > 0.95
    # a sentence with nothing to move is handed back
    single = "一是加大贷款支持力度，发放个人住房贷款21.5亿元，支持4860户职工购房安居；"
    assert order_clauses(single, single, 0.5) == single


def test_a_named_sentence_reworded_too_little_gets_its_facts_moved_and_passes(
    fake_chat, strict_reword_bounds: None
) -> None:
    """第二句换个说法: the model's wording (0.84 alone) with its facts in a new order passes; a reply
    that only moves the original's clauses is not shown as done."""
    from assistant.rewrite import rewrite_text
    from core.settings import get_settings

    text = (
        "（二）夯实档案资源“基本盘”。县档案馆坚持“存史、资政、育人”，全年接收进馆档案1.8万卷。"
        "完成馆藏档案数字化扫描320万页，馆藏档案数字化率达到85%。"
        "档案服务群众的作用进一步发挥。"
    )
    close = "完成了馆藏档案320万页的数字化扫描，馆藏档案数字化率达85%。"
    fake_chat.enqueue(*[close] * 8)
    res = rewrite_text(get_settings(), text, "第二句换个说法", model=fake_chat)
    second = parse_parts(res.text).sentences[1]
    assert second == "馆藏档案数字化率达85%，完成了馆藏档案320万页的数字化扫描。"
    assert not [n for n in res.notes if "未能" in n]
    from assistant.llm.fake import FakeChatModel

    swapped = "馆藏档案数字化率达到85%，完成馆藏档案数字化扫描320万页。"
    model = FakeChatModel()
    model.enqueue(*[swapped] * 8)
    res = rewrite_text(get_settings(), text, "第二句换个说法", model=model)
    assert swapped not in res.text  # the swap alone is not shown …
    assert any("未能" in n and "第二句" in n for n in res.notes)  # … and the user is told


def test_two_dense_sentences_get_a_sentences_facts_moved_where_the_measures_cannot_move(
    strict_reword_bounds: None,
) -> None:
    from assistant.rewrite_methods import Ctx, _new_order_where_needed

    text = (
        "（三）做强特色产业“聚宝盆”。全年新建高标准农田4.2万亩，粮食总产量稳定在18.5万吨。"
        "新增家庭农场64家、农民专业合作社31家，农产品网络销售额突破2.6亿元。"
    )
    parts, keep = parse_parts(text), numbers_in(text)
    reworded = [
        "年内建成高标准农田4.2万亩，粮食总产量保持在18.5万吨。",
        "新增64家家庭农场、31家农民专业合作社，农产品网上销售额突破2.6亿元。",
    ]
    assert blocks(parts.sentences) is None  # two sentences: no measure may move
    spec = RewriteSpec(kind="reword", instruction="换个说法")
    assert verify(spec, text, parts.join([reworded]), keep)  # 0.84: too close as it is
    ctx = Ctx(model=None, system="", keep=keep, allowed=set(keep))  # type: ignore[arg-type]
    new = _new_order_where_needed(ctx, parts, reworded)
    assert new == [reworded[0], "农产品网上销售额突破2.6亿元，新增64家家庭农场、31家农民专业合作社。"]
    assert verify(spec, text, parts.join([new]), keep) == []
    # the same two sentences with only their facts moved are still no new wording
    moved = _new_order_where_needed(ctx, parts, parts.sentences)
    assert moved == parts.sentences or verify(spec, text, parts.join([moved]), keep)
