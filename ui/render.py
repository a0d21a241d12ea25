"""HTML for what the back end returns: number trace with its legend, inline diff, sources,
findings, ingest reports. Pure string formatting; every piece of user text is escaped."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

# kind -> (legend label, CSS class); order = legend order
TRACE_KINDS: dict[str, tuple[str, str]] = {
    "user": ("您给的数据", "bgz-user"),
    "computed": ("程序计算", "bgz-computed"),
    "stale": ("往年旧数（需核实）", "bgz-stale"),
    "unsupported": ("无来源数字（需核实）", "bgz-unsupported"),
    "placeholder": ("待补充/待核实", "bgz-placeholder"),
}
PLACEHOLDER_RE = re.compile(r"【待(?:补充|核实|更新)[^】]*】")


@dataclass(frozen=True)
class Mark:
    """A span of the reply to colour: `start`/`end` are character offsets into the text."""

    start: int
    end: int
    kind: str
    title: str = ""  # tooltip: where the number came from


def _span(text: str, kind: str, title: str = "") -> str:
    cls = TRACE_KINDS.get(kind, ("", ""))[1]
    tip = f' title="{escape(title)}"' if title else ""
    return f'<span class="bgz-num {cls}" data-kind="{kind}"{tip}>{escape(text)}</span>'


def locate(text: str, items: Iterable[tuple[str, str, str]]) -> list[Mark]:
    """Marks for (written form, kind, tooltip) items without positions: every occurrence, longest
    items first, never overlapping a span already taken (99.91 inside 99.91％ is not re-marked)."""
    taken: list[Mark] = []
    for needle, kind, title in sorted(items, key=lambda it: -len(it[0])):
        if not needle:
            continue
        start = 0
        while (i := text.find(needle, start)) >= 0:
            j = i + len(needle)
            if not any(i < m.end and m.start < j for m in taken):
                taken.append(Mark(i, j, kind, title))
            start = j
    return taken


def _merge_placeholders(text: str, marks: Sequence[Mark]) -> list[Mark]:
    """Placeholders (【待补充：…】, 【待核实：…】) are always marked; one that wraps a flagged number
    takes that number's kind (stale/unsupported), and the marks inside it are dropped."""
    spans = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    out: list[Mark] = []
    for p in PLACEHOLDER_RE.finditer(text):
        inner = [m for m in spans if p.start() <= m.start and m.end <= p.end()]
        flagged = [m for m in inner if m.kind in ("stale", "unsupported")]
        kind = flagged[0].kind if flagged else "placeholder"
        title = flagged[0].title if flagged else "请人工补充或核实"
        out.append(Mark(p.start(), p.end(), kind, title))
        spans = [m for m in spans if m not in inner]
    for m in spans:
        if not any(m.start < o.end and o.start < m.end for o in out):
            out.append(m)
    return sorted(out, key=lambda m: m.start)


def trace_html(text: str, marks: Sequence[Mark]) -> str:
    """The reply with every traced number coloured by kind; 【待补充…】 placeholders always marked."""
    out: list[str] = []
    pos = 0
    for m in _merge_placeholders(text, marks):
        if m.start < pos:  # overlapping marks: keep the first
            continue
        out.append(escape(text[pos : m.start]))
        out.append(_span(text[m.start : m.end], m.kind, m.title))
        pos = m.end
    out.append(escape(text[pos:]))
    return f'<div class="bgz-trace" data-testid="trace">{"".join(out)}</div>'


def legend_html(text: str, marks: Sequence[Mark] = ()) -> str:
    counts = dict.fromkeys(TRACE_KINDS, 0)
    for m in _merge_placeholders(text, marks):
        counts[m.kind] = counts.get(m.kind, 0) + 1
    items = [
        f'<span data-kind="{kind}">{_span(label, kind)} {counts.get(kind, 0)}</span>'
        for kind, (label, _cls) in TRACE_KINDS.items()
    ]
    return f'<div class="bgz-legend" data-testid="number-legend">数字来源：{"".join(items)}</div>'


def _item(it: Any) -> tuple[str, str]:
    """(written form, tooltip) of one report entry: a string, or a dict from the figures report."""
    if isinstance(it, str):
        return it, ""
    if isinstance(it, dict):
        text = str(it.get("text") or it.get("value") or "")
        bits = [str(it[k]) for k in ("metric", "source", "reason", "formula", "period") if it.get(k)]
        return text, " · ".join(bits)
    return str(getattr(it, "text", it)), str(getattr(it, "metric", "") or "")


def report_marks(text: str, report: dict[str, Any] | None) -> list[Mark]:
    """Marks for a figures report {"used", "computed", "flagged": [{"text", "kind", "source"}], …}."""
    if not report:
        return []
    items: list[tuple[str, str, str]] = []
    for it in report.get("used") or []:
        t, tip = _item(it)
        items.append((t, "user", f"您给的数据：{tip}" if tip else "您给的数据"))
    for it in report.get("computed") or []:
        t, tip = _item(it)
        # the figure inside the phrase ("13.21％" of "同比增长13.21％"), else the phrase itself
        figure = str(it.get("figure") or "") if isinstance(it, dict) else ""
        items.append((figure or t, "computed", f"由程序计算：{t}"))
    for it in report.get("flagged") or []:
        t, tip = _item(it)
        kind = str(it.get("kind", "unsupported")) if isinstance(it, dict) else "unsupported"
        items.append((t, kind if kind in TRACE_KINDS else "unsupported", tip))
    return locate(text, items)


def report_details_html(report: dict[str, Any] | None) -> str:
    """What the clerk must check, in words: required figures not placed, numbers flagged."""
    if not report:
        return ""
    parts = []
    missing = [" ".join(x for x in _item(it)[::-1] if x) for it in report.get("missing") or []]
    if missing:
        parts.append(
            f'<div class="bgz-errors">未能写入的数据（请人工补上）：{escape("、".join(missing))}</div>'
        )
    for it in report.get("flagged") or []:
        t, tip = _item(it)
        kind = it.get("kind", "unsupported") if isinstance(it, dict) else "unsupported"
        label = TRACE_KINDS.get(kind, TRACE_KINDS["unsupported"])[0]
        parts.append(
            f'<div class="bgz-notes">{_span(t, kind)} {escape(label)}{"：" + escape(tip) if tip else ""}</div>'
        )
    return "".join(parts)


def reply_html(text: str, report: dict[str, Any] | None) -> str:
    """The finished reply as shown in the chat: traced text, then the legend."""
    marks = report_marks(text, report)
    return trace_html(text, marks) + legend_html(text, marks)


_TOKEN = re.compile(r"\d+(?:[.,]\d+)*[%％]?|[A-Za-z]+|\s+|.", re.S)


def diff_html(old: str, new: str) -> str:
    """Inline diff: deletions struck through in red, insertions in green. Numbers and Latin words
    move as whole tokens, Chinese by character, so a changed figure reads as one replacement."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return f'<div class="bgz-diff" data-testid="diff">{"".join(out)}</div>'


def ops_html(ops: Sequence[dict[str, str]]) -> str:
    """Inline diff from diff operations [{"op", "old", "new"}] (the rewrite's own diff)."""
    out: list[str] = []
    for op in ops:
        if op.get("op") == "equal":
            out.append(escape(op.get("old", "")))
            continue
        if op.get("old"):
            out.append(f"<del>{escape(op['old'])}</del>")
        if op.get("new"):
            out.append(f"<ins>{escape(op['new'])}</ins>")
    return f'<div class="bgz-diff" data-testid="diff">{"".join(out)}</div>'


def sources_html(sources: Sequence[dict[str, Any]]) -> str:
    """Passages the reply drew on: document, heading path, excerpt, one expandable entry each."""
    if not sources:
        return '<div class="bgz-sources bgz-notes">本次回复没有引用知识库中的段落。</div>'
    parts = []
    for i, s in enumerate(sources, 1):
        doc = s.get("title") or s.get("source") or "（未命名文档）"
        meta = " · ".join(str(x) for x in (s.get("year"), s.get("source")) if x and x != doc)
        excerpt = str(s.get("text") or "")
        parts.append(
            "<details>"
            f"<summary>[{i}] {escape(str(doc))}"
            + (f' <span class="bgz-path">{escape(meta)}</span>' if meta else "")
            + "</summary>"
            f'<div class="bgz-path">{escape(str(s.get("section") or "（无标题）"))}</div>'
            f"<blockquote>{escape(excerpt)}</blockquote>"
            "</details>"
        )
    return f'<div class="bgz-sources" data-testid="sources">{"".join(parts)}</div>'


def notes_html(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    return '<div class="bgz-notes">' + "<br>".join(escape(n) for n in notes) + "</div>"


def table_html(headers: Sequence[str], rows: Iterable[Sequence[Any]], empty: str = "（无）") -> str:
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    if not body:
        return f'<div class="bgz-notes">{escape(empty)}</div>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f'<table class="bgz-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def messages_html(ok: Sequence[str], errors: Sequence[str]) -> str:
    parts = [f'<div class="bgz-ok">{escape(m)}</div>' for m in ok]
    parts += [f'<div class="bgz-errors">✗ {escape(m)}</div>' for m in errors]
    return "".join(parts)
