"""index.structure: exact outlines of the seeds, and the tricky cases one by one.

Seed expectations are written as structure (source line, level, number, kind, item count); the
heading text itself is checked against the seed line at run time (the line up to its first 。),
so no seed text is copied here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.clean import clean_text
from index.models import LoadedFile
from index.structure import (
    HeadingMatch,
    classify_heading,
    iter_sections,
    looks_like_title,
    parse_document,
    parse_heading,
    split_items,
    title_metadata,
)
from tests.conftest import SEEDS, needs_seeds

# (1-based line in the seed file, level, number, kind, number of 一是… items)
Spec = tuple[int, int, str, str, int]
_A, _P, _Q, _R = "成绩", "打算", "问题", "原因"
SEED_SPECS: dict[str, dict] = {
    "000": {
        "title": 1,
        "year": 2023,
        "org": "XX局",
        "genre": "党建工作总结",
        "preamble": [2],
        "sections": [
            (3, 1, "一", _A, 0), (5, 2, "一", _A, 0), (6, 2, "二", _A, 0), (7, 2, "三", _A, 0),
            (8, 1, "二", _A, 0), (10, 2, "一", _A, 0), (11, 2, "二", _A, 0), (12, 2, "三", _A, 0),
            (13, 1, "三", _A, 0), (15, 2, "一", _A, 0), (16, 2, "二", _A, 0), (17, 2, "三", _A, 0),
            (18, 1, "四", _A, 0), (20, 2, "一", _A, 0), (21, 2, "二", _A, 0), (22, 2, "三", _A, 0),
            (23, 1, "三", _P, 3),
        ],
        "intro": {3: [4], 8: [9], 13: [14], 18: [19], 23: [24, 25, 26]},
    },
    "001": {
        "title": None,
        "year": None,
        "org": None,
        "genre": None,
        "preamble": [1],
        "sections": [
            (2, 1, "一", _A, 0), (4, 2, "一", _A, 0), (5, 2, "二", _A, 0), (6, 2, "三", _A, 0),
            (7, 1, "二", _A, 0), (9, 2, "一", _A, 0), (10, 2, "二", _A, 0), (11, 2, "三", _A, 0),
            (12, 1, "三", _A, 0), (14, 2, "一", _A, 0), (15, 2, "二", _A, 0), (16, 2, "三", _A, 0),
            (17, 1, "四", _A, 0), (19, 2, "一", _A, 0), (20, 2, "二", _A, 0), (21, 2, "三", _A, 0),
            (22, 1, "三", _P, 3),
        ],
        "intro": {2: [3], 7: [8], 12: [13], 17: [18], 22: [23, 24, 25]},
    },
    "002": {
        "title": 1,
        "year": 2023,
        "years": [2023, 2024],
        "org": "XX局",
        "genre": "工作总结",
        "genres": ["工作总结", "工作思路"],
        "preamble": [2],
        "sections": [
            (3, 1, "一", _A, 0), (4, 2, "一", _A, 4), (5, 2, "二", _A, 4), (6, 2, "三", _A, 4),
            (7, 2, "四", _A, 4), (8, 2, "五", _A, 3),
            (9, 1, "二", _P, 0), (10, 2, "一", _P, 3), (11, 2, "二", _P, 3), (12, 2, "三", _P, 5),
            (13, 2, "四", _P, 3), (14, 2, "五", _P, 4),
        ],
        "intro": {},
    },
    "003": {
        "title": 1,
        "year": None,
        "org": "县卫健委",
        "genre": "述职报告",
        "preamble": [3],
        "sections": [
            (4, 1, "一", _A, 0), (5, 2, "一", _A, 0), (6, 2, "二", _A, 0), (7, 2, "三", _A, 0),
            (8, 2, "四", _A, 4), (9, 2, "五", _A, 0),
            (10, 1, "二", _Q, 0), (11, 2, "一", _Q, 0), (12, 2, "二", _Q, 0), (13, 2, "三", _Q, 0),
            (14, 2, "四", _Q, 2),
            (16, 1, "三", _P, 0), (17, 2, "一", _P, 0), (18, 2, "二", _P, 0), (19, 2, "三", _P, 0),
            (20, 2, "四", _P, 0), (21, 2, "五", _P, 0),
        ],
        "intro": {},
        "tail": {10: [15]},  # "产生上述问题的原因…" summarises the whole 问题 section
    },
    "004": {
        "title": 1,
        "year": 2020,
        "org": "X局党支部",
        "genre": "半年工作总结",
        "preamble": [4],
        "sections": [
            (5, 1, "一", _A, 0), (6, 2, "一", _A, 0), (7, 2, "二", _A, 0), (8, 2, "三", _A, 0),
            (9, 2, "四", _A, 0), (10, 2, "五", _A, 0),
            (11, 1, "二", _Q, 0), (12, 2, "一", _Q, 0), (13, 2, "二", _Q, 0), (14, 2, "三", _Q, 0),
            (15, 1, "三", _P, 3),
        ],
        "intro": {15: [16, 17, 18]},
    },
}  # fmt: skip


def _seed(prefix: str) -> Path:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} not present")
    return matches[0]


def _oracle_heading(raw_line: str) -> tuple[str, str]:
    """The heading and same-line body as a person reads them: up to the first 。."""
    line = raw_line.strip(" \u00a0\u3000")
    head, sep, body = line.partition("。")
    return head, body if sep else ""


@needs_seeds
@pytest.mark.parametrize("prefix", sorted(SEED_SPECS))
def test_seed_parses_exactly(prefix: str) -> None:
    spec = SEED_SPECS[prefix]
    path = _seed(prefix)
    raw = path.read_text(encoding="utf-8")
    raw_lines = raw.split("\n")
    text_of = lambda n: clean_text(raw_lines[n - 1])  # noqa: E731
    doc = parse_document(raw, source=path.name)

    assert doc.title == (text_of(spec["title"]) if spec["title"] else "")
    assert (doc.year, doc.org, doc.genre) == (spec["year"], spec["org"], spec["genre"])
    assert doc.years == spec.get("years", [spec["year"]] if spec["year"] else [])
    assert doc.genres == spec.get("genres", [spec["genre"]] if spec["genre"] else [])
    assert doc.preamble == "\n".join(text_of(n) for n in spec["preamble"])

    got = list(iter_sections(doc))
    assert len(got) == len(spec["sections"])
    cleaned = clean_text(raw).split("\n")
    by_line: dict[int, object] = {}
    for (path_, sec), (line_no, level, number, kind, n_items) in zip(got, spec["sections"], strict=True):
        head, inline_body = _oracle_heading(raw_lines[line_no - 1])
        assert (sec.level, sec.number, sec.heading, sec.kind) == (level, number, head, kind), line_no
        assert len(sec.items) == n_items, line_no
        assert len(path_) == level and path_[-1] == sec.heading
        assert cleaned[sec.line - 1].startswith(sec.heading)
        by_line[line_no] = sec
        if not sec.children:
            # A leaf's body is exactly its same-line text (after the heading), then any paragraphs.
            assert sec.body.split("\n")[0] == clean_text(inline_body) or not inline_body
    for line_no, sec in by_line.items():
        expected = spec["intro"].get(line_no)
        if expected:
            assert sec.body == "\n".join(text_of(n) for n in expected)  # type: ignore[attr-defined]
    for line_no, tail_lines in spec.get("tail", {}).items():
        assert by_line[line_no].tail == "\n".join(text_of(n) for n in tail_lines)  # type: ignore[attr-defined]
    assert sum(bool(s.tail) for _, s in got) == len(spec.get("tail", {}))


@needs_seeds
def test_seed_000_outline_as_the_issue_states() -> None:
    doc = parse_document(_seed("000").read_text(encoding="utf-8"))
    outline = [s.outline() for s in doc.sections]
    assert [(o["level"], o["number"]) for o in outline] == [
        (1, "一"),
        (1, "二"),
        (1, "三"),
        (1, "四"),
        (1, "三"),
    ]
    assert [len(o["children"]) for o in outline] == [3, 3, 3, 3, 0]
    assert outline[4]["heading"] == "三、下一步工作打算"
    assert all(c["level"] == 2 for o in outline for c in o["children"])
    # The fifth section's 一是/二是/三是 are items, each the whole paragraph.
    fifth = doc.sections[4]
    assert [it[:2] for it in fifth.items] == ["一是", "二是", "三是"]
    assert "\n".join(fifth.items) == fifth.body
    # The ##paidbegin## marker inside line 10 is gone from the body shown in citations.
    assert "##" not in doc.sections[1].children[0].body
    json.dumps(outline, ensure_ascii=False)


@needs_seeds
def test_seed_003_half_width_and_nbsp_headings() -> None:
    raw = _seed("003").read_text(encoding="utf-8").split("\n")
    assert raw[5].startswith("(二)")  # the quirk under test is really there
    assert raw[10].startswith("\u00a0\u00a0（一）")
    m = parse_heading(raw[5])
    assert m is not None and (m.level, m.number, m.marker) == (2, "二", "(二)")
    m = parse_heading(raw[10])
    assert m is not None and (m.level, m.number, m.marker) == (2, "一", "（一）")
    assert m.heading.startswith("（一）")  # the NBSP indent is not part of the heading


@needs_seeds
def test_seed_004_year_at_line_start_is_body() -> None:
    raw = _seed("004").read_text(encoding="utf-8").split("\n")
    m = parse_heading(raw[7])
    assert m is not None and m.body.startswith("2020年上半年")
    assert parse_heading(raw[3]) is None  # the preamble starts with "2020年上半年，"


@needs_seeds
def test_seeds_000_and_001_same_outline_modulo_placeholders() -> None:
    a = parse_document(_seed("000").read_text(encoding="utf-8"))
    b = parse_document(_seed("001").read_text(encoding="utf-8"))
    shape = lambda d: [(p.__len__(), s.level, s.number, s.kind, len(s.items)) for p, s in iter_sections(d)]  # noqa: E731
    assert shape(a) == shape(b)


# --- parse_heading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level", "number", "heading", "body"),
    [
        ("一、工作开展情况", 1, "一", "一、工作开展情况", ""),
        ("十二、其他", 1, "十二", "十二、其他", ""),
        ("三、下一步工作打算", 1, "三", "三、下一步工作打算", ""),
        ("一、2023年工作开展情况", 1, "一", "一、2023年工作开展情况", ""),
        ("（一）提升党组织“凝聚力”。始终坚持学习。", 2, "一", "（一）提升党组织“凝聚力”", "始终坚持学习。"),
        (
            "(二)聚焦强基固本，深度融合。扎实开展活动。",
            2,
            "二",
            "(二)聚焦强基固本，深度融合",
            "扎实开展活动。",
        ),
        ("（三)混用括号", 2, "三", "（三)混用括号", ""),
        ("\u00a0\u00a0（一）缩进的标题。正文。", 2, "一", "（一）缩进的标题", "正文。"),
        ("\u3000\u3000一、全角空格缩进", 1, "一", "一、全角空格缩进", ""),
        ("1.加强学习", 3, "1", "1.加强学习", ""),
        ("2．强化落实。全年开展培训5次。", 3, "2", "2．强化落实", "全年开展培训5次。"),
        ("3、完善制度", 3, "3", "3、完善制度", ""),
        ("（1）召开会议", 4, "1", "（1）召开会议", ""),
        ("(2)开展培训！效果很好。", 4, "2", "(2)开展培训", "效果很好。"),
        ("（一）标题：带冒号", 2, "一", "（一）标题：带冒号", ""),
        ("一、工作开展情况：", 1, "一", "一、工作开展情况", ""),
        ("（一）关于“学习。”的体会。正文", 2, "一", "（一）关于“学习。”的体会", "正文"),
        ("（二）" + "很长" * 45 + "。后文。", 2, "二", "（二）", "很长" * 45 + "。后文。"),
    ],
)
def test_parse_heading(line: str, level: int, number: str, heading: str, body: str) -> None:
    m = parse_heading(line)
    assert isinstance(m, HeadingMatch)
    assert (m.level, m.number, m.heading, m.body) == (level, number, heading, body)


@pytest.mark.parametrize(
    "line",
    [
        "2020年上半年，X局党支部坚持学习。",
        "1.5万人次参加培训。",
        "3.15消费者权益日开展宣传。",
        "2023.12月完成验收。",
        "一、二线城市的做法值得借鉴。",
        "三、四月份集中开展整治。",
        "1月，获“省综合医改十佳典型案例”。",
        "1.这是一个很长的句子而不是标题，它讲了全年开展的各项工作、取得的成效以及下一步的打算，一直说到这里。",
        "（1）这也是一个很长的编号段落而不是标题，它讲了全年开展的各项工作、取得的成效以及下一步的打算，一直到这里。",
        "一是深化理论学习，注重学以致用。",
        "产生上述问题的原因主要有以下四个方面。",
        "一、",
        "（2020）年度",
        "01.编号",
    ],
)
def test_not_headings(line: str) -> None:
    assert parse_heading(line) is None


# --- enumerations ---------------------------------------------------------------------------


def test_items_in_sequence() -> None:
    body = "围绕中心工作：一是加强学习，提高站位；二是完善制度，规范运行；三是强化监督。下一段不算。"
    assert split_items(body) == [
        "一是加强学习，提高站位；",
        "二是完善制度，规范运行；",
        "三是强化监督。下一段不算。",
    ]


def test_items_need_a_second_and_a_boundary() -> None:
    assert split_items("统一是关键，二是其次。") == []  # "统一是" is a word, not 一是
    assert split_items("我们认为一是重点。") == []
    assert split_items("重点有：一是学习。") == []  # no 二是: not an enumeration
    assert split_items("在“第一届健康中国”会上，第二届也参加了。") == []


def test_items_other_styles_and_last_item_ends_with_paragraph() -> None:
    assert split_items("其一，抓学习；其二，抓落实。") == ["其一，抓学习；", "其二，抓落实。"]
    assert split_items("第一，抓学习。第二，抓落实。\n结尾段落。") == ["第一，抓学习。", "第二，抓落实。"]


def test_items_several_enumerations_and_stop_at_gap() -> None:
    body = "甲：一是A；二是B。\n乙：一是C；二是D；四是E。"
    assert split_items(body) == ["一是A；", "二是B。", "一是C；", "二是D；四是E。"]


# --- title and metadata ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "years", "org", "genres"),
    [
        ("XX局2023年党建工作总结", [2023], "XX局", ["党建工作总结"]),
        ("XX局2023年工作总结和2024年工作思路", [2023, 2024], "XX局", ["工作总结", "工作思路"]),
        ("2023年工作总结和2024年工作思路", [2023, 2024], None, ["工作总结", "工作思路"]),
        ("X局党支部2020年上半年工作总结", [2020], "X局党支部", ["半年工作总结"]),
        ("县卫健委书记抓基层党建述职报告", [], "县卫健委", ["述职报告"]),
        ("关于XX县医疗保障局2023年工作情况的报告", [2023], "XX县医疗保障局", ["工作报告"]),
        ("XX局局长2023年述职报告", [2023], "XX局", ["述职报告"]),
        ("XX市医保局2024年工作计划", [2024], "XX市医保局", ["工作计划"]),
        ("XX局机关党委2023年党建工作总结", [2023], "XX局机关党委", ["党建工作总结"]),
        ("XX局党组二〇二三年工作总结", [2023], "XX局党组", ["工作总结"]),
        ("XX局2023年工作汇报", [2023], "XX局", ["工作汇报"]),
        ("XX局2023年工作总结暨2024年工作要点", [2023, 2024], "XX局", ["工作总结", "工作计划"]),
    ],
)
def test_title_metadata(title: str, years: list[int], org: str | None, genres: list[str]) -> None:
    assert title_metadata(title) == (years, org, genres)


@pytest.mark.parametrize(
    ("line", "is_title"),
    [
        ("XX局2023年党建工作总结", True),
        ("县卫健委书记抓基层党建述职报告", True),
        ("按照党建工作考核要求，下面我就充分发挥党组织作用，作简要汇报。", False),
        ("一、工作开展情况", False),
        ("各位领导：", False),
        ("今年以来，我局扎实推进各项工作，取得明显成效", False),
    ],
)
def test_looks_like_title(line: str, is_title: bool) -> None:
    assert looks_like_title(line) is is_title


def test_no_title_line_uses_file_name_for_metadata() -> None:
    doc = parse_document(
        "今年以来，我局扎实推进各项工作。\n一、工作成效\n正文。", source="XX局2022年工作总结.docx"
    )
    assert doc.title == ""
    assert (doc.year, doc.org, doc.genre) == (2022, "XX局", "工作总结")
    assert doc.preamble == "今年以来，我局扎实推进各项工作。"
    doc = parse_document("今年以来，我局扎实推进各项工作。\n一、工作成效\n正文。", source="report_01.txt")
    assert (doc.title, doc.year, doc.genre) == ("", None, None)


# --- kinds, nesting, tails ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("一、2023年工作开展情况", "成绩"),
        ("一、成绩清单", "成绩"),
        ("一、主要做法和成效", "成绩"),
        ("二、存在的问题", "问题"),
        ("二、问题清单", "问题"),
        ("二、存在问题和不足", "问题"),
        ("三、原因分析", "原因"),
        ("三、下一步工作打算", "打算"),
        ("三、任务清单", "打算"),
        ("二、2024年工作思路", "打算"),
        ("四、工作措施", "打算"),
        ("一、把好政治核心“方向盘”", "other"),
    ],
)
def test_classify_heading(heading: str, kind: str) -> None:
    assert classify_heading(heading) == kind


def test_year_in_heading_decides_between_past_and_plan() -> None:
    assert classify_heading("一、2023年工作", doc_year=2023) == "成绩"
    assert classify_heading("二、2024年工作", doc_year=2023) == "打算"


def test_kinds_default_and_inheritance() -> None:
    text = (
        "XX局2023年党建工作总结\n"
        "一、坚持政治引领\n（一）抓学习\n正文。\n"
        "二、存在的问题及原因\n（一）问题表现\n正文。\n（二）原因分析\n正文。\n"
        "三、其他事项\n正文。\n"
    )
    doc = parse_document(text)
    kinds = [(s.heading, s.kind) for _, s in iter_sections(doc)]
    assert kinds == [
        ("一、坚持政治引领", "成绩"),  # slogan heading before any 问题 section: an achievement block
        ("（一）抓学习", "成绩"),
        ("二、存在的问题及原因", "问题"),
        ("（一）问题表现", "问题"),
        ("（二）原因分析", "原因"),  # a child naming 原因 overrides the inherited kind
        ("三、其他事项", "other"),  # unmatched after the 问题 section
    ]
    plan = parse_document("XX局2024年工作思路\n一、聚焦主业\n正文。\n二、强化保障\n正文。")
    assert [s.kind for s in plan.sections] == ["打算", "打算"]


def test_levels_from_markers_not_numbers_and_skipped_levels() -> None:
    text = "一、甲\n1.直接三级\n正文一。\n（1）四级\n正文二。\n（二）二级回到上层\n正文三。\n五、编号错了\n二、又是二\n"
    doc = parse_document(text)
    assert [(s.level, s.number) for s in doc.sections] == [(1, "一"), (1, "五"), (1, "二")]
    first = doc.sections[0]
    assert [(c.level, c.heading) for c in first.children] == [(3, "1.直接三级"), (2, "（二）二级回到上层")]
    assert first.children[0].children[0].heading == "（1）四级"
    assert first.children[0].children[0].body == "正文二。"
    paths = [p for p, _ in iter_sections(doc)]
    assert paths[2] == ["一、甲", "1.直接三级", "（1）四级"]


def test_preamble_body_lines_and_long_numbered_paragraphs() -> None:
    long_para = "1.这是一个很长的编号段落而不是标题，它讲了全年开展的各项工作、取得的成效以及下一步的打算，一直说到这里。"
    text = f"XX局2023年工作总结\n\n前言第一段。\n\n前言第二段。\n一、工作成效\n{long_para}\n2020年上半年，完成任务。"
    doc = parse_document(text)
    assert doc.preamble == "前言第一段。\n前言第二段。"
    assert doc.sections[0].children == []
    assert doc.sections[0].body == f"{long_para}\n2020年上半年，完成任务。"


def test_tail_paragraph_goes_to_parent_only_after_body() -> None:
    text = (
        "二、存在的问题\n（一）学习不深入。表现在……\n（二）制度不健全。表现在……\n"
        "综上，问题的根源在于认识不到位。\n仍属总结的一段。\n三、下一步打算\n（一）综述\n综上所述，要做好三件事。"
    )
    doc = parse_document(text)
    problems, plans = doc.sections
    assert problems.tail == "综上，问题的根源在于认识不到位。\n仍属总结的一段。"
    assert problems.children[1].body == "表现在……"
    # "综上所述" as the first line of a section's own body stays its body.
    assert plans.children[0].body == "综上所述，要做好三件事。" and plans.tail == ""


def test_word_style_levels_trusted() -> None:
    loaded = LoadedFile(
        path="x.docx",
        text="XX局2023年工作总结\n工作成效\n（一）抓学习\n正文。\n1.小点\n正文二。",
        style_levels={0: 0, 1: 1, 2: 2, 4: 4},  # the author styled "1.小点" as Heading 4
    )
    doc = parse_document(loaded)
    assert doc.source == "x.docx" and doc.title == "XX局2023年工作总结"
    top = doc.sections[0]
    assert (top.level, top.number, top.heading) == (1, "", "工作成效")
    sub = top.children[0]
    assert (sub.level, sub.number) == (2, "一")
    assert (sub.children[0].level, sub.children[0].number, sub.children[0].body) == (4, "1", "正文二。")


def test_style_lines_map_through_cleaning() -> None:
    # Blank lines collapse during cleaning; style indices still land on the right lines.
    loaded = LoadedFile(
        path="x.docx", text="\n\n\n工作成效\n\n\n\n正文。\n\n\n问题\n正文二。", style_levels={3: 1, 10: 1}
    )
    doc = parse_document(loaded)
    assert [s.heading for s in doc.sections] == ["工作成效", "问题"]
    assert [s.body for s in doc.sections] == ["正文。", "正文二。"]


def test_empty_and_heading_only_documents() -> None:
    assert parse_document("").sections == []
    doc = parse_document("一、只有标题")
    assert doc.title == "" and doc.sections[0].heading == "一、只有标题" and doc.sections[0].body == ""
