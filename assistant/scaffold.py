"""A section as one reply that code drives: the model writes the prose, code writes the structure
and the figures.

    write_scaffolded(model, plan, system=…) -> Generator[DraftEvent, None, Written]

The prompt (prompts/draft_scaffold.jinja) holds the plan's outline and no number. The reply is
written in segments, each continued in place from the reply so far (llama.cpp keeps it evaluated,
so a segment costs only its own tokens):

    opening sentence            the model, up to its first 。
    一是                        code
      lead clause               the model: what was done, up to its first ，
      figures                   code: "检查定点医药机构186家，处理两定单位21家，" (the lead's own
                                metric is not said twice: "…开展廉政谈话" + "42人次")
      effect                    the model: what it achieved, to the point's planned length
    二是 …

So every figure is the user's string, verbatim and in its place, and no other digit can come out
(the figure gate, with nothing open). A point without figures is one segment. Each point is
judged as in assistant.write (prompt echoes, repeats of earlier parts, invented events) and
sampled again once, hotter, when it fails.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any

from assistant.goals import backwards
from assistant.measures import cjk_len
from assistant.plan import ENUM, Point, SectionPlan
from assistant.prompts import render
from assistant.write import (
    RETRIES,
    Part,
    Written,
    _fact_line,
    _judge,
    _sample,
    _says_period,
    _tokens_for,
    _voice,
    clean_part,
    cut_to,
    end_cut_reply,
    is_echo,
    join_parts,
    part_messages,
    repeated_in,
    resync,
    settle_part,
)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

_ENUMS = [f"{e}是" for e in ENUM]
LEAD_STOPS = ["，", "。", "；", "：", "\n", "【", *_ENUMS]
BODY_STOPS = ["\n", "【", *_ENUMS]  # a part ends where the model starts the next one
OPENING_STOPS = ["。", "\n", "【", *_ENUMS]
TOP_UP = 0.7  # a point under this share of its planned length gets one more sentence
TOP_UP_STARTS = ("同时，", "在此基础上，", "此外，")
TOP_UPS = 2  # sentences a short point may get this way
TOP_UP_REPEAT = 0.5  # stricter than a part's own check: an added sentence tends to restate the point
LEAD_CHARS = 18  # 字: a lead clause ("强化定点医药机构日常监管")
# Code starts each segment with a word that sets its kind (a small model given an empty slot after
# "一是" copies the outline's topic, or writes numbers): an adverb before a measure, a word that
# turns to its effect after the figures, the writer as the subject of the opening.
LEAD_STARTS = ("持续", "着力", "扎实", "深入", "全面")
EFFECT_STARTS = ("有效", "进一步", "切实", "不断", "有力")
FUTURE_LEAD_STARTS = ("进一步", "着力", "持续", "全面", "深入")
FUTURE_EFFECT_STARTS = ("确保", "推动", "切实", "不断", "力争")


def opener(plan: SectionPlan) -> str:
    """How the section starts, as the house style starts one: the period, then the writer."""
    import datetime

    if plan.future:
        return "下一步，我将" if plan.voice == "我" else "下一步，我局将"
    if plan.voice == "我":
        return "任职以来，我"
    if plan.year and plan.year != datetime.date.today().year:
        return f"{plan.year}年，我局"  # last year's report, written now
    return "今年以来，我局"


def lead_start(plan: SectionPlan, i: int) -> str:
    starts = FUTURE_LEAD_STARTS if plan.future else LEAD_STARTS
    return starts[i % len(starts)]


def effect_start(plan: SectionPlan, i: int) -> str:
    starts = FUTURE_EFFECT_STARTS if plan.future else EFFECT_STARTS
    return starts[i % len(starts)]


def scaffold_prompt(plan: SectionPlan) -> str:
    """The user message: theme, genre, voice and the outline (each point's topic), no figures."""
    return render(
        "draft_scaffold",
        theme=plan.theme,
        genre=plan.genre,
        voice=_voice(plan),
        future=plan.future,
        points=[]
        if plan.layout == "plain"
        else [{"enumerator": p.enumerator, "topic": p.topic} for p in plan.points],
        enums="、".join(p.enumerator for p in plan.points),
        topic=plan.points[0].topic if plan.points else plan.theme,
    )


def figure_clause(lead: str, facts: Sequence[Any], periods: Sequence[bool]) -> str:
    """The figures of a point as clauses after its lead: "，检查定点医药机构186家，处理两定单位21家".
    A lead that ends with the first figure's metric takes its value directly ("…开展廉政谈话42人次")."""
    clauses = [_fact_line(f, said) for f, said in zip(facts, periods, strict=True)]
    if not clauses:
        return ""
    first = facts[0]
    count = first.base not in ("%", "pp")  # "处理两定单位" + "21家"; never "提高参保率" + "为99.91％"
    if lead and first.metric and count and lead.endswith(first.metric) and not periods[0]:
        joiner = clauses[0][len(first.metric) : -len(first.text)]  # "为" for a rate
        return joiner + first.text + "".join("，" + c for c in clauses[1:])
    return ("，" if lead else "") + "，".join(clauses)


def strays_to(lead: str, point: Point, plan: SectionPlan) -> bool:
    """The lead talks about another point's figures, not its own (it is written before code adds
    them: "着力提高住院报销比例" above 参保率)."""
    from assistant.metric_names import metric_score

    own = max((metric_score(lead, f.metric) for f in point.facts), default=0.0)
    others = [f.metric for p in plan.points if p is not point for f in p.facts]
    return (
        any(len(m) >= 3 and m in lead for m in others)
        and not any(f.metric in lead for f in point.facts)
        and own < 0.8
    )


# A unit with no number before it: the model wanted a figure it was not given ("共计处罚款金额为人民币万元").
_HOLE = re.compile(
    r"(?:为|达|达到|共计|总计|合计|累计|约|近|超过|人民币)(?:人民币)?[万亿千百]?(?:元|人次|人|家|个|项|次|场|例|起|份|名|种)(?![\u4e00-\u9fff]{0,1}[0-9])"
)
_QUOTED = re.compile(r"“([^”]{1,20})”")
# An empty slot where a figure was wanted ("提高到（）"), or the prompt's own label come back
# ("以“清廉医保建设”为主题").
_SLOT = re.compile(r"[（(]\s*[）)]|本段标题")
_LABEL = re.compile(r"以“[^”]{1,20}”为(?:主题|标题)[，,]?|(?:这一|为)(?:主题|标题)")
# A connector, or a "by these measures" with nothing said after it ("……。通过以上措施。").
_CONNECTOR_ONLY = re.compile(
    r"^(?:同时|此外|另外|在此基础上|通过(?:以上|上述|这些|一系列)?(?:措施|举措|工作|努力)?|并且|而且|其中)[，。；]?$"
)


def _tidy_clauses(clauses: list[str]) -> str:
    """Clauses joined again, without a connector left standing alone ("……。同时。") once what
    followed it was dropped."""
    out: list[str] = []
    for i, c in enumerate(clauses):
        alone = c[-1:] in "。！？" or i == len(clauses) - 1  # nothing of its sentence after it
        if alone and _CONNECTOR_ONLY.match(c.strip()):
            if c[-1:] in "。！？" and out and out[-1][-1:] in "，；":
                out[-1] = out[-1][:-1] + c[-1]
            elif c[-1:] in "。！？" and out and out[-1][-1:] not in "。！？":
                out[-1] += c[-1]
            continue
        out.append(c)
    return "".join(out).strip("，；")


_CLAUSE = re.compile(r"[^，。；！？]+[，。；！？]?")


def _leave_out(out: list[str], clause: str) -> None:
    """`clause` is not kept; the sentence it ended still ends (……，clause。 → ……。)."""
    if out and clause[-1:] in "。！？" and out[-1][-1:] in "，；":
        out[-1] = out[-1][:-1] + clause[-1]


def drop_unfounded(text: str, known: str, keep: Sequence[str] = ()) -> str:
    """Clauses with a hole where a number was wanted, a quoted name nobody gave (“党建+基金监管”,
    “弹性医保”: a small model invents programmes), or a goal turned round (降低医保报销比例, see
    assistant.goals) go; a clause holding one of `keep` (the user's figures) stays."""
    out: list[str] = []
    for c in _CLAUSE.findall(_LABEL.sub("", text)):
        if any(k and k in c for k in keep):
            out.append(c)
            continue
        invented = any(q not in known for q in _QUOTED.findall(c))
        if _HOLE.search(c) or _SLOT.search(c) or invented or (backwards(c) and not backwards(known)):
            _leave_out(out, c)
            continue
        out.append(c)
    return _tidy_clauses(out)


_SPELLED = re.compile(r"[一二两三四五六七八九十][成倍]|[一二三四五六七八九十]个百分点|百分之")
CLAUSE_REPEAT = 0.75  # bigram Jaccard from which a clause says again what an earlier one said


def drop_repeated_clauses(text: str, earlier: str, keep: Sequence[str] = ()) -> str:
    """A clause of ≥ 4 汉字 that says again what an earlier clause said (in `earlier` or before it
    in `text`: "为推动党建工作提供了有力的支持" five times, "深入基层，开展调研和检查，深入基层，开展调研和检查")
    goes, and an amount spelled in words that nobody gave ("最高可达九成"); a clause holding one of
    `keep` (the user's figures) stays."""
    from assistant.measures import grams, jaccard

    seen = [grams(c) for c in _CLAUSE.findall(earlier) if cjk_len(c) >= 4]
    out: list[str] = []
    for c in _CLAUSE.findall(text):
        g = grams(c)
        figure = any(k and k in c for k in keep)
        repeated = cjk_len(c) >= 4 and any(jaccard(g, o) >= CLAUSE_REPEAT or g <= o for o in seen)
        if not figure and (repeated or _SPELLED.search(c)):
            _leave_out(out, c)
            continue
        out.append(c)
        if cjk_len(c) >= 4:
            seen.append(g)
    return _tidy_clauses(out)


THEME_ECHO = 0.6  # bigram Jaccard from which a sentence only says the heading again


def restating(text: str, theme: str) -> list[str]:
    """Sentences of `text` that only say the section's heading again ("2024年，我局在便捷高效上发力，
    经办服务更加便民。" under that heading): the report's reader has just read it."""
    from assistant.measures import sentences
    from assistant.write import similarity

    return [s for s in sentences(text) if theme and similarity(s, theme) >= THEME_ECHO]


def _lead(raw: str) -> str:
    """The model's lead clause, as prose: one clause, no enumerator, label or end punctuation."""
    t = clean_part(raw).rstrip("。！？；，、：")
    return re.split(r"[，。；：！？]", t)[0] if t else ""


def write_scaffolded(
    model: BaseChatModel,
    plan: SectionPlan,
    *,
    system: str,
    history: Sequence[BaseMessage] = (),
    temperature: float | None = None,
    base_temperature: float = 0.3,
    constrained: bool = True,
    given: str = "",
    t0: float,
) -> Generator[Any, None, Written]:
    """Write `plan` as one driven reply; yields DraftEvents (tokens as they come, code's own text
    included; an info with restart=True and the whole text so far when a part's clean-up changed
    what was streamed); returns what was written."""
    from assistant.draft import DraftEvent

    prompt = scaffold_prompt(plan)
    base = part_messages(system, history, prompt)
    echo_ref = prompt + "\n" + system
    for own in [plan.theme, *(p.topic for p in plan.points), *(f.metric for f in plan.facts)]:
        echo_ref = echo_ref.replace(own, "")
    written = Written(text="", parts=[], constrained=constrained, messages=base)
    lock: list[str] | None = [] if constrained else None  # the model writes no digit: code writes the figures
    hot = max(0.7, (base_temperature if temperature is None else temperature) + 0.4)

    def segment(
        reply: str, chars: int, stops: Sequence[str], temp: float | None, closes: bool = False
    ) -> Generator[Any, None, tuple[str, str | None]]:
        """The model's next stretch of the reply. `closes`: it is one sentence, stopped at its 。,
        which it gets back (a stop string is not in the text)."""
        from langchain_core.messages import AIMessage

        gen = _sample(
            model,
            [*base, AIMessage(content=reply)] if reply else base,
            max_tokens=_tokens_for(model, chars),
            temperature=temp,
            lock=lock,
            written=written,
            t0=t0,
            stops=stops,
        )
        while True:
            try:
                piece = next(gen)
            except StopIteration as stop:
                text, finish = stop.value
                if finish == "length":
                    return end_cut_reply(text), finish
                if closes and text.strip() and text.rstrip()[-1] not in "。！？”":
                    yield DraftEvent("token", "。")  # the stop string itself: the sentence ended
                    text = text.rstrip("，、；： ") + "。"
                return text, finish
            yield DraftEvent("token", piece)

    opening, bodies = "", []
    shown = ""  # what the caller has been sent, as the caller has it
    plain = plan.layout == "plain" or not plan.points
    # a short paragraph is its one point (the lead opens it); with nothing to carry, its opening
    todo: list[Point | None] = (list(plan.points) or [None]) if plain else [None, *plan.points]
    if plain and plan.points:
        plan.points[0].length = plan.length  # one paragraph: the lead opens it
    for point in todo:
        previous = join_parts(plan, opening, bodies)
        chars = plan.opening_length if point is None else point.length
        facts = list(point.facts) if point is not None else []
        protect = [f.text for f in facts]
        prefix = ""
        if point is not None and not plain:
            prefix = ("\n" if plan.layout == "paragraphs" and previous else "") + point.enumerator
        part = Part("opening" if point is None else "point", "", point)
        temp = temperature
        kept = ""
        for attempt in range(RETRIES + 1):
            part.attempts = attempt + 1
            streamed = prefix
            if prefix:
                yield DraftEvent("token", prefix)
            reply = previous + prefix
            effect = ""
            if point is None:
                start = opener(plan)
                yield DraftEvent("token", start)
                model_text, _ = yield from segment(reply + start, chars, OPENING_STOPS, temp, closes=True)
                streamed += start + model_text
                text = start + model_text
            elif facts:
                start = lead_start(plan, point.index)
                yield DraftEvent("token", start)
                lead_raw, _ = yield from segment(reply + start, LEAD_CHARS, LEAD_STOPS, temp)
                streamed += start + lead_raw
                lead = "" if cjk_len(lead_raw) < 2 or is_echo(lead_raw, echo_ref) else _lead(start + lead_raw)
                if lead and strays_to(lead, point, plan):
                    yield DraftEvent("info", "这一部分重写", restart=True)
                    yield DraftEvent("token", shown + prefix + start)
                    lead_raw, _ = yield from segment(reply + start, LEAD_CHARS, LEAD_STOPS, hot)
                    lead = _lead(start + lead_raw)
                    bad = cjk_len(lead_raw) < 2 or is_echo(lead_raw, echo_ref) or strays_to(lead, point, plan)
                    lead = "" if bad else lead
                figures = figure_clause(lead, facts, [_says_period(plan, point, f) for f in facts])
                turn = effect_start(plan, point.index)
                head = lead + figures + "，" + turn
                sofar = start + lead_raw
                if head.startswith(sofar):  # the usual case: code goes on where the model stopped
                    yield DraftEvent("token", head[len(sofar) :])
                else:  # the lead was cleaned or dropped: the caller gets the part again
                    yield DraftEvent("info", "已整理格式", restart=True)
                    yield DraftEvent("token", shown + prefix + head)
                streamed = prefix + head
                rest = max(12, chars - cjk_len(head))
                short = rest <= 30  # room for one sentence only: it ends at its 。
                stops = OPENING_STOPS if short else BODY_STOPS
                effect, _ = yield from segment(reply + head, rest, stops, temp, closes=short)
                streamed += effect
                effect = "" if is_echo(effect, echo_ref) else effect
                text = head + effect if effect else lead + figures + "。"
            else:
                start = lead_start(plan, point.index)
                yield DraftEvent("token", start)
                model_text, _ = yield from segment(reply + start, chars, BODY_STOPS, temp)
                streamed += start + model_text
                text = start + model_text
                effect = model_text
            for extra in range(TOP_UPS):
                if point is None or not text or cjk_len(text) >= TOP_UP * chars:
                    break
                # the model closed the point after one sentence: one more, on from its own words
                turn = TOP_UP_STARTS[(point.index + extra) % len(TOP_UP_STARTS)]
                more_head = text.rstrip("，；") + ("" if text.endswith("。") else "。") + turn
                yield DraftEvent("token", more_head[len(text) :])
                more, _ = yield from segment(reply + more_head, chars - cjk_len(text), BODY_STOPS, temp)
                if not more or is_echo(more, echo_ref) or repeated_in(more, [previous, text], TOP_UP_REPEAT):
                    break
                text = more_head + more
                streamed = prefix + text
            # (a figures point's model text was checked segment by segment)
            echo = not facts and is_echo(text, echo_ref)
            known = given + plan.theme + "".join(p.topic for p in plan.points)
            text = drop_repeated_clauses(drop_unfounded(text, known, protect), previous, protect)
            cand = "" if echo else cut_to(clean_part(text, protect), chars, protect)
            rep, events, short, missing = _judge(cand, previous, given, chars, point)
            rep += restating(cand, plan.theme)  # the heading said again as a sentence
            ok = bool(cand) and not rep and not events and not missing and not (short and not facts)
            if ok or attempt == RETRIES:
                # (a figure is missing only when the clean-up lost it: code wrote them all)
                cand = settle_part(cand, part, written, rep, events, missing, given)
                if not cand and facts:  # the figures are the user's: they stay, as a plain clause
                    cand = figure_clause("", facts, [_says_period(plan, point, f) for f in facts]) + "。"
                kept = cand
                now = join_parts(plan, opening, [*bodies, kept]) if point is not None else kept
                yield from resync(shown + streamed, now)
                shown = now
                break
            temp = hot
            yield from resync(None, shown, "这一部分重复了前文或复述了提示，重写")
        part.text = kept
        written.parts.append(part)
        if point is None:
            opening = kept
        else:
            bodies.append(kept)
    written.text = join_parts(plan, opening, bodies)
    return written
