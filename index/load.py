"""Reading files into text: .txt (encoding detection), .md, .docx (paragraphs, tables, heading
styles) and .pdf (text layer). Every failure is one `BiganziError` line naming the file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import BiganziError
from index.models import LoadedFile

if TYPE_CHECKING:
    from docx.styles.style import BaseStyle
    from docx.text.paragraph import Paragraph

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".markdown", ".docx", ".pdf"})

_LEGACY_HINTS = {
    ".doc": "这是旧版 Word 格式，请在 Word/WPS 中另存为 .docx 后再导入",
    ".wps": "这是 WPS 文字格式，请在 WPS 中另存为 .docx 后再导入",
    ".rtf": "请在 Word/WPS 中另存为 .docx 后再导入",
}


def load_file(path: Path, max_bytes: int) -> LoadedFile:
    """Read one file. Raises BiganziError("<file>：<reason>") for anything it cannot use."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if not path.is_file():
        raise BiganziError(f"{name}：找不到文件（{path}）")
    if suffix not in SUPPORTED_SUFFIXES:
        hint = _LEGACY_HINTS.get(suffix, "支持 " + "、".join(sorted(SUPPORTED_SUFFIXES)))
        raise BiganziError(f"{name}：不支持的文件类型“{suffix or '无扩展名'}”，{hint}")
    size = path.stat().st_size
    if size > max_bytes:
        raise BiganziError(
            f"{name}：文件大小 {size / 2**20:.1f} MB，超过上限 {max_bytes / 2**20:g} MB；"
            f"如确需导入，请设置环境变量 BIGANZI_MAX_FILE_MB 调高上限"
        )
    if size == 0:
        raise BiganziError(f"{name}：空文件，没有可导入的内容")
    reader: Callable[[Path], LoadedFile] = {
        ".txt": _load_txt,
        ".md": _load_md,
        ".markdown": _load_md,
        ".docx": _load_docx,
        ".pdf": _load_pdf,
    }[suffix]
    try:
        loaded = reader(path)
    except BiganziError:
        raise
    except MemoryError as e:
        raise BiganziError(f"{name}：文件太大，内存不足，请拆分后再导入") from e
    except Exception as e:  # parsers raise many types on damaged files
        raise BiganziError(f"{name}：文件已损坏或格式不正确，无法读取（{type(e).__name__}）") from e
    if not loaded.text.strip():
        raise BiganziError(f"{name}：文件中没有文字内容")
    return loaded


# --- .txt ----------------------------------------------------------------------------------


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding name). Strict decodes in a fixed order, charset-normalizer only as a last resort.

    Order: BOM → UTF-8 → UTF-16 without BOM (NUL bytes give it away) → GB18030 (a superset of GBK
    and GB2312) → UTF-8 with a few damaged bytes → charset-normalizer. A strict decode that
    "succeeds" on the wrong encoding produces control characters or rare symbols, so each candidate
    is checked for plausibility before it is accepted.
    """
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break  # a BOM followed by junk: let the rest decide
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _guess_utf16(data)
    if utf16:
        return utf16
    try:
        text = data.decode("gb18030")
        if _plausibility(text) >= 0.97:
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return data.decode("utf-8", errors="replace"), "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _plausibility(str(best)) >= 0.9:
        return str(best), best.encoding
    raise ValueError("unknown encoding")


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 damaged in a few places: cut off mid-character at the end, or one bad byte per 1,000
    characters at most. Anything worse is another encoding."""
    for k in range(max(0, len(data) - 3), len(data)):
        lead = data[k]
        need = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
        tail = data[k + 1 :]
        if need > len(data) - k and all(0x80 <= b <= 0xBF for b in tail):
            try:
                data[:k].decode("utf-8")
                return True  # only the last character is cut off
            except UnicodeDecodeError:
                break
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return len(text) >= 1000 and bad <= len(text) // 1000


def _guess_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: ASCII characters (newlines, digits) carry a NUL byte on one side."""
    if len(data) < 2 or len(data) % 2:
        return None
    even_nul = data[0::2].count(0)
    odd_nul = data[1::2].count(0)
    if even_nul + odd_nul == 0:
        # Pure CJK UTF-16 has no NUL bytes; fall back to comparing plausibility.
        candidates = ["utf-16-le", "utf-16-be"]
    else:
        candidates = ["utf-16-le"] if odd_nul >= even_nul else ["utf-16-be"]
    best: tuple[float, str, str] | None = None
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best and best[0] >= (0.97 if even_nul + odd_nul == 0 else 0.9):
        return best[1], best[2]
    return None


def _plausibility(text: str) -> float:
    """Share of characters a Chinese report plausibly contains (CJK, ASCII, CJK punctuation)."""
    if not text:
        return 0.0
    ok = 0
    for ch in text:
        o = ord(ch)
        if (
            (0x20 <= o < 0x7F)
            or ch in "\n\r\t"
            or 0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
            or 0x3000 <= o <= 0x303F  # CJK punctuation
            or 0xFF00 <= o <= 0xFFEF  # full-width forms
            or 0x2010 <= o <= 0x206F  # general punctuation: “” — …
            or 0x2460 <= o <= 0x24FF  # ①②
            or 0x2160 <= o <= 0x217F  # Ⅰ Ⅱ
            or 0x00A0 <= o <= 0x00FF  # Latin-1: ·, ×, NBSP
            or 0x3400 <= o <= 0x4DBF  # CJK extension A
            or 0x25A0 <= o <= 0x25FF  # ■ □ ○ ●
        ):
            ok += 1
    return ok / len(text)


def _load_txt(path: Path) -> LoadedFile:
    data = path.read_bytes()
    try:
        text, enc = decode_bytes(data)
    except ValueError:
        raise BiganziError(f"{path.name}：无法识别文件编码，请另存为 UTF-8 编码后再导入") from None
    return LoadedFile(path=str(path), text=text, encoding=enc)


# --- .md -----------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MD_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_BULLET = re.compile(r"^(\s*)(?:[-*+]\s+(?:\[[ xX]\]\s+)?)")
_MD_QUOTE = re.compile(r"^\s{0,3}(>\s?)+")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*\*|\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1")
# `*` emphasis works inside words (坚持*从严*治党) but not between digits (3*4*5).
_MD_STAR = re.compile(r"(?<![*\d])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\d])")
_MD_UNDERSCORE = re.compile(r"(?<![_A-Za-z0-9])_(?=\S)([^_\n]+?)(?<=\S)_(?![_A-Za-z0-9])")
_MD_CODE = re.compile(r"`([^`]+)`")
_MD_HTML = re.compile(r"<br\s*/?>|</?[A-Za-z][^>]*>")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def markdown_to_text(md: str) -> tuple[str, dict[int, int]]:
    """Markdown syntax stripped, wording kept. Returns (text, heading level by output line).

    `#` headings keep their text. When the file has exactly one `#` heading and it comes first,
    it is the document title (level 0) and `##` is level 1; otherwise `#` is level 1. Headings
    that start with a marker (一、 （一） 1. （1）) get no level here: the marker decides.
    Ordered-list numbers ("1.") are kept: they are heading markers in Chinese reports.
    """
    from index.clean import normalize_newlines
    from index.structure import parse_heading

    lines = normalize_newlines(md).split("\n")
    h1 = [i for i, ln in enumerate(lines) if (m := _MD_HEADING.match(ln)) and len(m.group(1)) == 1]
    first_content = next((i for i, ln in enumerate(lines) if ln.strip()), -1)
    shift = 1 if len(h1) == 1 and h1[0] == first_content else 0
    out: list[str] = []
    levels: dict[int, int] = {}
    for line in lines:
        if _MD_FENCE.match(line) or _MD_RULE.match(line) or (_MD_TABLE_SEP.match(line) and "-" in line):
            continue
        m = _MD_HEADING.match(line)
        if m:
            line = m.group(2)
            level = len(m.group(1)) - shift
            # "## 一、…" and "## （一）…" are often written at one "#" depth: where the heading
            # carries a marker, the marker decides its level; "#" decides only for bare headings.
            if level == 0 or parse_heading(line) is None:
                levels[len(out)] = level
        else:
            line = _MD_QUOTE.sub("", line)
            line = _MD_BULLET.sub(r"\1", line)
            if line.strip().startswith("|") and line.strip().endswith("|"):
                line = "\t".join(c.strip() for c in line.strip().strip("|").split("|"))
        line = _MD_IMAGE.sub(r"\1", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_CODE.sub(r"\1", line)
        for _ in range(2):  # nested emphasis: ***x***, **_x_**
            line = _MD_EMPH.sub(r"\2", line)
            line = _MD_STAR.sub(r"\1", line)
            line = _MD_UNDERSCORE.sub(r"\1", line)
        line = _MD_HTML.sub("", line)
        line = _MD_ESCAPE.sub(r"\1", line)
        out.append(line.rstrip())
    return "\n".join(out), levels


def _load_md(path: Path) -> LoadedFile:
    data = path.read_bytes()
    try:
        md, enc = decode_bytes(data)
    except ValueError:
        raise BiganziError(f"{path.name}：无法识别文件编码，请另存为 UTF-8 编码后再导入") from None
    text, levels = markdown_to_text(md)
    return LoadedFile(path=str(path), text=text, encoding=enc, style_levels=levels)


# --- .docx ---------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _style_level(style: BaseStyle | None) -> int | None:
    """Heading level from a paragraph style: its name ("Heading 2", "标题 2"), its outline level,
    or the same found on a style it is based on (custom "公文一级标题" based on Heading 1)."""
    seen = 0
    while style is not None and seen < 10:
        seen += 1
        name = (style.name or "").strip()
        if m := _HEADING_STYLE.match(name):
            return int(m.group(1))
        if _TITLE_STYLE.match(name):
            return 0
        level = _outline_level(style.element)
        if level is not None:
            return level
        style = style.base_style
    return None


def _outline_level(element: Any) -> int | None:
    """`w:outlineLvl` (0-based, 9 = body text) in a paragraph's or style's properties."""
    ppr = element.find(f"{_W}pPr")
    if ppr is None:
        return None
    lvl = ppr.find(f"{_W}outlineLvl")
    if lvl is None:
        return None
    try:
        val = int(lvl.get(f"{_W}val"))
    except (TypeError, ValueError):
        return None
    return val + 1 if 0 <= val < 9 else None


def _paragraph_level(paragraph: Paragraph) -> int | None:
    direct = _outline_level(paragraph._p)
    if direct is not None:
        return direct
    try:
        return _style_level(paragraph.style)
    except Exception:  # odd or missing styles in files from other tools: treat as body text
        return None


def _load_docx(path: Path) -> LoadedFile:
    head = path.open("rb").read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise BiganziError(f"{path.name}：这其实是旧版 .doc 格式，请在 Word/WPS 中另存为 .docx 后再导入")
    if not head.startswith(b"PK"):
        raise BiganziError(f"{path.name}：文件已损坏或不是 Word 文档（.docx 应为 zip 格式）")

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    numbering = _Numbering(document)
    lines: list[str] = []
    levels: dict[int, int] = {}
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            # Word's automatic numbering ("一、", "（一）" generated by a list) is not in the
            # paragraph's text; put it back so the heading markers are there as the reader sees them.
            text = numbering.marker(block) + block.text
            level = _paragraph_level(block) if text.strip() else None
            if level is not None:
                levels[len(lines)] = level
            # Soft line breaks inside a paragraph come back as "\n": keep them as lines.
            lines.extend(text.split("\n"))
        elif isinstance(block, Table):
            lines.extend(_table_lines(block))
    return LoadedFile(path=str(path), text="\n".join(lines), encoding=None, style_levels=levels)


_CN_NUM = "零一二三四五六七八九"


def _cn_count(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (Word's chineseCounting)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_NUM[n]
    if n < 20:
        return "十" + (_CN_NUM[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_NUM[n // 10] + "十" + (_CN_NUM[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = (
            ""
            if rest == 0
            else (
                "零" + _CN_NUM[rest]
                if rest < 10
                else _cn_count(rest)
                if rest >= 20
                else "一" + _cn_count(rest)
            )
        )
        return _CN_NUM[n // 100] + "百" + tail
    return str(n)


def _roman(n: int) -> str:
    vals = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = ""
    for v, sym in vals:
        while n >= v:
            out, n = out + sym, n - v
    return out


def _letters(n: int) -> str:
    # Word repeats the letter: a … z, aa … zz.
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def format_number(n: int, fmt: str) -> str:
    """A counter in one of Word's numFmt styles (the common ones; others fall back to digits)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting"):
        return _cn_count(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return "子丑寅卯辰巳午未申酉戌亥"[(n - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Renders Word list numbering (numbering.xml) the way Word shows it, paragraph by paragraph.

    Counters are kept per abstract list, so lists sharing a definition continue, as in Word; a
    `startOverride` restarts a level. Bullets give no marker.
    """

    def __init__(self, document: Any) -> None:
        self.abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[tuple[str, int]] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # no numbering part: nothing to render
        for an in root.findall(f"{_W}abstractNum"):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in an.findall(f"{_W}lvl"):
                levels[_int(lvl.get(f"{_W}ilvl"), 0)] = _lvl_def(lvl)
            self.abstract[an.get(f"{_W}abstractNumId", "")] = levels
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            overrides: dict[int, int] = {}
            for ov in num.findall(f"{_W}lvlOverride"):
                start = ov.find(f"{_W}startOverride")
                if start is not None:
                    overrides[_int(ov.get(f"{_W}ilvl"), 0)] = _int(start.get(f"{_W}val"), 1)
            if ref is not None:
                self.nums[num.get(f"{_W}numId", "")] = (ref.get(f"{_W}val", ""), overrides)

    def marker(self, paragraph: Any) -> str:
        if not self.nums:
            return ""
        num_id, ilvl = _num_pr(paragraph)
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        fmt, text, start = levels[ilvl]
        if ilvl in overrides and (num_id, ilvl) not in self.started:
            self.started.add((num_id, ilvl))
            counters[ilvl] = overrides[ilvl] - 1
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a higher level restarts the ones below it
        if fmt == "bullet":
            return ""

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            k_fmt, _, k_start = levels.get(k, ("decimal", "", 1))
            return format_number(counters.get(k, k_start), k_fmt)

        return re.sub(r"%([1-9])", sub, text)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _lvl_def(lvl: Any) -> tuple[str, str, int]:
    fmt = lvl.find(f"{_W}numFmt")
    text = lvl.find(f"{_W}lvlText")
    start = lvl.find(f"{_W}start")
    return (
        fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
        text.get(f"{_W}val", "") if text is not None else "",
        _int(start.get(f"{_W}val") if start is not None else None, 1),
    )


def _num_pr(paragraph: Any) -> tuple[str | None, int]:
    """(numId, ilvl) from the paragraph, else from its style chain (Heading styles linked to a list)."""
    elements = [paragraph._p]
    try:
        style = paragraph.style
        for _ in range(10):
            if style is None:
                break
            elements.append(style.element)
            style = style.base_style
    except Exception:
        pass
    num_id: str | None = None
    ilvl: int | None = None
    for el in elements:
        ppr = el.find(f"{_W}pPr")
        npr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if npr is None:
            continue
        nid = npr.find(f"{_W}numId")
        lvl = npr.find(f"{_W}ilvl")
        if num_id is None and nid is not None:
            num_id = nid.get(f"{_W}val")
        if ilvl is None and lvl is not None:
            ilvl = _int(lvl.get(f"{_W}val"), 0)
        if num_id is not None and ilvl is not None:
            break
    return num_id, ilvl or 0


def _table_lines(table: Any) -> list[str]:
    """One line per row, cells joined by a tab; a merged cell is written once."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:
            if cell._tc is last:  # horizontally merged cells repeat the same element
                continue
            last = cell._tc
            cells.append(" ".join(cell.text.split("\n")).strip())
        if any(cells):
            rows.append("\t".join(cells))
    return rows


# --- .pdf ----------------------------------------------------------------------------------

_SENTENCE_END = tuple("。！？；：…!?;:")
_CLOSERS = "”’」』）)》】"
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])[ \u00a0]+(?=[{_CJK}])")
_PAGE_NO = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4})\s*$"
)


def join_pdf_lines(lines: list[str]) -> list[str]:
    """Join lines broken by the page layout.

    A line is a layout break when it does not end in sentence punctuation, is about as long as a
    full line of the page (≥ 80% of the longest lines), and the next line is not a heading. A
    short line without punctuation is a title or heading and stays on its own.
    """
    from index.structure import parse_heading

    lengths = sorted(len(ln) for ln in lines if ln.strip())
    if not lengths:
        return []
    full = lengths[int(len(lengths) * 0.9)] if len(lengths) >= 5 else lengths[-1]
    out: list[str] = []
    joining = False
    for raw in lines:
        line = raw.strip()
        if not line:
            joining = False
            if out and out[-1]:
                out.append("")
            continue
        if joining and out and parse_heading(line) is None:
            out[-1] += line
        else:
            out.append(line)
        tail = out[-1].rstrip(_CLOSERS)
        joining = len(line) >= 0.8 * full and not tail.endswith(_SENTENCE_END)
    return out


def _load_pdf(path: Path) -> LoadedFile:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    if not path.open("rb").read(1024).lstrip().startswith(b"%PDF"):
        raise BiganziError(f"{path.name}：文件已损坏或不是 PDF（缺少 %PDF 文件头）")
    reader = PdfReader(str(path))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:
            raise BiganziError(f"{path.name}：PDF 已加密，请先解除密码后再导入") from None
    lines: list[str] = []
    try:
        for page in reader.pages:
            # No blank line between pages, so a sentence running over a page break is joined;
            # page numbers ("— 2 —", "第 2 页 共 5 页") would interrupt it and are dropped.
            lines.extend(
                ln for ln in (page.extract_text() or "").split("\n") if ln.strip() and not _PAGE_NO.match(ln)
            )
    except FileNotDecryptedError:
        raise BiganziError(f"{path.name}：PDF 已加密，请先解除密码后再导入") from None
    if not lines:
        raise BiganziError(f"{path.name}：PDF 无文字层（可能是扫描件），请先做 OCR")
    # Text extraction puts spaces between glyphs that are placed one by one; between two Chinese
    # characters or marks a space is never part of the wording.
    lines = [_CJK_GAP.sub("", ln) for ln in lines]
    return LoadedFile(path=str(path), text="\n".join(join_pdf_lines(lines)), encoding=None)
