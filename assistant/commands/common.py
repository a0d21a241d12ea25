"""Flags the commands share (data dir and knowledge base; the model backend), and how they become a
Settings object."""

from __future__ import annotations

import sys
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


def read_text_arg(value: str) -> str:
    """`--text F` reads file F; `--text -` reads standard input."""
    if value == "-":
        return sys.stdin.read()
    path = Path(value)
    if not path.is_file():
        raise BiganziError(f"找不到文件 {value}（--text 给文件路径，或 - 表示从标准输入读入）")
    return read_text_file(path)
