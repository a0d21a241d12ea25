"""index.load: encodings, Markdown, Word (paragraphs, tables, heading styles), PDF, and errors.

Test files are written at test time: .docx with python-docx, .pdf by `make_pdf` below — a small
but valid PDF whose CJK text uses the standard STSong-Light CID font with the UniGB-UTF16-H
encoding (what reportlab writes for Chinese), so no PDF library or font is needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import BiganziError
from index.load import SUPPORTED_SUFFIXES, decode_bytes, join_pdf_lines, load_file, markdown_to_text
from index.structure import parse_document
from tests.conftest import needs_seeds, seed_paths

MB = 2**20
SAMPLE = (
    "XX局2023年工作总结\n"
    "一、2023年工作开展情况\n"
    "（一）参保扩面。截至2023年9月，参保人数49.29万余人，参保率99.85％。\n"
    "二、存在的问题\n"
    "(二)服务能力有待提升。群众满意度为90％。\n"
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_bytes(data)
    return p


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),  # with BOM (little-endian on this machine)
        ("utf-16-le", "utf-16-le"),  # no BOM
        ("utf-16-be", "utf-16-be"),  # no BOM
    ],
)
def test_txt_encodings(tmp_path: Path, encoding: str, expected: str) -> None:
    p = write(tmp_path, "a.txt", SAMPLE.encode(encoding))
    loaded = load_file(p, max_bytes=MB)
    assert loaded.text == SAMPLE
    assert loaded.encoding == expected


def test_utf16_big_endian_bom(tmp_path: Path) -> None:
    p = write(tmp_path, "a.txt", b"\xfe\xff" + SAMPLE.encode("utf-16-be"))
    assert load_file(p, max_bytes=MB).text == SAMPLE


def test_pure_cjk_utf16_without_bom_or_ascii() -> None:
    text = "党建引领发展，服务惠及民生。"
    assert decode_bytes(text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode_bytes(text.encode("utf-16-be")) == (text, "utf-16-be")


def test_short_gbk_is_not_mistaken_for_utf16_or_utf8() -> None:
    for text in ("中文", "工作总结", "一、成绩清单", "参保率99.85％"):
        assert decode_bytes(text.encode("gbk")) == (text, "gb18030"), text


def test_truncated_utf8_still_utf8() -> None:
    data = ("党建工作总结" * 3).encode("utf-8")[:-1]
    text, enc = decode_bytes(data)
    assert enc == "utf-8" and text.startswith("党建工作总结党建")


def test_latin1_goes_to_charset_normalizer() -> None:
    text, enc = decode_bytes("Café résumé, naïve coöperation, déjà vu. ".encode("cp1252") * 3)
    assert "Café" in text and enc != "utf-8"


@needs_seeds
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
@pytest.mark.parametrize("path", seed_paths(), ids=lambda p: p.name[:3])
def test_seed_reencoded_loads_identically(tmp_path: Path, path: Path, encoding: str) -> None:
    original = path.read_text(encoding="utf-8")
    if encoding == "gbk":
        original = original.replace("\u00a0", "\u3000")  # GBK has no NBSP; a GBK file indents with U+3000
    p = write(tmp_path, "copy.txt", original.encode(encoding))
    loaded = load_file(p, max_bytes=MB)
    assert loaded.text == original
    # The parsed outline is the same whatever the encoding.
    a = [s.outline() for s in parse_document(original).sections]
    b = [s.outline() for s in parse_document(loaded).sections]
    assert a == b


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_stripped_wording_kept(tmp_path: Path) -> None:
    md = (
        "# XX局2023年工作总结\n\n"
        "## 一、工作开展情况\n\n"
        "**局党组**坚持*从严*治党，见[文件](http://x/y)。\n\n"
        "- 一是加强学习；\n"
        "- 二是`强化`落实。\n\n"
        "1. 第一项工作\n"
        "> 引用的话\n\n"
        "---\n"
        "| 指标 | 数值 |\n|---|---|\n| 参保率 | 99.85％ |\n"
        "### （一）小标题\n"
        "snake_case_name 保留\n"
    )
    p = write(tmp_path, "a.md", md)
    loaded = load_file(p, max_bytes=MB)
    lines = loaded.text.split("\n")
    assert lines[0] == "XX局2023年工作总结"
    assert "一、工作开展情况" in lines
    assert "局党组坚持从严治党，见文件。" in lines
    assert "一是加强学习；" in lines and "二是强化落实。" in lines
    assert "1. 第一项工作" in lines  # ordered-list numbers are heading markers: kept
    assert "引用的话" in lines
    assert "指标\t数值" in lines and "参保率\t99.85％" in lines
    assert "snake_case_name 保留" in lines
    assert not any(set(ln) <= {"-", "|", " "} and ln for ln in lines)
    # One leading "#" is the title; headings with markers are left to the marker.
    assert loaded.style_levels == {0: 0}
    doc = parse_document(loaded)
    assert doc.title == "XX局2023年工作总结"
    assert [s.heading for s in doc.sections] == ["一、工作开展情况"]
    # "1." kept in the text is a level-3 heading; "（一）" (level 2) closes it.
    assert [c.heading for c in doc.sections[0].children] == ["1. 第一项工作", "（一）小标题"]


def test_markdown_heading_levels() -> None:
    # Several "#" headings: "#" is level 1, "##" level 2 — for headings without a marker.
    _, levels = markdown_to_text("# 工作成效\n正文\n# 存在问题\n## 学习方面\n")
    assert levels == {0: 1, 2: 1, 3: 2}
    # Markers beat "#" depth: both written as "##", yet （一） nests under 一、.
    text, levels = markdown_to_text("## 一、工作成效\n## （一）抓学习\n正文。")
    assert levels == {}
    doc = parse_document(text)
    assert doc.sections[0].children[0].heading == "（一）抓学习"


# --- Word -----------------------------------------------------------------------------------


def _docx(tmp_path: Path, build) -> Path:  # type: ignore[no-untyped-def]
    import docx

    d = docx.Document()
    build(d)
    p = tmp_path / "a.docx"
    d.save(str(p))
    return p


def test_docx_paragraphs_tables_in_order_and_heading_styles(tmp_path: Path) -> None:
    def build(d) -> None:  # type: ignore[no-untyped-def]
        d.add_paragraph("XX局2023年工作总结", style="Title")
        d.add_paragraph("今年以来，我局扎实推进各项工作。")
        d.add_paragraph("工作开展情况", style="Heading 1")  # no marker: the style says heading
        d.add_paragraph("（一）参保扩面", style="Heading 2")
        d.add_paragraph("参保率达99.85％。")
        t = d.add_table(rows=2, cols=3)
        for r, row in enumerate([["指标", "2022年", "2023年"], ["参保率", "99.80％", "99.85％"]]):
            for c, v in enumerate(row):
                t.cell(r, c).text = v
        d.add_paragraph("表后正文。")

    loaded = load_file(_docx(tmp_path, build), max_bytes=MB)
    lines = loaded.text.split("\n")
    assert lines == [
        "XX局2023年工作总结",
        "今年以来，我局扎实推进各项工作。",
        "工作开展情况",
        "（一）参保扩面",
        "参保率达99.85％。",
        "指标\t2022年\t2023年",
        "参保率\t99.80％\t99.85％",
        "表后正文。",
    ]
    assert loaded.style_levels == {0: 0, 2: 1, 3: 2}
    doc = parse_document(loaded)
    assert doc.title == "XX局2023年工作总结" and doc.year == 2023
    top = doc.sections[0]
    assert (top.level, top.number, top.heading) == (1, "", "工作开展情况")
    assert top.children[0].heading == "（一）参保扩面"
    assert "参保率\t99.80％\t99.85％" in top.children[0].body


def test_docx_chinese_and_custom_heading_styles(tmp_path: Path) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    def build(d) -> None:  # type: ignore[no-untyped-def]
        d.styles.add_style("标题 1", WD_STYLE_TYPE.PARAGRAPH)  # as WPS names it
        own = d.styles.add_style("公文二级标题", WD_STYLE_TYPE.PARAGRAPH)
        own.base_style = d.styles["Heading 2"]  # a house style built on Heading 2
        d.styles.add_style("我的正文", WD_STYLE_TYPE.PARAGRAPH)
        d.add_paragraph("一、总体情况", style="标题 1")
        d.add_paragraph("（一）主要做法", style="公文二级标题")
        d.add_paragraph("正文内容。", style="我的正文")
        p = d.add_paragraph("1.直接设置大纲级别")
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), "2")
        p._p.get_or_add_pPr().append(lvl)
        q = d.add_paragraph("引用了不存在样式的段落。")
        q._p.get_or_add_pPr().get_or_add_pStyle().set(qn("w:val"), "NoSuchStyle")
        r = d.add_paragraph("软回车前")
        r.add_run().add_break()
        r.add_run("软回车后")

    loaded = load_file(_docx(tmp_path, build), max_bytes=MB)
    lines = loaded.text.split("\n")
    assert lines[:5] == [
        "一、总体情况",
        "（一）主要做法",
        "正文内容。",
        "1.直接设置大纲级别",
        "引用了不存在样式的段落。",
    ]
    assert lines[5:] == ["软回车前", "软回车后"]
    assert loaded.style_levels == {0: 1, 1: 2, 3: 3}


def _add_list(d, abstract_id: int, levels: list[tuple[str, str]], nums: dict[int, int | None]) -> None:  # type: ignore[no-untyped-def]
    """Append a list definition to numbering.xml: levels (numFmt, lvlText); nums numId → startOverride."""
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    root = d.part.numbering_part.element
    root.insert(0, parse_xml(f'<w:abstractNum {ns} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'))
    for num_id, start in nums.items():
        override = (
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>' if start else ""
        )
        root.append(
            parse_xml(
                f'<w:num {ns} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'
            )
        )


def _numbered(d, text: str, num_id: int, ilvl: int, style: str | None = None):  # type: ignore[no-untyped-def]
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    p = d.add_paragraph(text, style=style)
    num_pr = OxmlElement("w:numPr")
    for tag, val in (("w:ilvl", ilvl), ("w:numId", num_id)):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(val))
        num_pr.append(el)
    p._p.get_or_add_pPr().append(num_pr)
    return p


def test_docx_automatic_numbering_rendered_as_markers(tmp_path: Path) -> None:
    def build(d) -> None:  # type: ignore[no-untyped-def]
        _add_list(
            d,
            90,
            [
                ("chineseCounting", "%1、"),
                ("chineseCounting", "（%2）"),
                ("decimal", "%3."),
                ("decimal", "（%4）"),
            ],
            {90: None, 91: 1},
        )
        _add_list(d, 92, [("bullet", "•")], {92: None})
        _add_list(d, 93, [("decimalEnclosedCircle", "%1")], {93: None})
        d.add_paragraph("XX局2023年工作总结")
        _numbered(d, "工作开展情况", 90, 0)
        _numbered(d, "参保扩面。参保率99.85％。", 90, 1)
        _numbered(d, "基金监管", 90, 1)
        _numbered(d, "检查机构", 90, 2)
        _numbered(d, "追回基金", 90, 2)
        _numbered(d, "存在的问题", 90, 0)  # level 0 again: the deeper counters restart
        _numbered(d, "学习不深入", 90, 1)
        _numbered(d, "要点", 92, 0)  # a bullet adds no marker
        _numbered(d, "圆圈编号", 93, 0)
        _numbered(d, "重新编号的列表", 91, 0)  # same definition, startOverride 1: starts again

    loaded = load_file(_docx(tmp_path, build), max_bytes=MB)
    assert loaded.text.split("\n") == [
        "XX局2023年工作总结",
        "一、工作开展情况",
        "（一）参保扩面。参保率99.85％。",
        "（二）基金监管",
        "1.检查机构",
        "2.追回基金",
        "二、存在的问题",
        "（一）学习不深入",
        "要点",
        "①圆圈编号",
        "一、重新编号的列表",
    ]
    doc = parse_document(loaded)
    assert [(s.number, s.heading, s.kind) for s in doc.sections[:2]] == [
        ("一", "一、工作开展情况", "成绩"),
        ("二", "二、存在的问题", "问题"),
    ]
    assert [c.heading for c in doc.sections[0].children] == ["（一）参保扩面", "（二）基金监管"]


def test_docx_heading_style_linked_to_a_list(tmp_path: Path) -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    def build(d) -> None:  # type: ignore[no-untyped-def]
        _add_list(d, 94, [("chineseCountingThousand", "%1、")], {94: None})
        style = d.styles["Heading 1"]
        num_pr = OxmlElement("w:numPr")
        num_id = OxmlElement("w:numId")
        num_id.set(qn("w:val"), "94")
        num_pr.append(num_id)
        style.element.get_or_add_pPr().append(num_pr)
        for title in ("成绩", "问题", "打算"):
            d.add_paragraph(title, style="Heading 1")
            d.add_paragraph("正文。")

    loaded = load_file(_docx(tmp_path, build), max_bytes=MB)
    assert loaded.text.split("\n") == ["一、成绩", "正文。", "二、问题", "正文。", "三、打算", "正文。"]
    doc = parse_document(loaded)
    assert [(s.level, s.number) for s in doc.sections] == [(1, "一"), (1, "二"), (1, "三")]


def test_format_number_styles() -> None:
    from index.load import format_number

    cases = {
        (1, "chineseCounting"): "一",
        (10, "chineseCounting"): "十",
        (12, "chineseCounting"): "十二",
        (20, "chineseCountingThousand"): "二十",
        (31, "chineseCounting"): "三十一",
        (105, "chineseCounting"): "一百零五",
        (110, "chineseCounting"): "一百一十",
        (3, "ideographTraditional"): "丙",
        (2023, "ideographDigital"): "二〇二三",
        (3, "decimalEnclosedCircle"): "③",
        (7, "decimalFullWidth"): "７",
        (28, "lowerLetter"): "bb",
        (14, "upperRoman"): "XIV",
        (4, "decimal"): "4",
    }
    assert {k: format_number(*k) for k in cases} == cases


def test_docx_merged_cells_written_once(tmp_path: Path) -> None:
    def build(d) -> None:  # type: ignore[no-untyped-def]
        t = d.add_table(rows=2, cols=3)
        t.cell(0, 0).merge(t.cell(0, 2)).text = "合并表头"
        for c, v in enumerate(["甲", "乙", "丙"]):
            t.cell(1, c).text = v

    assert load_file(_docx(tmp_path, build), max_bytes=MB).text == "合并表头\n甲\t乙\t丙"


# --- PDF ------------------------------------------------------------------------------------


def make_pdf(pages: list[list[str]]) -> bytes:
    """A valid PDF: one text line per entry, CJK through STSong-Light + UniGB-UTF16-H."""
    objs: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # pages, filled below
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H"
        b" /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo"
        b" << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 800 Td"]
        ops += [f"<{ln.encode('utf-16-be').hex()}> Tj T*" for ln in lines]
        stream = "\n".join([*ops, "ET"]).encode() if lines else b"0 0 m 100 100 l S"
        kids.append(len(objs) + 1)
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources"
            f" << /Font << /F1 3 0 R >> >> /Contents {len(objs) + 2} 0 R >>".encode()
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_pdf_text_layer_with_layout_breaks_joined(tmp_path: Path) -> None:
    pages = [
        [
            "XX局2023年工作总结",
            "一、工作开展情况",
            "（一）参保扩面。截至2023年9月，全县基本医疗保险参",
            "保人数49.29万余人，参保率99.85％，职工医保住院报销",
            "比例达到83.93％。",
            "（二）基金监管。全年检查定点医药机构186家，追回医",
        ],
        [
            "— 1 —",
            "保基金452.3万元。",
            "二、存 在 的 问 题",  # glyph-by-glyph placement extracts with spaces
        ],
    ]
    loaded = load_file(write(tmp_path, "a.pdf", make_pdf(pages)), max_bytes=MB)
    assert loaded.text.split("\n") == [
        "XX局2023年工作总结",
        "一、工作开展情况",
        "（一）参保扩面。截至2023年9月，全县基本医疗保险参保人数49.29万余人，参保率99.85％，职工医保住院报销比例达到83.93％。",
        "（二）基金监管。全年检查定点医药机构186家，追回医保基金452.3万元。",
        "二、存在的问题",
    ]
    doc = parse_document(loaded)
    assert doc.title == "XX局2023年工作总结"
    assert [c.heading for c in doc.sections[0].children] == ["（一）参保扩面", "（二）基金监管"]


def test_join_pdf_lines_keeps_short_lines_and_headings() -> None:
    lines = ["标题行", "这是一行写满了页面宽度的正文内容没有标点", "接下来的一行。", "短行", "1.小标题"]
    assert join_pdf_lines(lines) == [
        "标题行",
        "这是一行写满了页面宽度的正文内容没有标点接下来的一行。",
        "短行",
        "1.小标题",
    ]


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    p = write(tmp_path, "扫描件.pdf", make_pdf([[]]))
    with pytest.raises(BiganziError, match=r"扫描件\.pdf.*PDF 无文字层（可能是扫描件），请先做 OCR"):
        load_file(p, max_bytes=MB)


def test_corrupt_pdf(tmp_path: Path) -> None:
    good = make_pdf([["一、工作开展情况"]])
    p = write(tmp_path, "坏.pdf", good[:60])
    with pytest.raises(BiganziError, match=r"^坏\.pdf：") as e:
        load_file(p, max_bytes=MB)
    assert "\n" not in str(e.value)
    with pytest.raises(BiganziError, match="不是 PDF"):
        load_file(write(tmp_path, "假.pdf", "纯文本"), max_bytes=MB)


# --- errors ---------------------------------------------------------------------------------


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".docx", ".pdf"} <= SUPPORTED_SUFFIXES


@pytest.mark.parametrize(
    ("name", "data", "pattern"),
    [
        ("报告.xlsx", b"PK", r"^报告\.xlsx：不支持的文件类型“\.xlsx”"),
        ("旧.doc", b"\xd0\xcf\x11\xe0", r"^旧\.doc：.*另存为 \.docx"),
        ("无扩展名", b"abc", r"^无扩展名：不支持的文件类型“无扩展名”"),
        ("空.txt", b"", r"^空\.txt：空文件"),
        ("空白.txt", "  \n\u3000\n".encode(), r"^空白\.txt：文件中没有文字内容"),
        ("坏.docx", b"PK\x03\x04garbage", r"^坏\.docx：文件已损坏"),
        ("伪装.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", r"^伪装\.docx：这其实是旧版 \.doc 格式"),
        ("文本.docx", "其实是纯文本".encode(), r"^文本\.docx：文件已损坏或不是 Word 文档"),
    ],
)
def test_errors_are_one_line_naming_the_file(tmp_path: Path, name: str, data: bytes, pattern: str) -> None:
    p = write(tmp_path, name, data)
    with pytest.raises(BiganziError, match=pattern) as e:
        load_file(p, max_bytes=MB)
    assert "\n" not in str(e.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BiganziError, match="找不到文件"):
        load_file(tmp_path / "无.txt", max_bytes=MB)


def test_over_size_limit_says_limit_and_how_to_raise(tmp_path: Path) -> None:
    p = write(tmp_path, "大.txt", "正文。" * 2000)
    with pytest.raises(BiganziError) as e:
        load_file(p, max_bytes=4096)
    msg = str(e.value)
    assert msg.startswith("大.txt：") and "超过上限" in msg and "BIGANZI_MAX_FILE_MB" in msg
    assert load_file(p, max_bytes=MB).text.startswith("正文。")
