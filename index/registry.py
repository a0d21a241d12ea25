"""The per-knowledge-base SQLite registry: documents, chunks, duplicate bands. It is the source of truth.

A chunk exists for search only once its document's rows are committed here; Chroma may briefly hold
vectors that are not (yet) committed, and those are listed in `pending_vectors` first so that a
crash leaves a precise list of orphans to sweep.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER,
    org TEXT,
    genre TEXT,
    n_chunks INTEGER NOT NULL,
    n_chars INTEGER NOT NULL,
    duplicate_of TEXT,
    ingested_at TEXT NOT NULL,
    minhash BLOB
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    heading_path TEXT NOT NULL,
    section_kind TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER,
    org TEXT,
    genre TEXT,
    metadata TEXT NOT NULL,
    tokens TEXT NOT NULL,
    embed_hash TEXT NOT NULL,
    norm_hash TEXT NOT NULL,
    dup_group TEXT NOT NULL,
    minhash BLOB
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_embed ON chunks(embed_hash);
CREATE INDEX IF NOT EXISTS chunks_norm ON chunks(norm_hash);
CREATE TABLE IF NOT EXISTS chunk_bands (key INTEGER NOT NULL, chunk_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunk_bands_key ON chunk_bands(key);
CREATE INDEX IF NOT EXISTS chunk_bands_chunk ON chunk_bands(chunk_id);
CREATE TABLE IF NOT EXISTS doc_bands (key INTEGER NOT NULL, doc_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_bands_key ON doc_bands(key);
CREATE TABLE IF NOT EXISTS pending_vectors (chunk_id TEXT PRIMARY KEY);
"""


@dataclass
class DocumentRecord:
    doc_id: str  # sha256 of the cleaned text
    source: str  # file name
    path: str  # absolute path at ingest
    title: str
    year: int | None = None
    org: str | None = None
    genre: str | None = None
    n_chunks: int = 0
    n_chars: int = 0
    duplicate_of: str | None = None  # near-duplicate of this earlier document
    ingested_at: str = ""
    minhash: bytes | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "path": self.path,
            "title": self.title,
            "year": self.year,
            "org": self.org,
            "genre": self.genre,
            "n_chunks": self.n_chunks,
            "n_chars": self.n_chars,
            "duplicate_of": self.duplicate_of,
            "ingested_at": self.ingested_at,
        }


@dataclass
class ChunkRecord:
    id: str
    doc_id: str
    position: int
    text: str
    heading_path: list[str]
    section_kind: str
    source: str
    title: str
    year: int | None
    org: str | None
    genre: str | None
    tokens: list[str]  # jieba tokens of heading path + text, for BM25
    embed_hash: str  # dedup.vector_key of the embedded text: equal key, one shared vector
    norm_hash: str  # sha1 of the normalised text (placeholders and numbers masked)
    dup_group: str = ""  # chunks sharing a group are near-duplicates; search keeps one
    minhash: bytes | None = field(default=None, repr=False)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)

    @property
    def embed_text(self) -> str:
        return f"{self.section}\n{self.text}" if self.heading_path else self.text


_DOC_COLS = (
    "doc_id, source, path, title, year, org, genre, n_chunks, n_chars, duplicate_of, ingested_at, minhash"
)
_CHUNK_COLS = (
    "id, doc_id, position, text, heading_path, section_kind, source, title, year, org, genre, metadata, "
    "tokens, embed_hash, norm_hash, dup_group, minhash"
)


def _doc(row: tuple[Any, ...]) -> DocumentRecord:
    return DocumentRecord(*row)


def _chunk(row: tuple[Any, ...]) -> ChunkRecord:
    (cid, doc_id, pos, text, hp, kind, source, title, year, org, genre, meta, tokens, eh, nh, grp, mh) = row
    return ChunkRecord(
        id=cid,
        doc_id=doc_id,
        position=pos,
        text=text,
        heading_path=json.loads(hp),
        section_kind=kind,
        source=source,
        title=title,
        year=year,
        org=org,
        genre=genre,
        tokens=tokens.split(" ") if tokens else [],
        embed_hash=eh,
        norm_hash=nh,
        dup_group=grp,
        minhash=mh,
        metadata=json.loads(meta),
    )


class Registry:
    """Thin typed wrapper over one SQLite file (WAL mode, so readers never block the writer)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    # --- meta --------------------------------------------------------------------------------------
    def get_meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, **values: object) -> None:
        with self.transaction():
            for k, v in values.items():
                self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (k, str(v)))

    @property
    def generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump_generation(self) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # --- transactions ------------------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        return _Transaction(self.db)

    # --- documents ---------------------------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        rows = self.db.execute(f"SELECT {_DOC_COLS} FROM documents ORDER BY ingested_at, source").fetchall()
        return [_doc(r) for r in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        row = self.db.execute(f"SELECT {_DOC_COLS} FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return _doc(row) if row else None

    def documents_by_path(self, path: str) -> list[DocumentRecord]:
        rows = self.db.execute(f"SELECT {_DOC_COLS} FROM documents WHERE path=?", (path,)).fetchall()
        return [_doc(r) for r in rows]

    def count(self) -> tuple[int, int]:
        n_docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        n_chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return n_docs, n_chunks

    # --- chunks ------------------------------------------------------------------------------------
    def chunk_ids(self, doc_id: str) -> list[str]:
        return [
            r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id=? ORDER BY position", (doc_id,))
        ]

    def chunks(self, ids: Iterable[str]) -> dict[str, ChunkRecord]:
        ids = list(ids)
        out: dict[str, ChunkRecord] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f"SELECT {_CHUNK_COLS} FROM chunks WHERE id IN ({','.join('?' * len(part))})"
            out.update((r[0], _chunk(r)) for r in self.db.execute(q, part))
        return out

    def groups(self, ids: list[str]) -> dict[str, str]:
        """Committed chunk id -> duplicate group, for candidate ids (missing = not committed)."""
        out: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f"SELECT id, dup_group FROM chunks WHERE id IN ({','.join('?' * len(part))})"
            out.update(self.db.execute(q, part).fetchall())
        return out

    def iter_chunks(self, doc_id: str | None = None) -> Iterator[ChunkRecord]:
        if doc_id is None:
            cur = self.db.execute(f"SELECT {_CHUNK_COLS} FROM chunks ORDER BY doc_id, position")
        else:
            cur = self.db.execute(
                f"SELECT {_CHUNK_COLS} FROM chunks WHERE doc_id=? ORDER BY position", (doc_id,)
            )
        for row in cur:
            yield _chunk(row)

    def chunk_with_embed_hash(self, embed_hash: str) -> str | None:
        row = self.db.execute("SELECT id FROM chunks WHERE embed_hash=? LIMIT 1", (embed_hash,)).fetchone()
        return row[0] if row else None

    def chunks_with_norm_hash(self, norm_hash: str) -> list[tuple[str, str]]:
        """(chunk id, dup group) of committed chunks with the same normalised text."""
        return self.db.execute(
            "SELECT id, dup_group FROM chunks WHERE norm_hash=? LIMIT 5", (norm_hash,)
        ).fetchall()

    def chunk_candidates(self, keys: list[int]) -> list[tuple[str, str, bytes | None]]:
        """(chunk id, dup group, minhash) of committed chunks sharing an LSH band key."""
        q = (
            "SELECT DISTINCT c.id, c.dup_group, c.minhash FROM chunk_bands b JOIN chunks c ON c.id = b.chunk_id "
            f"WHERE b.key IN ({','.join('?' * len(keys))}) LIMIT 50"
        )
        return self.db.execute(q, keys).fetchall()

    def doc_candidates(self, keys: list[int]) -> list[tuple[str, bytes | None]]:
        q = (
            "SELECT DISTINCT d.doc_id, d.minhash FROM doc_bands b JOIN documents d ON d.doc_id = b.doc_id "
            f"WHERE b.key IN ({','.join('?' * len(keys))}) LIMIT 50"
        )
        return self.db.execute(q, keys).fetchall()

    # --- writes (inside a transaction) -------------------------------------------------------------
    def insert_document(
        self,
        doc: DocumentRecord,
        chunks: list[ChunkRecord],
        doc_keys: list[int],
        chunk_keys: dict[str, list[int]],
    ) -> None:
        db = self.db
        db.execute(
            f"INSERT INTO documents({_DOC_COLS}) VALUES ({','.join('?' * 12)})",
            (
                doc.doc_id,
                doc.source,
                doc.path,
                doc.title,
                doc.year,
                doc.org,
                doc.genre,
                doc.n_chunks,
                doc.n_chars,
                doc.duplicate_of,
                doc.ingested_at,
                doc.minhash,
            ),
        )
        db.executemany(
            f"INSERT INTO chunks({_CHUNK_COLS}) VALUES ({','.join('?' * 17)})",
            [
                (
                    c.id,
                    c.doc_id,
                    c.position,
                    c.text,
                    json.dumps(c.heading_path, ensure_ascii=False),
                    c.section_kind,
                    c.source,
                    c.title,
                    c.year,
                    c.org,
                    c.genre,
                    json.dumps(c.metadata, ensure_ascii=False),
                    " ".join(c.tokens),
                    c.embed_hash,
                    c.norm_hash,
                    c.dup_group,
                    c.minhash,
                )
                for c in chunks
            ],
        )
        db.executemany(
            "INSERT INTO doc_bands(key, doc_id) VALUES (?, ?)", [(k, doc.doc_id) for k in doc_keys]
        )
        db.executemany(
            "INSERT INTO chunk_bands(key, chunk_id) VALUES (?, ?)",
            [(k, cid) for cid, keys in chunk_keys.items() for k in keys],
        )
        db.executemany("DELETE FROM pending_vectors WHERE chunk_id=?", [(c.id,) for c in chunks])
        self._bump_generation()

    def delete_document(self, doc_id: str) -> list[str]:
        """Delete a document's rows; its chunk ids become pending (their vectors are swept after commit)."""
        db = self.db
        ids = self.chunk_ids(doc_id)
        db.executemany("INSERT OR IGNORE INTO pending_vectors(chunk_id) VALUES (?)", [(i,) for i in ids])
        db.execute(
            "DELETE FROM chunk_bands WHERE chunk_id IN (SELECT id FROM chunks WHERE doc_id=?)", (doc_id,)
        )
        db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        db.execute("DELETE FROM doc_bands WHERE doc_id=?", (doc_id,))
        db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
        # Later near-duplicates of this document now stand on their own.
        db.execute("UPDATE documents SET duplicate_of=NULL WHERE duplicate_of=?", (doc_id,))
        self._bump_generation()
        return ids

    # --- pending vectors ---------------------------------------------------------------------------
    def add_pending(self, ids: Iterable[str]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO pending_vectors(chunk_id) VALUES (?)", [(i,) for i in ids]
            )

    def pending(self) -> list[str]:
        """Vectors that may be in Chroma but belong to no committed chunk."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT p.chunk_id FROM pending_vectors p LEFT JOIN chunks c ON c.id = p.chunk_id WHERE c.id IS NULL"
            )
        ]

    def clear_pending(self, ids: Iterable[str]) -> None:
        with self.transaction():
            self.db.executemany("DELETE FROM pending_vectors WHERE chunk_id=?", [(i,) for i in ids])


class _Transaction:
    """`with registry.transaction():` — BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
