"""Figures in free sentences: "截至2024年11月，检查定点医药机构186家，追回医保基金452.3万元。" -> facts.

Handles lists ("药品和医用耗材分别降价52%、48%"), ranges ("63%~68%"), from/to ("由1月的…提高到11月的…"),
counts before what they count ("督促176家医药机构…") and the as-of period of each figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.figure_fact import Fact
from assistant.metric_names import clean_metric
from assistant.numbers import Mention, find_numbers, parse_decimal, to_halfwidth

_CLAUSE_BREAK = "，,。；;：:！？!?\n（()）【】《》"

_LIST_JOIN = re.compile(r"^\s*(?:、|和|与|及|以及|,|，)\s*$")
_RANGE_JOIN = re.compile(r"^\s*(?:~|～|-|－|—|至|到)\s*$")
_FROM_TO = re.compile(
    r"^\s*(?:提高|提升|上升|增长|增加|下降|降低|减少|回落|扩大|缩小)(?:了)?(?:到|至|为)\s*(?P<date>[^，。；]{0,12}?)的?\s*$"
)
_FROM_BEFORE = re.compile(r"(?:由|从)\s*(?P<date>[^，。；由从]{0,12}?)的?\s*$")
_AS_OF_PREFIX = re.compile(r"(?:截至到?|截止到?|截止至|到)$")
_PERIOD_TAIL = re.compile(r"^(?:上半年|下半年|全年|前三季度|一季度|二季度|三季度|四季度|以来)")
_SENTENCE_END = "。！？!?\n"


def _period_text(line: str, d: Mention) -> str:
    """The as-of phrase around a date mention: "截至" + "2024年10月底" (+ "上半年")."""
    start, end = d.start, d.end
    pre = _AS_OF_PREFIX.search(to_halfwidth(line[max(0, start - 4) : start]))
    if pre:
        start -= len(pre.group(0))
    tail = _PERIOD_TAIL.match(line[end:])
    if tail:
        end += len(tail.group(0))
    return line[start:end]


def _split_items(subject: str) -> list[str]:
    return [p for p in re.split(r"、|和|与|及|以及", subject) if p]


def _distribute(subject: str, n: int) -> list[str]:
    """ "职工医保、城乡居民医保政策范围内住院报销比例" with 2 values -> two full metric names."""
    items = _split_items(subject)
    if len(items) != n or n < 2:
        return [subject] * n
    first, last = items[0], items[-1]
    split_at = _known_subject(last)
    for k in (
        range(len(first), 0, -1) if split_at is None else ()
    ):  # longest suffix of the first item found in the last one
        pos = last.find(first[-k:])
        if pos >= 0 and pos + k < len(last):
            split_at = pos + k
            break
    if split_at is None:
        split_at = _head_start(last)
    if split_at is None:
        split_at = _subject_length(last)
    tail = last[split_at:]
    return [*(it + tail for it in items[:-1]), last]


# Subjects these reports enumerate ("职工、城乡居民医保…", "药品和医用耗材…"): a list item that starts
# with one of them splits there. "城乡XX" covers the masked names in the seed reports.
_SUBJECTS = (
    "城乡居民医保",
    "城乡居民",
    "职工医保",
    "城镇职工",
    "医用耗材",
    "药品",
    "耗材",
    "门诊",
    "住院",
    "农村",
    "城镇",
)


def _known_subject(phrase: str) -> int | None:
    m = re.match(r"^[^X]{1,4}X{2,}", phrase)
    if m and m.end() < len(phrase):
        return m.end()
    for subj in _SUBJECTS:
        if phrase.startswith(subj) and len(phrase) > len(subj) + 1:
            return len(subj)
    return None


# Words a shared metric tail starts with ("灵活就业人员｜参保人数", "城乡居民｜政策范围内住院报销比例").
_HEADS = (
    "政策范围内",
    "参保",
    "住院",
    "门诊",
    "报销",
    "结算",
    "带量采购",
    "覆盖",
    "就诊",
    "签约",
    "人数",
    "费用",
    "满意",
)


def _share_head(previous: str, metric: str) -> str:
    """ "带量采购药品412种、耗材301种": the second item is "带量采购耗材" — a bare subject after 、 takes the
    words the previous metric put before its own subject."""
    if metric not in _SUBJECTS:
        return metric
    for subj in _SUBJECTS:
        if previous.endswith(subj) and len(previous) > len(subj) and subj != metric:
            return previous[: -len(subj)] + metric
    return metric


def _head_start(phrase: str) -> int | None:
    found = [i for h in _HEADS if (i := phrase.find(h)) > 0]
    return min(found) if found else None


def _noun_run(phrase: str, limit: int = 10) -> str:
    """The noun phrase a count quantifies: "医药机构进行自查自纠" -> "医药机构" ("" if it starts with a verb)."""
    out = ""
    for word, flag in _pos_tags(phrase[:16]):
        if (
            flag[:1] in ("v", "d", "p", "c", "u", "r", "m", "q")
            or flag == "vn"
            or len(out) + len(word) > limit
        ):
            break
        out += word
    return out


def _pos_tags(phrase: str) -> list[tuple[str, str]]:
    """jieba part-of-speech tags, the same pairs as jieba.posseg.cut; in a new process read from
    index.lexical's small dictionary store instead of loading jieba's whole dictionary (≈2 s)."""
    from index.lexical import pos_tags

    return pos_tags(phrase)


def _subject_length(phrase: str) -> int:
    """Length of the leading noun run: "医用耗材带量采购" -> 4 ("医用耗材"), the rest is the shared tail."""
    words = _pos_tags(phrase)  # only for lists whose items share no wording ("药品和医用耗材带量采购")
    n = 0
    for word, flag in words:
        if flag[:1] in ("v", "d", "p") or flag == "vn":
            break
        n += len(word)
    if n == 0 or n >= len(phrase):
        return len(words[0][0]) if len(words) > 1 else len(phrase)
    return n


@dataclass
class _Item:
    mentions: list[Mention]
    kind: str = "single"  # single | range | list | fromto


def _group(line: str, figs: list[Mention]) -> list[_Item]:
    items: list[_Item] = []
    i = 0
    while i < len(figs):
        cur = figs[i]
        nxt = figs[i + 1] if i + 1 < len(figs) else None
        between = line[cur.end : nxt.start] if nxt else ""
        if nxt and _RANGE_JOIN.match(between) and (not cur.base or cur.base == nxt.base):
            items.append(_Item([cur, nxt], "range"))
            i += 2
            continue
        if nxt and _FROM_TO.match(between) and _FROM_BEFORE.search(line[: cur.start]):
            items.append(_Item([cur, nxt], "fromto"))
            i += 2
            continue
        if (
            items
            and items[-1].kind == "list"
            and _LIST_JOIN.match(line[items[-1].mentions[-1].end : cur.start])
        ):
            items[-1].mentions.append(cur)
            i += 1
            continue
        if nxt and _LIST_JOIN.match(between) and "分别" in _clause_before(line, cur.start, 0):
            items.append(_Item([cur], "list"))
            i += 1
            continue
        if nxt and re.match(r"^\s*、\s*$", between):
            items.append(_Item([cur], "list"))
            i += 1
            continue
        items.append(_Item([cur]))
        i += 1
    return items


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _cap(metric: str, limit: int = 24) -> str:
    """A "metric" longer than a name is a sentence fragment; keep its tail, where the head noun is."""
    return metric if len(metric) <= limit else metric[-limit:]


def _clause_before(line: str, pos: int, floor: int) -> str:
    start = pos
    while start > floor and line[start - 1] not in _CLAUSE_BREAK:
        start -= 1
    return line[start:pos]


def _clause_start(line: str, pos: int, floor: int) -> int:
    start = pos
    while start > floor and line[start - 1] not in _CLAUSE_BREAK:
        start -= 1
    return start


def fact_from_mention(
    m: Mention, metric: str, period: str, source: str, unit_from: Mention | None = None
) -> Fact:
    unit, base, number, text = m.unit, m.base, m.number, m.text
    if not m.unit and unit_from is not None and unit_from.unit:
        # "338、265种": the list's last unit belongs to every item; written form repeats it.
        unit, base = unit_from.unit, unit_from.base
        number = m.number * (unit_from.number / (parse_decimal(unit_from.value) or Decimal(1)))
        text = m.text + unit_from.unit
    return Fact(
        metric=metric,
        value=m.value,
        unit=unit,
        number=number,
        base=base,
        text=text,
        qualifier=m.qualifier,
        period=period,
        source=source,
        span=(m.start, m.end),
    )


def parse_free(line: str, offset: int, default_metric: str = "") -> tuple[list[Fact], list[str]]:
    """One line of free text (sentences) -> facts; fragments with a number but no metric -> unparsed."""
    mentions = find_numbers(line)
    figs = [m for m in mentions if m.kind == "figure"]
    dates = [m for m in mentions if m.kind == "date"]
    facts: list[Fact] = []
    bad: list[str] = []
    floor = 0  # a metric never reaches back past the previous figure
    for item in _group(line, figs):
        first, last = item.mentions[0], item.mentions[-1]
        sent_start = max((line.rfind(c, 0, first.start) for c in _SENTENCE_END), default=-1) + 1
        # The period: the last date before this item in the same sentence that is not a from/to date.
        period = ""
        for d in dates:
            if sent_start <= d.start < first.start and not re.match(r"\s*的", line[d.end : d.end + 2]):
                period = _period_text(line, d)
        if not period:
            # "追回医保基金：452.3万元（截至2024年11月）": the as-of date follows in brackets.
            after = re.match(r"\s*[（(]([^）)]{2,20})[）)]", line[last.end :])
            if after and any(d.kind == "date" for d in find_numbers(after.group(1))):
                period = after.group(1).strip()
        cstart = _clause_start(line, first.start, max(floor, sent_start))
        clause = line[cstart : first.start]
        source_end = last.end
        if item.kind == "fromto":
            fm = _FROM_BEFORE.search(clause)
            assert fm is not None
            metric = clean_metric(clause[: fm.start()]) or default_metric
            between = _FROM_TO.match(line[first.end : last.start])
            from_period = (fm.group("date") or "").strip()
            to_period = (between.group("date") if between else "").strip()
            src = line[cstart:source_end]
            f1 = fact_from_mention(first, metric, from_period or period, src)
            f2 = fact_from_mention(last, metric, to_period or period, src)
            f1.role, f2.role = "from", "to"
            new = [f1, f2]
        elif item.kind == "range":
            metric = clean_metric(clause) or default_metric
            f = fact_from_mention(first, metric, period, line[cstart:source_end], unit_from=last)
            f.high = last.number
            f.text = line[first.start : last.end]
            f.unit, f.base = last.unit, last.base
            f.span = (first.start, last.end)
            new = [f]
        elif item.kind == "list" and len(item.mentions) > 1:
            subject = clean_metric(clause)
            metrics = (
                _distribute(subject, len(item.mentions)) if subject else [default_metric] * len(item.mentions)
            )
            src = line[cstart:source_end]
            new = [
                fact_from_mention(m, met, period, src, unit_from=last)
                for m, met in zip(item.mentions, metrics, strict=True)
            ]
        else:
            metric = clean_metric(clause)
            after = line[first.end : first.end + 16]
            if first.base not in ("%", "元", "pp", "倍") and after[:1] and _is_cjk(after[0]):
                # "督促176家医药机构进行自查": the count comes before what it counts.
                noun = _noun_run(re.split(f"[{_CLAUSE_BREAK}]", after)[0])
                if noun:
                    metric = clean_metric(metric + noun)
            if facts and clause.lstrip().startswith("、"):
                metric = _share_head(facts[-1].metric, metric)
            new = [fact_from_mention(first, _cap(metric) or default_metric, period, line[cstart : first.end])]
        for f in new:
            if not f.metric:
                bad.append(line[cstart:source_end].strip())
                continue
            f.span = (f.span[0] + offset, f.span[1] + offset) if f.span else None
            facts.append(f)
        floor = last.end
    return facts, bad
