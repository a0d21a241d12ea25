"""Flags every command shares, and how they become a Settings object."""

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
