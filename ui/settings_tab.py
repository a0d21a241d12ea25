"""设置 tab: the chat backend for this browser session only (local model or an OpenAI-compatible
endpoint) with 测试连接; the embedder and data dir are the server's and only shown."""

from __future__ import annotations

from html import escape
from typing import Any

from core.settings import Settings
from ui import render, services
from ui.errors import friendly, user_message
from ui.launch import llm_concurrency
from ui.session import DeskSession

BACKENDS = [
    ("本机模型（local，离线）", "local"),
    ("OpenAI 兼容接口（DeepSeek、通义、vLLM、Ollama…）", "openai"),
]


def server_info_md(settings: Settings) -> str:
    return (
        f"- 数据目录：`{settings.data_dir}`\n"
        f"- 嵌入模型：`{settings.embedder}`（服务端设置；更换后需重新导入知识库）\n"
        f"- 服务端默认模型后端：`{settings.llm}`；默认知识库：`{settings.kb}`\n"
        f"- 单个上传文件上限：{settings.max_file_mb:g} MB"
    )


def build_settings_tab(settings: Settings, session: Any) -> None:
    import gradio as gr

    choices = list(BACKENDS)
    if settings.llm not in {v for _, v in choices}:
        choices.append((f"{settings.llm}（服务端当前后端）", settings.llm))
    gr.Markdown("以下设置只对**当前浏览器会话**生效，不写入磁盘，也不影响其他人。")
    backend = gr.Radio(choices, value=settings.llm, label="模型后端", elem_id="backend")
    with gr.Group():
        base_url = gr.Textbox(
            label="接口地址（base URL）",
            value=settings.openai_base_url or "",
            placeholder="例如 http://127.0.0.1:8000/v1",
            elem_id="openai-base-url",
        )
        api_key = gr.Textbox(
            label="API 密钥", type="password", value="", placeholder="本机服务可留空", elem_id="openai-key"
        )
        model = gr.Textbox(
            label="模型名称",
            value=settings.openai_model or "",
            placeholder="留空则用接口列出的第一个模型",
            elem_id="openai-model",
        )
    with gr.Row():
        apply_btn = gr.Button("应用到本会话", variant="primary", elem_id="settings-apply")
        test_btn = gr.Button("测试连接", elem_id="settings-test")
    status = gr.HTML(elem_id="settings-status")
    gr.Markdown("#### 服务端信息")
    gr.Markdown(server_info_md(settings), elem_id="server-info")

    def _apply(s: DeskSession, backend_v: str, url: str, key: str, model_v: str) -> None:
        s.overrides = {"llm": backend_v or settings.llm}
        if backend_v == "openai":
            s.overrides.update(
                openai_base_url=(url or "").strip() or None,
                openai_api_key=(key or "").strip() or settings.openai_api_key,
                openai_model=(model_v or "").strip() or None,
            )

    @friendly
    def apply(backend_v: str, url: str, key: str, model_v: str, s: DeskSession) -> tuple[Any, ...]:
        _apply(s, backend_v, url, key, model_v)
        where = (
            f"（{escape(s.overrides.get('openai_base_url') or '未填地址')}）" if backend_v == "openai" else ""
        )
        return s, render.messages_html([f"本会话已改用 {backend_v} 后端{where}"], [])

    def test(backend_v: str, url: str, key: str, model_v: str, s: DeskSession) -> tuple[Any, ...]:
        _apply(s, backend_v, url, key, model_v)
        try:
            msg = services.test_backend(s.settings(settings))
        except Exception as e:  # shown in the status line, not as a pop-up
            return s, render.messages_html([], [user_message(e)])
        return s, render.messages_html([msg], [])

    ins = [backend, base_url, api_key, model, session]
    apply_btn.click(apply, ins, [session, status], api_visibility="private")
    test_btn.click(
        test,
        ins,
        [session, status],
        api_visibility="private",
        concurrency_id="llm",
        concurrency_limit=llm_concurrency(settings),
    )
