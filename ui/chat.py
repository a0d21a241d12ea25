"""One chat turn on the writing desk, by mode, without any Gradio: it calls the assistant functions,
streams the reply text and leaves the results on the session (draft, sources, trace, proposal)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.errors import BiganziError
from core.settings import Settings
from ui.session import DeskSession, Proposal, Reply

MODE_DRAFT = "起草段落"
MODE_REWRITE = "改写"
MODE_UPDATE = "套改（用新数据更新旧段落）"
MODE_CHAT = "自由对话"
MODES = [MODE_DRAFT, MODE_REWRITE, MODE_UPDATE, MODE_CHAT]
CONTINUE_REQUEST = "接着上一稿继续往下写，不要重复已写的内容"


def _conversation(settings: Settings, s: DeskSession, length: int) -> Any:
    """The session's multi-turn conversation; a new one when the knowledge base or backend changed."""
    from assistant.conversation import Conversation

    conv = s.conversation
    key = (
        settings.kb,
        settings.llm,
        settings.openai_base_url,
        settings.openai_model,
        settings.openai_api_key,
    )
    if conv is None or s.conversation_key != key:
        conv = Conversation(settings=settings, kb=settings.kb)
        s.conversation, s.conversation_key = conv, key
    conv.length = length
    return conv


def _source_dicts(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(x) for x in sources or []]


def run_draft(
    settings: Settings,
    s: DeskSession,
    message: str,
    length: int,
    temperature: float | None,
    length_fixed: bool = True,
) -> Iterator[str]:
    """起草段落 (and follow-ups that refine the previous draft). Yields the reply so far.
    Unless `length_fixed`, a length written in the message (“约150字”) wins over `length`; figures
    typed in the message join the confirmed ones (assistant.request, inside stream_draft)."""
    from assistant.request import parse_request

    written = parse_request(message).length
    length_note = ""
    if written and not length_fixed:
        length, length_note = written, f"篇幅按消息：约{written}字"
    elif written and written != length:
        length_note = f"篇幅按固定的{length}字（消息里写的是约{written}字）"
    conv = _conversation(settings, s, length)
    figures = s.figures_text or None
    changed = (figures or None) != (conv.figures or None)
    reply, notes, result = "", [], None
    for ev in conv.send(message, figures=figures if changed else None, temperature=temperature):
        if ev.kind == "token":
            reply += ev.text
            yield reply
        elif ev.kind == "info":
            notes.append(ev.text)
            if ev.restart:
                reply = ""
                yield reply
        elif ev.kind == "done":
            result = ev.result
    if result is None:  # pragma: no cover - every stream ends with done or raises
        raise BiganziError("生成意外中断，没有得到结果；请重试")
    kind = conv.turns[-1].kind if conv.turns else "draft"
    s.draft = result.text
    s.last = Reply(
        mode=MODE_DRAFT if kind == "draft" else "修改上一稿",
        request=message,
        text=result.text,
        sources=_source_dicts(result.sources),
        trace=result.figures,
        notes=_dedupe([length_note, *notes, *result.notes]),
        timings=dict(result.timings or {}),
    )
    yield result.text


def run_rewrite(
    settings: Settings, s: DeskSession, instruction: str, source_text: str, temperature: float | None
) -> Iterator[str]:
    """改写: the pasted 原文, or else the current draft, rewritten to the instruction; the result waits
    as a proposal (diff, 接受/放弃)."""
    from assistant.rewrite import stream_rewrite

    original = (source_text or "").strip() or s.draft.strip()
    if not original:
        raise BiganziError("没有要改写的文字：请在“原文”框粘贴段落，或先起草一段")
    reply, notes, result = "", [], None
    for ev in stream_rewrite(settings, original, instruction, kb=settings.kb, temperature=temperature):
        if ev.kind == "token":
            reply += ev.text
            yield reply
        elif ev.kind == "info":
            notes.append(ev.text)
            if ev.restart:
                reply = ""
                yield reply
        elif ev.kind == "done":
            result = ev.result
    if result is None:  # pragma: no cover
        raise BiganziError("改写意外中断，没有得到结果；请重试")
    # A rewrite that came back unchanged is never offered as one: the notes say what could not be done.
    changed = getattr(result, "changed", True)
    s.proposal = (
        Proposal(kind="rewrite", old=original, new=result.text, ops=list(result.diff)) if changed else None
    )
    s.last = Reply(
        mode=MODE_REWRITE,
        request=instruction,
        text=result.text,
        notes=_dedupe([*notes, *result.notes]),
        timings=dict(result.timings or {}),
    )
    yield result.text


def run_update(settings: Settings, s: DeskSession, message: str, source_text: str) -> Iterator[str]:
    """套改: last year's paragraph (原文 box, else the message) with each old figure replaced by the
    confirmed new one; deterministic, no model. Figures typed in the message are used when none
    are confirmed."""
    from assistant.figures import parse_figures
    from assistant.update import update_text

    old = (source_text or "").strip()
    figures = s.figures_text
    if not old:
        old, message = message, ""
    if not old.strip():
        raise BiganziError("请在“原文”框粘贴去年的段落，再发送（新数据在右侧“今年数据”中确认）")
    if not figures.strip():
        figures = message
    facts = parse_figures(figures).facts if figures.strip() else []
    if not facts:
        raise BiganziError("没有可用的新数据：请先在右侧“今年数据”中解析并确认，或把新数据写在消息里")
    result = update_text(old, facts)
    trace = {
        "used": [
            {"metric": r.new_metric or r.metric, "text": r.new}
            for r in result.replacements
            if r.kind == "figure"
        ],
        "computed": [{"metric": d.metric, "text": d.text, "figure": d.figure} for d in result.derived],
    }
    notes = []
    if result.stale_marked:
        notes.append(f"这些旧数据没有对应的新值，已标为【待更新】：{'、'.join(result.stale_marked)}")
    unplaced = [
        str(u.get("text", u) if isinstance(u, dict) else u) for u in result.report.get("unplaced") or []
    ]
    if unplaced:
        notes.append(f"这些新数据在原文中找不到对应位置，未写入：{'、'.join(unplaced)}")
    s.proposal = Proposal(kind="update", old=old, new=result.text, trace=trace)
    s.last = Reply(mode=MODE_UPDATE, request=message, text=result.text, trace=trace, notes=notes)
    yield result.text


def run_chat(settings: Settings, s: DeskSession, message: str, temperature: float | None) -> Iterator[str]:
    """自由对话: a plain conversation with the model in the house-style persona (no drafting rules)."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    from assistant import llm as llm_api
    from assistant.draft import GenStats, clean_output, stream_generate, system_prompt
    from assistant.style import style_profile

    model = llm_api.get_chat_model(settings)
    history = [
        AIMessage(content=t["content"]) if t["role"] == "assistant" else HumanMessage(content=t["content"])
        for t in s.free_turns[-8:]
    ]
    messages = [SystemMessage(content=system_prompt(style_profile(settings, settings.kb))), *history]
    messages.append(HumanMessage(content=message))
    stats = GenStats()
    import time

    reply = ""
    for piece in stream_generate(
        model,
        messages,
        max_new_tokens=768,
        n_ctx=llm_api.context_size(model, settings),
        stats=stats,
        t0=time.perf_counter(),
        temperature=temperature,
    ):
        reply += piece
        yield reply
    text = clean_output(reply) if reply.strip() else reply
    s.free_turns += [{"role": "user", "content": message}, {"role": "assistant", "content": text}]
    s.last = Reply(mode=MODE_CHAT, request=message, text=text)
    yield text


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
