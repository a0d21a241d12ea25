"""The figure gate (assistant.llm.figure_gate): digits only as the locked figure strings, at the
logits, on a small synthetic vocabulary (byte pieces, as Qwen's byte-level BPE has them)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.llm.figure_gate import FigureGate, Vocab

PIECES = [
    b"",  # 0: end of text
    *[str(d).encode() for d in range(10)],  # 1..10: single digits, as Qwen splits numbers
    b".",  # 11
    "万元".encode(),  # 12
    "万".encode(),  # 13
    "元".encode(),  # 14
    "家".encode(),  # 15
    "亿元".encode(),  # 16
    "，".encode(),  # 17
    "追回".encode(),  # 18
    b"\n",  # 19
    b" the",  # 20
    "【".encode(),  # 21
    "１".encode(),  # 22: a full-width digit
    "年".encode(),  # 23
    "月".encode(),  # 24
    "万元以上".encode(),  # 25
    "万元以".encode()[:-1],  # 26: half of a UTF-8 character at the end
    "％".encode(),  # 27
    "百分之".encode(),  # 28
    b"$",  # 29
]
ID = {p: i for i, p in enumerate(PIECES)}


def tid(piece: str) -> int:
    return ID[piece.encode()]


@pytest.fixture()
def vocab() -> Vocab:
    return Vocab.of(PIECES)


def open_pieces(gate: FigureGate, ids: list[int]) -> set[str]:
    out = gate(np.array(ids), np.zeros(len(PIECES), dtype=np.float32))
    return {PIECES[i].decode("utf-8", "replace") for i in np.nonzero(np.isfinite(out))[0]}


def test_outside_a_figure_only_digits_that_start_one_are_open(vocab: Vocab) -> None:
    gate = FigureGate(vocab, ["452.3万元", "截至2024年11月"])
    opened = open_pieces(gate, [tid("追回")])
    assert {"4", "2"} <= opened  # "452.3万元", and "2024年11月" from its first digit
    assert not ({"0", "1", "3", "5", "9", "１"} & opened)
    assert {"追回", "万元", "，", ""} <= opened  # prose and the end stay open
    assert not ({"\n", " the", "【"} & opened)  # never in a Chinese draft's prose
    assert not ({"％", "百分之", "$"} & opened)  # a number's other spellings: only inside a figure


def test_a_sign_that_belongs_to_a_figure_is_open_inside_it(vocab: Vocab) -> None:
    gate = FigureGate(vocab, ["9.5％"])
    ids = [tid("追回")]
    gate(np.array(ids), np.zeros(len(PIECES), dtype=np.float32))
    for piece in ["9", ".", "5"]:
        ids.append(tid(piece))
    assert open_pieces(gate, ids) == {"％"}


def test_a_started_figure_is_forced_to_its_end_unit_included(vocab: Vocab) -> None:
    gate = FigureGate(vocab, ["452.3万元", "186家"])
    ids = [tid("追回")]
    gate(np.array(ids), np.zeros(len(PIECES), dtype=np.float32))
    for piece, expect in [("4", {"5"}), ("5", {"2"}), ("2", {"."}), (".", {"3"}), ("3", {"万元", "万"})]:
        ids.append(tid(piece))
        assert open_pieces(gate, ids) == expect, piece
    ids.append(tid("万"))
    assert open_pieces(gate, ids) == {"元"}  # "452.3万" cannot end as "452.3万家" or "452.3亿元"
    ids.append(tid("元"))
    opened = open_pieces(gate, ids)
    assert "，" in opened and "1" in opened and "4" in opened  # free again: the next figure may start


def test_the_end_of_text_is_closed_inside_a_figure(vocab: Vocab) -> None:
    gate = FigureGate(vocab, ["186家"])
    ids = [tid("追回")]
    gate(np.array(ids), np.zeros(len(PIECES), dtype=np.float32))
    ids.append(tid("1"))
    assert open_pieces(gate, ids) == {"8"}


def test_a_figure_that_ends_where_a_longer_one_goes_on_opens_both(vocab: Vocab) -> None:
    gate = FigureGate(vocab, ["2.3万元", "2.3万元以上"])
    ids = [tid("追回")]
    gate(np.array(ids), np.zeros(len(PIECES), dtype=np.float32))
    for piece in ["2", ".", "3", "万元"]:
        ids.append(tid(piece))
        opened = open_pieces(gate, ids)
    assert "，" in opened  # "2.3万元" may end here
    assert PIECES[26].decode("utf-8", "replace") in opened  # or go on to "2.3万元以上"


def test_two_figures_sharing_a_first_digit_split_at_the_first_difference(vocab: Vocab) -> None:
    gate = FigureGate(vocab, ["186家", "1.5亿元"])
    ids = [tid("追回")]
    gate(np.array(ids), np.zeros(len(PIECES), dtype=np.float32))
    ids.append(tid("1"))
    assert open_pieces(gate, ids) == {"8", "."}
    ids.append(tid("."))
    assert open_pieces(gate, ids) == {"5"}


def test_no_figures_means_no_digits(vocab: Vocab) -> None:
    gate = FigureGate(vocab, [])
    opened = open_pieces(gate, [tid("追回")])
    assert not ({str(d) for d in range(10)} | {"１"}) & opened and "家" in opened


def test_the_prompt_is_not_read_as_output(vocab: Vocab) -> None:
    # a continued reply's head (in the prompt) may end inside a number: the gate starts free
    gate = FigureGate(vocab, ["186家"])
    assert "1" in open_pieces(gate, [tid("追回"), tid("4"), tid("5")])


class _Llama:
    def n_vocab(self) -> int:
        return len(PIECES)

    def detokenize(self, ids: list[int]) -> bytes:
        return PIECES[ids[0]]


def test_the_vocabulary_is_read_once_per_model_and_serves_the_digit_bias() -> None:
    from assistant.llm.figure_gate import vocab_of
    from assistant.llm.local import digit_token_ids

    a, b = _Llama(), _Llama()
    first = vocab_of(a)
    assert vocab_of(a) is first  # read once
    assert vocab_of(b) is not first  # another model is read on its own
    assert digit_token_ids(b) == [*range(1, 11), 22]  # 0–9 and the full-width １


def test_with_figures_required_the_reply_cannot_end_before_each_is_out(vocab: Vocab) -> None:
    gate = FigureGate(vocab, ["186", "4.5"], require=True)
    ids = [tid("追回")]
    gate(np.array(ids), np.zeros(len(PIECES), dtype=np.float32))
    assert "" not in open_pieces(gate, ids)  # (the end of text: none written yet)
    for piece in ["1", "8", "6", "家", "，"]:
        ids.append(tid(piece))
    assert "" not in open_pieces(gate, ids)  # 4.5 still to come
    for piece in ["4", ".", "5"]:
        ids.append(tid(piece))
    assert "" in open_pieces(gate, ids)
    # a single-token figure is out whole at once; without `require`, the end is always open
    one = FigureGate(vocab, ["7"], require=True)
    one(np.array([tid("追回")]), np.zeros(len(PIECES), dtype=np.float32))
    assert "" in open_pieces(one, [tid("追回"), tid("7")])
    assert "" in open_pieces(FigureGate(vocab, ["186"]), [tid("追回")])
