"""Document structure of a Chinese report: title (year, organisation, genre), headings by marker
type (GB/T 9704: 一、 → （一） → 1. → （1）), bodies, 一是…二是… enumerations, section kinds.

Levels come from the marker type, never from the number, so a misnumbered heading
(`三、` written where `五、` belongs) is still the fifth level-1 section, with number "三".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.clean import clean_lines
from index.models import Document, LoadedFile, Section, SectionKind

CN_DIGITS = "零〇一二三四五六七八九十百两"
_CN = f"[{CN_DIGITS}]"
_LEAD = "[ \t\u00a0\u3000\u2000-\u200a\u202f]*"  # indentation before a marker (NBSP included)

# Level 1: 一、  (一． / 一. tolerated; "一、二线城市" and "三、四月份" are not headings)
_L1 = re.compile(rf"^{_LEAD}({_CN}{{1,3}})\s*[、．.]\s*")
# Level 2: （一）  (一)  and mixed （一)
_L2 = re.compile(rf"^{_LEAD}[（(]\s*({_CN}{{1,3}})\s*[）)]\s*[、．.]?\s*")
# Level 3: 1.  1．  1、  (not 1.5, not 2023.)
_L3 = re.compile(rf"^{_LEAD}(\d{{1,2}})\s*[.．、](?![\d.．])\s*")
# Level 4: （1）  (1)
_L4 = re.compile(rf"^{_LEAD}[（(]\s*(\d{{1,2}})\s*[）)]\s*[、．.]?\s*")

_SPACES = " \t\u00a0\u3000\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f"
_SENT_END = "。！？!?"
_OPEN = "“‘「『《（(【"
_CLOSE = "”’」』》）)】"
# A heading that shares its line with the body ends at the first sentence end; a heading part
# longer than this is a numbered paragraph rather than a heading (for the ambiguous 1. / (1)).
MAX_HEADING_CHARS = 40
# For 一、 / （一）, whose markers are unambiguous, a longer first sentence is still a heading.
MAX_STRONG_HEADING_CHARS = 80


@dataclass(frozen=True)
class HeadingMatch:
    level: int  # 1 = 一、  2 = （一）  3 = 1.  4 = （1）
    number: str  # the numeral as written: "三", "1"
    heading: str  # marker + heading text, as written: "（一）提升党组织“凝聚力”"
    body: str  # the rest of the line after the heading ("" for a standalone heading)
    marker: str  # the marker as written: "（一）", "(二)", "1．"


def _first_sentence_end(text: str) -> int:
    """Index of the first 。！？ outside quotes and brackets, or -1."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _SENT_END and depth == 0:
            return i
    return -1


def parse_heading(line: str) -> HeadingMatch | None:
    """Recognise a heading marker at the start of `line` and split off a body on the same line.

    `（一）标题。正文…` → heading "（一）标题", body "正文…". A standalone short line is a whole
    heading. `1.` and `（1）` lines whose first sentence is long are numbered paragraphs, not
    headings; `1.5`, `2020年…` and `一、二线城市` are never headings.
    """
    for level, pattern in ((2, _L2), (4, _L4), (1, _L1), (3, _L3)):
        m = pattern.match(line)
        if not m:
            continue
        number = m.group(1)
        rest = line[m.end() :].rstrip()
        if not rest:
            return None  # a bare marker is not a heading
        if level == 1 and rest[0] in CN_DIGITS[2:12] and rest[1:2] in "、，," + "线级类月季":
            return None  # "一、二线城市", "三、四月份"
        if level in (3, 4) and number.startswith("0"):
            return None
        marker = m.group(0).strip(_SPACES)
        limit = MAX_STRONG_HEADING_CHARS if level in (1, 2) else MAX_HEADING_CHARS
        end = _first_sentence_end(rest)
        head, body = (rest, "") if end == -1 else (rest[:end], rest[end + 1 :].lstrip())
        if len(head) > limit:
            if level in (3, 4):
                return None  # a numbered paragraph, not a heading
            # 一、 / （一） are unambiguous, but no heading text is there: the marker alone heads
            # the section and the whole line is its body.
            head, body = "", rest
        head = head.rstrip("：:，,；; ")
        if not head and not body:
            return None
        lead = len(line) - len(line.lstrip(_SPACES))
        heading = (line[lead : m.end()] + head).rstrip(_SPACES)  # as written, marker included
        return HeadingMatch(level=level, number=number, heading=heading, body=body, marker=marker)
    return None


# --- enumerations: 一是…二是… ----------------------------------------------------------------

_ENUM_CN = "一二三四五六七八九十"
_ENUM_STYLES = (
    lambda n: f"{n}是",
    lambda n: f"其{n}",
    lambda n: f"第{n}",
)
_ENUM_BOUNDARY = "。；;：:，,！？!?\n “”‘’（）()、"
_ENUM_FOLLOW = {0: None, 1: "，,、是：:", 2: "，,、是：:"}  # 其一，/ 第一， need punctuation after


def _cn_number(i: int) -> str:
    if i <= 10:
        return _ENUM_CN[i - 1]
    return "十" + _ENUM_CN[i - 11] if i < 20 else ""


def _find_enum(text: str, start: int, style: int, n: int, end: int | None = None) -> int:
    """Position of the n-th enumerator of `style` at a clause boundary, in text[start:end]."""
    token = _ENUM_STYLES[style](_cn_number(n))
    follow = _ENUM_FOLLOW[style]
    pos = start
    while True:
        i = text.find(token, pos, len(text) if end is None else end)
        if i == -1:
            return -1
        before_ok = i == 0 or text[i - 1] in _ENUM_BOUNDARY
        after = text[i + len(token) : i + len(token) + 1]
        after_ok = follow is None or (after != "" and after in follow)
        if before_ok and after_ok:
            return i
        pos = i + 1


def enumeration_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each 一是… item in `text`, in order.

    Only sequences count: 一是 must be followed by 二是 (then 三是…). An item runs from its
    enumerator to just before the next one; the last item ends at the end of its paragraph (or
    where a new 一是 starts another enumeration).
    Several enumerations in one text (one per paragraph) all contribute, in order.
    """
    spans: list[tuple[int, int]] = []
    dead: set[int] = set()  # styles with no further 二是 anywhere: no later 一是 can start a run
    pos = 0
    while pos < len(text):
        best: tuple[int, int] | None = None  # (position of 一是, style)
        for style in range(len(_ENUM_STYLES)):
            if style in dead:
                continue
            i = _find_enum(text, pos, style, 1)
            if i == -1 or _find_enum(text, i + 1, style, 2) == -1:
                dead.add(style)
            elif best is None or i < best[0]:
                best = (i, style)
        if best is None:
            break
        start, style = best
        starts = [start]
        # A later 一是 starts another enumeration: items of this one stop before it.
        restart = _find_enum(text, start + 1, style, 1)
        limit = len(text) if restart == -1 else restart
        n = 2
        while n < 20:
            j = _find_enum(text, starts[-1] + 1, style, n, limit)
            if j == -1:
                break
            starts.append(j)
            n += 1
        if len(starts) < 2:
            pos = start + 1
            continue
        para_end = text.find("\n", starts[-1], limit)
        para_end = limit if para_end == -1 else para_end
        for a, b in zip(starts, [*starts[1:], para_end], strict=True):
            spans.append((a, len(text[a:b].rstrip()) + a))
        pos = para_end
    return spans


def split_items(text: str) -> list[str]:
    """The 一是…二是… items of `text`, each as written (see `enumeration_spans`)."""
    return [text[a:b] for a, b in enumeration_spans(text)]


# --- title metadata --------------------------------------------------------------------------

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([二〇零一二三四五六七八九]{4})\s*年")
_GENRE_HINTS = (
    "总结",
    "报告",
    "思路",
    "计划",
    "述职",
    "汇报",
    "要点",
    "打算",
    "情况",
    "讲话",
    "自查",
    "方案",
)
# Genres, normalised to a small set (first match wins within one part of the title).
GENRES: tuple[str, ...] = (
    "述职报告",
    "党建工作总结",
    "半年工作总结",
    "工作总结",
    "工作思路",
    "工作计划",
    "工作汇报",
    "工作报告",
)
_ORG_SUFFIX = r"(?:党总支|党支部|党委|党组|支部|委员会|管理局|局|委|办公室|办|厅|院|中心|政府|街道|公司|集团|站|所|队|协会|学校|医院)"
_ORG_EXTEND = re.compile(r"^(?:机关)?(?:党总支|党支部|党委|党组|支部)")
_ROLE = re.compile(
    r"(?:党组书记|党委书记|党支部书记|书记|副局长|局长|副主任|主任|院长|部长|科长|同志|班子|领导班子|个人)+$"
)


def _genre_of(part: str) -> str | None:
    if "述职" in part:
        return "述职报告"
    if "总结" in part or "回顾" in part:
        if "半年" in part:
            return "半年工作总结"
        if "党建" in part or "党风廉政" in part:
            return "党建工作总结"
        return "工作总结"
    if "思路" in part or "打算" in part:
        return "工作思路"
    if "计划" in part or "要点" in part:
        return "工作计划"
    if "汇报" in part:
        return "工作汇报"
    if "报告" in part:
        return "工作报告"
    return None


def _cn_year(s: str) -> int | None:
    table = {
        "〇": "0",
        "零": "0",
        "一": "1",
        "二": "2",
        "三": "3",
        "四": "4",
        "五": "5",
        "六": "6",
        "七": "7",
        "八": "8",
        "九": "9",
    }
    digits = "".join(table.get(c, "") for c in s)
    return int(digits) if len(digits) == 4 and digits[:2] in ("19", "20") else None


def title_metadata(title: str) -> tuple[list[int], str | None, list[str]]:
    """(years in order, organisation, genres in order) from a title.

    "XX局2023年工作总结和2024年工作思路" → ([2023, 2024], "XX局", ["工作总结", "工作思路"]).
    The report year is the first year; the genre is the first genre.
    """
    years = [int(m.group(1)) for m in _YEAR.finditer(title)]
    if not years:
        years = [y for m in _CN_YEAR.finditer(title) if (y := _cn_year(m.group(1)))]
    genres: list[str] = []
    for part in re.split(r"[和及暨与、]", title):
        g = _genre_of(part)
        if g and g not in genres:
            genres.append(g)
    head = re.sub(r"^(?:关于|中共)", "", title)
    org: str | None = None
    ym = _YEAR.search(head) or _CN_YEAR.search(head)
    if ym and ym.start() > 0:
        org = head[: ym.start()]
    else:
        om = re.match(rf"^(.+?{_ORG_SUFFIX})", head)
        if om and len(om.group(1)) < len(head):
            org = om.group(1)
            ext = _ORG_EXTEND.match(head[len(org) :])
            if ext:
                org += ext.group(0)
    if org:
        org = _ROLE.sub("", org.strip(" ：:，,")) or None
    return years, org, genres


def looks_like_title(line: str) -> bool:
    """A first line is the title when it is short, ends no sentence, and is not a heading."""
    s = line.strip()
    if not s or len(s) > 50 or parse_heading(s) is not None:
        return False
    if any(ch in s for ch in "。！？；!?;") or s.endswith(("：", ":", "，", ",")):
        return False
    if s.count("，") + s.count(",") >= 2:
        return False
    return any(h in s for h in _GENRE_HINTS) or len(s) <= 30


# --- section kinds ---------------------------------------------------------------------------

_CAUSE = re.compile(r"原因")
# 问题 before 原因: "存在的问题及原因" is a 问题 section; "原因分析" is 原因.
_KIND_RULES: tuple[tuple[SectionKind, re.Pattern[str]], ...] = (
    (
        "问题",
        re.compile(
            r"存在的?问题|问题清单|问题(?:与|和|及)不足|不足之处|主要问题|短板|差距|困难(?:和|与)问题|^\S{0,6}(?:问题|不足)$"
        ),
    ),
    ("原因", _CAUSE),
    (
        "打算",
        re.compile(
            r"下一步|打算|思路|措施|计划|任务清单|工作安排|工作重点|重点工作|努力方向|工作要点|展望|目标任务"
        ),
    ),
    (
        "成绩",
        re.compile(
            r"开展情况|完成情况|工作情况|成绩|做法|成效|主要工作|工作回顾|亮点|取得|进展|成果|特色|经验|履职情况|落实情况"
        ),
    ),
)


def classify_heading(heading: str, doc_year: int | None = None) -> SectionKind:
    """Section kind from a heading's wording; "other" when nothing matches.

    A heading naming a year after the report year ("2024年工作" in a 2023 report) is 打算;
    naming the report year itself ("2023年工作") is 成绩.
    """
    text = heading
    for kind, pattern in _KIND_RULES:
        if pattern.search(text):
            return kind
    m = _YEAR.search(text)
    if m and doc_year and "工作" in text:
        return "打算" if int(m.group(1)) > doc_year else "成绩"
    return "other"


_TAIL_OPENER = re.compile(
    r"^(?:综上所述|综上|总之|总的来看|总体来看|产生上述|针对上述|针对以上|上述问题|以上问题|造成上述|产生以上)"
)


# --- parsing ---------------------------------------------------------------------------------


def parse_document(text_or_loaded: str | LoadedFile, source: str = "") -> Document:
    """Parse a report into a Document. Accepts raw text or a LoadedFile (cleaned here).

    Rules, in order:
    - Title: the first non-empty line when `looks_like_title` (or a Word "Title" style). No title
      line (the text starts with the body): title "", and year/org/genre come from the file name
      when it has Chinese in it.
    - Headings: `parse_heading` on each line; a Word/Markdown heading style, when present, sets
      the level instead. Sections nest by level; a skipped level attaches to the nearest
      shallower section.
    - Text before the first heading is the preamble; text after a heading is its body. A
      summary paragraph after a section's children ("产生上述问题的原因…", "综上…") goes to the
      parent's `tail` instead of the last child's body.
    - Items: `split_items` on each body.
    - Kinds: `classify_heading` on each top section; children inherit, except a child heading that
      names 原因. An unmatched top section is 成绩 when it comes before any 问题/原因/打算 section
      in a summary or 述职 report (party-building summaries with slogan headings, seed 000); it is
      打算 in a 工作思路/工作计划 document; otherwise "other".
    """
    if isinstance(text_or_loaded, LoadedFile):
        raw, styles = text_or_loaded.text, text_or_loaded.style_levels
        source = source or Path(text_or_loaded.path).name
    else:
        raw, styles = text_or_loaded, {}
    lines = clean_lines(raw)
    doc = Document(title="", source=source)

    start = 0
    first = next((k for k, (_, ln) in enumerate(lines) if ln), None)
    if first is not None:
        orig, line = lines[first]
        style = styles.get(orig)
        if style == 0 or (style is None and looks_like_title(line)):
            doc.title = line
            start = first + 1
    meta_source = doc.title or (Path(source).stem if re.search(r"[\u4e00-\u9fff]", source) else "")
    years, org, genres = title_metadata(meta_source)
    doc.years, doc.org, doc.genres = years, org, genres
    doc.year = years[0] if years else None
    doc.genre = genres[0] if genres else None

    stack: list[Section] = []
    preamble: list[str] = []
    bodies: dict[int, list[str]] = {}
    tails: dict[int, list[str]] = {}
    tail_target: Section | None = None  # set by a summary paragraph, cleared by the next heading
    for k in range(start, len(lines)):
        orig, line = lines[k]
        if not line:
            continue
        style = styles.get(orig)
        hm = parse_heading(line)
        if style is not None and style >= 1:
            level, number, heading, inline = style, (hm.number if hm else ""), line, ""
        elif hm is not None:
            level, number, heading, inline = hm.level, hm.number, hm.heading, hm.body
        else:
            if (
                tail_target is None
                and len(stack) >= 2
                and id(stack[-1]) in bodies
                and _TAIL_OPENER.match(line)
            ):
                tail_target = stack[-2]
            if tail_target is not None:
                tails.setdefault(id(tail_target), []).append(line)
            elif stack:
                bodies.setdefault(id(stack[-1]), []).append(line)
            else:
                preamble.append(line)
            continue
        tail_target = None
        section = Section(level=level, number=number, heading=heading, line=k + 1)
        if inline:
            bodies[id(section)] = [inline]
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else doc.sections).append(section)
        stack.append(section)

    doc.preamble = "\n".join(preamble)
    for _, sec in iter_sections(doc):
        sec.body = "\n".join(bodies.get(id(sec), []))
        sec.tail = "\n".join(tails.get(id(sec), []))
        sec.items = split_items(sec.body)
    _assign_kinds(doc)
    return doc


def _assign_kinds(doc: Document) -> None:
    planning_doc = doc.genre in ("工作思路", "工作计划")
    past_achievements = False  # set once a 问题/原因/打算 section has been seen
    for top in doc.sections:
        kind = classify_heading(top.heading, doc.year)
        if kind == "other":
            if planning_doc:
                kind = "打算"
            elif not past_achievements:
                kind = "成绩"
        if kind in ("问题", "原因", "打算"):
            past_achievements = True
        top.kind = kind
        for child in top.children:
            _inherit(child, kind)


def _inherit(section: Section, kind: SectionKind) -> None:
    """Children take their parent's kind; only a heading naming 原因 (原因分析) overrides it."""
    section.kind = "原因" if _CAUSE.search(section.heading) else kind
    for child in section.children:
        _inherit(child, section.kind)


def iter_sections(doc: Document) -> Iterator[tuple[list[str], Section]]:
    """(heading path, section) for every section, depth-first, parents before children."""

    def walk(sections: list[Section], path: list[str]) -> Iterator[tuple[list[str], Section]]:
        for s in sections:
            p = [*path, s.heading]
            yield p, s
            yield from walk(s.children, p)

    yield from walk(doc.sections, [])
