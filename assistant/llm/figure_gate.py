"""Digits only as the locked figures, at the logits: a llama.cpp logits processor.

    FigureGate(vocab, allowed=["50.12万人", "2024年11月"]) -> callable(input_ids, scores) -> scores

Outside a figure, every token that holds a digit is masked except a digit that starts one of the
`allowed` strings (from its first digit on: "截至2024年11月" starts at "2"); once such a digit is
out, only tokens that continue one of the strings it began are open, to the string's end (its unit
included: "50.12" cannot become "50.12亿元"). Tokens that would break a Chinese draft's form
(line breaks, 【】, markdown, spaces) are masked throughout, and a number's other spellings (%, $,
百分之…) outside a figure. With `latin=False`, so is every token that holds a Latin letter (a
rewritten Chinese sentence that had none: the 1.5B model's "earthquake预警终端"). With `require=True`,
the reply may not end (a control token, or "。") before each string is out: a sentence said anew
keeps every figure it had.

A GBNF grammar can say the same (`number_grammar`, for engines that take a grammar but no logits
processor, and bench/grammar_speed.py's comparison), but llama-cpp-python checks every token of the
152k vocabulary against it at every step: about a quarter of the decoding speed on two cores. Here a step is a few numpy operations on precomputed masks. Works on bytes, so a token that
holds half of a UTF-8 character (Qwen's byte-level BPE) is matched as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_DIGIT = re.compile(rb"[0-9]|\xef\xbc[\x90-\x99]")  # ASCII or full-width (０-９)
_BANNED = re.compile(rb"[\n\r\t #*`]|\xe3\x80[\x90\x91]")  # line breaks, space, markdown, 【】
# A number's other spellings, open only inside a figure: a model kept from digits writes "Y%",
# "$X" or "百分之五" instead.
_NUMBERISH = re.compile(b"|".join(re.escape(w.encode()) for w in ("$", "%", "％", "‰", "百分")))
LONGEST_PIECE = 16  # bytes: the longest token piece indexed (a figure's continuation, a copy's next word)
_LATIN = re.compile(rb"[A-Za-z]")  # (a 1.5B model writes 地震 as "earthquake" in a Chinese sentence)


@dataclass
class Vocab:
    """A model's token pieces (bytes) and the masks every gate shares; built once per model."""

    pieces: list[bytes]
    index: dict[bytes, list[int]] = field(default_factory=dict)  # piece -> ids (short pieces)
    digit: Any = None  # bool mask: the piece holds a digit
    banned: Any = None  # bool mask: never in a draft
    numberish: Any = None  # bool mask: a number's sign or spelled-out form, outside a figure
    latin: Any = None  # bool mask: the piece holds a Latin letter
    ender: Any = None  # bool mask: the piece ends a reply or its sentence (a control token, "。")

    @classmethod
    def of(cls, pieces: Sequence[bytes]) -> Vocab:
        import numpy as np

        v = cls(list(pieces))
        v.digit = np.zeros(len(v.pieces), dtype=bool)
        v.banned = np.zeros(len(v.pieces), dtype=bool)
        v.numberish = np.zeros(len(v.pieces), dtype=bool)
        v.latin = np.zeros(len(v.pieces), dtype=bool)
        v.ender = np.zeros(len(v.pieces), dtype=bool)
        for i, p in enumerate(v.pieces):
            if not p or "。".encode() in p:
                v.ender[i] = True  # (a control token renders as nothing: the end of the reply)
            if not p:
                continue
            if _DIGIT.search(p):
                v.digit[i] = True
            if _BANNED.search(p):
                v.banned[i] = True
            if _NUMBERISH.search(p):
                v.numberish[i] = True
            if _LATIN.search(p):
                v.latin[i] = True
            if len(p) <= LONGEST_PIECE:
                v.index.setdefault(p, []).append(i)
        return v


_VOCAB: list[tuple[Any, Vocab]] = []  # (model, its Vocab): one model is loaded at a time


def _piece(llm: Any, i: int) -> bytes:
    try:
        return bytes(llm.detokenize([i]))
    except Exception:  # a token the model cannot render on its own
        return b""


def vocab_of(llm: Any) -> Vocab:
    """The Vocab of a loaded llama_cpp.Llama, read once per model (the reference held, so a new
    model at the same address is not taken for the old one)."""
    if not _VOCAB or _VOCAB[0][0] is not llm:
        _VOCAB[:] = [(llm, Vocab.of([_piece(llm, i) for i in range(llm.n_vocab())]))]
    return _VOCAB[0][1]


def _from_first_digit(s: str) -> bytes:
    b = s.encode("utf-8")
    m = _DIGIT.search(b)
    return b[m.start() :] if m else b""


class FigureGate:
    """One reply's gate (it keeps the reply's state): pass as `logits_processor=[gate]`."""

    def __init__(
        self, vocab: Vocab, allowed: Sequence[str], latin: bool = True, require: bool = False
    ) -> None:
        import numpy as np

        self.vocab = vocab
        # True: the reply (its first sentence) may not end before every allowed string is out: a
        # sentence said anew keeps each of its figures (a 1.5B model drops one in about one sample in six)
        self.require = require
        self.done: set[bytes] = set()  # strings written out whole
        self.latin = latin  # False: no Latin letter anywhere (a Chinese sentence with none to keep)
        self.strings = [s for s in dict.fromkeys(_from_first_digit(a) for a in allowed) if s]
        self.start = np.zeros(len(vocab.pieces), dtype=bool)  # digit tokens that begin a string
        for s in self.strings:
            for i in self._prefix_ids(s):
                if vocab.digit[i]:
                    self.start[i] = True
        self.free = ~(vocab.banned | vocab.numberish | (vocab.digit & ~self.start))  # open outside a figure
        if not latin:
            self.free &= ~vocab.latin
        self.seen: int | None = None  # tokens of input_ids already read (prompt included)
        self.partial: list[tuple[bytes, int]] = []  # (string, bytes matched) of the figure being written
        self.ended = False  # one string just ended where a longer one goes on ("2.3亿元" / "2.3亿元以上")

    def _prefix_ids(self, rest: bytes) -> list[int]:
        """Tokens whose piece is a prefix of `rest` (how the next token can go on with it)."""
        out: list[int] = []
        for j in range(1, min(len(rest), LONGEST_PIECE) + 1):
            out += self.vocab.index.get(rest[:j], [])
        return out

    def _read(self, token: int) -> None:
        piece = self.vocab.pieces[token] if 0 <= token < len(self.vocab.pieces) else b""
        if self.partial:
            went_on = [(s, k + len(piece)) for s, k in self.partial if s[k:].startswith(piece) and piece]
            self.done |= {s for s, k in went_on if k == len(s)}
            self.partial = [(s, k) for s, k in went_on if k < len(s)]
            self.ended = len(self.partial) < len(went_on)
            if went_on:
                return
        self.ended = False
        m = _DIGIT.search(piece)
        if m:  # a figure begins (the gate let only a starting digit through)
            tail = piece[m.start() :]
            self.partial = [(s, len(tail)) for s in self.strings if s.startswith(tail) and len(tail) < len(s)]
            self.done |= {s for s in self.strings if s == tail}

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import numpy as np

        n = len(input_ids)
        if self.seen is None:
            self.seen = n  # the prompt (a continued reply's own head included) is not ours to read
        for token in input_ids[self.seen : n]:
            self._read(int(token))
        self.seen = n
        if self.partial:
            open_ids = sorted({i for s, k in self.partial for i in self._prefix_ids(s[k:])})
            out = np.where(self.free, scores, -np.inf) if self.ended else np.full_like(scores, -np.inf)
            out[open_ids] = scores[open_ids]
        else:
            out = np.where(self.free, scores, -np.inf)
        if self.require and any(s not in self.done and not self._said(s) for s in self.strings):
            out[self.vocab.ender] = -np.inf
        return out.astype(scores.dtype, copy=False)

    def _said(self, s: bytes) -> bool:
        return any(d.startswith(s) for d in self.done)  # (2.3亿元以上 written says 2.3亿元 too)


def _gbnf_literal(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def number_grammar(allowed: Sequence[str]) -> str:
    """The gate as GBNF: any text without digits, line breaks, brackets or markdown, where digits can
    only come out as one of the `allowed` strings, verbatim."""
    lits = " | ".join(_gbnf_literal(a) for a in dict.fromkeys(a for a in allowed if a))
    ch = r"[^0-9０-９\n\r\t 【】#*`]"
    return f"root ::= item*\nitem ::= {ch}" + (f" | {lits}" if lits else "") + "\n"
