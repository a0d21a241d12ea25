"""The only place the page touches `index`: thin calls to the knowledge-base functions, with the
few conveniences a page needs (an empty list for a knowledge base that does not exist yet)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import BiganziError
from core.settings import Settings
from ui.uploads import is_inside

if TYPE_CHECKING:
    from index.ingest import IngestReport
    from index.registry import DocumentRecord
    from index.store import KbInfo


def list_kbs(settings: Settings) -> list[KbInfo]:
    from index.store import list_kbs as _list

    return _list(settings)


def kb_exists(settings: Settings, name: str) -> bool:
    return (settings.kb_root / name / "registry.sqlite3").exists()


def kb_documents(settings: Settings, name: str) -> list[DocumentRecord]:
    """Documents of a knowledge base, oldest first; none when it has not been created yet."""
    if not kb_exists(settings, name):
        return []
    from index.store import open_kb

    with open_kb(settings, name) as kb:
        return kb.documents()


def create_kb(settings: Settings, name: str) -> str:
    from index.embed import get_embedder
    from index.store import open_kb, validate_name

    name = validate_name(name)
    if kb_exists(settings, name):
        raise BiganziError(f"知识库 {name} 已存在；可直接在上方选择它")
    with open_kb(settings, name, embedder=get_embedder(settings.embedder), create=True):
        pass
    return name


def delete_kb(settings: Settings, name: str) -> None:
    """Delete a knowledge base and the copies of the files uploaded into it from the page."""
    import shutil

    from index.store import delete_kb as _delete

    _delete(settings, name)
    folder = upload_dir(settings, name)
    if folder.is_dir() and is_inside(folder, settings.data_dir / "uploads"):
        shutil.rmtree(folder, ignore_errors=True)


def remove_document(settings: Settings, kb_name: str, doc_ref: str) -> DocumentRecord:
    from index.store import open_kb

    with open_kb(settings, kb_name) as kb:
        record = kb.remove(doc_ref)  # takes the knowledge base's write lock itself
    _drop_upload_copy(settings, kb_name, record.path)
    return record


def ingest(
    settings: Settings,
    paths: Sequence[Path],
    kb_name: str,
    progress: Callable[[int, int, str], None] | None = None,
) -> IngestReport:
    from index.ingest import ingest_paths

    report = ingest_paths(settings, list(paths), kb=kb_name, progress=progress)
    # An upload copy the knowledge base does not record (unreadable, or a duplicate of a stored
    # document) would only linger: remove it.
    for o in report.outcomes:
        if o.status in ("error", "duplicate"):
            _drop_upload_copy(settings, kb_name, o.path)
    return report


def _drop_upload_copy(settings: Settings, kb_name: str, path: str | Path) -> None:
    """Delete the page's own upload copy; a file ingested from elsewhere is left alone."""

    copy = Path(path)
    if copy.is_file() and is_inside(copy, upload_dir(settings, kb_name)):
        copy.unlink()


def upload_dir(settings: Settings, kb_name: str) -> Path:
    """Where uploaded past reports are kept (the knowledge base records their path)."""
    return settings.data_dir / "uploads" / kb_name


# --- drafts: export and proofreading ---------------------------------------------------------------


def exports_dir(session_id: str) -> Path:
    """Per-session folder inside Gradio's upload folder: the server keeps that folder inside the data
    dir (see ui/launch.py) and Gradio serves only files it created there."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()) / "biganzi-exports" / session_id


def export_draft(text: str, folder: Path, stem: str) -> list[Path]:
    """The draft as .md and .docx (GB/T 9704 layout when assistant.export is present)."""
    if not text.strip():
        raise BiganziError("当前稿是空的：先起草或粘贴一段，再导出")
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / f"{stem}.md"
    md.write_text(text.strip() + "\n", encoding="utf-8")
    docx = folder / f"{stem}.docx"
    try:
        from assistant.export import export_docx
    except ImportError:
        _plain_docx(text, docx)
    else:
        export_docx(text, docx)
    return [md, docx]


def _plain_docx(text: str, out: Path) -> None:
    """Until the GB/T 9704 exporter lands: one paragraph per line, East Asian font set explicitly."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "仿宋"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    for line in text.strip().splitlines():
        if line.strip():
            doc.add_paragraph(line.strip())
    doc.save(str(out))


def check_draft(settings: Settings, text: str) -> list[object]:
    """Proofreading findings for the draft (assistant.check)."""
    if not text.strip():
        raise BiganziError("当前稿是空的：先起草或粘贴一段，再校对")
    from assistant.check import CheckOptions, check_text

    return list(check_text(text, CheckOptions.from_settings(settings)))


# --- chat backend ----------------------------------------------------------------------------------


def test_backend(settings: Settings) -> str:
    """测试连接: build the chat model the session would use and ask it for a one-word reply."""
    import time

    from langchain_core.messages import HumanMessage

    from assistant import llm

    t0 = time.perf_counter()
    model = llm.get_chat_model(settings)
    reply = model.invoke([HumanMessage(content="请只回复一个字：好")], max_tokens=8)
    text = reply.content if isinstance(reply.content, str) else str(reply.content)
    seconds = time.perf_counter() - t0
    return f"连接成功：{llm.model_label(model)}，{seconds:.1f} 秒内回复“{' '.join(text.split())[:20]}”"


def fix_draft(settings: Settings, text: str) -> tuple[str, int]:
    """The draft with every finding that carries an exact replacement applied (assistant.check)."""
    from assistant.check import apply_fixes

    return apply_fixes(text, check_draft(settings, text))
