"""Heading numbers (GB/T 9704 一、→（一）→1.→（1）): continuous sequences, restarts under a new
parent, no skipped level, full-width brackets, no final punctuation on a heading line of its own,
and the 一是、二是 enumerations inside a section."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.checks.base import CheckOptions, Finding, TextDoc, cn_to_int, marker_text
from assistant.numbers import int_to_cn

LEVEL_NAMES = {1: "一级标题“一、”", 2: "二级标题“（一）”", 3: "三级标题“1.”", 4: "四级标题“（1）”"}


@dataclass
class _Open:
    level: int
    number: int
    line: int


def check(doc: TextDoc, opts: CheckOptions) -> Iterator[Finding]:
    yield from _sequence_and_levels(doc, opts)
    if opts.enabled("heading.bracket"):
        yield from _brackets(doc)
    if opts.enabled("heading.punctuation"):
        yield from _final_punctuation(doc)
    if opts.enabled("heading.marker_style"):
        yield from _marker_style(doc)
    if opts.enabled("heading.enum_sequence"):
        yield from _enumerations(doc)


# A part above 一、 (第一部分, 上篇, 附件1) starts the numbering again.
_PART = re.compile(
    r"^[\s\u3000]*(?:#{1,6}\s*)?(?:第[一二三四五六七八九十0-9]+(?:部分|篇|章)|[上中下]篇|附件\s*[0-9一二三四五六七八九十]*)"
)


def _sequence_and_levels(doc: TextDoc, opts: CheckOptions) -> Iterator[Finding]:
    stack: list[_Open] = []
    parts = [i for i, raw in enumerate(doc.lines) if _PART.match(raw) and i not in doc.headings]
    for i, h in sorted(doc.headings.items()):
        if parts and parts[0] < i:
            stack.clear()
            while parts and parts[0] < i:
                parts.pop(0)
        while stack and stack[-1].level > h.level:
            stack.pop()
        previous = stack.pop() if stack and stack[-1].level == h.level else None
        parent = stack[-1] if stack else None
        # Reported once, at the first heading of a run that skips a level.
        skipped = parent is not None and previous is None and h.level > parent.level + 1
        if parent and skipped and opts.enabled("heading.level_skip"):
            want = parent.level + 1
            yield doc.finding(
                "heading.level_skip",
                "warning",
                i,
                h.start,
                h.marker_end,
                f"{LEVEL_NAMES[h.level]}直接出现在{LEVEL_NAMES[parent.level]}（第{parent.line + 1}行）之下，"
                f"跳过了{LEVEL_NAMES[want]}",
                f"改用{LEVEL_NAMES[want]}，或在其上补一个{LEVEL_NAMES[want]}",
            )
        expected = previous.number + 1 if previous else 1
        if h.number != expected and opts.enabled("heading.sequence"):
            fix = marker_text(h.level, expected, h.marker)
            if previous:
                why = f"上一个同级标题是第{previous.line + 1}行的“{_numeral(h.level, previous.number)}”"
            else:
                under = f"第{parent.line + 1}行的上级标题下" if parent else "全文"
                why = f"这是{under}第一个{LEVEL_NAMES[h.level]}，应从“{_numeral(h.level, 1)}”开始"
            yield doc.finding(
                "heading.sequence",
                "error",
                i,
                h.start,
                h.marker_end,
                f"标题序号不连续：{why}",
                f"改为“{fix}”",
                replacement=fix,
            )
        stack.append(_Open(h.level, h.number, i))


def _numeral(level: int, n: int) -> str:
    return int_to_cn(n) if level in (1, 2) else str(n)


def _brackets(doc: TextDoc) -> Iterator[Finding]:
    """（一） must be full-width; （1） too when the document mixes both widths."""
    level4 = [h for h in doc.headings.values() if h.level == 4]
    mixed4 = any("（" in h.marker for h in level4) and any("(" in h.marker for h in level4)
    for i, h in sorted(doc.headings.items()):
        if h.level not in (2, 4) or ("(" not in h.marker and ")" not in h.marker):
            continue
        partly = ("（" in h.marker) or ("）" in h.marker)
        if h.level == 4 and not (mixed4 or partly):
            continue
        fix = marker_text(h.level, h.number)
        close = max(h.marker.rfind(")"), h.marker.rfind("）"))
        yield doc.finding(
            "heading.bracket",
            "warning",
            i,
            h.start,
            h.start + close + 1,
            f"标题序号用了半角括号“{h.marker}”，"
            + ("与全文的全角括号不一致" if h.level == 4 else "应为全角括号"),
            f"改为“{fix}”",
            replacement=fix,
        )


_FINAL_PUNCT = re.compile(r"[。，、；：:;,.！!？?]+$")
_INNER_PUNCT = re.compile(r"[，。；：;,]")


def _final_punctuation(doc: TextDoc) -> Iterator[Finding]:
    """A heading on a line of its own ends without punctuation. A 1./（1） line that is a whole
    sentence (commas inside, or long) is a list item, not a heading, and may end with 。"""
    for i, h in sorted(doc.headings.items()):
        if not h.standalone:
            continue
        raw = doc.lines[i]
        text = raw[h.marker_end : h.text_end].rstrip()
        m = _FINAL_PUNCT.search(text)
        if not m:
            continue
        head = text[: m.start()]
        if h.level >= 3 and (len(head) > 30 or _INNER_PUNCT.search(head)):
            continue
        start = h.marker_end + m.start()
        yield doc.finding(
            "heading.punctuation",
            "warning",
            i,
            start,
            start + len(m.group(0)),
            "单独成行的标题末尾不加标点",
            f"删去末尾的“{m.group(0)}”",
            replacement="",
        )


_CN = "一二三四五六七八九十"
_TRAILING = re.compile(r"[）)]\s*([、．.,，])$")


def _marker_style(doc: TextDoc) -> Iterator[Finding]:
    """一、 not 一. ; 1. not 1、 ; nothing after a bracket marker: （一）、 → （一）."""
    for i, h in sorted(doc.headings.items()):
        marker = h.marker.strip()
        end = h.start + len(marker)
        if h.level == 1 and not marker.endswith("、"):
            fix, msg, span = f"{h.numeral}、", "汉字序号后用顿号“、”", (h.start, end)
        elif h.level == 3 and marker.endswith("、"):
            fix, msg, span = ".", "阿拉伯数字序号后用“.”，不用顿号", (end - 1, end)
        elif h.level in (2, 4) and (m := _TRAILING.search(marker)):
            fix, msg, span = "", "括号序号后不再加标点", (h.start + m.start(1), h.start + m.end(1))
        else:
            continue
        yield doc.finding(
            "heading.marker_style",
            "warning",
            i,
            span[0],
            span[1],
            msg,
            f"改为“{fix}”" if fix else "删去",
            fix,
        )


# 一是…二是… at the start of a sentence (line start or after 。；：).
_ENUM = re.compile(rf"(?:^|(?<=[。；：！？\s\u3000]))([{_CN}]{{1,3}})是(?=[^，。；\s])")


def _enumerations(doc: TextDoc) -> Iterator[Finding]:
    """一是、二是、三是 run on without gaps inside one section (they restart at each heading)."""
    last: int | None = None
    for i, raw in enumerate(doc.lines):
        h = doc.headings.get(i)
        if h is not None:
            last = None
        start_at = h.text_end if h is not None else 0
        for m in _ENUM.finditer(raw, start_at):
            n = cn_to_int(m.group(1))
            if n is None:
                continue
            if last is None:
                if n == 1:
                    last = 1
                continue  # "三是" without 一是 before it is ordinary text, not a list
            if n == 1:
                last = 1
                continue
            if n != last + 1:
                fix = f"{int_to_cn(last + 1)}是"
                yield doc.finding(
                    "heading.enum_sequence",
                    "warning",
                    i,
                    m.start(),
                    m.end(),
                    f"“一是、二是”序列不连续：上一项是“{int_to_cn(last)}是”",
                    f"改为“{fix}”",
                    replacement=fix,
                )
            last = n
