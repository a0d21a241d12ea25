"""The writing desk: `build_app(settings) -> gr.Blocks`. Layout only; each tab lives in its own
module and only calls `assistant`/`index` functions and formats what they return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.settings import Settings

if TYPE_CHECKING:
    import gradio as gr

HEADER = (
    '<div class="bgz-header"><h1>笔杆子 · 写作台</h1>'
    "<span>参照往年材料起草工作总结；数字只用您确认的数据，来源逐一标明。</span></div>"
)


def build_app(settings: Settings) -> gr.Blocks:
    import gradio as gr

    from ui.api import build_api
    from ui.desk import build_desk
    from ui.kb_tab import build_kb_tab, kb_status_md
    from ui.report_tab import build_report_tab
    from ui.session import DeskSession, new_session
    from ui.settings_tab import build_settings_tab

    with gr.Blocks(title="笔杆子 · 写作台", analytics_enabled=False, fill_width=True) as app:
        session = gr.State(new_session)
        gr.HTML(HEADER)
        with gr.Tabs():
            with gr.Tab("写作台", id="desk", elem_id="tab-desk") as desk_tab:
                desk = build_desk(settings, session)
            with gr.Tab("整篇报告", id="report", elem_id="tab-report") as report_tab_el:
                report = build_report_tab(settings, session)
            with gr.Tab("知识库", id="kb", elem_id="tab-kb") as kb_tab_el:
                kb = build_kb_tab(settings, session)
            with gr.Tab("设置", id="settings", elem_id="tab-settings"):
                build_settings_tab(settings, session)
        build_api(settings)

        def desk_kb(s: DeskSession) -> str:
            try:
                return kb_status_md(s.settings(settings), s.kb_name(settings))
            except Exception as e:  # a broken KB must not break the page
                from ui.errors import user_message

                return f"当前知识库：**{s.kb_name(settings)}**（{user_message(e)}）"

        def on_load(s: DeskSession) -> tuple[Any, ...]:
            return (*kb.refresh(s), desk_kb(s))

        # quick reads: answered at once, not queued behind drafts
        quick = {"api_visibility": "private", "queue": False}
        app.load(on_load, [session], [*kb.outputs, desk.kb_status], **quick)
        kb_tab_el.select(kb.refresh, [session], kb.outputs, **quick)
        report_tab_el.select(report.refresh, [session], report.outputs, **quick)
        desk_tab.select(desk_kb, [session], [desk.kb_status], **quick)
    app.queue(default_concurrency_limit=8)
    return app
