"""Knowledge bases: a SQLite registry (source of truth) plus one Chroma collection of vectors each.

Layout under `settings.data_dir`:
    kb/<name>/registry.sqlite3   documents, chunks, jieba tokens, duplicate bands, embedder identity
    kb/<name>/bm25-*.npz         lexical index cache (index/lexical.py), rebuilt when the registry changes
    kb/<name>/dense-*.npz        a copy of the vectors for exact search without Chroma (index/dense.py, small KBs)
    cache/jieba-*.sqlite3        jieba's dictionary for cutting a query without loading it (index/lexical.py)
    chroma/                      embedded Chroma (or a server at settings.chroma_url)

Crash safety: a document's vectors go to Chroma first (their ids listed as pending), then its rows are
committed in one SQLite transaction. Search only returns committed chunks, and pending vectors left by a
killed ingest are swept by the next writer. Writers hold an exclusive lock on the knowledge base.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from core.errors import BiganziError
from core.settings import Settings
from index.registry import SCHEMA_VERSION, ChunkRecord, DocumentRecord, Registry

if TYPE_CHECKING:
    from index.embed import BaseEmbedder

REGISTRY_FILE = "registry.sqlite3"
_NAME_RE = re.compile(r"^[^/\\\s.][^/\\\s]{0,63}$")

_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


# --- Chroma ----------------------------------------------------------------------------------------


def chroma_client(settings: Settings) -> Any:
    """One Chroma client per location and process: embedded under data_dir/chroma, or a server by URL."""
    key = settings.chroma_url or str((settings.data_dir / "chroma").resolve())
    with _clients_lock:
        if key in _clients:
            return _clients[key]
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_url:
            url = urlparse(
                settings.chroma_url if "//" in settings.chroma_url else f"http://{settings.chroma_url}"
            )
            ssl = url.scheme == "https"
            try:
                client = chromadb.HttpClient(
                    host=url.hostname or "localhost",
                    port=url.port or (443 if ssl else 8000),
                    ssl=ssl,
                    settings=chroma_settings,
                )
                client.heartbeat()
            except Exception as e:  # any connection failure means the same thing to the user
                raise BiganziError(
                    f"连不上 Chroma 服务 {settings.chroma_url}（{type(e).__name__}）；"
                    "请确认 chroma run 已启动，或去掉 BIGANZI_CHROMA_URL 改用本地存储"
                ) from e
        else:
            path = settings.data_dir / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        _clients[key] = client
        return client


def _where(
    year: int | None, genre: str | list[str] | None, section_kind: str | None
) -> dict[str, Any] | None:
    conds: list[dict[str, Any]] = []
    if year is not None:
        conds.append({"year": int(year)})
    if isinstance(genre, str) and genre:
        conds.append({"genre": genre})
    elif genre:
        conds.append({"genre": {"$in": list(genre)}})
    if section_kind:
        conds.append({"section_kind": section_kind})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


def _chroma_metadata(c: ChunkRecord) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": c.doc_id,
        "source": c.source,
        "title": c.title,
        "section": c.section,
        "section_kind": c.section_kind,
        "position": c.position,
    }
    for key in ("year", "genre", "org"):
        value = getattr(c, key)
        if value is not None:
            meta[key] = value
    return meta


# --- knowledge bases -------------------------------------------------------------------------------


@dataclass
class DocumentWrite:
    """One document to store: its rows, its chunks' vectors (same order) and its duplicate-band keys."""

    doc: DocumentRecord
    chunks: list[ChunkRecord]
    vectors: np.ndarray
    doc_keys: list[int]
    chunk_keys: dict[str, list[int]]
    replaces: list[DocumentRecord] = field(default_factory=list)


@dataclass
class KbInfo:
    name: str
    documents: int
    chunks: int
    embedder: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def validate_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME_RE.match(name):
        raise BiganziError(f"知识库名称 {name!r} 不可用；请用不含空格、斜杠、不以点开头的名称（最多 64 字）")
    return name


class KnowledgeBase:
    """One knowledge base. Open it with `open_kb`; reads need no lock, writes go through `writing()`."""

    def __init__(self, settings: Settings, name: str, registry: Registry) -> None:
        self.settings = settings
        self.name = name
        self.dir = registry.path.parent
        self.registry = registry
        self._collection: Any = None
        self._lock_fd: int | None = None
        self.lock = threading.RLock()  # serialises use of the registry connection across threads

    # --- identity ----------------------------------------------------------------------------------
    @property
    def meta(self) -> dict[str, str]:
        """Identity and collection (fixed once set) plus the changing generation: read fresh each time,
        it is one small query."""
        return self.registry.get_meta()

    @property
    def embedder_spec(self) -> str:
        return self.meta.get("embedder_spec", "")

    @property
    def embedder_identity(self) -> str:
        return self.meta.get("embedder_identity", "")

    @property
    def dimension(self) -> int:
        return int(self.meta.get("dimension", "0"))

    @property
    def generation(self) -> int:
        return self.registry.generation

    def check_embedder(self, embedder: BaseEmbedder) -> None:
        """Vectors from different models are not comparable: refuse to mix them."""
        stored = self.embedder_identity
        if stored and stored != embedder.identity:
            a = self.embedder_spec or stored
            b = embedder.spec
            if a == b:  # same spec, different model version
                a, b = stored, embedder.identity
            raise BiganziError(
                f"知识库 {self.name} 用 {a} 建索引，当前嵌入模型是 {b}；"
                f"请用 --embedder {self.embedder_spec or stored} 或重新导入（biganzi kb delete {self.name} 后 ingest）"
            )

    # --- Chroma ------------------------------------------------------------------------------------
    @property
    def collection_name(self) -> str:
        return self.meta["collection"]

    def collection(self) -> Any:
        if self._collection is None:
            client = chroma_client(self.settings)
            from chromadb.errors import NotFoundError

            try:
                self._collection = client.get_collection(self.collection_name, embedding_function=None)
            except NotFoundError:
                if self.registry.count()[1]:
                    where = self.settings.chroma_url or str(self.settings.data_dir / "chroma")
                    raise BiganziError(
                        f"知识库 {self.name} 的向量在 {where} 中找不到（集合 {self.collection_name}）；"
                        f"请确认 Chroma 位置，或 biganzi kb delete {self.name} 后重新导入"
                    ) from None
                self._collection = self._create_collection(client)
        return self._collection

    def _create_collection(self, client: Any) -> Any:
        meta = self.meta
        return client.get_or_create_collection(
            meta["collection"],
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={
                "biganzi_kb": self.name,
                "embedder": meta["embedder_spec"],
                "embedder_identity": meta["embedder_identity"],
                "dimension": int(meta["dimension"]),
            },
        )

    def dense_query(
        self,
        vector: np.ndarray,
        n: int,
        year: int | None = None,
        genre: str | list[str] | None = None,
        section_kind: str | None = None,
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine distance) of the nearest vectors, filters applied inside Chroma."""
        col = self.collection()
        if n <= 0:
            return []
        res = col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=n,
            where=_where(year, genre, section_kind),
            include=["distances"],
        )
        return list(zip(res["ids"][0], res["distances"][0], strict=True))

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        res = self.collection().get(ids=ids, include=["embeddings"])
        return {
            i: np.asarray(v, dtype=np.float32) for i, v in zip(res["ids"], res["embeddings"], strict=True)
        }

    def as_vectorstore(self, embedder: BaseEmbedder | None = None) -> Any:
        """This knowledge base as a LangChain VectorStore (langchain-chroma), for users who build chains.

        Dense only; `index.retrieve.search` is the hybrid path that the app uses.
        """
        from langchain_chroma import Chroma

        from index.embed import get_embedder

        embedder = embedder or get_embedder(self.embedder_spec)
        self.check_embedder(embedder)
        self.collection()
        return Chroma(
            client=chroma_client(self.settings),
            collection_name=self.collection_name,
            embedding_function=embedder,
            create_collection_if_not_exists=False,
        )

    # --- reading -----------------------------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        return self.registry.documents()

    def iter_chunks(self, doc: DocumentRecord | str | None = None) -> Iterator[ChunkRecord]:
        doc_id = doc.doc_id if isinstance(doc, DocumentRecord) else doc
        return self.registry.iter_chunks(doc_id)

    def find_document(self, ref: str) -> DocumentRecord:
        """A document by id prefix, file name or path; ambiguous or missing is a clear error."""
        ref = ref.strip()
        docs = self.documents()
        hits = [d for d in docs if d.doc_id == ref or d.source == ref or d.path == ref]
        if not hits and len(ref) >= 4:
            hits = [d for d in docs if d.doc_id.startswith(ref)]
        if not hits:
            raise BiganziError(
                f"知识库 {self.name} 中没有文档 {ref}；用 biganzi docs --kb {self.name} 查看编号和文件名"
            )
        if len(hits) > 1:
            listed = "、".join(f"{d.doc_id[:10]}（{d.source}）" for d in hits[:5])
            raise BiganziError(f"{ref} 对应多篇文档：{listed}；请给出更长的编号")
        return hits[0]

    # --- writing -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[KnowledgeBase]:
        """Exclusive write lock (released by the OS even on kill -9); sweeps leftovers of a killed writer."""
        fd = os.open(self.dir / "write.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BiganziError(
                f"知识库 {self.name} 正在被另一个导入或删除操作使用；请等它结束后再试"
            ) from None
        self._lock_fd = fd
        try:
            self.sweep()
            yield self
        finally:
            self._lock_fd = None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _require_lock(self) -> None:
        if self._lock_fd is None:
            raise RuntimeError("knowledge base writes need `with kb.writing():`")

    def sweep(self) -> int:
        """Delete vectors that belong to no committed chunk (left by a killed ingest or a removal)."""
        ids = self.registry.pending()
        if ids:
            col = self.collection()
            for i in range(0, len(ids), 5000):
                col.delete(ids=ids[i : i + 5000])
        stale = [r[0] for r in self.registry.db.execute("SELECT chunk_id FROM pending_vectors")]
        if stale:
            self.registry.clear_pending(stale)
        return len(ids)

    def write_document(
        self,
        doc: DocumentRecord,
        chunks: list[ChunkRecord],
        vectors: np.ndarray,
        doc_keys: list[int],
        chunk_keys: dict[str, list[int]],
        replaces: list[DocumentRecord] | None = None,
    ) -> None:
        self.write_documents([DocumentWrite(doc, chunks, vectors, doc_keys, chunk_keys, replaces or [])])

    def write_documents(self, items: list[DocumentWrite]) -> None:
        """Vectors first (listed as pending), then all rows in one transaction: a crash leaves each
        document whole or absent, never half of one."""
        self._require_lock()
        chunks = [c for it in items for c in it.chunks]
        if chunks:
            vectors = np.concatenate([np.asarray(it.vectors, dtype=np.float32) for it in items if it.chunks])
            ids = [c.id for c in chunks]
            self.registry.add_pending(ids)
            col = self.collection()
            for i in range(0, len(ids), 5000):
                col.upsert(
                    ids=ids[i : i + 5000],
                    embeddings=vectors[i : i + 5000],
                    metadatas=[_chroma_metadata(c) for c in chunks[i : i + 5000]],
                    documents=[c.text for c in chunks[i : i + 5000]],
                )
        with self.registry.transaction():
            for it in items:
                for old in it.replaces:
                    self.registry.delete_document(old.doc_id)
                self.registry.insert_document(it.doc, it.chunks, it.doc_keys, it.chunk_keys)
        if any(it.replaces for it in items):
            self.sweep()

    def remove(self, doc: DocumentRecord | str) -> DocumentRecord:
        """Delete one document (record or reference: id prefix, file name, path): rows first, then its
        vectors. Takes the write lock itself unless the caller already holds it."""
        if self._lock_fd is None:
            with self.writing():
                return self.remove(doc)
        record = doc if isinstance(doc, DocumentRecord) else self.find_document(doc)
        with self.registry.transaction():
            self.registry.delete_document(record.doc_id)
        self.sweep()
        return record

    def verify(self) -> dict[str, Any]:
        """Registry vs Chroma: committed chunks without a vector, and vectors without a committed chunk."""
        committed = {r[0] for r in self.registry.db.execute("SELECT id FROM chunks")}
        in_chroma = set(self.collection().get(include=[])["ids"])
        return {
            "documents": self.registry.count()[0],
            "chunks": len(committed),
            "vectors": len(in_chroma),
            "missing_vectors": sorted(committed - in_chroma),
            "orphan_vectors": sorted(in_chroma - committed),
        }

    def info(self) -> KbInfo:
        n_docs, n_chunks = self.registry.count()
        meta = self.meta
        return KbInfo(self.name, n_docs, n_chunks, meta.get("embedder_spec", ""), meta.get("created_at", ""))

    def close(self) -> None:
        self.registry.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_kb(
    settings: Settings,
    name: str | None = None,
    embedder: BaseEmbedder | None = None,
    create: bool = False,
) -> KnowledgeBase:
    """Open a knowledge base (default: settings.kb). With `create`, make it for `embedder` if missing.

    With an embedder, a knowledge base indexed by a different model is refused with a clear message.
    """
    name = validate_name(name or settings.kb)
    _sweep_tombstones(settings)
    kb_dir = settings.kb_root / name
    reg_path = kb_dir / REGISTRY_FILE
    if not reg_path.exists() and not create:
        known = [k.name for k in list_kbs(settings)]
        hint = f"现有：{'、'.join(known)}" if known else "还没有任何知识库"
        raise BiganziError(f"知识库 {name} 不存在（{hint}）；先运行 biganzi ingest 文件或文件夹 --kb {name}")
    kb = KnowledgeBase(settings, name, Registry(reg_path))
    schema = kb.meta.get("schema_version", SCHEMA_VERSION)
    if schema != SCHEMA_VERSION:
        kb.close()
        raise BiganziError(
            f"知识库 {name} 的格式版本是 {schema}，本程序只认 {SCHEMA_VERSION}；"
            f"请升级 biganzi，或 biganzi kb delete {name} 后重新导入"
        )
    if "collection" not in kb.meta:
        if embedder is None:
            raise BiganziError(f"知识库 {name} 尚未建立索引；先运行 biganzi ingest 文件或文件夹 --kb {name}")
        kb.registry.set_meta(
            collection=f"bgz-{uuid.uuid4().hex[:16]}",
            embedder_spec=embedder.spec,
            embedder_identity=embedder.identity,
            dimension=embedder.dimension,
            created_at=datetime.now().isoformat(timespec="seconds"),
            kb_name=name,
            schema_version=SCHEMA_VERSION,
        )
    if embedder is not None:
        kb.check_embedder(embedder)
    return kb


def list_kbs(settings: Settings) -> list[KbInfo]:
    root = settings.kb_root
    if not root.exists():
        return []
    out = []
    for d in sorted(root.iterdir()):
        if d.name.startswith(".") or not (d / REGISTRY_FILE).exists():
            continue
        reg = Registry(d / REGISTRY_FILE)
        try:
            n_docs, n_chunks = reg.count()
            meta = reg.get_meta()
        finally:
            reg.close()
        out.append(
            KbInfo(d.name, n_docs, n_chunks, meta.get("embedder_spec", ""), meta.get("created_at", ""))
        )
    return out


def delete_kb(settings: Settings, name: str) -> None:
    """Delete a knowledge base: hide its folder first (atomic rename), then drop vectors and files."""
    name = validate_name(name)
    kb_dir = settings.kb_root / name
    if not (kb_dir / REGISTRY_FILE).exists():
        raise BiganziError(f"知识库 {name} 不存在；用 biganzi kb list 查看现有知识库")
    kb = KnowledgeBase(settings, name, Registry(kb_dir / REGISTRY_FILE))
    tomb = settings.kb_root / f".deleting-{name}-{uuid.uuid4().hex[:8]}"
    try:
        with kb.writing():  # fails clearly if an ingest is running
            kb_dir.rename(tomb)
    finally:
        kb.close()
    _sweep_tombstones(settings)


def _sweep_tombstones(settings: Settings) -> None:
    root = settings.kb_root
    if not root.exists():
        return
    for tomb in root.glob(".deleting-*"):
        reg = Registry(tomb / REGISTRY_FILE) if (tomb / REGISTRY_FILE).exists() else None
        collection = reg.get_meta().get("collection") if reg else None
        if reg:
            reg.close()
        if collection:
            from chromadb.errors import NotFoundError

            with contextlib.suppress(NotFoundError):
                chroma_client(settings).delete_collection(collection)
        shutil.rmtree(tomb, ignore_errors=True)
