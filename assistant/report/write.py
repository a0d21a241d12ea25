"""Write a whole report: every leaf of the outline through the section pipeline, in order.

    for ev in stream_report(settings, outline, kb="医保"):   # section_start / token / section_done / done
        …

Each section is one `assistant.draft.stream_draft` call (figures locked, clean-up) with a compact
context in its request: the headings so far, a one-line summary of each written section and the
metrics already stated. The structure is code's: headings and numbers come from the outline, and
the body is stripped of any heading or list marker the model wrote. No sentence may repeat one
written before (the reference measure in ../shared/eval/quality.py): a section with repeats is
written again once, hotter, and what still repeats is dropped. Written sections are stored
(`ReportStore`): a run that stops resumes where it stopped, and `redo` rewrites only the sections named.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.report import quality
from assistant.report.outline import Outline, OutlineNode
from assistant.report.store import ReportStore, section_key
from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

EventKind = Literal["start", "section_start", "token", "info", "section_done", "done"]
FIGURE_KEYS = ("used", "computed", "missing", "flagged")
MAX_REWRITES = 1  # a section with repeated sentences is written once more, then the repeats are dropped
SUMMARY_CHARS = 16
CONTEXT_SECTIONS = 8


@dataclass
class SectionResult:
    index: int  # 0-based, reading order of the leaves
    path: list[str]  # headings on the way, as printed ("一、…", "（一）…")
    heading: str  # this section's heading as printed
    text: str
    figures: dict[str, Any] = field(default_factory=dict)
    sources: list[dict[str, str]] = field(default_factory=list)
    timings: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    resumed: bool = False
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "heading": self.heading,
            "text": self.text,
            "figures": {k: self.figures.get(k, []) for k in FIGURE_KEYS},
            "sources": [{k: v for k, v in s.items() if k != "text"} for s in self.sources],
        }

    def stored(self) -> dict[str, Any]:
        return {**self.to_json(), "sources": self.sources, "timings": self.timings, "notes": self.notes}


@dataclass
class ReportResult:
    outline: Outline
    sections: list[SectionResult]
    text: str
    timings: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    report_id: str = ""

    @property
    def title(self) -> str:
        return self.outline.title

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.outline.title,
            "outline": self.outline.to_json(full=False)["outline"],
            "sections": [s.to_json() for s in self.sections],
            "text": self.text,
            "timings": self.timings,
        }

    def markdown(self) -> str:
        return report_markdown(self.outline, self.sections)


@dataclass
class ReportEvent:
    kind: EventKind
    index: int = -1  # section index (section_start / token / section_done)
    total: int = 0
    text: str = ""
    section: SectionResult | None = None
    result: ReportResult | None = None
    eta_s: float | None = None  # estimated seconds left (section_start)
    restart: bool = False  # on "info": the section's text streamed so far is replaced by what follows


# --- request for one section --------------------------------------------------------------------


def summary_line(text: str) -> str:
    """One line for the context: the section's first clause, short."""
    first = re.split(r"[。；！？\n]", text.strip(), maxsplit=1)[0]
    first = re.sub(r"^[一二三四五六七八九十]是", "", first)
    return first[:SUMMARY_CHARS]


def section_request(
    outline: Outline,
    ancestors: Sequence[OutlineNode],
    leaf: OutlineNode,
    written: Sequence[tuple[str, str]],
    stated: Sequence[str],
) -> str:
    from assistant.prompts import render

    return render(
        "report_section",
        title=outline.title,
        genre=outline.genre if outline.genre in ("党建工作总结", "述职报告") else "工作总结",
        heading=leaf.heading,
        parents=[a.heading for a in ancestors],
        part=leaf.part,
        has_figures=bool(leaf.figures),
        this_year=outline.this_year or "",
        next_year=outline.next_year or "",
        written=[{"heading": h, "summary": s} for h, s in written[-CONTEXT_SECTIONS:]],
        stated=list(stated)[:12],
    ).strip()


def _metric(line: str) -> str:
    return re.split(r"[：:]", line, maxsplit=1)[0].strip()


def _figure_texts(lines: Sequence[str]) -> list[str]:
    """The written form of each assigned figure ("52.3万人"), what must stay in the body."""
    out = []
    for line in lines:
        value = re.split(r"[：:]", line, maxsplit=1)[-1]
        out.append(re.sub(r"[（(][^）)]*[）)]$", "", value).strip())
    return out


# --- the pipeline ---------------------------------------------------------------------------------


def _clean_prose(text: str) -> str:
    """The shared clean-up pass (assistant.cleanup), when that module is there."""
    try:
        from assistant.cleanup import clean_prose  # type: ignore[import-not-found]
    except ImportError:
        return text
    try:
        out = clean_prose(text)
    except Exception:  # a clean-up bug must not lose a written section
        return text
    return out if isinstance(out, str) else getattr(out, "text", text)


def _draft_once(
    settings: Settings,
    request: str,
    leaf: OutlineNode,
    kb: str | None,
    model: BaseChatModel,
    temperature: float | None,
    index: int,
    total: int,
) -> Generator[ReportEvent, None, Any]:
    """Stream one draft of the section; returns the pipeline's DraftResult."""
    from assistant.draft import stream_draft

    figures = "\n".join(leaf.figures) or None
    result = None
    for ev in stream_draft(
        settings, request, figures=figures, length=leaf.length, kb=kb, temperature=temperature, model=model
    ):
        if ev.kind == "token":
            yield ReportEvent("token", index, total, ev.text)
        elif ev.kind == "info" and ev.restart:
            yield ReportEvent("info", index, total, ev.text, restart=True)
        elif ev.kind == "done":
            result = ev.result
    if result is None:  # pragma: no cover - every stream ends with done or raises
        raise BiganziError("生成意外中断，没有得到结果")
    return result


def write_section(
    settings: Settings,
    outline: Outline,
    ancestors: Sequence[OutlineNode],
    leaf: OutlineNode,
    *,
    index: int,
    total: int,
    prior: list[frozenset[str]],
    written: Sequence[tuple[str, str]],
    stated: Sequence[str],
    kb: str | None,
    model: BaseChatModel,
    temperature: float | None = None,
) -> Iterator[ReportEvent]:
    """Write one section (events: tokens, then `section_done` with the SectionResult)."""
    t0 = time.perf_counter()
    request = section_request(outline, ancestors, leaf, written, stated)
    keep = _figure_texts(leaf.figures)
    best: tuple[str, Any, list[str], tuple[bool, int]] | None = None
    notes: list[str] = []
    ttft: float | None = None
    for attempt in range(MAX_REWRITES + 1):
        if attempt:
            yield ReportEvent("info", index, total, notes[-1] if notes else "重写本节", restart=True)
        temp = temperature if attempt == 0 else max(0.7, (temperature or settings.temperature) + 0.4)
        gen = _draft_once(settings, request, leaf, kb, model, temp, index, total)
        while True:
            try:
                ev = next(gen)
            except StopIteration as stop:
                draft = stop.value
                break
            if ev.kind == "token" and ttft is None:
                ttft = time.perf_counter() - t0
            yield ev
        body = quality.clean_body(_clean_prose(draft.text), leaf.heading)
        repeats = quality.repeats_against(body, prior)
        score = (bool(body.strip()), -len(repeats))
        if best is None or score > best[3]:
            best = (body, draft, repeats, score)
        if attempt == MAX_REWRITES:
            break
        if not body.strip():
            notes.append("没有写出正文，重写本节")
            continue
        if not repeats:
            break
        many = len(repeats) > 1 or len(repeats) > 0.2 * max(1, len(quality.sentences(body)))
        if not many:
            break
        notes.append(f"与前文重复{len(repeats)}句，重写本节")
    assert best is not None
    body, draft, repeats, _ = best
    if repeats:
        body, dropped = quality.drop_repeats(body, prior, keep)
        if dropped:
            notes.append(f"删去与前文重复的{dropped}句")
    figures = dict(draft.figures or {})
    total_s = time.perf_counter() - t0
    path = [a.display for a in ancestors] + [leaf.display]
    section = SectionResult(
        index=index,
        path=path,
        heading=leaf.display,
        text=body,
        figures={k: figures.get(k, []) for k in FIGURE_KEYS},
        sources=list(draft.sources or []),
        timings={"total_s": round(total_s, 2), "ttft_s": round(ttft, 2) if ttft is not None else None},
        notes=notes,
    )
    yield ReportEvent("section_done", index, total, body, section=section)


def stream_report(
    settings: Settings,
    outline: Outline,
    *,
    kb: str | None = None,
    model: BaseChatModel | None = None,
    store: ReportStore | bool | None = True,
    fresh: bool = False,
    redo: Sequence[int] = (),
    temperature: float | None = None,
    only: Sequence[int] | None = None,
) -> Iterator[ReportEvent]:
    """Write every leaf of `outline` in order (see the module doc). `redo`: indexes of sections to
    write again even if stored; `only`: write just these (the others come from the store when
    there, else are left empty); `fresh`: ignore everything stored."""
    from assistant import llm as llm_api

    t0 = time.perf_counter()
    leaves = outline.leaves()
    if not leaves:
        raise BiganziError("大纲没有任何小节可写")
    for _, leaf in leaves:
        if leaf.length < 20:
            raise BiganziError(f"小节“{leaf.heading}”的篇幅 {leaf.length} 字太短：每节至少 20 字")
    db: ReportStore | None
    db = ReportStore.for_report(settings, kb, outline.title) if store is True else store or None
    if db is not None:
        if fresh:
            db.clear()
        db.save_outline(outline.to_json())
    n = len(leaves)
    yield ReportEvent("start", total=n, text=outline.title)
    model = model or None
    sections: list[SectionResult] = []
    prior: list[frozenset[str]] = []
    written: list[tuple[str, str]] = []
    stated: list[str] = []
    spent: list[tuple[int, float]] = []  # (length, seconds) of sections written in this run
    notes: list[str] = []
    for i, (ancestors, leaf) in enumerate(leaves):
        path = [a.display for a in ancestors] + [leaf.display]
        key = section_key(path, leaf.length, leaf.figures)
        stored = db.get(key) if db is not None and i not in redo else None
        if stored is None and only is not None and i not in only:
            stored = {"text": "", "figures": {}, "sources": []}
        if stored is not None:
            section = SectionResult(
                index=i,
                path=path,
                heading=leaf.display,
                text=stored["text"],
                figures=stored.get("figures") or {},
                sources=stored.get("sources") or [],
                timings=stored.get("timings") or {},
                key=key,
                resumed=True,
                notes=stored.get("notes") or [],
            )
            yield ReportEvent("section_start", i, n, leaf.display, eta_s=_eta(spent, leaves[i:]))
            yield ReportEvent("section_done", i, n, section.text, section=section)
        else:
            if model is None:
                model = llm_api.get_chat_model(settings)
            yield ReportEvent("section_start", i, n, leaf.display, eta_s=_eta(spent, leaves[i:]))
            section = None
            for ev in write_section(
                settings,
                outline,
                ancestors,
                leaf,
                index=i,
                total=n,
                prior=prior,
                written=written,
                stated=stated,
                kb=kb,
                model=model,
                temperature=temperature,
            ):
                if ev.kind == "section_done":
                    section = ev.section
                    break
                yield ev
            assert section is not None
            section.key = key
            spent.append((leaf.length, float(section.timings.get("total_s") or 0)))
            if db is not None:
                db.put(key, section.stored())
            yield ReportEvent("section_done", i, n, section.text, section=section)
        sections.append(section)
        prior += [quality.grams(s) for s in quality.sentences(section.text)]
        written.append((leaf.heading, summary_line(section.text)))
        stated += [_metric(f) for f in leaf.figures]
        notes += [f"{leaf.display}：{x}" for x in section.notes]
    text = report_text(outline, sections)
    total_s = time.perf_counter() - t0
    timings = {
        "total_s": round(total_s, 2),
        "sections": [
            {"heading": s.heading, "total_s": s.timings.get("total_s"), "resumed": s.resumed}
            for s in sections
        ],
    }
    result = ReportResult(
        outline=outline,
        sections=sections,
        text=text,
        timings=timings,
        notes=notes,
        report_id=db.id if db is not None else "",
    )
    yield ReportEvent("done", total=n, text=text, result=result)


def _eta(spent: Sequence[tuple[int, float]], left: Sequence[tuple[Any, OutlineNode]]) -> float | None:
    """Seconds left: the rate of this run's written sections (seconds per character) × what is left."""
    if not spent:
        return None
    chars = sum(c for c, _ in spent)
    secs = sum(s for _, s in spent)
    if chars <= 0:
        return None
    return round(secs / chars * sum(leaf.length for _, leaf in left), 1)


def write_report(settings: Settings, outline: Outline, **kwargs: Any) -> ReportResult:
    result = None
    for ev in stream_report(settings, outline, **kwargs):
        if ev.kind == "done":
            result = ev.result
    assert result is not None
    return result


# --- assembling -----------------------------------------------------------------------------------


def _walk(
    nodes: Sequence[OutlineNode], bodies: dict[int, str], counter: list[int]
) -> Iterator[tuple[int, str]]:
    for n in nodes:
        yield n.level, n.display
        if n.is_leaf:
            body = bodies.get(counter[0], "")
            counter[0] += 1
            if body:
                yield 0, body
        else:
            yield from _walk(n.children, bodies, counter)


def report_text(outline: Outline, sections: Sequence[SectionResult]) -> str:
    """Title, then every heading on its own line (numbered by the outline) and each body under it."""
    bodies = {s.index: s.text for s in sections}
    lines = [outline.title] if outline.title else []
    lines += [text for _, text in _walk(outline.nodes, bodies, [0])]
    return "\n".join(lines)


def report_markdown(outline: Outline, sections: Sequence[SectionResult]) -> str:
    bodies = {s.index: s.text for s in sections}
    lines = [f"# {outline.title}", ""] if outline.title else []
    for level, text in _walk(outline.nodes, bodies, [0]):
        lines += [text if level == 0 else "#" * min(level + 1, 6) + " " + text, ""]
    return "\n".join(lines).rstrip() + "\n"


def export_report(
    result: ReportResult, docx: str | Path | None = None, md: str | Path | None = None
) -> list[Path]:
    """Write the .docx (GB/T 9704 layout, its title first) and/or the .md."""
    out: list[Path] = []
    if docx:
        from assistant.export import export_docx

        out.append(export_docx(result.text, docx, style_levels=_style_levels(result.text, result.outline)))
    if md:
        p = Path(md)
        if not p.parent.exists():
            raise BiganziError(f"{p.parent}：目录不存在，请先创建或换一个保存位置")
        p.write_text(result.markdown(), encoding="utf-8")
        out.append(p)
    return out


def _style_levels(text: str, outline: Outline) -> dict[int, int]:
    """Line index → heading level for the exported .docx: the title is level 0, every outline
    heading its level, so each one is a heading in Word whatever its wording."""
    from assistant.report.outline import iter_nodes

    headings = {n.display: n.level for n in iter_nodes(outline.nodes)}
    levels: dict[int, int] = {}
    for i, line in enumerate(text.split("\n")):
        if i == 0 and outline.title and line == outline.title:
            levels[i] = 0
        elif line in headings:
            levels[i] = min(headings[line], 4)
    return levels
