"""The user's figures: pasted sentences, `指标：数值` lines, Excel/Markdown tables, CSV/XLSX files -> facts.

`parse_figures(text)` never drops a line silently: what it cannot read comes back in `unparsed`.
A Fact keeps the user's written form (`text`, e.g. "50.12万人", "99.91％") for the draft and a
normalised `number` in the base unit for comparison (see assistant.numbers).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.numbers import Mention, decimals_of, find_numbers, parse_decimal, to_halfwidth
from assistant.textfile import decode_text
from core.errors import BiganziError


@dataclass
class Fact:
    """One figure: 参保率 99.91％ (截至2024年10月底)."""

    metric: str
    value: str  # the numeral as written: "50.12", "三千"
    unit: str  # as written, multiplier included: "万人", "％", "个百分点"
    number: Decimal  # normalised in the base unit: 501200
    base: str  # base unit: "人", "元", "%", "pp", "" …
    text: str  # verbatim written form with qualifiers: "50.12万人", "2800余人次", "63%~68%"
    qualifier: str = ""  # "余", "以上", "约", …
    period: str = ""  # "截至2024年10月底", "1－9月", "1月", "2024年"
    year: int | None = None
    role: str = ""  # "" | "from" | "to" (由1月的…提高到11月的…)
    high: Decimal | None = None  # upper bound of a range, normalised
    source: str = ""  # the clause it came from, in the user's words
    span: tuple[int, int] | None = None  # where `text` sits in the parsed input
    origin: str = ""  # "" (the figures given) | "message" (typed in the chat request, assistant.request)

    @property
    def decimals(self) -> int:
        return decimals_of(self.value)

    @property
    def numbers(self) -> tuple[Decimal, ...]:
        return (self.number,) if self.high is None else (self.number, self.high)

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
            "text": self.text,
            "number": _dec_str(self.number),
            "base_unit": self.base,
            "high": _dec_str(self.high) if self.high is not None else None,
            "qualifier": self.qualifier,
            "period": self.period,
            "year": self.year,
            "role": self.role,
            "source": self.source,
            **({"origin": self.origin} if self.origin else {}),
        }


@dataclass
class FigureParse:
    facts: list[Fact] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"facts": [f.to_json() for f in self.facts], "unparsed": list(self.unparsed)}


def _dec_str(d: Decimal) -> str:
    s = format(d.normalize(), "f")
    return s


# --- metric names ---------------------------------------------------------------

_CLAUSE_BREAK = "，,。；;：:！？!?\n（()）【】《》"
_LEADING = (
    "今年以来",
    "今年",
    "本年度",
    "本年",
    "其中",
    "是",
    "我县",
    "全县",
    "我市",
    "全市",
    "我区",
    "全区",
    "我局",
    "共计",
    "合计",
    "总计",
    "累计",
    "共",
    "全年",
    "年内",
    "目前",
    "当前",
    "已",
    "均",
    "并",
    "且",
    "同时",
    "完成",
    "实现",
    "另外",
    "此外",
    "以及",
    "和",
    "及",
)
# Longest first so "分别达到" goes before "达到" and "达".
_TRAILING = tuple(
    sorted(
        (
            "分别达到",
            "分别达",
            "分别为",
            "分别是",
            "分别",
            "持续保持在",
            "保持在",
            "控制在",
            "稳定在",
            "提高到",
            "提高至",
            "提升到",
            "提升至",
            "增长到",
            "增长至",
            "增加到",
            "增加至",
            "下降到",
            "下降至",
            "降低到",
            "降低至",
            "增至",
            "降至",
            "达到",
            "达",
            "为",
            "是",
            "有",
            "共",
            "累计",
            "共计",
            "合计",
            "总计",
            "完成",
            "实现",
            "突破",
            "高达",
            "约",
            "近",
            "超",
            "超过",
            "逾",
            "占",
            "仅",
            "的",
            "了",
            "至",
            "到",
            "在",
            "已",
            "均",
        ),
        key=len,
        reverse=True,
    )
)
_PERIOD_WORDS = re.compile(
    r"(?:截至到?|截止到?|到)?(?:(?:19|20)[0-9]{2}年(?:度)?)?(?:[0-9]{1,2}[-－~～至到])?(?:[0-9]{1,2}月(?:份|底|末|初)?)?"
    r"(?:上半年|下半年|全年|前三季度|一季度|二季度|三季度|四季度|以来|年初以来)?"
)
_QUOTES = "“”\"「」‘’'"


def clean_metric(clause: str) -> str:
    """ "截至2024年10月底，累计完成扫描办业务" -> "扫描办业务"; "参保率达" -> "参保率"."""
    s = to_halfwidth(clause).strip(" \t，,、:：")
    # List markers of pasted notes: "- ", "1. ", "（一）", "一、".
    s = re.sub(
        r"^(?:[-*•·]+|[0-9]+[.、]|[（(][0-9一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)\s*", "", s
    )
    for q in _QUOTES:
        s = s.replace(q, "")
    # Drop date/period phrases anywhere ("2024年基本医保参保人数" -> "基本医保参保人数").
    s = re.sub(
        r"(?:截至到?|截止到?)?(?:19|20)[0-9]{2}年(?:度)?(?:[0-9]{1,2}月(?:份|底|末|初)?)?(?:上半年|下半年|全年|以来)?",
        "",
        s,
    )
    s = re.sub(r"(?:截至到?|截止到?)[0-9]{1,2}月(?:份|底|末|初)?", "", s)
    s = re.sub(r"^[0-9]{1,2}[-~至到][0-9]{1,2}月", "", s)
    s = re.sub(r"^[0-9]{1,2}月(?:份|底|末|初)?(?:以来)?", "", s)
    s = s.strip(" ，,、")
    changed = True
    while changed and s:
        changed = False
        for w in _LEADING:
            if s.startswith(w) and len(s) > len(w):
                s, changed = s[len(w) :], True
        for w in _TRAILING:
            if s.endswith(w) and len(s) > len(w):
                s, changed = s[: -len(w)], True
    return s.strip(" ，,、")


_SYNONYMS = (
    ("基本医疗保险", "基本医保"),
    ("医疗保险", "医保"),
    ("医疗保障", "医保"),
    ("定点医疗机构", "定点医药机构"),
)
_PLACE_PREFIX = re.compile(
    r"^(?:全县|全市|全区|我县|我市|我区|本县|XX县|XX市|XX区|X县|X市|[^\s]{1,3}[县市区](?=[^\s]{2,}))"
)


def _norm_metric(m: str) -> str:
    s = to_halfwidth(m)
    for q in _QUOTES:
        s = s.replace(q, "")
    for a, b in _SYNONYMS:
        s = s.replace(a, b)
    s = _PLACE_PREFIX.sub("", s) if len(s) > 4 else s
    return s.replace("的", "").replace(" ", "")


def _mask_match(a: str, b: str) -> bool:
    """ "追回XX基金" matches "追回医保基金": the seeds mask names with XX."""
    if "XX" not in a:
        return False
    parts = [re.escape(p) for p in re.split(r"X{2,}", a)]
    return re.fullmatch(".{1,8}".join(parts), b) is not None


def _bigrams(s: str) -> Counter[str]:
    s = s.replace("XX", "")
    return Counter(s[i : i + 2] for i in range(len(s) - 1)) if len(s) > 1 else Counter([s])


def metric_score(a: str, b: str) -> float:
    """How surely two metric names mean the same thing, 0..1. Equal (after synonyms, place
    prefixes, XX masks) = 1; one a suffix of the other ("参保率" / "基本医保参保率") = 0.9; contained = 0.8;
    otherwise character-bigram overlap scaled to at most 0.8 ("参保人数" vs "投保人数" ≈ 0.53)."""
    if not a or not b:
        return 0.0
    x, y = _norm_metric(a), _norm_metric(b)
    if x == y or _mask_match(x, y) or _mask_match(y, x):
        return 1.0
    short, long_ = sorted((x, y), key=len)
    if len(short) >= 2 and long_.endswith(short):
        return 0.9
    if len(short) >= 2 and short in long_:
        return 0.8
    bx, by = _bigrams(x), _bigrams(y)
    overlap = sum((bx & by).values())
    total = sum(bx.values()) + sum(by.values())
    return 0.8 * (2 * overlap / total) if total else 0.0


# --- parsing ---------------------------------------------------------------------

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
    """jieba part-of-speech tags, loaded on first use and quietly (no start-up chatter on stderr)."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return [(w.word, w.flag) for w in jieba.posseg.cut(phrase)]


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


def _fact(m: Mention, metric: str, period: str, source: str, unit_from: Mention | None = None) -> Fact:
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


def _parse_free(line: str, offset: int, default_metric: str = "") -> tuple[list[Fact], list[str]]:
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
            f1 = _fact(first, metric, from_period or period, src)
            f2 = _fact(last, metric, to_period or period, src)
            f1.role, f2.role = "from", "to"
            new = [f1, f2]
        elif item.kind == "range":
            metric = clean_metric(clause) or default_metric
            f = _fact(first, metric, period, line[cstart:source_end], unit_from=last)
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
                _fact(m, met, period, src, unit_from=last)
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
            new = [_fact(first, _cap(metric) or default_metric, period, line[cstart : first.end])]
        for f in new:
            if not f.metric:
                bad.append(line[cstart:source_end].strip())
                continue
            f.span = (f.span[0] + offset, f.span[1] + offset) if f.span else None
            facts.append(f)
        floor = last.end
    return facts, bad


_KV = re.compile(r"^\s*(?P<k>[^：:\t|]{1,40}?)\s*[：:]\s*(?P<v>.+)$")
_MD_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HEADER_WORDS = {
    "metric": ("指标", "项目", "名称", "内容", "事项"),
    "value": ("数值", "数据", "数量", "完成", "实际", "本期", "今年", "本年", "值"),
    "unit": ("单位",),
    "period": ("时间", "期间", "截至", "日期", "时点", "统计口径"),
}


def _is_table_line(line: str) -> bool:
    return "\t" in line.strip("\t") or (line.strip().startswith("|") and line.strip().count("|") >= 2)


def _cells(line: str) -> list[str]:
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _has_figure(s: str) -> bool:
    return any(m.kind == "figure" for m in find_numbers(s)) or parse_decimal(s) is not None


def _parse_table(rows: list[list[str]], raw: list[str]) -> tuple[list[Fact], list[str]]:
    facts: list[Fact] = []
    unparsed: list[str] = []
    roles: dict[int, str] = {}
    year_cols: dict[int, str] = {}
    body = rows
    head = rows[0]
    looks_header = len(head) >= 2 and not any(_has_figure(c) for c in head[1:] if not _year_header(c))
    if looks_header or any(w in head[0] for w in _HEADER_WORDS["metric"]):
        body = rows[1:]
        raw = raw[1:]
        for i, c in enumerate(head):
            if _year_header(c):
                year_cols[i] = c
                continue
            for role, words in _HEADER_WORDS.items():
                if any(w in c for w in words) and role not in roles.values():
                    roles[i] = role
                    break
    metric_col = next((i for i, r in roles.items() if r == "metric"), 0)
    unit_col = next((i for i, r in roles.items() if r == "unit"), None)
    period_col = next((i for i, r in roles.items() if r == "period"), None)
    value_cols = [i for i, r in roles.items() if r == "value"] + list(year_cols)
    for cells, line in zip(body, raw, strict=True):
        if not any(cells):
            continue
        metric = clean_metric(cells[metric_col]) if metric_col < len(cells) else ""
        cols = value_cols or [i for i in range(len(cells)) if i not in (metric_col, unit_col, period_col)]
        unit = cells[unit_col] if unit_col is not None and unit_col < len(cells) else ""
        row_period = cells[period_col] if period_col is not None and period_col < len(cells) else ""
        got = []
        for i in cols:
            if i >= len(cells) or not cells[i]:
                continue
            cell = cells[i]
            text = cell + unit if unit and not _cell_has_unit(cell) else cell
            figs = [m for m in find_numbers(text) if m.kind == "figure"]
            if len(figs) != 1 or not metric:
                continue
            m = figs[0]
            period = year_cols.get(i) or row_period
            f = _fact(m, metric, period, f"{metric}{text}")
            f.text = text[m.start : m.end] if text[m.start : m.end] else text
            f.span = None
            got.append(f)
        if got:
            facts.extend(got)
        else:
            unparsed.append(line.strip())
    return facts, unparsed


def _year_header(c: str) -> bool:
    return re.fullmatch(r"\s*(?:19|20)[0-9]{2}\s*年?(?:度)?\s*", to_halfwidth(c)) is not None


def _cell_has_unit(cell: str) -> bool:
    figs = [m for m in find_numbers(cell) if m.kind == "figure"]
    return bool(figs and figs[0].unit)


def _year_of(period: str) -> int | None:
    m = re.search(r"((?:19|20)[0-9]{2})", to_halfwidth(period))
    return int(m.group(1)) if m else None


def parse_figures(text: str) -> FigureParse:
    """Free sentences, `指标：数值` lines and pasted tables (tab-separated or Markdown) -> facts."""
    facts: list[Fact] = []
    unparsed: list[str] = []
    lines = text.splitlines(keepends=True)
    offsets = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln)
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r\n")
        if not line.strip():
            i += 1
            continue
        if _is_table_line(line):
            block, raw = [], []
            while i < len(lines) and _is_table_line(lines[i].rstrip("\r\n")):
                ln = lines[i].rstrip("\r\n")
                if not _MD_SEP.match(ln):
                    block.append(_cells(ln))
                    raw.append(ln)
                i += 1
            f, u = _parse_table(block, raw)
            facts.extend(f)
            unparsed.extend(u)
            continue
        default_metric, body, off = "", line, offsets[i]
        kv = _KV.match(line)
        if kv and not _has_figure(kv.group("k")):
            default_metric = clean_metric(kv.group("k"))
            body, off = kv.group("v"), offsets[i] + kv.start("v")
        f, bad = _parse_free(body, off, default_metric)
        if f:
            facts.extend(f)
            unparsed.extend(bad)
        else:
            unparsed.append(line.strip())
        i += 1
    _fill_years(facts, text)
    return FigureParse(facts=facts, unparsed=unparsed)


def _fill_years(facts: list[Fact], text: str) -> None:
    years = Counter(int(y) for y in re.findall(r"((?:19|20)[0-9]{2})年", to_halfwidth(text)))
    # The year the text is mostly about (a 2023 report also names 2024 in its plans); ties -> later.
    default = max(years, key=lambda y: (years[y], y)) if years else None
    for f in facts:
        f.year = _year_of(f.period) or default


# --- files -----------------------------------------------------------------------


def parse_figures_file(path: str | Path) -> FigureParse:
    """CSV (UTF-8 or GBK), XLSX (every sheet) or a text file of figures."""
    p = Path(path)
    if not p.is_file():
        raise BiganziError(f"找不到数据文件：{p}（请检查路径）")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return parse_figures("\n".join(_xlsx_lines(p)))
    raw = p.read_bytes()
    text = decode_text(raw, p)
    if suffix in (".csv", ".tsv"):
        dialect_delim = "\t" if suffix == ".tsv" else _sniff(text)
        rows = list(csv.reader(io.StringIO(text), delimiter=dialect_delim))
        return parse_figures(
            "\n".join("\t".join(c.strip() for c in r) for r in rows if any(c.strip() for c in r))
        )
    if suffix in (".txt", ".md", ""):
        return parse_figures(text)
    raise BiganziError(f"不支持的数据文件格式：{p.name}（支持 .xlsx .csv .tsv .txt .md）")


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",\t;，").delimiter
    except csv.Error:
        return ","


def _xlsx_lines(p: Path) -> list[str]:
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - openpyxl is a core dependency
        raise BiganziError("读取 .xlsx 需要 openpyxl：pip install openpyxl") from e
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as e:
        raise BiganziError(f"无法读取 Excel 文件 {p.name}：{e}") from e
    lines: list[str] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            cells = [_xlsx_cell(c) for c in row]
            if any(cells):
                lines.append("\t".join(cells))
        lines.append("")
    wb.close()
    return lines


def _xlsx_cell(c: Any) -> str:
    v = c.value
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        fmt = str(getattr(c, "number_format", "") or "")
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        if "%" in fmt:
            places = len(fmt.split(".", 1)[1].split("%")[0]) if "." in fmt else 0
            return f"{(d * 100):.{places}f}%"
        s = format(d.normalize(), "f")
        return s
    return str(v).strip()


def with_metric(f: Fact, metric: str) -> Fact:
    return replace(f, metric=metric)
