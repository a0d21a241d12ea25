"""Token budget: figures and request always kept; exemplars then history trimmed, and reported."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.budget import Exemplar, count_messages, fit, split_sentences
from core.errors import BiganziError

FIGURES = "追回医保基金452.3万元，处罚款126.8万元。"
REQUEST = "起草“综合施策护基金”一段"


def ex(rank: int, sentences: int = 4) -> Exemplar:
    text = "".join(f"范例{rank}第{i}句写法示意内容。" for i in range(sentences))
    return Exemplar(source=f"doc{rank}.txt", section=f"段{rank}", heading=f"标题{rank}", text=text, rank=rank)


def build(exemplars: list[Exemplar], history: list[BaseMessage]) -> list[BaseMessage]:
    body = "\n".join(e.text for e in exemplars) + f"\n{FIGURES}\n{REQUEST}"
    return [SystemMessage(content="系统"), *history, HumanMessage(content=body)]


def chars(text: str) -> int:
    return len(text)


def test_fits_untouched_when_small() -> None:
    plan = fit(chars, n_ctx=4096, max_new_tokens=256, build=build, exemplars=[ex(0), ex(1)])
    assert plan.trimmed == []
    assert len(plan.exemplars) == 2
    assert plan.prompt_tokens == count_messages(chars, plan.messages)


def test_lowest_ranked_exemplar_is_cut_at_sentence_ends_first() -> None:
    exemplars = [ex(0), ex(1), ex(2)]
    full = count_messages(chars, build(exemplars, []))
    plan = fit(chars, n_ctx=full - 8 + 100, max_new_tokens=100, build=build, exemplars=exemplars)
    assert plan.prompt_tokens <= plan.n_ctx - plan.max_new_tokens
    assert [e.rank for e in plan.exemplars] == [0, 1, 2]
    assert plan.exemplars[0].text == exemplars[0].text and plan.exemplars[1].text == exemplars[1].text
    shortened = plan.exemplars[2].text
    assert shortened.endswith("……") and split_sentences(shortened)[0] == split_sentences(exemplars[2].text)[0]
    assert plan.trimmed == ["范例3（doc2.txt · 标题2）截短为前3句（原4句）"]


def test_exemplars_dropped_from_the_bottom_then_history() -> None:
    exemplars = [ex(0), ex(1), ex(2)]
    history = [HumanMessage(content="旧要求" * 30), AIMessage(content="旧稿" * 30)] * 2
    bare = count_messages(chars, build([], []))
    plan = fit(
        chars, n_ctx=bare + 100 + 10, max_new_tokens=100, build=build, exemplars=exemplars, history=history
    )
    assert plan.exemplars == []
    assert plan.history == []
    assert plan.trimmed[:3] == [
        "删去范例3（doc2.txt · 标题2）",
        "删去范例2（doc1.txt · 标题1）",
        "删去范例1（doc0.txt · 标题0）",
    ]
    assert plan.trimmed[3] == "删去最早的2轮对话"
    text = plan.messages[-1].content
    assert FIGURES in text and REQUEST in text


def test_history_trimmed_oldest_first_keeping_recent_turns() -> None:
    history = [
        HumanMessage(content="第一轮" * 20),
        AIMessage(content="第一稿" * 20),
        HumanMessage(content="第二轮"),
        AIMessage(content="第二稿"),
    ]
    need = count_messages(chars, build([], history[2:]))
    plan = fit(chars, n_ctx=need + 50, max_new_tokens=50, build=build, history=history)
    assert [m.content for m in plan.history] == ["第二轮", "第二稿"]
    assert plan.trimmed == ["删去最早的1轮对话"]


def test_reply_budget_shrinks_before_failing() -> None:
    need = count_messages(chars, build([], []))
    plan = fit(chars, n_ctx=need + 200, max_new_tokens=400, build=build)
    assert plan.max_new_tokens == 200
    assert plan.trimmed == ["输出上限由400降为200个词元"]


def test_figures_and_request_never_dropped_error_instead() -> None:
    need = count_messages(chars, build([], []))
    with pytest.raises(BiganziError, match="BIGANZI_N_CTX"):
        fit(chars, n_ctx=need + 10, max_new_tokens=100, build=build, exemplars=[ex(0)])
