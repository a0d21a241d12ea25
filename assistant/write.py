"""The model writes the prose of each part of a SectionPlan; code adds the enumerators, the joining
punctuation and the paragraphing.

    write_section(model, plan, system=…, history=…) -> Generator[DraftEvent, None, Written]

Each part (the opening sentence, then each point) is one short, focused call: the theme, the
point's topic, its own figures (verbatim, the only numbers allowed), its length, the voice, and
what the earlier parts said (so it does not repeat them). The system message is the knowledge
base's, byte-identical, and the shared part of the user message comes first, so llama.cpp re-reads
only each part's own tail.

Guards, in order, for every reply: a reply that echoes our prompt is never kept (it is sampled
again, then dropped); enumerators, markers and spaces are cleaned (assistant.cleanup); a point that
repeats an earlier sentence is sampled again, then its repeated sentences are dropped. On the local
backend a logits processor (assistant.llm.figure_gate) lets digits come out only as one of the
locked figure strings (or their periods): numbers are correct by construction there; other backends keep the repair pass
(assistant.lock.finalize).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant import llm as llm_api
from assistant.measures import cjk_len, grams, jaccard, sentences
from assistant.plan import Point, SectionPlan
from assistant.prompts import render

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

PART_STOPS = ["\n\n", "【", "\n一是", "\n二是"]
REPEAT_THRESHOLD = 0.6  # below quality.py's 0.7: a point that comes near an earlier sentence is redone
SHORT_PART = 0.45  # a part under this share of its planned length is sampled again
RETRIES = 1  # per part: one more sample when a reply echoes the prompt or repeats an earlier part
ENUM_AT = re.compile(
    r"(?:^|(?<=[。；：，！？]))\s*(?:[一二三四五六七八九十]是|其[一二三四五六七八九十]|第[一二三四五六七八九十][，、]|[（(]?[0-9０-９一二三四五六七八九十]{1,2}[)）.．、])\s*"
)
# Words of our own prompts: a reply that carries them is an echo, not prose.
ECHO_MARKS = re.compile(
    r"【|】|写作任务|今年数据|文风参考|前文|主题】|约\s*\d+\s*字|\d+\s*字左右|篇幅|不写任何数字|逐字照抄|概括说法|不要重复|序号|直接写正文|以下是|正文如下"
    r"|只输出|原样照抄|补回正文|其余内容不变|完整正文|修改要求|改写要求|公文写作助手|写作规则|本单位文风"
    r"|笔杆子|写作助手|写作要点|要点如下|介绍采取|说明取得|先用一个分句|再写取得|这一部分|开头的一句话|全段安排"
    r"|（(?:工作总结|述职报告|党建工作总结|工作思路)[，）]"
)


@dataclass
class Part:
    kind: str  # "opening" | "point"
    text: str
    point: Point | None = None
    attempts: int = 1
    dropped: list[str] = field(default_factory=list)  # repeated sentences dropped
    echo: bool = False  # every sample echoed the prompt: nothing kept


@dataclass
class Written:
    text: str  # the joined section (enumerators and paragraphs by code)
    parts: list[Part]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    ttft_s: float | None = None
    constrained: bool = False
    notes: list[str] = field(default_factory=list)
    messages: list[BaseMessage] = field(default_factory=list)  # the first part's prompt


# --- the measures used as guards (match ../shared/eval/quality.py) -----------------------------


def similarity(a: str, b: str) -> float:
    return jaccard(grams(a), grams(b))


def repeated_in(new: str, earlier: Sequence[str], threshold: float = REPEAT_THRESHOLD) -> list[str]:
    """Sentences of `new` that repeat one of `earlier` (or each other): quality.py's measure."""
    seen = [s for t in earlier for s in sentences(t)]
    out = []
    for s in sentences(new):
        if any(similarity(s, o) >= threshold for o in seen):
            out.append(s)
        seen.append(s)
    return out


def is_echo(reply: str, prompt: str) -> bool:
    """The reply repeats our prompt (its markers, its instructions, a long stretch of it) instead of
    writing prose."""
    try:
        from assistant.cleanup import is_prompt_echo  # the clean-up helper's check, when present
    except ImportError:
        is_prompt_echo = None
    if is_prompt_echo is not None and is_prompt_echo(reply, [prompt]):
        return True
    if ECHO_MARKS.search(reply):
        return True
    flat = re.sub(r"\s", "", reply)
    instructions = re.sub(r"\s", "", prompt.split("【写作任务】")[-1])
    return any(flat[i : i + 14] in instructions for i in range(0, max(0, len(flat) - 13), 7))


# --- clean-up of one part ---------------------------------------------------------------------


def clean_part(text: str, protect: Sequence[str] = ()) -> str:
    """One part as prose: no enumerators (code adds them), no markers, spaces or line breaks, ends
    with 。 Uses assistant.cleanup when it is there."""
    try:
        from assistant.cleanup import clean_prose, strip_enumerators
    except ImportError:
        clean_prose = strip_enumerators = None  # type: ignore[assignment]
    t = text.replace("**", "").replace("__", "").strip()
    if strip_enumerators is not None:
        t = strip_enumerators(t)
    if clean_prose is not None:
        t = clean_prose(t, protect=list(protect)).text
    t = re.sub(r"^\s*(?:#+|[-*•>]|\d{1,2}[.、)）])\s*", "", t)
    t = ENUM_AT.sub("", t)
    t = re.sub(r"\s*\n\s*", "", t)
    t = re.sub(
        r"(?<=[\u4e00-\u9fff，。；：、“”（）])[ \t\u3000]+|[ \t\u3000]+(?=[\u4e00-\u9fff“（，。；])", "", t
    )
    t = re.sub(r"([\u4e00-\u9fff])[,](?=[\u4e00-\u9fff])", r"\1，", t)
    t = re.sub(r"([\u4e00-\u9fff])[;](?=[\u4e00-\u9fff])", r"\1；", t)
    t = re.sub(r"^(?:同时|此外|另外|其次|首先|最后)[，,]", "", t)
    t = re.sub(r"^(?:总起句?|开头|总述|开头的一句话|这一部分|正文|第[一二三四五六七八九十]部分)[：:]", "", t)
    t = re.sub(r"[（(]略[）)]|……|\.\.\.", "", t)
    # the prompt's wording come back as labels: "以我局名义，", "采取的工作措施：", "基本医保参保人数："
    t = re.sub(r"^(?:以|用)[^，。]{1,8}(?:名义|口吻|身份)[，,]", "", t)
    t = re.sub(r"(^|(?<=[。；！？]))[^，。；：:“”]{2,12}[：:](?!\d)", r"\1", t)
    t = t.strip("，、；： ")
    if t and t[-1] not in "。！？”":
        t = re.sub(r"[，、；：,;:]+$", "", t) + "。"
    return t


def cut_to(text: str, chars: int, keep: Sequence[str] = ()) -> str:
    """A part that ran past about 1.3× its length ends at the sentence end nearest its planned
    length that still carries every figure in `keep`."""
    if cjk_len(text) <= chars * 1.3:
        return text
    ends = [m.end() for m in re.finditer(r"[。！？]", text)]
    good = [
        e for e in ends if all(k in text[:e] for k in keep if k in text) and cjk_len(text[:e]) >= chars * 0.6
    ]
    if not good:
        return text
    best = min(good, key=lambda e: abs(cjk_len(text[:e]) - chars))
    return text[:best]


def end_cut_reply(text: str, keep: Sequence[str] = ()) -> str:
    """A reply stopped by the token limit mid-sentence: back to its last sentence end (or clause
    end) that keeps the figures it wrote."""
    for pattern in (r"[。！？；]", r"[，、]"):
        ends = [m.end() for m in re.finditer(pattern, text)]
        ends = [e for e in ends if all(k in text[:e] for k in keep if k in text) and cjk_len(text[:e]) >= 12]
        if ends:
            return text[: ends[-1]]
    return text


def add_figures(text: str, facts: Sequence[Any]) -> str:
    """Figures a point still left out, as a clause of its last sentence (never a bare sentence of
    their own): "……形成有力震慑，处罚款126.8万元。" """
    clauses = "，".join(_fact_line(f, False) for f in facts)
    body = text.rstrip("。！？；，")
    return f"{body}，{clauses}。" if body else f"{clauses}。"


def drop_sentences(text: str, drop: Sequence[str]) -> str:
    pieces = re.findall(r"[^。；！？]+[。；！？]?", text)
    kept = [p for p in pieces if not any(d and d in p for d in drop)]
    out = "".join(kept).strip("，；")
    if out and out[-1] not in "。！？":
        out = out.rstrip("；，") + "。"
    return out


# --- number constraint (local backend) ---------------------------------------------------------


def can_constrain(model: BaseChatModel) -> bool:
    check = getattr(llm_api, "supports_grammar", None)
    if callable(check):
        return bool(check(model))
    return bool(getattr(model, "supports_grammar", False))


def allowed_strings(plan: SectionPlan, point: Point | None) -> list[str]:
    """The digit-bearing strings a part may write: its figures verbatim and their periods as the
    user wrote them ("截至2024年11月"). Not a bare year: a model that wants a number where it has
    none writes the one string it is allowed ("参保人数为2024年"), so it gets none."""
    facts = point.facts if point is not None else []
    out = [f.text for f in facts]
    out += [f.period for f in facts if f.period and re.search(r"\d", f.period)]
    return list(dict.fromkeys(out))


# --- the prompts ------------------------------------------------------------------------------


def _fact_line(f: Any, with_period: bool = True) -> str:
    joiner = "为" if f.base in ("%", "pp") and not f.metric.endswith(("为", "达")) else ""
    if with_period and f.period and f.period not in f.metric:
        return f"{f.period}，{f.metric}{joiner}{f.text}"
    return f"{f.metric}{joiner}{f.text}"


def _says_period(plan: SectionPlan, point: Point, f: Any) -> bool:
    """A period shared by every figure is said once, with the first point that has figures."""
    periods = {x.period for x in plan.facts}
    if len(periods) > 1:
        return True
    first = next((p for p in plan.points if p.facts), None)
    return first is point and f is point.facts[0]


def outline_of(plan: SectionPlan) -> str:
    """The plan in one line, the same for every part: "开头一句；一是……；二是……。" """
    if plan.layout == "plain" or not plan.points:
        return "一段话，写" + "、".join(p.topic for p in plan.points or []) if plan.points else "一段话"
    items = [f"{p.enumerator}{p.topic}" for p in plan.points]
    return "开头一句；" + "；".join(items) + "。"


def part_prompt(plan: SectionPlan, point: Point | None, previous: str = "") -> str:
    """The user message for one part. `previous` is not shown (a small model copies or continues
    it); the plan's outline tells it what the other parts cover."""
    if point is None:
        part, focus = "开头的一句话", plan.opening_role + "，不展开具体做法"
        sentences_n, length, figures = "一句话", plan.opening_length, []
        how = ""
    else:
        part = f"{point.enumerator}这一部分" if plan.layout != "plain" else "这一段正文"
        focus = point.topic
        sentences_n = "一到两句话" if point.length <= 90 else "两到三句话"
        length = point.length
        figures = [_fact_line(f, _says_period(plan, point, f)) for f in point.facts]
        if plan.future:
            how = "先写要采取的举措，再写要达到的效果。"
        elif figures:
            how = "先用一个分句写采取的做法，再写取得的成效（用上数据）。"
        else:
            how = "先写采取的做法，再写取得的成效。"
    voice = _voice(plan)
    if point is not None and figures:
        how += "上面的数据逐字照抄、全部用上。"
    return render(
        "draft_part",
        theme=plan.theme,
        genre=plan.genre,
        total=plan.length,
        openings=plan.openings,
        outline=outline_of(plan),
        figures=figures,
        part=part,
        focus=focus,
        how=how,
        sentences=sentences_n,
        length=length,
        voice=voice,
        future=plan.future,
    )


def _voice(plan: SectionPlan) -> str:
    return "以第一人称“我”的口吻，" if plan.voice == "我" else "以单位（我局）的口吻，"


def uses_scaffold(model: BaseChatModel) -> bool:
    """Scaffold where a continued reply costs only its new tokens: the local backends keep the
    evaluated prompt and reply (llama.cpp's KV cache) from one part to the next."""
    return bool(getattr(model, "reuses_prefix", False)) and llm_api.supports_prefill(model)


def part_messages(system: str, history: Sequence[BaseMessage], prompt: str) -> list[BaseMessage]:
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(content=system), *history, HumanMessage(content=prompt)]


# --- generation -------------------------------------------------------------------------------


def _tokens_for(model: BaseChatModel, chars: int) -> int:
    from assistant.draft import tokens_per_char

    return math.ceil(chars * 1.25 * tokens_per_char(model)) + 16


def _sample(
    model: BaseChatModel,
    messages: list[BaseMessage],
    *,
    max_tokens: int,
    temperature: float | None,
    lock: list[str] | None,
    written: Written,
    t0: float,
    stops: Sequence[str] = PART_STOPS,
) -> Generator[str, None, tuple[str, str | None]]:
    kwargs: dict[str, Any] = {"max_tokens": max_tokens, "stop": list(stops)}
    if temperature is not None:
        kwargs["temperature"] = temperature
    if lock is not None:
        kwargs["figure_lock"] = lock
    text, finish, usage = "", None, None
    written.calls += 1
    for chunk in model.stream(messages, **kwargs):
        meta = getattr(chunk, "response_metadata", None) or {}
        finish = meta.get("finish_reason") or finish
        usage = getattr(chunk, "usage_metadata", None) or usage
        piece = chunk.content if isinstance(chunk.content, str) else ""
        if not piece:
            continue
        if written.ttft_s is None:
            written.ttft_s = time.perf_counter() - t0
        text += piece
        yield piece
    if usage:
        written.prompt_tokens += int(usage.get("input_tokens") or 0)
        written.completion_tokens += int(usage.get("output_tokens") or 0)
    else:  # a backend that reports no usage (some OpenAI-compatible servers): count ourselves
        from assistant.budget import count_messages

        written.prompt_tokens += count_messages(lambda t: llm_api.count_tokens(model, t), messages)
        written.completion_tokens += llm_api.count_tokens(model, text)
    return text, finish


def _judge(
    cand: str, previous: str, given: str, chars: int, point: Point | None
) -> tuple[list[str], list[str], bool, list[Any]]:
    """What is wrong with a part: sentences repeating earlier parts, invented events, too short,
    its figures left out."""
    if not cand:
        return [], [], False, []
    rep = repeated_in(cand, [previous])
    events = invented_events(cand, given) + PLACEHOLDER.findall(cand) + GREETING.findall(cand)
    short = cjk_len(cand) < SHORT_PART * chars
    missing = [f for f in (point.facts if point is not None else []) if f.text not in cand]
    return rep, events, short, missing


def _continue(
    model: BaseChatModel,
    messages: list[BaseMessage],
    head: str,
    chars: int,
    temperature: float | None,
    lock: list[str] | None,
    written: Written,
    t0: float,
) -> Generator[Any, None, str]:
    """Go on writing a part from `head` (the reply continued in place); yields token events."""
    from langchain_core.messages import AIMessage

    from assistant.draft import DraftEvent

    gen = _sample(
        model,
        [*messages, AIMessage(content=head)],
        max_tokens=_tokens_for(model, max(20, chars - cjk_len(head))),
        temperature=temperature,
        lock=lock,
        written=written,
        t0=t0,
    )
    yield DraftEvent("token", head[-1:])
    while True:
        try:
            piece = next(gen)
        except StopIteration as stop:
            more, finish = stop.value
            return end_cut_reply(more) if finish == "length" else more
        yield DraftEvent("token", piece)


def settle_part(
    cand: str, part: Part, written: Written, rep: list[str], events: list[str], missing: list[Any], given: str
) -> str:
    """A part's last sample, kept as well as it can be: repeated sentences and invented events out,
    figures it left out added as a clause; an empty one (every sample echoed the prompt) said."""
    if not cand:
        part.echo = True
        written.notes.append("模型只复述了提示，这一部分没有保留")
    if rep:
        cand = drop_sentences(cand, rep)
        part.dropped = rep
    if events:
        cand = drop_events(generalize_events(cand, given), given)
    if cand and missing:
        cand = add_figures(cand, [f for f in missing if f.text not in cand])
    return cand


def resync(streamed: str | None, text: str, why: str = "已整理格式") -> Iterator[Any]:
    """Bring the caller's text to `text` when what it was streamed differs (`streamed=None`: always,
    a part sampled again): a restart saying `why`, then the whole text."""
    from assistant.draft import DraftEvent

    if streamed == text:
        return
    yield DraftEvent("info", why, restart=True)
    if text:
        yield DraftEvent("token", text)


def join_parts(plan: SectionPlan, opening: str, points: Sequence[str]) -> str:
    """Code owns the structure: the opening, then 一是…二是… in one paragraph (or one point per
    paragraph for long sections); each point ends with 。"""
    bodies = [p for p in points if p]
    if plan.layout == "plain" or not plan.points:
        return "".join([opening, *bodies])
    items = [f"{plan.points[i].enumerator}{b}" if i < len(plan.points) else b for i, b in enumerate(bodies)]
    if plan.layout == "paragraphs":
        return "\n".join([opening, *items] if opening else items)
    return opening + "".join(items)


def write_section(
    model: BaseChatModel,
    plan: SectionPlan,
    *,
    system: str,
    history: Sequence[BaseMessage] = (),
    temperature: float | None = None,
    base_temperature: float = 0.3,
    constrain: bool | None = None,
    given: str = "",
    t0: float | None = None,
    scaffold: bool | None = None,
) -> Generator[Any, None, Written]:
    """Write every part of `plan`; yields DraftEvents (tokens as they come; an info with
    restart=True and the whole text so far when a part's clean-up changed what was streamed);
    returns what was written. `given`: the user's own words (request and figures): the only
    source of specific events and counts.

    `scaffold` (default: where the backend keeps the evaluated prompt, `uses_scaffold`): the section
    is one reply that code drives and continues in place (assistant.scaffold); otherwise each part
    is its own short prompt (`part_prompt`)."""
    from assistant.draft import DraftEvent

    t0 = time.perf_counter() if t0 is None else t0
    if uses_scaffold(model) if scaffold is None else scaffold:
        from assistant.scaffold import write_scaffolded

        return (
            yield from write_scaffolded(
                model,
                plan,
                system=system,
                history=history,
                temperature=temperature,
                base_temperature=base_temperature,
                constrained=can_constrain(model) if constrain is None else constrain,
                given=given,
                t0=t0,
            )
        )
    constrained = can_constrain(model) if constrain is None else constrain
    written = Written(text="", parts=[], constrained=constrained)
    todo: list[Point | None] = [None, *plan.points] if plan.opening_length > 0 else list(plan.points)
    if plan.layout == "plain" and plan.points:
        todo = list(plan.points)  # one call writes the whole short paragraph, opening included
        plan.points[0].length = plan.length
    opening = ""
    bodies: list[str] = []
    shown = ""  # what the caller has been sent so far
    for point in todo:
        previous = join_parts(plan, opening, bodies)
        prompt = part_prompt(plan, point, previous)
        echo_ref = (prompt.replace(previous, "") if previous else prompt) + "\n" + system
        for own in [plan.theme, *(p.topic for p in plan.points), *(f.metric for f in plan.facts)]:
            echo_ref = echo_ref.replace(own, "")
        messages = part_messages(system, history, prompt)
        if not written.messages:
            written.messages = messages
        chars = plan.opening_length if point is None else point.length
        protect = [f.text for f in point.facts] if point is not None else []
        lock = allowed_strings(plan, point) if constrained else None
        prefix = ""
        if point is not None and plan.layout != "plain":
            prefix = ("\n" if plan.layout == "paragraphs" and (opening or bodies) else "") + point.enumerator
        kept, part = "", Part("opening" if point is None else "point", "", point)
        temp = temperature
        for attempt in range(RETRIES + 1):
            part.attempts = attempt + 1
            if prefix:
                yield DraftEvent("token", prefix)
            raw = ""
            gen = _sample(
                model,
                messages,
                max_tokens=_tokens_for(model, chars),
                temperature=temp,
                lock=lock,
                written=written,
                t0=t0,
            )
            while True:
                try:
                    piece = next(gen)
                except StopIteration as stop:
                    raw, finish = stop.value
                    break
                yield DraftEvent("token", piece)
            streamed = shown + prefix + raw
            if finish == "length":
                raw = end_cut_reply(raw, protect)
            cand = "" if is_echo(raw, echo_ref) else cut_to(clean_part(raw, protect), chars, protect)
            rep, events, short, missing = _judge(cand, previous, given, chars, point)
            if short and not (rep or events) and llm_api.supports_prefill(model):
                # Too short: the model goes on from its own words (prompt and reply are in llama.cpp's
                # cache), instead of a new sample that is as likely to stop short again.
                head = cand.rstrip("。！？；，") + "，"
                more = yield from _continue(model, messages, head, chars, temp, lock, written, t0)
                longer = cut_to(clean_part(head + more, protect), chars, protect)
                if not is_echo(more, echo_ref) and cjk_len(longer) > cjk_len(cand):
                    cand = longer
                    streamed = shown + prefix + head + more
                    rep, events, short, missing = _judge(cand, previous, given, chars, point)
            ok = bool(cand) and not rep and not events and not short and not missing
            if ok or attempt == RETRIES:
                kept = settle_part(cand, part, written, rep, events, missing, given)
                shown = join_parts(plan, opening, [*bodies, kept]) if point is not None else kept
                yield from resync(streamed, shown)
                break
            # sample again, a little hotter, on top of what was kept so far
            temp = max(0.7, (base_temperature if temperature is None else temperature) + 0.4)
            yield from resync(None, shown, "这一部分重复了前文或复述了提示，重写")
        part.text = kept
        written.parts.append(part)
        if point is None:
            opening = kept
        else:
            bodies.append(kept)
    written.text = join_parts(plan, opening, bodies)
    return written


# --- events only from the user --------------------------------------------------------------------

_CN_COUNT = re.compile(
    r"(?:近|约|超|逾|达)?(?<![一二三四五六七八九十百千万亿两])[两三四五六七八九十百千万亿][一二三四五六七八九十百千万亿两]*[余多]?"
    r"(?:场|次|期|批|项|家|人次|名|个|篇|条|起|户|所|轮|堂|元|万元|亿元|人)"
    r"(?!维护|确立|务必|代表|表率|责任|全覆盖|统筹|转变)"
)
_EVENT_WORDS = (
    "邀请",
    "讲座",
    "竞赛",
    "比赛",
    "座谈会",
    "现场会",
    "推进会",
    "培训班",
    "论坛",
    "观摩",
    "专题党课",
    "知识问答",
)


def invented_events(text: str, allowed_text: str) -> list[str]:
    """Statements of specific events and counts that neither the figures nor the request gave:
    counts in Chinese numerals ("举办三场培训") and named kinds of event ("邀请行业专家进行专题讲座")."""
    out = []
    for m in _CN_COUNT.finditer(text):
        if m.group(0) not in allowed_text and text[max(0, m.start() - 1) : m.start()] not in ("第", "统"):
            out.append(m.group(0))
    for w in _EVENT_WORDS:
        if w in text and w not in allowed_text:
            out.append(w)
    return out


def generalize_events(text: str, allowed_text: str) -> str:
    """Invented counts in general words ("三场培训" -> "多场培训": the event may be real, the count
    is not); a clause with an invented amount of money ("累计投入资金近亿元") goes."""

    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        if s in allowed_text:
            return s
        if s.endswith("元"):
            return "\0"
        unit = re.sub(r"^(?:近|约|超|逾|达)?[一二三四五六七八九十百千万亿两余多]+", "", s)
        return "多" + unit

    out = _CN_COUNT.sub(repl, text)
    if "\0" in out:
        clauses = re.findall(r"[^，。；！？]+[，。；！？]?", out)
        out = "".join(c for c in clauses if "\0" not in c).strip("，；")
        if out and out[-1] not in "。！？":
            out = out.rstrip("，；、") + "。"
    return out


PLACEHOLDER = re.compile(r"[XＸx×]{2,}|某某")  # "我叫XXX": a template's blank, never prose
GREETING = re.compile(r"各位领导|各位同事|大家好|同志们[：:，！]")  # a speech's address, not a report's body


def drop_events(text: str, given: str) -> str:
    """Clauses naming a kind of event nobody gave ("邀请行业专家进行专题讲座"), a template's blank
    ("我叫XXX") or a speech's greeting are dropped."""
    words = [w for w in _EVENT_WORDS if w not in given]
    clauses = re.findall(r"[^，。；！？]+[，。；！？]?", text)
    kept = [
        c
        for c in clauses
        if not any(w in c for w in words) and not PLACEHOLDER.search(c) and not GREETING.search(c)
    ]
    out = "".join(kept).strip("，；")
    if out and out[-1] not in "。！？":
        out = out.rstrip("，；、") + "。"
    return out
