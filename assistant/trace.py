"""Trace every number of a draft to where it came from, and repair the text so none is shown unchecked.

Classes of a number (see assistant.numbers for what counts as a number at all):
- user: equals a figure the user gave (same normalised value, compatible unit) — rewritten to the user's
  exact written form if the model changed it (91.2% -> 91.2％, 23000万元 -> 2.3亿元, 2800人次 -> 2800余人次);
- computed: equals a figure computed in code (assistant.derive);
- stale: not the user's, but found in a retrieved past passage (an exemplar);
- unsupported: neither.
Years, months and days are checked against the request and the user's figures: a date named in
neither is stale or unsupported too. Numbers inside 【…】 markers are left alone.

Repairs, in order (the rule, so that nobody has to guess):
1. placeholders -> the user's written figures (assistant.lock.substitute);
2. a stale/unsupported figure whose own metric (the words before it, as parse_figures reads them)
   is one of the user's metrics -> that user figure (the model wrote last year's 参保率; we write this year's);
3. a stale figure copied with its metric from a past passage, for a metric the user did not give ->
   【待补充：指标名】 (the section reports that metric; the user must supply it);
4. any other stale/unsupported figure -> 【待核实：原文】 in place. We mark rather than delete the clause:
   deleting can break the sentence and hides the claim from the person who must check it;
5. a stale/unsupported date after 截至/截止 -> the user's as-of date; any other -> 【待核实：原文】;
6. every user figure still absent is re-inserted: its own clause from the user's input (with its
   as-of date) appended as a sentence to the paragraph that names the metric, else to the last one.
   What cannot be placed is reported as missing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.derive import DerivedFigure
from assistant.figures import Fact, metric_score, parse_figures
from assistant.lock import INSTRUCTION_PREFIXES, LockedFigures, substitute
from assistant.numbers import Mention, find_numbers, to_halfwidth, units_compatible

_MARKER_RE = re.compile(r"【(?:待核实|待补充|待更新)[:：][^】]*】")
_AS_OF_BEFORE = re.compile(r"(?:截至到?|截止到?|截止至)\s*$")


@dataclass
class TracedNumber:
    start: int
    end: int
    text: str
    kind: str  # user | computed | stale | unsupported | date | marked
    metric: str = ""  # the metric the text attaches to it (as parse_figures reads the sentence)
    fact: Fact | None = None
    derived: DerivedFigure | None = None
    source: str = ""  # for stale: the past passage it came from
    mention: Mention | None = None

    @property
    def flagged(self) -> bool:
        return self.kind in ("stale", "unsupported")

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "metric": self.metric, "source": self.source}


@dataclass
class FinalText:
    text: str
    report: dict[str, Any]
    numbers: list[TracedNumber] = field(default_factory=list)


# --- inputs ----------------------------------------------------------------------


def _exemplar_pairs(exemplars: Iterable[Any]) -> list[tuple[str, str]]:
    """SearchHit / Chunk / dict / str -> (label, text)."""
    out: list[tuple[str, str]] = []
    for ex in exemplars:
        if isinstance(ex, str):
            out.append(("", ex))
            continue
        if isinstance(ex, dict):
            text, src, sec = ex.get("text", ""), ex.get("source", ""), ex.get("section", "")
        else:
            # Exemplar objects carry the passage as stored in `.original` (`.text` may be a masked view).
            text = getattr(ex, "original", None) or getattr(ex, "text", "")
            src, sec = getattr(ex, "source", ""), getattr(ex, "section", "")
        label = " > ".join(p for p in (str(src), str(sec)) if p)
        out.append((label, str(text)))
    return out


@dataclass
class _Context:
    facts: list[Fact]
    derived: list[DerivedFigure]
    past: list[tuple[Mention, str, str]]  # (figure, label, metric in the past passage)
    past_dates: list[tuple[Mention, str]]
    request_figs: list[Mention]
    years: set[int]
    months: set[int]
    days: set[int]
    as_of: str  # the user's as-of date, without 截至 ("2024年11月")


def _context(locked: LockedFigures, exemplars: Iterable[Any], request: str) -> _Context:
    past: list[tuple[Mention, str, str]] = []
    past_dates: list[tuple[Mention, str]] = []
    for label, text in _exemplar_pairs(exemplars):
        metrics = _metrics_by_span(text)
        for m in find_numbers(text):
            if m.kind == "figure":
                past.append((m, label, metrics.get(m.start, "")))
            elif m.kind == "date":
                past_dates.append((m, label))
    years: set[int] = set()
    months: set[int] = set()
    days: set[int] = set()
    sources = [request] + [f"{f.period} {f.source}" for f in locked.facts] + [d.basis for d in locked.derived]
    for s in sources:
        for m in find_numbers(s):
            if m.kind == "date":
                years.update(m.years)
                months.update(m.months)
                days.update(m.days)
    years.update(f.year for f in locked.facts if f.year)
    for d in locked.derived:
        years.update(int(y) for y in re.findall(r"((?:19|20)[0-9]{2})", d.basis))
    request_figs = [m for m in find_numbers(request) if m.kind == "figure" and m.base not in ("字", "")]
    periods = Counter(f.period for f in locked.facts if re.match(r"截[至止]", f.period))
    as_of = re.sub(r"^(?:截至到?|截止到?|截止至)", "", periods.most_common(1)[0][0]) if periods else ""
    return _Context(
        facts=list(locked.facts),
        derived=list(locked.derived),
        past=past,
        past_dates=past_dates,
        request_figs=request_figs,
        years=years,
        months=months,
        days=days,
        as_of=as_of,
    )


def _metrics_by_span(text: str) -> dict[int, str]:
    """Mention start -> the metric parse_figures reads for it (handles 分别…和…, ranges, 由…到…)."""
    out: dict[int, str] = {}
    for f in parse_figures(text).facts:
        if f.span is None:
            continue
        for m in find_numbers(text[f.span[0] : f.span[1]]):
            out.setdefault(f.span[0] + m.start, f.metric)
        out.setdefault(f.span[0], f.metric)
    return out


# --- classification -------------------------------------------------------------------


def _matches(m: Mention, f: Fact) -> bool:
    return any(n == m.number for n in f.numbers) and units_compatible(m.base, f.base)


def _classify_figure(m: Mention, metric: str, ctx: _Context) -> TracedNumber:
    t = TracedNumber(m.start, m.end, m.text, "unsupported", metric=metric, mention=m)
    cands = [f for f in ctx.facts if _matches(m, f)]
    if cands:
        t.kind, t.fact = "user", max(cands, key=lambda f: metric_score(metric, f.metric))
        return t
    for d in ctx.derived:
        if d.number == m.number and units_compatible(m.base, d.base):
            t.kind, t.derived = "computed", d
            return t
    if any(r.number == m.number and units_compatible(m.base, r.base) for r in ctx.request_figs):
        t.kind = "user"
        return t
    for pm, label, _pmetric in ctx.past:
        if pm.number == m.number and units_compatible(m.base, pm.base):
            t.kind, t.source = "stale", label
            return t
    return t


def _classify_date(m: Mention, ctx: _Context) -> TracedNumber:
    months = set(m.months)
    if len(m.months) == 2 and m.months[0] == 1:
        months = {m.months[1]}  # "1－10月" is the year so far: only its end must be the user's
    ok = set(m.years) <= ctx.years and months <= ctx.months and set(m.days) <= ctx.days
    t = TracedNumber(m.start, m.end, m.text, "date" if ok else "unsupported", mention=m)
    if not ok:
        for pm, label in ctx.past_dates:
            if set(m.years) <= set(pm.years) | ctx.years and set(m.months) <= set(pm.months) | ctx.months:
                t.kind, t.source = "stale", label
                break
    return t


def _trace(text: str, ctx: _Context) -> list[TracedNumber]:
    markers = [(mm.start(), mm.end()) for mm in _MARKER_RE.finditer(text)]
    metrics = _metrics_by_span(text)
    out: list[TracedNumber] = []
    for m in find_numbers(text):
        if m.kind not in ("figure", "date"):
            continue
        if any(a <= m.start < b for a, b in markers):
            out.append(TracedNumber(m.start, m.end, m.text, "marked", mention=m))
            continue
        if m.kind == "date":
            out.append(_classify_date(m, ctx))
        elif m.base == "字":
            continue  # "约300字" is about the text, not a figure
        else:
            out.append(_classify_figure(m, metrics.get(m.start, ""), ctx))
    return out


def trace_numbers(
    text: str, locked: LockedFigures, exemplars: Iterable[Any] = (), request: str = ""
) -> list[TracedNumber]:
    """Classify every number of `text` (no repair)."""
    return _trace(text, _context(locked, exemplars, request))


# --- repair ---------------------------------------------------------------------------


def _same_written(a: str, b: str) -> bool:
    return a == b  # exact: full-width digits, ％ vs %, a dropped 余 all go back to the user's form


def _repair(text: str, ctx: _Context, report: dict[str, Any]) -> str:
    edits: list[tuple[int, int, str]] = []
    used: set[int] = set()
    traced = _trace(text, ctx)
    for t in traced:
        if t.kind == "user" and t.fact is not None:
            used.add(id(t.fact))
    for t in traced:
        if t.kind == "user" and t.fact is not None:
            f = t.fact
            # Misattributed: the user's number, but the sentence names another of the user's metrics.
            if t.metric and metric_score(t.metric, f.metric) < 0.5:
                other = _best_fact(t.metric, t.mention, ctx, 0.9, exclude=f)
                if other is not None:
                    edits.append((t.start, t.end, other.text))
                    report["repairs"].append({"from": t.text, "to": other.text, "why": "misattributed"})
                    used.add(id(other))
                    continue
            if not _same_written(t.text, f.text) and (f.high is None):
                edits.append((t.start, t.end, f.text))
                report["repairs"].append({"from": t.text, "to": f.text, "why": "written form"})
        elif t.flagged and t.mention is not None and t.mention.kind == "figure":
            entry = {"text": t.text, "kind": t.kind, "source": t.source or None}
            f = _best_fact(t.metric, t.mention, ctx, 0.8, prefer_unused=used)
            if f is not None:
                new = f.text
                used.add(id(f))
            elif t.kind == "stale" and t.metric and _past_metric(t, ctx):
                new = f"【待补充：{t.metric}】"
                report["needed"].append(t.metric)
            else:
                new = f"【待核实：{t.text}】"
            entry["replaced_with"] = new
            report["flagged"].append(entry)
            edits.append((t.start, t.end, new))
        elif t.flagged:
            entry = {"text": t.text, "kind": t.kind, "source": t.source or None}
            if ctx.as_of and _AS_OF_BEFORE.search(text[max(0, t.start - 4) : t.start]):
                new = ctx.as_of
            else:
                new = f"【待核实：{t.text}】"
            entry["replaced_with"] = new
            report["flagged"].append(entry)
            edits.append((t.start, t.end, new))
    for s, e, new in sorted(edits, reverse=True):
        text = text[:s] + new + text[e:]
    return text


def _best_fact(
    metric: str,
    m: Mention | None,
    ctx: _Context,
    threshold: float,
    exclude: Fact | None = None,
    prefer_unused: set[int] | None = None,
) -> Fact | None:
    if not metric or m is None:
        return None
    scored = []
    for f in ctx.facts:
        if f is exclude or f.high is not None or not units_compatible(m.base, f.base):
            continue
        s = metric_score(metric, f.metric)
        if s >= threshold:
            unused = prefer_unused is not None and id(f) not in prefer_unused
            scored.append((s, unused, f))
    if not scored:
        return None
    scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
    return scored[0][2]


def _past_metric(t: TracedNumber, ctx: _Context) -> bool:
    """The number was copied together with its metric from a past passage."""
    for pm, _label, pmetric in ctx.past:
        if t.mention is not None and pm.number == t.mention.number and metric_score(t.metric, pmetric) >= 0.8:
            return True
    return False


def _present(text: str, f: Fact, traced: list[TracedNumber]) -> bool:
    """Every number of the fact (two for a range) stands in the text as a user figure, written as the user wrote it."""
    users = [t for t in traced if t.kind == "user" and t.mention is not None]
    if f.high is not None:
        return to_halfwidth(f.text) in to_halfwidth(text)
    return any(_matches(t.mention, f) and _same_written(t.text, f.text) for t in users if t.mention)


def _clause_for(group: list[Fact], all_missing: set[int]) -> str:
    """The user's own clause when every figure in it is missing, else "指标 + 数值" per figure."""
    src = group[0].source.strip(" ，,；;。")
    if src and all(id(f) in all_missing for f in group) and all(f.text in src for f in group):
        return src
    return "，".join(f"{f.metric}{'为' if f.base in ('%', 'pp') else ''}{f.text}" for f in group)


def _place(text: str, missing: list[Fact]) -> tuple[str, list[Fact]]:
    """Put the missing figures, in the user's words, right after the sentence that speaks of their
    metric (so the figure lands where the draft talks about it); with no such sentence, at the end."""
    if not missing:
        return text, []
    ids = {id(f) for f in missing}
    groups: dict[str, list[Fact]] = {}
    for f in missing:
        groups.setdefault(f.source or f"{f.metric}{f.text}", []).append(f)
    paragraphs = [[x for x in _SENTENCE_END.findall(p) if x] or [p] for p in text.split("\n")]
    sentences = [
        _Sentence(pi, si, sent, _bigrams(sent), [mm.metric for mm in parse_figures(sent).facts])
        for pi, para in enumerate(paragraphs)
        for si, sent in enumerate(para)
    ]
    by_target: dict[tuple[int, int], list[list[Fact]]] = {}
    for group in groups.values():
        by_target.setdefault(_sentence_for(sentences, group), []).append(group)
    placed: list[Fact] = []
    for (pi, si), fgroups in sorted(by_target.items(), reverse=True):  # back to front: indices stay valid
        parts: list[str] = []
        last_period = ""
        for group in fgroups:
            clause = _clause_for(group, ids)
            period = group[0].period
            if period and period != last_period and period not in clause:
                clause = f"{period}，{clause}"
            last_period = period or last_period
            parts.append(clause)
            placed.extend(group)
        before = paragraphs[pi][si].rstrip()
        if before and before[-1] not in "。！？；…”":
            before += "。"
        paragraphs[pi][si] = before + "，".join(parts) + "。"
    order = {id(f): i for i, f in enumerate(missing)}
    placed.sort(key=lambda f: order[id(f)])
    return "\n".join("".join(p) for p in paragraphs), placed


# Lossless: the pieces join back to the paragraph; a closing quote stays with its sentence.
_SENTENCE_END = re.compile(r".*?(?:[。！？；!?;]+[”’」』）)]*|$)", re.S)


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


@dataclass(frozen=True)
class _Sentence:
    """A sentence of the draft, read once: where it stands, its character pairs, the metrics it states."""

    paragraph: int
    index: int
    text: str
    bigrams: set[str]
    metrics: list[str]


def _sentence_for(sentences: list[_Sentence], group: list[Fact]) -> tuple[int, int]:
    """(paragraph, sentence) after which the group's clause goes: the sentence naming its metric, else
    the one sharing most of the metric's wording (two character pairs at least, "种植牙" in
    "单颗常规种植牙总费用"), else the last sentence."""
    best, best_at = 0.0, None
    wording = [(f.metric, _bigrams(f.metric)) for f in group]
    for sent in sentences:
        for metric, mb in wording:
            if metric and metric in sent.text:
                return sent.paragraph, sent.index
            shared = len(mb & sent.bigrams)
            score = float(shared) if shared >= 2 else 0.0
            if any(metric_score(metric, m) >= 0.8 for m in sent.metrics):
                score = max(score, 100.0)
            if score > best:
                best, best_at = score, (sent.paragraph, sent.index)
    if best_at is not None:
        return best_at
    stated = [x for x in sentences if x.text.strip()]
    last = (stated or sentences)[-1]
    return last.paragraph, max(x.index for x in sentences if x.paragraph == last.paragraph)


def _drop_echoed_instructions(text: str, locked: LockedFigures) -> str:
    """Small models sometimes copy the figures block's instruction lines into the draft: remove them."""
    block = {
        ln.strip() for ln in locked.prompt_block.splitlines() if ln.strip().startswith(INSTRUCTION_PREFIXES)
    }
    kept = [
        ln
        for ln in text.split("\n")
        if not (ln.strip() in block or ln.strip().startswith(INSTRUCTION_PREFIXES))
    ]
    return "\n".join(kept)


def finalize(
    raw_text: str,
    locked: LockedFigures,
    exemplars: Iterable[Any] = (),
    request: str = "",
    place_missing: bool = True,
) -> FinalText:
    """Model output -> the text to show, and the figures report:
    {"used", "computed", "missing", "flagged": [{"text", "kind": "stale"|"unsupported", "source"}], ...}."""
    ctx = _context(locked, list(exemplars), request)
    report: dict[str, Any] = {
        "used": [],
        "computed": [],
        "missing": [],
        "flagged": [],
        "placed": [],
        "repairs": [],
        "needed": [],
    }
    text, unknown = substitute(_drop_echoed_instructions(raw_text, locked), locked)
    for tok in unknown:
        report["flagged"].append(
            {"text": tok, "kind": "unsupported", "source": None, "replaced_with": f"【待核实：{tok}】"}
        )
    text = _repair(text, ctx, report)
    traced = _trace(text, ctx)
    missing = [f for f in locked.required if not _present(text, f, traced)]
    if place_missing and missing:
        text, placed = _place(text, missing)
        report["placed"] = [{"metric": f.metric, "text": f.text} for f in placed]
        text = _repair(text, ctx, report)  # a placed clause is the user's own; this only guards the rule
        traced = _trace(text, ctx)
    for need in locked.needed:
        if need not in report["needed"] and f"【待补充：{need}】" in text:
            report["needed"].append(need)
    report["used"] = [
        {"metric": f.metric, "text": f.text} for f in locked.required if _present(text, f, traced)
    ]
    report["missing"] = [
        {"metric": f.metric, "text": f.text} for f in locked.required if not _present(text, f, traced)
    ]
    seen: set[str] = set()
    for t in traced:
        if t.kind == "computed" and t.derived is not None and t.derived.text not in seen:
            seen.add(t.derived.text)
            report["computed"].append({"metric": t.derived.metric, "text": t.derived.text, "figure": t.text})
    report["unmarked"] = [t.to_json() for t in traced if t.flagged]  # always empty after repair
    return FinalText(text=text, report=report, numbers=traced)
