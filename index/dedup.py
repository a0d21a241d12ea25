"""Near-duplicate detection: MinHash over character 3-grams of a normalised form, with LSH band keys.

The normalised form masks what differs between copies of one report: placeholders (XX, X, *, ＊)
and numbers, and drops spaces and punctuation. An anonymised copy of a report ("XX局…") and the
original then share most of their shingles (Jaccard ≈ 0.9 on the seeds) while different reports
share under 0.1.

Signatures are deterministic (fixed seeds, no Python `hash`) because they are stored in the registry.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS  # 4 rows a band: candidates from Jaccard ≈ 0.5 up
SHINGLE = 3

# Estimated Jaccard at or above which two texts count as the same.
DOC_THRESHOLD = 0.6
CHUNK_THRESHOLD = 0.7

_PLACEHOLDER = re.compile(r"[XxＸｘ*＊]+")
_NUMBER = re.compile(r"[0-9０-９]+(?:[,.．][0-9０-９]+)*")
_DROP = re.compile(r"[\W_]+", re.UNICODE)

_rng = np.random.default_rng(20240229)
# Multiply-shift hashing: odd 64-bit multipliers and offsets, one pair per permutation.
_A = (_rng.integers(1, 2**63 - 1, NUM_PERM, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63 - 1, NUM_PERM, dtype=np.uint64)


def normalize(text: str) -> str:
    """Masked form for duplicate detection (never shown to anyone)."""
    text = _PLACEHOLDER.sub("□", text)
    text = _NUMBER.sub("0", text)
    return _DROP.sub("", text)


def norm_hash(text: str) -> str:
    return hashlib.sha1(normalize(text).encode()).hexdigest()


# Shorter normalised texts ("2023年 45.6%" → "0年0") say too little to share a vector.
MIN_VECTOR_KEY_CHARS = 12


def vector_key(embed_text: str) -> str:
    """Chunks with equal keys share one stored vector: the same embedded text once placeholders,
    numbers, spaces and punctuation are masked — last year's paragraph with this year's figures.
    The registry keeps each chunk's own text and BM25 tokens (numbers included), and such chunks
    are one near-duplicate group at search anyway."""
    norm = normalize(embed_text)
    if len(norm) >= MIN_VECTOR_KEY_CHARS:
        return "n" + hashlib.sha1(norm.encode()).hexdigest()
    return "x" + hashlib.sha1(embed_text.encode()).hexdigest()


def minhash(text: str) -> np.ndarray | None:
    """(NUM_PERM,) uint32 signature of the normalised text, or None when there is nothing to compare."""
    norm = normalize(text)
    if not norm:
        return None
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), dtype=np.uint64)])
    # Code points fit in 21 bits, so three of them pack into one 63-bit shingle id without collisions.
    sh = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    sh = np.unique(sh)
    with np.errstate(over="ignore"):
        hashed = (sh[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    return hashed.min(axis=0).astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (SQLite INTEGER); texts sharing any key are candidates."""
    keys = []
    for band in range(BANDS):
        part = sig[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + part, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def to_blob(sig: np.ndarray | None) -> bytes | None:
    return None if sig is None else sig.astype(np.uint32).tobytes()


def from_blob(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=np.uint32)
