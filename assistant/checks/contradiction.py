"""Contradictions: in one text, one metric stated with two different values.

`find_contradictions(text)` reads each figure of the text (assistant.numbers.find_numbers) with the
metric named in the clause before it (assistant.figures.clean_metric), a 【待核实：…】 mark's figure
included, and pairs figures whose metrics are the same (`metric_score` = 1: a part such as
城乡居民参保人数 is not the whole 参保人数), in the same base unit, for the same period (dates in the
sentence; 上半年, 1-6月, 去年, 目标 … in the clause), whose values disagree beyond rounding and beyond
what a qualifier allows (约, 余, 以上 …). Changes (同比, 较上年, 提高到), ranges, shares (占, 其中, 中有)
and per-unit values (人均, 分别) are not values of the metric. No part-of-speech tagger is needed, so a
new process checks a text without loading jieba's dictionary. `check` turns each contradiction into
a proofreading finding (`contradiction.value`, a warning) on the later value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assistant.checks.base import CheckOptions, Finding, TextDoc

RULE = "contradiction.value"

# Marks keep their figure but lose their brackets while we read, offsets unchanged.
_MARK_OPEN = re.compile(r"【(?:待核实|待补充)[：:]")
_SENT_END = "。！？；\n"
# Words after a figure that make it a change or a part, not the metric's value.
_CHANGE_AFTER = re.compile(r"^[^，。；！？\n]{0,3}?(?:同比|环比|较上年|比上年|较去年|比去年)")
_CHANGE_BEFORE = re.compile(
    r"(?:同比|环比|较上年|比上年|较去年|比去年|较|比|增长|增加|下降|减少|提高|提升|降低|上升|新增|占|中有|之中|当中)"
    r"[^，。；！？\n]{0,2}$"
)
_PLURAL = re.compile(r"分别|各|每|人均|户均|平均|累计|其中")
# Words in a figure's clause that say which period or which kind of value it is: two values of one
# metric are comparable only when their clauses say the same (上半年 … / 全年 …, 目标 … / 实际 …).
_SCOPE = re.compile(
    r"\d{1,2}\s*[-－~～至到]\s*\d{1,2}\s*月|\d{1,2}月(?:份|底|末|初)?|(?:19|20)\d\d年|上半年|下半年|全年|"
    r"前三季度|[一二三四]季度|今年|去年|上年|同期|年初|年底|目标|计划|预计|预算|实际|截至|截止"
)
_CLAUSE_BREAK = "，,。；;！？!?\n"


@dataclass(frozen=True)
class Value:
    text: str  # as written: "452.3万元"
    start: int  # offsets into the text given
    end: int
    sentence: str
    marked: bool  # inside a 【待核实：…】 mark


@dataclass(frozen=True)
class Contradiction:
    metric: str
    values: tuple[Value, ...]  # in text order; at least two that disagree

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(v.sentence for v in self.values)

    @property
    def message(self) -> str:
        shown = "、".join(v.text for v in self.values)
        return f"同一指标“{self.metric}”在文中有不同的数值：{shown}"

    def __str__(self) -> str:
        return self.message


def _unmark(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Brackets of 【待核实：…】 marks → spaces (same length); the marks' spans."""
    spans: list[tuple[int, int]] = []
    chars = list(text)
    for m in _MARK_OPEN.finditer(text):
        end = text.find("】", m.end())
        if end < 0 or "\n" in text[m.end() : end]:
            continue
        spans.append((m.start(), end + 1))
        for i in range(m.start(), m.end()):
            chars[i] = " "
        chars[end] = " "
    return "".join(chars), spans


def _sentence(text: str, start: int, end: int) -> str:
    a = max(text.rfind(c, 0, start) for c in _SENT_END) + 1
    ends = [i for i in (text.find(c, end) for c in _SENT_END) if i >= 0]
    b = min(ends) + 1 if ends else len(text)
    return text[a:b].strip()


def _written(f: _Figure) -> Decimal | None:
    from assistant.numbers import parse_decimal

    return parse_decimal(f.value)


def _agree(a: _Figure, b: _Figure) -> bool:
    """Two statements of one quantity that can both be true: equal, equal after rounding the more
    precise one to the other's decimals (50.12万人 / 50.1万人), or within what a qualifier allows."""
    if a.number == b.number:
        return True
    va, vb = _written(a), _written(b)
    if va is not None and vb is not None and a.unit == b.unit and a.decimals != b.decimals:
        precise, rough, places = (va, vb, b.decimals) if a.decimals > b.decimals else (vb, va, a.decimals)
        if precise.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == rough:
            return True
    for x, other in ((a, b), (b, a)):
        q, num, o = x.qualifier, x.number, other.number
        if not q:
            continue
        if any(w in q for w in ("以上", "超过", "超", "逾", "余", "多")) and o >= num:
            return True
        if any(w in q for w in ("以下", "以内", "不足", "不到")) and o <= num:
            return True
        if any(w in q for w in ("约", "左右", "近", "接近", "将近")) and abs(o - num) <= abs(num) / 10:
            return True
    return False


def _usable(text: str, start: int, end: int) -> bool:
    """The figure states the metric's value, not a change, a share or one of several."""
    before = text[max(0, start - 6) : start]
    after = text[end : end + 8]
    return not (_CHANGE_AFTER.match(after) or _CHANGE_BEFORE.search(before))


def _scope(text: str, start: int) -> frozenset[str]:
    a = max(text.rfind(c, 0, start) for c in _CLAUSE_BREAK) + 1
    words = {re.sub(r"\s", "", w) for w in _SCOPE.findall(text[a:start])}
    return frozenset(words - {"全年", "今年"})  # an annual report's figures are the year's by default


@dataclass(frozen=True)
class _Figure:
    """One figure as a statement of a metric's value (the fields `_agree` reads)."""

    metric: str
    value: str
    unit: str
    number: Decimal
    base: str
    qualifier: str
    period: str
    start: int
    end: int

    @property
    def decimals(self) -> int:
        return len(self.value.split(".")[1]) if "." in self.value else 0


_RANGE_JOIN = re.compile(r"^\s*(?:~|～|-|－|—|至|到)\s*$")
_FROM = re.compile(r"(?:由|从)[^，。；！？\n]{0,12}$")
_LIST_BREAK = _CLAUSE_BREAK + "、（）()【】"


def _figures(plain: str) -> list[_Figure]:
    """The figures of a text with the metric named in the clause before each (numbers and metric
    names as the figures parser reads them; no part-of-speech tagger, so no dictionary to load)."""
    from assistant.figures import clean_metric
    from assistant.numbers import find_numbers

    mentions = find_numbers(plain)
    figs = [m for m in mentions if m.kind == "figure"]
    dates = [m for m in mentions if m.kind == "date"]
    out: list[_Figure] = []
    for i, m in enumerate(figs):
        prv = figs[i - 1] if i > 0 else None
        nxt = figs[i + 1] if i + 1 < len(figs) else None
        if (prv and _RANGE_JOIN.match(plain[prv.end : m.start])) or (
            nxt and _RANGE_JOIN.match(plain[m.end : nxt.start])
        ):
            continue  # a range is not one value
        floor = prv.end if prv else 0
        cstart = max([floor, *(plain.rfind(c, floor, m.start) + 1 for c in _LIST_BREAK)])
        clause = plain[cstart : m.start]
        if _FROM.search(clause):
            continue  # 由98.5%提高到…: where it moved from
        sstart = max(plain.rfind(c, 0, m.start) for c in _SENT_END) + 1
        period = "".join(d.text for d in dates if sstart <= d.start < m.start)
        out.append(
            _Figure(
                clean_metric(clause), m.value, m.unit, m.number, m.base, m.qualifier, period, m.start, m.end
            )
        )
    return out


def find_contradictions(text: str, *, min_score: float = 1.0) -> list[Contradiction]:
    """Every metric of `text` stated with values that cannot all be true, in text order."""
    from assistant.figures import metric_score

    plain, mark_spans = _unmark(text.replace("\r\n", "\n").replace("\r", "\n"))
    facts: list[_Figure] = []
    for f in _figures(plain):
        if len(re.sub(r"[^\u4e00-\u9fff]", "", f.metric)) < 3:
            continue
        a = max(plain.rfind(c, 0, f.start) for c in _CLAUSE_BREAK) + 1
        if _PLURAL.search(plain[a : f.start]) or not _usable(plain, f.start, f.end):
            continue
        facts.append(f)
    groups: list[list[_Figure]] = []
    for f in facts:
        for g in groups:
            g0 = g[0]
            if (
                f.base == g0.base
                and f.period == g0.period
                and _scope(plain, f.start) == _scope(plain, g0.start)
                and metric_score(f.metric, g0.metric) >= min_score
            ):
                g.append(f)
                break
        else:
            groups.append([f])
    out: list[Contradiction] = []
    for g in groups:
        first = g[0]
        disagree = [f for f in g[1:] if not _agree(first, f)]
        if not disagree:
            continue
        values = []
        for f in [first, *disagree]:
            marked = any(a <= f.start and f.end <= b for a, b in mark_spans)
            values.append(
                Value(text[f.start : f.end], f.start, f.end, _sentence(text, f.start, f.end), marked)
            )
        out.append(Contradiction(metric=first.metric, values=tuple(values)))
    out.sort(key=lambda c: c.values[0].start)
    return out


def check(doc: TextDoc, opts: CheckOptions) -> Iterator[Finding]:
    if not opts.enabled(RULE):
        return
    text = "\n".join(doc.lines)
    line_starts = [0]
    for line in doc.lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)

    def where(pos: int) -> tuple[int, int]:
        i = max(k for k, s in enumerate(line_starts) if s <= pos)
        return i, pos - line_starts[i]

    for c in find_contradictions(text):
        first = c.values[0]
        fi, _ = where(first.start)
        for v in c.values[1:]:
            i, col = where(v.start)
            yield doc.finding(
                RULE,
                "warning",
                i,
                col,
                col + (v.end - v.start),
                f"“{c.metric}”前后数值不一致：{first.text}（第{fi + 1}行）与{v.text}",
                "核对后统一为一个数值，或写明各自的口径和时间",
            )
