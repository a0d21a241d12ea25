"""The draft-quality measures, defined exactly as ../shared/eval/quality.py defines them (the reference
the bench scripts import). Product code that guards against the same faults — the clean-up pass, the
section writer, rewrite checks, the whole report — uses these, never a copy of its own."""

from __future__ import annotations

import re

CN_ORD = "一二三四五六七八九十"
CJK = re.compile(r"[\u4e00-\u9fff]")
REPEAT_THRESHOLD = 0.7


def cjk_len(text: str) -> int:
    return len(CJK.findall(text))


def length_score(asked: int, got: int) -> float:
    """LongBench-Write S_l: undershoot costs more than overshoot."""
    if got <= 0:
        return 0.0
    if got > asked:
        return 100 * max(0.0, 1 - (got / asked - 1) / 3)
    return 100 * max(0.0, 1 - (asked / got - 1) / 2)


def sentence_key(s: str) -> str:
    """A sentence as the reference compares it: stripped, its 一是… opening removed."""
    return re.sub(r"^[一二三四五六七八九十]是", "", s.strip())


def sentences(text: str) -> list[str]:
    """Split at 。；！？ and line breaks; pieces of at least 12 Han characters."""
    return [sentence_key(p) for p in re.split(r"[。；！？\n]", text) if cjk_len(p) >= 12]


def grams(s: str) -> frozenset[str]:
    """Character bigrams of the Han characters only."""
    h = "".join(CJK.findall(s))
    return frozenset(h[i : i + 2] for i in range(len(h) - 1))


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def similar(a: frozenset[str], b: frozenset[str], threshold: float = REPEAT_THRESHOLD) -> bool:
    return bool(a and b) and jaccard(a, b) >= threshold


def repeated_sentences(text: str, threshold: float = REPEAT_THRESHOLD) -> list[str]:
    """Each sentence that repeats an earlier one (bigram Jaccard ≥ threshold), its first 24 characters."""
    out: list[str] = []
    seen: list[frozenset[str]] = []
    for s in sentences(text):
        g = grams(s)
        if any(similar(g, o, threshold) for o in seen):
            out.append(s[:24])
        seen.append(g)
    return out


def enumeration_errors(text: str) -> list[str]:
    """一是/二是/三是… run 一, 二, 三… across the text; a new run may start with 一是 only at a paragraph's start."""
    out, expect = [], 0
    for para in [p for p in text.split("\n") if p.strip()]:
        # only markers that open a clause (start of paragraph, or after 。；：，)
        for k, m in enumerate(re.finditer(r"(?:^|[。；：，！？\s])([一二三四五六七八九十])是", para.strip())):
            i = CN_ORD.index(m.group(1))
            if i == expect or (i == 0 and k == 0):
                expect = i + 1
            else:
                due = CN_ORD[expect] if expect < 10 else "?"
                out.append(
                    f"{m.group(1)}是 where {due}是 was due: {para.strip()[max(0, m.start() - 6) : m.start() + 10]}"
                )
                expect = i + 1
    return out
