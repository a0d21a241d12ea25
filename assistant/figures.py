"""The user's figures: pasted sentences, `指标：数值` lines, Excel/Markdown tables, CSV/XLSX files -> facts.

`parse_figures(text)` never drops a line silently: what it cannot read comes back in `unparsed`.
The parts live in modules named for what they hold; this module dispatches lines and keeps the
public names every caller imports:

- assistant.figure_fact — `Fact`, `FigureParse`, `with_metric`
- assistant.metric_names — `clean_metric`, `metric_score`
- assistant.figure_text — free sentences -> facts
- assistant.figure_table — pasted tables -> facts
- assistant.figure_files — `parse_figures_file` (CSV/TSV/XLSX/text)
"""

from __future__ import annotations

import re
from collections import Counter

from assistant.figure_fact import Fact, FigureParse, with_metric
from assistant.figure_files import parse_figures_file
from assistant.figure_table import MD_SEP, has_figure, is_table_line, parse_table, split_cells
from assistant.figure_text import parse_free
from assistant.metric_names import clean_metric, metric_score
from assistant.numbers import to_halfwidth

__all__ = [
    "Fact",
    "FigureParse",
    "clean_metric",
    "metric_score",
    "parse_figures",
    "parse_figures_file",
    "with_metric",
]

_KV = re.compile(r"^\s*(?P<k>[^：:\t|]{1,40}?)\s*[：:]\s*(?P<v>.+)$")


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
        if is_table_line(line):
            block, raw = [], []
            while i < len(lines) and is_table_line(lines[i].rstrip("\r\n")):
                ln = lines[i].rstrip("\r\n")
                if not MD_SEP.match(ln):
                    block.append(split_cells(ln))
                    raw.append(ln)
                i += 1
            f, u = parse_table(block, raw)
            facts.extend(f)
            unparsed.extend(u)
            continue
        default_metric, body, off = "", line, offsets[i]
        kv = _KV.match(line)
        if kv and not has_figure(kv.group("k")):
            default_metric = clean_metric(kv.group("k"))
            body, off = kv.group("v"), offsets[i] + kv.start("v")
        f, bad = parse_free(body, off, default_metric)
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
