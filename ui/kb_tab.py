"""知识库 tab: create / switch / delete knowledge bases, upload past reports (several at once, drag
and drop, with progress), list documents, remove one. Per-file problems are listed in plain words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.errors import BiganziError
from core.settings import Settings
from ui import render, services
from ui.errors import friendly, user_message
from ui.session import DeskSession
from ui.uploads import KB_SUFFIXES, accept_uploads

DOC_HEADERS = ["文件", "标题", "年份", "文种", "段落数", "字数", "说明", "编号"]
STATUS_WORDS = {
    "added": "已导入",
    "unchanged": "未变化（已在库中）",
    "replaced": "已更新为新版本",
    "duplicate": "重复",
}


@dataclass
class KbTab:
    refresh: Callable[[DeskSession], tuple[Any, ...]]  # (session) -> values for `outputs`
    outputs: list[Any]


def doc_rows(docs: list[Any]) -> list[list[Any]]:
    by_id = {d.doc_id: d for d in docs}
    rows = []
    for d in docs:
        note = ""
        if d.duplicate_of:
            twin = by_id.get(d.duplicate_of)
            note = f"与 {twin.source if twin else d.duplicate_of[:10]} 高度相似"
        rows.append(
            [d.source, d.title, d.year or "", d.genre or "", d.n_chunks, d.n_chars, note, d.doc_id[:12]]
        )
    return rows


def kb_status_md(settings: Settings, name: str) -> str:
    info = next((k for k in services.list_kbs(settings) if k.name == name), None)
    if info is None:
        return f"当前知识库：**{name}**（尚未建立，上传材料后自动建立）"
    return (
        f"当前知识库：**{name}**（{info.documents} 篇文档，{info.chunks} 个段落；嵌入模型 {info.embedder}）"
    )


def ingest_html(report: Any, rejected: list[str]) -> str:
    ok: list[str] = [report.summary()]
    for o in report.outcomes:
        if o.status == "error":
            continue
        line = f"{o.name}：{STATUS_WORDS.get(o.status, o.status)}"
        if o.status in ("added", "replaced"):
            line += f"，{o.n_chunks} 个段落"
        if o.duplicate_of:
            line += f"（与 {o.duplicate_source or o.duplicate_of[:10]} 内容相同或高度相似）"
        ok.append(line)
    errors = rejected + [o.message or f"{o.name}：导入失败" for o in report.errors]
    return render.messages_html(ok, errors)


def build_kb_tab(settings: Settings, session: Any) -> KbTab:
    import gradio as gr

    gr.Markdown("把往年的总结、述职报告等材料放进知识库，起草时会参照其中的写法。")
    with gr.Row():
        kb_select = gr.Dropdown(
            label="当前知识库", choices=[], value=None, scale=2, interactive=True, elem_id="kb-select"
        )
        with gr.Column(scale=2):
            new_name = gr.Textbox(
                label="新建知识库", placeholder="名称，例如 医保局往年材料", elem_id="kb-new-name"
            )
            create_btn = gr.Button("新建知识库", size="sm", elem_id="kb-create")
    kb_status = gr.Markdown(elem_id="kb-status")
    upload = gr.File(
        label=f"上传往年材料：可多选、可拖放；支持 {' '.join(KB_SUFFIXES)}，单个不超过 {settings.max_file_mb:g} MB",
        file_count="multiple",
        elem_id="kb-upload",
    )
    ingest_result = gr.HTML(elem_id="kb-ingest-result")
    docs = gr.Dataframe(
        headers=DOC_HEADERS, value=[], interactive=False, wrap=True, label="文档列表", elem_id="kb-docs"
    )
    with gr.Group():
        doc_pick = gr.Dropdown(label="选择要删除的文档", choices=[], elem_id="kb-doc-pick")
        remove_btn = gr.Button("删除所选文档", variant="stop", size="sm", elem_id="kb-remove-doc")
    with gr.Accordion("删除整个知识库", open=False):
        delete_btn = gr.Button("删除当前知识库…", variant="stop", elem_id="kb-delete")
        confirm_btn = gr.Button(
            "确认删除（不可恢复）", variant="stop", visible=False, elem_id="kb-confirm-delete"
        )
    kb_message = gr.HTML(elem_id="kb-message")

    def _view(s: DeskSession) -> tuple[Any, ...]:
        st = s.settings(settings)
        name = s.kb_name(settings)
        names = [k.name for k in services.list_kbs(st)]
        if name not in names:
            names.append(name)
        docs_list = services.kb_documents(st, name)
        picks = [(f"{d.source}（{d.title}）", d.doc_id) for d in docs_list]
        return (
            gr.update(choices=names, value=name),
            kb_status_md(st, name),
            doc_rows(docs_list),
            gr.update(choices=picks, value=None),
        )

    view_outputs = [kb_select, kb_status, docs, doc_pick]

    @friendly
    def refresh(s: DeskSession) -> tuple[Any, ...]:
        return _view(s)

    @friendly
    def switch(name: str | None, s: DeskSession) -> tuple[Any, ...]:
        if name:
            s.kb = name
        return (s, *_view(s), "")

    @friendly
    def create(name: str, s: DeskSession) -> tuple[Any, ...]:
        if not (name or "").strip():
            raise BiganziError("请先填写新知识库的名称")
        s.kb = services.create_kb(s.settings(settings), name)
        return (s, *_view(s), "", render.messages_html([f"已新建并切换到知识库 {s.kb}"], []))

    def ask_delete(s: DeskSession) -> Any:
        return gr.update(visible=True, value=f"确认删除知识库 {s.kb_name(settings)}（不可恢复）")

    @friendly
    def confirm_delete(s: DeskSession) -> tuple[Any, ...]:
        name = s.kb_name(settings)
        services.delete_kb(s.settings(settings), name)
        s.kb = None if name != settings.kb else settings.kb
        msg = render.messages_html([f"已删除知识库 {name}"], [])
        return (s, *_view(s), gr.update(visible=False), msg)

    @friendly
    def remove_doc(doc_id: str | None, s: DeskSession) -> tuple[Any, ...]:
        if not doc_id:
            raise BiganziError("请先在下拉框中选择要删除的文档")
        rec = services.remove_document(s.settings(settings), s.kb_name(settings), doc_id)
        return (*_view(s), render.messages_html([f"已从知识库删除 {rec.source}"], []))

    track = gr.Progress()  # Gradio sees a Progress default and injects the live tracker

    @friendly
    def upload_files(files: list[str] | None, s: DeskSession, progress: Any = track) -> tuple[Any, ...]:
        if not files:
            return (None, "", *_view(s))
        st = s.settings(settings)
        name = s.kb_name(settings)
        checked = accept_uploads(
            files, services.upload_dir(st, name), st.data_dir, KB_SUFFIXES, st.max_file_mb
        )
        if not checked.accepted:
            return (None, render.messages_html([], checked.messages()), *_view(s))
        progress(0.0, desc=f"导入 {len(checked.accepted)} 个文件…")

        def tick(done: int, total: int, path: str) -> None:
            progress((done, total), desc=f"已处理 {path.rsplit('/', 1)[-1]}", unit="个文件")

        try:
            report = services.ingest(st, checked.accepted, name, progress=tick)
        except BiganziError as e:
            return (None, render.messages_html([], [*checked.messages(), user_message(e)]), *_view(s))
        return (None, ingest_html(report, checked.messages()), *_view(s))

    create_btn.click(
        create,
        [new_name, session],
        [session, *view_outputs, new_name, kb_message],
        api_visibility="private",
    )
    kb_select.input(
        switch, [kb_select, session], [session, *view_outputs, kb_message], api_visibility="private"
    )
    delete_btn.click(ask_delete, [session], [confirm_btn], api_visibility="private")
    confirm_btn.click(
        confirm_delete, [session], [session, *view_outputs, confirm_btn, kb_message], api_visibility="private"
    )
    remove_btn.click(remove_doc, [doc_pick, session], [*view_outputs, kb_message], api_visibility="private")
    upload.upload(
        upload_files,
        [upload, session],
        [upload, ingest_result, *view_outputs],
        concurrency_id="ingest",
        concurrency_limit=1,
        show_progress="full",
        show_progress_on=[ingest_result],
        api_visibility="private",
    )
    return KbTab(refresh=refresh, outputs=view_outputs)
