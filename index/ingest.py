"""Ingest: files → load → clean → structure → chunk → embed → store, one whole document at a time.

    report = ingest_paths(settings, ["往年材料/"], kb="default")

Per file: a file already in the knowledge base with the same content is "unchanged"; the same
content under another path is a "duplicate" (not stored twice); a known path with new content
"replaced" its old version; anything unreadable is an error line and the other files go on.

Throughput: chunks of several documents are embedded in one batch (the e5 engine spreads a batch
over all cores), a chunk whose embedded text is already stored — exactly, or up to numbers and
placeholders (last year's paragraph with new figures) — reuses that vector, and the next batch is
prepared (parsing, jieba) while the current one is being embedded.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np

from core.errors import BiganziError
from core.settings import Settings
from index import dedup
from index.embed import BaseEmbedder, get_embedder
from index.lexical import chunk_tokens
from index.models import Chunk
from index.registry import ChunkRecord, DocumentRecord
from index.store import REGISTRY_FILE, DocumentWrite, KnowledgeBase, delete_kb, open_kb, validate_name

Status = Literal["added", "unchanged", "replaced", "duplicate", "error"]
Progress = Callable[[int, int, str], None]  # (files done, files total, file just finished)

# Texts embedded per batch: enough to keep both cores busy between Python-side work.
EMBED_BATCH = 64


@dataclass
class FileOutcome:
    path: str
    status: Status
    doc_id: str = ""
    title: str = ""
    n_chunks: int = 0
    n_chars: int = 0
    duplicate_of: str | None = None  # exact copy of (duplicate) / near-duplicate of (added, replaced)
    duplicate_source: str = ""
    message: str = ""
    seq: int = field(default=0, repr=False)  # input order; outcomes finish out of order (batching)

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass
class IngestReport:
    kb: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_reused: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    def _by(self, status: Status) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def added(self) -> list[FileOutcome]:
        return self._by("added")

    @property
    def unchanged(self) -> list[FileOutcome]:
        return self._by("unchanged")

    @property
    def replaced(self) -> list[FileOutcome]:
        return self._by("replaced")

    @property
    def duplicates(self) -> list[FileOutcome]:
        return self._by("duplicate")

    @property
    def errors(self) -> list[FileOutcome]:
        return self._by("error")

    @property
    def near_duplicates(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status in ("added", "replaced") and o.duplicate_of]

    @property
    def chars(self) -> int:
        return sum(o.n_chars for o in self.outcomes if o.status in ("added", "replaced"))

    @property
    def ok(self) -> bool:
        return not self.errors and not self.interrupted

    def summary(self) -> str:
        parts = [f"新增 {len(self.added)} 篇", f"未变 {len(self.unchanged)} 篇"]
        if self.replaced:
            parts.append(f"更新 {len(self.replaced)} 篇")
        if self.duplicates:
            parts.append(f"重复 {len(self.duplicates)} 篇（未重复存储）")
        if self.errors:
            parts.append(f"失败 {len(self.errors)} 个")
        return f"知识库 {self.kb}：" + "，".join(parts)

    def to_json(self) -> dict[str, object]:
        return {
            "kb": self.kb,
            "files": [{k: v for k, v in o.__dict__.items() if k != "seq"} for o in self.outcomes],
            "chunks_embedded": self.chunks_embedded,
            "chunks_reused": self.chunks_reused,
            "chars": self.chars,
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
        }


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C during an ingest; carries what was completed (whole documents only)."""

    def __init__(self, report: IngestReport) -> None:
        super().__init__()
        self.report = report


@dataclass
class ChunkedDoc:
    """A document that is already chunked (tests, benchmarks, other front ends): `ingest_chunks` takes these."""

    source: str  # file name shown in citations
    chunks: list[Chunk]
    text: str = ""  # cleaned full text (its hash is the document id); default: the chunks joined
    path: str = ""  # identity for "same file, new content"; default: source
    title: str | None = None
    year: int | None = None
    org: str | None = None
    genre: str | None = None

    @property
    def full_text(self) -> str:
        return self.text or "\n".join(c.text for c in self.chunks)


def chunk_records(doc_id: str, source: str, chunks: list[Chunk], title: str = "") -> list[ChunkRecord]:
    """Registry rows for a document's chunks: ids, jieba tokens, hashes and MinHash signatures."""
    records = []
    for c in chunks:
        sig = dedup.minhash(c.text)
        records.append(
            ChunkRecord(
                id=f"{doc_id[:20]}-{c.position:05d}",
                doc_id=doc_id,
                position=c.position,
                text=c.text,
                heading_path=list(c.heading_path),
                section_kind=c.section_kind,
                source=source,
                title=c.title or title,
                year=c.year,
                org=c.org,
                genre=c.genre,
                tokens=chunk_tokens(c.heading_path, c.text),
                embed_hash=dedup.vector_key(c.embed_text),
                norm_hash=dedup.norm_hash(c.text),
                minhash=dedup.to_blob(sig),
            )
        )
    return records


@dataclass
class _Prepared:
    outcome: FileOutcome
    doc: DocumentRecord
    chunks: list[ChunkRecord]
    doc_sig: np.ndarray | None
    chunk_sigs: list[np.ndarray | None]
    replaces: list[DocumentRecord]


def iter_files(paths: Iterable[str | Path], exclude: Path | None = None) -> Iterator[tuple[Path, str | None]]:
    """(file, problem) for every path; folders recursively, skipping hidden files and folders, Office
    lock files (~$…) and anything under `exclude` (our own data directory)."""
    skip = exclude.resolve() if exclude is not None else None
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if not f.is_file() or any(part.startswith((".", "~$")) for part in rel):
                    continue
                if skip is not None and f.resolve().is_relative_to(skip):
                    continue
                yield f, None
        elif p.exists():
            yield p, None
        else:
            yield p, f"{p.name}：找不到文件或文件夹（{p}）"


def ingest_paths(
    settings: Settings,
    paths: Iterable[str | Path],
    kb: str | None = None,
    progress: Progress | None = None,
    embedder: BaseEmbedder | None = None,
) -> IngestReport:
    """Ingest files and folders into a knowledge base (created if missing). Never raises for a bad file;
    Ctrl-C raises IngestInterrupted after the last whole document."""
    return _ingest(settings, list(iter_files(paths, exclude=settings.data_dir)), kb, progress, embedder)


def ingest_chunks(
    settings: Settings,
    docs: Iterable[ChunkedDoc],
    kb: str | None = None,
    progress: Progress | None = None,
    embedder: BaseEmbedder | None = None,
) -> IngestReport:
    """Ingest already-chunked documents, with the same dedup, embedding and crash safety as files."""
    return _ingest(settings, list(docs), kb, progress, embedder)


def _ingest(
    settings: Settings,
    items: list[tuple[Path, str | None] | ChunkedDoc],
    kb: str | None,
    progress: Progress | None,
    embedder: BaseEmbedder | None,
) -> IngestReport:
    started = time.perf_counter()
    embedder = embedder or get_embedder(settings.embedder)
    name = validate_name(kb or settings.kb)
    existed = (settings.kb_root / name / REGISTRY_FILE).exists()
    base = open_kb(settings, name, embedder=embedder, create=True)
    report = IngestReport(kb=base.name)
    try:
        with base.writing():
            _Run(settings, base, embedder, report, progress, len(items)).run(items)
    except KeyboardInterrupt:
        report.interrupted = True
        report.seconds = time.perf_counter() - started
        raise IngestInterrupted(report) from None
    finally:
        report.outcomes.sort(key=lambda o: o.seq)
        empty = base.registry.count()[0] == 0
        base.close()
        if not existed and empty:
            delete_kb(settings, name)  # nothing could be imported: leave no empty knowledge base behind
    report.seconds = time.perf_counter() - started
    return report


class _Run:
    def __init__(
        self,
        settings: Settings,
        kb: KnowledgeBase,
        embedder: BaseEmbedder,
        report: IngestReport,
        progress: Progress | None,
        total: int,
    ) -> None:
        self.settings = settings
        self.kb = kb
        self.embedder = embedder
        self.report = report
        self.progress = progress
        self.total = total
        self.done = 0
        self.seq = 0
        self.seen_docs: dict[str, FileOutcome] = {}  # doc_id -> first outcome in this run

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def _finish(self, outcome: FileOutcome, recorded: bool = False) -> None:
        if not recorded:
            self.report.outcomes.append(outcome)
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, outcome.path)

    def run(self, items: Iterable[tuple[Path, str | None] | ChunkedDoc]) -> None:
        batch: list[_Prepared] = []
        pending: Future[tuple[list[_Prepared], np.ndarray, int]] | None = None
        # One worker thread embeds (the C engine releases the GIL) while this thread parses the next
        # files; the registry and Chroma are only touched from this thread.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
        try:
            for item in items:
                prepared = self._prepare(item)
                if prepared is None:
                    continue
                batch.append(prepared)
                if sum(len(p.chunks) for p in batch) >= EMBED_BATCH:
                    if pending is not None:
                        self._commit(*pending.result())
                    pending = self._submit(pool, batch)
                    batch = []
            if pending is not None:
                self._commit(*pending.result())
                pending = None
            if batch:
                self._commit(*self._submit(pool, batch).result())
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    # --- per file ----------------------------------------------------------------------------------
    def _prepare(self, item: tuple[Path, str | None] | ChunkedDoc) -> _Prepared | None:
        if isinstance(item, ChunkedDoc):
            return self._prepare_chunked(item)
        path, problem = item
        outcome = FileOutcome(path=str(path), status="error", seq=self._next_seq())
        if problem:
            outcome.message = problem
            self._finish(outcome)
            return None
        try:
            return self._prepare_file(path, outcome)
        except BiganziError as e:
            outcome.message = str(e)
        except Exception as e:  # one bad file must not stop the others
            outcome.message = f"{path.name}：处理失败（{type(e).__name__}: {e}）"
        outcome.status = "error"
        self._finish(outcome)
        return None

    def _prepare_file(self, path: Path, outcome: FileOutcome) -> _Prepared | None:
        from index.chunk import chunk_document
        from index.clean import clean_text
        from index.load import load_file
        from index.structure import parse_document

        loaded = load_file(path, max_bytes=int(self.settings.max_file_mb * 1024 * 1024))
        cleaned = clean_text(loaded.text)
        if not cleaned.strip():
            raise BiganziError(f"{path.name}：清理后没有文字内容")
        abspath = str(path.resolve())
        if self._known(cleaned, abspath, outcome):
            return None
        document = parse_document(loaded, source=path.name)
        chunks = chunk_document(document, max_tokens=self.settings.chunk_tokens)
        if not chunks:
            raise BiganziError(f"{path.name}：没有可检索的正文")
        item = ChunkedDoc(
            source=path.name,
            chunks=chunks,
            text=cleaned,
            path=abspath,
            title=document.title or path.stem,
            year=document.year,
            org=document.org,
            genre=document.genre,
        )
        return self._records(item, outcome)

    def _known(self, cleaned: str, abspath: str, outcome: FileOutcome) -> bool:
        """Same content already stored (or seen in this run): unchanged or duplicate, nothing to write."""
        doc_id = hashlib.sha256(cleaned.encode()).hexdigest()
        outcome.doc_id = doc_id
        existing = self.kb.registry.document(doc_id)
        first = self.seen_docs.get(doc_id)
        if existing is None and first is None:
            return False
        if existing is not None and existing.path == abspath:
            outcome.status, outcome.title, outcome.n_chunks = "unchanged", existing.title, existing.n_chunks
        else:
            outcome.status = "duplicate"
            outcome.duplicate_of = doc_id
            outcome.duplicate_source = existing.source if existing else Path(first.path).name  # type: ignore[union-attr]
        self._finish(outcome)
        return True

    def _prepare_chunked(self, item: ChunkedDoc) -> _Prepared | None:
        outcome = FileOutcome(path=item.path or item.source, status="error", seq=self._next_seq())
        if not item.chunks:
            outcome.message = f"{item.source}：没有可检索的正文"
            self._finish(outcome)
            return None
        if self._known(item.full_text, item.path or item.source, outcome):
            return None
        return self._records(item, outcome)

    def _records(self, item: ChunkedDoc, outcome: FileOutcome) -> _Prepared:
        cleaned = item.full_text
        doc_id = hashlib.sha256(cleaned.encode()).hexdigest()
        path = item.path or item.source
        replaces = [d for d in self.kb.registry.documents_by_path(path) if d.doc_id != doc_id]
        first = item.chunks[0]
        title = item.title if item.title is not None else first.title
        outcome.status = "replaced" if replaces else "added"
        outcome.doc_id, outcome.title, outcome.n_chunks, outcome.n_chars = (
            doc_id,
            title,
            len(item.chunks),
            len(cleaned),
        )
        self.seen_docs[doc_id] = outcome
        records = chunk_records(doc_id, item.source, item.chunks, title)
        sigs = [dedup.from_blob(r.minhash) for r in records]
        doc_sig = dedup.minhash(cleaned)
        doc = DocumentRecord(
            doc_id=doc_id,
            source=item.source,
            path=path,
            title=title,
            year=item.year if item.year is not None else first.year,
            org=item.org if item.org is not None else first.org,
            genre=item.genre if item.genre is not None else first.genre,
            n_chunks=len(records),
            n_chars=len(cleaned),
            minhash=dedup.to_blob(doc_sig),
        )
        return _Prepared(outcome, doc, records, doc_sig, sigs, replaces)

    # --- embedding ---------------------------------------------------------------------------------
    def _submit(
        self, pool: ThreadPoolExecutor, batch: list[_Prepared]
    ) -> Future[tuple[list[_Prepared], np.ndarray, int]]:
        """Vectors for every chunk of the batch, in order. Each distinct text (up to masked numbers and
        placeholders, see dedup.vector_key) is embedded at most once, and one already stored in the
        knowledge base reuses its vector."""
        all_chunks = [c for p in batch for c in p.chunks]
        unique: dict[str, int] = {}
        for c in all_chunks:
            unique.setdefault(c.embed_hash, len(unique))
        hashes = list(unique)
        vectors = np.zeros((len(hashes), self.embedder.dimension), dtype=np.float32)
        stored = {h: self.kb.registry.chunk_with_embed_hash(h) for h in hashes}
        found = self.kb.vectors([cid for cid in stored.values() if cid])
        todo = []
        for i, h in enumerate(hashes):
            cid = stored[h]
            if cid and cid in found:
                vectors[i] = found[cid]
            else:
                todo.append(i)
        text_of = {c.embed_hash: c.embed_text for c in all_chunks}
        texts = [text_of[hashes[i]] for i in todo]
        rows = np.asarray([unique[c.embed_hash] for c in all_chunks], dtype=np.int64)

        def work() -> tuple[list[_Prepared], np.ndarray, int]:
            if todo:
                vectors[todo] = self.embedder.embed_passages(texts)
            return batch, vectors[rows], len(todo)

        return pool.submit(work)

    # --- committing --------------------------------------------------------------------------------
    def _commit(self, batch: list[_Prepared], vectors: np.ndarray, n_embedded: int) -> None:
        """Duplicate groups, then one Chroma write and one registry transaction for the whole batch
        (Chroma's per-call cost is high; a batch still commits whole documents only)."""
        self.report.chunks_embedded += n_embedded
        self.report.chunks_reused += len(vectors) - n_embedded
        local = _BatchIndex()
        items = []
        start = 0
        for p in batch:
            vecs = vectors[start : start + len(p.chunks)]
            start += len(p.chunks)
            doc_keys = dedup.band_keys(p.doc_sig) if p.doc_sig is not None else []
            dup = self._near_duplicate_doc(p, doc_keys, local)
            if dup:
                p.doc.duplicate_of, p.outcome.duplicate_of, p.outcome.duplicate_source = (
                    dup[0],
                    dup[0],
                    dup[1],
                )
            chunk_keys = self._assign_groups(p, local)
            local.docs.append((p.doc.doc_id, p.doc_sig, p.doc.source))
            p.doc.ingested_at = datetime.now().isoformat(timespec="seconds")
            items.append(DocumentWrite(p.doc, p.chunks, vecs, doc_keys, chunk_keys, p.replaces))
        self.kb.write_documents(items)
        # Record the whole batch before reporting progress, so an interrupt from here on still
        # reports every committed document.
        self.report.outcomes.extend(p.outcome for p in batch)
        for p in batch:
            self._finish(p.outcome, recorded=True)

    def _near_duplicate_doc(
        self, p: _Prepared, keys: list[int], local: _BatchIndex
    ) -> tuple[str, str] | None:
        """(doc id, file name) of the most similar earlier document above the threshold, if any."""
        if p.doc_sig is None or not keys:
            return None
        replaced = {d.doc_id for d in p.replaces}
        candidates = [
            (doc_id, dedup.from_blob(blob), "") for doc_id, blob in self.kb.registry.doc_candidates(keys)
        ]
        candidates += local.docs
        best, best_sim = None, dedup.DOC_THRESHOLD
        for doc_id, sig, source in candidates:
            if doc_id in replaced or sig is None:
                continue
            sim = dedup.similarity(p.doc_sig, sig)
            if sim >= best_sim:
                best, best_sim = (doc_id, source), sim
        if best and not best[1]:
            other = self.kb.registry.document(best[0])
            best = (best[0], other.source if other else "")
        return best

    def _assign_groups(self, p: _Prepared, local: _BatchIndex) -> dict[str, list[int]]:
        """Each chunk joins the group of an earlier near-identical chunk (stored or earlier in this
        batch), or starts its own. Returns the chunks' LSH band keys."""
        out: dict[str, list[int]] = {}
        for c, sig in zip(p.chunks, p.chunk_sigs, strict=True):
            c.dup_group = c.id
            keys = dedup.band_keys(sig) if sig is not None else []
            out[c.id] = keys
            same = self.kb.registry.chunks_with_norm_hash(c.norm_hash)
            if same:
                c.dup_group = same[0][1]
            elif c.norm_hash in local.norm:
                c.dup_group = local.norm[c.norm_hash]
            elif sig is not None:
                best_sim = dedup.CHUNK_THRESHOLD
                candidates = [
                    (grp, dedup.from_blob(b)) for _, grp, b in self.kb.registry.chunk_candidates(keys)
                ]
                candidates += [pair for k in keys for pair in local.bands.get(k, [])]
                for grp, other in candidates:
                    sim = dedup.similarity(sig, other) if other is not None else 0.0
                    if sim >= best_sim:
                        c.dup_group, best_sim = grp, sim
            local.norm.setdefault(c.norm_hash, c.dup_group)
            if sig is not None:
                for k in keys:
                    local.bands.setdefault(k, []).append((c.dup_group, sig))
        return out


@dataclass
class _BatchIndex:
    """Duplicate-detection view of the documents earlier in the batch (not yet committed)."""

    docs: list[tuple[str, np.ndarray | None, str]] = field(default_factory=list)  # (doc id, signature, file)
    norm: dict[str, str] = field(default_factory=dict)  # normalised-text hash -> group
    bands: dict[int, list[tuple[str, np.ndarray]]] = field(default_factory=dict)  # band key -> (group, sig)
