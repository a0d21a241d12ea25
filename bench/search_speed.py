"""Search latency and memory at 100,000 chunks (synthetic corpus).

    nice -n 10 .venv/bin/python bench/search_speed.py [--chunks 100000] [--queries 200] [--json]

How the corpus is built (fast, but stored exactly as ingest stores it):
  * vocabulary: the jieba tokens of our own demo corpus in examples/ (with their frequencies);
  * chunk text: 60-120 words drawn from that vocabulary by frequency, concatenated (about 200
    characters); its BM25 tokens are the drawn words themselves (jieba is skipped at build time
    only; queries go through the real jieba tokenizer); heading path, year, genre and section
    kind drawn from small lists;
  * vectors: random unit vectors (384-d, the e5-small dimension), not real embeddings;
  * written through KnowledgeBase.write_documents (registry rows + Chroma upserts, 2,000
    chunks a call) into a knowledge base created for the e5-small embedder.

Then, in a fresh process (what `biganzi search` or the web page does), it times
`index.retrieve.search(settings, query, k=5)` end to end — e5-small query embedding, Chroma HNSW,
BM25 over the sparse matrix, RRF, registry lookup and duplicate collapse — for each query: 2-4
vocabulary words, like real queries. The first search (BM25 matrix built from the registry and
cached to disk, model loaded) is reported separately; then p50/p95/max over the queries, and the
peak RSS of the search process (resource.getrusage ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

HEADINGS_1 = ["一、主要工作成效", "二、存在的问题", "三、原因分析", "四、下一步工作打算", "一、工作开展情况"]
HEADINGS_2 = [
    "（一）强化党建引领",
    "（二）深化医保改革",
    "（三）守牢基金安全",
    "（四）提升服务水平",
    "（五）加强队伍建设",
]
KINDS = ["成绩", "问题", "原因", "打算", "other"]
GENRES = ["工作总结", "党建工作总结", "述职报告", "工作思路"]


def vocabulary() -> tuple[list[str], np.ndarray]:
    from index.lexical import tokenize

    counts: Counter[str] = Counter()
    for f in sorted((REPO / "examples").glob("*")):
        if f.suffix in {".txt", ".md"}:
            counts.update(t for t in tokenize(f.read_text(encoding="utf-8", errors="ignore")) if len(t) > 1)
    if len(counts) < 200:
        raise SystemExit("examples/ corpus too small to build a vocabulary")
    words = list(counts)
    freq = np.asarray([counts[w] for w in words], dtype=np.float64)
    return words, freq / freq.sum()


def build(data_dir: Path, n_chunks: int, seed: int = 7) -> dict:
    from core.settings import get_settings
    from index.embed import get_embedder
    from index.registry import ChunkRecord, DocumentRecord
    from index.store import DocumentWrite, open_kb

    rng = np.random.default_rng(seed)
    words, p = vocabulary()
    settings = get_settings(data_dir=data_dir, kb="bench", embedder="e5-small")
    emb = get_embedder("e5-small")
    t0 = time.perf_counter()
    per_doc = 2000
    with open_kb(settings, embedder=emb, create=True) as kb, kb.writing():
        for d in range(0, n_chunks, per_doc):
            n = min(per_doc, n_chunks - d)
            doc_id = f"{d:08d}".ljust(64, "0")
            year = int(rng.integers(2018, 2025))
            genre = GENRES[int(rng.integers(len(GENRES)))]
            chunks = []
            lengths = rng.integers(60, 121, n)
            drawn = rng.choice(len(words), size=int(lengths.sum()), p=p)
            pos = 0
            for i in range(n):
                toks = [words[j] for j in drawn[pos : pos + lengths[i]]]
                pos += lengths[i]
                h1 = HEADINGS_1[int(rng.integers(len(HEADINGS_1)))]
                h2 = HEADINGS_2[int(rng.integers(len(HEADINGS_2)))]
                cid = f"{doc_id[:20]}-{i:05d}"
                chunks.append(
                    ChunkRecord(
                        id=cid,
                        doc_id=doc_id,
                        position=i,
                        text="".join(toks),
                        heading_path=[h1, h2],
                        section_kind=KINDS[int(rng.integers(len(KINDS)))],
                        source=f"synthetic-{d // per_doc:03d}.txt",
                        title=f"合成材料{d // per_doc}",
                        year=year,
                        org=None,
                        genre=genre,
                        tokens=[*h1[2:].split(), *h2[3:].split(), *toks],
                        embed_hash=cid,
                        norm_hash=cid,
                        dup_group=cid,
                    )
                )
            vecs = rng.standard_normal((n, emb.dimension)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            doc = DocumentRecord(
                doc_id=doc_id,
                source=chunks[0].source,
                path=f"/synthetic/{chunks[0].source}",
                title=chunks[0].title,
                year=year,
                genre=genre,
                n_chunks=n,
                n_chars=sum(len(c.text) for c in chunks),
                ingested_at="2024-01-01T00:00:00",
            )
            kb.write_documents([DocumentWrite(doc, chunks, vecs, [], {c.id: [] for c in chunks})])
            print(f"\r  built {d + n:,}/{n_chunks:,} chunks", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {"chunks": n_chunks, "build_s": round(time.perf_counter() - t0, 1)}


def search_phase(data_dir: Path, n_queries: int, seed: int = 11) -> dict:
    from core.settings import get_settings
    from index.retrieve import search

    rng = np.random.default_rng(seed)
    words, p = vocabulary()
    # Topical words: drop the most frequent tenth (function-like) and the rarest.
    order = np.argsort(-p)
    pool = [words[i] for i in order[len(order) // 10 : len(order) * 8 // 10]]
    queries = [
        " ".join(rng.choice(pool, size=int(rng.integers(2, 5)), replace=False)) for _ in range(n_queries)
    ]
    settings = get_settings(data_dir=data_dir, kb="bench", embedder="e5-small")

    t0 = time.perf_counter()
    first = search(settings, "医保基金监管 追回基金", k=5)
    cold = time.perf_counter() - t0
    times = []
    for q in queries:
        t = time.perf_counter()
        hits = search(settings, q, k=5)
        times.append((time.perf_counter() - t) * 1000)
        assert hits, q
    times.sort()
    return {
        "queries": n_queries,
        "first_search_s": round(cold, 2),
        "first_hits": len(first),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--data-dir", type=Path, default=None, help="reuse a corpus built earlier here")
    ap.add_argument("--phase", choices=["all", "build", "search"], default="all")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    if args.phase == "search":
        print(json.dumps(search_phase(args.data_dir, args.queries)))
        return 0
    tmp = None
    data_dir = args.data_dir
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="biganzi-search-")
        data_dir = Path(tmp.name)
    try:
        result: dict = {"cpus": os.cpu_count()}
        if not (data_dir / "kb" / "bench").exists():
            built = build(data_dir, args.chunks)
            built["build_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
            result.update(built)
        if args.phase == "all":
            r = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--phase",
                    "search",
                    "--data-dir",
                    str(data_dir),
                    "--queries",
                    str(args.queries),
                ],
                capture_output=True,
                text=True,
            )
            if r.returncode != 0:
                raise SystemExit(r.stderr[-3000:])
            result.update(json.loads(r.stdout.strip().splitlines()[-1]))
    finally:
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"search speed, {os.cpu_count()} CPUs")
    for k, v in result.items():
        print(f"  {k:18} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
