"""Hybrid retrieval: dense (Chroma) + BM25 (jieba), fused by reciprocal rank fusion, filtered, de-duplicated.

    search(settings, "医保基金监管", k=5, year=2023) -> list[SearchHit]

Dense search finds paraphrases; BM25 finds the exact terms of the trade (三会一课, 异地就医) that a small
multilingual model blurs. RRF needs no score calibration between the two. Chunks of one near-duplicate
group (the same passage in an anonymised and an original copy) collapse to the best-ranked one.

A new process searches fast: the query is cut from jieba's dictionary store (`query_tokens`), and a
knowledge base of up to `index.dense.MAX_ROWS` chunks is searched exactly in memory from a copy of
its vectors, without importing chromadb; larger ones go to Chroma's HNSW index.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from core.errors import BiganziError
from core.settings import Settings
from index.dense import dense_index
from index.embed import BaseEmbedder, get_embedder
from index.lexical import lexical_index, query_tokens
from index.models import SearchHit
from index.registry import ChunkRecord
from index.store import KnowledgeBase, open_kb


@dataclass(frozen=True)
class FusionConfig:
    rrf_k: int = 20  # small k: trust the top of each list (few, long, distinct sections per report)
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    candidates: int = 50  # from each retriever, before fusion, filters and collapse


DEFAULT_FUSION = FusionConfig()

_open: dict[tuple[str, str, int, int], KnowledgeBase] = {}
_open_lock = threading.Lock()


def _kb_for_search(settings: Settings, name: str | None) -> KnowledgeBase:
    """Open knowledge bases are kept per process (the web page searches many times); a deleted and
    re-created one is noticed by its registry file's identity."""
    name = name or settings.kb
    reg = settings.kb_root / name / "registry.sqlite3"
    try:
        st = os.stat(reg)
    except OSError:
        return open_kb(settings, name)  # raises the friendly "does not exist"
    key = (str(reg), settings.chroma_url or "", st.st_ino, st.st_dev)
    with _open_lock:
        kb = _open.get(key)
        if kb is None:
            kb = open_kb(settings, name)
            _open[key] = kb
        return kb


def search(
    settings: Settings,
    query: str,
    k: int = 5,
    year: int | None = None,
    genre: str | None = None,
    section_kind: str | None = None,
    kb: str | KnowledgeBase | None = None,
    embedder: BaseEmbedder | None = None,
    fusion: FusionConfig = DEFAULT_FUSION,
) -> list[SearchHit]:
    """The k best passages for `query`, best first; near-duplicates collapsed, filters applied."""
    query = (query or "").strip()
    if not query:
        raise BiganziError("检索内容为空；请输入要查找的内容，例如 biganzi search 医保基金监管")
    if k < 1:
        raise BiganziError("-k 至少为 1")
    base = kb if isinstance(kb, KnowledgeBase) else _kb_for_search(settings, kb)
    embedder = embedder or get_embedder(settings.embedder)
    base.check_embedder(embedder)

    n = max(fusion.candidates, 4 * k)
    with base.lock:  # one SQLite connection per knowledge base, shared by the web page's threads
        lex = lexical_index(base.dir, base.registry.db)
        vectors = dense_index(base, lex) if len(lex) else None
    if len(lex) == 0:
        return []
    genres = _genres(base, lex.genres, genre)
    mask = lex.mask(year, genres, section_kind)
    lexical = lex.top(query_tokens(query, settings.data_dir / "cache"), n, mask)
    qvec = embedder.embed_query_vector(query)
    if vectors is not None:  # small knowledge base: exact search in memory, no Chroma import
        dense = vectors.top(qvec, n, mask)
    else:
        dense = base.dense_query(qvec, n, year, genres, section_kind)

    fused: dict[str, float] = {}
    dense_sim: dict[str, float] = {}
    for rank, (cid, dist) in enumerate(dense):
        fused[cid] = fused.get(cid, 0.0) + fusion.dense_weight / (fusion.rrf_k + rank + 1)
        dense_sim[cid] = 1.0 - float(dist)
    for rank, (cid, _) in enumerate(lexical):
        fused[cid] = fused.get(cid, 0.0) + fusion.lexical_weight / (fusion.rrf_k + rank + 1)
    order = sorted(fused, key=lambda c: (-fused[c], -dense_sim.get(c, -1.0), c))

    # Only committed chunks exist: a vector whose rows are missing (killed ingest) is skipped here.
    with base.lock:
        groups = base.registry.groups(order)
    chosen: list[str] = []
    seen_groups: set[str] = set()
    for cid in order:
        group = groups.get(cid)
        if group is None or group in seen_groups:
            continue
        seen_groups.add(group)
        chosen.append(cid)
        if len(chosen) == k:
            break
    with base.lock:
        records = base.registry.chunks(chosen)
    best = (fusion.dense_weight + fusion.lexical_weight) / (fusion.rrf_k + 1)
    hits = [_hit(records[cid], round(fused[cid] / best, 4)) for cid in chosen if cid in records]
    return hits


def prepare_search(settings: Settings, kb: str | None = None) -> None:
    """Build what a new process's first search would otherwise build: the BM25 index, the dense copy
    of a small knowledge base and the dictionary store (e.g. at the end of `biganzi ingest`, a
    second or two once, so that the next `biganzi search` is fast from the start)."""
    from index.lexical import word_store

    base = _kb_for_search(settings, kb)
    with base.lock:
        lex = lexical_index(base.dir, base.registry.db)
        if len(lex):
            dense_index(base, lex)
    word_store(settings.data_dir / "cache")


def _genres(base: KnowledgeBase, known: list[str], genre: str | None) -> list[str] | None:
    """A genre filter matches every genre that contains it: 工作总结 also finds 党建工作总结."""
    if not genre:
        return None
    genre = genre.strip()
    matches = [g for g in known if genre in g]
    if not matches:
        listed = "、".join(known) if known else "（无）"
        raise BiganziError(f"知识库 {base.name} 中没有文种为“{genre}”的材料；现有文种：{listed}")
    return matches


def _hit(rec: ChunkRecord, score: float) -> SearchHit:
    return SearchHit(
        source=rec.source,
        title=rec.title,
        section=rec.section,
        text=rec.text,
        score=score,
        year=rec.year,
        genre=rec.genre,
        section_kind=rec.section_kind,
        doc_id=rec.doc_id,
        chunk_id=rec.id,
    )


def as_langchain_retriever(settings: Settings, kb: str | None = None, k: int = 5, **filters: Any) -> Any:
    """The hybrid search as a LangChain `BaseRetriever` (Documents with our fields as metadata)."""
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class HybridRetriever(BaseRetriever):
        def _get_relevant_documents(self, query: str, *, run_manager: Any = None) -> list[Document]:
            hits = search(settings, query, k=k, kb=kb, **filters)
            return [
                Document(
                    page_content=h.text, metadata={**h.to_json(), "doc_id": h.doc_id, "chunk_id": h.chunk_id}
                )
                for h in hits
            ]

    return HybridRetriever()
