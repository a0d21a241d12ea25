from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import clean_lines, clean_text
from tests.conftest import needs_seeds, seed_paths


def test_scraping_markers_removed_inline_and_alone() -> None:
    text = "紧紧抓牢改革这个“##paidbegin##牛鼻子”，成效明显。\n\n\n##paidend##\n"
    assert clean_text(text) == "紧紧抓牢改革这个“牛鼻子”，成效明显。"
    assert clean_text("甲##vipContent##乙") == "甲乙"


def test_double_hash_without_a_word_is_kept() -> None:
    # Only ##word## markers go; other uses of # stay as written.
    assert clean_text("编号##12 与 #1") == "编号##12 与 #1"


def test_line_edges_nbsp_fullwidth_and_trailing_spaces() -> None:
    text = "\u00a0\u00a0（一）标题。正文。\u3000\u3000\n\u3000\u3000第二段。 \t\n"
    assert clean_text(text) == "（一）标题。正文。\n第二段。"


def test_wording_widths_and_digits_kept() -> None:
    # Full-width digits, ％, ＋ and half-width parens are what citations show: never normalised.
    line = "参保率达９９．８５％，“党建＋发展”(二)"
    assert clean_text(line) == line


def test_internal_odd_spaces_tidied_but_single_spaces_kept() -> None:
    assert clean_text("APP\u00a0应用") == "APP 应用"
    assert clean_text("甲   乙") == "甲 乙"
    assert clean_text("甲 乙") == "甲 乙"
    assert clean_text("表头\t数值") == "表头\t数值"  # tabs separate table cells


def test_blank_lines_collapsed_and_line_endings_normalised() -> None:
    text = "\r\n\r\n标题\r\n\r\n\r\n\r\n正文一\r正文二\u2028正文三\n\n"
    assert clean_text(text) == "标题\n\n正文一\n正文二\n正文三"


def test_invisible_and_control_characters_removed() -> None:
    assert clean_text("\ufeff标\u200b题\x07") == "标题"


def test_clean_lines_keeps_source_line_index() -> None:
    pairs = clean_lines("标题\n\n\n\n正文\n##paidend##\n结尾")
    assert pairs == [(0, "标题"), (1, ""), (4, "正文"), (5, ""), (6, "结尾")]


@needs_seeds
@pytest.mark.parametrize("path", seed_paths(), ids=lambda p: p.name[:3])
def test_seeds_idempotent_and_marker_free(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    once = clean_text(raw)
    assert clean_text(once) == once
    assert "##" not in once
    assert "\u00a0" not in once
    # Cleaning removes only markers and spacing: every cleaned line is in the original.
    for line in once.splitlines():
        assert line == "" or line in raw.replace("##paidbegin##", "")
