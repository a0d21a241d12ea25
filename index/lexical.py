"""BM25 over jieba tokens, as a scipy sparse matrix of precomputed term weights.

Scoring a query is one column slice and a sum: a few milliseconds at 100,000 chunks (rank_bm25 walks
Python lists per query and takes seconds there). The matrix is built from the registry on first use,
cached in memory and on disk per knowledge base, and rebuilt when the registry's generation changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75
HEADING_REPEAT = 2  # heading tokens count this many times: a section's heading says what it is about

_DOMAIN_DICT = Path(__file__).with_name("jieba_domain.txt")
_KEEP = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
# Function words that carry no topic; BM25's idf would shrink them anyway, this keeps the matrix small.
_STOPWORDS_TEXT = (
    "的 了 和 与 及 以及 在 是 为 对 等 将 把 被 从 向 于 并 或 而 也 都 就 又 还 及其 其 之 这 那 个 中 上 下 "
    "我们 我 你 他 她 它 有 着 所 以 由 则 但 要 能 会 让 使 通过 进行 开展 工作 方面 一是 二是 三是 四是 五是"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split(" "))

_tokenizer = None
_tokenizer_lock = threading.Lock()


def get_tokenizer():  # jieba has no types
    """One jieba tokenizer per process, created on first use (loading its dictionary takes about a second)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                if _DOMAIN_DICT.exists():
                    tok.load_userdict(str(_DOMAIN_DICT))
                _tokenizer = tok
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens (long words and their parts), without punctuation and stopwords."""
    return _keep(get_tokenizer().cut_for_search(text))


def _keep(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if _KEEP.search(t) and t not in STOPWORDS and t.strip()]


# --- the same tokens for a short text without loading jieba's dictionary ---------------------------
#
# jieba builds a 500,000-entry prefix dictionary (about 2 s) before it cuts anything. Cutting a text only
# ever looks up substrings of its blocks, so a search query is cut from the entries for its own
# substrings, read from a SQLite copy of the dictionary kept in the data dir: the same tokens, in
# milliseconds.

WORD_STORE_VERSION = 1
QUERY_STORE_MAX_CHARS = 2000  # longer texts load the whole dictionary (ingest does anyway)
# "search": jieba's default dictionary plus our domain words (what `tokenize` uses);
# "pos": the default dictionary alone with its part-of-speech tags (what `jieba.posseg.cut` uses).
STORE_KINDS = ("search", "pos")


class WordStore:
    """jieba's prefix dictionary (and its tags) as a read-only SQLite table."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.path = path
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        meta = dict(self.db.execute("SELECT k, v FROM meta").fetchall())
        self.total = int(meta["total"])
        self.max_len = int(meta["max_len"])
        self._lock = threading.Lock()

    def entries(self, text: str) -> tuple[dict[str, int], dict[str, str]]:
        """Every dictionary entry that is a substring of one of `text`'s jieba blocks: its frequency
        and, where the dictionary has one, its tag."""
        import jieba

        grams: set[str] = set()
        for blk in jieba.re_han_default.findall(text):
            n = len(blk)
            for i in range(n):
                for j in range(i + 1, min(n, i + self.max_len) + 1):
                    grams.add(blk[i:j])
        freq: dict[str, int] = {}
        tags: dict[str, str] = {}
        keys = list(grams)
        with self._lock:
            for i in range(0, len(keys), 900):
                part = keys[i : i + 900]
                sql = f"SELECT w, f, t FROM freq WHERE w IN ({','.join('?' * len(part))})"
                for w, f, t in self.db.execute(sql, part):
                    freq[w] = f
                    if t is not None:
                        tags[w] = t
        return freq, tags

    def tokenizer_for(self, text: str, freq: dict[str, int] | None = None):  # jieba has no types
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.FREQ = freq if freq is not None else self.entries(text)[0]
        tok.total = self.total
        tok.initialized = True
        return tok


def _store_key(kind: str) -> str:
    import jieba

    h = hashlib.sha1(f"{WORD_STORE_VERSION}/{kind}/{jieba.__version__}".encode())
    main = Path(jieba.__file__).with_name("dict.txt")
    with contextlib.suppress(OSError):
        st = main.stat()
        h.update(f"{st.st_size}/{int(st.st_mtime)}".encode())
    if kind == "search" and _DOMAIN_DICT.exists():
        h.update(_DOMAIN_DICT.read_bytes())
    return h.hexdigest()[:12]


def _store_path(cache_dir: Path, kind: str) -> Path:
    return cache_dir / f"jieba-{kind}-{_store_key(kind)}.sqlite3"


def _loaded_dictionary(kind: str) -> tuple[dict[str, int], int, dict[str, str]]:
    """(frequencies, total, tags) of the dictionary a store copies, loaded the slow way."""
    if kind == "search":
        tok = get_tokenizer()
        return tok.FREQ, tok.total, {}
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    dt = jieba.posseg.dt
    dt.tokenizer.check_initialized()
    dt.makesure_userdict_loaded()
    return dt.tokenizer.FREQ, dt.tokenizer.total, dt.word_tag_tab


def build_word_store(cache_dir: Path, kind: str = "search") -> Path:
    """Write a loaded dictionary to `cache_dir/jieba-<kind>-<key>.sqlite3` (a few seconds, once)."""
    import sqlite3

    freq, total, tags = _loaded_dictionary(kind)
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = _store_path(cache_dir, kind)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, f INTEGER NOT NULL, t TEXT) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
        db.executemany("INSERT INTO freq VALUES (?, ?, ?)", ((w, f, tags.get(w)) for w, f in freq.items()))
        max_len = max((len(w) for w in freq), default=1)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("total", str(total)), ("max_len", str(max_len))])
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)
    for old in cache_dir.glob(f"jieba-{kind}-*.sqlite3"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


_stores: dict[tuple[str, str], WordStore | None] = {}
_stores_lock = threading.Lock()


def word_store(cache_dir: Path, build: bool = True, kind: str = "search") -> WordStore | None:
    """The dictionary store in `cache_dir`, built on first use; None where it cannot be had."""
    key = (str(cache_dir), kind)
    with _stores_lock:
        if key in _stores:
            return _stores[key]
        path = _store_path(cache_dir, kind)
        store = None
        try:
            if not path.exists() and build:
                build_word_store(cache_dir, kind)
            if path.exists():
                store = WordStore(path)
        except Exception:  # a read-only or damaged cache: the whole dictionary still works
            store = None
        _stores[key] = store
        return store


def query_tokens(text: str, cache_dir: Path | None = None) -> list[str]:
    """`tokenize(text)`, token for token, for a short text such as a search query: read from the
    dictionary store in `cache_dir` (built once) unless jieba's dictionary is already loaded."""
    if cache_dir is None or _tokenizer is not None or len(text) > QUERY_STORE_MAX_CHARS:
        return tokenize(text)
    store = word_store(cache_dir)
    if store is None:
        return tokenize(text)
    return _keep(store.tokenizer_for(text).cut_for_search(text))


def default_cache_dir() -> Path:
    """Where a dictionary store goes when the caller has no data dir at hand (jieba keeps its own
    cache in the temporary directory too)."""
    import tempfile

    return Path(tempfile.gettempdir()) / f"biganzi-jieba-{os.getuid()}"


def pos_tags(text: str, cache_dir: Path | None = None) -> list[tuple[str, str]]:
    """`[(w.word, w.flag) for w in jieba.posseg.cut(text)]`, pair for pair, without loading jieba's
    whole dictionary in a new process (about 2 s): read from the "pos" store (built once)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    if jieba.dt.initialized or len(text) > QUERY_STORE_MAX_CHARS:
        return _posseg(text)
    store = word_store(cache_dir or default_cache_dir(), kind="pos")
    if store is None:
        return _posseg(text)
    return pos_from_store(store, text)


def dictionary_words(words: Iterable[str], cache_dir: Path | None = None) -> set[str]:
    """The ones of `words` that jieba's dictionary holds as words (a frequency above 0: 护路, 管好;
    not 新与 or 部心), read from the "pos" store like pos_tags."""
    import jieba

    words = list(words)
    store = None if jieba.dt.initialized else word_store(cache_dir or default_cache_dir(), kind="pos")
    freq = (
        store.entries("，".join(words))[0] if store is not None else (jieba.dt.initialize() or jieba.dt.FREQ)
    )
    return {w for w in words if freq.get(w, 0) > 0}


def pos_from_store(store: WordStore, text: str) -> list[tuple[str, str]]:
    """jieba's part-of-speech cut of `text` from the entries for its own substrings."""
    import jieba.posseg

    freq, tags = store.entries(text)
    pt = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
    pt.tokenizer = store.tokenizer_for(text, freq)
    pt.word_tag_tab = tags
    return [(w.word, w.flag) for w in pt.cut(text)]


def _posseg(text: str) -> list[tuple[str, str]]:
    import jieba.posseg

    return [(w.word, w.flag) for w in jieba.posseg.cut(text)]


def chunk_tokens(heading_path: list[str], text: str) -> list[str]:
    heading = tokenize(" ".join(heading_path)) if heading_path else []
    return heading * HEADING_REPEAT + tokenize(text)


@dataclass
class LexicalIndex:
    ids: list[str]  # row -> chunk id
    vocab: dict[str, int]
    matrix: object  # scipy.sparse.csc_matrix (rows x terms) of BM25 weights
    year: np.ndarray  # int32, -1 = unknown
    genre: np.ndarray  # int32 code into `genres`, -1 = unknown
    kind: np.ndarray  # int32 code into `kinds`
    genres: list[str]
    kinds: list[str]
    generation: int
    kb_id: str = ""  # the knowledge base's collection id: a deleted and re-created one is another

    def __len__(self) -> int:
        return len(self.ids)

    def mask(
        self, year: int | None, genre: str | list[str] | None, section_kind: str | None
    ) -> np.ndarray | None:
        """Rows passing the filters (None = all); `genre` may be several genres (any of them)."""
        if year is None and not genre and not section_kind:
            return None
        m = np.ones(len(self.ids), dtype=bool)
        if year is not None:
            m &= self.year == int(year)
        if genre:
            wanted = [genre] if isinstance(genre, str) else genre
            codes = [self.genres.index(g) for g in wanted if g in self.genres]
            m &= np.isin(self.genre, np.asarray(codes or [-2], dtype=np.int32))
        if section_kind:
            m &= self.kind == (self.kinds.index(section_kind) if section_kind in self.kinds else -2)
        return m

    def scores(self, tokens: list[str]) -> np.ndarray:
        """Sum of the query terms' columns (numpy on the CSC arrays: no scipy needed to search)."""
        cols = sorted({self.vocab[t] for t in tokens if t in self.vocab})
        if not cols or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        m = self.matrix
        indptr = m.indptr  # type: ignore[attr-defined]
        rows = np.concatenate([np.arange(indptr[c], indptr[c + 1]) for c in cols])
        weights = m.data[rows]  # type: ignore[attr-defined]
        return np.bincount(m.indices[rows], weights=weights, minlength=len(self.ids)).astype(np.float32)  # type: ignore[attr-defined]

    def top(self, tokens: list[str], n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best n rows with a positive score."""
        s = self.scores(tokens)
        if mask is not None:
            s = np.where(mask, s, 0.0)
        n = min(n, int(np.count_nonzero(s > 0)))
        if n <= 0:
            return []
        idx = np.argpartition(-s, n - 1)[:n]
        idx = idx[np.argsort(-s[idx], kind="stable")]
        return [(self.ids[i], float(s[i])) for i in idx]


def build_index(rows: list[tuple[str, str, int | None, str | None, str]], generation: int) -> LexicalIndex:
    """rows: (chunk id, space-joined tokens, year, genre, section kind)."""
    from scipy import sparse

    vocab: dict[str, int] = {}
    indptr = [0]
    term_ids: list[int] = []
    for _, tokens, *_ in rows:
        if tokens:
            term_ids.extend(vocab.setdefault(t, len(vocab)) for t in tokens.split(" "))
        indptr.append(len(term_ids))
    n_rows, n_terms = len(rows), len(vocab)
    indices = np.asarray(term_ids, dtype=np.int32)
    ptr = np.asarray(indptr, dtype=np.int64)
    # csr_matrix sums duplicate (row, term) entries: that gives term frequencies.
    tf = sparse.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, ptr), shape=(n_rows, n_terms))
    tf.sum_duplicates()
    dl = np.diff(ptr).astype(np.float32)
    avgdl = float(dl.mean()) if n_rows else 1.0
    df = np.bincount(tf.indices, minlength=n_terms).astype(np.float32)
    idf = np.log1p((n_rows - df + 0.5) / (df + 0.5)).astype(np.float32)
    row_of = np.repeat(np.arange(n_rows), np.diff(tf.indptr))
    norm = K1 * (1.0 - B + B * dl[row_of] / max(avgdl, 1e-9))
    tf.data = (idf[tf.indices] * tf.data * (K1 + 1.0) / (tf.data + norm)).astype(np.float32)

    genres = sorted({r[3] for r in rows if r[3]})
    kinds = sorted({r[4] for r in rows if r[4]})
    g_code = {g: i for i, g in enumerate(genres)}
    k_code = {k: i for i, k in enumerate(kinds)}
    return LexicalIndex(
        ids=[r[0] for r in rows],
        vocab=vocab,
        matrix=tf.tocsc(),
        year=np.asarray([r[2] if r[2] is not None else -1 for r in rows], dtype=np.int32),
        genre=np.asarray([g_code.get(r[3], -1) if r[3] else -1 for r in rows], dtype=np.int32),
        kind=np.asarray([k_code.get(r[4], -1) for r in rows], dtype=np.int32),
        genres=genres,
        kinds=kinds,
        generation=generation,
    )


# --- cache ------------------------------------------------------------------------------------------

_memory: dict[str, LexicalIndex] = {}
_memory_lock = threading.Lock()


def _save(index: LexicalIndex, path: Path) -> None:
    m = index.matrix
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.savez(
            f,
            data=m.data,  # type: ignore[attr-defined]
            indices=m.indices,  # type: ignore[attr-defined]
            indptr=m.indptr,  # type: ignore[attr-defined]
            shape=np.asarray(m.shape, dtype=np.int64),  # type: ignore[attr-defined]
            ids=np.frombuffer("\n".join(index.ids).encode(), dtype=np.uint8),
            terms=np.frombuffer("\n".join(sorted(index.vocab, key=index.vocab.get)).encode(), dtype=np.uint8),  # type: ignore[arg-type]
            year=index.year,
            genre=index.genre,
            kind=index.kind,
            genres=np.frombuffer("\n".join(index.genres).encode(), dtype=np.uint8),
            kinds=np.frombuffer("\n".join(index.kinds).encode(), dtype=np.uint8),
        )
    os.replace(tmp, path)


@dataclass
class CscArrays:
    """A CSC matrix as its three arrays: what searching needs, without importing scipy (~0.3 s)."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]


def _load(path: Path, generation: int) -> LexicalIndex:
    with np.load(path) as z:

        def text(key: str) -> list[str]:
            raw = z[key].tobytes().decode()
            return raw.split("\n") if raw else []

        shape = tuple(int(x) for x in z["shape"])
        matrix = CscArrays(z["data"], z["indices"], z["indptr"], (shape[0], shape[1]))
        terms = text("terms")
        return LexicalIndex(
            ids=text("ids"),
            vocab={t: i for i, t in enumerate(terms)},
            matrix=matrix,
            year=z["year"],
            genre=z["genre"],
            kind=z["kind"],
            genres=text("genres"),
            kinds=text("kinds"),
            generation=generation,
        )


def lexical_index(kb_dir: Path, db) -> LexicalIndex:  # sqlite3.Connection
    """The BM25 index of a knowledge base at its current generation (memory → disk → rebuild)."""
    # One read transaction: the generation and the rows come from the same snapshot.
    db.execute("BEGIN")
    try:
        row = db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        generation = int(row[0]) if row else 0
        row = db.execute("SELECT value FROM meta WHERE key='collection'").fetchone()
        kb_id = str(row[0]) if row else ""
        key = f"{kb_dir}\n{kb_id}"  # a knowledge base deleted and re-created restarts its generations
        cached = _memory.get(key)
        if cached is not None and cached.generation == generation:
            return cached
        path = kb_dir / f"bm25-{generation}.npz"
        index = None
        if path.exists():
            try:
                index = _load(path, generation)
            except Exception:  # a damaged cache is rebuilt, never fatal
                index = None
        if index is None:
            rows = db.execute(
                "SELECT id, tokens, year, genre, section_kind FROM chunks ORDER BY doc_id, position"
            ).fetchall()
            index = build_index(rows, generation)
            with contextlib.suppress(OSError):  # read-only data dir: keep it in memory only
                _save(index, path)
        index.kb_id = kb_id
    finally:
        db.execute("COMMIT")
    for old in kb_dir.glob("bm25-*.npz"):
        if old != path:
            old.unlink(missing_ok=True)
    with _memory_lock:
        _memory[key] = index
    return index
