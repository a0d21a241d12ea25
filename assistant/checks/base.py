"""What every rule family shares: the Finding record, the options, and the text split into lines
with their headings recognised once."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from assistant.numbers import int_to_cn, parse_chinese_int

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

# Characters of context shown on each side of a match in `Finding.excerpt`.
EXCERPT_CONTEXT = 8


@dataclass(frozen=True)
class Finding:
    """One proofreading finding. `line` is 1-based; `column` is the 0-based character offset of the
    span in that line and `length` its size, so a UI can highlight `line_text[column:column+length]`.
    `replacement`, when set, is exact text that can replace the span; `suggestion` is for people."""

    rule: str
    severity: Severity
    line: int
    column: int
    excerpt: str
    message: str
    suggestion: str = ""
    length: int = 0
    replacement: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckOptions:
    max_paragraph_chars: int = 600  # a paragraph longer than this is flagged (0 = never)
    min_repeat_chars: int = 15  # sentences shorter than this may repeat without a finding
    user_phrases: Path | None = None  # extra rules merged over assistant/data/phrases.yaml
    disabled: frozenset[str] = field(default_factory=frozenset)  # rule ids or families ("numbers")

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> CheckOptions:
        """The user's own `<data_dir>/phrases.yaml` is merged when it exists."""
        user = Path(settings.data_dir) / "phrases.yaml"
        return cls(user_phrases=user if user.is_file() else None, **overrides)

    def enabled(self, rule: str) -> bool:
        return rule not in self.disabled and rule.split(".")[0] not in self.disabled


# --- Chinese numerals ------------------------------------------------------------------------


def cn_to_int(s: str) -> int | None:
    """ "三" → 3, "十二" → 12, "一百零一" → 101 (heading and date numbers); Arabic digits pass through."""
    s = s.strip()
    return int(s) if s.isdigit() else parse_chinese_int(s)


# --- headings ---------------------------------------------------------------------------------

_MD_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*)?")
_LEAD_SPACE = re.compile(r"^[\s\u3000\u00a0]*")
_FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True)
class Heading:
    """A heading found at the start of a line; offsets are into the raw line."""

    level: int  # 1 = 一、  2 = （一）  3 = 1.  4 = （1）
    number: int
    numeral: str  # as written: "三", "1"
    start: int  # where the marker starts
    marker_end: int  # where the heading text starts
    text_end: int  # end of the heading part: the 。 of an inline heading included
    body: str  # the rest of the line (inline heading); "" for a standalone heading
    marker: str  # the marker as written: "（二）", "(二)", "1．", "1、"

    @property
    def standalone(self) -> bool:
        return not self.body.strip()


def marker_text(level: int, number: int, like: str = "") -> str:
    """The standard marker for a level and number: 一、 （一） 1. （1）."""
    if level == 1:
        return f"{int_to_cn(number)}、"
    if level == 2:
        return f"（{int_to_cn(number)}）"
    if level == 3:
        return f"{number}{'．' if '．' in like else '.'}"
    return f"（{number}）"


def find_heading(raw: str) -> Heading | None:
    """Heading at the start of `raw` (a markdown `#` prefix allowed), or None.

    The structure parser (index.structure.parse_heading) decides whether the line is a heading,
    its level and where an inline heading ends; this maps its answer to offsets in `raw`."""
    from index.structure import parse_heading

    start = _MD_PREFIX.match(raw).end()  # type: ignore[union-attr]
    start += _LEAD_SPACE.match(raw[start:]).end()  # type: ignore[union-attr]
    content = raw[start:].rstrip()
    try:
        m = parse_heading(content)
    except Exception:  # a parser problem must not stop proofreading or export
        return None
    if m is None or not content.startswith(m.marker):
        return None
    number = cn_to_int(m.number.translate(_FULL_DIGITS))
    if number is None:
        return None
    marker_end = len(m.marker)
    while marker_end < len(content) and content[marker_end] in " \u3000":
        marker_end += 1
    body = m.body.strip()
    if body:
        at = content.find(body[:12], len(m.heading))
        text_end = at if at > 0 else len(m.heading)
        while text_end > len(m.heading) and content[text_end - 1] in " \u3000":
            text_end -= 1
    else:
        text_end = len(content)
    return Heading(
        level=m.level,
        number=number,
        numeral=m.number,
        start=start,
        marker_end=start + marker_end,
        text_end=start + text_end,
        body=body,
        marker=m.marker,
    )


# --- the document ----------------------------------------------------------------------------


@dataclass
class TextDoc:
    """The text under check, split into raw lines (never cleaned: markers are findings)."""

    text: str

    @cached_property
    def lines(self) -> list[str]:
        return self.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    @cached_property
    def headings(self) -> dict[int, Heading]:
        """Heading by 0-based line index."""
        out: dict[int, Heading] = {}
        for i, raw in enumerate(self.lines):
            h = find_heading(raw)
            if h is not None:
                out[i] = h
        return out

    def finding(
        self,
        rule: str,
        severity: Severity,
        line_index: int,
        start: int,
        end: int,
        message: str,
        suggestion: str = "",
        replacement: str | None = None,
    ) -> Finding:
        raw = self.lines[line_index]
        return Finding(
            rule=rule,
            severity=severity,
            line=line_index + 1,
            column=start,
            excerpt=excerpt(raw, start, end),
            message=message,
            suggestion=suggestion,
            length=end - start,
            replacement=replacement,
        )


def excerpt(line: str, start: int, end: int, context: int = EXCERPT_CONTEXT) -> str:
    """The span with a little context, "…" where the line goes on."""
    a, b = max(0, start - context), min(len(line), end + context)
    text = line[a:b].strip()
    return ("…" if a > 0 else "") + text + ("…" if b < len(line.rstrip()) else "")
