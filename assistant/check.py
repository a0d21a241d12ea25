"""Proofreading: `check_text(text, options=None) -> list[Finding]` (rules in assistant/checks/),
plus the helpers the CLI and the web page share: a summary, plain-text formatting, and applying
the mechanical fixes."""

from __future__ import annotations

from collections import Counter

from assistant.checks import CheckOptions, Finding, check_text

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


def summarize(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {
        "error": counts["error"],
        "warning": counts["warning"],
        "info": counts["info"],
        "total": len(findings),
    }


def format_finding(f: Finding, source: str = "") -> str:
    """`文件:行:列 错误 [rule] message（excerpt）→ suggestion`; the column shown is 1-based."""
    where = f"{source}:" if source else ""
    tail = f" → {f.suggestion}" if f.suggestion else ""
    return f"{where}{f.line}:{f.column + 1} {SEVERITY_NAMES[f.severity]} [{f.rule}] {f.message}：“{f.excerpt}”{tail}"


def apply_fixes(text: str, findings: list[Finding]) -> tuple[str, int]:
    """Apply every finding that carries an exact replacement; returns (new text, fixes applied).
    Overlapping fixes are skipped (the first one by position wins)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    by_line: dict[int, list[Finding]] = {}
    for f in findings:
        if f.replacement is not None and f.length > 0:
            by_line.setdefault(f.line - 1, []).append(f)
    applied = 0
    for i, fs in by_line.items():
        line, end_of_last = lines[i], -1
        chosen: list[Finding] = []
        for f in sorted(fs, key=lambda f: f.column):
            if f.column >= end_of_last:
                chosen.append(f)
                end_of_last = f.column + f.length
        for f in reversed(chosen):
            line = line[: f.column] + (f.replacement or "") + line[f.column + f.length :]
            applied += 1
        lines[i] = line
    return "\n".join(lines), applied


__all__ = ["CheckOptions", "Finding", "apply_fixes", "check_text", "format_finding", "summarize"]
