"""`biganzi style | draft | rewrite | chat`: flags in, calls into assistant/, text or JSON out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from assistant.commands.common import emit_json as _emit_json
from assistant.commands.common import info as _info
from assistant.commands.common import llm_options, make_settings, read_text_arg, settings_options
from assistant.textfile import read_text_file
from core.errors import BiganziError
from core.settings import Settings


def _settings(
    data_dir: Path | None, kb: str | None, llm: str | None, model_path: Path | None, n_ctx: int | None
) -> Settings:
    return make_settings(data_dir, kb, llm=llm, model_path=model_path, n_ctx=n_ctx)


def _stream(events: Iterator[Any], *, show_tokens: bool) -> Any:
    """Print tokens as they come (stdout) and notes (stderr); return the done result."""
    result = None
    streamed = False
    for ev in events:
        if ev.kind == "token" and show_tokens:
            click.echo(ev.text, nl=False)
            sys.stdout.flush()
            streamed = True
        elif ev.kind == "info":
            if streamed:
                click.echo("")
                streamed = False
            _info(ev.text)
        elif ev.kind == "done":
            result = ev.result
    if streamed:
        click.echo("")
    return result


def read_figures_file(path: Path) -> str:
    """Figures from a file: text as is; CSV/XLSX tables via the figures parser, one fact a line."""
    if not path.is_file():
        raise BiganziError(f"找不到数据文件 {path}")
    if path.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".tsv"):
        from assistant.figures import parse_figures_file

        parsed = parse_figures_file(path)
        lines = [f"{f.period}{f.metric}{f.text}" for f in parsed.facts]
        if parsed.unparsed:
            _info(f"数据文件中有{len(parsed.unparsed)}行未能解析：{'；'.join(parsed.unparsed[:3])}")
        return "\n".join(lines)
    return read_text_file(path)


# --- style ---------------------------------------------------------------------------------------


@click.command("style", help="从知识库归纳文风画像（标题写法、一是二是、段落长度、常用表述）。")
@settings_options
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def style(data_dir: Path | None, kb: str | None, as_json: bool) -> None:
    from assistant.style import style_profile

    settings = make_settings(data_dir, kb)
    profile = style_profile(settings, kb)
    if as_json:
        _emit_json(profile.to_json())
        return
    if profile.source != "kb":
        _info(profile.note)
    else:
        click.echo(
            f"知识库 {profile.kb}：{profile.documents} 篇文档，{profile.sections} 个段落，{profile.headings} 个标题"
        )
    click.echo(profile.render())
    if profile.source == "kb":
        click.echo("")
        click.echo(f"标题带引号关键词：{profile.quoted_ratio:.0%}　含四字短语：{profile.four_char_ratio:.0%}")
        if profile.party_plus:
            click.echo("党建＋X：" + "、".join(f"党建＋{x}" for x in profile.party_plus))
        click.echo(f"使用“一是……二是……”的段落：{profile.enumeration_ratio:.0%}")
        for ll in profile.lengths:
            click.echo(f"{ll.level}级标题下正文：{ll.count} 段，中位 {ll.median} 字（{ll.p25}～{ll.p75}）")
        if profile.openings:
            click.echo("常见句首：" + "、".join(profile.openings))
        if profile.heading_examples:
            click.echo("标题示例：" + "；".join(profile.heading_examples[:3]))


# --- draft ---------------------------------------------------------------------------------------


@click.command("draft", help="检索往年写法，按本单位文风起草一段（默认本地模型，流式输出）。")
@settings_options
@click.option("--request", "-r", "request", required=True, help="写作要求，如：起草今年“护基金”这一段")
@click.option("--figures", "figures", default=None, help="今年的数据（原样写入正文；要求里写的数据也会用上）")
@click.option(
    "--figures-file",
    "figures_file",
    type=click.Path(path_type=Path),
    default=None,
    help="数据文件（txt/csv/xlsx）",
)
@click.option(
    "--length",
    "length",
    type=int,
    default=None,
    help="目标字数（不给时按要求里写的字数，如“约150字”；否则300）",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（不流式）")
@click.option("--no-lock", "no_lock", is_flag=True, help="关闭数字锁定与核对（仅用于对比评测）")
@llm_options
def draft(
    data_dir: Path | None,
    kb: str | None,
    request: str,
    figures: str | None,
    figures_file: Path | None,
    length: int | None,
    as_json: bool,
    no_lock: bool,
    llm: str | None,
    model_path: Path | None,
    n_ctx: int | None,
    temperature: float | None,
    max_new_tokens: int | None,
) -> None:
    from assistant.draft import stream_draft

    if figures and figures_file:
        raise BiganziError("--figures 和 --figures-file 只能用一个")
    if figures_file:
        figures = read_figures_file(figures_file)
    settings = _settings(data_dir, kb, llm, model_path, n_ctx)
    _say_understood(request, length)
    events = stream_draft(
        settings,
        request,
        figures=figures,
        length=length,
        kb=kb,
        temperature=temperature,
        max_new_tokens=max_new_tokens,
        lock_figures=not no_lock,
    )
    result = _stream(events, show_tokens=not as_json)
    if as_json:
        _emit_json(result.to_json())
        return
    if result.text != result.raw_text:
        click.echo("\n——核对后的定稿——")
        click.echo(result.text)
    if result.figures:
        _print_figures(result.figures)
    if result.sources:
        click.echo("\n参考的往年段落：")
        for s in result.sources:
            click.echo(f"  · {s['source']}　{s['section']}")
    t = result.timings
    _info(
        f"{result.model}：首字 {t.get('ttft_s')} 秒，共 {t.get('total_s')} 秒，"
        f"输入 {t.get('prompt_tokens')} / 输出 {t.get('completion_tokens')} 词元"
    )


def _say_understood(request: str, length: int | None) -> None:
    """What was read from the request itself: its length (unless --length is given) and its figures."""
    from assistant.request import parse_request

    spec = parse_request(request)
    if length is None and spec.length is not None:
        _info(f"篇幅按要求：约{spec.length}字")
    if spec.facts:
        _info("要求中的数据（按您给的数据核对）：" + "、".join(f"{f.metric}{f.text}" for f in spec.facts))


def _print_figures(report: dict[str, Any]) -> None:
    missing = report.get("missing") or []
    flagged = report.get("flagged") or []
    if missing:
        click.echo(
            "未写入的数据："
            + "、".join(str(m.get("text", m)) if isinstance(m, dict) else str(m) for m in missing)
        )
    if flagged:
        click.echo(
            "待核实的数字："
            + "、".join(str(f.get("text", f)) if isinstance(f, dict) else str(f) for f in flagged)
        )


# --- rewrite -------------------------------------------------------------------------------------


@click.command("rewrite", help="按要求改写一段文字（原文数字全部保留），并给出改动。")
@settings_options
@click.option("--text", "text_arg", required=True, help="原文文件，- 表示从标准输入读入")
@click.option(
    "--instruction", "-i", "instruction", required=True, help="改写要求，如：更正式一些，压缩到200字"
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON：{text, diff, ops}")
@llm_options
def rewrite(
    data_dir: Path | None,
    kb: str | None,
    text_arg: str,
    instruction: str,
    as_json: bool,
    llm: str | None,
    model_path: Path | None,
    n_ctx: int | None,
    temperature: float | None,
    max_new_tokens: int | None,
) -> None:
    from assistant.rewrite import stream_rewrite

    text = read_text_arg(text_arg)
    settings = _settings(data_dir, kb, llm, model_path, n_ctx)
    events = stream_rewrite(
        settings, text, instruction, kb=kb, temperature=temperature, max_new_tokens=max_new_tokens
    )
    result = _stream(events, show_tokens=not as_json)
    if as_json:
        _emit_json(result.to_json())
        return
    click.echo("\n——改动（[-删去-]{+新增+}）——")
    click.echo(_colour_diff(result.diff) if sys.stdout.isatty() else result.diff_text)


def _colour_diff(ops: list[dict[str, str]]) -> str:
    out = []
    for op in ops:
        if op["op"] == "equal":
            out.append(op["old"])
            continue
        if op["old"]:
            out.append(click.style(op["old"], fg="red", strikethrough=True))
        if op["new"]:
            out.append(click.style(op["new"], fg="green", underline=True))
    return "".join(out)


# --- chat ----------------------------------------------------------------------------------------

CHAT_HELP = (
    "输入写作要求开始起草；之后的输入是对上一稿的修改意见（如：再精炼一些、第二句换个说法）。\n"
    "命令：/figures 数据　设置今年数据；/new 新对话；/show 显示当前稿；/exit 退出"
)


@click.command("chat", help="终端多轮对话：先起草，再一轮轮修改（可用管道输入）。")
@settings_options
@click.option("--figures", "figures", default=None, help="今年的数据")
@click.option(
    "--length", "length", type=int, default=None, help="目标字数（不给时按要求里写的字数；否则300）"
)
@llm_options
def chat(
    data_dir: Path | None,
    kb: str | None,
    figures: str | None,
    length: int | None,
    llm: str | None,
    model_path: Path | None,
    n_ctx: int | None,
    temperature: float | None,
    max_new_tokens: int | None,
) -> None:
    from assistant.conversation import Conversation

    settings = _settings(data_dir, kb, llm, model_path, n_ctx)
    conv = Conversation(settings, kb=kb, length=length, figures=figures, max_new_tokens=max_new_tokens)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(CHAT_HELP, err=True)
    while True:
        if interactive:
            click.echo(click.style("你：", bold=True), nl=False, err=True)
        line = sys.stdin.readline()
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        if line in ("/exit", "/quit", "/q"):
            break
        if line == "/help":
            click.echo(CHAT_HELP, err=True)
            continue
        if line == "/new":
            conv.reset()
            _info("已开始新的对话")
            continue
        if line == "/show":
            click.echo(conv.current.text if conv.current else "（还没有稿子）")
            continue
        if line.startswith("/figures"):
            conv.figures = line[len("/figures") :].strip() or None
            _info("已设置今年数据" if conv.figures else "已清除今年数据")
            continue
        if not conv.is_refinement(line):
            _say_understood(line, conv.length)
        try:
            result = _stream(conv.send(line, temperature=temperature), show_tokens=True)
        except BiganziError as e:
            click.echo(f"错误：{e}", err=True)
            continue
        if result is not None and result.text != result.raw_text:
            click.echo("——核对后的定稿——")
            click.echo(result.text)
        click.echo("")
