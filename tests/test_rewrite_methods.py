"""Each rewrite kind's method with the scripted fake model: what code plans, what the model is asked,
how its answers are checked, the retry, and what is reported when it cannot be done."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from assistant.rewrite import rewrite_text, stream_rewrite
from assistant.rewrite_kinds import cjk_len, is_pair_heading, length_score, parse_parts
from assistant.rewrite_methods import (
    GENERIC_POINTS,
    _new_name,
    centrality,
    figure_name_cut,
    first_person_fallback,
    heading_candidate,
    list_item_alone,
    metric_astray,
    renumber,
    unit_as_place,
)
from core.settings import get_settings

TEXT = (
    "（三）综合施策“护基金”。始终把维护基金安全作为首要任务，进一步健全基金监管机制。"
    "我们积极开展宣传，大力营造氛围，不断提升群众的知法守法意识和参与监督的积极性。"
    "2024年检查定点医药机构186家，追回医保基金452.3万元。"
    "同时，持续加强基金监管队伍建设，不断提升监管人员的业务能力和履职水平。"
    "全年未发生重大基金安全事件。"
)


def prompts(fake_chat: Any) -> list[str]:
    return [c[-1].content for c in fake_chat.calls]


def model_copies(fake_chat: Any, text: str) -> None:
    """The fake model hands each sentence back, twice a sentence, for both tries."""
    fake_chat.enqueue(*[s for s in parse_parts(text).sentences for _ in range(2)] * 2)


# --- compress -------------------------------------------------------------------------------------


def test_compress_keeps_opening_and_figures_and_tightens(fake_chat) -> None:
    # longest kept sentence first
    fake_chat.enqueue("始终把基金安全作为首要任务。", "2024年检查医药机构186家，追回基金452.3万元。")
    res = rewrite_text(get_settings(), TEXT, "压缩到60字", model=fake_chat, seed=1)
    assert res.kind == "compress" and res.passed, res.problems
    assert res.text.startswith("（三）综合施策“护基金”。始终把基金安全作为首要任务。")
    assert "186家" in res.text and "452.3万元" in res.text
    assert "营造氛围" not in res.text  # the least central sentences were dropped by code
    assert length_score(60, cjk_len(res.text)) >= 80
    # the model was asked to tighten a kept sentence, its numbers named
    assert "压缩到" in prompts(fake_chat)[0]
    assert len(fake_chat.calls) == 1  # within the length after one tightening: no more calls


def test_compress_rejects_a_tightening_that_loses_a_number(fake_chat) -> None:
    fake_chat.enqueue("始终把维护基金安全作为首要任务。", "检查医药机构186家。")  # 452.3 lost
    res = rewrite_text(get_settings(), TEXT, "压缩到30字", model=fake_chat, seed=1)
    assert "数字2024、186、452.3原样保留" in prompts(fake_chat)[1]
    assert "追回医保基金452.3万元" in res.text  # the original sentence was kept instead
    assert res.missing_numbers == []


def test_centrality_and_renumber() -> None:
    c = centrality(["基金监管工作扎实推进。", "基金监管机制不断健全。", "天气晴朗。"])
    assert c[2] < c[0] and c[2] < c[1]
    assert renumber(["总起。", "二是甲。", "四是乙。"]) == ["总起。", "一是甲。", "二是乙。"]
    assert renumber(["总起。", "三是甲。"]) == ["总起。", "甲。"]


# --- expand ---------------------------------------------------------------------------------------


def test_expand_plans_points_and_the_model_writes_each(fake_chat) -> None:
    short = "（三）综合施策“护基金”。始终把维护基金安全作为首要任务。全年未发生重大基金安全事件。"
    fake_chat.enqueue(
        "建立健全基金监管责任清单，层层压实定点医药机构的主体责任，形成齐抓共管的工作格局。",
        "组织开展专项检查30次，追回违规资金12万元。",  # a new number: its clause is dropped …
        "依托智能监控系统对异常费用实时预警，做到早发现、早处置、早纠正，守牢基金安全底线。",
        "深入开展医保政策宣传进社区、进医院活动，引导群众主动参与社会监督，营造良好氛围。",
    )
    res = rewrite_text(get_settings(), short, "扩写到120字左右", model=fake_chat, seed=1)
    assert res.kind == "expand" and res.passed, res.problems
    assert "建立健全基金监管责任清单" in res.text and "智能监控系统" in res.text
    assert "12万元" not in res.text and "30次" not in res.text  # … no number the user did not give
    assert res.text.endswith("全年未发生重大基金安全事件。")  # the closing sentence stays last
    assert "【本句要写】" in prompts(fake_chat)[0] and "不写任何数字" in prompts(fake_chat)[0]


def test_expand_hints_come_from_the_knowledge_base(fake_chat, fake_doc) -> None:
    from index.ingest import ingest_chunks

    settings = get_settings(kb="kb1")
    ingest_chunks(settings, [fake_doc()], kb="kb1")
    short = "（二）严守基金安全线。全年未发生重大基金安全事件。"
    rewrite_text(settings, short, "扩写到100字", model=fake_chat, seed=1, kb="kb1")
    hints = [p.split("【本句要写】")[1].split("\n")[0] for p in prompts(fake_chat) if "【本句要写】" in p]
    assert hints and any("医保基金监管专项检查" in h or "打击欺诈骗保" in h for h in hints)
    assert not any(ch.isdigit() for h in hints for ch in h)  # last year's numbers never shown


def test_expand_takes_no_hints_from_passages_on_another_matter(fake_chat, fake_doc) -> None:
    from index.ingest import ingest_chunks

    settings = get_settings(kb="kb1")
    ingest_chunks(settings, [fake_doc()], kb="kb1")  # a 医保 knowledge base
    forest = (
        "（一）守护青山“绿屏障”。县林业局全年完成植树造林1.6万亩，森林抚育面积0.8万亩。"
        "扎实开展松材线虫病防治，清理病死松树约2.1万株。深入推进森林防火网格化管理，"
        "全县连续9年未发生重大森林火灾，森林覆盖率提高到61.2%。"
    )
    rewrite_text(settings, forest, "扩写到220字", model=fake_chat, seed=1, kb="kb1")
    hints = [p.split("【本句要写】")[1].split("\n")[0] for p in prompts(fake_chat) if "【本句要写】" in p]
    assert hints and all(h in GENERIC_POINTS for h in hints), hints  # no 医保 moves in a forest paragraph
    # (the same knowledge base still fills in a paragraph on its own matter: the test above)


def test_expand_drops_a_point_that_names_what_nobody_gave(fake_chat) -> None:
    short = "（三）守牢粮仓“压舱石”。县粮食局全年完成储备粮轮换1.8万吨。新建低温仓容约2.4万吨。"
    fake_chat.enqueue(
        "局党组强化党建引领，开展“守牢粮仓”压舱石”专项活动，凝聚干事创业合力。",  # quotes astray
        "打造“禾心书屋”宣传阵地，定期开展粮食安全知识进村入户宣传活动。",  # a name nobody gave
        "严格资金管理；一是完善储备网络，二是定期开展质量检查。",  # its own 一是/二是: code owns them
        "严格落实粮食储存管理责任，定期开展库存检查，确保储备粮数量真实、质量良好。",
    )
    res = rewrite_text(get_settings(), short, "扩写到120字", model=fake_chat, seed=1)
    assert "严格落实粮食储存管理责任" in res.text
    assert "禾心书屋" not in res.text and "专项活动" not in res.text and "一是" not in res.text
    assert _new_name(short, "开展“守牢粮仓”专项活动。") and not _new_name(short, "守好“压舱石”。")


# --- sentence by sentence -------------------------------------------------------------------------


def test_reword_samples_several_candidates_and_keeps_one_that_passes(fake_chat) -> None:
    text = "坚持以维护基金安全为首要任务，进一步健全基金监管机制。2024年检查定点医药机构186家，追回医保基金452.3万元。"
    first = parse_parts(text).sentences[0]
    fake_chat.enqueue(
        first,  # an echo: rejected, the next sample (other seed, hotter) is asked for
        "一是坚持把守护基金安全摆在首位，持续完善监管制度体系。",  # a 一是 the original did not have
        "坚持把守护基金安全摆在首位，持续完善监管制度体系。",
        "186家定点医药机构于2024年接受检查，452.3万元医保基金被依法追回。",
    )
    res = rewrite_text(get_settings(), text, "换个说法", model=fake_chat, seed=1)
    assert res.kind == "reword" and res.passed and res.attempts == 1, res.problems
    assert res.text.startswith("坚持把守护基金安全摆在首位")
    assert len(fake_chat.calls) == 4  # three samples for the first sentence, one for the second
    temps = [kw["temperature"] for kw in fake_chat.call_kwargs]
    assert temps[:3] == [0.7, 0.9, 1.1]
    seeds = [kw["seed"] for kw in fake_chat.call_kwargs]
    assert len(set(seeds)) == 4
    # the model was given code's synonym seed, not the bare original
    assert "持续完善基金监管机制" in prompts(fake_chat)[0] or "一贯" in prompts(fake_chat)[0]


def test_reword_rejects_a_candidate_that_copies_the_knowledge_base(fake_chat, fake_doc) -> None:
    from index.ingest import ingest_chunks
    from index.retrieve import search

    settings = get_settings(kb="kb1")
    ingest_chunks(settings, [fake_doc()], kb="kb1")
    hit = search(settings, "医保基金监管", k=1, kb="kb1")[0].text
    last_year = "".join(ch for ch in hit if "\u4e00" <= ch <= "\u9fff")[:12]
    text = "始终把维护基金安全作为首要任务，健全监管机制。"
    fake_chat.enqueue(last_year + "。", "坚持将守护基金安全摆在首要位置，完善监管制度。")
    res = rewrite_text(settings, text, "换个说法", model=fake_chat, seed=1, kb="kb1")
    assert last_year not in res.text
    # of the two new wordings that pass, the one that keeps more of the original (code's) is kept
    assert res.passed and res.text == "一贯将维护基金安全摆在首要位置，完善监管机制。"


def test_candidate_checks() -> None:
    from assistant.rewrite_methods import Ctx, candidate_ok, copies_runs

    ctx = Ctx(model=None, system="", keep=["186", "452.3"], allowed={"2024", "186", "452.3"})  # type: ignore[arg-type]
    s = "2024年检查定点医药机构186家，追回医保基金452.3万元。"
    ok = "2024年对186家定点医药机构开展检查，共挽回医保基金损失452.3万元。"
    assert candidate_ok(ctx, "reword", s, s, ok, 0.7)
    assert not candidate_ok(ctx, "reword", s, s, s, 0.7)  # unchanged
    assert not candidate_ok(ctx, "reword", s, s, ok.replace("452.3", "45"), 0.7)  # a number lost / added
    assert not candidate_ok(ctx, "reword", s, s, "首先" + ok, 0.7)  # an enumerator the original lacks
    assert not candidate_ok(ctx, "reword", s, s, ok, 0.7, [ok])  # last year's text copied
    assert not candidate_ok(
        ctx, "reword", s, s, ok.replace("对186家", "对超过186家"), 0.7
    )  # 超过 is a new fact
    assert not candidate_ok(ctx, "first_person", s, "我" + s, ok, 0.97)  # 我 lost
    q = "严格落实“第一议题”制度，持续深化理论武装。"
    assert candidate_ok(ctx, "formal", q, q, "始终严格落实‘第一议题’制度，不断强化理论武装。", 0.92)
    assert not candidate_ok(ctx, "formal", q, q, "始终严格落实第一议题要求，不断强化理论武装。", 0.92)
    assert not candidate_ok(ctx, "formal", q, q, "我司严格落实“第一议题”制度，强化理论武装。", 0.92)
    assert not candidate_ok(ctx, "formal", q, q, "我们将严格落实“第一议题”制度，强化理论武装。", 0.92)
    assert copies_runs("甲乙丙丁戊己庚辛壬", "子甲乙丙丁戊己庚辛") and not copies_runs(
        "甲乙丙丁戊己庚", "甲乙丙丁戊己庚"
    )


def test_code_transforms_for_formal_reword_and_first_person() -> None:
    from assistant.rewrite_methods import first_person_words, formal_words, reword_words

    # 大家 is left to the model (the staff here, the people served in the next sentence)
    assert formal_words("大家想办法把这件事搞好，效果很明显。") == "大家研究措施把这件事做好，效果十分明显。"
    assert formal_words("通过宣传来提升知晓率，挺好。") == "通过宣传提升知晓率，良好。"
    # a spoken report: topic changes, 给…办, 大概, 办了…场, 成功率有
    assert formal_words("还有就是法律援助这块，我们给困难群众办了案件418件，挽回损失大概2100万元。") == (
        "此外，法律援助方面，我们为困难群众办理案件418件，挽回损失约2100万元。"
    )
    assert formal_words("然后就业这块，办了8场招聘会，成功率有97.3%，评价还是挺好的。") == (
        "此外，就业方面，举办8场招聘会，成功率达97.3%，评价良好。"
    )
    assert formal_words("很多群众，非常态化") == "大量群众，非常态化"
    # a thing's topic said with 这边 is 方面; a person's is the model's to say
    assert (
        formal_words("补贴这边差不多落实了2600多万，补了1900多台机具吧。")
        == "补贴方面，落实2600余万，补了1900多台机具。"  # (差不多 is the figure's 约, not 基本)
    )
    assert formal_words("另外，培训那边，我们这边组织了12场。") == "另外，培训方面，我们这边组织了12场。"
    # one pass, and no word said twice: 不断提升's 持续提高 would repeat the 持续 just written
    assert reword_words("进一步推进改革，不断提升能力。") == "持续推动改革，不断提升能力。"
    assert reword_words("推进可持续发展，达到99%。") == "推动可持续发展，达99%。"
    # a model's answer: only the words it kept from the original are swapped
    assert reword_words("持续推进改革。", "进一步推进改革。") == "持续推动改革。"
    assert first_person_words("今年以来，我局始终坚持从严治党。") == "今年以来，我始终坚持从严治党。"
    assert first_person_words("局党组坚持学习，我们还组织活动。") == "我坚持学习，我还组织活动。"
    assert first_person_words("全年，坚持从严治党。") == "全年，我坚持从严治党。"
    assert first_person_words("青禾县医保局坚持应保尽保，全力推进参保。") == "我坚持应保尽保，全力推进参保。"
    # (blind run 7) a placed 站/所/队 is the writer's unit too, and 以…为抓手 is what the unit does
    assert first_person_words("嶰淠县测绘地理信息中心以基础测绘为抓手，全年完成测绘42平方公里。") == (
        "我以基础测绘为抓手，全年完成测绘42平方公里。"
    )
    assert first_person_words("巇沄区计量检定所聚焦民生计量。") == "我聚焦民生计量。"
    assert first_person_words("嶝滍县水产技术推广站围绕渔业高质量发展。") == "我围绕渔业高质量发展。"
    assert first_person_words("公共场所严格落实消毒制度。") == "公共场所严格落实消毒制度。"  # (no unit)
    assert first_person_words("县医保局官网上线。") == "县医保局官网上线。"
    # spoken notes name the unit after 我们: the writer speaks, not 我崞沭县商务局
    assert first_person_words("我们崞沭县商务局这块今年主要抓电商。") == "我今年主要抓电商。"
    assert first_person_words("本人自担任滹岱县民政局局长以来。") == "本人自担任滹岱县民政局局长以来。"
    assert first_person_words("向全体党员发出动员令。") == "我向全体党员发出动员令。"
    assert first_person_words("5月，组织现场践学活动。") == "5月，我组织现场践学活动。"
    assert first_person_words("组织开展志愿活动36场。") == "我组织开展志愿活动36场。"
    assert first_person_words("组织开展志愿活动36场。", 2) == "组织开展志愿活动36场。"  # not every sentence
    assert first_person_words("参保率稳定在99%以上。") == "参保率稳定在99%以上。"


def test_first_person_is_code_and_the_model_only_smooths(fake_chat) -> None:
    text = "局党组始终把党的政治建设摆在首位。我们组织党员志愿服务活动36场。"
    fake_chat.enqueue("我始终把党的政治建设摆在首要位置。", "党员志愿服务活动组织了36场。")  # 2nd: 我 lost
    res = rewrite_text(get_settings(), text, "改成述职报告的第一人称口吻", model=fake_chat, seed=1)
    assert res.kind == "first_person" and res.passed, res.problems
    assert res.text.startswith("我始终把党的政治建设摆在首要位置。")
    assert "我组织" in res.text and "36场" in res.text
    assert "【原文】\n我始终把党的政治建设摆在首位" in prompts(fake_chat)[0]  # the model smooths code's text


def test_first_person_leaves_a_sentence_code_did_not_change(fake_chat) -> None:
    text = "局党组始终把党的政治建设摆在首位。党员志愿服务活动覆盖全县各乡镇。"
    fake_chat.enqueue("我始终把党的政治建设摆在首要位置。")
    res = rewrite_text(get_settings(), text, "改成述职报告的第一人称口吻", model=fake_chat, seed=1)
    assert res.passed and res.text.endswith("党员志愿服务活动覆盖全县各乡镇。")
    assert len(fake_chat.calls) == 1  # only the sentence code changed went to the model


def test_formal_applies_the_phrase_table_then_the_model(fake_chat) -> None:
    text = "大家想办法把基金监管搞好，效果很明显。老百姓挺满意。"
    fake_chat.enqueue("全体人员研究措施，把基金监管做好，效果十分明显。")
    res = rewrite_text(get_settings(), text, "改得更正式一些", model=fake_chat, seed=1)
    assert res.kind == "formal" and res.passed, res.problems
    assert "研究措施把基金监管做好" in prompts(fake_chat)[0]
    assert not any(w in res.text for w in ("大家", "搞好", "老百姓", "挺")), res.text


def test_first_person_fallback_when_the_model_does_not_speak_as_me(fake_chat) -> None:
    text = "今年以来，我局始终把维护基金安全作为首要任务。全年未发生重大基金安全事件。"
    res = rewrite_text(get_settings(), text, "改成述职口吻", model=fake_chat, seed=1)
    assert res.kind == "first_person" and "今年以来，我始终" in res.text and res.passed
    assert first_person_fallback("始终坚持从严治党。") == "本人始终坚持从严治党。"
    assert first_person_fallback("2024年，局党组坚持从严治党。") == "2024年，我坚持从严治党。"


# --- heading --------------------------------------------------------------------------------------


def test_heading_keeps_the_samples_that_pass_the_pattern(fake_chat) -> None:
    fake_chat.enqueue("标题：综合施策护基金安全", "（三）强化监管，守牢底线", "聚焦监管 守护基金")
    events = list(stream_rewrite(get_settings(), TEXT, "把标题改成对仗的八字句", model=fake_chat, seed=1))
    res = events[-1].result
    assert res.kind == "heading" and res.passed
    assert res.text.startswith("（三）") and parse_parts(res.text).heading_text in (
        "强化监管，守牢底线",
        "聚焦监管，守护基金",
    )
    assert parse_parts(res.text).body == parse_parts(TEXT).body  # the body is kept
    temps = {kw["temperature"] for kw in fake_chat.call_kwargs}
    assert len(temps) >= 2  # different temperatures (and seeds) per sample
    assert any("候选标题" in e.text for e in events if e.kind == "info")


def test_a_text_without_a_heading_gets_one_on_its_own_line(fake_chat) -> None:
    body = "围绕乡村振兴，持续推动农业产业提质增效，新增家庭农场64家。"
    fake_chat.enqueue("强农兴村，提质增效", "乡村振兴，强农富民")
    res = rewrite_text(get_settings(), body, "把标题改成对仗的八字句", model=fake_chat, seed=1)
    assert res.passed, res.problems
    head, _, rest = res.text.partition("\n")
    assert is_pair_heading(head) and rest == body
    # a first line that is the text's own is no new heading
    from assistant.rewrite_kinds import recognise, verify

    two = "围绕乡村振兴推动提质增效。\n新增家庭农场64家。"
    assert verify(recognise("把标题改成对仗的八字句", two), two, two, ["64"])[0].check == "unchanged"


def test_heading_that_never_passes_is_reported(fake_chat) -> None:
    fake_chat.enqueue(*["综合施策护基金安全工作"] * 8)  # four samples, then four more on the retry
    res = rewrite_text(get_settings(), TEXT, "标题改成对仗", model=fake_chat, seed=1)
    assert not res.changed and res.text == TEXT and res.attempts == 2
    assert "未能完成“标题对仗”" in res.notes[-1]
    assert len(fake_chat.calls) == 8


def test_heading_candidate_normalises() -> None:
    assert heading_candidate("标题：“强化监管 守牢底线”。") == "强化监管，守牢底线"
    assert heading_candidate("一、深化改革、惠及民生") == "深化改革，惠及民生"
    assert is_pair_heading(heading_candidate("（三）聚焦监管，守护基金"))


# --- add figures, merge, split --------------------------------------------------------------------


def test_add_figures_written_in_by_the_model_or_by_code(fake_chat) -> None:
    fake_chat.enqueue("始终把维护基金安全作为首要任务。")  # the model left the figure out
    res = rewrite_text(get_settings(), TEXT, "加上参保率99.91%", model=fake_chat, seed=1)
    assert res.kind == "add_figures" and res.passed, res.problems
    assert "参保率99.91%" in res.text and "452.3万元" in res.text


def test_split_into_points_is_code(fake_chat) -> None:
    res = rewrite_text(get_settings(), TEXT, "分成一是、二是几条", model=fake_chat, seed=1)
    assert res.kind == "split" and res.passed and fake_chat.calls == []
    body = parse_parts(res.text).body
    assert body.startswith("始终把维护基金安全作为首要任务")
    assert "一是我们积极开展宣传" in body and "二是2024年" in body and "三是持续加强" in body
    assert "同时，" not in body  # a connective gives way to the enumerator


def test_one_long_sentence_of_several_measures_is_split_at_its_clauses(fake_chat) -> None:
    # (blind run 9: a 144-字 paragraph of one sentence came back "原文只有一句，无法分条")
    text = (
        "（二）推进城市绿化。县园林绿化服务中心坚持规划建绿、见缝插绿，统筹推进公园绿地建设，全年新建口袋公园14座、"
        "街头游园6处，改造提升道路绿化带23.5公里，城区人均公园绿地面积达到13.6平方米，同步完善园路照明设施。"
    )
    res = rewrite_text(get_settings(), text, "分成一是、二是几条", model=fake_chat, seed=1)
    assert res.kind == "split" and res.passed and fake_chat.calls == [], res.problems
    body = parse_parts(res.text).body
    assert body.startswith(
        "县园林绿化服务中心坚持规划建绿、见缝插绿，统筹推进公园绿地建设。一是全年新建口袋公园14座、街头游园6处。"
    )
    assert (
        "二是改造提升道路绿化带23.5公里。三是城区人均公园绿地面积达到13.6平方米，同步完善园路照明设施。"
        in body
    )
    assert parse_parts(res.text).heading == parse_parts(text).heading


def test_merge_paragraphs_drops_a_repeated_sentence(fake_chat) -> None:
    text = "基金监管工作扎实推进，成效明显。追回医保基金452.3万元。\n基金监管工作扎实推进，成效十分明显。\n全年未发生重大基金安全事件。"
    res = rewrite_text(get_settings(), text, "把这几段合并成一段", model=fake_chat, seed=1)
    assert res.kind == "merge" and res.passed
    assert "\n" not in res.text and res.text.count("基金监管工作扎实推进") == 1


@pytest.mark.parametrize("instruction", ["把这几段合并成一段", "分成一是、二是几条"])
def test_code_only_kinds_that_cannot_apply_say_so(fake_chat, instruction: str) -> None:
    res = rewrite_text(get_settings(), "全年未发生重大基金安全事件。", instruction, model=fake_chat, seed=1)
    assert not res.changed and "未能完成" in res.notes[-1]


def test_constrained_backends_get_a_grammar_and_a_copy_bias() -> None:
    """Where the backend takes GBNF and logit bias (the local model): heading samples are held to
    two four-character phrases, and a new wording may not open as the original did."""
    from assistant.llm.fake import FakeChatModel
    from assistant.rewrite_methods import PAIR_GRAMMAR

    class Constrained(FakeChatModel):
        supports_grammar: bool = True

        def tokenize(self, text: str) -> list[int]:
            return [ord(ch) for ch in text]

    model = Constrained()
    model.enqueue("强化监管，守牢底线", "聚焦监管，守护基金")
    rewrite_text(get_settings(), TEXT, "把标题改成对仗的八字句", model=model, seed=1)
    assert model.call_kwargs[0]["grammar"] == PAIR_GRAMMAR
    model = Constrained()
    rewrite_text(get_settings(), "坚持以维护基金安全为首要任务。", "换个说法", model=model, seed=1)
    # the first sample is free; the later ones may not open as the original did
    assert "logit_bias" not in model.call_kwargs[0]
    assert model.call_kwargs[1]["logit_bias"] == {ord("坚"): -100.0, ord("持"): -100.0}
    # a thing one sample added (城乡) is steered away from in the later ones; its own words are not
    model = Constrained()
    model.enqueue("年内全县新开通城乡公交线路8条。", "全县年内开通8条新的公交线路。")
    rewrite_text(get_settings(), "全县新开通公交线路8条。", "换个说法", model=model, seed=1)
    assert "logit_bias" not in model.call_kwargs[0]
    assert model.call_kwargs[1]["logit_bias"] == {ord("全"): -100.0, ord("县"): -100.0, ord("城"): -100.0}
    # a sentence's samples may write its own figures as their only digits, and no Latin letter
    # where it had none; one with a Latin name keeps its letters open
    model = Constrained()
    rewrite_text(get_settings(), "新建预警终端46个，台网运行率达到99.2%。", "换个说法", model=model, seed=1)
    assert model.call_kwargs[0]["figure_lock"] == ["46", "99.2%"] and model.call_kwargs[0]["no_latin"]
    assert model.call_kwargs[0]["require_figures"]  # (each of them, before it may end)
    # the first sample may copy; later ones are held back from copying the original (figures and
    # names kept), whatever wording they are shown
    assert "copy_block" not in model.call_kwargs[0]
    block = model.call_kwargs[1]["copy_block"]
    assert block["source"] == "新建预警终端46个，台网运行率达到99.2%。" and "99.2%" in block["keep"]
    # 更正式 of a sentence already formal too; of a spoken one, never (the model has work to do)
    model = Constrained()
    model.enqueue("全年新建预警终端46个。", "年内新建46个预警终端。")  # (a copy first: one more sample)
    rewrite_text(get_settings(), "全年新建预警终端46个。", "更正式一些", model=model, seed=1)
    assert "copy_block" not in model.call_kwargs[0] and "copy_block" in model.call_kwargs[1]
    model = Constrained()
    rewrite_text(get_settings(), "今年我们这块搞了预警终端46个。", "更正式一些", model=model, seed=1)
    assert not any("copy_block" in k for k in model.call_kwargs)
    model = Constrained()
    rewrite_text(get_settings(), "全县建成5G基站120个。", "换个说法", model=model, seed=1)
    assert model.call_kwargs[0]["figure_lock"] == ["5", "120"] and "no_latin" not in model.call_kwargs[0]


def test_add_figures_rejects_a_sentence_the_model_rewrote_around_the_figure(fake_chat) -> None:
    text = "向全体党员发出实干争先动员令，成立党员志愿服务队。全年开展活动。"
    fake_chat.enqueue("参保率99.91%的全体党员发出实干争先动员令，成立党员志愿服务队。")
    res = rewrite_text(get_settings(), text, "加上参保率99.91%", model=fake_chat, seed=1)
    assert res.text.startswith("向全体党员发出实干争先动员令，成立党员志愿服务队，参保率99.91%。")
    # the figure made a modifier of another thing: code adds it as a clause instead
    text = "县气象局持续提升气象预报预警能力。全年发布预警信号212期。"
    fake_chat.enqueue("县气象局持续提升参保率99.91%的气象预报预警能力。")
    res = rewrite_text(get_settings(), text, "加上参保率99.91%", model=fake_chat, seed=1)
    assert res.text.startswith("县气象局持续提升气象预报预警能力，参保率99.91%。"), res.text


# --- new wording: code's transforms, the checks on a sample, the choice -------------------------------


def test_swap_clauses_and_reorder_quoted_lists() -> None:
    from assistant.rewrite_methods import reorder_quoted, restructure, swap_clauses

    s = "我们进一步健全智能监控体系，大力推进信用评价管理，不断织密基金监管防线。"
    # two measures in the other order, the subject in front, the result clause last
    assert swap_clauses(s) == "我们大力推进信用评价管理，进一步健全智能监控体系，不断织密基金监管防线。"
    # a clause with a figure, a two-clause sentence and a non-measure stay as they are
    assert (
        swap_clauses("检查定点医药机构126家，追回违规基金238万元。")
        == "检查定点医药机构126家，追回违规基金238万元。"
    )
    assert swap_clauses("全年开展学习14次，推进模范机关创建，参与率100%。").startswith("全年开展学习14次")
    # quoted names are a list, not a sequence
    assert (
        reorder_quoted("组织开展“文明创建”“家园支部”“清凉医夏”等活动。")
        == "组织开展“清凉医夏”“家园支部”“文明创建”等活动。"
    )
    assert reorder_quoted("落实“第一议题”制度。") == "落实“第一议题”制度。"
    assert restructure("落实“第一议题”制度。") == "落实“第一议题”制度。"


def test_sample_checks_for_a_new_wording() -> None:
    from assistant.rewrite_methods import Ctx, candidate_problem, content_overlap, copies_shot

    ctx = Ctx(model=None, system="", keep=[], allowed=set())  # type: ignore[arg-type]
    s = "不断完善基本医保、大病保险、医疗救助三重保障制度。"
    # another sentence's content (what the 1.5B model wrote from the old inline example)
    assert candidate_problem(ctx, "reword", s, s, "我局全面深化医保支付方式改革，成效显著。", 0.7).startswith(
        "not faithful"
    )
    assert candidate_problem(ctx, "reword", s, s, "【改写后的句子】健全三重保障制度。", 0.7) == "prompt echo"
    # a verb before a unit is no place of it (推进县级社会福利中心 → 推动县级社会福利中心)
    plan = "下一步，将加快推进县级社会福利中心建设，进一步扩大基本养老服务覆盖面。"
    assert (
        candidate_problem(
            ctx,
            "reword",
            plan,
            plan,
            "下一步，将加快推动县级社会福利中心建设，持续扩大基本养老服务覆盖面。",
            0.95,
        )
        != "unit renamed"
    )
    # 第三届/第五次 open with an ordinal, not a marker (第三， is one)
    fest = "办好第三届“嵝沅山歌节”和乡村音乐季活动。"
    assert (
        candidate_problem(ctx, "reword", fest, fest, "第三届“嵝沅山歌节”和乡村音乐季活动办好办实。", 0.9)
        != "new marker"
    )
    assert (
        candidate_problem(
            ctx, "reword", s, s, "第三，健全基本医保、大病保险和医疗救助三重保障制度体系。", 0.9
        )
        == "new marker"
    )
    assert (
        candidate_problem(ctx, "reword", s, s, "我们健全基本医保、大病保险、医疗救助三重保障制度。", 0.9)
        == "new subject"
    )
    ok = "健全基本医保、大病保险和医疗救助三重保障制度体系。"
    assert candidate_problem(ctx, "reword", s, s, ok, 0.9) == ""
    # quotation marks make a name the writer never gave
    quoted = "健全基本医保、大病保险和医疗救助“三重”保障制度体系。"
    assert candidate_problem(ctx, "reword", s, s, quoted, 0.9) == "new quoted name"
    # a figure's 超 is part of the figure: dropped, or said as 以上, or added
    fig = "累计节约费用超1.8亿元。"
    assert candidate_problem(ctx, "reword", fig, fig, "共计节约费用1.8亿元。", 0.9) == "numbers"
    assert candidate_problem(ctx, "reword", fig, fig, "节约费用共计1.8亿元以上。", 0.9) == ""
    recall, precision = content_overlap(s, ok)
    assert recall > 0.75 and precision > 0.75
    # closer to a worked example's answer than to the sentence itself
    assert copies_shot("reword", s, "全县新建社区养老服务站，养老服务体系建设加快推进。")
    assert not copies_shot("reword", s, ok)


def test_reword_keeps_the_most_different_faithful_candidate(fake_chat) -> None:
    """The model's samples are asked with worked examples as earlier turns; a sample with a subject
    the writer did not use is rejected; sampling goes on until one is clearly new (or three were
    asked); the lowest similarity that passes is kept."""
    from langchain_core.messages import AIMessage

    text = "检查定点医药机构126家，追回违规基金238万元，曝光典型案例5起。"
    fake_chat.enqueue(
        "我局检查定点医药机构126家，追回违规基金238万元，曝光典型案例5起。",  # a new subject
        "对126家定点医药机构开展检查，追回违规基金238万元，公开曝光典型案例5起。",  # passes, 0.7
        "126家定点医药机构接受检查，238万元违规基金被追回，5起典型案例公开曝光。",  # passes, 0.49
    )
    res = rewrite_text(get_settings(), text, "换个说法", model=fake_chat, seed=1)
    assert res.passed, res.problems
    assert res.text == "126家定点医药机构接受检查，238万元违规基金被追回，5起典型案例公开曝光。"
    assert len(fake_chat.calls) == 3
    first = fake_chat.calls[0]
    assert isinstance(first[2], AIMessage) and len(first) == 8  # system, three worked examples, the sentence
    assert "不添加原文没有的内容" in first[0].content
    assert "【原文】\n检查126家定点医药机构" in first[-1].content  # code's count before its noun first


def test_reword_takes_codes_sentence_when_no_sample_is_faithful(fake_chat) -> None:
    text = "我们进一步健全智能监控体系，大力推进信用评价管理，不断织密基金监管防线。"
    fake_chat.enqueue(*["我局全面深化医保支付方式改革，成效显著。"] * 6)
    res = rewrite_text(get_settings(), text, "换个说法", model=fake_chat, seed=1)
    assert res.passed, res.problems
    assert res.text == "我们着力推动信用评价管理，持续完善智能监控体系，不断织密基金监管防线。"


def test_a_sample_keeps_the_enumerator_and_stays_one_sentence(fake_chat) -> None:
    from assistant.rewrite_methods import Ctx, candidate_problem, keep_marker

    assert keep_marker("一是高标落实公共服务。", "全面优化公共服务。") == "一是全面优化公共服务。"
    assert keep_marker("其次，高标落实。", "首先，全面优化。") == "其次，全面优化。"
    assert keep_marker("高标落实。", "全面优化。") == "全面优化。"
    # (A/B run, own:121: 更正式 of 一是馆藏资源“扩容提质”。 came back 一是一、馆藏资源…)
    assert keep_marker("一是馆藏资源“扩容提质”。", "一、馆藏资源“扩容提质”。") == "一是馆藏资源“扩容提质”。"
    assert (
        keep_marker("一是馆藏资源“扩容提质”。", "一是一、馆藏资源“扩容提质”。") == "一是馆藏资源“扩容提质”。"
    )
    ctx = Ctx(model=None, system="", keep=["5"], allowed={"5"})  # type: ignore[arg-type]
    s = "5月，组织开展“循迹溯源”现场践学活动，在联动学习会上作交流汇报。"
    split = "5月份，组织开展“循迹溯源”现场践学活动。在联动学习会上作了交流汇报。"
    assert candidate_problem(ctx, "reword", s, s, split, 0.99) == "split"
    # a sample that lost a quoted name is rejected for that, not kept as "nearly new enough"
    assert candidate_problem(ctx, "reword", s, s, s.replace("交流汇报", "exchange report"), 0.99) == (
        "foreign words"
    )
    h = "一是持续深化支付方式改革。"
    assert candidate_problem(ctx, "reword", h, h, "一是深化支付方式改革，进一步。", 0.99) == "broken tail"
    lost = "5月，组织开展现场践学活动，在联动学习会上作了交流汇报。"
    assert candidate_problem(ctx, "reword", s, s, lost, 0.5) == "quoted name lost"
    # a clause lost, a masked figure lost, a count in words the original did not give
    assert candidate_problem(ctx, "reword", s, s, "5月，组织“循迹溯源”现场践学活动。", 0.99) == "too short"
    m = "全年组织学习*次，开展主题党日活动*余次。"
    assert (
        candidate_problem(ctx, "reword", m, m, "全年组织学习*次，开展多次主题党日活动。", 0.99) == "numbers"
    )
    assert candidate_problem(
        ctx, "reword", m, m, "全年学习*次，开展主题党日活动*余次，新增一名党员。", 0.99
    ) == ("numbers")
    text = "一是高标落实公共服务“七优享”。二是持续深化改革。"
    fake_chat.enqueue("着力优化公共服务，突出“七优享”标准。", "不断深化改革，释放改革红利。")
    res = rewrite_text(get_settings(), text, "换个说法", model=fake_chat, seed=1)
    assert res.text.startswith("一是着力优化公共服务，突出“七优享”标准。二是")


def test_first_person_asks_with_worked_examples_and_rejects_a_copied_one(fake_chat) -> None:
    from langchain_core.messages import AIMessage

    text = "局党组始终把党的政治建设摆在首位。党员志愿服务活动覆盖全县各乡镇。"
    fake_chat.enqueue(
        "我始终把安全生产摆在突出位置，牵头组织开展隐患排查。",  # a worked example's answer
        "我始终把党的政治建设摆在首要位置。",
    )
    res = rewrite_text(get_settings(), text, "改成述职报告的第一人称口吻", model=fake_chat, seed=1)
    assert res.passed and res.text.startswith("我始终把党的政治建设摆在首要位置。"), res.problems
    assert isinstance(fake_chat.calls[0][2], AIMessage) and "【原文】\n我始终把党的政治建设摆在首位" in (
        fake_chat.calls[0][-1].content
    )


def test_a_long_sentence_is_reworded_a_clause_group_at_a_time(fake_chat) -> None:
    from assistant.rewrite_methods import long_chunks

    s = (
        "始终将减轻群众医药负担摆在心头，按照保质量、保供应、保使用“三个确保”要求，"
        "严抓集中带量采购药品耗材落地见效，取消医用耗材加成，理顺医疗服务价格体系，累计节约费用超1.8亿元。"
    )
    chunks = long_chunks(s)
    assert len(chunks) == 3 and "，".join(chunks) == s
    short = "检查定点医药机构126家，追回违规基金238万元。"
    assert long_chunks(short) == [short]
    # a short tail joins the group before it, and every group is kept once, in order
    t = (
        "我局聚焦食品安全主体责任落实，深入开展“铁拳护航·2024年放心消费环境建设专项行动”，"
        "全年检查食品生产经营主体2146家，立案查处违法案件87件，罚没款312万元。"
    )
    assert long_chunks(t, 40, 24) == [
        "我局聚焦食品安全主体责任落实，深入开展“铁拳护航·2024年放心消费环境建设专项行动”",
        "全年检查食品生产经营主体2146家，立案查处违法案件87件，罚没款312万元。",
    ]
    # a change against last year stays with the figure it changes (blind run 9: alone, 较上年提高两个
    # 百分点 was given to the next clause's 路域环境)
    r = "新增交通标志标线、减速带等安全设施1500余个，干线公路优良路率达到92.6%，较上年提高两个百分点，路域环境持续改善。"
    assert "干线公路优良路率达到92.6%，较上年提高两个百分点" in long_chunks(r, 40, 24)
    answers = (
        "把减轻群众医药负担放在心上，对照保质量、保供应、保使用的“三个确保”要求。",  # its end dropped
        "推动集中带量采购药品耗材落地见效，并取消医用耗材加成，逐步理顺医疗服务价格体系。",
        "共节约费用超过1.8亿元。",
    )
    fake_chat.enqueue(*[a for a in answers for _ in range(3)])  # three samples a group
    res = rewrite_text(get_settings(), s, "换个说法", model=fake_chat, seed=1)
    assert res.text.startswith("把减轻群众医药负担放在心上，对照保质量"), res.text
    assert "价格体系，共节约费用超过1.8亿元。" in res.text  # 超 = 超过: not a new qualifier
    assert fake_chat.calls[3][-1].content.startswith("【原文】\n狠抓集中带量采购")  # code swapped 严抓
    assert "“三个确保”" in fake_chat.calls[0][-1].content  # code's word swaps leave quoted names alone


def test_a_named_long_sentence_is_reworded_in_smaller_groups(fake_chat) -> None:
    long = "开展口腔种植医疗服务提质降费专项治理，单颗常规种植牙总费用平均降幅达55％，种植体口腔服务已正式告别“万元”时代。"
    text = "今年以来，我局始终把维护基金安全作为首要任务。" + long + "下一步，持续巩固提升成效。"
    fake_chat.enqueue(
        "聚焦口腔种植医疗服务，深入推进提质降费专项治理。",
        "单颗常规种植牙的总费用平均下降55％。",
        "种植牙服务从此不再是“万元”级别的花费。",
    )
    res = rewrite_text(get_settings(), text, "第二句换个说法", model=fake_chat, seed=1)
    contents = [c[-1].content for c in fake_chat.calls]
    assert contents[0].startswith("【原文】\n组织口腔种植医疗服务提质降费专项治理\n")  # code swapped 开展
    assert res.text.startswith("今年以来，我局始终把维护基金安全作为首要任务。聚焦口腔种植医疗服务")
    assert res.text.endswith("下一步，持续巩固提升成效。")


# --- dense paragraphs: long quoted names, parallel figures --------------------------------------


def why(original: str, new: str, keep: Sequence[str] = (), max_sim: float = 0.9) -> str:
    """Why a sampled rewording `new` of `original` is rejected ("" = it is not)."""
    from assistant.rewrite_methods import Ctx, candidate_problem

    ctx = Ctx(model=None, system="", keep=list(keep), allowed=set())  # type: ignore[arg-type]
    return candidate_problem(ctx, "reword", original, original, new, max_sim)


DENSE = (
    "（一）深化改革“强基层”。推动卫生院从“重治疗”向“重预防”转变。"
    "相关经验先后在“第三届全省基层卫生健康高质量发展论坛”和“2024长三角县域医共体建设交流会”等平台上交流。"
    "门诊量达12.6万人次，住院量达0.8万人次，群众满意度保持在95％以上。"
)


def test_long_quoted_names_are_shown_to_the_model_as_stand_ins() -> None:
    from assistant.rewrite_methods import long_chunks, mask_names, plain_len, unmask_names

    s = parse_parts(DENSE).sentences[1]
    shown, table = mask_names(s)
    assert shown == "相关经验先后在“甲”和“乙”等平台上交流。"
    assert list(table.values()) == [
        "“第三届全省基层卫生健康高质量发展论坛”",
        "“2024长三角县域医共体建设交流会”",
    ]
    # quoted, single-quoted or bare stand-ins come back as the names; a doubled one is left (and fails)
    assert unmask_names("“甲”‘乙’等平台先后交流了相关经验。", table) == (
        "“第三届全省基层卫生健康高质量发展论坛”“2024长三角县域医共体建设交流会”等平台先后交流了相关经验。"
    )
    assert unmask_names("在甲和“乙”交流。", table).startswith("在“第三届")
    assert "“甲”" in unmask_names("“甲”和“甲”", table)
    # a stand-in left in a sample (or one the model made up) fails it
    show = "组织“送戏下乡”演出，“百里茶乡古村落保护利用项目”获奖。"
    made_up = "组织“送戏下乡”演出，乙被评为丙，“百里茶乡古村落保护利用项目”获奖。"
    assert why(show, made_up) == "stand-in left"
    # short names stay: the model needs their words (“重治疗”)
    assert mask_names("从“重治疗”向“重预防”转变")[1] == {}
    # a sentence is long by what the model is shown, not by the names' characters
    assert plain_len(s) < 30 and long_chunks(s) == [s]


def test_a_sample_that_turns_a_change_round_or_adds_its_own_clause_is_rejected() -> None:
    from assistant.rewrite_methods import added_clause, reverses

    s = "推动卫生院从“重治疗”向“重预防”转变。"
    assert reverses(s, "卫生院由“重预防”转为“重治疗”。")
    assert not reverses(s, "卫生院加快由“重治疗”转向“重预防”。")
    assert why(s, "引导卫生院从“重预防”向“重治疗”转型。") == "direction reversed"
    twice = "卫生院由“重治疗”转为“重预防”，实现“重预防”。"
    assert why(s, twice) == "name repeated"
    goal = "切实提高群众报销比例。"
    assert why(goal, "有效降低群众报销比例。") == "direction reversed"
    # a stock clause of the model's own is not a rewording
    assert (
        added_clause(s, "引导卫生院由“重治疗”转向“重预防”，推动改革措施落地见效。") == "推动改革措施落地见效"
    )
    assert added_clause(s, "引导卫生院由“重治疗”加快转向“重预防”。") == ""
    assert (
        added_clause("抓住支付方式改革这个“牛鼻子”。", "抓住支付方式改革“牛鼻子”，加快实施。") == "加快实施"
    )
    assert why(s, "引导卫生院由“重治疗”转向“重预防”，激发改革动力。").startswith("added clause")


def test_parallel_figure_clauses_are_said_with_fenbie() -> None:
    from assistant.rewrite_methods import merge_parallel_figures, restructure

    s = parse_parts(DENSE).sentences[2]
    assert (
        merge_parallel_figures(s) == "门诊量、住院量分别达到12.6万人次、0.8万人次，群众满意度保持在95％以上。"
    )
    # a rate and an amount are not listed together; a clause with another verb stays
    mixed = "参保率达99.91%，基金支出为3.2亿元。"
    assert merge_parallel_figures(mixed) == mixed
    assert (
        merge_parallel_figures("新增就业2860人，失业率控制在5.5%以内。")
        == "新增就业2860人，失业率控制在5.5%以内。"
    )
    assert "门诊量、住院量分别达到12.6万人次、0.8万人次" in restructure(s)


def test_a_new_wording_is_measured_on_what_it_can_change() -> None:
    from assistant.rewrite_kinds import change_similarity, recognise, similarity, verify

    spec = recognise("换个说法", DENSE)
    new = (
        "（一）深化改革“强基层”。引导卫生院加快由“重治疗”转向“重预防”。"
        "“第三届全省基层卫生健康高质量发展论坛”“2024长三角县域医共体建设交流会”等平台先后推介了有关做法。"
        "门诊量、住院量分别达到12.6万人次、0.8万人次，群众满意度稳定在95％以上。"
    )
    # the kept heading, names and figures hold the raw similarity over the threshold ...
    assert similarity(DENSE, new) >= 0.75 > change_similarity(parse_parts(DENSE).body, parse_parts(new).body)
    assert verify(spec, DENSE, new, ["12.6", "0.8", "95"]) == []
    # ... but a text that only moved its words about is still not a new wording
    moved = DENSE.replace("相关经验先后在", "相关经验先后于")
    assert [p.check for p in verify(spec, DENSE, moved, ["12.6", "0.8", "95"])] == ["unchanged"]
    # a named sentence the same way, with the raw bound as well
    spec2 = recognise("第二句换个说法", DENSE)
    assert spec2.sentence == 1
    swapped = DENSE.replace(
        parse_parts(DENSE).sentences[1],
        "“第三届全省基层卫生健康高质量发展论坛”“2024长三角县域医共体建设交流会”等平台先后推介了有关做法。",
    )
    assert verify(spec2, DENSE, swapped, ["12.6", "0.8", "95"]) == []
    assert verify(spec2, DENSE, moved, ["12.6", "0.8", "95"])[0].check == "unchanged"


def test_a_sample_that_drops_a_figures_metric_is_rejected() -> None:
    from assistant.rewrite_methods import lost_metric

    s = "县域内就诊率达90.31％，基层就诊率达72.24％，群众就医满意度持续保持在90％以上。"
    dropped = "群众就医满意度稳定在90％以上，就诊率和基层就诊率分别达到90.31％、72.24％。"
    assert lost_metric(s, dropped) == "县域内就诊率"
    ok = "群众就医满意度稳定在90％以上，县域内就诊率、基层就诊率分别达到90.31％、72.24％。"
    assert lost_metric(s, ok) == ""
    assert lost_metric("单颗常规种植牙总费用平均降幅达55％。", "单颗常规种植牙的总费用平均降幅达55％。") == ""
    assert why(s, dropped, ["90.31", "72.24", "90"]).startswith("metric lost")
    assert why(s, ok, ["90.31", "72.24", "90"]) == ""


def test_a_short_measure_is_said_object_first() -> None:
    from assistant.rewrite_methods import restructure, topicalize

    assert topicalize("一是持续深化支付方式改革。") == "一是支付方式改革持续深化。"
    assert topicalize("严格落实“第一议题”制度。") == "“第一议题”制度严格落实。"
    # a subject, a figure, no adverb or a second clause: as it was
    for s in ("我局持续深化改革。", "持续开展检查126次。", "一是深化改革。", "持续深化改革，成效明显。"):
        assert topicalize(s) == s
    assert restructure("二是深入推进药品耗材集中带量采购。") == "二是药品耗材集中带量采购深入推进。"


def test_a_list_of_figures_begins_at_its_end() -> None:
    from assistant.rewrite_methods import restructure, rotate_facts

    facts = "参保率达99.91%，城镇调查失业率控制在5.5%以内。"
    assert rotate_facts(facts) == "城镇调查失业率控制在5.5%以内，参保率达99.91%。"
    # actions in their order, a clause leaning on the one before, one clause: as they were
    for s in (
        "检查定点医药机构126家，追回违规基金238万元。",
        "全年新增就业2860人，城镇调查失业率控制在5.5%以内。",
        "参保率达99.91%，同比提高0.2个百分点。",
        "参保率达99.91%。",
    ):
        assert rotate_facts(s) == s
    s = parse_parts(DENSE).sentences[2]
    assert restructure(s) == "群众满意度保持在95％以上，门诊量、住院量分别达到12.6万人次、0.8万人次。"
    # 持续保持 is one phrase: its 持续 is not swapped
    from assistant.rewrite_methods import reword_words

    assert reword_words("满意度持续保持在95％以上。") == "满意度持续保持在95％以上。"


def test_a_samples_lost_quotation_marks_are_put_back_and_masked_names_kept() -> None:
    from assistant.rewrite_methods import requote

    s = "相关改革实践先后在“第一届医共体年会”等平台上分享“XX经验”，并获评“十大案例”。"
    assert requote(s, "有关实践在“第一届医共体年会”等平台上交流XX经验，被评为“十大案例。") == (
        "有关实践在“第一届医共体年会”等平台上交流“XX经验”，被评为“十大案例”。"
    )
    assert requote(s, "XX经验和XX经验") == "XX经验和XX经验"  # twice: which one is the name?
    # (A/B dev run) a name rewritten by a character or two put back; the original's plain words quoted, unquoted
    o = "通过“气象直通车”、短信平台、应急广播等渠道推送预警信息38万余条。"
    assert requote(o, "利用“天气直通车”、“短信平台”、应急广播等渠道推送预警信息38万余条。") == (
        "利用“气象直通车”、短信平台、应急广播等渠道推送预警信息38万余条。"
    )
    assert (
        requote("开展“春风行动”招聘42场。", "开展“护苗行动”招聘42场。") == "开展“护苗行动”招聘42场。"
    )  # another name
    masked = "一是持续深化XX支付方式改革。"
    assert why(masked, "一是X支付方式改革持续深化。") == "numbers"
    # a result claimed that the original did not report
    plain = "二是深入推进药品耗材集中带量采购。"
    claim = "二是集中带量采购药品耗材工作取得实质性进展。"
    assert why(plain, claim) == "claims a result"


def test_a_span_of_time_keeps_its_direction() -> None:
    s = "梳理5年来支付方式改革历程，总结改革经验。"
    assert why(s, "系统总结5年前支付方式改革的历程和经验。", ["5"]) == "numbers"
    # 5年间, or a bare 5年 before the history it spans, says the same span
    assert why(s, "系统回顾5年间支付方式改革历程，总结改革经验。", ["5"]) != "numbers"
    assert why(s, "系统回顾5年支付方式改革历程，总结改革经验。", ["5"]) != "numbers"
    assert why(s, "系统回顾5年以来支付方式改革历程和经验。", ["5"]) != "numbers"


def test_a_figures_unit_a_forecast_and_a_spelled_zero_are_facts() -> None:
    s = "帮助1370名农村劳动力实现转移就业，农产品网络销售额突破2.6亿元。"
    unit = "助力农村劳动力转移就业1370人次，农产品网络销售额突破2.6亿元。"
    assert why(s, unit, ["1370", "2.6"]) == "numbers"
    hedged = "助力1370名农村劳动力转移就业，预计农产品网络销售额突破2.6亿元。"
    assert why(s, hedged, ["1370", "2.6"]) == "hedged"
    fine = "助力1370人农村劳动力转移就业，农产品线上销售额突破2.6亿元。"  # 名 = 人
    assert why(s, fine, ["1370", "2.6"]) == ""
    none = "全年未发生较大以上生产安全事故。"
    zero = "一年来共发生较大以上生产安全事故零例。"
    assert why(none, zero, ["1370", "2.6"]) == "numbers"
    done = "累计新增建设高标准农田4.2万亩。"
    claim = "4.2万亩高标准农田新增建设全部完成。"
    assert why(done, claim, ["4.2"]) == "claims a result"


def test_a_sample_said_as_two_sentences_is_joined_again() -> None:
    from assistant.rewrite_methods import one_sentence

    s = "5月，组织开展现场践学活动，在全省会议上作交流汇报。"
    assert one_sentence(s, "5月初，组织现场践学活动。在全省会议上作了交流汇报。") == (
        "5月初，组织现场践学活动，在全省会议上作了交流汇报。"
    )
    # an original of two sentences leaves the sample as it is
    two = "组织现场践学活动。作交流汇报。"
    assert one_sentence(two, "活动。汇报。") == "活动。汇报。"


def test_a_sentence_of_names_is_held_to_the_raw_bound_only_when_it_is_the_text() -> None:
    from assistant.rewrite_methods import Ctx, candidate_problem

    a = "“第三届全省基层卫生健康高质量发展论坛暨县域医共体建设现场交流会”"
    b = "“2024长三角县域医疗卫生服务共同体与医保支付改革协同推进研讨会”"
    s = f"有关做法先后在{a}和{b}等平台上交流“县域经验”。"
    new = f"{a}和{b}等平台先后交流“县域经验”。"  # raw 0.94, what can change 0.67
    ctx = Ctx(model=None, system="", keep=["2024"], allowed=set())  # type: ignore[arg-type]
    ctx.whole_text = True  # one sentence of a paragraph: the paragraph's raw bound is verify's
    assert candidate_problem(ctx, "reword", s, s, new, 0.7) == ""
    ctx.whole_text = False  # 第二句换个说法: this sentence is what is measured, raw bound included
    assert candidate_problem(ctx, "reword", s, s, new, 0.7).startswith("similar")


def test_constructions_said_another_way_with_the_same_words() -> None:
    from assistant.rewrite_methods import constructions, reword_words

    assert constructions("县人社局把稳就业作为头等大事。") == "县人社局将稳就业作为头等大事。"
    assert (
        constructions("推动社会救助从“人找政策”向“政策找人”转变。")
        == "推动社会救助由“人找政策”向“政策找人”转变。"
    )
    assert constructions("我们把这件事办好了。") == "我们把这件事办好了。"
    assert (
        reword_words("全年接待游客623万人次，较上年增长12.7%。") == "年内接待游客623万人次，比上年增长12.7%。"
    )


def test_every_sentence_kind_shows_long_names_as_stand_ins(fake_chat) -> None:
    name = "“第三届全省基层卫生健康高质量发展论坛”"
    text = f"我们的做法在{name}上作了交流。"
    fake_chat.enqueue(
        "有关做法在“甲”上作交流发言。", "有关做法在“甲”上作交流发言。", "有关做法在“甲”上作交流发言。"
    )
    res = rewrite_text(get_settings(), text, "改得更正式一些", model=fake_chat, seed=1)
    assert "“甲”" in prompts(fake_chat)[0] and name not in prompts(fake_chat)[0]
    assert res.text == f"有关做法在{name}上作交流发言。", res.text


def test_a_tightened_sentence_keeps_both_ends_of_a_change() -> None:
    from assistant.rewrite_methods import keeps_sense

    s = "激励和促进医疗机构从“以治病为中心”向“以健康为中心”转变。"
    assert not keeps_sense(s, "激励医疗机构向“以健康为中心”转变。")
    assert not keeps_sense(s, "推动医疗机构从“以健康为中心”向“以治病为中心”转变。")
    assert keeps_sense(s, "推动医疗机构由“以治病为中心”向“以健康为中心”转变。")
    assert keeps_sense(s, "深化医疗机构改革。")  # the whole change dropped: less said, nothing wrong


def test_compress_rejects_a_tightening_that_cuts_a_change_to_one_end(fake_chat) -> None:
    text = "激励和促进医疗机构从“以治病为中心”向“以健康为中心”转变，不断提升群众健康水平和就医体验。全年未发生重大事件。"
    cut = "激励医疗机构向“以健康为中心”转变，提升群众健康水平。"
    fake_chat.enqueue(cut, cut)
    res = rewrite_text(get_settings(), text, "压缩到40字", model=fake_chat, seed=1)
    assert cut not in res.text


def test_compress_drops_clauses_without_figures_when_every_sentence_has_one(fake_chat) -> None:
    text = (
        "我局聚焦安全生产主体责任落实，深入开展“百日攻坚”专项行动，全年检查企业2146家，立案查处违法案件87件。"
        "我们推动监管方式由“事后处罚”向“全程管控”转变，重点行业在线监测覆盖率达100%，隐患整改率达96.5%。"
    )
    model_copies(fake_chat, text)  # no tightening
    res = rewrite_text(get_settings(), text, "压缩到60字", model=fake_chat, seed=1)
    assert res.passed, (res.problems, res.text)
    # the least central clause without a figure went; as many as the length needs, no more
    assert "由“事后处罚”向“全程管控”转变" not in res.text and "我局聚焦安全生产主体责任落实" in res.text
    for figure in ("2146", "87", "100%", "96.5%", "“百日攻坚”"):
        assert figure in res.text


def test_compress_drops_an_opening_without_figures_as_the_last_cut(fake_chat) -> None:
    """Session 9's blind run: two sentences, every clause of the second a figure, the opening a
    statement of what the work is. Kept whole, 压缩到50字 came back unchanged; the opening goes."""
    text = (
        "项目建设是稳增长、调结构的“压舱石”。全年争取中央预算内投资5.2亿元，62个重点项目完成投资147.3亿元，"
        "年度计划完成率达112.6%，带动固定资产投资同比增长6.1%。"
    )
    model_copies(fake_chat, text)  # no tightening
    res = rewrite_text(get_settings(), text, "压缩到55字", model=fake_chat, seed=1)
    assert res.passed, (res.problems, res.text)
    assert not res.text.startswith("项目建设是") and res.text.startswith("全年争取中央预算内投资5.2亿元")
    # 再精炼一些 the same (its check: shorter than 95% of the original)
    model_copies(fake_chat, text)
    res = rewrite_text(get_settings(), text, "再精炼一些", model=fake_chat, seed=1)
    assert res.passed and res.kind == "concise" and not res.text.startswith("项目建设是"), res.problems
    # an opening that states a figure stays (it is what the paragraph reports)
    with_figure = "全县项目投资达147.3亿元。" + text.split("。", 1)[1]
    model_copies(fake_chat, with_figure)
    res = rewrite_text(get_settings(), with_figure, "压缩到40字", model=fake_chat, seed=1)
    assert res.text.startswith("全县项目投资达147.3亿元")


def test_a_name_with_te_bie_keeps_it() -> None:
    from assistant.rewrite_methods import formal_words

    assert (
        formal_words("争取超长期特别国债资金5.2亿元，大家特别感动")
        == "争取超长期特别国债资金5.2亿元，大家尤为感动"
    )


def test_formal_polish_is_code_s_formal_sentence_and_keeps_names_and_lists() -> None:
    from assistant.rewrite_kinds import similarity
    from assistant.rewrite_methods import already_formal, formal_grammar, formal_polish, writer_unit

    # 公文 grammar: a done action's 了, 为了, 都 before a result, and 我们 → the bureau
    assert formal_grammar("我们开展了培训，为了提升能力，各项任务都已完成。", "我局") == (
        "我局开展培训，为提升能力，各项任务均已完成。"
    )
    assert (
        formal_grammar("为了解群众需求，“我们都是追梦人”宣讲", "我局")
        == "为了解群众需求，“我们都是追梦人”宣讲"
    )
    assert (
        writer_unit("（二）兜底线。市民政局坚持…") == "我局" and writer_unit("党建与业务融合的格局形成") == ""
    )
    # a sentence already formal gets the 公文 word table and a new order too (same register)
    s = "推动农村客运由“线网分散”变为“公交一体”，建制村通客车率达100%，城乡公交一体化率达88%。"
    new = formal_polish(s)
    assert (
        new == "推动农村客运由“线网分散”变为“公交一体”，建制村通客车率、城乡公交一体化率分别达到100%、88%。"
    )
    assert similarity(s, new) < 0.92
    # a parallel list keeps every one of its words (“四个确保”)
    listed = "按照确保质量、确保供应、确保使用、确保回款“四个确保”要求，推进集采落地。"
    assert "确保质量、确保供应、确保使用、确保回款" in formal_polish(listed)
    assert already_formal("我局积极推进基金监管，进一步完善制度。")
    assert not already_formal("大家都很满意") and not already_formal("我们把这件事搞好")


def test_a_sample_that_breaks_the_sentence_or_changes_who_acted_is_rejected() -> None:
    s = "我局聚焦主体责任落实，深入开展“铁拳护航·2024年放心消费环境建设专项行动”，检查主体2146家。"
    assert (
        why(s, "“铁拳护航·2024年放心消费环境建设专项行动”：压实主体责任，检查主体2146家。")
        == "name as a label"
    )
    assert why(
        s, "局领导围绕主体责任落实，扎实组织“铁拳护航·2024年放心消费环境建设专项行动”，检查主体2146家。"
    ) == ("new subject")
    turn = "推动监管方式由“事后处罚”向“全程管控”转变，监管效能不断提升。"
    assert why(turn, "推进监管模式由“事后处罚”向“全程管控”，监管效能持续增强。") == "broken construction"
    assert why(turn, "监管模式加快由“事后处罚”转为“全程管控”，监管效能持续增强。") != "broken construction"
    assert why("一是持续深化支付方式改革。", "一是在深化支付方式改革。") == "broken marker"
    assert why(turn, "推动监管模式由“事后处罚向“全程管控”转变，监管效能持续增强。") == "quotes"
    # a metric said twice must still be said twice: 100% may not move to another place
    two = "全县学校食堂“明厨亮灶”覆盖率达100%，农贸市场快检覆盖率达96.5%。"
    assert why(two, "全县学校食堂和农贸市场实现“明厨亮灶”覆盖100%，农贸市场快检覆盖率达96.5%。").startswith(
        "metric lost"
    )


def test_a_sample_that_renames_the_unit_or_rewords_a_fixed_principle_is_rejected() -> None:
    s = "县文化和旅游局坚持以文塑旅、以旅彰文，成功承办开幕活动，全年接待游客623万人次。"
    assert why(s, "文化局坚持以文塑旅、以旅彰文，成功承办开幕活动，年内接待游客623万人次。") == "unit renamed"
    assert why(s, "县文化和旅游局坚持文旅融合，成功承办开幕活动，年内接待游客623万人次。") == "motto changed"
    assert (
        why(s, "文化和旅游局坚持以文塑旅、以旅彰文，成功承办开幕活动，年内接待游客623万人次。")
        != "unit renamed"
    )
    we = "我们以创建示范县为抓手，全年新改建农村公路186公里。"
    assert why(we, "作为县交通运输局，我们以创建示范县为抓手，年内新改建农村公路186公里。") == "unit renamed"
    assert why(we, "全县以创建示范县为引领，年内新改建农村公路186公里。") == "new subject"


def test_code_says_a_change_a_campaign_and_a_count_list_another_way() -> None:
    from assistant.rewrite_methods import count_list, said_of_object

    assert said_of_object("我们推动监管方式由“事后处罚”向“全程管控”转变，覆盖率达100%。") == (
        "监管方式由“事后处罚”向“全程管控”加快转变，覆盖率达100%。"
    )
    s = "我局聚焦主体责任落实，深入开展“铁拳护航”专项行动，全年检查经营主体2146家，立案查处违法案件87件，罚没款312万元。"
    assert count_list(said_of_object(s)) == (
        "我局聚焦主体责任落实，以“铁拳护航”专项行动为抓手，全年共检查经营主体2146家、立案查处违法案件87件、罚没款312万元。"
    )
    # a campaign that closes the sentence is its point, not a means; a count list already totalled stays
    done = "全年累计检查主体2146家，查处案件87件，深入开展“铁拳护航”专项行动。"
    assert count_list(said_of_object(done)) == done


def test_in_the_first_person_the_unit_may_become_me() -> None:
    from assistant.rewrite_methods import Ctx, candidate_problem

    ctx = Ctx(model=None, system="", keep=[], allowed=set())  # type: ignore[arg-type]
    s = "市民政局坚持尽力而为、量力而行，惠及困难群众2.1万人。"
    me = "我坚持尽力而为、量力而行，惠及困难群众2.1万人。"
    assert candidate_problem(ctx, "first_person", s, me, me, 0.995) != "unit renamed"
    assert candidate_problem(
        ctx, "reword", s, s, "民政部门坚持尽力而为、量力而行，惠及困难群众2.1万人。", 0.9
    ) == ("unit renamed")


def test_of_the_new_wordings_the_one_that_keeps_the_content_is_kept() -> None:
    from assistant.rewrite_methods import _pick

    s = "开展口腔种植医疗服务提质降费专项治理，单颗种植牙总费用平均降幅达55％。"
    lost = "单颗种植牙总费用平均降幅达55％，组织专门治理医疗服务提质降费。"  # 口腔种植 gone
    kept = "口腔种植医疗服务提质降费专项治理扎实推进，单颗种植牙总费用平均下降55％。"
    assert _pick("reword", s, [lost, kept], 0.95) == kept
    assert _pick("formal", s, [lost, kept]) == kept


def test_a_name_s_quotes_written_twice_by_the_model_are_written_once(fake_chat) -> None:
    text = "相关实践先后在“第一届健康中国医共体行动总院院长年会”和“2023莫干山会议研讨会”等平台上交流。"
    fake_chat.enqueue(*["“甲””和“乙”等平台相继交流了有关实践。"] * 6)
    res = rewrite_text(get_settings(), text, "换个说法", model=fake_chat, seed=1)
    assert "””" not in res.text and res.text.count("“") == res.text.count("”")
    assert "“第一届健康中国医共体行动总院院长年会”和“2023莫干山会议研讨会”等平台相继交流" in res.text


def test_a_value_and_its_change_are_said_as_one_and_a_figure_said_twice_is_rejected() -> None:
    from assistant.rewrite_methods import change_to

    assert change_to("全年完成水利投资6.8亿元，同比增长12.4%；") == "全年水利投资同比增长12.4%至6.8亿元；"
    assert change_to("天数达到331天，优良率为90.7%，同比提高2.1个百分点。") == (
        "天数达到331天，优良率同比提高2.1个百分点至90.7%。"
    )
    kept = "实现旅游综合收入58.4亿元，同比分别增长12.7%、15.3%。"  # two changes for one value: as written
    assert change_to(kept) == kept
    s = "全年完成水利投资6.8亿元，同比增长12.4%。"
    assert (
        why(s, "年内水利投资6.8亿元，同比增长12.4%，累计达到6.8亿元。", ["6.8", "12.4"]) == "figure repeated"
    )


def test_where_the_whole_text_is_too_close_a_sentence_takes_its_most_different_wording() -> None:
    from assistant.rewrite_kinds import MAX_SIMILARITY, change_similarity
    from assistant.rewrite_methods import Ctx, _more_change_where_needed

    sents = ["我局深入推进医保支付方式改革，成效明显。", "全年检查定点医药机构186家，追回医保基金452.3万元。"]
    faithful = [
        "我局扎实推进医保支付方式改革，成效显著。",
        "年内检查定点医药机构186家，追回医保基金452.3万元。",
    ]
    different = "医保支付方式改革纵深推进，改革红利持续释放。"
    ctx = Ctx(model=None, system="", keep=[], allowed=set())  # type: ignore[arg-type]
    ctx.memo["passing"] = {0: [faithful[0], different], 1: [faithful[1]]}
    assert change_similarity("".join(sents), "".join(faithful)) >= MAX_SIMILARITY["reword"]
    out = _more_change_where_needed(ctx, sents, faithful)
    assert out == [different, faithful[1]]  # only as much change as the text needs
    assert change_similarity("".join(sents), "".join(out)) < MAX_SIMILARITY["reword"]
    # a text already new enough keeps its faithful wordings
    ctx.memo["passing"] = {0: [different], 1: [faithful[1]]}
    assert _more_change_where_needed(ctx, sents, [different, faithful[1]]) == [different, faithful[1]]


def test_an_already_formal_text_takes_other_wordings_only_until_it_is_new_enough() -> None:
    from assistant.rewrite_kinds import MAX_SIMILARITY, similarity
    from assistant.rewrite_methods import WHOLE_MARGIN, Ctx, _more_formal_change_where_needed

    sents = ["我局扎实推进医保支付方式改革，成效显著。", "全年检查定点医药机构186家，追回医保基金452.3万元。"]
    ctx = Ctx(model=None, system="", keep=[], allowed=set())  # type: ignore[arg-type]
    spoken_alt = "支付方式这块搞得挺好，老百姓都说好。"  # the most change, but spoken: never swapped in
    other = "医保支付方式改革纵深推进，改革成效持续显现。"
    ctx.memo["passing"] = {0: [spoken_alt, other]}
    ctx.memo["near"] = {1: ["年内共检查定点医药机构186家，追回医保基金452.3万元。"]}
    out = _more_formal_change_where_needed(ctx, sents, list(sents))
    assert out[0] == other and spoken_alt not in out
    assert similarity("".join(sents), "".join(out)) < MAX_SIMILARITY["formal"] - WHOLE_MARGIN
    assert out[1] == sents[1]  # new enough after one swap: the second sentence stays as it was
    # no other wording at all: the text comes back as it was
    ctx.memo.clear()
    assert _more_formal_change_where_needed(ctx, sents, list(sents)) == sents


def test_trim_words_drops_intensifiers_before_a_verb_outside_names() -> None:
    from assistant.rewrite_methods import trim_words

    assert trim_words("我局进一步加强基金监管，切实做好“持续推进”宣传，开展了专项检查12次。") == (
        "我局加强基金监管，做好“持续推进”宣传，开展专项检查12次。"
    )
    # not before a noun or an idiom: 持续向好, 深入基层, 全力以赴 stay
    assert (
        trim_words("发展势头持续向好，深入基层走访300户，全力以赴。")
        == "发展势头持续向好，深入基层走访300户，全力以赴。"
    )


def test_concise_follow_up_gets_code_s_tightening_when_the_model_copies(fake_chat) -> None:
    text = (
        "我局进一步加强基金监管，切实做好定点医药机构检查，全年检查186家，追回医保基金452.3万元。"
        "同时持续深化支付方式改革，不断完善医保服务，积极推进“互联网+医保”建设，参保率达97.2%。"
    )
    model_copies(fake_chat, text)
    res = rewrite_text(get_settings(), text, "再精炼一些", model=fake_chat, seed=1)
    assert res.kind == "concise" and res.passed, (res.problems, res.text)
    assert "进一步" not in res.text and "不断完善" not in res.text and "完善医保服务" in res.text
    for figure in ("186", "452.3", "97.2%", "“互联网+医保”"):
        assert figure in res.text


def test_a_holiday_named_by_numerals_is_no_new_count() -> None:
    from assistant.rewrite_methods import Ctx, candidate_problem

    ctx = Ctx(model=None, system="", keep=["3200"], allowed={"3200"})  # type: ignore[arg-type]
    s = "我们搞了很多走访慰问，春节和八一的时候去看望了3200多户，大家都特别感动。"
    # 八一期间 is the 八一 holiday, not 一期 of something; 两期 培训 would be a count never given
    assert (
        candidate_problem(
            ctx, "reword", s, s, "春节和八一期间，我们多次走访慰问，看望3200多户，大家深受感动。", 0.8
        )
        == ""
    )
    assert (
        candidate_problem(
            ctx, "reword", s, s, "春节和八一期间，我们开展两期走访慰问，看望3200多户，大家深受感动。", 0.8
        )
        == "numbers"
    )


def test_mend_fixed_puts_back_a_principle_s_order_and_the_opening_unit() -> None:
    from assistant.rewrite_methods import mend_fixed

    o = "县文化和旅游局坚持以文塑旅、以旅彰文，成功承办“甲”开幕活动，全年接待游客623万人次。"
    assert mend_fixed(o, "通过以旅彰文、以文塑旅，成功举办“甲”开幕式活动，全年共接待游客623万人次。") == (
        "县文化和旅游局通过以文塑旅、以旅彰文，成功举办“甲”开幕式活动，全年共接待游客623万人次。"
    )
    assert (
        mend_fixed(o, "全年，以文塑旅、以旅彰文，成功举办“甲”。")
        == "全年，县文化和旅游局以文塑旅、以旅彰文，成功举办“甲”。"
    )
    # the unit said without its place, or another subject given: nothing added
    o2 = "市民政局坚持尽力而为、量力而行，全年累计发放城乡低保金1.38亿元。"
    said = "民政局坚持尽力而为、量力而行，年内共发放城乡低保金1.38亿元。"
    assert mend_fixed(o2, said) == said
    assert (
        mend_fixed(o2, "我局坚持量力而行、尽力而为，发放1.38亿元。")
        == "我局坚持尽力而为、量力而行，发放1.38亿元。"
    )
    # no unit opened the original: none is added
    assert mend_fixed("坚持精准治污、科学治污，改善质量。", "改善质量。") == "改善质量。"


def test_a_figure_given_to_another_metric_is_caught() -> None:
    from assistant.rewrite_methods import Ctx, candidate_problem, figure_moved

    s = "城市社区养老服务设施覆盖率达92%，农村互助幸福院覆盖率达75%，服务品牌获评省级示范。"
    swapped = "农村互助幸福院覆盖率达92%，城市社区养老服务设施覆盖率达75%，服务品牌获评省级示范。"
    assert figure_moved(s, swapped) == "92%"
    ctx = Ctx(model=None, system="", keep=["92", "75"], allowed={"92", "75"})  # type: ignore[arg-type]
    assert candidate_problem(ctx, "reword", s, s, swapped, 0.99) == "figure moved 92%"
    # the same pairs said another way, or as a 分别 list (paired by order): not judged moved
    assert figure_moved(s, "城市社区养老服务设施的覆盖率为92%，农村互助幸福院覆盖率达到75%。") == ""
    assert figure_moved(s, "城市社区养老服务设施覆盖率、农村互助幸福院覆盖率分别达到92%、75%。") == ""
    # figures with units of their own are the unit check's (and a verb before a count is no name)
    t = "全年接待游客623万人次，实现旅游综合收入58.4亿元，同比分别增长12.7%、15.3%。"
    assert figure_moved(t, "游客接待量达623万人次、旅游综合收入58.4亿元，同比分别增长12.7%、15.3%。") == ""
    assert (
        figure_moved("参保率达97.2%，家庭医生签约率达85%。", "家庭医生签约率达97.2%，参保率达85%。")
        == "97.2%"
    )
    # the same metric named another way is no swap
    u = "全年追回医保基金452.3万元，处罚款126.8万元。"
    assert figure_moved(u, "挽回基金损失452.3万元，另处罚款126.8万元。") == ""
    assert figure_moved(u, "处罚款452.3万元，追回医保基金126.8万元。") == "452.3万元"
    # a sum said of one item of its list
    v = "市民政局全年累计发放城乡低保金、特困供养金1.38亿元，惠及困难群众2.1万人。"
    assert figure_moved(v, "民政局年内共计发放城乡低保金1.38亿元，惠及困难群众2.1万人。") == "1.38亿元"
    assert figure_moved(v, "民政局年内共发放城乡低保金和特困供养金1.38亿元，惠及2.1万困难群众。") == ""
    # an item is its own words, not the word that leads to the list (向规划…: 与规划 keeps it)
    d = "我们建成县级实景三维数据平台，向规划、住建、水利等18个部门共享地理信息数据2.4TB。"
    assert figure_moved(d, "数据平台已建设完毕，与规划、住建、水利等18个部门分享了2.4TB地理信息数据。") == ""
    assert figure_moved(d, "以建设县级实景三维数据平台为切入点，与18个部门共享2.4TB地理信息。") == "18个"
    # what is new stays new, and what was not is not made new
    w = "全年新建高标准农田4.2万亩，粮食总产量稳定在18.5万吨。"
    assert figure_moved(w, "年内粮食总产量稳定在18.5万吨，高标准农田4.2万亩。") == "4.2万亩"
    assert figure_moved(w, "年内共新建高标准农田4.2万亩，粮食总产量保持在18.5万吨。") == ""
    assert figure_moved(w, "年内建设高标准农田4.2万亩，粮食总产量保持在18.5万吨。") == ""  # 建设: still new
    assert figure_moved("全年保障重点项目用地2860亩。", "年内新增用地2860亩。") == "2860亩"
    assert (
        figure_moved("全县新增就业2860人，失业率控制在5.5%以内。", "新增就业2860人、失业率控制在5.5%以内。")
        == ""
    )


def test_the_retry_of_a_new_wording_asks_for_smaller_clause_groups(fake_chat) -> None:
    import re

    s = (
        "县文化和旅游局坚持以文塑旅、以旅彰文，成功承办“第五届长江中游城市群文化旅游消费季”开幕活动，"
        "全年接待游客623万人次，实现旅游综合收入58.4亿元，同比分别增长12.7%、15.3%，文旅融合发展势头持续向好。"
    )
    res = rewrite_text(get_settings(), s, "换个说法", model=fake_chat, seed=1)
    assert res.attempts == 2  # the fake model hands each group back: the first try is too close
    shown = [m.group(1) for p in prompts(fake_chat) if (m := re.search(r"【原文】\n(.*)", p))]
    first, retry = shown[: len(shown) // 2], shown[len(shown) // 2 :]
    assert max(map(len, first)) > 40 and max(map(len, retry)) <= 32
    assert "实现旅游综合收入58.4亿元，同比分别增长12.7%、15.3%" in retry  # a clause group of its own
    assert "“第五届长江中游城市群文化旅游消费季”" in res.text and "15.3%" in res.text


def test_one_total_is_not_made_a_figure_for_each_and_a_level_is_no_count() -> None:
    from assistant.rewrite_methods import Ctx, candidate_problem, count_list

    ctx = Ctx(model=None, system="", keep=["3200"], allowed={"3200"})  # type: ignore[arg-type]
    s = "我们搞了很多走访慰问，春节和八一的时候去看望了3200多户，大家都特别感动。"
    each = "组织走访慰问，春节和八一分别看望了3200多户，大家深受感动。"
    assert candidate_problem(ctx, "reword", s, s, each, 0.8) == "numbers"
    # a body the writer never named (县人社局 → 县人社局人社厅) is a renamed unit
    ctx3 = Ctx(model=None, system="", keep=["2860"], allowed={"2860"})  # type: ignore[arg-type]
    u = "县人社局深入实施就业优先政策，全年城镇新增就业2860人。"
    hall = "县人社局人社厅坚决落实就业优先政策，年内新增城镇就业2860人。"
    assert candidate_problem(ctx3, "reword", u, u, hall, 0.99) == "unit renamed"
    # a 分别 list of figures stays fine
    ctx2 = Ctx(model=None, system="", keep=["100", "96.5"], allowed={"100", "96.5"})  # type: ignore[arg-type]
    o = "学校食堂覆盖率达100%，农贸市场快检覆盖率达96.5%，平台入选优秀案例。"
    listed = "学校食堂覆盖率、农贸市场快检覆盖率分别达到100%、96.5%，平台入选优秀案例。"
    assert candidate_problem(ctx2, "reword", o, o, listed, 0.99) == ""
    # 粮食总产量稳定在18.5万吨 is a level, not an item of a count list
    level = "全年新建高标准农田4.2万亩，粮食总产量稳定在18.5万吨。"
    assert count_list(level) == level
    assert (
        count_list("全年检查企业2146家，立案查处违法案件87件。")
        == "全年共检查企业2146家、立案查处违法案件87件。"
    )


def test_checks_found_in_the_blind_run() -> None:
    from assistant.rewrite_methods import Ctx, candidate_problem, figure_moved, renamed_unit

    # a growth said as the level reached
    o = "年内社会消费品零售总额同比增长6.8%至286.3亿元；外贸进出口总额同比增长11.2%。"
    assert (
        figure_moved(o, "年内社会消费品零售总额增长至6.8%，累计达到286.3亿元；外贸进出口总额同比增长11.2%。")
        == "6.8%"
    )
    assert figure_moved(o, "社会消费品零售总额达到286.3亿元，同比增长6.8%；外贸进出口总额增长11.2%。") == ""
    # a growth said with 为 after its name is still a growth (seen in the final run: a false rejection)
    g = "实现旅游综合收入58.4亿元，同比分别增长12.7%、15.3%。"
    assert figure_moved(g, "旅游业总收入58.4亿元，增长幅度分别为12.7%和15.3%。") == ""
    # another city in front of the unit; the place left out is the same unit
    assert renamed_unit("蓉江市商务局坚持扩内需。", "成都市商务局积极推行扩内需。")
    assert not renamed_unit("蓉江市商务局坚持扩内需。", "蓉江市商务局积极扩大内需。")
    ctx = Ctx(model=None, system="", keep=[], allowed=set())  # type: ignore[arg-type]
    s = "拆了违法建筑63处，面积差不多2.1万平方米，全年社会消费品零售总额增长明显。"
    bad = {
        # (差不多2.1万 → 2.1万…大约: the qualifier left its figure, a number changed; since session 9)
        "拆除违法建筑63处，2.1万平方米的总面积大约，全年社会消费品零售总额增长明显。": "numbers",
        "拆除违法建筑63处，面积约2.1万平方米，全年社会消费品零售总额增长大约。": "broken tail",
        "拆除违法建筑63处，面积差不多2.1万平方米，今年上半年社会消费品零售总额增长明显。": "new period",
        "局机关拆除违法建筑63处，面积差不多2.1万平方米，全年社会消费品零售总额增长明显。": "new subject",
    }
    for new, why in bad.items():
        assert candidate_problem(ctx, "reword", s, s, new, 0.99) == why, new


def test_a_sample_that_drops_a_whole_clause_is_rejected() -> None:
    """Content a rewording lost with no check seeing it (session 8's reading): the topic of a lead
    sentence, a measure dropped while its figure stayed. A clause said with a synonym is kept."""
    from assistant.rewrite_methods import Ctx, candidate_problem, lost_clause

    lead = "围绕乡村振兴，我们持续推动农业产业提质增效。"
    assert lost_clause(lead, "我们聚焦于提升农业产业提质增效。") == "围绕乡村振兴"
    assert lost_clause(lead, "聚焦乡村振兴，推进农业产业提质增效。") == ""
    s = "大力发展农村电商，农产品网络销售额突破2.6亿元，带动农民增收效果明显。"
    assert lost_clause(s, "推动农产品网络销售额突破2.6亿元，带动农民增收效果显著。") == "大力发展农村电商"
    assert lost_clause(s, "积极发展电子商务，农产品网上销售额突破2.6亿元，农民增收成效明显。") == ""
    # a quoted name is checked on its own: a clause that is mostly a name is not counted here
    assert (
        lost_clause("深入开展“医保服务进万家”活动，提升满意度。", "以“医保服务进万家”为抓手，提升满意度。")
        == ""
    )
    ctx = Ctx(model=None, system="", keep=["2.6"], allowed={"2.6"})  # type: ignore[arg-type]
    new = "推动农产品网络销售额突破2.6亿元，带动农民增收效果显著。"
    assert candidate_problem(ctx, "reword", s, s, new, 0.7).startswith("clause lost")
    assert candidate_problem(ctx, "formal", s, s, new, 0.92).startswith("clause lost")


def test_a_measure_and_its_means_are_said_means_first() -> None:
    from assistant.rewrite_methods import means_first, restructure

    s = "推动政务服务由“线下跑”向“网上办”转变，依托“云溪县政务服务平台”办理事项12万件。"
    assert means_first(s) == "依托“云溪县政务服务平台”办理事项12万件，推动政务服务由“线下跑”向“网上办”转变。"
    # the subject stays in front; a means clause first already, or one with nothing done, stays
    t = "我局加强数据共享，通过“一网通办”平台办理业务3.2万件。"
    assert means_first(t) == "我局通过“一网通办”平台办理业务3.2万件，加强数据共享。"
    for same in ("依托“云溪县政务服务平台”办理事项12万件，推动政务服务转变。", "加强数据共享，通过平台。"):
        assert means_first(same) == same
    assert restructure(s).startswith("依托“云溪县政务服务平台”办理事项12万件，")


def test_wrong_facts_with_the_right_digits_found_reading_session_8s_blind_run() -> None:
    """Each passed every check in the blind run of session 8 (our own sentences here)."""
    from assistant.rewrite_methods import (
        Ctx,
        broken_clause,
        candidate_problem,
        figure_moved,
        lost_comparator,
        lost_metric,
    )

    # a change said with no base: 同比 dropped
    s = "全年实现社会消费品零售总额86.3亿元，同比增长6.1%。"
    assert lost_comparator(s, "年内社会消费品零售总额增长了6.1%，达到86.3亿元。") == "6.1"
    assert lost_comparator(s, "年内社会消费品零售总额同比增长6.1%至86.3亿元。") == ""
    assert (
        lost_comparator("优良率达到90.7%，较上年提高2.1个百分点。", "优良率比上年提升2.1个百分点至90.7%。")
        == ""
    )
    # a level said as a growth, its metric gone
    level = "全年教育支出占一般公共预算支出比重达到21.4%，保障有力。"
    wrong = "一般公共预算支出占比年内增强21.4%，保障有力。"
    assert figure_moved(level, wrong) == "21.4%" and lost_metric(level, wrong)
    # a lead said twice in a row, a clause with its object gone
    assert broken_clause("今年以来，我们严格落实党政同责。", "今年以来，今年，我局严格落实党政同责。")
    assert broken_clause("合格率保持在100%。", "合格率保持在100%，深入组织。") == "深入组织"
    assert broken_clause("深入开展检查，合格率保持在100%。", "合格率保持在100%，深入开展检查。") == ""
    ctx = Ctx(model=None, system="", keep=["58"], allowed={"58"})  # type: ignore[arg-type]
    t = "深入实施“科技企业培育行动”，全年新认定高新技术企业58家。"
    claimed = "成功实施“科技企业培育行动”，年内新认定高新技术企业58家。"
    assert candidate_problem(ctx, "reword", t, t, claimed, 0.7) == "claims a result"
    stutter = "全年，年内新认定高新技术企业58家，深入实施“科技企业培育行动”。"
    assert candidate_problem(ctx, "reword", t, t, stutter, 0.7).startswith("broken clause")


def test_a_place_s_lead_word_is_not_written_before_a_sentence_that_opens_with_its_own() -> None:
    from assistant.rewrite_order import order_measures

    o = [
        "保障粮食安全是头等大事。",
        "今年以来，我们收购粮食5.8万吨。",
        "我们检查国有粮库7个。",
        "同时改造粮库2个，储备能力增强。",
    ]
    r = [
        "粮食安全关系民生。",
        "今年，我局收购粮食5.8万吨。",
        "全面检查国有粮库7个。",
        "同时完成粮库改造2个，储备能力增强。",
    ]
    new = order_measures(o, r, target=0.0)
    assert not any(s.startswith(("今年以来，今年", "同时今年", "今年以来，同时")) for s in new)
    assert sorted(new) != sorted(r) or new != r


def test_a_listed_figure_pair_is_said_a_figure_a_clause_and_each_listed_metric_must_stay() -> None:
    from assistant.rewrite_methods import lost_metric, restructure, split_listed_figures

    s = "全县共受理信访3280件，按期受理率、按期办结率分别达到99.6%和98.8%，信访总量同比下降12.4%。"
    assert split_listed_figures(s) == (
        "全县共受理信访3280件，按期受理率达到99.6%，按期办结率达到98.8%，信访总量同比下降12.4%。"
    )
    assert "分别" not in restructure(s)  # (not merged back by merge_parallel_figures)
    # names that share their last noun (城市、农村覆盖率) are one metric said twice: not split
    assert split_listed_figures("城市、农村覆盖率分别达92%、75%。") == "城市、农村覆盖率分别达92%、75%。"
    # each listed metric is a metric: 按期受理率 garbled to 理结率 is lost; the shared 按期 said once is not
    assert (
        lost_metric(s, "全县受理信访3280件，办理结率分别达99.6%和98.8%，信访总量同比下降12.4%。")
        == "按期受理率"
    )
    assert (
        lost_metric(s, "信访总量同比减少12.4%，按期受理率、办结率达到99.6%和98.8%，共受理信访3280件。") == ""
    )


def test_all_done_is_a_claim_and_a_lead_with_a_bare_verb_is_no_clause() -> None:
    from assistant.rewrite_methods import Ctx, broken_clause, candidate_problem, count_list

    s = "全县共受理信访3280件，按期受理率、按期办结率分别达到99.6%和98.8%。"
    ctx = Ctx(model=None, system="", keep=["3280", "99.6", "98.8"], allowed={"3280", "99.6", "98.8"})  # type: ignore[arg-type]
    claim = "3280件信访全部按期受理，按期受理率、按期办结率分别为99.6%和98.8%。"
    assert candidate_problem(ctx, "reword", s, s, claim, 0.99) == "claims a result"  # 99.6% is not 全部
    assert (
        broken_clause("x", "预警信号平均提前量达45分钟，发布预警信号186次，年内累计共发布。")
        == "年内累计共发布"
    )
    # a count list said as one: 共 after the writer, never twice
    assert (
        count_list("年内我局共发布预警信号186次，重要天气报告42期。")
        == "年内我局共发布预警信号186次、重要天气报告42期。"
    )
    assert (
        count_list("全年我局检查企业583家，整改隐患1942处。") == "全年我局共检查企业583家、整改隐患1942处。"
    )


def test_session_9_reading_a_list_said_the_other_way_round_a_change_said_twice_a_lost_about() -> None:
    """Passing output read in session 9's held-out run, each a wrong fact or a broken clause."""
    from assistant.rewrite_methods import _new_qualifier, broken_clause, figure_moved

    o = "推动农村客运由“线网分散”变为“公交一体”，建制村通客车率达100%，城乡公交一体化率达88%。"
    swapped = "城乡公交一体化率和建制村通客车率达到100%和88%，推进“线网分散”转变为“公交一体”。"
    assert figure_moved(o, swapped) == "100%"  # the k-th name's figure is the k-th
    assert figure_moved(o, "建制村通客车率和城乡公交一体化率分别达到100%和88%。") == ""
    listed = "全县共受理信访3280件，按期受理率、按期办结率分别达到99.6%和98.8%。"
    assert figure_moved(listed, "全县受理信访3280件，按期办结率、按期受理率分别达到99.6%和98.8%。") == "99.6%"
    assert figure_moved(listed, "全县受理信访3280件，按期受理率达到99.6%，按期办结率达到98.8%。") == ""
    water = "全年完成水利投资6.8亿元，同比增长12.4%；"
    assert broken_clause(water, "年内水利投资增长至同比增长12.4%至6.8亿元；") == "增长至同比增长"
    assert broken_clause(water, "年内水利投资同比增长12.4%至6.8亿元；") == ""
    about = "拆了违法建筑63处，面积差不多2.1万平方米。"
    assert _new_qualifier(about, "拆除违法建筑63处，2.1万平方米的建筑面积。")  # 约 lost: another number
    assert not _new_qualifier(about, "拆除违法建筑63处，面积约2.1万平方米。")
    assert not _new_qualifier(about, "拆除违法建筑63处，面积2.1万平方米左右。")  # 约 = 左右
    assert not _new_qualifier("面积2.1万平方米左右。", "面积约为2.1万平方米。")


def test_session_9_blind_reading_another_units_level_and_a_county_for_the_bureau() -> None:
    """Passing new wordings read after session 9's blind run: 沅平市国资委 → 县国资委 (a unit's name
    beyond 局), and 局机关获评… → …称号的我县 (the county for the bureau)."""
    from assistant.rewrite_methods import Ctx, candidate_problem, renamed_unit

    o = "沅平市国资委坚持以管资本为主加强国有资产监管，全面完成国企改革年度任务。"
    assert renamed_unit(o, "县国资委强化国有资产监管，国企改革年度任务圆满完成。")
    assert not renamed_unit(o, "国资委强化国有资产监管，国企改革年度任务圆满完成。")  # the place left out
    ctx = Ctx(model=None, system="", keep=[], allowed=set())  # type: ignore[arg-type]
    s = "局机关获评“全省节约型机关建设先进单位”。"
    assert (
        candidate_problem(ctx, "reword", s, s, "获得“全省节约型机关建设先进单位”称号的我县。", 0.99)
        == "new subject"
    )


def test_session_9_final_reading_figures_on_the_wrong_things_and_a_level_said_as_a_growth() -> None:
    """Passing output read after session 9's final held-out run: two figures of different units
    traded places (figure_moved only compares figures of one unit), and 到了62.8% said as 提升了62.8%."""
    from assistant.rewrite_methods import figure_context_lost, figure_moved

    o = "我们坚持揭示问题与推动整改并重，督促有关单位建立健全制度42项，促进增收节支4720万元。"
    assert (
        figure_context_lost(o, "以揭示问题与推进整改并重，推动有关单位完善4720万元制度，促进增收节支42项。")
        == "42"
    )
    assert (
        figure_context_lost(o, "我们坚持问题导向与强化整改相结合，推动制度建设42项，促进增收节支4720万元。")
        == ""
    )
    # a clause that names nothing before its figure is read with the one before it
    t = "全年实现社会消费品零售总额286.3亿元，同比增长6.8%；外贸进出口总额41.7亿元。"
    assert (
        figure_context_lost(t, "年内社会消费品零售总额同比增长6.8%，达到286.3亿元；外贸进出口总额41.7亿元。")
        == ""
    )
    assert figure_context_lost(t, "社会消费品零售总额同比增长6.8%至286.3亿元；发放消费券41.7亿元。") == "41.7"
    # a rewording that keeps two of its characters is no move (追回医保基金 → 违规资金被依法挽回)
    fund = "检查定点医药机构186家，追回医保基金452.3万元。"
    assert figure_context_lost(fund, "186家定点医药机构接受检查，452.3万元违规资金被依法挽回。") == ""
    # a figure inside a quoted name is the name's
    q = "深入开展“铁拳护航·2024年放心消费”专项行动，检查经营主体2146家。"
    assert figure_context_lost(q, "以“铁拳护航·2024年放心消费”专项行动为抓手，共检查经营主体2146家。") == ""
    forest = "种树这块，我们全年完成植树造林3.6万亩，然后森林覆盖率到了62.8%，比去年提高了0.7个百分点。"
    assert (
        figure_moved(forest, "森林覆盖率提升了62.8%，比去年增加了0.7个百分点，我们年内植树造林3.6万亩。")
        == "62.8%"
    )
    assert (
        figure_moved(forest, "今年已完成3.6万亩植树造林，森林覆盖率达到62.8%，较去年增长了0.7个百分点。")
        == ""
    )


def test_session_9_second_blind_reading_a_year_a_plan_and_an_office_that_speaks() -> None:
    """Read after session 9's second blind run: 2024年 → 2024 (a year made a bare number), 持续开展 →
    将组织 (the year's work made a plan), and 我办 (a 地方志办's own word) left as it was by 述职口吻."""
    from assistant.rewrite_methods import Ctx, candidate_problem, first_person_words

    s = "2024年，烟草专卖局持续开展打假打私专项行动，查处涉烟违法案件213起。"
    ctx = Ctx(model=None, system="", keep=["2024", "213"], allowed={"2024", "213"})  # type: ignore[arg-type]
    assert (
        candidate_problem(
            ctx, "reword", s, s, "2024，烟草专卖局深入推进打假打私专项行动，共查办涉烟违法案件213起。", 0.99
        )
        == "numbers"
    )
    assert (
        candidate_problem(
            ctx, "reword", s, s, "2024年，烟草专卖局将组织打假打私专项行动，查办涉烟违法案件213起。", 0.99
        )
        == "我司/将"
    )
    assert (
        first_person_words("我办始终坚持“修志为用”，全年完成年鉴编纂出版。")
        == "我始终坚持“修志为用”，全年完成年鉴编纂出版。"
    )
    # the county's bureau made the nation's
    from assistant.rewrite_methods import renamed_unit

    s2 = "2024年，芷阳县烟草专卖局持续开展打假打私专项行动。"
    assert renamed_unit(s2, "2024年中国烟草专卖局组织打假打私专项行动。")
    assert not renamed_unit(s2, "2024年，烟草专卖局组织打假打私专项行动。")


def test_a_dropped_qualifier_is_put_back_not_the_sample_thrown_away() -> None:
    from assistant.rewrite_methods import mend_qualifiers

    s = "我们联系了县里120多家企业，一共拿出岗位1600多个，帮了大概430名大学生找到工作。"
    got = mend_qualifiers(s, "联系县内企业120家，共提供岗位1600个，帮助430名大学生实现就业。")
    assert got == "联系县内企业120多家，共提供岗位1600多个，帮助约430名大学生实现就业。"
    assert mend_qualifiers("净化率达到95%以上。", "净化率稳定在95%。") == "净化率稳定在95%以上。"
    assert mend_qualifiers("受益群众超过6万人次。", "受益群众达6万人次。") == "受益群众超过6万人次。"
    # a qualifier the sample gave itself is judged, not doubled; a figure written twice is not guessed at
    assert mend_qualifiers("接待约5800人次。", "接待近5800人次。") == "接待近5800人次。"
    assert (
        mend_qualifiers("志愿者2.6万多人，增长18%左右。", "志愿者2.6万人，增长18%。")
        == "志愿者2.6万多人，增长18%左右。"
    )
    assert (
        mend_qualifiers("岗位1600多个。", "岗位1600个，其中1600个为新增。")
        == "岗位1600个，其中1600个为新增。"
    )
    # a spoken "about" right after the figure (blind run 13: 1200来万元 → 1200万元 read as exact)
    water = "汛期前投入1200来万元，新铺管网36公里。"
    assert mend_qualifiers(water, "汛期前共投入1200万元，新铺设管网36公里。").startswith(
        "汛期前共投入1200来万元"
    )
    assert mend_qualifiers(water, "汛期前投入约1200万元。") == "汛期前投入约1200万元。"  # (its own 约)
    laid = "全年投入1200来万元，新铺管网36公里。"
    assert sample_problem(laid, "年内完成1200万元投入，新铺设管网36公里。") == "numbers"
    assert sample_problem(laid, "年内完成约1200万元投入，新铺设管网36公里。") == ""
    assert sample_problem(laid, "年内完成1200来万元投入，新铺设管网36公里。") == ""
    assert mend_qualifiers("2024年以来，投入1200万元。", "今年投入1200万元。") == "今年投入1200万元。"


def test_a_count_before_its_noun_stays_with_that_noun() -> None:
    from assistant.rewrite_methods import figure_moved

    s = "我们在全县11个乡镇建成专职消防队和微型消防站89个，基本实现“1分钟响应、3分钟到场”。"
    # 全县 left out is no figure moved (the subject in front of a count is not its name)
    assert figure_moved(s, "在11个乡镇建成专职消防队和微型消防站89个，基本实现“1分钟响应、3分钟到场”。") == ""
    assert (
        figure_moved(s, "专职消防队和微型消防站89个已在乡镇11个建成，基本实现“1分钟响应、3分钟到场”。") == ""
    )
    assert (
        figure_moved(s, "在89个乡镇建成专职消防队和微型消防站11个，基本实现“1分钟响应、3分钟到场”。")
        == "11个"
    )


def test_a_move_toward_something_is_said_of_what_moves() -> None:
    from assistant.rewrite_methods import said_of_object

    s = "我们推动基层科协组织向企业和园区延伸，新建企业科协17家。"
    assert said_of_object(s) == "基层科协组织加快向企业和园区延伸，新建企业科协17家。"
    assert said_of_object("推动优质医疗资源向基层下沉。") == "优质医疗资源加快向基层下沉。"
    assert said_of_object("推动改革向纵深发展。") == "推动改革向纵深发展。"  # (not a move of the list)


def test_a_rate_made_a_share_of_something_is_a_figure_moved() -> None:
    from assistant.rewrite_methods import figure_moved

    s = "单颗常规种植牙总费用平均降幅达55％，口腔服务已告别“万元”时代。"
    # (the sample writes % for the original's ％: the same figure)
    assert figure_moved(s, "55%的常规种植牙总费用平均降幅，口腔服务告别“万元”时代。") == "55％"
    assert figure_moved(s, "常规种植牙总费用实现55%的平均降幅，口腔服务告别“万元”时代。") == ""
    assert figure_moved("化解率达到95.7%。", "实现95.7%的化解率。") == ""


def sample_problem(original: str, new: str, bureau: bool = True) -> str:
    """Why candidate_problem rejects `new` as a new wording of `original` ("" = it passes)."""
    from assistant.rewrite_methods import Ctx, candidate_problem, numbers_in

    ctx = Ctx(model=None, system="", keep=numbers_in(original), allowed=set(numbers_in(original)))  # type: ignore[arg-type]
    ctx.memo["bureau"] = bureau
    return candidate_problem(ctx, "reword", original, original, new, 1.0)


def test_a_one_fact_sentence_is_said_anew_not_padded() -> None:
    s = "森林抚育面积达1.1万亩以上。"
    assert sample_problem(s, "森林抚育面积已经超过了1.1万亩以上。")  # 超过…以上: qualified twice
    assert not sample_problem("馆藏档案数字化率达到78%。", "馆藏档案数字化比例为78%。").startswith("metric")
    assert sample_problem("馆藏档案数字化率达到78%。", "馆藏档案数字化程度为78%。").startswith("metric")
    # a metric's name with no verb: after its figure, or a piece of it left as a clause
    assert sample_problem(s, "1.1万亩以上的森林抚育面积。").startswith("broken clause")
    assert sample_problem("馆藏档案数字化率达到78%。", "档案的数字化率已达78%，馆藏档案。").startswith(
        "broken"
    )
    assert not sample_problem(s, "完成森林抚育1.1万亩以上。")
    assert not metric_astray("全年市属国企资产总额达到684亿元。", "全年，市属国企资产总额达到684亿元。")


def test_a_figure_keeps_the_whole_name_of_what_it_counts() -> None:
    s = "农村自来水普及率达到98.6%，较上年提高1.4个百分点，规模化供水工程覆盖人口近46万人。"
    cut = "农村自来水普及率比上年提升1.4个百分点，至98.6%，覆盖人口近46万人。"  # now the 普及率's
    assert sample_problem(s, cut) == "metric lost 规模化供水工程"
    assert not figure_name_cut(
        s, "规模化供水工程覆盖近46万人口，农村自来水普及率比上年提升1.4个百分点至98.6%。"
    )
    # a place name cut short is another unit (嵖溧市 → 溧市: a rare character dropped)
    unit = "嵖溧市水利局深入推进农村供水保障工程，全年投入资金1.36亿元。"
    assert (
        sample_problem(unit, "溧市水利局积极投入资金1.36亿元，扎实推进农村供水保障工程。") == "unit renamed"
    )


def test_a_list_keeps_its_verb_and_the_unit_stays_the_doer() -> None:
    s = "岈洧区体育局持续完善全民健身公共服务体系，新建社区多功能运动场17个、健身步道26.5公里。"
    alone = "岈洧区体育局持续完善全民健身公共服务体系，健身步道26.5公里，新建17个社区多功能运动场。"
    assert sample_problem(s, alone) == "figure moved 健身步道26.5公里"  # the 步道 no longer new
    assert not list_item_alone(s, s.replace("、", "，"))  # 、 written as ，: the list as it was
    place = "全民健身公共服务体系在岈洧区体育局不断健全，新建社区多功能运动场17个、健身步道26.5公里。"
    assert sample_problem(s, place) == "broken construction"
    assert not unit_as_place(
        "本人自担任滹岱县退役军人事务局局长以来。", "在担任滹岱县退役军人事务局局长以来。"
    )


def test_a_named_one_fact_sentence_is_shown_one_fact_examples(fake_chat) -> None:
    text = "全年完成营造林2.3万亩，林区防火形势总体平稳。森林抚育面积达1.1万亩以上。"
    fake_chat.enqueue("完成森林抚育1.1万亩以上。")
    res = rewrite_text(get_settings(), text, "第二句换个说法", model=fake_chat, seed=1)
    assert res.passed and res.text.endswith("完成森林抚育1.1万亩以上。"), res.problems
    shown = " ".join(m.content for m in fake_chat.calls[0])
    assert "全县养老机构共有床位4200张" in shown


def test_a_spoken_sentence_may_lose_its_filler_not_its_facts() -> None:

    s = "然后就业这块，我们办了8场专场招聘会，帮助460名退役军人找到了工作。"
    assert (
        sample_problem(s, "举办8场专场招聘会，助力460名退役军人找到了工作。") == ""
    )  # (the topic clause is filler)
    assert sample_problem(s, "举办8场招聘会。").startswith(("numbers", "too short"))
    t = "还有就是优抚金，我们全年发了5600万元，都是按时足额发到位的，所以大家的满意度还是挺高的。"
    # 都是按时足额 said as 全部按时足额 claims nothing new; cutting it does lose a fact
    assert sample_problem(t, "此外，优抚金年内已发放5600万元，全部按时足额发放到位，群众满意度较高。") == ""
    assert sample_problem(t, "今年已发放5600万元优抚金，满意度很高。") == "too short"


def test_checks_from_reading_the_session_10_blind_run() -> None:
    """Each passed every check in a blind run and was wrong."""
    from assistant.rewrite_methods import (
        change_moved,
        count_noun_changed,
        lost_metric,
    )

    # a growth said of the figure before it moved to another figure
    s = "全年开展困难职工帮扶慰问1850人次，发放帮扶资金286万元，同比增长9.4%。"
    assert change_moved(s, "年内组织困难职工帮扶慰问1850人次，同比增长9.4%，发放帮扶资金286万元。") == "9.4%"
    assert change_moved(s, "年内组织帮扶慰问1850人次，发放帮扶资金同比增长9.4%至286万元。") == ""
    assert (
        change_moved("收缴易地建设费1260万元，较上年增长7.9%。", "易地建设费较上年增长7.9%，达1260万元。")
        == ""
    )
    # a count said of another thing the text counts (居民 for 户 is no other thing)
    t = "全年走访民营企业300多家，协调解决融资、用工这些问题80多个。"
    assert count_noun_changed(t, "走访300多家民营企业，协助80多个企业解决融资和用工难题。") == "80多个"
    assert count_noun_changed(t, "走访300多家民营企业，协调解决80多个融资、用工问题。") == ""
    assert count_noun_changed("春节期间看望了3200多户。", "春节期间共探访3200多户居民。") == ""
    # a metric named before its change, lost (全县固定资产投资 → 投资总额); another year; a figure in words
    u = "全县固定资产投资同比增长8.3%，增速居全市第二位。"
    assert lost_metric(u, "县内投资总额同比增长8.3%，位居全市第二位。") == "全县固定资产投资"
    assert lost_metric(u, "全县固定资产投资比上年增长8.3%，位居全市第二位。") == ""
    assert sample_problem(u, "去年，全县固定资产投资比上年增长8.3%，位居全市第二位。") == "new period"
    v = "会员企业有1200家左右，比去年多了一成多。"
    assert sample_problem(v, "会员企业约1200家，比去年增长了三分之一。") == "numbers"


def test_compress_keeps_a_growth_with_the_figure_it_measures(fake_chat) -> None:
    text = (
        "（二）帮扶职工“暖人心”。县总工会坚持把服务职工作为工作主线，持续深化“工会进万企”行动。"
        "全年开展困难职工帮扶慰问1850人次，发放帮扶资金286万元，同比增长9.4%。"
        "职工法律援助案件办结率达到100%。"
    )
    moved = "开展帮扶慰问1850人次，同比增长9.4%，发放资金286万元。"  # shorter, every figure, the growth moved
    fake_chat.enqueue(*[moved] * 8)
    res = rewrite_text(get_settings(), text, "压缩到80字", model=fake_chat, seed=1)
    assert "1850人次，同比增长9.4%" not in res.text
    assert "286万元，同比增长9.4%" in res.text


def test_checks_from_reading_session_10_s_second_blind_run() -> None:
    from assistant.rewrite_methods import (
        change_to,
        count_noun_changed,
        formal_words,
        mend_qualifiers,
    )

    # a count said after another thing of the list (银行网点8家 → 窗口8家)
    s = "我们将服务窗口延伸至乡镇14个、银行网点8家，办理时限压缩至1个工作日以内。"
    assert count_noun_changed(s, "将银行网点延伸至乡镇14个、窗口8家，办理时限压缩至1个工作日内。") == "8家"
    assert count_noun_changed(s, "服务窗口延伸至14个乡镇、8家银行网点，办理时限压缩至1个工作日内。") == ""
    # the work given to another body; 我局 for a 中心's text; a qualifier said twice; 基本都 is no 全部
    assert (
        sample_problem("县文联争取文化项目扶持资金约190万元。", "县政府积极争取文化项目扶持资金约190万元。")
        == "unit renamed"
    )
    assert (
        sample_problem("我们走进学校、社区开展活动62场。", "我局走进学校、社区开展活动62场。", bureau=False)
        == "unit renamed"
    )
    assert sample_problem("成交金额比去年涨了9.3%左右。", "成交金额比去年增长约9.3%左右。") == "numbers"
    assert (
        sample_problem("全年受理投诉37件，基本都办结了。", "年内共受理投诉37件，已全部办结。")
        == "claims a result"
    )
    # code keeps a qualifier with its figure, says 搞了个 and 差不多860个 formally, and 突破 as the 超过 it was
    assert change_to("争取项目资金约560万元，同比增长11.2%。") == "争取项目资金同比增长11.2%至约560万元。"
    assert formal_words("我们搞了个“保证金减负”行动，交易项目差不多860个。").count("开展") == 1
    assert "约860个" in formal_words("交易项目差不多860个。")
    assert mend_qualifiers("粉丝总量超过58万人。", "粉丝总量突破58万人。") == "粉丝总量超过58万人。"


def test_a_list_of_counts_each_with_its_own_figure_is_no_sum() -> None:
    from assistant.rewrite_methods import figure_moved

    s = "新建地震预警终端46个、宏观观测点12个，台网运行率达到99.2%。"
    assert figure_moved(s, "新建46个地震预警终端和12个宏观观测点，台网运行率达99.2%。") == ""
    # a figure that sums its list still keeps every item of it
    assert figure_moved("发放城乡低保金、特困供养金1.38亿元。", "发放特困供养金1.38亿元。") == "1.38亿元"


def test_a_short_head_of_a_long_sentence_joins_the_next_group() -> None:
    from assistant.rewrite_methods import long_chunks

    s = "今年以来，杉浦市防震减灾服务中心持续加强监测预警能力建设，新建地震预警终端46个、宏观观测点12个，台网运行率达到99.2%。"
    chunks = long_chunks(s, 40, 24)
    assert chunks[0].startswith("今年以来，杉浦市") and "，".join(chunks) == s


def test_a_clause_left_hanging_on_a_preposition_is_broken() -> None:
    s = "我们将服务窗口延伸至乡镇14个、银行网点8家，网上办理率达到85.3%。"
    assert (
        sample_problem(s, "将乡镇14个、银行网点8家的服务窗口延伸至，网上办理率达到85.3%。") == "broken tail"
    )
    assert sample_problem(s, "服务窗口延伸至乡镇14个、银行网点8家，网上办理率达到85.3%。") != "broken tail"


def test_a_named_sentence_said_in_groups_is_joined_from_the_newest_wordings(
    strict_reword_bounds: None,
) -> None:
    """The groups picked one by one (a copy, a reworded one) are not new enough as a sentence; the last
    group's near wording makes it so, and every joined sentence is checked whole (one with a new 余 is
    not taken, though it changed more)."""
    from assistant.rewrite_kinds import SENTENCE_MAX_SIMILARITY, change_similarity
    from assistant.rewrite_methods import Ctx, _newest_join, long_chunks, numbers_in

    s = (
        "我们深入开展“文艺轻骑兵·送戏下乡”活动，组织文艺小分队走进偏远乡村巡回演出74场，"
        "惠及基层群众超过4.2万人次，群众满意度达到96.5%。"
    )
    chunks = long_chunks(s, 40, 24)
    assert len(chunks) == 3
    ctx = Ctx(model=None, system="", keep=numbers_in(s), allowed=set(numbers_in(s)))  # type: ignore[arg-type]
    middle = "组织文艺小分队深入偏远乡村开展巡回演出74场"
    stray = "4.2万余人次基层群众从中受益，满意度达96.5%。"
    good = "超过4.2万人次基层群众从中受益，群众满意度达96.5%。"
    ctx.memo["near"] = {1001: [middle], 1002: [stray, good]}
    pieces = [chunks[0], middle, chunks[2]]
    assert change_similarity(s, "，".join(pieces)) >= SENTENCE_MAX_SIMILARITY
    got = _newest_join(ctx, s, chunks, [1000, 1001, 1002], pieces, "")
    assert got.endswith("，" + middle + "，" + good)  # (the first group as written, or code's words for it)
    assert change_similarity(s, got) < SENTENCE_MAX_SIMILARITY


def test_formal_words_say_a_change_by_its_size_and_parts_of_work_formally() -> None:
    from assistant.rewrite_methods import formal_words

    assert formal_words("群众的投诉也少了很多。") == "群众的投诉也明显减少。"  # (not 少了大量)
    assert formal_words("办事效率快了不少。") == "办事效率明显加快。"
    assert "主要开展了两方面工作" in formal_words("今年主要搞了两块工作，一块是帮企业纾困。")
    assert formal_words("很多群众受益。") == "大量群众受益。"  # 很多 before a noun as before
    # spoken words a formal sample had kept (A/B run, labelled): 说实话, 琢磨, 乡亲们, 一年下来, 基本上
    assert (
        formal_words("说实话，我们一年下来琢磨了不少办法，帮乡亲们增收。")
        == "我们全年研究了较多办法，帮群众增收。"
    )


def test_the_whole_county_is_no_place_and_recent_years_are_no_this_year() -> None:
    from assistant.rewrite_methods import renamed_unit

    s = "组织文艺小分队走进全县各村社巡回演出74场。"
    assert not renamed_unit(s, "组织文艺小分队深入全县各村社开展巡回演出74场。")
    assert renamed_unit("蓉江市商务局开展活动。", "成都市商务局开展活动。")  # another place still is
    s = "今年以来，防震减灾服务中心持续加强监测预警能力建设，新建预警终端46个。"
    assert (
        sample_problem(s, "近年来，防震减灾服务中心不断强化监测预警能力建设，新建预警终端46个。")
        == "new period"
    )


def test_a_problem_eased_is_not_said_solved_and_reached_keeps_its_grammar() -> None:
    from assistant.rewrite_methods import reword_words

    s = "推动民生档案就近可查，群众查档“多头跑”问题得到有效缓解。"
    assert (
        sample_problem(s, "推进民生档案就近可查，群众查档“多头跑”问题已得到切实解决。") == "claims a result"
    )
    assert "达了" not in reword_words("馆藏档案数字化率已经达到了78%。", "馆藏档案数字化率达到78%。")
    assert reword_words("馆藏档案数字化率达到78%。") == "馆藏档案数字化率达78%。"


def test_a_change_said_from_last_years_side_is_turned_round() -> None:
    s = "参与群众超过3.8万人次，比去年多了两成左右。"
    assert sample_problem(s, "超过3.8万人次群众参与，去年比今年少了两成左右。") == "direction reversed"
    assert sample_problem(s, "参与群众超过3.8万人次，较去年增加两成左右。") != "direction reversed"


def test_spoken_hedges_and_approximate_counts_said_formally() -> None:
    from assistant.rewrite_methods import Ctx, candidate_problem, formal_words, numbers_in

    s = "大概算了一下，全年一共组织了活动差不多140多场，撮合贷款差不多4.5亿元。"
    formal = formal_words(s)
    assert formal.startswith("大致算了一下") and "140余场" in formal and "约4.5亿元" in formal
    ctx = Ctx(model=None, system="", keep=numbers_in(s), allowed=set(numbers_in(s)))  # type: ignore[arg-type]
    new = "大致算了一下，全年共组织了各类活动140余场，撮合贷款约4.5亿元。"
    assert candidate_problem(ctx, "formal", s, formal, new, 0.95) == ""
    # a doubled qualifier in words, and a time said after its sentence, are no wording
    assert sample_problem("参与群众比去年多了两成左右。", "参与群众较去年增加约两成左右。") == "numbers"
    s = "一年来我共走访慰问重点优抚对象320余户。"
    assert sample_problem(s, "共走访慰问320余户重点优抚对象一年来。") == "broken tail"


def test_a_sentences_facts_are_moved_once_so_the_new_order_search_ends(
    monkeypatch, strict_reword_bounds: None
) -> None:
    """A blind run hung here: a sentence's facts moved, then moved back, for ever (the text never got
    new enough). Each sentence is now moved once."""
    from assistant import rewrite_methods as m
    from assistant.rewrite_kinds import parse_parts

    calls = []

    def swap(original: str, new: str, max_sim: float) -> str:
        calls.append(new)
        assert len(calls) < 50, "the search does not end"
        a, _, b = new.rstrip("。").partition("，")
        return f"{b}，{a}。"

    monkeypatch.setattr(m, "order_clauses", swap)
    monkeypatch.setattr(m, "change_similarity", lambda a, b: 0.8)  # never new enough as a whole
    monkeypatch.setattr(m, "order_free_similarity", lambda a, b: 0.5)
    monkeypatch.setattr(m, "candidate_problem", lambda *a, **k: "")
    monkeypatch.setattr(m, "_measures_moved", lambda parts, out, target: list(out))
    parts = parse_parts("全年新建农田4.2万亩，粮食产量18.5万吨。培训农民320人次，满意度96%。")
    out = m._new_order_where_needed(None, parts, list(parts.sentences))  # type: ignore[arg-type]
    assert out == ["粮食产量18.5万吨，全年新建农田4.2万亩。", "满意度96%，培训农民320人次。"]
    assert len(calls) == 3  # two sentences tried, then the one left


def test_checks_from_the_second_blind_run_of_session_11() -> None:
    s = "我们压紧压实企业主体责任，全市生产安全事故起数和死亡人数同比分别下降18.2%和21.4%，未发生较大以上事故。"
    cut = "压紧压实企业主体责任，全市生产安全事故起数和死亡人数同比分别下降18.2%，同比减少21.4%，未发生较大以上事故。"
    assert sample_problem(s, cut) == "numbers"  # a 分别 list cut in two
    duty = "企业主体责任必须严格压实，全市生产安全事故起数和死亡人数同比分别下降18.2%和21.4%，未发生较大以上事故。"
    assert sample_problem(s, duty) == "hedged"  # work done made a duty
    assert sample_problem("全年接待游客486万人次。", "486万人次年内共接待游客。") == "broken order"
    s = "围绕“四好农村路”建设，新改建农村公路186公里。"
    assert (
        sample_problem(s, "聚焦“四好农村路”建设，新改建农村公路186公里，农村公路建设明显加强。")
        == "claims a result"
    )


def test_a_text_already_formal_takes_the_wording_that_changes_it_enough(fake_chat) -> None:
    """Each sentence gets its most faithful passing wording; where a text already formal then changes
    too little as a whole, a sentence's other wording (passing every check) is taken instead."""
    s0 = "全县储备规模稳定在6.5万吨以上。"
    text = f"（一）守牢粮仓“压舱石”。{s0}全县收购农户余粮3.2亿斤，同比增长6.7%，有效维护了种粮农民利益，粮食安全保障能力明显增强。"
    fake_chat.enqueue(
        s0,
        s0,
        s0,
        "全县收购农户余粮3.2亿斤，同比增长6.7%，有效维护种粮农民利益，粮食安全保障能力显著增强。",
        "全县共收购农户余粮3.2亿斤，同比增长6.7%，切实保障种粮农民合法权益，粮食安全保障水平全面提升。",
    )
    res = rewrite_text(get_settings(), text, "改得更正式一些", model=fake_chat, seed=1)
    assert res.passed and "切实保障种粮农民合法权益" in res.text, res.problems
    assert len(fake_chat.calls) == 5  # a second wording was asked for although the first passed


def test_spoken_notes_made_formal_keep_their_hedges_and_lose_their_particles() -> None:
    from assistant.rewrite_methods import formal_words

    s = "我们商务局今年这块主要就是抓电商和消费。然后消费券也发了两轮，一共拉动消费估计有1.2个亿吧。"
    assert formal_words(s) == "我们商务局今年主要抓电商和消费。随后消费券也发放两轮，一共拉动消费约1.2亿。"
    hedged = "村里的快递点现在基本上都有了，覆盖率到了九成多。"
    assert sample_problem(hedged, "村里的快递点现在均已建成，覆盖率到了九成多。") == "claims a result"
    assert sample_problem(hedged, "大部分村里都建起了快递点，覆盖率达到九成多。") != "claims a result"
    # 今年 said as 去年 (在去年，…) is another period, even where 去年 is compared with later on
    assert (
        sample_problem("我们商务局今年主要抓电商和消费。", "在去年，商务局主要抓电商和消费。") == "new period"
    )


def test_a_place_name_garbled_by_one_character_is_put_back() -> None:
    from assistant.rewrite_methods import mend_fixed, reword_words

    o = "崆瀍县粮食和物资储备局始终把保障粮食安全作为首要职责。"
    assert mend_fixed(o, "年内，崆山县粮食和物资储备局始终将保障粮食安全作为首要职责。").startswith(
        "年内，崆瀍县粮食"
    )
    assert mend_fixed(o, "成都市粮食和物资储备局始终将保障粮食安全作为首要职责。").startswith(
        "成都市"
    )  # another place
    # the unit with its place that opened the sentence, dropped by the sample, goes back in front of
    # the clause it opened (blind run 13), not in front of a later one, nor before 我
    plan = "明年，嵯湜区农业农村局将坚持稳产保供与产业增效并重，力争粮食总产量达到18.6万吨。"
    assert mend_fixed(plan, "明年，将稳产保供与产业增效相结合，力争粮食总产量达18.6万吨。") == (
        "明年，嵯湜区农业农村局将稳产保供与产业增效相结合，力争粮食总产量达18.6万吨。"
    )
    quake = "今年以来，杉浦市防震减灾服务中心持续加强监测预警能力建设，新建地震预警终端46个。"
    assert mend_fixed(quake, "今年以来，新建地震预警终端46个。") == "今年以来，新建地震预警终端46个。"
    assert mend_fixed(plan, "我将坚持稳产保供与产业增效并重。") == "明年，我将坚持稳产保供与产业增效并重。"
    assert reword_words("全面完成国企改革深化提升行动年度任务。") == "全面完成国企改革深化提升行动年度任务。"
    # a verb before a unit is no place: the model's 推动 is not turned back into the writer's 推进
    v = "持续推进县级社会福利中心建设。"
    assert mend_fixed(v, "不断推动县级社会福利中心建设。") == "不断推动县级社会福利中心建设。"


def test_an_expand_point_is_one_sentence_beyond_its_hint(fake_chat) -> None:
    from assistant.rewrite_methods import _point_sentence

    hint = "强化督促检查，抓好问题整改"
    assert _point_sentence("强化督促检查，抓好问题整改。严格落实储备轮换政策，定期抽查库存质量。", hint) == (
        "严格落实储备轮换政策，定期抽查库存质量。"
    )
    assert (
        _point_sentence("建立库存监测机制，二是定期开展质量检查。", hint)
        == "建立库存监测机制，定期开展质量检查。"
    )


def test_a_heading_on_another_matter_is_no_candidate(fake_chat) -> None:
    from assistant.rewrite_methods import off_topic_heading

    body = "县邮政管理局深入推进快递进村工程，建成村级寄递物流综合服务站186个。行业安全形势总体平稳。"
    assert off_topic_heading("织密参保，守牢救助", body) == ["参保", "救助"]  # a 医保 heading
    assert not off_topic_heading("快递进村，安全寄递", body) and not off_topic_heading(
        "强化监管，守牢底线", body
    )
    fake_chat.enqueue("织密参保，守牢救助", "快递进村，便民寄递", "畅通寄递，服务群众")
    res = rewrite_text(
        get_settings(),
        "（一）畅通寄递“最后一公里”。" + body,
        "把标题改成对仗的八字句",
        model=fake_chat,
        seed=1,
    )
    assert res.passed and "参保" not in res.text, res.problems


def test_an_expand_point_says_what_was_done_not_a_plan(fake_chat) -> None:
    short = (
        "（一）畅通寄递“最后一公里”。县邮政管理局全年建成村级寄递物流综合服务站186个。行业安全形势总体平稳。"
    )
    fake_chat.enqueue(
        "我们将完善寄递安全监管机制，明确各环节的责任分工，确保寄递服务质量和安全。",
        "严格督促快递企业网点开展自查自纠，逐一落实整改措施，守牢寄递安全底线。",
    )
    res = rewrite_text(get_settings(), short, "扩写到100字", model=fake_chat, seed=1)
    assert "我们将" not in res.text and "自查自纠" in res.text


def test_a_garbled_name_or_a_word_twice_is_no_wording(fake_chat) -> None:
    from assistant.rewrite_methods import garbled

    assert garbled("嵝浈县侨联坚持以侨为桥。", "leo县侨联坚持以侨为桥。")
    assert garbled("走访慰问归侨侨眷430余户。", "走访慰问430余户侨眷侨眷。")
    assert not garbled("依托“柘川供销e站”拓宽渠道。", "借助“柘川供销e站”拓宽渠道。")
    s = "我们组建网络评论员队伍320人，举办网络文明主题活动48场，线上参与人数超过65万人次。"
    # one count made the other's: 65万人次 now describes the 320 评论员
    assert (
        sample_problem(s, "线上参与人数超过65万人次的320名网络评论员队伍举办48场网络文明主题活动。")
        == "figure moved"
    )
    # a sum made the doer of its own verb
    paid = "县侨联全年走访慰问归侨侨眷430余户，发放慰问金约26万元。"
    assert sample_problem(paid, "县侨联年内走访慰问430余户归侨侨眷，约26万元发放慰问金。") == "broken order"
    # a figure's unit lost (5个百分点 → 5), and a unit left as a clause of its own
    share = "其中产业项目资金占比达到62%，比上年提高5个百分点。"
    assert sample_problem(share, "其中产业项目资金占比比上年提升5至62%。") == "numbers"
    lone = "岜渫县乡村振兴局健全防止返贫动态监测机制，全年新识别监测对象312户，风险消除率达到87.4%。"
    assert (
        sample_problem(
            lone,
            "防止返贫动态监测机制进一步健全，岜渫县乡村振兴局，年内新识别监测对象312户，风险消除率已达87.4%。",
        )
        == "broken clause"
    )
    # compress: a tightened sentence with letters in it is not taken
    text = "（二）凝聚侨心“汇侨力”。嵝浈县侨联坚持以侨为桥、为侨服务，全年走访慰问归侨侨眷及海外侨胞亲属430余户，发放慰问金约26万元。我们新建基层侨联组织5个。"
    fake_chat.enqueue("leo县侨联走访慰问归侨侨眷及海外侨胞亲属430余户，发放慰问金约26万元。")
    res = rewrite_text(get_settings(), text, "压缩到60字左右", model=fake_chat, seed=1)
    assert "leo" not in res.text


def test_a_degree_the_writer_did_not_claim_is_no_rewording() -> None:
    s = "网上舆论生态持续向好。"
    assert sample_problem(s, "网上舆论生态明显向好。") == "stronger claim"
    assert (
        sample_problem("妇女儿童的幸福感、安全感不断提升。", "妇女儿童的幸福感、安全感全面提升。")
        == "stronger claim"
    )
    # a degree the writer gave may be said another way; a scope already whole may be 全面
    assert sample_problem("群众满意度明显提高。", "群众满意度显著提升。") != "stronger claim"
    assert (
        sample_problem("图书馆分馆实现村（社区）全覆盖。", "图书馆分馆全面覆盖村（社区）。")
        != "stronger claim"
    )
    assert (
        sample_problem("全县公民具备科学素质比例达到13.2%。", "全县具备科学素质的公民比例达到13.2%。")
        != "stronger claim"
    )  # (素质的)


def test_orders_that_leave_a_name_a_count_or_a_place_with_no_verb_are_broken() -> None:
    s = "岍湄县文物局扎实开展“文物安全守护行动”，全年巡查各级文物保护单位186处次。"
    assert (
        sample_problem(s, "“文物安全守护行动”县文物局年内共巡查各级文物保护单位186处次。") == "broken order"
    )
    assert sample_problem(
        "我们组织招商小分队赴外地开展专题招商27次。", "27次专题招商小分队赴外地进行组织。"
    ) == ("broken order")
    one = "全区共有离退休干部2360人。"
    assert sample_problem(one, "2360名离退休干部在全区共有。") == "broken tail"
    assert sample_problem(one, "2360名离退休干部在全区。") == "broken tail"
    assert sample_problem(one, "全区离退休干部共2360人。") == ""
    s = "我们组织开展民族团结宣传月活动56场次，覆盖群众3.4万人次。"
    assert sample_problem(s, "56场次民族团结宣传月活动，覆盖群众3.4万人次。") == "broken clause"


def test_money_that_came_in_is_not_said_to_go_out() -> None:
    from assistant.rewrite_methods import money_reversed

    s = "我们积极争取上级文物保护资金1850万元，完成古建筑修缮项目9个。"
    turned = "我们主动承担1850万元上级文物保护资金，共9个古建筑修缮项目已完成。"
    assert money_reversed(s, turned) == "1850万元"
    assert sample_problem(s, turned).startswith("figure moved")
    assert money_reversed(s, "共争取上级文物保护资金1850万元，9个古建筑修缮项目顺利完工。") == ""
    assert money_reversed("全年投入资金1.36亿元。", "年内共安排资金1.36亿元。") == ""  # out stays out


def test_a_units_name_is_kept_whole_by_code_and_put_back_when_cut() -> None:
    from assistant.rewrite_methods import formal_words, mend_fixed, reword_words

    s = "嵚澧县投资促进局坚持把招商引资作为“一号工程”，全年新签约亿元以上项目43个。"
    assert "嵚澧县投资促进局" in reword_words(s)  # 促进 → 推动 is no swap inside the name
    assert mend_fixed(s, "津县投资促进局将招商引资作为“一号工程”。").startswith("嵚澧县投资促进局将")
    # (县… is its short form, but a rewording names the unit as the writer did)
    assert mend_fixed(s, "由县投资促进局牵头招商。") == "由嵚澧县投资促进局牵头招商。"
    assert reword_words("今年全年走访慰问老干部1480人次。") == "今年全年走访慰问老干部1480人次。"
    assert formal_words("今年全年走访慰问老干部1480人次。") == "全年走访慰问老干部1480人次。"


def test_a_heading_half_padded_to_four_characters_is_no_word() -> None:
    from assistant.rewrite_methods import Ctx, odd_heading_words

    class Vocab:  # a model's own tokenizer: a common word is one token
        words = frozenset({"初心", "守护", "知识", "产权", "服务"})

        def tokenize(self, text: str) -> list[int]:
            return [1] if text in self.words else [1] * len(text)

    text = "（三）知识产权“护创新”。嶂淏县知识产权局坚持保护与运用并重。"
    ctx = Ctx(model=Vocab(), system="", keep=[], allowed=set())  # type: ignore[arg-type]
    assert odd_heading_words(ctx, "知识产权，护创新与", text) == ["新与"]
    assert odd_heading_words(ctx, "知识产权，守护初心", text) == []
    assert odd_heading_words(ctx, "保护运用，强基固本", text) == []  # the text's words and stock ones
    # words the model's tokenizer splits but the dictionary holds (blind run 10: 护路, 管好)
    assert odd_heading_words(ctx, "护路管好，知识产权", text) == []
    assert odd_heading_words(ctx, "部心管好，知识产权", text) == ["部心"]
    # a backend with no tokenizer of its own writes free (no grammar): nothing to judge
    assert odd_heading_words(Ctx(model=object(), system="", keep=[], allowed=set()), "护创新与", text) == []  # type: ignore[arg-type]


def test_an_expand_point_states_no_routine_or_count_nobody_gave() -> None:
    from assistant.rewrite_methods import invented_routine

    text = "我们组织招商小分队赴外地开展专题招商27次。"
    assert invented_routine(text, "把招商小分队的行程纳入日常工作计划，每季度组织一次专题招商会议。")
    assert invented_routine(text, "各科室对招商项目进行一次自查，形成自查报告。")
    assert not invented_routine(text, "加强招商宣传，提高招商引资的知名度和吸引力。")
    assert not invented_routine(
        "我坚持每季度深入基层联系点调研。", "每季度梳理调研发现的问题，逐项推动解决。"
    )


def test_a_counts_measure_and_thing_are_kept() -> None:
    from assistant.rewrite_methods import measure_lost

    s = "全年巡查各级文物保护单位186处次，排查整改安全隐患27处。"
    assert (
        measure_lost(s, "全年巡查文物保护单位186处，排查整改安全隐患27处。") == "186处次"
    )  # visits are no sites
    assert measure_lost(s, "年内共巡查文物保护单位186处次，整改隐患27处。") == ""
    signed = "全年新签约亿元以上项目43个，协议总投资达到186亿元。"
    assert measure_lost(signed, "招商引资全年新签约43个，协议总投资186亿元。") == "项目43个"
    assert measure_lost(signed, "全年新签约43个亿元以上项目，协议总投资186亿元。") == ""
    assert measure_lost("全年进场交易项目差不多860个。", "全年进场交易项目约860个。") == ""
    assert sample_problem(s, "年内共巡查各级文物保护单位186处，排查整改安全隐患27处。").startswith(
        "figure moved"
    )


def test_a_level_is_not_said_as_reached_by_a_rise_nobody_reported() -> None:
    assert sample_problem("馆藏档案数字化率达到78%。", "档案数字化率提升至78%。") == "claims a change"
    s = "全年市属国企资产总额达到684亿元，同比增长8.7%。"  # (a rise the writer gave: said either way)
    assert sample_problem(s, "年内市属国企资产总额同比增长8.7%至684亿元。") != "claims a change"


def test_a_rates_points_said_short_get_their_unit_back() -> None:
    from assistant.rewrite_methods import mend_qualifiers

    s = "畜禽粪污综合利用率提高2.6个百分点至83.5%。"
    assert (
        mend_qualifiers(s, "畜禽粪污综合利用率提升2.6个点至83.5%。")
        == "畜禽粪污综合利用率提升2.6个百分点至83.5%。"
    )
    assert mend_qualifiers("新设监测点12个。", "新设12个点位。") == "新设12个点位。"


def test_blind_run_6_orders_scopes_and_verbs() -> None:
    from assistant.rewrite_methods import reword_words

    # 深入乡村 is a verb (went into the villages): no 扎实乡村
    s = "教师深入乡村开展理论宣讲210场次。"
    assert "深入乡村" in reword_words(s)
    assert reword_words("深入推进航道整治。") != "深入推进航道整治。"
    # a spoken topic moved to the end, a bare verb after its fronted object, a count before its verb
    spoken = "然后机收这块，小麦机收率大概到了98%，玉米也差不多九成了。"
    assert (
        sample_problem(spoken, "小麦机收率大概到了98%，玉米也差不多九成了，然后机收这块。") == "broken order"
    )
    raised = "其中，慈善一日捐活动募集资金1120万元。"
    assert sample_problem(raised, "1120万元慈善一日捐活动筹集了。") == "broken order"
    tried = "全院全年受理各类案件8460件，审结8120件，结案率达到96%。"
    assert sample_problem(tried, "年内共受理8460件各类案件、8120件审结，结案率达96%。") == "broken order"
    # the county made the year
    port = "全县港口货物吞吐量达到1240万吨，同比增长9.7%。"
    assert sample_problem(port, "全年港口货物吞吐量达到1240万吨，同比增长9.7%。") == "new period"
    assert sample_problem(port, "港口货物吞吐量达1240万吨，比上年增长9.7%。") != "new period"


def test_of_two_passing_wordings_the_one_the_model_reads_as_garbled_goes(scoring_chat) -> None:
    from assistant.rewrite_methods import (
        READS_WORSE,
        SURPRISE_HEAD,
        Ctx,
        candidate_problem,
        fluent_first,
        numbers_in,
        reads_worse,
    )

    before = "全区共有离退休干部2360人。"
    s = "我们积极争取上级文物保护资金1850万元，完成古建筑修缮项目9个。"
    good = "古建筑修缮项目9个已完成，累计争取上级文物保护资金1850万元。"
    # every fact kept, every pattern check passed (blind run 6): its clauses no longer join
    garbled = "争取文物保护资金1850万元，上级支持，9个古建筑修缮项目已经完成。"
    ctx = Ctx(model=scoring_chat, system="", keep=numbers_in(s), allowed=set(numbers_in(s)))
    ctx.memo.update(body=before + s, bureau=True)
    assert candidate_problem(ctx, "reword", s, s, garbled, 0.7) == ""
    scoring_chat.surprises.update({s: 3.0, good: 3.0 + READS_WORSE - 0.2, garbled: 3.0 + READS_WORSE + 0.2})
    assert reads_worse(ctx, s, good) == ""
    assert reads_worse(ctx, s, garbled).startswith("reads worse (+1.20")
    # both read after the original's lines before it; the original scored once
    assert set(scoring_chat.scored) == {(SURPRISE_HEAD + before, t) for t in (s, good, garbled)}
    assert len(scoring_chat.scored) == 3
    assert fluent_first(ctx, s, [garbled, good]) == [good]
    # it ranks, it rejects nothing alone: a sentence whose every wording reads worse keeps them
    assert fluent_first(ctx, s, [garbled]) == [garbled]
    other = "争取上级资金1850万元，9个古建筑修缮项目，完成。"
    scoring_chat.surprises[other] = 3.0 + READS_WORSE + 0.5
    assert fluent_first(ctx, s, [garbled, other]) == [garbled, other]


def test_a_sentence_with_two_passing_wordings_gets_the_fluent_one(scoring_chat) -> None:
    from assistant.rewrite_kinds import RewriteSpec, parse_parts
    from assistant.rewrite_methods import Ctx, numbers_in, sentencewise

    s = "我们积极争取上级文物保护资金1850万元，完成古建筑修缮项目9个。"
    good = "古建筑修缮项目9个已完成，累计争取上级文物保护资金1850万元。"
    # every fact and word kept, every pattern check passed, more new than `good` (the pick's first
    # choice on its own): its objects fronted before bare verbs
    garbled = "古建筑修缮项目完成9个，上级文物保护资金1850万元积极争取。"
    # (and code's word swaps in it, 积极争取 → 主动争取)
    scoring_chat.surprises.update({s: 3.0, good: 3.5, "争取。": 4.5})
    picked = {}
    for first, second in ((garbled, good), (good, garbled)):
        model = scoring_chat.model_copy(update={"replies": None})
        model.replies = type(scoring_chat.replies)([first, second] * 4)
        ctx = Ctx(model=model, system="", keep=numbers_in(s), allowed=set(numbers_in(s)))
        events = sentencewise(ctx, parse_parts(s), RewriteSpec(kind="reword", sentence=0), 0)
        try:
            while True:
                next(events)
        except StopIteration as done:
            picked[first] = done.value
    assert picked == {garbled: good, good: good}


def test_with_no_model_to_score_a_wording_the_fluency_check_passes(fake_chat) -> None:
    from assistant import llm as llm_api
    from assistant.rewrite_methods import Ctx, reads_worse

    assert llm_api.surprise(fake_chat, "前文", "一句话。") is None  # (a remote endpoint, the fake)
    for model in (fake_chat, None):
        ctx = Ctx(model=model, system="", keep=[], allowed=set())  # type: ignore[arg-type]
        assert reads_worse(ctx, "全区共有离退休干部2360人。", "2360名离退休干部在全区共有。") == ""


def test_blind_run_7_faults_are_rejected() -> None:
    # a unit's own name after another word, its place made another's (巇沄区 → 水利部, 民生, 威津区)
    s = "巇沄区计量检定所聚焦民生计量，全年检定各类计量器具5.7万台件，同比增长9.4%。"
    for new in (
        "水利部计量检定所围绕民生计量，年内检定各类计量器具5.7万台件，同比增长9.4%。",
        "民生计量检定所年内检定各类计量器具5.7万台件，同比增长9.4%。",
        "威津区计量检定所年内检定各类计量器具5.7万台件，同比增长9.4%。",
    ):
        assert sample_problem(s, new) == "unit renamed", new
    assert (
        sample_problem(s, "年内，巇沄区计量检定所围绕民生计量检定各类计量器具5.7万台件，同比增长9.4%。") == ""
    )
    assert sample_problem(
        "我们峧澴市农机中心今年这块主要是抓了农机补贴和机收。", "我们坚决支持农机中心今年抓了农机补贴和机收。"
    )
    # the level reached made the start of a change, and a change said to reach a comparison
    s = "我们规范开展传染病监测报告，网络直报及时率达到99.7%，较上年提高0.8个百分点。"
    assert sample_problem(s, "规范传染病监测报告，网络直报及时率从99.7%提升至比上年0.8个百分点。")
    assert sample_problem(s, "规范传染病监测报告，网络直报及时率比上年提升0.8个百分点至99.7%。") == ""
    # who received it said to have done it
    s = "汛期我们累计发布水情预警信息46期，向防汛部门报送雨水情数据1.8万余条。"
    assert (
        sample_problem(s, "水情预警信息共发布46期，1.8万余条雨水情数据被防汛部门报送。")
        == "direction reversed"
    )
    assert (
        sample_problem(s, "汛期共发布水情预警信息46期，向防汛部门报送雨水情数据1.8万余条。")
        != "direction reversed"
    )
    # 平均 is no 均: a degree the writer did not claim
    s = "我们推动设立县级应急转贷资金池8000万元，平均节省融资成本约2.1个百分点。"
    assert (
        sample_problem(s, "设立县级应急转贷资金池8000万元，融资成本大幅下降，平均节省约2.1个百分点。")
        == "stronger claim"
    )
    # a 站/所/院/大队 of a place is a unit; 区域…站, 社区, 场所 name none
    from assistant.rewrite_kinds import UNIT_NAME

    assert UNIT_NAME.findall("嶝滍县水产技术推广站、县人民法院、霁川县消防救援大队") == [
        "县水产技术推广站",
        "县人民法院",
        "县消防救援大队",
    ]
    assert UNIT_NAME.findall("新建区域自动气象站27个，全市在册社区矫正对象412人，全县宗教活动场所41处") == []


def test_blind_run_8_faults_are_rejected() -> None:
    from assistant.rewrite_methods import formal_words

    s = "崌潏县城市供热管理中心全年完成供热管网改造28.6公里，新增集中供热面积74万平方米，全县集中供热总面积达到1160万平方米。"
    # a result said as what will be done; a clause that ends on 达 with nothing reached
    assert (
        sample_problem(
            s,
            "今年，崌潏县城市供热管理中心将完成28.6公里供热管网改造，新增集中供热面积74万平方米，全县集中供热总面积达1160万平方米。",
        )
        == "hedged"
    )
    assert (
        sample_problem(
            s,
            "年内，崌潏县城市供热管理中心完成28.6公里供热管网改造，新增74万平方米集中供热面积，1160万平方米集中供热总面积达。",
        )
        == "broken tail"
    )
    # the place torn from its 县 (a place inside a quoted brand is no place torn)
    s = "本人担任嵣湑县国家保密局局长以来，始终把守护国家秘密安全作为首要职责。"
    assert (
        sample_problem(s, "任嵣湑担任国家保密局局长期间，一贯将守护国家秘密安全置于首位。") == "unit renamed"
    )
    assert (
        sample_problem(s, "担任嵣湑县国家保密局局长以来，我一直将守护国家秘密安全作为首要职责。")
        != "unit renamed"
    )
    # a count in words is a figure too: 十来个 is not 十多个
    s = "还有就是建了十来个病虫害监测点，一年下来发了大概30期病虫情报。"
    assert (
        sample_problem(s, "每年发出约30期病虫情报，在一些地方建了十多个病虫害监测点。", bureau=False)
        == "numbers"
    )
    assert sample_problem(s, "建成十来个病虫害监测点，全年发布病虫情报约30期。", bureau=False) != "numbers"
    # a unit's 这块 in a spoken report is dropped, not made 方面
    assert (
        formal_words("我们嵑漴区植保站这块今年主要就是搞了病虫害防治。")
        == "我们嵑漴区植保站今年主要开展了病虫害防治。"
    )


def test_session_15_a_change_said_with_another_verb_of_its_direction_is_the_same_change() -> None:
    # (dev run: 较上年扩大4600亩 → 相比上年增长4600亩 was rejected as a figure on the wrong thing)
    from assistant.rewrite_methods import lost_clause

    o = "我们推广稻渔综合种养面积2.8万亩，较上年扩大4600亩，亩均增收约1300元。"
    assert sample_problem(o, "推广稻渔综合种养面积2.8万亩，相比上年增长4600亩，平均每亩增收约1300元。") == ""
    assert sample_problem(o, "推广稻渔综合种养面积2.8万亩，比上年减少4600亩，每亩增收约1300元。") != ""
    assert lost_clause("全县粮食播种面积较上年扩大1.2万亩。", "全县粮食播种面积比上年增加1.2万亩。") == ""


def test_session_15_a_grade_of_incident_and_a_count_in_issues_are_kept() -> None:
    # read in a dev run with the copy block: 较大以上 (a category of the law) made 重大及以上; 46期 made 46次
    o = "全年处置聚集性疫情14起，均在规定时限内得到有效控制，未发生较大以上突发公共卫生事件。"
    bad = "年内累计处理14起聚集疫情，均在规定的时限内得到切实遏制，未发生重大及以上突发公共卫生事件。"
    assert sample_problem(o, bad) == "grade changed"
    assert sample_problem("全年推进重大项目12个。", "年内推进12个重大项目。") == ""  # (重大项目: no grade)
    w = "汛期我们累计发布水情预警信息46期，向防汛部门报送雨水情数据1.8万余条。"
    assert sample_problem(w, "共发布46次水情预警信息，向防汛机构报送1.8万余条雨水情数据。") == "numbers"


def test_session_15_blind_run_9_reading_figures_traded_a_plan_and_a_nameless_figure() -> None:
    """Passing clause groups read in blind run 9 (own:108–109)."""
    # two figures of different units traded between their measures (a shared 公里 was a shared word)
    o = "实施路面预防性养护112公里，处治路面坑槽、裂缝等病害1.3万平方米"
    assert sample_problem(o, "道路预防性养护1.3万平方米，处治坑槽、裂缝病害112公里") == "figure moved 112"
    assert sample_problem(o, "开展路面预防性养护112公里，处治坑槽、裂缝等路面病害1.3万平方米") == ""
    # the year's work made a plan
    g = "统筹推进公园绿地建设与老旧绿地改造提升，全年新建口袋公园14座、街头游园6处"
    assert (
        sample_problem(g, "统筹推动公园绿地建设与老旧绿地改造，年内将新建14座口袋公园和6处街头游园")
        == "hedged"
    )
    # a figure left at the end with 均 and no name
    p = "城区人均公园绿地面积达到13.6平方米，同步完善园路、照明、座椅等配套设施"
    bad = "公园绿地面积达标，同步建设园路、照明和座椅配套设施；均达到13.6平方米"
    assert sample_problem(p, bad) == "broken clause 均达到13.6平方米"
    # the county made another place
    c = "全县医疗机构临床用血需求得到及时保障，未发生一起因血液质量问题引发的输血不良事件。"
    assert (
        sample_problem(c, "未发生因血液质量问题引起的输血不良事件，有效保障了全区临床用血需求。")
        == "new scope"
    )
    # a level reached said as the size of a change (any unit: 天 is none of the figure checks')
    d = "我们推行小额案件简易快审，平均审理周期缩短至32天，有效维护了劳动者合法权益。"
    assert (
        sample_problem(d, "推行小额案件简易快审，缩短了32天的审判周期，切实维护劳动者权益。")
        == "figure moved 32"
    )
    assert sample_problem(d, "推行小额案件简易快审，平均审理周期缩短到32天，切实维护劳动者合法权益。") == ""


def test_session_15_blind_run_10_reading_a_count_in_words_dropped_and_a_room_made_a_school() -> None:
    o = "全年组织民兵应急分队集中训练2期，参训人员460余人次，全民国防教育进校园活动开展十余次。"
    assert (
        sample_problem(
            o, "年内组织民兵应急分队集中训练2期，参训人员460余人次，全民国防教育进校园活动多次举办。"
        )
        == "numbers"
    )
    assert (
        sample_problem(
            o, "年内组织2期民兵应急分队集中训练，参训460余人次，全民国防教育进校园活动开展十余次。"
        )
        == ""
    )
    w = "同时，新建标准化儿童早期发展中心一处、改造孕妇学校教室3间，全年开展孕期健康讲座120余场。"
    assert (
        sample_problem(w, "同时，改造孕妇学校3间，举办120余场孕期健康讲座，新建标准化儿童早期发展中心一处。")
        == "figure moved 教室3间"
    )
    # the partner made the one who did it
    p = "对抽检发现的问题产品，及时会同执法部门依法处置，确保不合格产品不流入市场。"
    assert (
        sample_problem(p, "执法部门及时与相关部门协调处理发现问题的产品，保证不合格品不出售。")
        == "direction reversed"
    )
    assert sample_problem(p, "对抽检发现的问题产品，及时与执法部门联合处置，确保不合格产品不进入市场。") == ""
    # a 管理处 of a place is a unit (its place changed: 嶒澈市 → 仃澈, → 县); 将被修补 makes the work a plan
    u = "市政这一块，我们嶒澈市市政设施管理处今年主要是盯着路、灯、管三样东西在抓。"
    assert (
        sample_problem(u, "我们仃澈市政设施管理处在今年的职责中，主要集中在路、灯、管三方面进行抓。")
        == "unit renamed"
    )
    r = "路这块，全年修补城区破损道路4.6万平方米，更换破损井盖、雨水篦子1280套；"
    assert (
        sample_problem(r, "城区道路破损将被修补，4.6万平方米的路面需要修复，同时更换井盖、雨水篦子1280套；")
        == "hedged"
    )


def test_a_skilled_writers_faithful_rewording_passes_the_sentence_checks() -> None:
    """Each pair was rejected before: a skilled writer's faithful wording (bench/data/rewrite_skilled.jsonl)."""
    faithful = [
        # a spoken 差不多 is 约 or 近; 突破 is 超过
        ("我们弄了5个品种展示示范点，主要粮食作物良种覆盖率差不多到了97%。",
         "我们建设了5个品种展示示范点，主要粮食作物良种覆盖率接近97%。"),
        ("力争全年接待游客突破320万人次。", "力争全年游客接待量超过320万人次。"),
        # 会同 is no future 会, and 将…视为 is 把…视为
        ("我们联合民政、乡村振兴等部门开展数据比对，新增认定资助对象642人。",
         "我们会同民政、乡村振兴等部门比对数据，新增认定资助对象642人。"),
        ("本人自任嶅沣区体育局局长以来，始终把推动全民健身作为第一职责。",
         "担任嶅沣区体育局局长以来，本人一直将推动全民健身视为首要职责。"),
        # 比例 and 率 alike on both sides; 基本上 is no part of a metric's name
        ("区域空气质量优良天数比例达到87.4%，较上年提高2.1个百分点。",
         "区域空气质量优良天数比例为87.4%，比上年提升2.1个百分点。"),
        ("城区亮灯率基本上保持在98%以上。", "城区亮灯率基本稳定在98%以上。"),
        # a list's first item by its own words, not the verb before it (发布 → 发出)
        ("全年发布暴雨、大风、冰雹等预警信号126期，通过“气象直通车”、短信平台等渠道推送预警信息38万余条。",
         "全年发出暴雨、大风、冰雹等预警信号126期，依托“气象直通车”、短信平台等渠道推送预警信息38万余条。"),
        # 57人成功寻亲: a verb after 人, no noun to keep beside it
        ("全年救助各类流浪乞讨人员386人次，帮助其中57人成功寻亲返乡，切实守住了困难群众基本生活底线。",
         "全年共救助各类流浪乞讨人员386人次，其中57人在帮助下顺利寻亲返乡，切实守住了困难群众基本生活底线。"),
        # 新创建 is new, as 新增 is
        ("全县新创建省级民主法治示范村4个，培育“法律明白人”1180名，基层依法治理水平稳步提升。",
         "全县新增4个省级民主法治示范村，共培育“法律明白人”1180名，基层依法治理水平稳步提高。"),
        # each item with its own verb (新增…、加装…): a list split at its 、 is the same facts
        ("同步实施“一刻钟便民生活圈”建设，配套新增停车泊位2140个、加装电梯86部。",
         "与此同时，推进“一刻钟便民生活圈”建设，配套增加停车泊位2140个，加装电梯86部。"),
        # 惠及 only says how far the clause before reached
        ("协调落实残疾人两项补贴1.12万人，发放资金1576.3万元；", "协调落实残疾人两项补贴，惠及1.12万人，发放资金1576.3万元；"),
        # (与此同时 above adds no clause) and 自己 holds no stand-in

        ("但我也清醒认识到，自身在统筹谋划和狠抓落实上还有差距，今后将努力加以改进。",
         "同时我也清醒地看到，自己在统筹谋划、抓好落实方面还存在差距，今后将着力改进。"),
    ]  # fmt: skip
    for original, new in faithful:
        assert not sample_problem(original, new), (original, new, sample_problem(original, new))
    # what those checks are for still fails
    assert (
        sample_problem("我们建设了5个示范点，良种覆盖率达到97%。", "我们建成5个示范点，良种覆盖率接近97%。")
        == "numbers"
    )
    assert sample_problem("我们持续推进数据比对。", "我们会推进数据比对。") == "我司/将"
    assert sample_problem("全年举办群众性赛事活动130余场，参与群众超过9万人次。",
                          "年内130余场群众性赛事活动，参与群众超过9万人次。").startswith("broken clause")  # fmt: skip


def test_the_table_leaves_deep_into_a_place_alone() -> None:
    from assistant.rewrite_methods import reword_words

    s = "深入机关、企业、高校开展献血宣传动员。"
    assert reword_words(s).startswith("深入机关")  # (扎实机关… is no Chinese)


DENSE_FIGURES = (
    "（二）守牢市场安全“底线”。全年崟汭县市场监督管理局共检查经营主体3862家次，完成监督抽检1420批次，"
    "抽检合格率97.6%，立案查处违法案件126件，罚没款186.5万元。开展“护苗2025”专项行动，覆盖食堂213个。"
)


def test_compress_tightens_a_dense_sentence_by_its_clause_groups_when_copied_whole(fake_chat) -> None:
    """own:150 (blind run 15): a 1.5B model hands back a sentence of six figures whole; its clause groups,
    asked one at a time, come back tighter."""
    from assistant.rewrite_methods import TIGHT_CHUNK, TIGHT_LONG, long_chunks

    first = parse_parts(DENSE_FIGURES).sentences[0]
    groups = long_chunks(first, TIGHT_LONG, TIGHT_CHUNK)
    assert len(groups) > 1
    tight = {
        g: g.replace("共检查", "检查").replace("完成监督抽检", "抽检").replace("立案查处", "查处")
        for g in groups
    }
    fake_chat.enqueue(
        first, *[tight[g] for g in groups], *[s for s in parse_parts(DENSE_FIGURES).sentences[1:]] * 3
    )
    res = rewrite_text(get_settings(), DENSE_FIGURES, "压缩到80字", model=fake_chat, seed=1)
    assert "抽检1420批次" in res.text and "完成监督抽检" not in res.text
    for figure in ("3862", "1420", "97.6%", "126", "186.5", "213", "“护苗2025”"):
        assert figure in res.text


def test_a_compress_that_cannot_fit_every_figure_says_which_to_name(fake_chat) -> None:
    """Shortening is not dropping: every figure stays, and where every sentence has one the writer is
    told how to ask for a shorter text (an instruction that names the figures to drop, which works)."""
    model_copies(fake_chat, DENSE_FIGURES)
    res = rewrite_text(get_settings(), DENSE_FIGURES, "压缩到40字", model=fake_chat, seed=1)
    assert not res.passed
    note = next(n for n in res.notes if "保留全部" in n)
    example = note.split("如“")[1].split("”")[0]
    assert example.startswith("压缩到40字，删去")
    from assistant.rewrite import numbers_to_keep

    kept = numbers_to_keep(DENSE_FIGURES, example)
    assert len(kept) == len(numbers_to_keep(DENSE_FIGURES, "压缩到40字")) - 2


def test_a_plan_stays_a_plan_and_a_floor_stays_a_floor() -> None:
    """Read in the labels of session 19's A/B (own:155, a plan for 2026): 完成投资不少于3.5亿元 said as
    3.5亿元的投资已完成 (a plan made done, its floor dropped), 不少于 made 较多于 by the phrase table,
    保持100% made 保持100%以上."""
    from assistant.rewrite_methods import formal_words, plans

    plan = "2026年，滏岵市交通运输局将紧盯“四好农村路”提质扩面目标，计划新改建农村公路180公里以上，完成投资不少于3.5亿元。"
    done = "2026年，滏岵市交通运输局将紧盯“四好农村路”提质扩面目标，计划新改建农村公路180公里以上，3.5亿元的投资已完成。"
    assert sample_problem(plan, done) == "numbers"  # (不少于 lost)
    assert not sample_problem(plan, plan.replace("不少于", "不低于").replace("计划", "拟"))
    assert formal_words("完成投资不少于3.5亿元，办了不少事") == "完成投资不少于3.5亿元，办理较多事"
    goal = "同时，加快推进城乡公交一体化，新增和优化公交线路8条，力争全市建制村通客车率保持100%。"
    assert sample_problem(
        goal, "城乡公交一体化加快实施，8条公交线路已新增优化，力争全市建制村通客车率保持100%。"
    ) == ("claims a result")
    assert sample_problem(goal, goal.replace("保持100%", "保持100%以上")) == "numbers"
    assert sample_problem("累计节约费用超1.8亿元。", "节约费用共计1.8亿元以上。") == ""  # (超 = 以上)
    # 争取上级资金 was secured: no plan; a paragraph that opens with 明年…将 is one throughout
    assert not plans("我们积极争取上级文物保护资金1850万元。")
    assert plans("新增公交线路8条。", "明年，我局将加快推进城乡公交一体化。新增公交线路8条。")


def test_session_20_blind_run_17_reading_a_unit_a_hedge_urging_and_a_result_made_a_goal() -> None:
    """Faults a reader found in passing 换个说法 of own:162–167 (session 20), each of a general kind."""
    # a figure's unit is part of it: 户次 counts visits, 户 households; 新改建186公里 stays new
    s = "入户走访困难群众1.1万户次，新纳入救助对象420人。"
    assert sample_problem(s, "累计入户探访困难群众1.1万户，新纳入救助对象420人。") == "numbers"
    assert sample_problem(s, "累计入户探访困难群众1.1万户次，新纳入救助对象420人。") == ""
    s = "全年完成农村公路新改建186公里，完成投资2.4亿元。"
    assert sample_problem(s, "年内完成186公里农村公路改造，完成投资2.4亿元。") == "figure moved 186公里"
    # urging said as the work done, a hedge dropped from a level held, a result made a goal
    s = "今年查了46家企业，问题都督促整改了。"
    assert sample_problem(s, "今年检查了46家企业，问题已全部整改。") == "claims a result"
    assert sample_problem(s, "今年检查了46家企业，问题都已督促整改。") == ""
    s = "全县“四上”企业412家，报送及时率基本保持在99%以上。"
    assert sample_problem(s, "全县“四上”企业412家，报送及时率稳定在99%以上。") == "hedge dropped"
    assert sample_problem(s, "全县“四上”企业412家，报送及时率基本稳定在99%以上。") == ""
    s = "督促整改问题隐患320处，行业全年未发生较大以上安全事故。"
    assert sample_problem(s, "督促320处问题隐患得到整改，确保行业全年不发生较大以上安全事故。") == "hedged"
    assert sample_problem(s, "督促320处问题隐患完成整改，行业全年没有发生较大以上安全事故。") == ""
    # a rare place character written in another script (blind run 18)
    s = "湄峧区退役军人事务局全年走访慰问退役军人1260余户。"
    assert sample_problem(s, "湄леж湄峧区退役军人事务局全年走访慰问退役军人1260余户。") == "foreign words"
    assert sample_problem(s, "湄峧区退役军人事务局年内走访慰问退役军人1260余户。") == ""
