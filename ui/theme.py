"""Look of the page: system fonts only (the page must work on an offline intranet, so no web
fonts and no CDN), and the colours of the number trace."""

from __future__ import annotations

from typing import Any

# Fonts already on office machines (Windows, macOS, Linux); nothing is fetched.
SYSTEM_FONTS: list[str] = [
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "system-ui",
    "sans-serif",
]
MONO_FONTS: list[str] = ["Consolas", "Noto Sans Mono CJK SC", "DejaVu Sans Mono", "monospace"]

CSS = """
.bgz-header { display:flex; align-items:baseline; gap:.8em; }
.bgz-header h1 { margin:0; font-size:1.5em; }
.bgz-header span { color: var(--body-text-color-subdued); }
.bgz-legend { display:flex; flex-wrap:wrap; gap:.4em 1em; font-size:.9em; margin:.2em 0 .5em; }
.bgz-trace { line-height:1.9; white-space:pre-wrap; font-size:1.02em; }
.bgz-num { border-radius:3px; padding:0 .15em; }
.bgz-user { background:#d7f5dd; color:#0b5d1e; border-bottom:2px solid #2e9d4a; }
.bgz-computed { background:#dbe9ff; color:#0d3c8c; border-bottom:2px solid #3a76d8; }
.bgz-stale { background:#ffe8c7; color:#8a4b00; border-bottom:2px solid #e08a00; }
.bgz-unsupported { background:#ffd9d9; color:#9b1111; border-bottom:2px solid #d33; }
.bgz-placeholder { background:#fff3a8; color:#6b5600; border:1px dashed #b59a00; }
.bgz-diff { line-height:1.9; white-space:pre-wrap; }
.bgz-diff del { background:#ffd9d9; color:#9b1111; text-decoration:line-through; }
.bgz-diff ins { background:#d7f5dd; color:#0b5d1e; text-decoration:none; }
.bgz-sources details { border:1px solid var(--border-color-primary); border-radius:6px; padding:.3em .6em; margin:.3em 0; }
.bgz-sources summary { cursor:pointer; }
.bgz-sources .bgz-path { color: var(--body-text-color-subdued); font-size:.9em; }
.bgz-sources blockquote { margin:.4em 0 .2em; white-space:pre-wrap; }
.bgz-notes { color: var(--body-text-color-subdued); font-size:.9em; }
.bgz-errors { color:#9b1111; }
.bgz-ok { color:#0b5d1e; }
table.bgz-table { border-collapse:collapse; width:100%; font-size:.92em; }
table.bgz-table th, table.bgz-table td { border:1px solid var(--border-color-primary); padding:.25em .5em; text-align:left; vertical-align:top; }
"""


def desk_theme() -> Any:
    import gradio as gr

    return gr.themes.Default(
        primary_hue="red", secondary_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS
    )
