"""Render exports with LibreOffice headless and pdftoppm, as an office printer would see them:
A4 pages, 22 lines on a full page, page numbers right on odd pages and left on even ones, the
heading fonts distinct, Chinese text in the PDF, and a PNG of page 1.

Needs Debian's libreoffice-writer-nogui, poppler-utils and CJK fonts (`make docs-tools`).
`BIGANZI_UPDATE_DOCS_IMG=1` also copies page 1 of the demo report to docs/img/export_page1.png."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from assistant.export import export_docx, export_file
from assistant.pdf_render import docx_to_pdf, pdf_to_png, soffice
from tests.conftest import EXAMPLES, REPO

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        soffice() is None, reason="LibreOffice (soffice) not installed: run `make docs-tools`"
    ),
    pytest.mark.skipif(
        shutil.which("pdftoppm") is None, reason="pdftoppm not installed: run `make docs-tools`"
    ),
]

DEMO = EXAMPLES / "青禾县医疗保障局2023年党建工作总结.md"
DOCS_IMG = REPO / "docs" / "img" / "export_page1.png"

# Our own fictional filler, long enough for a full second page.
PARAGRAPH = (
    "（一）基金监管持续加力。全年检查定点医药机构186家，处理违规机构21家，追回医保基金452.3万元，"
    "处罚款126.8万元，守牢群众“看病钱”“救命钱”，基金运行平稳。"
)
LONG = (
    "青禾县医疗保障局2024年工作总结\n一、主要工作\n"
    + "\n".join([PARAGRAPH] * 14)
    + "\n二、下一步打算\n一是稳参保。"
)


def _pdftotext(pdf: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def _pages_and_size(pdf: Path) -> tuple[int, tuple[float, float]]:
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    box = reader.pages[0].mediabox
    return len(reader.pages), (float(box.width), float(box.height))


def _png_size(png: Path) -> tuple[int, int]:
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("render")
    return docx_to_pdf(export_docx(LONG, out / "long.docx"), out)


def test_a4_pages_and_22_lines_on_a_full_page(long_pdf: Path) -> None:
    pages, (w, h) = _pages_and_size(long_pdf)
    assert pages >= 3
    assert abs(w - 595.3) < 1 and abs(h - 841.9) < 1  # A4 in points
    lines = [ln for ln in _pdftotext(long_pdf, 2).splitlines() if ln.strip()]
    body, number = lines[:-1], lines[-1]
    assert len(body) == 22, "\n".join(body)
    assert number.strip().replace(" ", "") == "—2—"
    # About 28 characters on a full line (the last line of a paragraph may be shorter).
    widths = sorted(len(ln.strip().replace(" ", "")) for ln in body)
    assert 26 <= widths[len(widths) // 2] <= 30


def test_page_numbers_odd_right_even_left(long_pdf: Path) -> None:
    odd = [ln for ln in _pdftotext(long_pdf, 1).splitlines() if ln.strip()][-1]
    even = [ln for ln in _pdftotext(long_pdf, 2).splitlines() if ln.strip()][-1]
    assert odd.strip().replace(" ", "") == "—1—" and len(odd) - len(odd.lstrip()) > 30
    assert len(even) - len(even.lstrip()) < 5


def test_demo_report_renders_with_distinct_chinese_fonts(tmp_path: Path) -> None:
    if not DEMO.exists():
        pytest.skip("examples/ demo report not present")
    pdf = docx_to_pdf(export_file(DEMO, tmp_path / "demo.docx"), tmp_path)
    pages, (w, h) = _pages_and_size(pdf)
    assert pages >= 2 and abs(w - 595.3) < 1 and abs(h - 841.9) < 1
    text = _pdftotext(pdf, 1).replace(" ", "")
    assert "青禾县医疗保障局2023年党建工作总结" in text  # real glyphs with Unicode, not boxes
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    # Body (仿宋), 一、 (黑体), （一） (楷体) and the title each get a face of their own.
    assert sum(name in fonts for name in ("UMing", "UKai", "NotoSansCJK", "NotoSerifCJK")) >= 3, fonts
    png = pdf_to_png(pdf, tmp_path / "page1", page=1, dpi=100)
    width, height = _png_size(png)
    assert abs(height / width - 297 / 210) < 0.01
    if os.environ.get("BIGANZI_UPDATE_DOCS_IMG"):
        DOCS_IMG.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, DOCS_IMG)
