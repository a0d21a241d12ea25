"""One figure as the user wrote it (`Fact`) and a parse's result (`FigureParse`).

A Fact keeps the user's written form (`text`, e.g. "50.12万人", "99.91％") for the draft and a
normalised `number` in the base unit for comparison (see assistant.numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from assistant.numbers import decimals_of


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


def with_metric(f: Fact, metric: str) -> Fact:
    return replace(f, metric=metric)
