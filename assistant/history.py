"""Metric timelines mined from past reports in a knowledge base.

    metric_history(settings, metric="追回医保基金", kb="seeds")
      -> [HistoryRow(追回XX基金 309.82万元, 截至9月底, 2023, 002…), HistoryRow(… 399.54万元, 截至11月, 2023, 000…)]

Every stored chunk is read with the same parser as the user's figures (assistant.figures), so a row
carries the metric, the figure as written, its as-of phrase, and the document and section it came from.
The seeds mask names with "XX": a query "追回医保基金" matches "追回XX基金".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.derive import DerivedFigure, derive_changes
from assistant.figures import Fact, metric_score, parse_figures
from assistant.numbers import to_halfwidth
from core.settings import Settings

MATCH = 0.8


@dataclass
class HistoryRow:
    metric: str
    value: str  # the figure as written: "309.82万元"
    number: Decimal
    base: str
    as_of: str  # "截至9月底", "1－9月", "2023年"; "" when the passage names none
    year: int | None  # from the as-of phrase, else the document's year
    document: str  # file name
    section: str  # heading path
    doc_id: str = ""
    title: str = ""
    unit: str = ""
    qualifier: str = ""
    role: str = ""
    numeral: str = ""  # the number alone as written: "309.82"

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": self.value,
            "as_of": self.as_of,
            "year": self.year,
            "document": self.document,
            "section": self.section,
            "doc_id": self.doc_id,
            "number": format(self.number.normalize(), "f"),
            "base_unit": self.base,
        }

    def as_fact(self) -> Fact:
        return Fact(
            metric=self.metric,
            value=self.numeral or self.value,
            unit=self.unit,
            number=self.number,
            base=self.base,
            text=self.value,
            qualifier=self.qualifier,
            period=self.as_of,
            year=self.year,
            role=self.role,
            source=f"{self.document} > {self.section}",
        )


def metric_matches(query: str, metric: str) -> bool:
    q = query.strip()
    return bool(q) and (q in metric or metric_score(q, metric) >= MATCH)


def _month(as_of: str) -> int:
    m = re.findall(r"([0-9]{1,2})月", to_halfwidth(as_of))
    return int(m[-1]) if m else 13  # a year figure sorts after its months


def history_from_chunks(chunks: Iterable[Any], metric: str | None = None) -> list[HistoryRow]:
    """Rows from stored chunks (anything with .text, .source, .section/.heading_path, .year)."""
    rows: list[HistoryRow] = []
    for c in chunks:
        text = getattr(c, "text", "")
        if not text:
            continue
        section = getattr(c, "section", None)
        if section is None:
            section = " > ".join(getattr(c, "heading_path", []) or [])
        doc_year = getattr(c, "year", None)
        for f in parse_figures(text).facts:
            if metric and not metric_matches(metric, f.metric):
                continue
            period_year = re.search(r"((?:19|20)[0-9]{2})年", to_halfwidth(f.period))
            rows.append(
                HistoryRow(
                    metric=f.metric,
                    value=f.text,
                    number=f.number,
                    base=f.base,
                    as_of=f.period,
                    year=int(period_year.group(1)) if period_year else doc_year,
                    document=str(getattr(c, "source", "")),
                    section=str(section),
                    doc_id=str(getattr(c, "doc_id", "")),
                    title=str(getattr(c, "title", "")),
                    unit=f.unit,
                    qualifier=f.qualifier,
                    role=f.role,
                    numeral=f.value,
                )
            )
    rows.sort(key=lambda r: (r.metric if not metric else "", r.year or 0, _month(r.as_of), r.document))
    return rows


def metric_history(settings: Settings, metric: str | None = None, kb: str | None = None) -> list[HistoryRow]:
    """(metric, value, as-of, document, section) for every figure in the knowledge base's past reports."""
    from index.store import open_kb

    store = open_kb(settings, kb)
    try:
        return history_from_chunks(store.iter_chunks(), metric)
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()


def changes_against_history(facts: Iterable[Fact], rows: Iterable[HistoryRow]) -> list[DerivedFigure]:
    """Changes of this year's facts against the latest earlier value of the same metric and as-of point."""
    cur = list(facts)
    out: list[DerivedFigure] = []
    history = [r.as_fact() for r in rows if not r.role]
    for f in cur:
        earlier = [h for h in history if f.year is None or (h.year is not None and h.year < f.year)]
        for d in derive_changes([f], earlier):
            if d.comparable:
                out.append(d)
    return out


def changes_from_history(
    settings: Settings, facts: Iterable[Fact], kb: str | None = None
) -> list[DerivedFigure]:
    return changes_against_history(facts, metric_history(settings, None, kb))
