"""`biganzi check` (校对) and `biganzi export` (GB/T 9704 Word)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from assistant.commands.common import make_settings, settings_options
from core.errors import BiganziError


def read_text_for_check(path: Path, max_bytes: int) -> str:
    """The text as written: .txt/.md raw (decoded; markdown syntax stays, so line numbers match
    the file), .docx/.pdf through index.load (one line per paragraph)."""
    from index.load import decode_bytes, load_file

    suffix = path.suffix.lower()
    if suffix in (".txt", ".md", ".markdown"):
        loaded = load_file(path, max_bytes)  # the same checks and messages as ingest
        try:
            return decode_bytes(path.read_bytes())[0]
        except ValueError:
            return loaded.text
    return load_file(path, max_bytes).text


@click.command("check")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--text", "text", default=None, help="直接校对这段文字；“-”表示从标准输入读取")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供脚本和网页使用）")
@click.option("--max-paragraph", type=int, default=None, help="段落字数上限（默认 600，0 表示不检查）")
@click.option(
    "--disable", multiple=True, help="关闭某条规则或某类规则，可重复（如 number.short_year、leftover）"
)
@click.option(
    "--fix",
    "fix_out",
    type=click.Path(path_type=Path),
    default=None,
    help="把可自动修正的问题改好，另存到此文件",
)
@settings_options
def check(
    file: Path | None,
    text: str | None,
    as_json: bool,
    max_paragraph: int | None,
    disable: tuple[str, ...],
    fix_out: Path | None,
    data_dir: Path | None,
    kb: str | None,
) -> None:
    """校对：标题序号、规范表述、数字用法、标点配对、遗留标记。

    发现“错误”级问题时退出码为 1。规范表述可在 <数据目录>/phrases.yaml 中自行补充。
    """
    from assistant.check import CheckOptions, apply_fixes, check_text, format_finding, summarize

    settings = make_settings(data_dir, kb)
    if (file is None) == (text is None):
        raise BiganziError("请给出要校对的文件，或用 --text 提供文字（--text - 从标准输入读取），二者选一")
    if text is not None:
        body, source = (sys.stdin.read() if text == "-" else text), "<text>"
    else:
        assert file is not None
        body, source = read_text_for_check(file, int(settings.max_file_mb * 2**20)), str(file)
    overrides: dict[str, Any] = {"disabled": frozenset(disable)}
    if max_paragraph is not None:
        overrides["max_paragraph_chars"] = max_paragraph
    findings = check_text(body, CheckOptions.from_settings(settings, **overrides))
    summary = summarize(findings)
    if fix_out is not None:
        fixed, n = apply_fixes(body, findings)
        fix_out.write_text(fixed, encoding="utf-8")
        summary["fixed"] = n
    if as_json:
        payload = {"source": source, "summary": summary, "findings": [f.to_dict() for f in findings]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        for f in findings:
            click.echo(format_finding(f, source if file is not None else ""))
        if findings:
            click.echo(
                f"共 {summary['total']} 处：错误 {summary['error']}，警告 {summary['warning']}，提示 {summary['info']}"
            )
        else:
            click.echo("未发现问题。")
        if fix_out is not None:
            click.echo(f"已自动修正 {summary['fixed']} 处，另存为 {fix_out}")
    if summary["error"]:
        sys.exit(1)


@click.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--docx", "out", type=click.Path(path_type=Path), default=None, help="输出的 .docx（默认与原文件同名）"
)
@click.option(
    "--fonts",
    type=click.Choice(["gb2312", "windows"]),
    default="gb2312",
    show_default=True,
    help="字体方案：gb2312 = 仿宋_GB2312/楷体_GB2312；windows = 仿宋/楷体（没有 GB2312 字体时）",
)
@click.option("--title-font", default=None, help="标题字体（默认 方正小标宋简体）")
@click.option("--body-font", default=None, help="正文字体（默认 仿宋_GB2312）")
@click.option("--bold-levels", default=None, help="加粗的标题层级，如 2,3")
@click.option(
    "--pdf",
    "pdf_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="同时用 LibreOffice 转成 PDF，放到此目录",
)
def export(
    file: Path,
    out: Path | None,
    fonts: str,
    title_font: str | None,
    body_font: str | None,
    bold_levels: str | None,
    pdf_dir: Path | None,
) -> None:
    """导出符合 GB/T 9704 的 Word 文档（A4、仿宋三号、每页 22 行、页码）。"""
    from assistant.export import ExportOptions, export_file

    levels = None
    if bold_levels:
        try:
            levels = frozenset(int(x) for x in bold_levels.replace("，", ",").split(",") if x.strip())
        except ValueError:
            raise BiganziError("--bold-levels 应写成逗号分隔的层级数字，如 2,3") from None
        if not levels <= {1, 2, 3, 4}:
            raise BiganziError("--bold-levels 只能取 1 到 4")
    options = ExportOptions.preset(fonts, title_font=title_font, body_font=body_font, bold_levels=levels)
    if file.suffix.lower() == ".docx" and out is None:
        raise BiganziError("输入已是 .docx，请用 --docx 指定另一个输出文件名")
    target = out or file.with_suffix(".docx")
    if target.resolve() == file.resolve():
        raise BiganziError("输出文件不能与输入文件相同，请用 --docx 另起文件名")
    written = export_file(file, target, options)
    click.echo(f"已导出：{written}")
    if pdf_dir is not None:
        from assistant.pdf_render import docx_to_pdf

        click.echo(f"已转为 PDF：{docx_to_pdf(written, pdf_dir)}")
