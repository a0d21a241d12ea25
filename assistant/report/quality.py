"""Sentence-level checks on report bodies, matching the reference measures of
`../shared/eval/quality.py` exactly (sentences, repeated sentences, enumeration runs), plus the
clean-up the report applies: a repeated sentence dropped, enumerations renumbered, artifacts out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.measures import (  # noqa: F401  (re-exported: the report's checks use these names)
    CJK,
    CN_ORD,
    REPEAT_THRESHOLD,
    cjk_len,
    enumeration_errors,
    grams,
    repeated_sentences,
    sentence_key,
    sentences,
    similar,
)

_PIECE = re.compile(r"[^。；！？\n]+[。；！？]?|\n")


def repeats_against(text: str, prior: Iterable[frozenset[str]]) -> list[str]:
    """Sentences of `text` that repeat one of `prior` or an earlier one of `text` itself."""
    seen = list(prior)
    out = []
    for s in sentences(text):
        g = grams(s)
        if any(similar(g, o) for o in seen):
            out.append(s)
        seen.append(g)
    return out


def drop_repeats(text: str, prior: Iterable[frozenset[str]], keep: Iterable[str] = ()) -> tuple[str, int]:
    """`text` without the sentences that repeat `prior` or an earlier sentence of its own; a
    sentence holding one of `keep` (the section's figures) stays. Enumerations are renumbered
    afterwards. Returns (text, sentences dropped)."""
    seen = list(prior)
    keep = [k for k in keep if k]
    out: list[str] = []
    dropped = 0
    for m in _PIECE.finditer(text):
        piece = m.group(0)
        if piece == "\n" or cjk_len(piece.rstrip("。；！？")) < 12:
            out.append(piece)
            continue
        g = grams(sentence_key(piece.rstrip("。；！？")))
        if any(similar(g, o) for o in seen) and not any(k in piece for k in keep):
            dropped += 1
            continue
        seen.append(g)
        out.append(piece)
    if not dropped:
        return text, 0
    joined = "".join(out)
    joined = re.sub(r"；(\n|$)", r"。\1", joined)  # a paragraph left ending on ；
    return renumber_enumerations(joined.strip()), dropped


_ENUM = re.compile(r"(^|[。；：，！？\s])([一二三四五六七八九十])是")


def renumber_enumerations(text: str) -> str:
    """一是/二是/三是… in each paragraph run 一, 二, 三 in order (after a sentence was dropped)."""
    paras = text.split("\n")
    for i, para in enumerate(paras):
        count = 0

        def sub(m: re.Match[str]) -> str:
            nonlocal count
            count += 1
            return f"{m.group(1)}{CN_ORD[min(count, 10) - 1]}是"

        paras[i] = _ENUM.sub(sub, para)
    return "\n".join(paras)


# --- body clean-up ----------------------------------------------------------------------------

_LINE_MARKER = re.compile(r"^\s*(?:\d+[.、)）]|[-*•#>]+|\(\d+\)|（\d+）)\s*")
_ECHO = re.compile(r"约\s*\d+\s*字|\d+\s*字左右|写作任务|篇幅|今年数据|往年写法|【写|正文如下|以下是")
_SPACE_IN_CJK = re.compile(r"(?<=[\u4e00-\u9fff，。；：、“”）])[ \t\u3000]+(?=[\u4e00-\u9fff“（])")


def clean_body(text: str, heading: str = "") -> str:
    """A section body as the report prints it: no heading lines or list markers (the structure is
    the outline's), no markdown, no spaces inside Chinese text, no sentence that echoes the prompt."""
    from index.structure import parse_heading

    text = text.replace("**", "").replace("__", "").replace("```", "")
    lines = []
    for line in text.split("\n"):
        s = line.strip()
        if not s:
            continue
        h = parse_heading(s)
        if h is not None and h.level in (1, 2):
            s = h.body.strip()  # the model wrote a heading of its own: keep only what follows it
            if not s:
                continue
        s = _LINE_MARKER.sub("", s)
        if heading and s.startswith(heading):
            s = s[len(heading) :].lstrip("。：:，, ")
        if len(s) <= 25 and not re.search(r"[。！？；]", s):
            continue  # a title line of its own
        lines.append(s)
    text = _SPACE_IN_CJK.sub("", "\n".join(lines))
    kept = [p for p in _PIECE.findall(text) if not _ECHO.search(p)]
    return "".join(kept).strip()
