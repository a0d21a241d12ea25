"""`biganzi report [plan]`: a whole report — plan the outline, then write every section.

biganzi report plan --kb 医保 --title "…2024年工作总结和2025年工作思路" --like 2023年总结.txt --json > plan.json
biganzi report --kb 医保 --title "…" --outline plan.json --figures 数据.txt --docx 报告.docx
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assistant.commands.common import emit_json, make_settings, model_options, settings_options
from assistant.commands.common import info as _info
from assistant.report.outline import GENRES
from core.errors import BiganziError
from core.settings import Settings


def _figures_arg(value: str | None) -> str | None:
    """--figures: a file (text, CSV, XLSX) when one exists at that path, else the figures themselves."""
    if not value:
        return None
    path = Path(value)
    if len(value) < 260 and path.is_file():
        from assistant.commands.draft import read_figures_file

        return read_figures_file(path)
    return value


def plan_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--title", "title", default=None, help="报告标题，例如“XX局2024年工作总结和2025年工作思路”"
        ),
        click.option(
            "--like", "like", default=None, help="照这篇往年报告列大纲（文件名、标题或编号，见 biganzi docs）"
        ),
        click.option(
            "--genre",
            "genre",
            type=click.Choice(GENRES),
            default=None,
            help="不给 --like 时按此文体的常用结构",
        ),
        click.option("--length", "length", type=int, default=3000, show_default=True, help="全文目标字数"),
        click.option(
            "--figures", "figures", default=None, help="今年的数据：文件路径（txt/csv/xlsx）或数据文字"
        ),
        model_options,
        click.option("--no-reword", "no_reword", is_flag=True, help="不让模型改写标题（只更新年份）"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _plan(
    settings: Settings,
    title: str | None,
    like: str | None,
    genre: str | None,
    length: int,
    figures: str | None,
    reword: bool,
) -> Any:
    from assistant.report.outline import plan_report

    if not title:
        raise BiganziError("请用 --title 给出报告标题，例如 --title “XX局2024年工作总结和2025年工作思路”")
    return plan_report(
        settings,
        title,
        kb=settings.kb,
        like=like,
        genre=genre,
        length=length,
        figures=_figures_arg(figures),
        reword=reword,
    )


@click.group(
    "report",
    invoke_without_command=True,
    help="整篇报告：先列大纲（report plan），再逐节写成全文（report）。中断后重跑会从停下的地方接着写。",
)
@settings_options
@plan_options
@click.option(
    "--outline",
    "outline_path",
    type=click.Path(path_type=Path),
    default=None,
    help="用 report plan 输出（可编辑）的大纲 JSON",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出全文、各节、数据核对和用时")
@click.option(
    "--docx", "docx", type=click.Path(path_type=Path), default=None, help="导出 GB/T 9704 格式的 Word 文档"
)
@click.option("--md", "md", type=click.Path(path_type=Path), default=None, help="导出 Markdown")
@click.option("--fresh", "fresh", is_flag=True, help="不用已保存的小节，全部重写")
@click.option("--redo", "redo", multiple=True, type=int, help="只重写第 N 节（从 1 数，可多次给）")
@click.pass_context
def report(
    ctx: click.Context,
    data_dir: Path | None,
    kb: str | None,
    title: str | None,
    like: str | None,
    genre: str | None,
    length: int,
    figures: str | None,
    llm: str | None,
    model_path: Path | None,
    no_reword: bool,
    outline_path: Path | None,
    as_json: bool,
    docx: Path | None,
    md: Path | None,
    fresh: bool,
    redo: tuple[int, ...],
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from assistant.report.outline import Outline
    from assistant.report.write import export_report, stream_report

    settings = make_settings(data_dir, kb, llm=llm, model_path=model_path)
    if outline_path is not None:
        outline = Outline.load(outline_path)
        if title:
            outline.title = title
        if not outline.title:
            raise BiganziError("大纲里没有标题：请用 --title 给出报告标题")
        if figures and not any(leaf.figures for _, leaf in outline.leaves()):
            from assistant.figures import parse_figures
            from assistant.report.outline import assign_figures

            outline.figures_text = _figures_arg(figures) or ""
            assign_figures(outline, parse_figures(outline.figures_text).facts)
    else:
        outline = _plan(settings, title, like, genre, length, figures, not no_reword)
    for note in outline.notes:
        _info(note)
    n = len(outline.leaves())
    bad = [r for r in redo if r < 1 or r > n]
    if bad:
        raise BiganziError(f"--redo {bad[0]} 超出范围：这篇报告共 {n} 节（从 1 数）")
    for p in (docx, md):
        if p is not None and not p.parent.exists():
            raise BiganziError(f"{p.parent}：目录不存在，请先创建或换一个保存位置")
    result = None
    shown: list[str] = []  # headings printed so far on the current path
    for ev in stream_report(settings, outline, kb=settings.kb, fresh=fresh, redo=[r - 1 for r in redo]):
        if ev.kind == "done":
            result = ev.result
        elif ev.kind == "start" and not as_json:
            click.echo(ev.text)
        elif ev.kind == "section_start" and ev.eta_s:
            _info(f"正在写第 {ev.index + 1}/{ev.total} 节，预计还需 {round(ev.eta_s)} 秒")
        elif ev.kind == "section_done" and ev.section is not None:
            s = ev.section
            how = "已保存，沿用" if s.resumed else f"{s.timings.get('total_s')} 秒"
            if as_json:
                _info(f"第 {ev.index + 1}/{ev.total} 节 {s.heading} 已完成（{how}）")
                continue
            for depth, h in enumerate(s.path):  # headings not printed yet on this section's path
                if depth >= len(shown) or shown[depth] != h:
                    shown = [*shown[:depth], h]
                    click.echo(h)
            click.echo(s.text)
            sys.stdout.flush()
            for note in s.notes:
                _info(f"{s.heading}：{note}")
    assert result is not None
    written = export_report(result, docx, md)
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(
            f"\n共 {n} 节，用时 {result.timings['total_s']} 秒（报告编号 {result.report_id}）", err=True
        )
        missing = sum(len(s.figures.get("missing") or []) for s in result.sections)
        flagged = sum(len(s.figures.get("flagged") or []) for s in result.sections)
        if missing or flagged:
            _info(f"数据核对：{missing} 个数据未写入，{flagged} 处数字待核实（见【待核实】标记）")
    for p in written:
        _info(f"已保存 {p}")


@report.command("plan", help="列出整篇报告的大纲（可编辑后用 report --outline 写全文）。")
@settings_options
@plan_options
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（可编辑，供 report --outline 使用）")
def plan(
    data_dir: Path | None,
    kb: str | None,
    title: str | None,
    like: str | None,
    genre: str | None,
    length: int,
    figures: str | None,
    llm: str | None,
    model_path: Path | None,
    no_reword: bool,
    as_json: bool,
) -> None:
    from assistant.report.outline import outline_text

    settings = make_settings(data_dir, kb, llm=llm, model_path=model_path)
    outline = _plan(settings, title, like, genre, length, figures, not no_reword)
    if as_json:
        emit_json(outline.to_json())
    else:
        click.echo(outline_text(outline))
