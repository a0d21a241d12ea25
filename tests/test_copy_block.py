"""The copy block (assistant.llm.copy_block): a new wording's next token held back where it would
go on copying the source, on a small synthetic vocabulary (byte pieces, as Qwen's BPE has them)."""

from __future__ import annotations

import numpy as np

from assistant.llm.copy_block import PENALTY, CopyBlock
from assistant.llm.figure_gate import Vocab

WORDS = [
    "",
    "全年",
    "开展",
    "专项",
    "行动",
    "深入",
    "推进",
    "检查",
    "企业",
    "126",
    "家",
    "，",
    "。",
    "“净空护考”",
    "净空",
    "护考",
    "开",
    "专",
]
PIECES = [w.encode() for w in WORDS]
ID = {w: i for i, w in enumerate(WORDS)}
SOURCE = "全年开展专项行动，检查企业126家。"


def held(block: CopyBlock, written: list[str]) -> set[str]:
    """The pieces held back after the prompt (token 0) and `written`."""
    ids = [0] + [ID[w] for w in written]
    block(np.array(ids[:1]), np.zeros(len(WORDS), dtype=np.float32))  # the prompt
    out = block(np.array(ids), np.zeros(len(WORDS), dtype=np.float32))
    return {WORDS[i] for i in np.nonzero(out < 0)[0]}


def test_a_run_of_the_source_holds_back_the_word_that_goes_on_with_it() -> None:
    v = Vocab.of(PIECES)
    # 全年开 (three characters) copied: 展 and 开展's rest are not in this vocabulary; 全年开展
    # copied: 专项 (and 专) would go on copying, nothing else is touched
    assert held(CopyBlock(v, SOURCE, run=3), ["全年", "开展"]) == {"专项", "专"}
    out = CopyBlock(v, SOURCE, run=3)
    out(np.array([0]), np.zeros(len(WORDS), dtype=np.float32))
    scores = out(np.array([0, ID["全年"], ID["开展"]]), np.zeros(len(WORDS), dtype=np.float32))
    assert scores[ID["专项"]] == -PENALTY and scores[ID["推进"]] == 0  # soft: it can still be written


def test_two_characters_copied_are_free_and_a_new_word_ends_the_run() -> None:
    v = Vocab.of(PIECES)
    assert held(CopyBlock(v, SOURCE, run=3), ["全年"]) == set()  # a word of two: no run yet
    assert held(CopyBlock(v, SOURCE, run=3), ["深入", "推进"]) == set()  # not the source's
    assert held(CopyBlock(v, SOURCE, run=3), ["全年", "开展", "深入"]) == set()


def test_figures_names_to_keep_and_punctuation_are_never_held_back() -> None:
    v = Vocab.of(PIECES)
    # after 检查企业 comes 126: a figure is copied as it is
    assert held(CopyBlock(v, SOURCE, run=3), ["检查", "企业"]) == set()
    # a name to keep goes on as it is
    source = "开展净空护考专项行动。"
    assert held(CopyBlock(v, source, keep=["净空护考"], run=3), ["开展", "净空"]) == set()
    assert held(CopyBlock(v, source, run=3), ["开展", "净空"]) == {"护考"}
    # after 专项行动 comes "，": punctuation is free
    assert held(CopyBlock(v, SOURCE, run=3), ["专项", "行动"]) == set()


def test_by_default_a_word_of_two_copied_holds_back_the_next() -> None:
    v = Vocab.of(PIECES)
    assert held(CopyBlock(v, SOURCE), ["全年"]) == {"开展", "开"}
    assert held(CopyBlock(v, SOURCE), ["深入"]) == set()


def test_a_logit_bias_goes_with_the_other_processors_not_beside_them() -> None:
    # llama-cpp-python 0.3.x, given a logit_bias and a logits_processor, drops both: generate never
    # hands it a logit_bias, the bias is a processor of ours in the same list
    from assistant.llm.local import LogitBias, generate

    seen: dict = {}

    class Llama:
        def create_chat_completion(self, **kwargs):
            seen.update(kwargs)
            return iter([{"choices": [{"delta": {"content": "好"}, "finish_reason": "stop"}]}])

        def n_vocab(self) -> int:
            return len(PIECES)

        def detokenize(self, ids: list[int]) -> bytes:
            return PIECES[ids[0]]

        def tokenize(self, text: bytes, add_bos: bool, special: bool) -> list[int]:
            return [0] * len(text.decode())

    reply = generate(
        Llama(),
        None,
        [{"role": "user", "content": "换个说法"}],
        {},
        logit_bias={1: -100.0},
        copy_block={"source": SOURCE, "keep": []},
    )
    assert "".join(reply) == "好"
    assert "logit_bias" not in seen
    bias, block = seen["logits_processor"]
    assert isinstance(bias, LogitBias) and isinstance(block, CopyBlock)
    scores = bias(np.array([0]), np.zeros(len(PIECES), dtype=np.float32))
    assert scores[1] == -100 and scores[2] == 0
