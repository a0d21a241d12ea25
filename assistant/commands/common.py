"""Flags the commands share (data dir and knowledge base; the model backend), and how they become a
Settings object."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assistant.textfile import read_text_file
from core.errors import BiganziError
from core.settings import Settings, get_settings


def settings_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Adds --data-dir and --kb; the command receives `settings` instead of those two."""
    f = click.option("--kb", "kb", default=None, help="知识库名称（默认 default）")(f)
    f = click.option(
        "--data-dir",
        "data_dir",
        type=click.Path(path_type=Path),
        default=None,
        help="数据目录（默认在用户数据目录下）",
    )(f)
    return f


def llm_option(help: str = "模型后端") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--llm: one of the backends registered in assistant.llm (the one list of them)."""
    from assistant.llm import REGISTRY

    return click.option("--llm", "llm", type=click.Choice(list(REGISTRY)), default=None, help=help)


def model_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--llm and --model-path (both optional; env BIGANZI_* otherwise)."""
    f = click.option(
        "--model-path",
        "model_path",
        type=click.Path(path_type=Path),
        default=None,
        help="本地 GGUF 模型文件",
    )(f)
    return llm_option()(f)


def llm_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Model flags of draft / rewrite / chat: --llm, --model-path, --n-ctx, --temperature,
    --max-new-tokens (all optional; env BIGANZI_* otherwise)."""
    options = [
        click.option("--n-ctx", "n_ctx", type=int, default=None, help="上下文长度（词元）"),
        click.option("--temperature", "temperature", type=float, default=None, help="采样温度"),
        click.option(
            "--max-new-tokens", "max_new_tokens", type=int, default=None, help="单次输出上限（词元）"
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return model_options(f)


def make_settings(data_dir: Path | None = None, kb: str | None = None, **extra: Any) -> Settings:
    return get_settings(data_dir=data_dir, kb=kb, **extra)


def emit_json(data: Any) -> None:
    """JSON on stdout, Chinese as is, indented (the --json output of every command)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def info(text: str) -> None:
    """A dimmed ［提示］ note on stderr (stdout stays the text or the JSON)."""
    click.echo(click.style(f"［提示］{text}", dim=True), err=True)


def display_width(s: str) -> int:
    """Terminal columns of `s`: a Chinese character (East Asian wide or full-width) counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _fit(s: str, width: int) -> str:
    """Cut to `width` display columns (ending in … when cut) and pad."""
    out, used = "", 0
    for ch in s:
        w = display_width(ch)
        if used + w > width - (1 if display_width(s) > width else 0):
            out += "…"
            used += 1
            break
        out, used = out + ch, used + w
    return out + " " * max(0, width - used)


def text_table(
    headers: list[str], rows: list[list[str]], max_widths: list[int] | None = None, *, rule: bool = False
) -> str:
    """A plain text table that lines up with Chinese characters; a column wider than its
    `max_widths` entry is cut with …; `rule` puts a line of dashes under the headers."""
    widths = [max([display_width(h)] + [display_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    if max_widths is not None:
        widths = [min(w, mx) for w, mx in zip(widths, max_widths, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(_fit(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()

    head = [line(headers), line(["-" * w for w in widths])] if rule else [line(headers)]
    return "\n".join([*head, *(line(r) for r in rows)])


def read_text_arg(value: str) -> str:
    """`--text F` reads file F; `--text -` reads standard input."""
    if value == "-":
        return sys.stdin.read()
    path = Path(value)
    if not path.is_file():
        raise BiganziError(f"找不到文件 {value}（--text 给文件路径，或 - 表示从标准输入读入）")
    return read_text_file(path)
