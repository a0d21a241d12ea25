"""Cleaning: scraping markers, odd spaces, blank lines, line endings.

The result is what citations show, so the wording is kept exactly: no width or digit
normalisation here (comparison code normalises its own copies).
"""

from __future__ import annotations

import re

# `##paidbegin##`, `##paidend##` and the like, left by the sites reports are copied from.
_MARKER = re.compile(r"##[A-Za-z][A-Za-z0-9_-]{0,30}##")
# Invisible characters that only ever get in the way (zero-width space/joiners, word joiner, BOM).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Control characters other than tab (table cells) and newline.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# Spaces that are not ordinary spaces: NBSP, en/em/thin spaces, narrow NBSP, math space.
_ODD_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]")
# Runs of two or more spaces inside a line (full-width U+3000 included) become one space.
_SPACE_RUN = re.compile("[ \u3000]{2,}")
# Everything that counts as blank at a line's start or end, full-width space included.
_EDGE = " \t\u3000\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"


def normalize_newlines(text: str) -> str:
    """CRLF, CR, form feed and Unicode line/paragraph separators all become "\\n"."""
    return re.sub("\r\n?|[\f\v\u2028\u2029\x85]", "\n", text)


def clean_line(line: str) -> str:
    """One line cleaned: markers and invisible characters removed, spaces tidied, edges stripped."""
    line = _MARKER.sub("", line)
    line = _INVISIBLE.sub("", line)
    line = _CONTROL.sub("", line)
    line = line.strip(_EDGE)
    line = _ODD_SPACE.sub(" ", line)
    return _SPACE_RUN.sub(" ", line)


def clean_lines(text: str) -> list[tuple[int, str]]:
    """Cleaned lines with the 0-based index of the input line each came from.

    Blank runs collapse to one empty line; leading and trailing blank lines go. The index lets
    callers carry per-line facts (Word heading styles) across the cleaning.
    """
    out: list[tuple[int, str]] = []
    for i, raw in enumerate(normalize_newlines(text).split("\n")):
        line = clean_line(raw)
        if not line and (not out or not out[-1][1]):
            continue
        out.append((i, line))
    while out and not out[-1][1]:
        out.pop()
    return out


def clean_text(text: str) -> str:
    """The cleaned original: idempotent, `clean_text(clean_text(t)) == clean_text(t)`."""
    return "\n".join(line for _, line in clean_lines(text))
