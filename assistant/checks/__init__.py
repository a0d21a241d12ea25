"""Proofreading rules, one module per family: headings, phrases (规范表述), numbers, leftovers,
paired punctuation, contradictions (one metric, two values).

`check_text(text, options)` runs them all and returns findings sorted by position."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from assistant.checks import contradiction, headings, leftovers, numbers, phrases, punctuation
from assistant.checks.base import SEVERITY_ORDER, CheckOptions, Finding, TextDoc

FAMILIES: dict[str, Callable[[TextDoc, CheckOptions], Iterator[Finding]]] = {
    "heading": headings.check,
    "phrase": phrases.check,
    "number": numbers.check,
    "leftover": leftovers.check,
    "punct": punctuation.check,
    "contradiction": contradiction.check,
}


def check_text(text: str, options: CheckOptions | None = None) -> list[Finding]:
    """All findings for `text`, by line, column and severity; one finding per rule and span."""
    opts = options or CheckOptions()
    doc = TextDoc(text)
    seen: set[tuple[str, int, int, int]] = set()
    out: list[Finding] = []
    for family, run in FAMILIES.items():
        if not opts.enabled(family):
            continue
        for f in run(doc, opts):
            key = (f.rule, f.line, f.column, f.length)
            if key not in seen:
                seen.add(key)
                out.append(f)
    out.sort(key=lambda f: (f.line, f.column, SEVERITY_ORDER[f.severity], f.rule))
    return out


__all__ = ["FAMILIES", "CheckOptions", "Finding", "check_text"]
