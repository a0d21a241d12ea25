"""Drafting a report section: read the request, retrieve the house style, plan, write, clean, lock figures.

    stream_draft(settings, "起草“护基金”一段", figures="…") → DraftEvent("info"…), DraftEvent("token"…)…,
                                                            DraftEvent("done", result=DraftResult)

The pipeline (planned=True, the default): the request is read as the writer means it
(assistant.request.resolve: task, figures typed in the message, asked length, theme, genre, voice);
code plans the section (assistant.plan: an opening, the 一是/二是 points, which figures each point
carries, the length of each part, adding up to the asked length); the model writes each part in one
short call and code joins them (assistant.write: enumerators, punctuation and paragraphs are code's;
replies that echo a prompt are never kept; digits constrained to the locked figures where the backend
takes a grammar); the joined section goes through assistant.cleanup, then the figures lock's
check (`_finalize`). No "extend" call: the length comes from the plan.

planned=False keeps the one-prompt pipeline (bench/draft_eval.py --mode single compares them): the
system message holds the role, the rules and the style profile and is byte-identical for every request
on a knowledge base; the user message holds exemplars (number-bearing clauses removed), figures and the
request; a reply cut by the token limit is continued in place. Consumers show tokens as they arrive
(an info with restart=True replaces what was shown) and then the `done` result's `text`.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from assistant import llm as llm_api
from assistant.budget import BudgetPlan, Exemplar, fit, split_sentences
from assistant.prompts import render
from assistant.style import StyleProfile, heading_text, style_profile
from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

    from index.models import SearchHit

EventKind = Literal["token", "info", "done"]
ExemplarView = Literal["openings", "structure", "masked", "full"]

MAX_CONTINUATIONS = 2
# The bundled model sometimes starts by echoing the prompt's 【…】 layout (about one sample in three
# in draft_eval); each retry costs a few tokens, and three misses in a row are rare.
ECHO_RETRIES = 2
# A small model sometimes goes on to echo the prompt's layout after the paragraph: stop there.
# (At most four stop strings: the OpenAI API's limit.)
STOPS = ["\n【", "【写作任务】", "【今年数据】", "【本段必须使用的数据】"]
EXEMPLAR_CHARS = 120  # an exemplar's structure view: its opening and enumeration, ≈ 80 Qwen tokens
_TOKEN_RATIO_SAMPLE = (
    "今年以来，我局始终坚持以人民为中心，聚焦群众急难愁盼，扎实推进医保领域各项改革，工作成效明显。"
)


@dataclass
class DraftEvent:
    kind: EventKind
    text: str = ""
    result: Any = None  # DraftResult / RewriteResult on "done"
    restart: bool = False  # on "info": the text streamed so far is replaced by what follows


@dataclass
class DraftResult:
    text: str  # final text (figures checked when the lock is on)
    raw_text: str  # what the model wrote
    sources: list[dict[str, str]]
    model: str
    timings: dict[str, float | int | None]
    trimmed: list[str] = field(default_factory=list)
    figures: dict[str, Any] | None = None  # the figures report (assistant.lock), when locked
    kb_used: bool = True
    notes: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    request: str = ""
    messages: list[BaseMessage] = field(default_factory=list, repr=False)  # the prompt, for follow-ups
    locked: Any = field(default=None, repr=False)
    plan: dict[str, Any] | None = None  # the section plan (assistant.plan), when planned

    def to_json(self, with_text_of_sources: bool = False) -> dict[str, Any]:
        sources = [{k: v for k, v in s.items() if with_text_of_sources or k != "text"} for s in self.sources]
        data: dict[str, Any] = {
            "text": self.text,
            "sources": sources,
            "model": self.model,
            "timings": self.timings,
        }
        if self.figures is not None:
            data["figures"] = self.figures
        if self.trimmed:
            data["trimmed"] = self.trimmed
        if self.notes:
            data["notes"] = self.notes
        data["kb_used"] = self.kb_used
        if self.plan is not None:
            data["plan"] = self.plan
        return data


# --- generation with continuation -------------------------------------------------------------


@dataclass
class GenStats:
    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    ttft_s: float | None = None
    continuations: int = 0
    calls: int = 0
    cut_at_sentence: bool = False  # stopped by the token limit past the asked length: ended at a sentence end


def stream_generate(
    model: BaseChatModel,
    messages: list[BaseMessage],
    *,
    max_new_tokens: int,
    n_ctx: int,
    stats: GenStats,
    t0: float,
    temperature: float | None = None,
    max_continuations: int = MAX_CONTINUATIONS,
    stop: list[str] | None = None,
    enough_chars: int | None = None,
    prefill: str = "",
) -> Iterator[str]:
    """Yield text pieces; a reply stopped by the token limit is continued seamlessly: in place when
    the backend can continue an assistant message, else by asking for the rest and dropping any
    overlap with what was already written. With `enough_chars`, a reply cut after it has already
    written that much is not continued but ended at its last sentence end (`stats.text` is cut; the
    pieces already yielded are not taken back, so callers show the final text)."""
    from langchain_core.messages import AIMessage, HumanMessage

    prompt_estimate = 0
    if prefill:  # the reply starts with these words (backends that continue an assistant message)
        if stats.ttft_s is None:
            stats.ttft_s = time.perf_counter() - t0
        stats.text += prefill
        yield prefill
    for attempt in range(max_continuations + 1):
        dedupe = False
        if attempt == 0:
            msgs = [*messages, AIMessage(content=stats.text)] if prefill else messages
            budget = max_new_tokens
        else:
            if llm_api.supports_prefill(model):
                msgs = [*messages, AIMessage(content=stats.text)]
            else:
                tail = stats.text[-12:]
                msgs = [
                    *messages,
                    AIMessage(content=stats.text),
                    HumanMessage(content=render("continue", tail=tail)),
                ]
                dedupe = True
            room = n_ctx - prompt_estimate - llm_api.count_tokens(model, stats.text) - 32
            budget = min(max_new_tokens, room)
            if budget < 16:
                break
            stats.continuations += 1
        kwargs: dict[str, Any] = {"max_tokens": budget}
        if stop:
            kwargs["stop"] = stop
        if temperature is not None:
            kwargs["temperature"] = temperature
        finish: str | None = None
        usage: dict[str, Any] | None = None
        pending = ""  # held back while checking a non-prefill continuation for overlap
        released = not dedupe
        stats.calls += 1
        for chunk in model.stream(msgs, **kwargs):
            meta = getattr(chunk, "response_metadata", None) or {}
            finish = meta.get("finish_reason") or finish
            usage = getattr(chunk, "usage_metadata", None) or usage
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if not piece:
                continue
            if not released:
                pending += piece
                head = pending.lstrip()
                # Hold back while it may still be repeating what was written (a tail, or from the start).
                if len(head) < 24 or (stats.text.startswith(head) and len(head) < len(stats.text)):
                    continue
                piece, pending, released = _strip_overlap(stats.text, pending), "", True
                if not piece:
                    continue
            if stats.ttft_s is None:
                stats.ttft_s = time.perf_counter() - t0
            stats.text += piece
            yield piece
        if pending:
            piece = _strip_overlap(stats.text, pending)
            if piece and stats.ttft_s is None:
                stats.ttft_s = time.perf_counter() - t0
            stats.text += piece
            if piece:
                yield piece
        if usage:
            stats.prompt_tokens += int(usage.get("input_tokens") or 0)
            stats.completion_tokens += int(usage.get("output_tokens") or 0)
            if attempt == 0:
                prompt_estimate = int(usage.get("input_tokens") or 0)
        if attempt == 0 and not prompt_estimate:
            from assistant.budget import count_messages

            prompt_estimate = count_messages(lambda t: llm_api.count_tokens(model, t), messages)
            stats.prompt_tokens += prompt_estimate
        if not usage:
            stats.completion_tokens += llm_api.count_tokens(model, stats.text) - stats.completion_tokens
        stats.finish_reason = finish
        if finish != "length":
            break
        if enough_chars and len(stats.text) >= enough_chars:
            end = _last_sentence_end(stats.text, enough_chars // 2)
            if end:
                stats.text = stats.text[:end]
                stats.cut_at_sentence = True
                break


def _last_sentence_end(text: str, min_pos: int) -> int:
    """Index just past the last 。！？ (and a closing quote) if that is at or after `min_pos`; else 0."""
    ends = [m.end() for m in re.finditer(r"[。！？][”’」』）)]*", text)]
    return ends[-1] if ends and ends[-1] >= min_pos else 0


def ask_again(
    model: BaseChatModel,
    messages: list[BaseMessage],
    first: str,
    request: str,
    *,
    stats: GenStats,
    **generate: Any,
) -> Generator[DraftEvent, None, tuple[str, list[BaseMessage]]]:
    """One more turn on the same conversation: the model's first answer, then `request` (repair the
    numbers, write more…). Streams the new answer (`stats.text` starts over; the prompt so far is
    still in llama.cpp's cache) and returns it cleaned, with the messages sent."""
    from langchain_core.messages import AIMessage, HumanMessage

    messages = [*messages, AIMessage(content=first), HumanMessage(content=request)]
    stats.text = ""
    for piece in stream_generate(model, messages, stats=stats, **generate):
        yield DraftEvent("token", piece)
    return clean_output(stats.text), messages


def _strip_overlap(written: str, new: str, max_overlap: int = 40) -> str:
    """`new` minus what repeats `written`: a repeated tail at its start ("…追回基金" + "追回基金452.3万元"
    → "452.3万元"), or the whole text started over (small models often do that when asked to go on)."""
    new_l = new.lstrip()
    if not written:
        return new
    common = 0
    for a, b in zip(written, new_l, strict=False):
        if a != b:
            break
        common += 1
    if common >= min(10, len(written)):
        return new_l[common:]
    for size in range(min(max_overlap, len(written), len(new_l)), 1, -1):
        if written.endswith(new_l[:size]):
            return new_l[size:]
    return new_l


def clean_output(text: str) -> str:
    """What a chat model adds around a paragraph: markdown, a preface line, a repeated title.
    Everything else is kept as written, paragraph breaks included: the conversation sends this text
    back as the assistant's turn, and the closer it is to the generated tokens, the more of the
    follow-up prompt llama.cpp finds already evaluated."""
    text = text.replace("**", "").replace("```", "").strip()
    # A title in brackets or a list number before the paragraph: "【集采落地“减负担”】…", "1. …".
    text = re.sub(r"^【(?!待补充|待核实|待更新)[^】]{1,30}】\s*", "", text)
    text = re.sub(r"^\d{1,2}[.．、]\s*", "", text)
    first, _, rest = text.partition("\n")
    first = first.strip()
    if rest.strip() and (
        (re.match(r"^(好的|以下是|下面是|根据)", first) and first.endswith(("：", ":")))
        or (len(first) <= 25 and not re.search(r"[。！？；，]", first))
    ):
        text = rest.strip()
    return re.sub(r"\n{3,}", "\n\n", text)


# --- exemplars --------------------------------------------------------------------------------

_CLAUSE = re.compile(r"[^，。；！？、：]+[，。；！？、：]?")
# Clauses carrying last year's specifics are not shown: numbers, anonymisation placeholders (XX局,
# ××), and document titles (《…》) — a small model copies them into this year's draft as facts.
_HAS_NUMBER = re.compile(r"[0-9０-９*＊]|[XＸ×]{2,}|(?<![A-Za-z])[XＸ](?![A-Za-z])|《")


def exemplar_view(text: str, view: ExemplarView = "structure", max_chars: int = EXEMPLAR_CHARS) -> str:
    """How an exemplar is shown to the model. "masked": clauses carrying a number, a placeholder or a
    document title are removed (the model can't reuse last year's figures and facts); "structure": masked, then cut at a sentence end after
    about `max_chars` characters, keeping each 一是/二是… opening so the structure shows."""
    if view == "full":
        return text.strip()
    sentences = []
    for sentence in split_sentences(text.replace("\n", "")):
        clauses = [c for c in _CLAUSE.findall(sentence) if not _HAS_NUMBER.search(c)]
        if not clauses:
            continue
        s = "".join(clauses)
        if s[-1] in "，、：；":
            s = s[:-1] + "。"
        elif s[-1] not in "。！？":
            s += "。"
        sentences.append(s)
    if view == "masked":
        return "".join(sentences)
    if view == "openings":
        return _openings_view(sentences)
    out = ""
    for i, s in enumerate(sentences):
        enum = re.match(r"^(?:[一二三四五六七八九十]是|其[一二三四五六七八九十]|第[一二三四五六七八九十])", s)
        if i == 0 or (enum and len(out) < max_chars * 2):
            if i > 0 and len(s) > 30:  # an enumeration item: its opening clause shows the pattern
                s = _CLAUSE.findall(s)[0].rstrip("，、：；") + "……"
            out += s
        elif len(out) + len(s) <= max_chars:
            out += s
        if len(out) >= max_chars and not enum:
            break
    if len(out) < len("".join(sentences)) and not out.endswith("……"):
        out += "……"
    return out


OPENING_CHARS = 12
OPENINGS_MAX = 4


def _openings_view(sentences: list[str]) -> str:
    """Each sentence reduced to its opening clause (≤ OPENING_CHARS characters): the moves and the
    一是/二是 pattern show, but there is no whole sentence to copy."""
    parts = []
    for s in sentences[:OPENINGS_MAX]:
        head = _CLAUSE.findall(s)[0].rstrip("，、：；。！？")
        if len(head) > OPENING_CHARS:
            head = head[:OPENING_CHARS]
        parts.append(head + "……")
    return "".join(parts)


def _ngrams(text: str, n: int = 4) -> set[str]:
    return {text[i : i + n] for i in range(max(0, len(text) - n + 1))}


def select_exemplars(
    hits: Sequence[SearchHit], k: int = 3, view: ExemplarView = "openings"
) -> list[Exemplar]:
    """Top-k hits as exemplars, near-duplicates collapsed (same section, or most 4-grams shared)."""
    chosen: list[Exemplar] = []
    grams: list[set[str]] = []
    for hit in hits:
        g = _ngrams(hit.text)
        if any(hit.section == ex.section and hit.source == ex.source for ex in chosen):
            continue
        if any(g and len(g & other) / len(g | other) >= 0.5 for other in grams):
            continue
        heading = heading_text(hit.section.split(" > ")[-1]) if hit.section else ""
        shown = exemplar_view(hit.text, view)
        if not shown:
            continue
        chosen.append(
            Exemplar(
                source=hit.source,
                section=hit.section,
                heading=heading,
                text=shown,
                original=hit.text,
                rank=len(chosen),
            )
        )
        grams.append(g)
        if len(chosen) == k:
            break
    return chosen


def retrieve_exemplars(
    settings: Settings, request: str, kb: str | None, k: int = 3, view: ExemplarView = "openings"
) -> tuple[list[Exemplar], str | None]:
    """Exemplars for the request, or none with a note saying why (no KB, empty KB, search failed)."""
    from index.retrieve import search

    name = kb or settings.kb
    try:
        hits = search(settings, request, k=max(8, 2 * k), kb=name)
    except BiganziError as e:
        return [], f"未使用知识库：{e}。按默认文风起草，没有往年范例"
    if not hits:
        return [], f"知识库 {name} 为空或没有相关段落：按默认文风起草，没有往年范例"
    return select_exemplars(hits, k=k, view=view), None


# --- prompt ------------------------------------------------------------------------------------


def system_prompt(profile: StyleProfile) -> str:
    return render("chat_system", style=profile.render())


def build_draft_messages(
    system: str,
    request: str,
    figures_block: str,
    length: int,
    exemplars: Sequence[Exemplar],
    history: Sequence[BaseMessage] = (),
    figures_locked: bool = False,
) -> list[BaseMessage]:
    from langchain_core.messages import HumanMessage, SystemMessage

    user = render(
        "draft",
        request=request,
        figures=figures_block,
        figures_locked=figures_locked,
        length=length,
        items=items_for(length),
        exemplars=[{"heading": ex.heading or "段落", "text": ex.text} for ex in exemplars],
    )
    return [SystemMessage(content=system), *history, HumanMessage(content=user)]


def items_for(length: int) -> int:
    """How many 一是/二是 points a section of `length` characters holds in the house style (≈ 80 字
    each after a one-sentence opening); a small model told only "约300字" runs short or lists ten."""
    return max(0, min(5, round((length - 40) / 80))) if length >= 150 else 0


_ratio_cache: dict[str, float] = {}


def tokens_per_char(model: BaseChatModel) -> float:
    label = llm_api.model_label(model)
    if label not in _ratio_cache:
        n = llm_api.count_tokens(model, _TOKEN_RATIO_SAMPLE)
        _ratio_cache[label] = max(0.3, n / len(_TOKEN_RATIO_SAMPLE))
    return _ratio_cache[label]


def max_new_tokens_for(model: BaseChatModel, length: int) -> int:
    """Room for about 1.4× the asked length: drafts run long, and a cut is continued anyway."""
    return math.ceil(length * 1.4 * tokens_per_char(model)) + 24


def as_messages(history: Sequence[Any] | None) -> list[BaseMessage]:
    """History as messages: BaseMessages as they are, or (role, text) pairs / {"role","content"} dicts."""
    from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

    out: list[BaseMessage] = []
    for item in history or []:
        if isinstance(item, BaseMessage):
            out.append(item)
            continue
        role, text = (item["role"], item["content"]) if isinstance(item, dict) else item
        out.append(AIMessage(content=text) if role in ("assistant", "ai") else HumanMessage(content=text))
    return out


# --- figures lock (issue 4: assistant/figures.py + assistant/lock.py) ---------------------------
# The one place the draft pipeline calls the figures lock. `lock_figures=False` is the plain
# pipeline (bench/draft_eval.py --no-lock). C's tests own the lock's behaviour.


def _lock(figures: str | None, enabled: bool) -> tuple[str, Any]:
    """(figures block for the prompt, locked figures or None)."""
    text = (figures or "").strip()
    if not enabled:
        return text, None
    try:
        from assistant.figures import parse_figures
        from assistant.lock import lock
    except ImportError:  # the figures issue's modules are not installed in this tree
        return text, None
    locked = lock(parse_figures(text).facts if text else [])
    return locked.prompt_block or text, locked


def _finalize(raw: str, locked: Any, exemplar_texts: Sequence[str], request: str) -> tuple[str, dict | None]:
    """Trace every number of the model's text against the locked figures and the exemplars."""
    if locked is None:
        return raw, None
    from assistant.lock import finalize

    final = finalize(raw, locked, list(exemplar_texts), request)
    return final.text, final.report


# --- the pipeline ------------------------------------------------------------------------------


def resolve_request(request: str, figures: str | None, length: int | None) -> Any:
    """The request as the writer means it (assistant.request.resolve): task, figures typed in the
    message merged with the given ones, the asked length (explicit, else the request's, else 300)."""
    from assistant.request import resolve

    return resolve(request, figures, length)


def stream_draft(
    settings: Settings,
    request: str,
    figures: str | None = None,
    length: int | None = None,
    history: Sequence[Any] | None = None,
    kb: str | None = None,
    temperature: float | None = None,
    *,
    model: BaseChatModel | None = None,
    max_new_tokens: int | None = None,
    exemplars_k: int = 3,
    view: ExemplarView = "openings",
    lock_figures: bool = True,
    max_continuations: int = MAX_CONTINUATIONS,
    planned: bool = True,
    constrain: bool | None = None,
) -> Iterator[DraftEvent]:
    """Draft one section. Yields info events (no KB, trimmed exemplars…), tokens, then `done`.

    `planned` (default): code plans the section (assistant.plan) and the model writes each part
    (assistant.write); `planned=False`: one prompt for the whole section (the earlier pipeline, kept
    for comparison in bench/draft_eval.py). `length=None`: the length written in the request, else 300.
    `constrain`: digits only as the locked figures (GBNF) where the backend supports it (default)."""
    t0 = time.perf_counter()
    request = (request or "").strip()
    if not request:
        raise BiganziError("请写明要起草什么，例如 --request “起草今年‘护基金’这一段”")
    if length is not None and (length < 20 or length > 5000):
        raise BiganziError(f"篇幅 {length} 字不合理：请给 20～5000 之间的字数（--length）")
    resolved = resolve_request(request, figures, length)
    length = resolved.length
    if length < 20 or length > 5000:
        raise BiganziError(f"篇幅 {length} 字不合理：请给 20～5000 之间的字数（--length）")
    model = model or llm_api.get_chat_model(settings)
    n_ctx = llm_api.context_size(model, settings)

    notes: list[str] = []
    exemplars, why = retrieve_exemplars(settings, request, kb, k=exemplars_k, view=view)
    if why:
        notes.append(why)
    profile = style_profile(settings, kb)
    if profile.source != "kb" and not why:
        notes.append(profile.note)
    t_retrieved = time.perf_counter()
    for note in notes:
        yield DraftEvent("info", note)
    figures_text = "" if resolved.no_numbers else resolved.figures
    figures_block, locked = _lock(figures_text or None, lock_figures)
    system = system_prompt(profile)
    hist = as_messages(history)
    plan: BudgetPlan = fit(
        lambda t: llm_api.count_tokens(model, t),
        n_ctx=n_ctx,
        max_new_tokens=max_new_tokens or max_new_tokens_for(model, length),
        build=lambda ex, h: build_draft_messages(
            system, request, figures_block, length, ex, h, figures_locked=locked is not None
        ),
        exemplars=exemplars,
        history=hist,
    )
    for t in plan.trimmed:
        yield DraftEvent("info", f"为不超出上下文，{t}")

    stats = GenStats()
    section: Any = None
    if planned:
        from assistant.plan import plan_section
        from assistant.write import write_section

        facts = locked.facts if locked is not None else _facts(figures_text)
        section = plan_section(
            resolved.task or request,
            facts,
            [ex.original or ex.text for ex in plan.exemplars],
            length=length,
            theme=resolved.theme,
            genre=resolved.genre,
            voice=resolved.voice,
            year=resolved.year,
            no_numbers=resolved.no_numbers,
        )
        written = yield from write_section(
            model,
            section,
            system=system,
            history=plan.history,
            temperature=temperature,
            base_temperature=settings.temperature,
            constrain=constrain if locked is not None or resolved.no_numbers else False,
            given=request + "\n" + figures_text,
            t0=t0,
        )
        stats.text = _clean_section(written.text, request, [f.text for f in facts])
        if stats.text != written.text:
            yield DraftEvent("info", "已整理全文", restart=True)
            yield DraftEvent("token", stats.text)
        stats.prompt_tokens, stats.completion_tokens = written.prompt_tokens, written.completion_tokens
        stats.ttft_s, stats.calls, stats.finish_reason = written.ttft_s, written.calls, "stop"
        notes.extend(dict.fromkeys(written.notes))
    else:
        yield from _single_call(
            model, plan, settings, stats, n_ctx, t0, temperature, length, max_continuations
        )
    raw = clean_output(stats.text)
    text, report = _finalize(raw, locked, [ex.original or ex.text for ex in plan.exemplars], request)
    total = time.perf_counter() - t0
    timings = _timings(stats, total, t_retrieved - t0)
    if section is not None:
        timings["calls"] = stats.calls
        timings["constrained"] = int(bool(written.constrained))
    result = DraftResult(
        text=text,
        raw_text=raw,
        sources=[{"source": ex.source, "section": ex.section, "text": ex.original} for ex in plan.exemplars],
        model=llm_api.model_label(model),
        timings=timings,
        trimmed=plan.trimmed,
        figures=report,
        kb_used=bool(plan.exemplars),
        notes=notes,
        finish_reason=stats.finish_reason,
        request=resolved.task or request,
        messages=plan.messages,
        locked=locked,
    )
    if section is not None:
        result.plan = section.to_json()
        result.plan["parts"] = [
            {
                "kind": p.kind,
                "chars": len(p.text),
                "attempts": p.attempts,
                **({"dropped": p.dropped} if p.dropped else {}),
                **({"echo": True} if p.echo else {}),
            }
            for p in written.parts
        ]
    yield DraftEvent("done", text, result=result)


def _clean_section(text: str, request: str, protect: Sequence[str]) -> str:
    """The joined section through the shared clean-up pass (assistant.cleanup), the figures protected."""
    try:
        from assistant.cleanup import clean_prose
    except ImportError:  # pragma: no cover - the clean-up module ships with this tree
        return text
    return clean_prose(text, request=request, protect=list(protect)).text


def _facts(figures_text: str) -> list[Any]:
    if not figures_text.strip():
        return []
    from assistant.figures import parse_figures

    return parse_figures(figures_text).facts


def _single_call(
    model: BaseChatModel,
    plan: BudgetPlan,
    settings: Settings,
    stats: GenStats,
    n_ctx: int,
    t0: float,
    temperature: float | None,
    length: int,
    max_continuations: int,
) -> Iterator[DraftEvent]:
    """The whole section from one prompt (planned=False); a reply that only echoes the prompt is
    sampled again, hotter, and never kept."""
    temp = temperature
    prefill = ""
    for attempt in range(ECHO_RETRIES + 1):
        yield from (
            DraftEvent("token", piece)
            for piece in stream_generate(
                model,
                plan.messages,
                prefill=prefill,
                max_new_tokens=plan.max_new_tokens,
                n_ctx=n_ctx,
                stats=stats,
                t0=t0,
                temperature=temp,
                max_continuations=max_continuations,
                stop=STOPS,
                enough_chars=length,
            )
        )
        if stats.text.strip() not in ("", prefill) and not _echoes_prompt(stats.text, plan.messages):
            break
        stats.text = ""
        if attempt == ECHO_RETRIES:
            yield DraftEvent(
                "info",
                f"模型连续{attempt + 1}次只复述了提示，没有写出正文；请点“重新生成”或换个说法",
                restart=True,
            )
            break
        # Nothing but an echo of the prompt: sample again, a little hotter each time.
        base = settings.temperature if temperature is None else temperature
        temp = max(0.7 + 0.2 * attempt, base + 0.4 * (attempt + 1))
        if llm_api.supports_prefill(model):
            # A fixed seed can echo at any temperature: start the reply with the house style's own
            # first words, so the model can only go on writing prose.
            prefill = "一是" if items_for(length) > 1 else "今年以来，"
        yield DraftEvent("info", "模型没有写出正文，换个采样温度重试", restart=True)
    if stats.continuations:
        yield DraftEvent("info", f"输出达到长度上限，已自动续写{stats.continuations}次")
    if stats.cut_at_sentence:
        yield DraftEvent("info", f"已超出约{length}字的篇幅，在句末收住")


def _echoes_prompt(text: str, messages: Sequence[BaseMessage]) -> bool:
    """A reply that repeats one of our own prompts (the request, the rules, a 【…】 block) is never
    kept as a draft."""
    from assistant.write import ECHO_MARKS

    flat = re.sub(r"\s", "", text)
    if not flat:
        return True
    if re.search(r"【(?!待补充|待核实|待更新)", text) or ECHO_MARKS.search(
        re.sub(r"【(?:待补充|待核实|待更新)[^】]*】", "", text)
    ):
        return True
    prompts = [re.sub(r"\s", "", str(m.content)) for m in messages if m.type in ("system", "human")]
    size = 16
    windows = [flat[i : i + size] for i in range(0, max(1, len(flat) - size + 1), 4)]
    hits = sum(any(w in p for p in prompts) for w in windows)
    return hits >= max(1, len(windows) // 2)


def _timings(stats: GenStats, total: float, retrieval: float | None = None) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {
        "ttft_s": round(stats.ttft_s, 3) if stats.ttft_s is not None else None,
        "total_s": round(total, 3),
        "prompt_tokens": stats.prompt_tokens,
        "completion_tokens": stats.completion_tokens,
    }
    if retrieval is not None:
        out["retrieval_s"] = round(retrieval, 3)
    if stats.continuations:
        out["continuations"] = stats.continuations
    return out


def collect(events: Iterator[DraftEvent]) -> Any:
    """Run a stream to its end and return the `done` result."""
    result = None
    for ev in events:
        if ev.kind == "done":
            result = ev.result
    if result is None:  # pragma: no cover - every stream ends with done or raises
        raise BiganziError("生成意外中断，没有得到结果")
    return result


def draft_section(
    settings: Settings,
    request: str,
    figures: str | None = None,
    length: int | None = None,
    history: Sequence[Any] | None = None,
    kb: str | None = None,
    temperature: float | None = None,
    **kwargs: Any,
) -> DraftResult:
    return collect(stream_draft(settings, request, figures, length, history, kb, temperature, **kwargs))
