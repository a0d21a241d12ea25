"""套改: last year's paragraph with this year's figures. Deterministic; no model needed.

    update_text("截至2023年9月，参保率99.85％，…", parse_figures("截至2024年11月，参保率99.91％").facts)
      -> "截至2024年11月，参保率99.91％，…"

Rules:
- Each old figure is matched to a new one by metric (assistant.figures.metric_score ≥ 0.6) and base unit
  (％ with ％, 人 with 人…), best pairs first, each new figure used once (the same old figure written
  twice gets the same new value). Roles must agree: 由…到… ends with ends, ranges with ranges.
- An old change phrase right after a replaced figure ("同比增长12.5％", "提高0.3个百分点") is recomputed
  in code from the new and old values (assistant.derive); a change that cannot be recomputed is marked.
- The as-of date governing replaced figures (截至2023年9月, 1－9月, a bare 2023年 before a metric) is
  advanced to the new figures' as-of; an as-of date whose figures all lack new values is marked.
- Every old figure with no new value becomes 【待更新：原值】. Other dates (events) are kept and listed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.derive import DerivedFigure, change, pct_style
from assistant.figures import Fact, metric_score, parse_figures
from assistant.numbers import Mention, find_numbers, to_halfwidth

MATCH_THRESHOLD = 0.6
_CHANGE_WORD = re.compile(
    r"(?:同比|较上年|比上年|较去年|比去年)?(?:增长|增加|提高|提升|上升|下降|降低|减少|回落)了?$"
)
_AS_OF_PREFIX = re.compile(r"(?:截至到?|截止到?|截止至)$")


@dataclass
class Replacement:
    metric: str
    old: str
    new: str
    new_metric: str = ""
    kind: str = "figure"  # figure | change | date

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "old": self.old,
            "new": self.new,
            "new_metric": self.new_metric,
            "kind": self.kind,
        }


@dataclass
class UpdateResult:
    text: str
    replacements: list[Replacement] = field(default_factory=list)
    stale_marked: list[str] = field(default_factory=list)  # old figures (and dates) marked 【待更新：…】
    report: dict[str, Any] = field(default_factory=dict)
    derived: list[DerivedFigure] = field(default_factory=list)
    used: list[Fact] = field(default_factory=list)  # new facts written into the text

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "replacements": [r.to_json() for r in self.replacements],
            "stale_marked": list(self.stale_marked),
            **self.report,
        }


def _compatible(old: Fact, new: Fact) -> bool:
    if old.base != new.base or (old.high is None) != (new.high is None):
        return False
    return old.role == new.role or (old.role == "to" and not new.role)


def _assign(old: list[Fact], new: list[Fact]) -> dict[int, Fact]:
    """old index -> new fact; best metric match first, each new fact once."""
    pairs = []
    for i, o in enumerate(old):
        for j, n in enumerate(new):
            if _compatible(o, n):
                s = metric_score(o.metric, n.metric)
                if s >= MATCH_THRESHOLD:
                    pairs.append((s, o.role == n.role, -abs(i - j), i, j))
    pairs.sort(reverse=True)
    out: dict[int, Fact] = {}
    used_new: set[int] = set()
    for _s, _r, _d, i, j in pairs:
        if i in out or j in used_new:
            continue
        out[i] = new[j]
        used_new.add(j)
    # The same old figure written twice (same metric and value) takes the same new value.
    for i, o in enumerate(old):
        if i in out:
            continue
        for k, n in list(out.items()):
            if (
                old[k].number == o.number
                and old[k].base == o.base
                and metric_score(old[k].metric, o.metric) >= 0.9
            ):
                out[i] = n
                break
    return out


def _new_as_of(facts: Iterable[Fact]) -> str:
    periods = Counter(f.period for f in facts if f.period)
    return periods.most_common(1)[0][0] if periods else ""


def _date_anchor(text: str, d: Mention) -> tuple[int, int]:
    """Span of an as-of phrase: the date plus a 截至/截止 just before it."""
    pre = _AS_OF_PREFIX.search(to_halfwidth(text[max(0, d.start - 4) : d.start]))
    return (d.start - len(pre.group(0)) if pre else d.start, d.end)


def _advance(old_phrase: str, new_period: str, new_year: int | None) -> str:
    """截至2023年9月 + 截至2024年11月 -> 截至2024年11月; 2023年 + year 2024 -> 2024年; keeps the old prefix style."""
    old_has_prefix = bool(re.match(r"截[至止]", old_phrase))
    if re.fullmatch(r"(?:19|20)[0-9]{2}年(?:度)?", to_halfwidth(old_phrase)):
        if new_year:
            return re.sub(r"(?:19|20)[0-9]{2}", str(new_year), old_phrase, count=1)
        return ""
    if not new_period:
        return ""
    new_has_prefix = bool(re.match(r"截[至止]", new_period))
    if old_has_prefix and not new_has_prefix:
        return re.match(r"截[至止][至到]?", old_phrase).group(0) + new_period  # type: ignore[union-attr]
    if not old_has_prefix and new_has_prefix:
        return re.sub(r"^(?:截至到?|截止到?|截止至)", "", new_period)
    return new_period


def update_text(old_text: str, facts: Iterable[Fact]) -> UpdateResult:
    """Replace each old figure by the matching new one, advance as-of dates, mark what has no new value."""
    new = list(facts)
    olds = [f for f in parse_figures(old_text).facts if f.span is not None]
    assigned = _assign(olds, new)
    new_year = max((f.year for f in new if f.year), default=None)
    sign = pct_style(new)
    edits: list[tuple[int, int, str]] = []
    replacements: list[Replacement] = []
    marked: list[str] = []
    derived: list[DerivedFigure] = []
    used_ids: set[int] = set()
    role_dates: set[int] = set()  # starts of 由…到… dates that belong to a replaced figure

    for i, o in enumerate(olds):
        assert o.span is not None
        if i in assigned:
            n = assigned[i]
            used_ids.add(id(n))
            edits.append((o.span[0], o.span[1], n.text))
            replacements.append(Replacement(o.metric, o.text, n.text, n.metric))
            if o.role and o.period:
                # 由1月的…提高至9月的… : the date of each end moves with its figure.
                at = old_text.rfind(o.period, max(0, o.span[0] - len(o.period) - 2), o.span[0])
                if at >= 0:
                    role_dates.add(at)
                    if n.period and n.period != o.period:
                        edits.append((at, at + len(o.period), n.period))
                        replacements.append(Replacement(o.metric, o.period, n.period, n.metric, "date"))
            continue
        prev = olds[i - 1] if i > 0 else None
        between = old_text[prev.span[1] : o.span[0]] if prev is not None and prev.span else ""
        word = _CHANGE_WORD.search(between.lstrip("，, "))
        if prev is not None and (i - 1) in assigned and word and prev.span and len(between) <= 12:
            # "追回399.54万元，同比增长20.3％" -> recomputed from the new and the old value.
            cur = assigned[i - 1]
            ds = change(replace(cur, year=cur.year or new_year), replace(prev, year=prev.year), sign)
            want = "pp" if o.base == "pp" else "%" if o.base == "%" else "倍"
            d = next((x for x in ds if x.base == want), None)
            if d is not None and d.comparable:
                start = o.span[0] - len(word.group(0))
                edits.append((start, o.span[1], d.text))
                replacements.append(
                    Replacement(cur.metric, old_text[start : o.span[1]], d.text, cur.metric, "change")
                )
                derived.append(d)
                continue
        written = old_text[o.span[0] : o.span[1]]
        edits.append((o.span[0], o.span[1], f"【待更新：{written}】"))
        marked.append(written)

    # As-of dates: each governs the figures after it in its sentence.
    kept_dates: list[str] = []
    for d in [m for m in find_numbers(old_text) if m.kind == "date"]:
        start, end = _date_anchor(old_text, d)
        if d.start in role_dates or any(s <= start < e for s, e, _ in edits):
            continue
        sent_end = min(
            (p for p in (old_text.find(c, end) for c in "。！？\n") if p >= 0), default=len(old_text)
        )
        governed = [
            i
            for i, o in enumerate(olds)
            if o.span and end <= o.span[0] < sent_end and not o.role and d.text in o.period
        ]
        if not governed:
            kept_dates.append(old_text[start:end])
            continue
        new_facts = [assigned[i] for i in governed if i in assigned]
        phrase = old_text[start:end]
        if new_facts:
            advanced = _advance(phrase, _new_as_of(new_facts) or _new_as_of(new), new_year)
            if advanced and advanced != phrase:
                edits.append((start, end, advanced))
                replacements.append(Replacement("", phrase, advanced, kind="date"))
            elif not advanced:
                edits.append((start, end, f"【待更新：{phrase}】"))
                marked.append(phrase)
        else:
            edits.append((start, end, f"【待更新：{phrase}】"))
            marked.append(phrase)

    text = old_text
    for s, e, rep in sorted(edits, key=lambda x: (x[0], x[1]), reverse=True):
        text = text[:s] + rep + text[e:]
    unplaced = [f for f in new if id(f) not in used_ids]
    report = {
        "unplaced": [{"metric": f.metric, "text": f.text} for f in unplaced],
        "kept_dates": kept_dates,
        "derived": [d.to_json() for d in derived],
    }
    return UpdateResult(
        text=text,
        replacements=replacements,
        stale_marked=marked,
        report=report,
        derived=derived,
        used=[f for f in new if id(f) in used_ids],
    )


def smooth_update(settings: Any, old_text: str, result: UpdateResult, model: Any = None) -> Any:
    """One model pass over the updated text to smooth the wording; then every number is traced again
    (the new figures are required, the old paragraph counts as a past passage). Returns a FinalText."""
    from langchain_core.messages import HumanMessage

    from assistant import llm as llm_api
    from assistant.lock import lock
    from assistant.prompts import render
    from assistant.trace import finalize

    chat = model or llm_api.get_chat_model(settings)
    numbers = [f.text for f in result.used] + [d.figure for d in result.derived]
    prompt = render("update_smooth", text=result.text, numbers=numbers)
    reply = chat.invoke([HumanMessage(content=prompt)])
    smoothed = str(getattr(reply, "content", reply)).strip() or result.text
    lost = [m for m in re.findall(r"【待更新：[^】]*】", result.text) if m not in smoothed]
    if lost:
        smoothed = result.text  # a dropped 【待更新】 would hide an old figure: keep the unsmoothed text
    locked = lock(result.used, derived=result.derived)
    final = finalize(smoothed, locked, [old_text], "")
    final.report["smoothed"] = not lost
    if lost:
        final.report["notes"] = [f"润色稿丢了标记 {'、'.join(lost)}，已改用未润色的套改稿"]
    return final
