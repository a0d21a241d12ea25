"""Numbers (GB/T 15835-2011 and house style): a change in a rate is stated in 个百分点, years are
written in full, a range repeats its % / 万 / 亿, one width of % and of digits per document, and
a decrease is never a multiple (倍)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.checks.base import CheckOptions, Finding, TextDoc

_NUM = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
_CLAUSE = r"[^，。；：！？,;:!?\n]"

# 参保率提高0.5%, 占比同比下降1.2％ — a rate that moves by a number of %.
_RATE_CHANGE = re.compile(
    rf"(?P<subject>(?:率|比例|比重|占比))(?P<mid>{_CLAUSE}{{0,12}}?)"
    rf"(?P<verb>提高|提升|增长|上升|上涨|增加|下降|降低|减少|回落|下滑|下跌)(?P<le>了)?\s*"
    rf"(?P<num>{_NUM})\s*(?P<pct>[%％])"
)
# Rates whose change in % is a relative change of the quantity itself.
_RELATIVE_RATES = ("效率", "功率", "频率", "汇率", "速率")
# 按比例增加5%: the rate is the method, not the thing that changes.
_BY_RATE = re.compile(r"(?:按|按照|依|依照)[^，。；]{0,4}$")
_PERCENT_NOUN = re.compile(r"个百分比")

# 23年1月, 23年度, 23年底, 22年至23年 — a two-digit year. 近3年, 5年来, 20周年 are durations.
_SHORT_YEAR = re.compile(r"(?<![0-9０-９.．\-—~～/])(?P<yy>[0-9０-９]{2})年(?!代)")
_YEAR_CONTEXT_AFTER = re.compile(
    r"^(?:[0-9０-９]{1,2}月|度|初|底|末|年底|[上下]半年|全年|第?[一二三四1-4]季度|"
    r"工作(?:总结|计划|思路|要点|报告|安排)|[、和与及至到~～\-—－][0-9０-９]{2}(?:[0-9０-９]{2})?年)"
)
_DURATION_BEFORE = re.compile(
    r"(?:近|前|后|这|每|连续|多|共|满|第|过去|未来|长达|超过|约|逾|历时|了|经过|用|花|达|再)$"
)
_PREV_YEAR = re.compile(r"(?:[0-9０-９]{2}(?:[0-9０-９]{2})?年)[、和与及至到~～\-—－]$")

# 18~25% → 18%~25%; 13~17万元 → 13万~17万元 (GB/T 15835-2011 4.2.4).
_RANGE = re.compile(
    rf"(?<![0-9０-９.．%％])(?P<a>{_NUM})\s*(?P<sep>[~～\-－—–至到])\s*(?P<b>{_NUM})\s*(?P<unit>[%％‰]|千万|百万|万|亿)"
)
# 下降2倍, 减少一倍 — a decrease cannot be a multiple.
_FOLD_DECREASE = re.compile(
    rf"(?P<verb>下降|降低|减少|缩小|减小|缩减|压缩|下跌|回落)了?\s*(?:{_NUM}|[一二两三四五六七八九十几]+)\s*倍"
)
_FULL = "０１２３４５６７８９"
_HALF = "0123456789"
_TO_HALF = str.maketrans(_FULL, _HALF)
_TO_FULL = str.maketrans(_HALF, _FULL)


def check(doc: TextDoc, opts: CheckOptions) -> Iterator[Finding]:
    for i, line in enumerate(doc.lines):
        if not line.strip():
            continue
        if opts.enabled("number.rate_change"):
            yield from _rate_change(doc, i, line)
        if opts.enabled("number.short_year"):
            yield from _short_year(doc, i, line)
        if opts.enabled("number.range_unit"):
            yield from _range_unit(doc, i, line)
        if opts.enabled("number.fold_decrease"):
            yield from _fold_decrease(doc, i, line)
    if opts.enabled("number.percent_width"):
        yield from _mixed(doc, re.compile("%"), re.compile("％"), "number.percent_width", "百分号")
    if opts.enabled("number.digit_width"):
        yield from _mixed(doc, re.compile("[0-9]+"), re.compile(f"[{_FULL}]+"), "number.digit_width", "数字")


def _rate_change(doc: TextDoc, i: int, line: str) -> Iterator[Finding]:
    for m in _RATE_CHANGE.finditer(line):
        before = line[max(0, m.start() - 4) : m.end("subject")]
        if any(before.endswith(r) for r in _RELATIVE_RATES):
            continue
        if _BY_RATE.search(line[: m.start("subject")]):
            continue
        fix = f"{m.group('verb')}{m.group('le') or ''}{m.group('num')}个百分点"
        yield doc.finding(
            "number.rate_change",
            "warning",
            i,
            m.start("verb"),
            m.end(),
            "比率的变化应以“个百分点”表述，不用“%”",
            f"改为“{fix}”（若指相对变化，请写明“增长了…%”的基数）",
            fix,
        )
    for m in _PERCENT_NOUN.finditer(line):
        yield doc.finding(
            "number.rate_change",
            "error",
            i,
            m.start(),
            m.end(),
            "没有“个百分比”的说法",
            "改为“个百分点”",
            "个百分点",
        )


def _short_year(doc: TextDoc, i: int, line: str) -> Iterator[Finding]:
    for m in _SHORT_YEAR.finditer(line):
        before, after = line[: m.start()], line[m.end() :]
        if _DURATION_BEFORE.search(before):
            continue
        at_sentence_start = not before.strip() or before.rstrip()[-1] in "。；！？"
        if not (
            _YEAR_CONTEXT_AFTER.match(after)
            or _PREV_YEAR.search(before)
            or (at_sentence_start and after.startswith(("是", "，", "以来")))
        ):
            continue
        yy = int(m.group("yy").translate(_TO_HALF))
        if 40 <= yy < 90:
            continue
        full = f"{19 if yy >= 90 else 20}{yy:02d}年"
        if m.group("yy").translate(_TO_HALF) != m.group("yy"):
            full = full.translate(_TO_FULL)
        yield doc.finding(
            "number.short_year", "warning", i, m.start(), m.end(), "年份不能简写", f"改为“{full}”", full
        )


def _range_unit(doc: TextDoc, i: int, line: str) -> Iterator[Finding]:
    for m in _RANGE.finditer(line):
        unit = m.group("unit")
        fix = f"{m.group('a')}{unit}{m.group('sep')}{m.group('b')}{unit}"
        yield doc.finding(
            "number.range_unit",
            "warning",
            i,
            m.start(),
            m.end(),
            f"数值范围的前后两个数都要带“{unit}”",
            f"改为“{fix}”",
            fix,
        )


def _fold_decrease(doc: TextDoc, i: int, line: str) -> Iterator[Finding]:
    for m in _FOLD_DECREASE.finditer(line):
        yield doc.finding(
            "number.fold_decrease",
            "error",
            i,
            m.start(),
            m.end(),
            "减少、下降不能用“倍”表示",
            "改用百分比（如“下降50%”）或“减少到原来的几分之几”",
        )


def _mixed(
    doc: TextDoc, half: re.Pattern[str], full: re.Pattern[str], rule: str, what: str
) -> Iterator[Finding]:
    """When both widths occur, flag each occurrence of the rarer one (ties: the full-width one)."""
    hits = {
        "half": [(i, m) for i, line in enumerate(doc.lines) for m in half.finditer(line)],
        "full": [(i, m) for i, line in enumerate(doc.lines) for m in full.finditer(line)],
    }
    if not hits["half"] or not hits["full"]:
        return
    minority = "full" if len(hits["full"]) <= len(hits["half"]) else "half"
    majority_name = "半角" if minority == "full" else "全角"
    table = _TO_HALF if minority == "full" else _TO_FULL
    for i, m in hits[minority]:
        text = m.group(0)
        fix = text.replace("％", "%") if minority == "full" else text.replace("%", "％")
        fix = fix.translate(table)
        yield doc.finding(
            rule,
            "warning",
            i,
            m.start(),
            m.end(),
            f"全文{what}全角、半角混用（多数为{majority_name}）",
            f"改为{majority_name}“{fix}”",
            fix,
        )
