"""Text files the user hands us (figures, paragraphs to rewrite): UTF-8 or GB18030/GBK, as Chinese
offices save them."""

from __future__ import annotations

from pathlib import Path

from core.errors import BiganziError


def decode_text(raw: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise BiganziError(f"无法识别 {path.name} 的文字编码：请另存为 UTF-8 文本")


def read_text_file(path: Path) -> str:
    return decode_text(path.read_bytes(), path)
