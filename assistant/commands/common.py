"""Flags every command shares, and how they become a Settings object."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assistant.settings import Settings, get_settings


def settings_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Adds --data-dir and --kb; the command receives `settings` instead of those two."""
    f = click.option("--kb", "kb", default=None, help="知识库名称（默认 default）")(f)
    f = click.option(
        "--data-dir", "data_dir", type=click.Path(path_type=Path), default=None, help="数据目录（默认在用户数据目录下）"
    )(f)
    return f


def make_settings(data_dir: Path | None = None, kb: str | None = None, **extra: Any) -> Settings:
    return get_settings(data_dir=data_dir, kb=kb, **extra)
