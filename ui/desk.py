"""写作台 tab: chat with streamed replies by mode, the reply's number trace and sources, the rewrite
diff with 接受/放弃, the current draft with export and 校对; the figures panel on the right."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from assistant.rewrite_kinds import CHIPS as REWRITE_CHIPS
from core.errors import BiganziError
from core.settings import Settings
from ui import chat, render, services
from ui.errors import friendly, user_message
from ui.figures_panel import build_figures_panel, show_message_facts
from ui.launch import llm_concurrency
from ui.session import DeskSession, Proposal

FINDING_HEADERS = ["级别", "位置", "问题", "原文", "建议"]
# Gradio sends on the Enter keypress and does not look at IME composition; browsers that report the
# Enter picking a 拼音 candidate (Safari right after compositionend) would send half a message.
# Installed once (on the chat box's first focus), this capture-phase guard keeps such an Enter from
# reaching Gradio; the input method still takes it.
IME_ENTER_GUARD_JS = """() => {
  if (window.__bgzImeGuard) return [];
  window.__bgzImeGuard = true;
  let composing = false, ended = -1e9;
  const inBox = (e) => e.target && e.target.closest && e.target.closest('#chat-input');
  document.addEventListener('compositionstart', (e) => { if (inBox(e)) composing = true; }, true);
  document.addEventListener('compositionend', (e) => {
    if (inBox(e)) { composing = false; ended = performance.now(); }
  }, true);
  const guard = (e) => {
    if (!inBox(e) || e.key !== 'Enter') return;
    if (e.isComposing || e.keyCode === 229 || composing || performance.now() - ended < 80) {
      e.stopImmediatePropagation();
    }
  };
  document.addEventListener('keydown', guard, true);
  document.addEventListener('keypress', guard, true);
  return [];
}"""
SEVERITY_WORDS = {"error": "错误", "warning": "提醒", "info": "提示"}


@dataclass
class Desk:
    kb_status: Any


def bubble_html(s: DeskSession) -> str:
    """The finished assistant bubble for the last reply."""
    last = s.last
    if last is None:
        return ""
    if last.mode == chat.MODE_REWRITE and s.proposal is None:  # nothing usable: say why, show no diff
        return "<b>未能完成改写</b>，原文未改动" + render.notes_html(last.notes)
    if last.mode in (chat.MODE_REWRITE, chat.MODE_UPDATE):
        head = "改写稿" if last.mode == chat.MODE_REWRITE else "套改稿"
        body = render.reply_html(last.text, last.trace) if last.trace else render.trace_html(last.text, [])
        return f"<b>{head}</b>（与原文的对比见下方“修改对比”，接受后替换当前稿）{body}"
    if last.mode == chat.MODE_CHAT:
        return escape(last.text)
    return render.reply_html(last.text, last.trace)


def details_html(s: DeskSession) -> str:
    last = s.last
    if last is None:
        return ""
    parts = [render.report_details_html(last.trace), render.notes_html(last.notes)]
    t = last.timings
    if t.get("total_s") is not None:
        ttft = f"，首字 {t['ttft_s']:.1f} 秒" if t.get("ttft_s") is not None else ""
        parts.append(f'<div class="bgz-notes">用时 {t["total_s"]:.1f} 秒{ttft}</div>')
    return "".join(p for p in parts if p)


def proposal_html(s: DeskSession) -> str:
    p = s.proposal
    if p is None:
        return ""
    diff = render.ops_html(p.ops) if p.ops else render.diff_html(p.old, p.new)
    return diff + render.legend_html(p.new, render.report_marks(p.new, p.trace)) if p.trace else diff


def finding_rows(findings: list[Any]) -> list[list[str]]:
    rows = []
    for f in findings:
        where = f"第{f.line}行" + (f"第{f.column + 1}字" if getattr(f, "column", None) is not None else "")
        fix = f.suggestion or (f"改为“{f.replacement}”" if f.replacement else "")
        rows.append([SEVERITY_WORDS.get(f.severity, f.severity), where, f.message, f.excerpt, fix])
    return rows


# Sessions whose reply is being generated now (the 停止 button acts only on those).
RUNNING: set[str] = set()
STOPPED_NOTE = "（已停止）"


def stop_reply(s: DeskSession) -> tuple[list[dict[str, str]], DeskSession]:
    """停止: end this session's running generation at the next token (the model is free for the
    next person in line) and mark the reply as stopped. A reply still waiting in line is dropped."""
    from assistant import llm as llm_api

    if s.id not in RUNNING and not s.queued:
        return list(s.chat), s
    model = getattr(s.conversation, "model", None)
    if model is not None:
        llm_api.cancel(model)
    RUNNING.discard(s.id)
    if s.chat and s.chat[-1]["role"] == "assistant":
        text = s.chat[-1]["content"]
        waiting = s.queued or text in ("…", "（排队等待模型…）")
        s.chat[-1]["content"] = STOPPED_NOTE if waiting else f"{text}{STOPPED_NOTE}"
    s.queued = False
    return list(s.chat), s


def build_desk(settings: Settings, session: Any) -> Desk:
    import gradio as gr

    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            mode = gr.Radio(chat.MODES, value=chat.MODE_DRAFT, label="模式", elem_id="mode")
            chatbot = gr.Chatbot(
                label="对话",
                height=440,
                elem_id="chat",
                feedback_options=None,
                buttons=["copy"],
                placeholder="说说要写什么，例如：参照往年写法，起草今年“综合施策护基金”一段，约300字。",
            )
            with gr.Row(equal_height=True):
                message = gr.Textbox(
                    show_label=False,
                    placeholder="写作要求，或对上一稿的修改意见（如：再精炼一些）。Enter 发送，Shift+Enter 换行",
                    # Gradio 6: a one-line box sends on Enter and takes Shift+Enter as a new line (it
                    # grows up to max_lines); with lines > 1 it would be the other way round.
                    lines=1,
                    max_lines=8,
                    scale=6,
                    elem_id="chat-input",
                )
                send_btn = gr.Button("发送", variant="primary", scale=1, elem_id="send")
                stop_btn = gr.Button("停止", variant="stop", scale=1, min_width=60, elem_id="stop")
            with gr.Row():
                regen_btn = gr.Button("重新生成", size="sm", elem_id="regenerate")
                cont_btn = gr.Button("继续", size="sm", elem_id="continue")
                new_btn = gr.Button("新对话", size="sm", elem_id="new-chat")
            with gr.Row(visible=False, elem_id="rewrite-chips") as chips_row:
                chip_btns = [
                    (gr.Button(label, size="sm", elem_id=f"chip-{i}", min_width=60), instruction)
                    for i, (label, instruction) in enumerate(REWRITE_CHIPS)
                ]
            source = gr.Textbox(
                label="原文（改写、套改时使用；改写时留空则改写当前稿）",
                lines=4,
                visible=False,
                elem_id="source-text",
            )
            details = gr.HTML(elem_id="reply-details")
            with gr.Group(visible=False, elem_id="proposal") as proposal_box:
                gr.Markdown("#### 修改对比（红色删除，绿色新增）")
                diff = gr.HTML()
                picks = gr.CheckboxGroup(
                    [], label="逐处选择（取消勾选的改动不采用）", visible=False, elem_id="proposal-changes"
                )
                with gr.Row():
                    accept_btn = gr.Button("接受修改", variant="primary", elem_id="accept")
                    reject_btn = gr.Button("放弃修改", elem_id="reject")
            with gr.Accordion("参考的往年段落", open=False, elem_id="sources-box"):
                sources = gr.HTML(render.sources_html([]), elem_id="sources")
            with gr.Accordion("当前稿", open=True):
                draft = gr.Textbox(
                    show_label=False,
                    lines=8,
                    placeholder="起草或接受修改后，当前稿在这里；可以直接修改，导出和校对以此为准。",
                    elem_id="draft",
                )
                with gr.Row():
                    export_btn = gr.Button("导出 .md 和 .docx", elem_id="export")
                    check_btn = gr.Button("校对当前稿", elem_id="check")
                    fix_btn = gr.Button("按校对建议修正", elem_id="fix")
                files = gr.File(
                    label="下载", file_count="multiple", interactive=False, visible=False, elem_id="downloads"
                )
                findings = gr.HTML(elem_id="findings")
        with gr.Column(scale=2, min_width=320):
            kb_status = gr.Markdown(elem_id="desk-kb")
            with gr.Row():
                length = gr.Slider(
                    50,
                    2000,
                    value=300,
                    step=10,
                    label="篇幅（字）",
                    info="消息里写了字数（如“约150字”）时按消息",
                    elem_id="length",
                )
                temperature = gr.Slider(
                    0.0,
                    1.5,
                    value=settings.temperature,
                    step=0.05,
                    label="温度（越高越多样）",
                    elem_id="temperature",
                )
            length_fixed = gr.Checkbox(
                False, label="固定篇幅：不按消息里写的字数", elem_id="length-fixed", container=False
            )
            figures_panel = build_figures_panel(settings, session)

    chat_outputs = [chatbot, message, details, sources, proposal_box, diff, draft, session]

    def _final(s: DeskSession, clear_input: bool = True) -> tuple[Any, ...]:
        show_sources = s.last is not None and s.last.mode != chat.MODE_CHAT and s.last.sources is not None
        return (
            list(s.chat),
            "" if clear_input else gr.skip(),
            details_html(s),
            render.sources_html(s.last.sources) if show_sources and s.last else gr.skip(),
            gr.update(visible=s.proposal is not None),
            proposal_html(s),
            s.draft,
            s,
        )

    def _streaming(s: DeskSession) -> tuple[Any, ...]:
        return (list(s.chat), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip())

    def _run(
        s: DeskSession, user_text: str, shown: str, runner: Callable[[], Iterator[str]]
    ) -> Iterator[tuple[Any, ...]]:
        if s.queued:  # the message is already on screen (see `enqueue`)
            s.queued = False
            s.chat[-1]["content"] = "…"
        else:
            s.chat.append({"role": "user", "content": escape(shown)})
            s.chat.append({"role": "assistant", "content": "…"})
        s.proposal = None
        yield (*_streaming(s)[:4], gr.update(visible=False), "", gr.skip(), s)
        RUNNING.add(s.id)  # 停止 (stop_reply) looks here
        try:
            for partial in runner():
                s.chat[-1]["content"] = escape(partial) or "…"
                yield _streaming(s)
        except Exception as e:
            s.chat[-1]["content"] = f"⚠ {escape(user_message(e))}"
            yield _final(s)
            raise
        finally:
            RUNNING.discard(s.id)
        s.chat[-1]["content"] = bubble_html(s)
        yield _final(s)

    def _runner(
        st: Settings,
        s: DeskSession,
        mode: str,
        text: str,
        length: int,
        temp: float,
        src: str,
        fixed: bool = True,
    ) -> Callable[[], Iterator[str]]:
        if mode == chat.MODE_REWRITE:
            return lambda: chat.run_rewrite(st, s, text, src, temp)
        if mode == chat.MODE_UPDATE:
            return lambda: chat.run_update(st, s, text, src)
        if mode == chat.MODE_CHAT:
            return lambda: chat.run_chat(st, s, text, temp)
        return lambda: chat.run_draft(st, s, text, int(length), temp, length_fixed=bool(fixed))

    def enqueue(text: str, mode: str, s: DeskSession) -> tuple[Any, ...]:
        """Show the user's message at once, before the model is free: with the local model a request
        may wait in the queue, and its place is shown on the chat while it waits."""
        text = (text or "").strip()
        if not text and mode != chat.MODE_UPDATE:
            return gr.skip(), s
        s.chat.append({"role": "user", "content": escape(text or "（用确认的数据套改原文）")})
        s.chat.append({"role": "assistant", "content": "（排队等待模型…）"})
        s.queued = True
        return list(s.chat), s

    @friendly
    def send(
        text: str, mode: str, length: float, temp: float, src: str, fixed: bool, s: DeskSession
    ) -> Iterator[tuple[Any, ...]]:
        text = (text or "").strip()
        if not text and mode != chat.MODE_UPDATE:
            raise BiganziError("请先输入写作要求或修改意见")
        st = s.settings(settings)
        shown = text or "（用确认的数据套改原文）"
        yield from _run(s, text, shown, _runner(st, s, mode, text, int(length), temp, src, fixed))

    @friendly
    def regenerate(
        mode: str, length: float, temp: float, src: str, fixed: bool, s: DeskSession
    ) -> Iterator[tuple[Any, ...]]:
        if s.last is None or len(s.chat) < 2:
            raise BiganziError("还没有可以重新生成的回复")
        request = s.last.request
        mode = {"修改上一稿": chat.MODE_DRAFT}.get(s.last.mode, s.last.mode)
        shown = s.chat[-2]["content"]
        del s.chat[-2:]
        if mode == chat.MODE_DRAFT and s.conversation is not None:
            s.conversation.undo()
        elif mode == chat.MODE_CHAT:
            del s.free_turns[-2:]
        st = s.settings(settings)
        runner = _runner(st, s, mode, request, int(length), temp, src, fixed)
        yield from _run(s, request, _unescape(shown), runner)

    @friendly
    def continue_(mode: str, length: float, temp: float, s: DeskSession) -> Iterator[tuple[Any, ...]]:
        st = s.settings(settings)
        if mode == chat.MODE_CHAT:
            yield from _run(s, "请继续", "继续", lambda: chat.run_chat(st, s, "请继续", temp))
            return
        if not s.draft.strip() or s.conversation is None:
            raise BiganziError("还没有可以续写的草稿：先在“起草段落”模式下起草一段")
        request = chat.CONTINUE_REQUEST
        yield from _run(s, request, "继续", lambda: chat.run_draft(st, s, request, int(length), temp))

    def new_chat(s: DeskSession) -> tuple[Any, ...]:
        s.reset_chat()
        return (
            [],
            "",
            "",
            render.sources_html([]),
            gr.update(visible=False),
            "",
            gr.skip(),
            s,
        )

    def show_picks(s: DeskSession) -> Any:
        """One checkbox per change of a rewrite's diff (open-canvas style accept/reject per change)."""
        from assistant.rewrite import changes

        items = changes(s.proposal.ops) if s.proposal is not None and s.proposal.ops else []
        return gr.update(choices=items, value=items, visible=len(items) > 1)

    @friendly
    def accept(s: DeskSession, picked: list[str] | None = None) -> tuple[Any, ...]:
        if s.proposal is None:
            return _final(s, clear_input=False)
        if s.proposal.ops and picked is not None:
            from assistant.rewrite import apply_picked, changes

            names = changes(s.proposal.ops)
            if len(picked) < len(names):
                s.proposal.new = apply_picked(s.proposal.ops, {names.index(p) for p in picked if p in names})
        s.draft = s.proposal.new
        s.proposal = None
        s.chat.append({"role": "assistant", "content": "已接受修改，当前稿已更新。"})
        return _final(s, clear_input=False)

    def reject(s: DeskSession) -> tuple[Any, ...]:
        if s.proposal is None:
            return _final(s, clear_input=False)
        s.proposal = None
        s.chat.append({"role": "assistant", "content": "已放弃修改，当前稿保持不变。"})
        return _final(s, clear_input=False)

    def edit_draft(text: str, s: DeskSession) -> DeskSession:
        s.draft = text or ""
        return s

    @friendly
    def export_files(text: str, s: DeskSession) -> Any:
        stem = f"草稿_{datetime.now():%Y%m%d_%H%M%S}"
        s.exports += 1
        paths = services.export_draft(text or s.draft, services.exports_dir(s.id), stem)
        return gr.update(value=[str(p) for p in paths], visible=True)

    @friendly
    def proofread(text: str, s: DeskSession) -> str:
        found = services.check_draft(s.settings(settings), text or s.draft)
        if not found:
            return '<div class="bgz-ok">校对未发现问题。</div>'
        table = render.table_html(FINDING_HEADERS, finding_rows(found))
        return f'<div data-testid="findings"><b>校对发现 {len(found)} 处</b>{table}</div>'

    @friendly
    def fix(text: str, s: DeskSession) -> tuple[Any, ...]:
        text = text or s.draft
        fixed, n = services.fix_draft(s.settings(settings), text)
        if not n:
            s.chat.append({"role": "assistant", "content": "校对没有可自动修正的问题。"})
            return _final(s, clear_input=False)
        s.proposal = Proposal(kind="fix", old=text, new=fixed)
        s.chat.append(
            {"role": "assistant", "content": f"按校对建议修正了 {n} 处，请在“修改对比”中查看后接受或放弃。"}
        )
        return _final(s, clear_input=False)

    def mode_changed(m: str) -> tuple[Any, Any]:
        return (
            gr.update(visible=m in (chat.MODE_REWRITE, chat.MODE_UPDATE)),
            gr.update(visible=m == chat.MODE_REWRITE),
        )

    stream_kw: dict[str, Any] = {
        "concurrency_id": "llm",
        "concurrency_limit": llm_concurrency(settings),
        "show_progress": "minimal",
        "show_progress_on": [chatbot],
    }
    inputs = [message, mode, length, temperature, source, length_fixed, session]
    # Figures typed in a draft request show in the figures panel as taken from the message.
    panel_kw: dict[str, Any] = {"api_visibility": "private", "queue": False}
    message_figures = ([figures_panel.table, session], [figures_panel.table, figures_panel.status])
    show = {"inputs": [message, mode, session], "outputs": [chatbot, session], "queue": False}
    sent = send_btn.click(enqueue, api_visibility="private", **show).then(
        send, inputs, chat_outputs, api_name="chat", **stream_kw
    )
    sent.success(show_message_facts, *message_figures, **panel_kw)
    submitted = message.submit(enqueue, api_visibility="private", **show).then(
        send, inputs, chat_outputs, api_visibility="private", **stream_kw
    )
    submitted.success(show_message_facts, *message_figures, **panel_kw)
    regenerated = regen_btn.click(
        regenerate,
        [mode, length, temperature, source, length_fixed, session],
        chat_outputs,
        api_visibility="private",
        **stream_kw,
    )
    regenerated.success(show_message_facts, *message_figures, **panel_kw)
    continued = cont_btn.click(
        continue_, [mode, length, temperature, session], chat_outputs, api_visibility="private", **stream_kw
    )
    # 停止: Gradio cancels this browser's running (or queued) reply and closes its generator, which
    # closes the model stream; stop_reply also tells the model to stop at once. The next in line goes on.
    stop_btn.click(
        stop_reply,
        [session],
        [chatbot, session],
        cancels=[sent, submitted, regenerated, continued],
        api_visibility="private",
        queue=False,
    )
    new_btn.click(new_chat, [session], chat_outputs, api_visibility="private", queue=False)
    accept_btn.click(accept, [session, picks], chat_outputs, api_visibility="private")
    diff.change(show_picks, [session], [picks], api_visibility="private", queue=False)
    reject_btn.click(reject, [session], chat_outputs, api_visibility="private")
    draft.input(edit_draft, [draft, session], [session], api_visibility="private", show_progress="hidden")
    export_btn.click(export_files, [draft, session], [files], api_visibility="private")
    check_btn.click(proofread, [draft, session], [findings], api_visibility="private")
    fix_btn.click(fix, [draft, session], chat_outputs, api_visibility="private")
    mode.change(mode_changed, [mode], [source, chips_row], api_visibility="private", queue=False)
    for chip, instruction in chip_btns:  # a chip sends its instruction, as if typed
        chip.click(lambda i=instruction: i, None, [message], api_visibility="private", queue=False).then(
            enqueue, api_visibility="private", **show
        ).then(send, inputs, chat_outputs, api_visibility="private", **stream_kw)
    message.focus(None, js=IME_ENTER_GUARD_JS, api_visibility="private", queue=False, show_progress="hidden")
    return Desk(kb_status=kb_status)


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text)
