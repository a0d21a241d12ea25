"""Smoke, with the real local model: sampling extras through the model process (a GBNF grammar, a
logit bias on the digit tokens, the figure gate, with Latin letters kept out too), the tokenizer over the boundary, and the saved system-prompt state
that lets a new process skip evaluating it (same greedy reply as evaluating it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from assistant import llm as llm_api
from core.settings import get_settings

pytestmark = pytest.mark.smoke

SYSTEM = (
    "你是县级机关的公文写作助手。写作要求：语言庄重、准确、简洁，多用“坚持”“推进”“落实”等公文常用词，不编造数字。"
    * 2
)
ASK = [SystemMessage(content=SYSTEM), HumanMessage(content="用一句话写出今年的参保人数，要有具体数字。")]


@pytest.fixture(scope="module")
def local(local_model_path: Path, tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("runner_local") / "data"
    settings = get_settings(
        data_dir=data, llm="local", model_path=local_model_path, n_ctx=1024, temperature=0.0
    )
    model = llm_api.get_chat_model(settings)
    yield model
    model.supervisor.close()


def test_grammar_constrains_the_reply(local) -> None:
    assert llm_api.supports_grammar(local)
    gbnf = 'root ::= "参保人数" [0-9] [0-9] "." [0-9] "万人。"'
    reply = local.invoke(ASK, grammar=gbnf, max_tokens=20).content
    assert re.fullmatch(r"参保人数\d\d\.\d万人。", reply), reply


def test_the_figure_gate_lets_digits_out_only_as_the_figures(local) -> None:
    reply = local.invoke(ASK, max_tokens=40, figure_lock=["50.12万人"]).content
    assert "50.12万人" in reply and not re.search(r"[0-9０-９]", reply.replace("50.12万人", "")), reply


def test_the_figure_gate_can_keep_latin_letters_out(local) -> None:
    english = [SystemMessage(content=SYSTEM), HumanMessage(content="把“地震预警终端”翻译成英文，只写英文。")]
    free = local.invoke(english, max_tokens=20).content
    kept = local.invoke(english, max_tokens=20, figure_lock=[], no_latin=True).content
    assert re.search(r"[A-Za-z]", free), free  # asked for English, it writes it
    assert not re.search(r"[A-Za-z]", kept), kept  # (it may say it in Chinese, or stop)


def test_logit_bias_keeps_digits_out(local) -> None:
    digits = llm_api.digit_token_ids(local)
    assert digits and set(llm_api.tokenize(local, "7")) <= set(digits) and len(digits) < 20000
    free = local.invoke(ASK, max_tokens=40).content
    banned = local.invoke(ASK, max_tokens=40, logit_bias=dict.fromkeys(digits, -100.0)).content
    assert re.search(r"[0-9０-９]", free), free  # asked for a number, it writes one
    assert banned and not re.search(r"[0-9０-９]", banned), banned


def test_tokenizer_over_the_boundary(local) -> None:
    ids = llm_api.tokenize(local, "今年以来，我局")
    assert ids and llm_api.count_tokens(local, "今年以来，我局") == len(ids)
    assert llm_api.tokenize(local, "") == []


def test_a_new_process_restores_the_system_prompt_from_disk(local_model_path: Path, tmp_path: Path) -> None:
    from assistant.llm import local as engine
    from assistant.llm.messages import to_dicts
    from assistant.llm.prompt_cache import PromptCache

    cache = PromptCache(tmp_path / "cache", 64 * 1024 * 1024)
    dicts = to_dicts(ASK)
    params = engine.sampling_params({"temperature": 0.0, "max_tokens": 24, "seed": 1}, {})

    def reply(use_cache: bool) -> tuple[str, str]:
        engine._LOADED.clear()  # a new Llama: as in a new process, nothing evaluated yet
        llm, formatter = engine.load_llama(str(local_model_path), 1024, 2)
        out = engine.Generation()
        text = "".join(
            engine.generate(llm, formatter, dicts, params, prompt_cache=cache if use_cache else None, out=out)
        )
        return text, out.cached_prefix

    plain, how = reply(False)
    assert how == ""
    saved, how = reply(True)
    assert how == "saved" and list(cache.root.glob("*.state"))
    restored, how = reply(True)
    assert how == "disk"
    assert plain == saved == restored  # greedy: the restored state is the evaluated one
    engine._LOADED.clear()


def test_the_model_reads_a_garbled_order_as_surprising(local) -> None:
    from assistant.rewrite_methods import READS_WORSE, SURPRISE_HEAD

    def mean(text: str) -> float:
        got = llm_api.surprise(local, SURPRISE_HEAD + "我局坚持用心用情服务离退休干部。", text)
        assert got and all(x >= 0 for x in got), got
        return sum(got) / len(got)

    greedy = local.invoke(ASK, max_tokens=24).content
    writer = mean("全区共有离退休干部2360人。")
    assert mean("全区共有2360名离退休干部。") - writer < READS_WORSE  # said anew
    assert mean("2360名离退休干部在全区共有。") - writer > READS_WORSE  # words out of order
    assert (
        mean("27次专题招商小分队赴外地进行组织。")
        > mean("组织招商小分队赴外地开展专题招商27次。") + READS_WORSE
    )
    # the scoring context is the model process's second one: a generation's own is left as it was
    assert local.invoke(ASK, max_tokens=24).content == greedy


def test_in_process_the_model_scores_as_its_process_does(local, local_model_path: Path) -> None:
    from assistant.llm import local as engine

    prefix, text = "今年以来，", "我局扎实推进医保基金监管。"
    inproc = engine.LlamaChatModel(model_path=str(local_model_path), n_ctx=1024, n_threads=2)
    try:
        here, there = llm_api.surprise(inproc, prefix, text), llm_api.surprise(local, prefix, text)
        assert here and there and len(here) == len(there) == len(llm_api.tokenize(local, text))
        assert max(abs(a - b) for a, b in zip(here, there, strict=True)) < 0.05
        assert llm_api.surprise(inproc, prefix, "") is None  # (nothing to score)
    finally:
        engine._LOADED.clear()


def test_the_copy_block_makes_a_greedy_rewording_say_more_in_its_own_words(local) -> None:
    # the rewrite's own prompt (system, worked examples, the sentence): free, the model writes the
    # sentence back; with its copy held back, it says it in words of its own, figures kept
    from langchain_core.messages import AIMessage

    from assistant.prompts import render
    from assistant.rewrite_kinds import change_similarity
    from assistant.rewrite_methods import HOW, copy_keep, shot_turns

    s = "汛期我们累计发布水情预警信息46期，向防汛部门报送雨水情数据1.8万余条。"
    ask: list = [SystemMessage(content=render("rewrite_sentence_system"))]
    for q, a in shot_turns("reword"):
        ask += [HumanMessage(content=q), AIMessage(content=a)]
    prompt = render("rewrite_sentence", sentence=s, how=HOW["reword"], numbers=["46", "1.8"], example="")
    ask.append(HumanMessage(content=prompt))
    free = local.invoke(ask, max_tokens=80).content
    held = local.invoke(ask, max_tokens=80, copy_block={"source": s, "keep": copy_keep(s)}).content
    assert change_similarity(s, held) < change_similarity(s, free) - 0.1, (free, held)
    assert "46期" in held and "1.8万余条" in held, held


def test_a_logit_bias_and_the_figure_gate_hold_together(local) -> None:
    # (llama-cpp-python drops every logits processor, and the bias, when it is given both)
    banned = llm_api.tokenize(local, "参保")
    reply = local.invoke(
        ASK, max_tokens=40, figure_lock=["50.12万人"], logit_bias=dict.fromkeys(banned[:1], -100.0)
    ).content
    assert "50.12万人" in reply and not re.search(r"[0-9０-９]", reply.replace("50.12万人", "")), reply
    assert not llm_api.tokenize(local, reply) or banned[0] not in llm_api.tokenize(local, reply), reply


def test_with_figures_required_every_figure_comes_out(local) -> None:
    reply = local.invoke(ASK, max_tokens=60, figure_lock=["50.12", "3.6"], require_figures=True).content
    assert "50.12" in reply and "3.6" in reply, reply
