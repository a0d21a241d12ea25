"""Exact dense search over a knowledge base's vectors, kept beside its BM25 index.

A new process that searches once (`biganzi search`, the draft pipeline's first retrieval) would spend
about two seconds importing chromadb and opening its store. For a knowledge base of up to
`MAX_ROWS` chunks the vectors are small (20,000 × 384 float32 = 31 MB at the limit, a matrix-vector
product of a millisecond or two; the five seeds take 0.3 MB), so they are copied once per registry generation from Chroma into
`kb/<name>/dense-<generation>.npz`, row for row in the BM25 index's order, and searched exactly
with one matrix-vector product. Chroma stays the store of record and serves larger knowledge bases.

Distances are Chroma's cosine distances (1 − cosine similarity), so fusion is unchanged; the
filters are the BM25 index's row mask (the same year / genre / section kind as Chroma's metadata).
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.lexical import LexicalIndex
    from index.store import KnowledgeBase

MAX_ROWS = 20_000  # above this, search goes to Chroma's HNSW index
_FETCH = 5_000  # vectors per Chroma call while copying


@dataclass
class DenseIndex:
    ids: list[str]  # the BM25 index's rows
    vectors: np.ndarray  # (rows, dimension) float32, L2-normalised; zero where `present` is False
    present: np.ndarray  # bool: the row has a vector in Chroma
    generation: int
    kb_id: str = ""  # LexicalIndex.kb_id: a re-created knowledge base may hold other vectors

    def top(self, query: np.ndarray, n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine distance) of the n nearest rows that pass `mask`, nearest first."""
        if n <= 0 or not self.ids:
            return []
        q = np.asarray(query, dtype=np.float32).ravel()
        norm = float(np.linalg.norm(q))
        if norm > 0:
            q = q / norm
        sims = self.vectors @ q
        ok = self.present if mask is None else (self.present & mask)
        candidates = np.flatnonzero(ok)
        if candidates.size == 0:
            return []
        n = min(n, candidates.size)
        s = sims[candidates]
        best = np.argpartition(-s, n - 1)[:n]
        best = best[np.argsort(-s[best], kind="stable")]
        return [(self.ids[candidates[i]], float(1.0 - s[i])) for i in best]


_memory: dict[str, DenseIndex] = {}
_memory_lock = threading.Lock()


def _path(kb_dir: Path, generation: int) -> Path:
    return kb_dir / f"dense-{generation}.npz"


def _save(index: DenseIndex, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as f:
        np.savez(
            f,
            vectors=index.vectors,
            present=index.present,
            ids=np.frombuffer("\n".join(index.ids).encode(), dtype=np.uint8),
        )
    os.replace(tmp, path)


def _load(path: Path, ids: list[str], generation: int) -> DenseIndex | None:
    with np.load(path) as z:
        raw = z["ids"].tobytes().decode()
        stored = raw.split("\n") if raw else []
        if stored != ids:  # written for other rows: rebuild
            return None
        return DenseIndex(ids, z["vectors"], z["present"].astype(bool), generation)


def _copy_from_chroma(kb: KnowledgeBase, ids: list[str], generation: int) -> DenseIndex:
    dim = kb.dimension
    vectors = np.zeros((len(ids), dim), dtype=np.float32)
    present = np.zeros(len(ids), dtype=bool)
    row = {cid: i for i, cid in enumerate(ids)}
    for i in range(0, len(ids), _FETCH):
        for cid, vec in kb.vectors(ids[i : i + _FETCH]).items():
            v = np.asarray(vec, dtype=np.float32).ravel()
            if v.shape[0] != dim:
                continue
            norm = float(np.linalg.norm(v))
            vectors[row[cid]] = v / norm if norm > 0 else v
            present[row[cid]] = True
    return DenseIndex(ids, vectors, present, generation)


def dense_index(kb: KnowledgeBase, lex: LexicalIndex) -> DenseIndex | None:
    """The vectors of `lex`'s rows (memory → disk → copied from Chroma), or None above MAX_ROWS or
    when the knowledge base has no dimension recorded. Call with `kb.lock` held."""
    if len(lex) == 0 or len(lex) > MAX_ROWS or kb.dimension <= 0:
        return None
    key = str(kb.dir)
    with _memory_lock:
        cached = _memory.get(key)
    if (
        cached is not None
        and cached.generation == lex.generation
        and cached.kb_id == lex.kb_id
        and (cached.ids is lex.ids or cached.ids == lex.ids)
    ):
        return cached
    path = _path(kb.dir, lex.generation)
    index = None
    if path.exists():
        try:
            index = _load(path, lex.ids, lex.generation)
        except Exception:  # a damaged cache is rebuilt, never fatal
            index = None
    if index is None:
        index = _copy_from_chroma(kb, lex.ids, lex.generation)
        with contextlib.suppress(OSError):  # read-only data dir: keep it in memory only
            _save(index, path)
        for old in kb.dir.glob("dense-*.npz"):
            gen = old.stem.removeprefix("dense-")
            if gen.isdigit() and int(gen) < lex.generation:  # never a newer one another process wrote
                old.unlink(missing_ok=True)
    index.kb_id = lex.kb_id
    with _memory_lock:
        _memory[key] = index
    return index
