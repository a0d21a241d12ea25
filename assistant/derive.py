"""Figures computed in code, never by the model: 同比增长/下降 X％, 提高/下降 X个百分点, 增长X倍.

Rules (GB usage in these reports):
- A change in a rate (％) is stated in 个百分点 — never in ％.
- Amounts and counts change by ％ of the previous value; no ％ change from a zero base.
- 倍 only for increases, and "增长1倍" means doubled (增长 = current/previous − 1 倍); a fall is "下降X％".
- Rounding: half up; a 百分点 change keeps the inputs' precision (99.91 − 99.85 = 0.06); a ％ change has
  two decimals when the inputs carry two, else one. Approximate inputs (余, 约, 以上…) make the result "约".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.figures import Fact, metric_score
from assistant.numbers import fmt_decimal, to_halfwidth

_APPROX = ("余", "多", "约", "近", "超", "逾", "以上", "以下", "左右", "不足", "不到", "接近", "将近", "超过")


@dataclass
class DerivedFigure:
    metric: str
    kind: str  # "同比" (same period last year) | "变化" (other comparisons, e.g. 1月→11月)
    text: str  # the phrase to write: "同比增长13.21％", "提高0.06个百分点", "增长1倍"
    figure: str  # the number as written in `text`: "13.21％", "0.06个百分点", "1倍"
    number: Decimal  # magnitude of `figure`
    base: str  # "%" | "pp" | "倍"
    current: str  # written forms compared
    previous: str
    basis: str  # "2024年 比 2023年", "1月 → 11月"
    approx: bool = False
    comparable: bool = True  # same as-of point (截至11月 vs 截至11月); False = 口径不同

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "kind": self.kind,
            "text": self.text,
            "figure": self.figure,
            "current": self.current,
            "previous": self.previous,
            "basis": self.basis,
            "approx": self.approx,
            "comparable": self.comparable,
        }


def pct_style(facts: Iterable[Fact]) -> str:
    """The user's percent sign: "%" if they write only half-width, else the full-width "％" of these reports."""
    texts = [f.text for f in facts]
    return "%" if any("%" in t for t in texts) and not any("％" in t for t in texts) else "％"


def _approx(*facts: Fact) -> bool:
    return any(any(q in f.qualifier for q in _APPROX) for f in facts)


def _months(period: str) -> tuple[int, ...]:
    return tuple(int(m) for m in re.findall(r"([0-9]{1,2})月", to_halfwidth(period)))


def _label(f: Fact) -> str:
    """ "截至2024年11月"; a period without its year gets it from the fact: "截至11月" -> "2023年11月"."""
    if f.year and not re.search(r"(?:19|20)[0-9]{2}", to_halfwidth(f.period)):
        return f"{f.year}年{re.sub(r'^(?:截至到?|截止到?)', '', f.period)}"
    return f.period


def change(current: Fact, previous: Fact, pct: str | None = None) -> list[DerivedFigure]:
    """The change from `previous` to `current` (same metric, same base unit), as phrases to write."""
    if current.base != previous.base or current.high is not None or previous.high is not None:
        return []
    cur, prev = current.number, previous.number
    same_period_last_year = (
        current.year is not None
        and previous.year is not None
        and current.year - previous.year == 1
        and _months(current.period)[-1:] == _months(previous.period)[-1:]
    )
    kind = "同比" if same_period_last_year else "变化"
    comparable = _months(current.period)[-1:] == _months(previous.period)[-1:] or previous.role == "from"
    basis = f"{_label(current) or '本期'} 比 {_label(previous) or '上期'}"
    approx = _approx(current, previous)
    about = "约" if approx else ""
    common = {
        "metric": current.metric,
        "kind": kind,
        "current": current.text,
        "previous": previous.text,
        "basis": basis,
        "approx": approx,
        "comparable": comparable,
    }
    out: list[DerivedFigure] = []
    if current.base == "%":
        places = min(2, max(current.decimals, previous.decimals))
        diff = cur - prev
        mag = Decimal(fmt_decimal(abs(diff), places))
        if mag == 0:
            text, fig = "与上期持平" if kind != "同比" else "与上年同期持平", "0个百分点"
        else:
            fig = f"{fmt_decimal(mag, places)}个百分点"
            text = f"{'同比' if kind == '同比' else ''}{'提高' if diff > 0 else '下降'}{about}{fig}"
        out.append(DerivedFigure(text=text, figure=fig, number=mag, base="pp", **common))
        return out
    if current.base in ("pp", "倍") or prev == 0:
        return []
    places = 2 if max(current.decimals, previous.decimals) >= 2 else 1
    ratio = (cur - prev) / prev * 100
    mag = Decimal(fmt_decimal(abs(ratio), places))
    sign = pct or pct_style([current, previous])
    prefix = "同比" if kind == "同比" else ""
    if mag == 0:
        out.append(DerivedFigure(text=f"{prefix}持平", figure=f"0{sign}", number=mag, base="%", **common))
        return out
    fig = f"{fmt_decimal(mag, places)}{sign}"
    word = "增长" if ratio > 0 else "下降"
    out.append(DerivedFigure(text=f"{prefix}{word}{about}{fig}", figure=fig, number=mag, base="%", **common))
    if prev > 0 and cur >= 2 * prev:
        times = Decimal(fmt_decimal(cur / prev - 1, 2))
        fig_t = f"{fmt_decimal(times, 2)}倍"
        out.append(
            DerivedFigure(text=f"{prefix}增长{about}{fig_t}", figure=fig_t, number=times, base="倍", **common)
        )
    return out


def derive_changes(current: Fact | Iterable[Fact], previous: Fact | Iterable[Fact]) -> list[DerivedFigure]:
    """For each current fact, its change against the best-matching previous fact (metric and unit)."""
    cur_list = [current] if isinstance(current, Fact) else list(current)
    prev_list = [previous] if isinstance(previous, Fact) else list(previous)
    out: list[DerivedFigure] = []
    sign = pct_style(cur_list)  # the user's own style, not the past reports'
    for c in cur_list:
        cands = [(metric_score(c.metric, p.metric), p) for p in prev_list if p.base == c.base and p is not c]
        cands = [(s, p) for s, p in cands if s >= 0.8]
        if not cands:
            continue
        best = max(s for s, _ in cands)
        # Among equally good matches, the latest earlier value (the same as-of point first).
        pool = [p for s, p in cands if s == best]
        pool.sort(
            key=lambda p: (p.year or 0, _months(p.period)[-1:] == _months(c.period)[-1:], _months(p.period))
        )
        out.extend(change(c, pool[-1], sign))
    return out


def changes_within(facts: Iterable[Fact]) -> list[DerivedFigure]:
    """Changes the user's own figures already imply: 由…提高到… pairs, and one metric given for two years."""
    fs = list(facts)
    out: list[DerivedFigure] = []
    sign = pct_style(fs)
    for i, f in enumerate(fs):
        if f.role == "to" and i > 0 and fs[i - 1].role == "from" and fs[i - 1].metric == f.metric:
            out.extend(change(f, fs[i - 1], sign))
    by_metric: dict[tuple[str, str], list[Fact]] = {}
    for f in fs:
        if f.year is not None and not f.role:
            by_metric.setdefault((f.metric, f.base), []).append(f)
    for group in by_metric.values():
        years = sorted({f.year for f in group if f.year is not None})
        if len(years) < 2:
            continue
        latest = [f for f in group if f.year == years[-1]]
        earlier = [f for f in group if f.year == years[-2]]
        out.extend(change(latest[0], earlier[0], sign))
    return out
