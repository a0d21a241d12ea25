"""A new wording's next token held back where it would go on copying the source: a llama.cpp
logits processor ("dynamic blocking", Niu et al. 2021, Unsupervised Paraphrasing with Pretrained
Language Models).

    CopyBlock(vocab, source="…", keep=["210人次", "“净空护考”"]) -> callable(input_ids, scores) -> scores

Asked to say a sentence anew, a 1.5B model mostly writes it back: of ~750 sampled rewordings in two
blind runs, half were rejected as too close. Here, once the reply's last RUN characters are a run of
the source's, every token that would go on with the source where that run ends has PENALTY taken off
its logit. The model can still write it (a word the sentence needs), but where another word serves,
that one wins: the copy breaks into short pieces, and the sentence is said with new words between
them. A place in the source inside a span to keep (a figure, a quoted name, a unit's name) is never
held back: those must come out as they are. Nor is punctuation.

Works on bytes like figure_gate (a token may hold half of a UTF-8 character), with its Vocab.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.llm.figure_gate import LONGEST_PIECE, Vocab

# Characters copied before the next one is held back, and by how much. Tried greedy and at 0.9 on
# five sentences of the dev paragraphs: 3 characters left the model copying a clause word by word
# with 的/了 between; 8 logits wrote 较大以上 as 重大 and 民航 as 机场 more often than 4.
RUN = 2
PENALTY = 4.0  # logits: soft; a word the sentence cannot do without still comes out
_FREE = re.compile(r"[，。；、：！？“”‘’（）《》,.;:!?()\s\d%％]")  # never held back (and a copy's end)


class CopyBlock:
    """One reply's processor (it keeps the reply's state): pass in `logits_processor`."""

    def __init__(
        self,
        vocab: Vocab,
        source: str,
        keep: Sequence[str] = (),
        run: int = RUN,
        penalty: float = PENALTY,
    ) -> None:
        self.vocab = vocab
        self.penalty = penalty
        self.source = source.encode("utf-8")
        # each source character's byte start; a byte start that may be held back
        starts: list[int] = []
        free: set[int] = set()
        at = 0
        kept = [(m.start(), m.end()) for k in keep if k for m in re.finditer(re.escape(k), source)]
        for i, ch in enumerate(source):
            starts.append(at)
            if _FREE.match(ch) or any(a <= i < b for a, b in kept):
                free.add(at)
            at += len(ch.encode("utf-8"))
        self.blockable = {s for s in starts if s not in free}
        # every run of `run` characters of the source (no free one in it) → where it ends, in bytes
        self.runs: dict[bytes, list[int]] = {}
        ends = [*starts[1:], len(self.source)]
        for i in range(len(source) - run + 1):
            if any(_FREE.match(c) for c in source[i : i + run]):
                continue
            piece = self.source[starts[i] : ends[i + run - 1]]
            self.runs.setdefault(piece, []).append(ends[i + run - 1])
        self.lengths = sorted({len(p) for p in self.runs}, reverse=True)
        self.seen: int | None = None
        self.written = b""  # the reply's bytes so far

    def _held(self) -> list[int]:
        """The tokens that would go on copying from where the reply's tail is a run of the source."""
        ids: list[int] = []
        for n in self.lengths:
            for end in self.runs.get(self.written[-n:], []) if len(self.written) >= n else []:
                if end not in self.blockable:
                    continue
                rest = self.source[end : end + LONGEST_PIECE]
                for j in range(1, len(rest) + 1):
                    ids += self.vocab.index.get(rest[:j], [])
        return ids

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        n = len(input_ids)
        if self.seen is None:
            self.seen = n  # the prompt is not the reply
        for token in input_ids[self.seen : n]:
            t = int(token)
            self.written += self.vocab.pieces[t] if 0 <= t < len(self.vocab.pieces) else b""
        self.seen = n
        ids = self._held()
        if not ids:
            return scores
        out = scores.copy()
        out[sorted(set(ids))] -= self.penalty
        return out
