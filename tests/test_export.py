"""GB/T 9704 export: the .docx is read back (python-docx + lxml) and its page, fonts (eastAsia
included), sizes, spacing, indentation and page-number footers are asserted per paragraph kind.
Also: the check/export commands, and importing .docx files with other people's styles."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from lxml import etree

from assistant.cli import cli
from assistant.export import ExportOptions, export_docx, export_file, layout, normalize_date
from core.errors import BiganziError

REPORT = """青禾县医疗保障局2023年工作总结

县政府：
2023年，我局坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，现将全年工作总结如下。
一、主要工作
（一）保障能力实现新突破。全县基本医保参保人数48.6万人，参保率99.85%。
(二)集采落地减负担。累计节约费用1.8亿元。
1.窗口服务
全年办结业务4402件。
（1）上门服务。为行动不便群众上门办理业务1380件。
二、下一步打算
一是巩固全民参保成果。二是深化支付方式改革。
青禾县医疗保障局
二〇二四年一月八日
"""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def fonts_of(el: Any) -> dict[str, str]:
    """rFonts attributes of a run or style (local names)."""
    rpr = el.find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return {etree.QName(k).localname: v for k, v in (rfonts.attrib.items() if rfonts is not None else [])}


def size_of(run: Any) -> float:
    return run.font.size.pt


@pytest.fixture
def exported(tmp_path: Path) -> docx.document.Document:
    out = export_docx(REPORT, tmp_path / "report.docx")
    assert out == tmp_path / "report.docx"
    return docx.Document(str(out))


def paragraph(d: Any, starts: str) -> Any:
    return next(p for p in d.paragraphs if p.text.startswith(starts))


def test_line_pitch_formula() -> None:
    o = ExportOptions()
    assert o.type_area_mm == (156.0, 225.0)
    # floor(225 mm / 25.4 × 1440 / 22) = floor(579.8)
    assert o.line_pitch_twips == 579
    assert 22 * o.line_pitch_twips <= 225 / 25.4 * 1440 < 23 * o.line_pitch_twips
    # 28 characters of 16 pt condensed by 0.25 pt fit in 156 mm, 29 do not.
    assert o.condense_twentieths == -5
    width_pt = 156 / 25.4 * 72
    assert 28 * (16 - 0.25) <= width_pt < 29 * (16 - 0.25)


def test_page_is_a4_with_gb_margins(exported: Any) -> None:
    s = exported.sections[0]
    for got, want in [
        (s.page_width, Mm(210)),
        (s.page_height, Mm(297)),
        (s.top_margin, Mm(37)),
        (s.bottom_margin, Mm(35)),
        (s.left_margin, Mm(28)),
        (s.right_margin, Mm(26)),
    ]:
        assert abs(got - want) < Mm(0.1)
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"


def test_no_theme_fonts_anywhere(tmp_path: Path) -> None:
    out = export_docx(REPORT, tmp_path / "r.docx")
    with zipfile.ZipFile(out) as z:
        styles = z.read("word/styles.xml").decode()
        theme = next(z.read(n).decode() for n in z.namelist() if n.startswith("word/theme/"))
        fonts = z.read("word/fontTable.xml").decode()
    assert "Theme=" not in styles and "theme=" not in styles
    assert 'script="Hans"' not in theme
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts


def test_doc_defaults_and_normal_style_set_east_asian_font(exported: Any) -> None:
    defaults = exported.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault"))
    assert fonts_of(rpr) == {
        "ascii": "仿宋_GB2312",
        "hAnsi": "仿宋_GB2312",
        "eastAsia": "仿宋_GB2312",
        "cs": "仿宋_GB2312",
        "hint": "eastAsia",
    }
    assert rpr.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert fonts_of(exported.styles["Normal"].element)["eastAsia"] == "仿宋_GB2312"


def test_every_run_and_used_style_has_explicit_fonts(exported: Any) -> None:
    runs = [r for p in exported.paragraphs for r in p.runs]
    footers = [exported.sections[0].footer, exported.sections[0].even_page_footer]
    runs += [r for f in footers for p in f.paragraphs for r in p.runs]
    assert len(runs) > 20
    for r in runs:
        f = fonts_of(r._r)
        assert f.get("eastAsia") and f.get("ascii") and f.get("hAnsi"), (r.text, f)
    used = {p.style.name for p in exported.paragraphs} | {p.style.name for f in footers for p in f.paragraphs}
    for name in used:
        assert fonts_of(exported.styles[name].element).get("eastAsia"), name


def test_title(exported: Any) -> None:
    p = exported.paragraphs[0]
    assert p.text == "青禾县医疗保障局2023年工作总结" and p.style.style_id == "GwTitle"
    assert p.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert fonts_of(p.runs[0]._r)["eastAsia"] == "方正小标宋简体"
    assert size_of(p.runs[0]) == 22
    assert exported.paragraphs[1].text == ""  # 标题下空一行
    assert exported.core_properties.title == p.text


def test_body_paragraph(exported: Any) -> None:
    p = paragraph(exported, "2023年，我局")
    pf = p.style.paragraph_format
    assert p.style.style_id == "GwBody"
    assert fonts_of(p.runs[0]._r)["eastAsia"] == "仿宋_GB2312" and size_of(p.runs[0]) == 16
    assert pf.first_line_indent == Pt(32)
    assert p.style.element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY and pf.line_spacing == Twips(579)
    assert pf.space_before == 0 and pf.space_after == 0
    assert pf.widow_control is False
    spacing = exported.styles["Normal"].element.rPr.find(qn("w:spacing"))
    assert spacing.get(qn("w:val")) == "-5"


def test_recipient_is_flush_left(exported: Any) -> None:
    p = paragraph(exported, "县政府：")
    assert p.style.style_id == "GwRecipient" and p.style.paragraph_format.first_line_indent == 0


def test_heading_fonts_by_level(exported: Any) -> None:
    h1 = paragraph(exported, "一、主要工作")
    assert h1.style.style_id == "GwHeading1"
    assert fonts_of(h1.runs[0]._r)["eastAsia"] == "黑体" and size_of(h1.runs[0]) == 16
    assert h1.runs[0].bold is False
    assert h1.style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "0"
    assert h1.style.paragraph_format.first_line_indent == Pt(32)

    h3 = paragraph(exported, "1.窗口服务")
    assert h3.style.style_id == "GwHeading3" and fonts_of(h3.runs[0]._r)["eastAsia"] == "仿宋_GB2312"


@pytest.mark.parametrize(
    "starts, head, font",
    [
        ("（一）保障能力", "（一）保障能力实现新突破。", "楷体_GB2312"),
        ("(二)集采落地", "(二)集采落地减负担。", "楷体_GB2312"),  # half-width marker, same level
        ("（1）上门服务", "（1）上门服务。", "仿宋_GB2312"),
    ],
)
def test_inline_heading_shares_the_paragraph(exported: Any, starts: str, head: str, font: str) -> None:
    p = paragraph(exported, starts)
    assert p.style.style_id == "GwBody"
    assert p.runs[0].text == head
    assert fonts_of(p.runs[0]._r)["eastAsia"] == font
    assert fonts_of(p.runs[1]._r)["eastAsia"] == "仿宋_GB2312"
    assert len(p.runs) == 2 and p.text.startswith(head)


def test_bold_levels_setting(tmp_path: Path) -> None:
    out = export_docx(REPORT, tmp_path / "b.docx", ExportOptions(bold_levels=frozenset({2, 3})))
    d = docx.Document(str(out))
    assert paragraph(d, "（一）保障能力").runs[0].bold is True
    assert paragraph(d, "（一）保障能力").runs[1].bold is False
    assert paragraph(d, "1.窗口服务").runs[0].bold is True
    assert paragraph(d, "一、主要工作").runs[0].bold is False
    assert paragraph(d, "（1）上门服务").runs[0].bold is False


def test_signature_and_date(exported: Any) -> None:
    date = exported.paragraphs[-1]
    assert date.text == "2024年1月8日" and date.style.style_id == "GwDate"
    assert date.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.style.paragraph_format.right_indent == Twips(4 * 16 * 20)  # 右空四字
    sig = exported.paragraphs[-2]
    assert sig.text == "青禾县医疗保障局" and sig.style.style_id == "GwSignature"
    # Centred over the date: 8 characters are wider than 2024年1月8日 (3 + 6 halves = 6), so the
    # signature keeps the date's indent.
    assert sig.paragraph_format.right_indent == Twips(4 * 16 * 20)
    assert exported.paragraphs[-3].text == ""  # 正文下空一行


def test_short_signature_is_centred_over_the_date(tmp_path: Path) -> None:
    d = docx.Document(str(export_docx("标题\n正文。\n医保局\n2024年1月8日", tmp_path / "s.docx")))
    # (6 − 3) / 2 = 1.5 characters more than the date's 4.
    assert d.paragraphs[-2].paragraph_format.right_indent == Twips(round(5.5 * 16 * 20))


def test_odd_and_even_page_number_footers(tmp_path: Path) -> None:
    out = export_docx(REPORT, tmp_path / "f.docx")
    d = docx.Document(str(out))
    assert d.settings.odd_and_even_pages_header_footer is True
    with zipfile.ZipFile(out) as z:
        assert b"<w:evenAndOddHeaders/>" in z.read("word/settings.xml")
    s = d.sections[0]
    for footer, align in (
        (s.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        assert p.paragraph_format.alignment == align
        xml = p._p.xml
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert [t.text for t in p._p.iter(qn("w:instrText"))] == [" PAGE "]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        for r in p.runs:
            assert fonts_of(r._r)["eastAsia"] == "宋体" and r.font.size == Pt(14)
    assert s.footer.paragraphs[0].paragraph_format.right_indent == Pt(14)
    assert s.even_page_footer.paragraphs[0].paragraph_format.left_indent == Pt(14)
    assert abs(s.footer_distance - (Mm(28) - Pt(14))) < Mm(0.1)


def test_fonts_are_configurable(tmp_path: Path) -> None:
    opts = ExportOptions.preset("windows", title_font="华文中宋")
    d = docx.Document(str(export_docx(REPORT, tmp_path / "w.docx", opts)))
    assert fonts_of(d.paragraphs[0].runs[0]._r)["eastAsia"] == "华文中宋"
    assert fonts_of(paragraph(d, "2023年，我局").runs[0]._r)["eastAsia"] == "仿宋"
    assert fonts_of(paragraph(d, "（一）保障能力").runs[0]._r)["eastAsia"] == "楷体"
    latin = ExportOptions(latin_font="Times New Roman")
    d = docx.Document(str(export_docx(REPORT, tmp_path / "l.docx", latin)))
    f = fonts_of(paragraph(d, "2023年，我局").runs[0]._r)
    assert f["ascii"] == "Times New Roman" and f["eastAsia"] == "仿宋_GB2312"
    with pytest.raises(BiganziError, match="字体方案"):
        ExportOptions.preset("mac")


def test_word_char_grid_option(tmp_path: Path) -> None:
    d = docx.Document(str(export_docx(REPORT, tmp_path / "g.docx", ExportOptions(char_grid=True))))
    grid = d.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars" and int(grid.get(qn("w:charSpace"))) == -848


@pytest.mark.parametrize(
    "line, want",
    [
        ("二〇二四年一月八日", "2024年1月8日"),
        ("2024年01月08日", "2024年1月8日"),
        ("二〇二三年十二月二十八日", "2023年12月28日"),
    ],
)
def test_dates_become_arabic(line: str, want: str) -> None:
    assert normalize_date(line) == want


def test_not_dates() -> None:
    assert normalize_date("2024年1月8日召开会议") is None
    assert normalize_date("2024年13月8日") is None
    # A date that is not the last line stays body text.
    kinds = [b.kind for b in layout("标题\n2024年1月8日\n正文。")]
    assert "date" not in kinds


def test_markdown_input(tmp_path: Path) -> None:
    md = "# 青禾县医保局工作要点\n\n## 一、总体要求\n\n**坚持**稳中求进。\n\n## 工作措施\n\n（一）抓学习。全年学习12次。\n"
    blocks = layout(md)
    assert [(b.kind, b.level) for b in blocks] == [
        ("title", 0),
        ("heading", 1),
        ("body", 0),
        ("heading", 1),
        ("body", 2),
    ]
    assert blocks[2].text == "坚持稳中求进。"
    src = tmp_path / "要点.md"
    src.write_text(md, encoding="utf-8")
    d = docx.Document(str(export_file(src, tmp_path / "要点.docx")))
    assert d.paragraphs[0].text == "青禾县医保局工作要点"


def test_bad_input_is_one_clear_error_and_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "keep.docx"
    out.write_bytes(b"old")
    with pytest.raises(BiganziError, match="没有可导出的内容"):
        export_docx(" \n\u3000\n", out)
    assert out.read_bytes() == b"old"
    with pytest.raises(BiganziError, match="目录不存在"):
        export_docx(REPORT, tmp_path / "nope" / "x.docx")
    with pytest.raises(BiganziError, match=r"\.docx"):
        export_docx(REPORT, tmp_path / "x.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["keep.docx"]  # no temporary file left behind


# --- importing .docx files: ours and other people's ------------------------------------------


def test_export_round_trips_through_index_load(tmp_path: Path) -> None:
    from index.load import load_file
    from index.structure import parse_document

    out = export_docx(REPORT, tmp_path / "r.docx")
    loaded = load_file(out, 10 * 2**20)
    lines = loaded.text.split("\n")
    assert "（一）保障能力实现新突破。全县基本医保参保人数48.6万人，参保率99.85%。" in lines
    # Standalone headings carry an outline level, so Word's navigation pane and our loader see them.
    assert loaded.style_levels[lines.index("一、主要工作")] == 1
    doc = parse_document(loaded)
    assert [s.heading for s in doc.sections] == ["一、主要工作", "二、下一步打算"]
    assert doc.title == "青禾县医疗保障局2023年工作总结"


def _docx_with_custom_styles(path: Path) -> Path:
    """A report as another office writes it: its own styles, theme fonts, a heading style based on
    Heading 1, a Chinese font set only through w:eastAsia, and text in a table."""
    from docx.enum.style import WD_STYLE_TYPE

    d = docx.Document()
    title = d.styles.add_style("局标题", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = d.styles["Title"]
    h = d.styles.add_style("局一级标题", WD_STYLE_TYPE.PARAGRAPH)
    h.base_style = d.styles["Heading 1"]
    body = d.styles.add_style("局正文", WD_STYLE_TYPE.PARAGRAPH)
    body.font.size = Pt(15)
    body.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "方正仿宋_GBK")
    d.add_paragraph("白石县卫生健康局2023年工作总结", style=title)
    d.add_paragraph("一、主要成效", style=h)
    d.add_paragraph("全年家庭医生签约率达到76%，较上年提高3个百分点。", style=body)
    d.add_paragraph("二、工作打算", style=h)
    d.add_paragraph("（一）强化基层。推进乡镇卫生院提档升级。", style=body)
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "76%"
    return Path(d.save(str(path)) or path)


def test_import_docx_with_other_peoples_styles(tmp_path: Path) -> None:
    from index.load import load_file
    from index.structure import parse_document

    src = _docx_with_custom_styles(tmp_path / "他人.docx")
    loaded = load_file(src, 10 * 2**20)
    lines = loaded.text.split("\n")
    assert lines[:3] == [
        "白石县卫生健康局2023年工作总结",
        "一、主要成效",
        "全年家庭医生签约率达到76%，较上年提高3个百分点。",
    ]
    assert loaded.style_levels.get(1) == 1 and loaded.style_levels.get(0) == 0
    doc = parse_document(loaded)
    assert [s.heading for s in doc.sections] == ["一、主要成效", "二、工作打算"]
    # …and it exports to our format, keeping the words and recognising the inline heading.
    d = docx.Document(str(export_file(src, tmp_path / "重排.docx")))
    assert d.paragraphs[0].style.style_id == "GwTitle"
    inline = paragraph(d, "（一）强化基层。")
    assert fonts_of(inline.runs[0]._r)["eastAsia"] == "楷体_GB2312"
    assert "方正仿宋_GBK" not in zipfile.ZipFile(tmp_path / "重排.docx").read("word/document.xml").decode()


# --- commands ------------------------------------------------------------------------------


def test_check_command_text_and_json(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("一、甲\n二、乙\n二、丙\n参保率提高0.5%。\n", encoding="gbk")
    result = CliRunner().invoke(cli, ["check", str(src)])
    assert result.exit_code == 1  # an error-level finding
    assert "3:1 错误 [heading.sequence]" in result.output and "改为“三、”" in result.output
    assert "共 2 处：错误 1，警告 1" in result.output
    result = CliRunner().invoke(cli, ["check", str(src), "--json"])
    data = json.loads(result.output)
    assert data["summary"]["error"] == 1
    assert {f["rule"] for f in data["findings"]} == {"heading.sequence", "number.rate_change"}
    assert data["findings"][0]["line"] == 3 and data["findings"][0]["column"] == 0


def test_check_command_stdin_clean_text_and_fix(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--text", "-"], input="学习贯彻党的二十大精神。\n")
    assert result.exit_code == 0 and "未发现问题" in result.output
    fixed = tmp_path / "fixed.txt"
    result = CliRunner().invoke(cli, ["check", "--text", "截止10月底，参保率提高0.5%。", "--fix", str(fixed)])
    assert result.exit_code == 0, result.output
    assert fixed.read_text(encoding="utf-8") == "截至10月底，参保率提高0.5个百分点。"


def test_check_command_bad_usage_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BiganziError, match="二者选一"):
        CliRunner().invoke(cli, ["check"], catch_exceptions=False)
    with pytest.raises(BiganziError, match="找不到文件"):
        CliRunner().invoke(cli, ["check", str(tmp_path / "none.txt")], catch_exceptions=False)


def test_export_command(tmp_path: Path) -> None:
    src = tmp_path / "报告.txt"
    src.write_text(REPORT, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "export",
            str(src),
            "--docx",
            str(tmp_path / "out.docx"),
            "--fonts",
            "windows",
            "--bold-levels",
            "2,3",
        ],
    )
    assert result.exit_code == 0, result.output
    d = docx.Document(str(tmp_path / "out.docx"))
    run = paragraph(d, "（一）保障能力").runs[0]
    assert fonts_of(run._r)["eastAsia"] == "楷体" and run.bold is True
    with pytest.raises(BiganziError, match="bold-levels"):
        CliRunner().invoke(cli, ["export", str(src), "--bold-levels", "二"], catch_exceptions=False)


def test_check_command_reads_docx(tmp_path: Path) -> None:
    out = export_docx(REPORT, tmp_path / "r.docx")
    result = CliRunner().invoke(cli, ["check", str(out), "--json"])
    assert result.exit_code == 0, result.output
    rules = {(f["rule"], f["excerpt"][:4]) for f in json.loads(result.output)["findings"]}
    assert ("heading.bracket", "(二)集") in rules
