"""`biganzi outline FILE [--json]`: the heading tree the structure parser sees in one file."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.commands.common import emit_json
from index.models import Document, Section

_PREVIEW = 40


@click.command(help="打印文档的标题结构（标题、年份、单位、文体和各级标题）。")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出：[{level, number, heading, children}, …]")
def outline(file: Path, as_json: bool) -> None:
    from core.settings import get_settings
    from index.load import load_file
    from index.structure import parse_document

    settings = get_settings()
    loaded = load_file(file, max_bytes=int(settings.max_file_mb * 2**20))
    doc = parse_document(loaded, source=file.name)
    if as_json:
        emit_json([s.outline() for s in doc.sections])
    else:
        click.echo(render_outline(doc))


def render_outline(doc: Document) -> str:
    """Human view: metadata, a preview of the preamble, then the tree indented by depth."""
    lines = [
        f"标题：{doc.title or '（无标题行）'}",
        "　".join(
            [
                f"年份：{'、'.join(map(str, doc.years)) or '—'}",
                f"单位：{doc.org or '—'}",
                f"文体：{'、'.join(doc.genres) or '—'}",
            ]
        ),
        f"来源：{doc.source}",
    ]
    if doc.preamble:
        lines.append(f"前言：{_preview(doc.preamble)}")
    if not doc.sections:
        lines += ["", "（未识别到标题：全文作为前言处理）"]
        return "\n".join(lines)
    lines.append("")

    def walk(sections: list[Section], depth: int) -> None:
        for s in sections:
            notes = [f"〔{s.kind}〕"] if depth == 0 else []
            if s.items:
                notes.append(f"{len(s.items)} 条列举（{s.items[0][:2]}…）")
            if s.tail:
                notes.append("含总结段")
            lines.append("    " * depth + s.heading + ("  " + "  ".join(notes) if notes else ""))
            walk(s.children, depth + 1)

    walk(doc.sections, 0)
    return "\n".join(lines)


def _preview(text: str) -> str:
    flat = text.replace("\n", " ")
    return flat if len(flat) <= _PREVIEW else f"{flat[:_PREVIEW]}…（共 {len(flat)} 字）"
