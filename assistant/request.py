"""Read a free request the way a bureau writer means it.

    parse_request("起草“参保扩面”一段，参保率99.91％，约150字。")
      -> RequestSpec(task="起草“参保扩面”一段。", length=150, theme="参保扩面",
                     figures_text="参保率99.91％", facts=[参保率 99.91％ (from the message)], …)

The length phrase (约300字, 200字左右, 三百字左右, 压缩到120字 …) and the sentences that carry figures
are taken out of the task, so the model never sees "约150字" as something to write about and the
figures go through the figures lock like any others. Years and dates that say what the section is
about ("起草2024年…", "2025年工作思路") stay in the task and are never figures.

`resolve(request, figures, length)` merges the explicitly given figures with the message's and
picks the asked length: explicit if given, else the request's, else the default (300).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from assistant.figures import Fact, parse_figures
from assistant.numbers import parse_chinese_int, to_halfwidth

DEFAULT_LENGTH = 300
MIN_LENGTH, MAX_LENGTH = 20, 5000
FROM_MESSAGE = "message"  # Fact.origin of a figure typed in the request

LengthFrom = Literal["explicit", "request", "default"]


@dataclass
class RequestSpec:
    task: str  # the request with the length phrase and the figure sentences taken out
    length: int | None = None  # 约300字 / 200字左右 / 150字 / 三百字左右 / 压缩到120字 …; None if not written
    theme: str | None = None  # the quoted heading: “保障能力实现新突破”
    style_ref: str | None = None  # a quoted passage to write like: 风格参照往年的“综合施策护基金”
    figures_text: str = ""  # the figure-bearing part of the message
    facts: list[Fact] = field(default_factory=list)  # parsed from figures_text, origin "message"
    no_numbers: bool = False  # "不写具体数字" / "不要数字"
    voice: str | None = None  # "述职" (first person, 我/本人) when asked, else None
    genre: str | None = None  # 工作总结 / 党建工作总结 / 述职报告 / 工作思路 when named
    year: int | None = None  # 2024年 / 2025年工作思路
    length_phrase: str = ""  # the phrase the length was read from, as written ("约150字")


@dataclass
class ResolvedRequest:
    request: str  # the message as typed
    task: str  # what the model is asked to write (no length phrase, no figure sentences)
    figures: str  # explicit figures, then the message's that are not among them ("" if none)
    facts: list[Fact]  # explicit facts, then the message's (origin "message")
    message_facts: list[Fact]  # the message's own facts, duplicates of explicit ones included
    length: int
    length_from: LengthFrom
    theme: str | None = None
    no_numbers: bool = False
    voice: str | None = None
    genre: str | None = None
    year: int | None = None
    style_ref: str | None = None
    spec: RequestSpec | None = field(default=None, repr=False)


# --- length ------------------------------------------------------------------------------------

_CN_NUM = "零〇一二两三四五六七八九十百千万"
_NUM = rf"(?:[0-9]+|[{_CN_NUM}]+)"
# Words that introduce a length; "压缩到" and the like are kept as words of the task when they are
# the whole instruction ("压缩到120字" -> the length is 120; the task keeps "压缩").
_LEAD = r"(?:(?:字数|篇幅|长度|全文|正文)(?:要求|控制在|在|为|约|大约)?\s*|控制在\s*|不超过\s*|不少于\s*|不多于\s*|不到\s*)?"
_APPROX = r"(?:约|大约|大概|大致|差不多|左右)?\s*"
_VERB = r"(?:压缩|缩短|精简|精炼|扩写|扩充|扩展|写|改写|控制)(?P<prep>到|至|成|为)\s*"
_LENGTH_RE = re.compile(
    rf"(?P<verb>{_VERB})?(?P<lead>{_LEAD}{_APPROX})"
    rf"(?P<n>{_NUM})(?:\s*[-~～—至到]\s*(?P<n2>{_NUM}))?\s*(?:个)?(?:余|多|来)?\s*字"
    r"(?P<tail>左右|上下|以内|以下|之内|以上|内)?(?!号|体|节|母|符|样|句|幕)"
    r"(?:\s*[（(](?:不含|含|包括|不包括|不计)[^）)]{0,8}[）)])?"
)
# "字数300", "篇幅：500": the number after the word, 字 left out.
_LENGTH_AFTER_WORD_RE = re.compile(
    rf"(?:字数|篇幅)(?:要求|控制在|在|为|是|约|大约|：|:)?\s*(?P<n>[0-9]+|[{_CN_NUM}]+)(?:字)?(?P<tail>左右|上下|以内)?"
)


def _number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    return parse_chinese_int(s)


def _find_length(text: str) -> tuple[int | None, tuple[int, int] | None, str]:
    """(length, span of the phrase to cut, the phrase); the last length written wins
    ("约300字……压缩到200字" asks for 200)."""
    found: tuple[int | None, tuple[int, int] | None, str] = (None, None, "")
    for m in _LENGTH_RE.finditer(to_halfwidth(text)):  # one character for one: spans hold
        if m.start() > 0 and text[m.start() - 1] == "第":  # 第3字: a position, not a length
            continue
        n = _number(m.group("n"))
        if n is None:
            continue
        if m.group("n2"):
            n2 = _number(m.group("n2"))
            if n2 is not None and n2 > n:
                n = (n + n2) // 2
        if not MIN_LENGTH <= n <= MAX_LENGTH * 2:
            continue
        start = m.start("prep") if m.group("verb") else m.start()  # "压缩到120字" -> the task keeps "压缩"
        found = (n, (start, m.end()), text[m.start() : m.end()])
    if found[0] is None:
        for m in _LENGTH_AFTER_WORD_RE.finditer(to_halfwidth(text)):
            n = _number(m.group("n"))
            if n is not None and MIN_LENGTH <= n <= MAX_LENGTH * 2:
                found = (n, m.span(), text[m.start() : m.end()])
    return found


# --- theme, genre, voice, year, no numbers ---------------------------------------------------------

_THEME_RE = re.compile(r"“([^”]{2,40})”|\"([^\"]{2,40})\"|「([^」]{2,40})」|‘([^’]{2,40})’|『([^』]{2,40})』")
_NO_NUMBERS_RE = re.compile(
    r"(?:不需要|不需|不|别|勿|无需|无须|不要|不用|不必|避免)(?:写|出现|列|用|使用|含|带|涉及|要|提|写入|列出)?(?:任何)?(?:具体)?(?:的)?"
    r"(?:数字|数据|数值)"
)
_GENRES = (
    ("党建工作总结", re.compile(r"党建(?:工作)?总结|党建工作的?总结")),
    ("述职报告", re.compile(r"述职")),
    ("工作思路", re.compile(r"工作思路|思路|工作打算|工作计划|工作安排|工作要点")),
    ("工作总结", re.compile(r"工作总结|总结")),
)
_VOICE_RE = re.compile(r"述职|第一人称|以我的口吻|用我的口吻|本人的口吻")
_YEAR_RE = re.compile(r"((?:19|20)[0-9]{2})\s*年")
_CN_YEAR_RE = re.compile(r"([二〇零一二三四五六七八九]{4})年")


# What makes a quote the section's heading: "起草“护基金”一段", "写“医疗救助托底线”的成效", "标题为“…”";
# and what makes it only a style to follow: "风格参照往年的“综合施策护基金”", "按“…”的写法".
_HEADING_AFTER = re.compile(
    r"^(?:这一?段|一段|段落|这?部分|板块|这一?节|一节|章节|方面|的成效|的情况|的内容|为题|为标题)"
)
_HEADING_BEFORE = re.compile(r"(?:标题|题目|主题|小标题)(?:是|为|叫|：|:)?$")
_STYLE_BEFORE = re.compile(r"(?:参照|参考|仿照|模仿|借鉴|照着|学习|像|风格|按照?)[^，。；]{0,8}$")
_STYLE_AFTER = re.compile(r"^(?:的|那样的?|一样的?)?(?:写法|风格|文风|语气|格式|套路)")
_THEME_MIN_FREE = 5  # a quoted term ("三医联动", "十四五") is not a heading unless the request says so


def _quotes(text: str) -> list[tuple[str, str, str]]:
    """(quoted text, the clause before it, what follows it) for each quote of the request."""
    out = []
    for m in _THEME_RE.finditer(text):
        t = next(g for g in m.groups() if g).strip()
        if not t or re.fullmatch(r"[0-9.,％%]+", to_halfwidth(t)):
            continue
        before = re.split(r"[，,。；;！？!?\n]", text[: m.start()])[-1]
        out.append((t, before, text[m.end() : m.end() + 6]))
    return out


def _is_style_ref(before: str, after: str) -> bool:
    return _STYLE_AFTER.match(after) is not None or (
        _STYLE_BEFORE.search(before) is not None and not _HEADING_AFTER.match(after)
    )


def _theme(text: str) -> str | None:
    quotes = [q for q in _quotes(text) if not _is_style_ref(q[1], q[2])]
    for t, before, after in quotes:
        if _HEADING_AFTER.match(after) or _HEADING_BEFORE.search(before):
            return t
    for t, _before, after in quotes:
        if len(t) >= _THEME_MIN_FREE and (not after or after[0] in "，,。；;！？!?\n的（("):
            return t
    return None


def _style_ref(text: str) -> str | None:
    return next((t for t, before, after in _quotes(text) if _is_style_ref(before, after)), None)


def _genre(text: str) -> str | None:
    for name, rx in _GENRES:
        if rx.search(text):
            return name
    return None


def _year(text: str) -> int | None:
    m = _YEAR_RE.search(to_halfwidth(text))
    if m:
        return int(m.group(1))
    m = _CN_YEAR_RE.search(text)
    if m:
        n = parse_chinese_int(m.group(1))
        if n and 1900 <= n <= 2099:
            return n
    return None


# --- figure sentences --------------------------------------------------------------------------

_CLAUSE_END = "，,。；;！？!?\n"
# A clause that only says when ("截至2024年10月底", "今年以来") belongs to the figures after it.
_TIME_ONLY = re.compile(
    r"^(?:截至到?|截止到?|到)?(?:(?:19|20)[0-9]{2}年(?:度)?|今年|本年|去年|全年)?"
    r"(?:[0-9]{1,2}[-~至到][0-9]{1,2}月|[0-9]{1,2}月(?:份|底|末|初)?)?"
    r"(?:上半年|下半年|全年|前三季度|一季度|二季度|三季度|四季度|以来|年初以来|来)?(?:底|末)?$"
)
# A clause that is the instruction itself keeps its words in the task even when it names a figure.
_INSTRUCTION = re.compile(
    r"^(?:请|帮我|帮忙|麻烦)?(?:起草|撰写|拟写|草拟|写|编写|生成|按|以|围绕|参照|根据|结合|用)"
)
# Lead-ins of a figures part: "今年数据：", "数据如下：".
_FIGURES_LEAD = re.compile(r"^(?:今年|本年|全年)?(?:的)?(?:主要)?(?:数据|数字|指标)(?:如下|是|为)?[:：]\s*")


@dataclass
class _Clause:
    start: int
    end: int  # end of the clause text (its closing punctuation excluded)
    text: str
    figure: bool = False
    time_only: bool = False
    instruction: bool = False


def _clauses(text: str) -> list[_Clause]:
    out: list[_Clause] = []
    start = 0
    for i, c in enumerate(text + "\n"):
        # "用以下数据起草“护基金”一段：检查……186家": after an instruction, a colon ends a clause too
        # (but not in "参保率：99.91％").
        colon = c in "：:" and _INSTRUCTION.match(text[start:i].strip()) is not None
        if c in _CLAUSE_END or colon:
            if i > start:
                out.append(_Clause(start, i, text[start:i]))
            start = i + 1
    return out


# Counts that shape the text, not figures: "分3个方面", "三点", "两段".
_STRUCTURE = re.compile(
    r"(?:分|从|写|列|按|包括|包含|突出|含)?[0-9一二两三四五六七八九十]+\s*(?:个)?"
    r"(?:方面|部分|层次|段落?|点|条|句话?|层意思|亮点|特色|举措|做法|项内容|块)"
)


def _facts_outside_structure(text: str) -> list[Fact]:
    shape = [m.span() for m in _STRUCTURE.finditer(to_halfwidth(text))]
    return [
        f for f in parse_figures(text).facts if not (f.span and any(a <= f.span[0] < b for a, b in shape))
    ]


def _take_tables(text: str) -> tuple[str, list[str]]:
    """Pasted table lines (tab-separated, Markdown) out of the message: (the rest, the tables)."""
    from assistant.figure_table import MD_SEP, is_table_line

    rest: list[str] = []
    tables: list[str] = []
    block: list[str] = []
    for line in text.split("\n"):
        if is_table_line(line) or (block and MD_SEP.match(line)):
            block.append(line)
            continue
        if block:
            tables.append("\n".join(block))
            block = []
        rest.append(line)
    if block:
        tables.append("\n".join(block))
    tables = [t for t in tables if parse_figures(t).facts]
    if not tables:
        return text, []
    return "\n".join(rest), tables


def _split_figures(text: str) -> tuple[str, str]:
    """(task, figures_text): clauses that carry a figure (and the time clause just before them) go to
    the figures, and so do pasted tables; the instruction and everything else stays in the task."""
    text, tables = _take_tables(text)
    spans = [f.span for f in _facts_outside_structure(text) if f.span]
    clauses = _clauses(text)
    for cl in clauses:
        stripped = cl.text.strip()
        cl.figure = any(cl.start <= s < cl.end for s, _ in spans)
        cl.time_only = (
            bool(stripped) and _TIME_ONLY.match(to_halfwidth(stripped).replace(" ", "")) is not None
        )
        cl.instruction = _INSTRUCTION.match(stripped) is not None or _THEME_RE.search(stripped) is not None
    for i, cl in enumerate(clauses):  # "截至10月底，参保率99.91％": the time goes with the figure
        if cl.time_only and not cl.figure and i + 1 < len(clauses) and clauses[i + 1].figure:
            cl.figure = True
    fig_parts: list[str] = []
    cut: list[tuple[int, int]] = []
    run: list[_Clause] = []

    def close_run() -> None:
        if not run:
            return
        a, b = run[0].start, run[-1].end
        part = text[a:b].strip()
        part = _FIGURES_LEAD.sub("", part)
        if part:
            fig_parts.append(part)
        if not any(c.instruction for c in run):
            # cut the clauses and the punctuation that joined them to what came before
            cut_start = a
            while cut_start > 0 and text[cut_start - 1] in "，,：: \t":
                cut_start -= 1
            cut.append((cut_start, b))
        run.clear()

    for cl in clauses:
        if cl.figure:
            if run and "\n" in text[run[-1].end : cl.start]:
                close_run()
            run.append(cl)
        else:
            close_run()
    close_run()
    task = text
    for a, b in reversed(cut):
        task = task[:a] + task[b:]
    return _tidy(task), "\n".join([*fig_parts, *tables])


def _tidy(task: str) -> str:
    """Punctuation left behind by the cuts: "一段，。" -> "一段。", leading "，", empty lines."""
    t = re.sub(r"[ \t]*\n[ \t]*", "\n", task)
    t = re.sub(r"\n{2,}", "\n", t)
    t = re.sub(r"[，,、：:]+\s*(?=[。；;！？!?\n]|$)", "", t)
    t = re.sub(r"([。；;！？!?])[，,。；;]+", r"\1", t)
    t = re.sub(r"[（(]\s*[）)]", "", t)  # "一段（约200字）" -> "一段"
    t = re.sub(r"[，,、]+\s*(?=[。；;！？!?\n]|$)", "", t)
    t = re.sub(r"[：:]+$", "", t)
    t = re.sub(r"^[，,。；;、\s]+", "", t)
    t = re.sub(r"\n[，,。；;、]+", "\n", t)
    t = re.sub(r"[，,]{2,}", "，", t)
    t = re.sub(r"的(?=[，。；]|$)", "", t) if re.search(r"写一段的", t) else t
    return t.strip()


# --- public -----------------------------------------------------------------------------------


def parse_request(text: str) -> RequestSpec:
    """The request as the writer means it: task, asked length, theme, figures, voice, genre, year."""
    original = (text or "").strip()
    if not original:
        return RequestSpec(task="")
    length, span, phrase = _find_length(original)
    rest = original
    if span is not None:
        a, b = span
        tail = rest[b:]
        if tail.startswith("的"):  # "写一段300字的总结" -> "写一段总结"
            b += 1
        rest = rest[:a] + rest[b:]
    # "不写具体数字" is an instruction; its words stay, and nothing in it is a figure.
    no_numbers = _NO_NUMBERS_RE.search(original) is not None
    task, figures_text = _split_figures(rest) if not no_numbers else (_tidy(rest), "")
    facts = [replace(f, origin=FROM_MESSAGE, span=None) for f in _facts_outside_structure(figures_text)]
    if not facts:
        task, figures_text = (_tidy(rest), "")
    if not task:
        task = original if not facts else "根据这些数据起草一段"
    genre = _genre(original)
    voice = "述职" if _VOICE_RE.search(original) or genre == "述职报告" else None
    return RequestSpec(
        task=task,
        length=length,
        theme=_theme(original),
        style_ref=_style_ref(original),
        figures_text=figures_text,
        facts=facts,
        no_numbers=no_numbers,
        voice=voice,
        genre=genre,
        year=_year(task),
        length_phrase=phrase,
    )


def _same_fact(a: Fact, b: Fact) -> bool:
    from assistant.figures import metric_score

    return a.text == b.text or (
        a.number == b.number and a.base == b.base and metric_score(a.metric, b.metric) >= 0.8
    )


def _fact_line(f: Fact) -> str:
    return (
        f"{f.period}，{f.metric}{f.text}" if f.period and f.period not in f.metric else f"{f.metric}{f.text}"
    )


def resolve(
    request: str,
    figures: str | None = None,
    length: int | None = None,
    default_length: int = DEFAULT_LENGTH,
) -> ResolvedRequest:
    """The request with the explicit settings applied: figures merged (the message's facts marked
    origin "message"), length = explicit if given, else the request's, else `default_length`."""
    spec = parse_request(request)
    explicit_text = (figures or "").strip()
    explicit = parse_figures(explicit_text).facts if explicit_text else []
    new = [f for f in spec.facts if not any(_same_fact(f, e) for e in explicit)]
    if not new:
        merged_text = explicit_text
    elif not explicit_text:
        merged_text = spec.figures_text
    elif len(new) == len(spec.facts):
        merged_text = f"{explicit_text}\n{spec.figures_text}"
    else:
        merged_text = "\n".join([explicit_text, *(_fact_line(f) for f in new)])
    if length is not None:
        asked, source = int(length), "explicit"
    elif spec.length is not None:
        asked, source = spec.length, "request"
    else:
        asked, source = int(default_length), "default"
    return ResolvedRequest(
        request=(request or "").strip(),
        task=spec.task,
        figures=merged_text,
        facts=[*explicit, *new],
        message_facts=list(spec.facts),
        length=asked,
        length_from=source,  # type: ignore[arg-type]
        theme=spec.theme,
        no_numbers=spec.no_numbers,
        voice=spec.voice,
        genre=spec.genre,
        year=spec.year,
        style_ref=spec.style_ref,
        spec=spec,
    )
