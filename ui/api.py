"""Named API endpoints (gradio_client): the page's main actions as plain JSON in, JSON out.

No `from __future__ import annotations` here: Gradio reads these type hints at run time to describe
each endpoint. Every endpoint is stateless; knowledge-base names are validated by `index.store`.
"""

from collections.abc import Iterator
from typing import Any

from core.errors import BiganziError
from core.settings import Settings
from ui import services
from ui.errors import friendly
from ui.launch import llm_concurrency
from ui.uploads import KB_SUFFIXES, accept_uploads


def _plain(obj: Any) -> Any:
    """Results as JSON-ready data (dataclasses with to_json/to_dict, or as they are)."""
    for attr in ("to_json", "to_dict"):
        fn = getattr(obj, attr, None)
        if callable(fn):
            return fn()
    return obj


def _without_paths(row: dict[str, Any]) -> dict[str, Any]:
    """Server-side paths stay on the server (and a "path" key makes gradio_client fetch a file)."""
    out = {k: v for k, v in row.items() if k != "path"}
    if "path" in row and "name" not in row:
        out["name"] = str(row["path"]).replace("\\", "/").rsplit("/", 1)[-1]
    return out


def build_api(settings: Settings) -> None:
    import gradio as gr

    def kb_of(kb: str) -> Settings:
        return settings.model_copy(update={"kb": kb.strip()}) if kb and kb.strip() else settings

    @friendly
    def draft(
        request: str,
        figures: str = "",
        length: int | None = None,
        kb: str = "",
        temperature: float | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Draft a section in the house style. Streams {"text": so far, "done": false}; the last
        message is the full result: text, sources, figures report, timings, "done": true."""
        from assistant.draft import stream_draft

        st = kb_of(kb)
        so_far = ""
        for ev in stream_draft(
            st,
            request,
            figures=figures or None,
            length=int(length) if length else None,
            kb=st.kb,
            temperature=temperature,
        ):
            if ev.kind == "token":
                so_far += ev.text
                yield {"text": so_far, "done": False}
            elif ev.kind == "done":
                yield {**ev.result.to_json(with_text_of_sources=True), "done": True}

    @friendly
    def rewrite(
        text: str, instruction: str, kb: str = "", temperature: float | None = None
    ) -> dict[str, Any]:
        """Rewrite a paragraph to an instruction; numbers kept. Returns text, diff, ops, notes."""
        from assistant.rewrite import rewrite_text

        st = kb_of(kb)
        return _plain(rewrite_text(st, text, instruction, kb=st.kb, temperature=temperature))

    @friendly
    def update(old_text: str, figures: str) -> dict[str, Any]:
        """套改: last year's paragraph with its figures replaced by the new ones (no model)."""
        from assistant.figures import parse_figures
        from assistant.update import update_text

        facts = parse_figures(figures or "").facts
        if not facts:
            raise BiganziError("没有解析出新数据：请在 figures 里写上今年的数字")
        return _plain(update_text(old_text, facts))

    @friendly
    def parse_figures(text: str, kb: str = "") -> dict[str, Any]:
        """This year's figures → facts (metric, value, unit, period…), the lines not understood, and
        the changes computed in code (against the user's own figures and the knowledge base's)."""
        from assistant.figures import parse_figures as parse
        from ui.figures_panel import DERIVED_HEADERS, derived_rows

        result = parse(text or "")
        data = _plain(result)
        st = kb_of(kb)
        rows = derived_rows(result.facts, st, st.kb)
        data["derived"] = [dict(zip(DERIVED_HEADERS, r, strict=False)) for r in rows]
        return data

    @friendly
    def search(
        query: str, k: int = 5, kb: str = "", year: int | None = None, genre: str = ""
    ) -> list[dict[str, Any]]:
        """Hybrid search of the knowledge base: source, title, section (heading path), text, score."""
        from index.retrieve import search as run

        st = kb_of(kb)
        hits = run(st, query, k=int(k), year=year, genre=genre or None, kb=st.kb)
        return [{**h.to_json(), "year": h.year, "genre": h.genre} for h in hits]

    @friendly
    def list_documents(kb: str = "") -> list[dict[str, Any]]:
        """Documents of a knowledge base: file, title, year, genre, chunk count…"""
        st = kb_of(kb)
        return [_without_paths(d.to_json()) for d in services.kb_documents(st, st.kb)]

    @friendly
    def list_kbs() -> list[dict[str, Any]]:
        """Knowledge bases with their document and chunk counts."""
        return [k.to_json() for k in services.list_kbs(settings)]

    @friendly
    def check(text: str) -> list[dict[str, Any]]:
        """Proofreading findings: rule, severity, line, column, excerpt, message, suggestion."""
        return [_plain(f) for f in services.check_draft(settings, text)]

    llm = {"concurrency_id": "llm", "concurrency_limit": llm_concurrency(settings)}
    gr.api(draft, api_name="draft", **llm)
    gr.api(rewrite, api_name="rewrite", **llm)
    gr.api(update, api_name="update")
    gr.api(parse_figures, api_name="parse_figures")
    gr.api(search, api_name="search")
    gr.api(list_documents, api_name="list_documents")
    gr.api(list_kbs, api_name="list_kbs")
    gr.api(check, api_name="check")

    # Files in and out need components (Gradio checks that an uploaded path is its own upload).
    with gr.Column(visible=False):
        files_in = gr.File(file_count="multiple")
        kb_in = gr.Textbox()
        report_out = gr.JSON()
        text_in = gr.Textbox()
        files_out = gr.File(file_count="multiple")
        ingest_btn = gr.Button()
        export_btn = gr.Button()

    @friendly
    def ingest(files: list[str] | None, kb: str) -> dict[str, Any]:
        st = kb_of(kb)
        checked = accept_uploads(
            files or [], services.upload_dir(st, st.kb), st.data_dir, KB_SUFFIXES, st.max_file_mb
        )
        data: dict[str, Any] = {"kb": st.kb, "files": [], "rejected": [r.__dict__ for r in checked.rejected]}
        if checked.accepted:
            report = services.ingest(st, checked.accepted, st.kb).to_json()
            report["files"] = [_without_paths(f) for f in report["files"]]
            data = {**report, "rejected": data["rejected"]}
        return data

    @friendly
    def export(text: str) -> list[str]:
        import uuid
        from datetime import datetime

        folder = services.exports_dir(f"api-{uuid.uuid4().hex}")
        return [str(p) for p in services.export_draft(text, folder, f"草稿_{datetime.now():%Y%m%d_%H%M%S}")]

    ingest_btn.click(
        ingest,
        [files_in, kb_in],
        [report_out],
        api_name="ingest",
        concurrency_id="ingest",
        concurrency_limit=1,
    )
    export_btn.click(export, [text_in], [files_out], api_name="export")
