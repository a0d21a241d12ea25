"""Figures in pasted tables (tab-separated from Excel, or Markdown): a metric column, value columns
(or one column per year), optional unit and period columns -> facts."""

from __future__ import annotations

import re

from assistant.figure_fact import Fact
from assistant.figure_text import fact_from_mention
from assistant.metric_names import clean_metric
from assistant.numbers import find_numbers, parse_decimal, to_halfwidth

MD_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HEADER_WORDS = {
    "metric": ("指标", "项目", "名称", "内容", "事项"),
    "value": ("数值", "数据", "数量", "完成", "实际", "本期", "今年", "本年", "值"),
    "unit": ("单位",),
    "period": ("时间", "期间", "截至", "日期", "时点", "统计口径"),
}


def is_table_line(line: str) -> bool:
    return "\t" in line.strip("\t") or (line.strip().startswith("|") and line.strip().count("|") >= 2)


def split_cells(line: str) -> list[str]:
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    return [c.strip() for c in line.strip().strip("|").split("|")]


def has_figure(s: str) -> bool:
    return any(m.kind == "figure" for m in find_numbers(s)) or parse_decimal(s) is not None


def parse_table(rows: list[list[str]], raw: list[str]) -> tuple[list[Fact], list[str]]:
    facts: list[Fact] = []
    unparsed: list[str] = []
    roles: dict[int, str] = {}
    year_cols: dict[int, str] = {}
    body = rows
    head = rows[0]
    looks_header = len(head) >= 2 and not any(has_figure(c) for c in head[1:] if not _year_header(c))
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
            f = fact_from_mention(m, metric, period, f"{metric}{text}")
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
