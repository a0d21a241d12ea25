"""Paired punctuation (GB/T 15834-2011): quotes, brackets and title marks open and close within a
paragraph, a bracket pair has one width, and quoted or titled items in a list need no 顿号."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.checks.base import CheckOptions, Finding, TextDoc

_OPEN = {"“": "”", "《": "》", "（": "）", "(": ")", "【": "】", "‘": "’"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_BRACKETS = {"（", "(", "）", ")"}
_NAMES = {"“": "引号", "‘": "引号", "《": "书名号", "（": "括号", "(": "括号", "【": "方括号"}
# ”、“ and 》、《: GB/T 15834-2011 4.5.3.5 (usually no 顿号 between quoted or titled items).
_LIST_DUNHAO = re.compile(r"(?<=[”》])、(?=[“《])")


def check(doc: TextDoc, opts: CheckOptions) -> Iterator[Finding]:
    for i, line in enumerate(doc.lines):
        if opts.enabled("punct.unpaired"):
            yield from _pairs(doc, i, line)
        if opts.enabled("punct.list_dunhao"):
            for m in _LIST_DUNHAO.finditer(line):
                yield doc.finding(
                    "punct.list_dunhao",
                    "info",
                    i,
                    m.start(),
                    m.end(),
                    "标有引号或书名号的并列成分之间通常不用顿号",
                    "删去顿号",
                    "",
                )


def _pairs(doc: TextDoc, i: int, line: str) -> Iterator[Finding]:
    stack: list[tuple[str, int]] = []
    for pos, ch in enumerate(line):
        if ch in _OPEN:
            stack.append((ch, pos))
            continue
        if ch not in _CLOSE:
            continue
        want = _CLOSE[ch]
        # （…) and (…）: the same pair written in two widths.
        if ch in _BRACKETS and stack and stack[-1][0] in _BRACKETS and stack[-1][0] != want:
            _, at = stack.pop()
            # Chinese text takes full-width brackets: fix whichever half is half-width.
            where, fix = (pos, "）") if ch == ")" else (at, "（")
            yield doc.finding(
                "punct.unpaired",
                "warning",
                i,
                where,
                where + 1,
                "括号前后一个全角、一个半角",
                f"改为“{fix}”",
                fix,
            )
            continue
        if stack and stack[-1][0] == want:
            stack.pop()
            continue
        if any(o == want for o, _ in stack):
            # Something opened inside was never closed: report it, then close the outer pair.
            while stack and stack[-1][0] != want:
                opener, at = stack.pop()
                yield _unclosed(doc, i, opener, at)
            stack.pop()
            continue
        yield doc.finding(
            "punct.unpaired",
            "warning",
            i,
            pos,
            pos + 1,
            f"{_NAMES[want]}不配对：有“{ch}”而前面缺少“{want}”",
            f"在合适位置补上“{want}”",
        )
    for opener, at in stack:
        yield _unclosed(doc, i, opener, at)


def _unclosed(doc: TextDoc, i: int, opener: str, at: int) -> Finding:
    return doc.finding(
        "punct.unpaired",
        "warning",
        i,
        at,
        at + 1,
        f"{_NAMES[opener]}不配对：“{opener}”没有对应的“{_OPEN[opener]}”",
        f"在合适位置补上“{_OPEN[opener]}”",
    )
