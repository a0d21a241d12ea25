"""A scaffolded section (assistant.scaffold): one reply that code drives segment by segment; code
writes the enumerators, the segment openers and every figure, the model only the prose between."""

from __future__ import annotations

import re

from assistant.figures import parse_figures
from assistant.plan import plan_section
from assistant.scaffold import figure_clause, scaffold_prompt, strays_to, write_scaffolded
from assistant.write import uses_scaffold, write_section
from tests.test_write import FIGURES, drive, plan, shown

GIVEN = "起草“综合施策护基金”一段。" + FIGURES


# Each point: its lead (the model stops at the first ，), then its effect (stops at the next 二是).
SCRIPT = (
    "坚持系统施策，持续织密基金监管网，守好群众的看病钱。一是",  # opening, after code's 我局
    "开展定点医药机构全覆盖检查，以查促改",  # lead of 一是, after code's 持续
    "规范了定点医药机构的服务行为，推动医保基金使用更加规范、合理、高效。二是强化……",  # effect, after code's 有效
    "推进追回医保基金工作，",
    "维护了医保基金安全，群众的看病钱得到有力保障，基金运行总体平稳、收支结构持续优化。三是",
    "依法依规处罚款，",
    "形成了对欺诈骗保行为的有力震慑，营造了不敢骗、不能骗、不想骗的良好氛围，守护好人民群众的每一分看病钱、救命钱。",
)


def test_code_writes_the_structure_and_the_figures(fake_chat) -> None:
    fake_chat.enqueue(*SCRIPT)
    events, written = drive(write_section(fake_chat, plan(300), system="系统", given=GIVEN, scaffold=True))
    assert written.text == (
        "今年以来，我局坚持系统施策，持续织密基金监管网，守好群众的看病钱。"
        "一是持续开展定点医药机构全覆盖检查，截至2024年11月，检查定点医药机构186家，"
        "有效规范了定点医药机构的服务行为，推动医保基金使用更加规范、合理、高效。"
        "二是着力推进追回医保基金工作，追回医保基金452.3万元，"
        "进一步维护了医保基金安全，群众的看病钱得到有力保障，基金运行总体平稳、收支结构持续优化。"
        "三是扎实依法依规处罚款126.8万元，切实形成了对欺诈骗保行为的有力震慑，营造了不敢骗、不能骗、不想骗的良好氛围，守护好人民群众的每一分看病钱、救命钱。"
    )
    assert shown(events) == written.text  # what was streamed, restarts applied
    assert not [ev for ev in events if ev.kind == "info"]  # streamed straight through: nothing shown twice
    assert written.calls == 7 and [p.attempts for p in written.parts] == [1, 1, 1, 1]


def test_the_model_is_shown_no_number_and_continues_one_reply(fake_chat) -> None:
    fake_chat.enqueue(*SCRIPT)
    _events, written = drive(
        write_section(fake_chat, plan(300), system="系统", given=GIVEN, scaffold=True, constrain=True)
    )
    prompts = [c[-2].content if c[-1].type == "ai" else c[-1].content for c in fake_chat.calls]
    assert len(set(prompts)) == 1 and not re.search(r"\d", prompts[0])  # one prompt, no figure in it
    heads = [c[-1].content for c in fake_chat.calls]
    assert heads[0] == "今年以来，我局" and heads[1].endswith("。一是持续")
    assert heads[2].endswith("截至2024年11月，检查定点医药机构186家，有效")  # code's figures, then the turn
    assert all(
        h.startswith("今年以来，我局坚持系统施策") for h in heads[1:]
    )  # the reply so far, continued in place
    # the model writes no digit at all: every figure is code's
    assert all(kw.get("figure_lock") == [] for kw in fake_chat.call_kwargs) and written.constrained


def test_a_lead_about_another_points_figure_is_sampled_again(fake_chat) -> None:
    p = plan(300)
    assert strays_to("加强处罚款力度", p.points[1], p)  # 追回医保基金's lead talks about 处罚款
    assert not strays_to("推进追回医保基金工作", p.points[1], p)
    fake_chat.enqueue(
        SCRIPT[0],
        SCRIPT[1],
        SCRIPT[2],
        "加大处罚款力度，",  # strays to point 三
        "推进追回医保基金工作，",  # sampled again
        *SCRIPT[4:],
    )
    _events, written = drive(write_section(fake_chat, p, system="系统", given=GIVEN, scaffold=True))
    assert "二是着力推进追回医保基金工作，追回医保基金452.3万元" in written.text
    assert "加大处罚款力度" not in written.text


def test_a_short_point_gets_one_more_sentence(fake_chat) -> None:
    fake_chat.enqueue(
        SCRIPT[0],
        SCRIPT[1],
        "规范了服务行为。二是",  # too short for its 85 字
        "建立健全常态化监管机制，推动监督检查由事后查处向事前预防转变。",  # one more, after code's 同时，
        *SCRIPT[3:],
    )
    _events, written = drive(write_section(fake_chat, plan(300), system="系统", given=GIVEN, scaffold=True))
    assert "有效规范了服务行为。同时，建立健全常态化监管机制" in written.text


def test_an_echo_of_the_prompt_is_not_kept_and_figures_stay(fake_chat) -> None:
    fake_chat.enqueue(
        SCRIPT[0],
        "【写作任务】按上面的安排写",  # the lead echoes the prompt
        "数据由系统填入，你不写任何数字；没有给出的具体活动",  # the effect too
        "【写作任务】按上面的安排写",  # and the sentence added to the short point
        *SCRIPT[3:],
    )
    _events, written = drive(write_section(fake_chat, plan(300), system="系统", given=GIVEN, scaffold=True))
    assert "写作任务" not in written.text and "系统填入" not in written.text
    assert (
        "一是截至2024年11月，检查定点医药机构186家。二是着力推进" in written.text
    )  # the user's figures stay


def test_figure_clause_joins_a_count_to_a_lead_that_names_it() -> None:
    facts = parse_figures("开展廉政谈话42人次，参保率99.91％。").facts
    assert figure_clause("持续开展廉政谈话", facts[:1], [False]) == "42人次"
    assert figure_clause("持续开展谈心谈话", facts[:1], [False]) == "，开展廉政谈话42人次"
    assert figure_clause("着力提高参保率", facts[1:], [False]) == "，参保率为99.91％"  # never "提高参保率为…"


def test_the_outline_carries_the_topics_and_no_figure() -> None:
    text = scaffold_prompt(plan(300))
    assert "一是检查定点医药机构" in text and "三是处罚款" in text and not re.search(r"\d", text)
    short = scaffold_prompt(plan(120))
    assert "【内容】" in short and "一是" not in short


def test_a_plain_paragraph_is_lead_figures_effect(fake_chat) -> None:
    fake_chat.enqueue("强化基金监管，", "守住了群众的看病钱，基金运行平稳。")
    _events, written = drive(
        write_scaffolded(fake_chat, plan(120), system="系统", given=GIVEN, t0=0.0, constrained=False)
    )
    assert written.text.startswith(
        "持续强化基金监管，截至2024年11月，检查定点医药机构186家，追回医保基金452.3万元"
    )
    assert "一是" not in written.text


def test_local_backends_scaffold_and_remote_ones_do_not(fake_chat) -> None:
    from assistant.llm.local import LlamaChatModel
    from assistant.llm.runner import RunnerChat

    assert not uses_scaffold(fake_chat)  # the fake keeps no KV cache: per-part prompts
    assert LlamaChatModel.model_fields["reuses_prefix"].default is True
    assert RunnerChat.model_fields["reuses_prefix"].default is True


def test_holes_and_invented_names_are_dropped_the_users_figures_stay() -> None:
    from assistant.scaffold import drop_unfounded

    hole = "此外，我局采取了处罚措施，对违规单位进行处罚，共计处罚款金额为人民币万元。"
    assert drop_unfounded(hole, "") == "此外，我局采取了处罚措施，对违规单位进行处罚。"
    named = "深入贯彻落实“党建+基金监管”工作，处罚款126.8万元，不断提升了基金监管效果。"
    assert drop_unfounded(named, "", ["126.8万元"]) == "处罚款126.8万元，不断提升了基金监管效果。"
    given = "持续推进“参保扩面”工作，有效增强了群众的获得感。"
    assert drop_unfounded(given, "参保扩面") == given  # a quote the user gave stays
    assert (
        drop_unfounded("参保率为99.91％，基金运行平稳。", "", ["99.91％"])
        == "参保率为99.91％，基金运行平稳。"
    )


def test_an_effect_that_turns_a_goal_round_is_dropped() -> None:
    from assistant.goals import backwards
    from assistant.scaffold import drop_unfounded

    text = "着力提升医保待遇，参保率为99.91％，有效降低了医保报销比例，群众获得感不断增强。"
    assert drop_unfounded(text, "", ["99.91％"]) == "着力提升医保待遇，参保率为99.91％，群众获得感不断增强。"
    # the right way round, a goal's noun that does not end its phrase, a negated one: they stay
    for fine in (
        "切实减轻了群众就医负担。",
        "有效提高风险防范能力。",
        "坚持不增加群众负担。",
        "降低事故发生率。",
    ):
        assert not backwards(fine) and drop_unfounded(fine, "") == fine
    assert backwards("有效提高了失业率") == "提高了失业率"
    # the writer said it (a topic about 降低报销比例 would be theirs): kept
    assert drop_unfounded("依规降低报销比例。", "降低报销比例") == "依规降低报销比例。"


def test_empty_slots_and_the_prompts_label_are_dropped() -> None:
    from assistant.scaffold import drop_unfounded

    text = "有效提高参保率，参保率提高到（）。同时，我局以“清廉医保建设”为主题，扎实开展工作，基金运行平稳。"
    assert drop_unfounded(text, "清廉医保建设") == "有效提高参保率。同时，我局扎实开展工作，基金运行平稳。"


def test_the_opening_starts_with_the_period_and_the_writer() -> None:
    import datetime

    from assistant.scaffold import opener

    assert opener(plan(300)) == "今年以来，我局"
    assert opener(plan(300, year=2020)) == "2020年，我局"  # last year's report, written now
    assert opener(plan(300, year=datetime.date.today().year)) == "今年以来，我局"
    assert opener(plan(300, genre="工作思路")) == "下一步，我局将"
    assert opener(plan(300, genre="述职报告")) == "任职以来，我"


def test_a_clause_said_again_goes_and_so_does_an_amount_in_words() -> None:
    from assistant.scaffold import drop_repeated_clauses

    earlier = "三是扎实开展学习，切实提高了班子成员的理论水平，为推动党建工作提供了有力的支持。"
    text = "四是深入基层，开展调研和检查，深入基层，开展调研和检查，为推动党建工作提供了有力的支持。"
    assert drop_repeated_clauses(text, earlier) == "四是深入基层，开展调研和检查。"
    spelled = "有效提升了参保率。同时，住院报销比例提高到最高可达九成，群众负担持续减轻。"
    assert drop_repeated_clauses(spelled, "") == "有效提升了参保率。同时，群众负担持续减轻。"
    assert (
        drop_repeated_clauses("开展廉政谈话42人次，开展廉政谈话42人次。", "", ["42人次"]).count("42人次") == 2
    )


def test_no_connector_is_left_standing_and_a_label_goes_as_a_phrase() -> None:
    from assistant.scaffold import drop_repeated_clauses, drop_unfounded

    said = "四是深入曝光典型案例12例，不断提高了基金监管的透明度。同时，不断提高了基金监管的透明度。"
    assert (
        drop_repeated_clauses(said, "", ["12例"]) == "四是深入曝光典型案例12例，不断提高了基金监管的透明度。"
    )
    cut = "三是扎实追回医保基金452.3万元，切实维护了医保基金的安全。通过以上措施。"
    assert (
        drop_unfounded(cut, "", ["452.3万元"]) == "三是扎实追回医保基金452.3万元，切实维护了医保基金的安全。"
    )
    label = "今年以来，我局以“强化党员教育管理”为主题，采取了有力措施，取得了显著成效。"
    assert drop_unfounded(label, "强化党员教育管理") == "今年以来，我局采取了有力措施，取得了显著成效。"


def test_an_opening_that_only_says_the_heading_again_is_sampled_again(fake_chat) -> None:
    p = plan_section(
        "起草“在便捷高效上发力，经办服务更加便民”一段。",
        parse_figures("异地就医直接结算4.7万人次。").facts,
        length=200,
        theme="在便捷高效上发力，经办服务更加便民",
    )
    fake_chat.enqueue(
        "在便捷高效上发力，经办服务更加便民。",  # the heading again (after code's 今年以来，我局)
        "坚持把方便群众办事作为经办服务的出发点，持续优化服务流程。",
    )
    _events, written = drive(write_section(fake_chat, p, system="系统", scaffold=True))
    assert written.text.startswith("今年以来，我局坚持把方便群众办事作为经办服务的出发点")
    assert written.parts[0].attempts == 2


def test_a_short_section_without_figures_is_still_written(fake_chat) -> None:
    p = plan_section("起草“护基金”一段", [], length=40, theme="护基金")
    assert not p.points  # nothing to carry: the whole paragraph is its opening
    fake_chat.enqueue("坚持把维护基金安全作为首要任务，守好群众的看病钱。")
    _events, written = drive(write_section(fake_chat, p, system="系统", scaffold=True))
    assert written.text == "今年以来，我局坚持把维护基金安全作为首要任务，守好群众的看病钱。"
