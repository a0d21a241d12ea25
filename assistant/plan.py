"""A section plan decided by code: the opening, the points and their order, the figures each point
carries, the theme and the length of each part.

    plan_section(resolved, facts, exemplar_texts) -> SectionPlan

The bundled 1.5B model writes good sentences when it is asked for one short thing at a time and bad
documents when it owns the structure (nested 一是, `2. 二是`, figures appended as a bare sentence).
So the structure is decided here, from the request (`assistant.request.resolve`), the user's
figures and the exemplars' own structure (how many 一是 points they have, what their openings talk
about); `assistant.write` asks the model for the prose of each part and joins them.

Lengths are planned so that they add up to the asked length: no second "extend" call.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.figures import Fact, metric_score

Layout = Literal["inline", "paragraphs", "plain"]

ENUM = "一二三四五六七八九十"
MIN_POINT = 50  # 字: a point shorter than this is not worth its 一是
POINT_CHARS = 75  # 字: a typical point in the house style (one or two sentences)
MAX_POINTS = 5
PARAGRAPH_POINTS_FROM = 600  # asked length from which each point gets its own paragraph
GROUP_SCORE = 0.45  # metric_score from which two figures belong in one point

_ITEM = re.compile(r"(?:^|[。；：，！？\s])([一二三四五六七八九十])是([^，。；：]{2,24})")
_HAS_NUMBER = re.compile(r"[0-9０-９]|[XＸ×]{2,}|《")

# General aspects (our own words) for points that no figure and no exemplar fills.
GENERAL_ASPECTS: dict[str, list[str]] = {
    "工作总结": [
        "健全工作机制，压实各方责任",
        "强化日常监管，规范工作流程",
        "优化服务举措，提升群众获得感",
        "加强宣传引导，营造良好氛围",
        "加强队伍建设，提升履职能力",
    ],
    "党建工作总结": [
        "加强理论武装，筑牢思想根基",
        "严格组织生活，夯实基层基础",
        "锤炼过硬作风，推进正风肃纪",
        "压实主体责任，形成工作合力",
        "发挥党员作用，服务中心工作",
    ],
    "述职报告": [
        "带头学习提高，把牢正确方向",
        "严格落实制度，规范议事决策",
        "关心干部成长，凝聚队伍合力",
        "以身作则守纪律，营造风清气正环境",
        "聚焦中心任务，推动工作落实",
    ],
    "工作思路": [
        "完善制度机制，夯实工作基础",
        "强化风险防控，守住安全底线",
        "加强协同联动，形成工作合力",
        "提升队伍能力，改进工作作风",
        "创新方式方法，提升服务质效",
    ],
}


@dataclass
class Point:
    index: int  # 0-based position among the points
    topic: str  # what this point is about, in plain words
    facts: list[Fact] = field(default_factory=list)
    length: int = POINT_CHARS  # 字 to write for this point

    @property
    def enumerator(self) -> str:
        return f"{ENUM[self.index]}是" if self.index < len(ENUM) else ""

    def to_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "figures": [f.text for f in self.facts], "length": self.length}


@dataclass
class SectionPlan:
    request: str  # the task as the model should read it (no length phrase, no figure sentences)
    theme: str  # the quoted heading, or what the task is about
    length: int  # asked length in 字
    opening_length: int  # 字 of the opening sentence
    opening_role: str  # what the opening sentence does
    points: list[Point]
    layout: Layout
    genre: str = "工作总结"
    voice: str = "我局"  # how the writer refers to itself
    year: int | None = None
    no_numbers: bool = False
    facts: list[Fact] = field(default_factory=list)  # every figure the section must carry
    openings: list[str] = field(default_factory=list)  # exemplar openings for tone (2–3)

    @property
    def future(self) -> bool:
        return self.genre == "工作思路"

    def allowed_numbers(self) -> list[str]:
        """The figure strings, verbatim: the only numbers the model may write."""
        return list(dict.fromkeys(f.text for f in self.facts))

    def to_json(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "length": self.length,
            "opening": {"role": self.opening_role, "length": self.opening_length},
            "points": [p.to_json() for p in self.points],
            "layout": self.layout,
            "genre": self.genre,
            "voice": self.voice,
            "no_numbers": self.no_numbers,
        }


# --- exemplar structure ------------------------------------------------------------------------


def exemplar_items(text: str) -> list[str]:
    """The 一是/二是… openings of an exemplar, in order (only a run that starts at 一是)."""
    out: list[str] = []
    for m in _ITEM.finditer(text.replace("\n", "。")):
        i = ENUM.index(m.group(1))
        if i == len(out):
            out.append(m.group(2).strip())
        elif i == 0:
            if len(out) >= 2:
                break
            out = [m.group(2).strip()]
    return out if len(out) >= 2 else []


def exemplar_points(texts: Sequence[str]) -> int | None:
    """Median number of 一是… points in the exemplars that enumerate at all; None if none does."""
    counts = [len(items) for t in texts if (items := exemplar_items(t))]
    return round(statistics.median(counts)) if counts else None


def exemplar_topics(texts: Sequence[str]) -> list[str]:
    """What the exemplars' points talk about (their opening clause), without numbers or names."""
    out: list[str] = []
    for t in texts:
        for item in exemplar_items(t):
            item = item.strip("，、；： ")
            if len(item) >= 4 and not _HAS_NUMBER.search(item) and item not in out:
                out.append(item)
    return out


def exemplar_openings(texts: Sequence[str], k: int = 3, chars: int = 14) -> list[str]:
    """The first clause of each exemplar, cut short: tone without a sentence to copy."""
    out: list[str] = []
    for t in texts:
        first = re.split(r"[，。；：！？\n]", t.strip(), maxsplit=1)[0].strip()
        if len(first) >= 4 and not _HAS_NUMBER.search(first):
            out.append(first[:chars])
        if len(out) == k:
            break
    return out


# --- figures into points -----------------------------------------------------------------------


def group_facts(facts: Sequence[Fact], max_groups: int) -> list[list[Fact]]:
    """Facts grouped by metric similarity (one point talks about one thing), in the user's order,
    merged until there are at most `max_groups` groups."""
    groups: list[list[Fact]] = []
    for f in facts:
        if groups and f.source.startswith(("、", "和", "及")) and f.metric and len(f.metric) <= 4:
            # "带量采购药品412种、耗材301种": one list in the user's sentence, one point
            groups[-1].append(f)
            continue
        best, best_score = None, 0.0
        for g in groups:
            s = max(metric_score(f.metric, o.metric) for o in g)
            if s > best_score:
                best, best_score = g, s
        if best is not None and best_score >= GROUP_SCORE:
            best.append(f)
        else:
            groups.append([f])
    while len(groups) > max(1, max_groups):
        # merge the most similar neighbouring pair (ties: the smallest pair), keeping the order
        def cost(i: int) -> tuple[float, int]:
            a, b = groups[i], groups[i + 1]
            score = max(metric_score(x.metric, y.metric) for x in a for y in b)
            return (-score, len(a) + len(b))

        i = min(range(len(groups) - 1), key=cost)
        groups[i : i + 2] = [groups[i] + groups[i + 1]]
    return groups


def topic_of(facts: Sequence[Fact]) -> str:
    """A point's topic from its figures' metrics: "检查定点医药机构、处理两定单位"."""
    names = [re.sub(r"^(?:今年|全年|累计|共)", "", f.metric).strip("，、 ") for f in facts]
    return "、".join(dict.fromkeys(n for n in names if n))


# --- the plan ----------------------------------------------------------------------------------


def theme_of(task: str, theme: str | None) -> str:
    """The quoted heading, or what the task is about ("写一段2024年异地就医直接结算的情况" → 异地就医直接结算)."""
    if theme:
        return theme
    t = re.sub(r"^(?:请|帮我|麻烦)?(?:起草|撰写|写|拟写|草拟)?(?:一段|一篇|一份)?", "", task.strip())
    t = re.sub(r"^(?:用|以)?(?:概括|总结|介绍|简述|说明|反映)", "", t)
    t = re.sub(r"(?:19|20)\d\d年(?:度)?(?:的)?", "", t)
    t = re.sub(r"^的", "", t)
    t = re.sub(r"(?:的)?(?:情况|成效|工作|内容|这一段|一段|段落)?[。，！]*$", "", t)
    t = re.sub(r"^(?:关于|有关)", "", t).strip("，。 ")
    return t[:20] or "本项工作"


def _opening_role(genre: str, future: bool, first_person: bool) -> str:
    if future:
        return "说明下一步这项工作的目标和总体思路"
    if first_person:
        return "以第一人称“我”概括本人抓这项工作的总体思路，不写称呼、问候和自我介绍"
    return "概括这项工作的总体思路和成效"


def n_points(length: int, exemplar_n: int | None, groups: int) -> int:
    """How many 一是… points the asked length holds (each ≥ MIN_POINT 字 after the opening),
    nudged towards the exemplars' own count and the number of figure groups."""
    if length < 150:
        return 0
    body = length - opening_length(length)
    by_length = max(2, min(MAX_POINTS, round(body / POINT_CHARS)))
    n = by_length
    if exemplar_n:
        n = max(by_length - 1, min(by_length + 1, exemplar_n))
    if groups > n and body / groups >= MIN_POINT:
        n = min(groups, MAX_POINTS)
    while n > 2 and body / n < MIN_POINT:
        n -= 1
    return max(2, min(n, MAX_POINTS))


def opening_length(length: int) -> int:
    return max(20, min(50, round(length * 0.15)))


def plan_section(
    request: str,
    facts: Sequence[Fact] = (),
    exemplar_texts: Sequence[str] = (),
    *,
    length: int = 300,
    theme: str | None = None,
    genre: str | None = None,
    voice: str | None = None,
    year: int | None = None,
    no_numbers: bool = False,
) -> SectionPlan:
    """The plan for one section. `request` is the task (length phrase and figure sentences taken
    out, see assistant.request); `exemplar_texts` are the retrieved passages as written."""
    genre = genre or "工作总结"
    first_person = voice == "述职" or genre == "述职报告"
    future = genre == "工作思路"
    facts = [] if no_numbers else list(facts)
    the_theme = theme_of(request, theme)
    ex_n = exemplar_points(exemplar_texts)
    groups0 = group_facts(facts, MAX_POINTS)
    n = n_points(length, ex_n, len(groups0))
    layout: Layout = "plain" if n == 0 else ("paragraphs" if length >= PARAGRAPH_POINTS_FROM else "inline")
    openings = exemplar_openings(exemplar_texts)
    if n == 0:
        # A short section: one paragraph, an opening and one point with every figure.
        body = length - opening_length(length)
        points = [Point(0, topic_of(facts) or the_theme, list(facts), body)] if facts or length >= 60 else []
        return SectionPlan(
            request=request,
            theme=the_theme,
            length=length,
            opening_length=length - sum(p.length for p in points),
            opening_role=_opening_role(genre, future, first_person),
            points=points,
            layout="plain",
            genre=genre,
            voice="我" if first_person else "我局",
            year=year,
            no_numbers=no_numbers,
            facts=list(facts),
            openings=openings,
        )
    groups = group_facts(facts, n)
    topics = [topic_of(g) for g in groups]
    # General aspects first: an exemplar's own points name last year's specific events and places
    # ("连心桥", "最美窗口"), which a small model copies as this year's facts.
    general = [
        t
        for t in GENERAL_ASPECTS.get(genre, GENERAL_ASPECTS["工作总结"]) + exemplar_topics(exemplar_texts)
        if not any(metric_score(t, x) >= 0.5 for x in topics) and not re.search(r"[“”\"「」]", t)
    ]
    points: list[Point] = [Point(i, topics[i], g) for i, g in enumerate(groups)]
    for t in general:
        if len(points) >= n:
            break
        if all(metric_score(t, p.topic) < 0.5 for p in points):
            points.append(Point(len(points), t))
    while len(points) < n:  # pragma: no cover - the general list is longer than MAX_POINTS
        points.append(Point(len(points), the_theme))
    # Lengths: the body shared out, a figure costs about 12 字 of its own.
    open_len = opening_length(length)
    body = length - open_len
    weights = [1.0 + 0.15 * len(p.facts) for p in points]
    total = sum(weights)
    for p, w in zip(points, weights, strict=True):
        p.length = max(MIN_POINT - 10, round(body * w / total))
    open_len = max(15, length - sum(p.length for p in points))
    return SectionPlan(
        request=request,
        theme=the_theme,
        length=length,
        opening_length=open_len,
        opening_role=_opening_role(genre, future, first_person),
        points=points,
        layout=layout,
        genre=genre,
        voice="我" if first_person else "我局",
        year=year,
        no_numbers=no_numbers,
        facts=list(facts),
        openings=openings,
    )
