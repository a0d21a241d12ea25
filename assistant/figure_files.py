"""Figures from files: CSV/TSV (UTF-8 or GBK), XLSX (every sheet) or a text file."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.figure_fact import FigureParse
from assistant.textfile import decode_text
from core.errors import BiganziError


def parse_figures_file(path: str | Path) -> FigureParse:
    """CSV (UTF-8 or GBK), XLSX (every sheet) or a text file of figures."""
    from assistant.figures import parse_figures  # the line dispatcher, which re-exports this module

    p = Path(path)
    if not p.is_file():
        raise BiganziError(f"找不到数据文件：{p}（请检查路径）")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return parse_figures("\n".join(_xlsx_lines(p)))
    raw = p.read_bytes()
    text = decode_text(raw, p)
    if suffix in (".csv", ".tsv"):
        dialect_delim = "\t" if suffix == ".tsv" else _sniff(text)
        rows = list(csv.reader(io.StringIO(text), delimiter=dialect_delim))
        return parse_figures(
            "\n".join("\t".join(c.strip() for c in r) for r in rows if any(c.strip() for c in r))
        )
    if suffix in (".txt", ".md", ""):
        return parse_figures(text)
    raise BiganziError(f"不支持的数据文件格式：{p.name}（支持 .xlsx .csv .tsv .txt .md）")


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",\t;，").delimiter
    except csv.Error:
        return ","


def _xlsx_lines(p: Path) -> list[str]:
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - openpyxl is a core dependency
        raise BiganziError("读取 .xlsx 需要 openpyxl：pip install openpyxl") from e
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as e:
        raise BiganziError(f"无法读取 Excel 文件 {p.name}：{e}") from e
    lines: list[str] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            cells = [_xlsx_cell(c) for c in row]
            if any(cells):
                lines.append("\t".join(cells))
        lines.append("")
    wb.close()
    return lines


def _xlsx_cell(c: Any) -> str:
    v = c.value
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        fmt = str(getattr(c, "number_format", "") or "")
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        if "%" in fmt:
            places = len(fmt.split(".", 1)[1].split("%")[0]) if "." in fmt else 0
            return f"{(d * 100):.{places}f}%"
        s = format(d.normalize(), "f")
        return s
    return str(v).strip()
