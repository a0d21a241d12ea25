"""Chunking by structure: one chunk per smallest section, split only when over the token budget.

- A leaf section gives one chunk: its body as written; the heading path travels separately
  (`Chunk.heading_path`, headings as written, marker included).
- A section with children gives a chunk for its intro body (text before the first child) under
  its own heading, and one for its tail (summary after the children) when it has one.
- The preamble (text before the first heading) is its own chunk with an empty heading path.
- Over budget: split at 一是…二是… items when the body has them (consecutive items packed while
  they fit, the intro going with the first), otherwise at sentence ends (。！？； and any closing
  quotes after them) with an overlap of whole sentences. A single sentence over budget is cut at
  clause marks (，、：), and only as a last resort inside a clause.

Every chunk's text is a contiguous slice of the cleaned original, so citations quote it exactly.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable

from index.models import Chunk, Document, Section, SectionKind
from index.structure import classify_heading, enumeration_spans
from index.tokens import count_tokens

_SENTENCE = re.compile(r"[。！？；!?;]+[”’」』）)】》\"']*|\n")
_CLAUSE = re.compile(r"[，,、：:]+[”’」』）)】》]*")

Span = tuple[int, int]


def chunk_document(doc: Document, max_tokens: int = 384, overlap_tokens: int = 40) -> list[Chunk]:
    """Chunks of `doc` in reading order, `position` 0, 1, 2, …"""
    if max_tokens < 16:
        raise ValueError("max_tokens must be at least 16")
    overlap_tokens = max(0, min(overlap_tokens, max_tokens // 4))
    counter = _TokenCounter()
    out: list[Chunk] = []

    def emit(text: str, path: list[str], kind: SectionKind, items: bool) -> None:
        for piece in split_text(text, max_tokens, overlap_tokens, use_items=items, count=counter):
            out.append(
                Chunk(
                    text=piece,
                    source=doc.source,
                    title=doc.title,
                    heading_path=list(path),
                    position=len(out),
                    year=doc.year,
                    org=doc.org,
                    genre=doc.genre,
                    section_kind=kind,
                )
            )

    def walk(section: Section, path: list[str]) -> None:
        here = [*path, section.heading]
        if section.body:
            emit(section.body, here, section.kind, items=True)
        for child in section.children:
            walk(child, here)
        if section.tail:
            emit(section.tail, here, _tail_kind(section), items=True)

    if doc.preamble:
        first_kind: SectionKind = "other"
        emit(doc.preamble, [], first_kind, items=True)
    for top in doc.sections:
        walk(top, [])
    return out


def _tail_kind(section: Section) -> SectionKind:
    """A summary paragraph that opens with 原因 ("产生上述问题的原因…") is a 原因 passage."""
    first = _SENTENCE.split(section.tail, maxsplit=1)[0]
    kind = classify_heading(first)
    return "原因" if kind == "原因" else section.kind


class _TokenCounter:
    """count_tokens with a cache: overlapping windows and re-checks never re-tokenise a piece."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        n = self._cache.get(text)
        if n is None:
            n = self._cache[text] = count_tokens(text)
        return n


def split_text(
    text: str,
    max_tokens: int = 384,
    overlap_tokens: int = 40,
    *,
    use_items: bool = True,
    count: Callable[[str], int] = count_tokens,
) -> list[str]:
    """`text` as one piece when it fits, else pieces of at most about `max_tokens` (see module doc)."""
    text = text.strip()
    if not text:
        return []
    if count(text) <= max_tokens:
        return [text]
    items = enumeration_spans(text) if use_items else []
    if len(items) >= 2:
        units: list[Span] = []
        bounds = [0, *[a for a, _ in items], items[-1][1], len(text)]
        for a, b in itertools.pairwise(bounds):
            units.extend(_sub_units(text, a, b, max_tokens, count))
        pieces = _pack(text, units, max_tokens, 0, count, item_aligned=True)
    else:
        units = _sub_units(text, 0, len(text), max_tokens, count)
        pieces = _pack(text, units, max_tokens, overlap_tokens, count, item_aligned=False)
    return [p for p in pieces if p]


def _sub_units(text: str, a: int, b: int, max_tokens: int, count: Callable[[str], int]) -> list[Span]:
    """[a, b) as one unit if it fits, else its sentences (clauses, then hard cuts, when needed)."""
    if not text[a:b].strip():
        return []
    if count(text[a:b]) <= max_tokens:
        return [(a, b)]
    units: list[Span] = []
    for s, e in _cut(text, a, b, _SENTENCE):
        if count(text[s:e]) <= max_tokens:
            units.append((s, e))
            continue
        for cs, ce in _cut(text, s, e, _CLAUSE):
            if count(text[cs:ce]) <= max_tokens:
                units.append((cs, ce))
            else:
                units.extend(_hard_cut(text, cs, ce, max_tokens, count))
    return units


def _cut(text: str, a: int, b: int, pattern: re.Pattern[str]) -> list[Span]:
    spans: list[Span] = []
    start = a
    for m in pattern.finditer(text, a, b):
        if m.end() > start and text[start : m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if start < b and text[start:b].strip():
        spans.append((start, b))
    return spans


def _hard_cut(text: str, a: int, b: int, max_tokens: int, count: Callable[[str], int]) -> list[Span]:
    """A run with no punctuation at all (tables, lists of names): cut by length."""
    spans: list[Span] = []
    start = a
    while start < b:
        # Chinese runs about 1–2 cl100k tokens a character: start at max_tokens/2 characters
        # and shrink until it fits.
        end = min(b, start + max(1, max_tokens // 2))
        while end - start > 1 and count(text[start:end]) > max_tokens:
            end = start + (end - start) * 3 // 4
        spans.append((start, end))
        start = end
    return spans


def _pack(
    text: str,
    units: list[Span],
    max_tokens: int,
    overlap_tokens: int,
    count: Callable[[str], int],
    *,
    item_aligned: bool,
) -> list[str]:
    """Greedy packing of consecutive units into pieces of balanced size.

    The target is the total split evenly over the fewest pieces that can hold it, so a long
    section does not end in a one-sentence scrap. Sentence pieces start with the last whole
    sentences of the previous piece (≤ overlap_tokens); item pieces do not overlap.
    """
    sizes = [count(text[a:b]) for a, b in units]
    total = sum(sizes)
    target = min(max_tokens, math.ceil(total / max(1, math.ceil(total / max_tokens)) * 1.1))
    pieces: list[str] = []
    prev_start = -1
    i = 0
    while i < len(units):
        start, used = i, 0
        if pieces and not item_aligned:
            # Overlap: step back over whole sentences of the previous piece, never all of it.
            while (
                start - 1 > prev_start
                and used + sizes[start - 1] <= overlap_tokens
                and used + sizes[start - 1] + sizes[i] <= max_tokens
            ):
                start -= 1
                used += sizes[start]
        size, j = used, i
        while j < len(units) and (j == i or size + sizes[j] <= target):
            size += sizes[j]
            j += 1
        if size + sum(sizes[j:]) <= max_tokens:  # the rest fits: no scrap piece at the end
            j = len(units)
        pieces.append(text[units[start][0] : units[j - 1][1]].strip())
        prev_start = i
        i = j
    return pieces
