"""Word export to GB/T 9704-2012 (党政机关公文格式): `export_docx(text, out_path, options=None)`.

The page: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, so the type area is
156 mm × 225 mm. 22 lines a page means a fixed line pitch of

    pitch = floor(225 mm × 1440 twips/in ÷ 25.4 mm/in ÷ 22) = floor(579.8) = 579 twips ≈ 28.95 pt

(rounded down so that 22 lines always fit), written as exact line spacing and as the section's
line grid. 28 characters a line means a character pitch of 156 mm ÷ 28 ≈ 15.79 pt: the body
text is condensed by floor((15.79 − 16) × 20) / 20 = −0.25 pt, which Word, WPS and LibreOffice
all honour. (`char_grid=True` writes Word's lines-and-characters grid instead, as Word's own
公文 templates do; LibreOffice renders that grid with wide gaps, so it is off by default.) Title 方正小标宋简体 二号 (22 pt) centred; body 仿宋_GB2312 三号 (16 pt)
with a two-character first-line indent; headings 一、 黑体, （一） 楷体_GB2312, 1. and （1） 仿宋, in
the same paragraph as their body text when written inline; page numbers "— N —" in 四号 (14 pt)
宋体, odd pages right and even pages left, one character in; the date in Arabic numerals.

python-docx leaves East Asian text in the template's theme font unless `w:eastAsia` is set, so
every font is written explicitly (ascii, hAnsi, eastAsia, cs) on the document defaults, every
style used and every run, and the theme font references are removed.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from core.errors import BiganziError

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.styles.style import ParagraphStyle
    from docx.text.paragraph import Paragraph

MM_PER_INCH = 25.4
TWIPS_PER_INCH = 1440


@dataclass(frozen=True)
class ExportOptions:
    """Fonts, sizes and page geometry. Defaults follow GB/T 9704-2012; an office without the
    GB2312 fonts uses `ExportOptions.preset("windows")` (仿宋, 楷体, 黑体, 宋体)."""

    title_font: str = "方正小标宋简体"
    body_font: str = "仿宋_GB2312"
    heading1_font: str = "黑体"
    heading2_font: str = "楷体_GB2312"
    heading3_font: str | None = None  # None: the body font
    heading4_font: str | None = None
    page_number_font: str = "宋体"
    latin_font: str | None = None  # digits and Latin letters; None: the same font as the text
    title_size: float = 22.0  # 二号
    body_size: float = 16.0  # 三号
    page_number_size: float = 14.0  # 四号
    title_bold: bool = False
    bold_levels: frozenset[int] = field(default_factory=frozenset)  # e.g. {2, 3}
    lines_per_page: int = 22
    chars_per_line: int = 28
    page_mm: tuple[float, float] = (210.0, 297.0)  # A4
    margins_mm: tuple[float, float, float, float] = (37.0, 35.0, 28.0, 26.0)  # top, bottom, left, right
    first_line_chars: int = 2
    date_right_chars: int = 4  # 成文日期右空四字
    page_numbers: bool = True
    char_grid: bool = False  # Word's lines-and-characters grid instead of condensed spacing

    @classmethod
    def preset(cls, name: str = "gb2312", **overrides: Any) -> ExportOptions:
        """ "gb2312": the standard's fonts; "windows": fonts every Chinese Windows has."""
        if name not in PRESETS:
            raise BiganziError(f"未知的字体方案“{name}”，可选：{'、'.join(PRESETS)}")
        clean = {k: v for k, v in overrides.items() if v is not None}
        if "bold_levels" in clean:
            clean["bold_levels"] = frozenset(clean["bold_levels"])
        return replace(cls(**PRESETS[name]), **clean)

    @property
    def type_area_mm(self) -> tuple[float, float]:
        top, bottom, left, right = self.margins_mm
        return self.page_mm[0] - left - right, self.page_mm[1] - top - bottom

    @property
    def line_pitch_twips(self) -> int:
        """Exact line spacing that fits `lines_per_page` lines in the type area (rounded down)."""
        height_twips = self.type_area_mm[1] / MM_PER_INCH * TWIPS_PER_INCH
        return math.floor(height_twips / self.lines_per_page)

    @property
    def char_pitch_pt(self) -> float:
        return self.type_area_mm[0] / MM_PER_INCH * 72 / self.chars_per_line

    @property
    def char_space(self) -> int:
        """docGrid charSpace (char_grid=True): (character pitch − body size) in 1/4096 pt."""
        return round((self.char_pitch_pt - self.body_size) * 4096)

    @property
    def condense_twentieths(self) -> int:
        """Character spacing of body text in 1/20 pt (rounded down, so `chars_per_line` fit)."""
        if self.char_grid:
            return 0
        return min(0, math.floor((self.char_pitch_pt - self.body_size) * 20))

    def heading_font(self, level: int) -> str:
        fonts = {1: self.heading1_font, 2: self.heading2_font, 3: self.heading3_font, 4: self.heading4_font}
        return fonts.get(level) or self.body_font


PRESETS: dict[str, dict[str, Any]] = {
    "gb2312": {},
    "windows": {
        "title_font": "方正小标宋简体",
        "body_font": "仿宋",
        "heading1_font": "黑体",
        "heading2_font": "楷体",
        "page_number_font": "宋体",
    },
}

# Word substitutes these when the named font is missing (fontTable altName, GB2312 charset).
FONT_ALT_NAMES = {
    "仿宋_GB2312": "仿宋",
    "楷体_GB2312": "楷体",
    "方正小标宋简体": "宋体",
    "仿宋": "FangSong",
    "楷体": "KaiTi",
    "黑体": "SimHei",
    "宋体": "SimSun",
}


# --- layout: which line is what -------------------------------------------------------------

BlockKind = Literal["title", "recipient", "heading", "body", "signature", "date"]


@dataclass
class Block:
    """One paragraph to write. `head_end` characters of `text` take the heading font of `level`
    (all of a standalone heading, the "（一）标题。" part of an inline one, 0 for plain body)."""

    kind: BlockKind
    text: str
    level: int = 0
    head_end: int = 0


_DATE = re.compile(
    r"^(?P<y>[0-9０-９]{4}|[〇○零一二三四五六七八九]{4})\s*年\s*"
    r"(?P<m>[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*"
    r"(?P<d>[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*日$"
)
_CN_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九０１２３４５６７８９", "0001234567890123456789")
_FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_EDGE = " \t\u3000\u00a0"
_MD_HINT = re.compile(r"(?m)^#{1,6}\s|\*\*|^\s*[-*+]\s")


def normalize_date(line: str) -> str | None:
    """ "二〇二四年一月八日" / "2024年01月08日" → "2024年1月8日"; None when `line` is not a date."""
    from assistant.checks.base import cn_to_int

    m = _DATE.match(line.strip(_EDGE))
    if not m:
        return None
    year = m.group("y").translate(_CN_YEAR_DIGITS)
    month = cn_to_int(m.group("m").translate(_FULL_DIGITS))
    day = cn_to_int(m.group("d").translate(_FULL_DIGITS))
    if month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year}年{month}月{day}日"


def layout(text: str, style_levels: dict[int, int] | None = None) -> list[Block]:
    """Classify the lines of a report: title, 主送机关, headings (with the structure parser,
    inline headings and half-width markers included), body, signature and date.

    `style_levels` maps 0-based line indexes to heading levels known from the source (Word
    heading styles, markdown `#`); level 0 is the title. Markdown text is converted first."""
    from assistant.checks.base import find_heading
    from index.structure import looks_like_title

    if style_levels is None and _MD_HINT.search(text):
        from index.load import markdown_to_text

        text, style_levels = markdown_to_text(text)
    levels = style_levels or {}
    lines = [(i, ln.strip(_EDGE)) for i, ln in enumerate(text.replace("\r\n", "\n").split("\n"))]
    lines = [(i, ln) for i, ln in lines if ln]
    if not lines:
        raise BiganziError("没有可导出的内容：文本为空")
    blocks: list[Block] = []
    first_index, first = lines[0]
    has_title = levels.get(first_index) == 0 or (
        len(lines) > 1 and first_index not in levels and looks_like_title(first)
    )
    for n, (i, line) in enumerate(lines):
        if n == 0 and has_title:
            blocks.append(Block("title", line))
            continue
        if levels.get(i) == 0:
            blocks.append(Block("title", line))
            continue
        if (
            n == 1
            and has_title
            and len(line) <= 30
            and line.endswith(("：", ":"))
            and find_heading(line) is None
        ):
            blocks.append(Block("recipient", line))
            continue
        h = find_heading(line)
        if h is not None:
            if h.standalone:
                blocks.append(Block("heading", line, h.level, len(line)))
            else:
                blocks.append(Block("body", line, h.level, h.text_end))
            continue
        if i in levels:
            blocks.append(Block("heading", line, min(max(levels[i], 1), 4), len(line)))
            continue
        blocks.append(Block("body", line))
    _mark_closing(blocks, has_title)
    return blocks


_SENTENCE_PUNCT = re.compile(r"[。，；：！？,;:!?]")


def _mark_closing(blocks: list[Block], has_title: bool) -> None:
    """The last line, when it is a date, is the 成文日期 (Arabic numerals); a short line right
    above it without punctuation is the signature (发文机关署名)."""
    last = blocks[-1]
    if last.kind != "body" or last.head_end:
        return
    date = normalize_date(last.text)
    if date is None:
        return
    blocks[-1] = Block("date", date)
    if len(blocks) >= 2 + int(has_title):
        prev = blocks[-2]
        if (
            prev.kind == "body"
            and not prev.head_end
            and len(prev.text) <= 25
            and not _SENTENCE_PUNCT.search(prev.text)
        ):
            blocks[-2] = Block("signature", prev.text)


# --- writing the document -------------------------------------------------------------------

_STYLES: dict[str, tuple[str, str]] = {
    # kind/level → (style id, style name)
    "title": ("GwTitle", "公文标题"),
    "body": ("GwBody", "公文正文"),
    "recipient": ("GwRecipient", "主送机关"),
    "heading1": ("GwHeading1", "公文一级标题"),
    "heading2": ("GwHeading2", "公文二级标题"),
    "heading3": ("GwHeading3", "公文三级标题"),
    "heading4": ("GwHeading4", "公文四级标题"),
    "signature": ("GwSignature", "发文机关署名"),
    "date": ("GwDate", "成文日期"),
    "page_number": ("GwPageNumber", "页码"),
}


def export_docx(
    text: str,
    out_path: str | Path,
    options: ExportOptions | None = None,
    *,
    style_levels: dict[int, int] | None = None,
) -> Path:
    """Write `text` as a GB/T 9704 .docx at `out_path` (written to a temporary file first, so a
    failure never leaves half a file). Returns the path written."""
    opts = options or ExportOptions()
    out = Path(out_path)
    if out.suffix.lower() != ".docx":
        raise BiganziError(f"{out.name}：导出文件名应以 .docx 结尾")
    if not out.parent.exists():
        raise BiganziError(f"{out.parent}：目录不存在，请先创建或换一个保存位置")
    blocks = layout(text, style_levels)
    document = build_document(blocks, opts)
    fd, tmp = tempfile.mkstemp(prefix=".biganzi-", suffix=".docx", dir=out.parent)
    os.close(fd)
    try:
        document.save(tmp)
        os.replace(tmp, out)
    except PermissionError as e:
        raise BiganziError(f"{out}：没有写入权限（文件是否正在 Word/WPS 中打开？）") from e
    except OSError as e:
        raise BiganziError(f"{out}：无法保存（{e.strerror or type(e).__name__}）") from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def export_file(path: str | Path, out_path: str | Path, options: ExportOptions | None = None) -> Path:
    """Export a .txt, .md or .docx file (read with index.load; Word heading styles are kept)."""
    from index.load import load_file

    loaded = load_file(Path(path), 50 * 2**20)
    return export_docx(loaded.text, out_path, options, style_levels=loaded.style_levels)


def build_document(blocks: list[Block], opts: ExportOptions) -> DocxDocument:
    import docx

    document = docx.Document()
    _strip_theme_fonts(document)
    _set_doc_defaults(document, opts)
    styles = _make_styles(document, opts)
    _set_page(document, opts)
    title = next((b.text for b in blocks if b.kind == "title"), "")
    for n, block in enumerate(blocks):
        if block.kind in ("signature", "date") and (
            n == 0 or blocks[n - 1].kind not in ("signature", "date")
        ):
            _blank(document, styles["body"], opts)  # 正文下空一行
        _write_block(document, block, styles, opts)
        if block.kind == "title" and (n + 1 == len(blocks) or blocks[n + 1].kind != "title"):
            _blank(document, styles["body"], opts)  # 标题下空一行
    _align_signature(document, blocks, styles, opts)
    if opts.page_numbers:
        _page_number_footers(document, styles["page_number"], opts)
    _font_table(document, opts)
    props = document.core_properties
    props.title = title
    props.author = ""
    props.last_modified_by = ""
    props.comments = "笔杆子导出（GB/T 9704-2012）"
    return document


def _style_key(block: Block) -> str:
    return f"heading{block.level}" if block.kind == "heading" else block.kind


def _write_block(
    document: DocxDocument, block: Block, styles: dict[str, ParagraphStyle], opts: ExportOptions
) -> None:
    paragraph = _add_paragraph(document, styles[_style_key(block)])
    if block.kind == "title":
        _add_run(paragraph, block.text, opts.title_font, opts.title_size, opts.title_bold, opts)
    elif block.kind in ("heading", "body") and block.head_end:
        head, rest = block.text[: block.head_end], block.text[block.head_end :]
        _add_run(
            paragraph,
            head,
            opts.heading_font(block.level),
            opts.body_size,
            block.level in opts.bold_levels,
            opts,
        )
        if rest:
            _add_run(paragraph, rest, opts.body_font, opts.body_size, False, opts)
    else:
        _add_run(paragraph, block.text, opts.body_font, opts.body_size, False, opts)


def _add_paragraph(document: DocxDocument, style: ParagraphStyle) -> Paragraph:
    """add_paragraph(style=…) looks the style up among all styles each time; set its id directly."""
    paragraph = document.add_paragraph()
    paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = style.style_id
    return paragraph


def _blank(document: DocxDocument, style: ParagraphStyle, opts: ExportOptions) -> None:
    paragraph = _add_paragraph(document, style)
    paragraph.paragraph_format.first_line_indent = 0
    _add_run(paragraph, "", opts.body_font, opts.body_size, False, opts)


def _add_run(paragraph: Paragraph, text: str, font: str, size: float, bold: bool, opts: ExportOptions) -> Any:
    run = paragraph.add_run(text)
    _set_font(run._r.get_or_add_rPr(), font, size, bold, opts.latin_font)
    return run


def _set_font(rpr: Any, font: str, size: float | None, bold: bool | None, latin: str | None = None) -> None:
    """rFonts for every script (no theme fonts), size for both complex and simple scripts, bold."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        if attr.lower().endswith("theme}") or attr.lower().endswith("theme"):
            del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), latin or font)
    rfonts.set(qn("w:hAnsi"), latin or font)
    rfonts.set(qn("w:eastAsia"), font)
    rfonts.set(qn("w:cs"), font)
    rfonts.set(qn("w:hint"), "eastAsia")
    if bold is not None:
        rpr.get_or_add_b().val = bold
        rpr.get_or_add_bCs().val = bold
    if size is not None:
        sz = rpr.get_or_add_sz()
        sz.val = Pt(size)
        szcs = rpr.find(qn("w:szCs"))
        if szcs is None:
            szcs = OxmlElement("w:szCs")
            sz.addnext(szcs)
        szcs.set(qn("w:val"), str(round(size * 2)))


def _set_spacing(rpr: Any, twentieths: int) -> None:
    """Character spacing (w:spacing in run properties), in 1/20 pt (0 overrides an inherited one)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    old = rpr.find(qn("w:spacing"))
    if old is not None:
        rpr.remove(old)
    el = OxmlElement("w:spacing")
    el.set(qn("w:val"), str(twentieths))
    # Schema order: … color, spacing, w, kern, position, sz …
    anchor = rpr.find(qn("w:sz"))
    if anchor is not None:
        anchor.addprevious(el)
    else:
        rpr.append(el)


def _strip_theme_fonts(document: DocxDocument) -> None:
    """Remove asciiTheme/eastAsiaTheme/… from every style and drop the theme's Chinese fonts, so
    nothing falls back to the template's 宋体/Calibri."""
    from docx.oxml.ns import qn

    for rfonts in document.styles.element.iter(qn("w:rFonts")):
        for attr in list(rfonts.attrib):
            if attr.endswith("Theme") or attr.endswith("theme"):
                del rfonts.attrib[attr]
    for rel in list(document.part.rels.values()):
        if rel.reltype.endswith("/theme"):
            part = rel.target_part
            blob = part.blob.decode("utf-8")
            blob = re.sub(r'<a:font script="(?:Hans|Hant|Jpan|Hang)" typeface="[^"]*"/>', "", blob)
            blob = re.sub(r'<a:ea typeface="[^"]*"/>', '<a:ea typeface=""/>', blob)
            part._blob = blob.encode("utf-8")


def _set_doc_defaults(document: DocxDocument, opts: ExportOptions) -> None:
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_font(rpr, opts.body_font, opts.body_size, None, opts.latin_font)
    _set_spacing(rpr, opts.condense_twentieths)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.get_or_add_spacing()
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(opts.line_pitch_twips))
    spacing.set(qn("w:lineRule"), "exact")


def _make_styles(document: DocxDocument, opts: ExportOptions) -> dict[str, ParagraphStyle]:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, Twips

    styles = document.styles
    normal = styles["Normal"]
    normal_rpr = normal.element.get_or_add_rPr()
    _set_font(normal_rpr, opts.body_font, opts.body_size, False, opts.latin_font)
    _set_spacing(normal_rpr, opts.condense_twentieths)
    _paragraph_layout(normal, opts, indent=False)
    made: dict[str, ParagraphStyle] = {}
    for key, (style_id, name) in _STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id
        style.base_style = normal
        style.quick_style = True
        pf = style.paragraph_format
        if key == "title":
            rpr = style.element.get_or_add_rPr()
            _set_font(rpr, opts.title_font, opts.title_size, opts.title_bold, opts.latin_font)
            _set_spacing(rpr, 0)
            _paragraph_layout(style, opts, indent=False)
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf.keep_with_next = True
        elif key.startswith("heading"):
            level = int(key[-1])
            bold = level in opts.bold_levels
            _set_font(
                style.element.get_or_add_rPr(),
                opts.heading_font(level),
                opts.body_size,
                bold,
                opts.latin_font,
            )
            _paragraph_layout(style, opts, indent=True)
            pf.keep_with_next = True
            style.element.get_or_add_pPr().get_or_add_outlineLvl().val = level - 1
        elif key == "page_number":
            rpr = style.element.get_or_add_rPr()
            _set_font(rpr, opts.page_number_font, opts.page_number_size, False, opts.latin_font)
            _set_spacing(rpr, 0)
            pf.line_spacing = Pt(opts.page_number_size)
            pf.first_line_indent = 0
            _snap_to_grid_off(style.element.get_or_add_pPr())
        else:
            _set_font(style.element.get_or_add_rPr(), opts.body_font, opts.body_size, False, opts.latin_font)
            _paragraph_layout(style, opts, indent=key == "body")
            if key in ("signature", "date"):
                pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                pf.right_indent = Twips(round(opts.date_right_chars * opts.body_size * 20))
        made[key] = style
    # Body text: justified, as in Word's 公文 templates.
    made["body"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for level in range(1, 5):
        made[f"heading{level}"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    return made


def _paragraph_layout(style: Any, opts: ExportOptions, indent: bool) -> None:
    """Exact line pitch, no space before/after, no widow control (it would break the 22-line
    grid), and a two-character first-line indent when asked."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt, Twips

    pf = style.paragraph_format
    pf.space_before = 0
    pf.space_after = 0
    pf.line_spacing = Twips(opts.line_pitch_twips)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.widow_control = False
    ppr = style.element.get_or_add_pPr()
    _autospace_off(ppr)
    ind = ppr.get_or_add_ind()
    if indent:
        pf.first_line_indent = Pt(opts.body_size * opts.first_line_chars)
        ind.set(qn("w:firstLineChars"), str(opts.first_line_chars * 100))
    else:
        pf.first_line_indent = 0
        ind.set(qn("w:firstLineChars"), "0")


def _autospace_off(ppr: Any) -> None:
    """No extra gap between Chinese and Latin letters or digits ("2023年", not "2023 年"), as in
    printed 公文; it also keeps 28 characters a line."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        if ppr.find(qn(tag)) is not None:
            continue
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        # Schema order: … autoSpaceDE, autoSpaceDN, bidi, adjustRightInd, snapToGrid, spacing, ind …
        anchor = next(
            (
                ppr.find(qn(t))
                for t in ("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:jc")
                if ppr.find(qn(t)) is not None
            ),
            None,
        )
        if anchor is not None:
            anchor.addprevious(el)
        else:
            ppr.append(el)


def _snap_to_grid_off(ppr: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    spacing = ppr.find(qn("w:spacing"))
    if spacing is not None:
        spacing.addprevious(snap)
    else:
        ppr.append(snap)


def _align_signature(
    document: DocxDocument, blocks: list[Block], styles: dict[str, Any], opts: ExportOptions
) -> None:
    """Centre the signature over the date (GB/T 9704 7.3.5.1): its right indent grows by half the
    difference in width (Arabic digits count half a character)."""
    from docx.shared import Twips

    date = next((b.text for b in blocks if b.kind == "date"), None)
    signature = [p for p in document.paragraphs if p.style is not None and p.style.style_id == "GwSignature"]
    if not date or not signature:
        return

    def width(s: str) -> float:
        return sum(0.5 if ord(c) < 128 else 1.0 for c in s)

    para = signature[-1]
    extra = max(0.0, (width(date) - width(para.text)) / 2)
    para.paragraph_format.right_indent = Twips(round((opts.date_right_chars + extra) * opts.body_size * 20))


def _set_page(document: DocxDocument, opts: ExportOptions) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(opts.page_mm[0]), Mm(opts.page_mm[1])
    top, bottom, left, right = opts.margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = Mm(15)
    # 页码一字线上距版心下边缘 7 mm: the footer's bottom sits one page-number line below that.
    section.footer_distance = Mm(bottom - 7) - Pt(opts.page_number_size)
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.attrib.clear()
    if opts.char_grid:
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(opts.line_pitch_twips))
        grid.set(qn("w:charSpace"), str(opts.char_space))
    else:
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(opts.line_pitch_twips))


def _page_number_footers(document: DocxDocument, style: ParagraphStyle, opts: ExportOptions) -> None:
    """ "— N —" with a PAGE field: odd pages right, even pages left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Twips

    document.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders
    section = document.sections[0]
    one_char = Twips(round(opts.page_number_size * 20))
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.style = style
        pf = paragraph.paragraph_format
        if align == "right":
            pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            pf.right_indent = one_char
        else:
            pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
            pf.left_indent = one_char
        _page_field(paragraph, opts)


def _page_field(paragraph: Paragraph, opts: ExportOptions) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(text: str | None = None, fld: str | None = None, instr: str | None = None) -> None:
        r = _add_run(paragraph, "", opts.page_number_font, opts.page_number_size, False, opts)
        if text is not None:
            r.text = text
        if fld is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._r.append(el)
        if instr is not None:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def _font_table(document: DocxDocument, opts: ExportOptions) -> None:
    """Declare every font used, with the GB2312 charset and a substitute Word knows."""
    from docx.oxml.ns import qn
    from lxml import etree

    rels = [r for r in document.part.rels.values() if r.reltype.endswith("/fontTable")]
    if not rels:
        return
    part = rels[0].target_part

    root = etree.fromstring(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    used = [
        opts.title_font,
        opts.body_font,
        opts.heading1_font,
        opts.heading2_font,
        opts.heading3_font,
        opts.heading4_font,
        opts.page_number_font,
        opts.latin_font,
    ]
    for name in dict.fromkeys(u for u in used if u):
        if name in have:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt = FONT_ALT_NAMES.get(name)
        if alt:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
