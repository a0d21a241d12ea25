"""Retrieval quality on ../shared/eval/retrieval_dev.jsonl over ../shared/seeds: ours vs a plain baseline.

    .venv/bin/python bench/retrieval_eval.py [--embedder e5-small] [--json] [--eval FILE] [--seeds DIR]

Ours: the real pipeline (structure-aware chunks, heading path embedded, dense + BM25 + RRF, near-duplicate
collapse), ingested into a temporary data directory. A hit is a result whose `section` contains one of
the query's `expect_section` strings.

Baseline: LangChain's RecursiveCharacterTextSplitter (chunk_size=500, chunk_overlap=0, default
separators) over the same cleaned text, the same embedder, dense cosine search only. Its chunks have
no headings, so a baseline result is a hit when its text overlaps a section whose heading path contains
an expected string (each chunk is mapped to the line range it covers in the cleaned file).

Prints recall@1/@3/@5, MRR and the rank of the first hit per query (0 = not in the top 5).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

K = 5


def _metrics(ranks: list[int]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "recall@1": sum(1 for r in ranks if r == 1) / n,
        "recall@3": sum(1 for r in ranks if 1 <= r <= 3) / n,
        "recall@5": sum(1 for r in ranks if 1 <= r <= 5) / n,
        "mrr": sum(1.0 / r for r in ranks if r) / n,
    }


def _first_hit(results: list[set[str] | str], expect: list[str]) -> int:
    for i, sections in enumerate(results, 1):
        options = [sections] if isinstance(sections, str) else sections
        if any(e in s for s in options for e in expect):
            return i
    return 0


def run_ours(
    seeds: list[Path], queries: list[dict], embedder: str, data_dir: Path, ablate: bool
) -> dict[str, list[int]]:
    """Ranks for the hybrid search, and with --ablate also for each half alone (same index)."""
    from core.settings import get_settings
    from index.ingest import ingest_paths
    from index.retrieve import FusionConfig, search

    settings = get_settings(data_dir=data_dir, embedder=embedder, kb="eval")
    report = ingest_paths(settings, seeds)
    if report.errors:
        raise SystemExit(f"ingest failed: {[o.message for o in report.errors]}")
    variants = {"ours (hybrid, by section)": FusionConfig()}
    if ablate:
        variants["ours, dense only"] = FusionConfig(lexical_weight=0.0)
        variants["ours, BM25 only"] = FusionConfig(dense_weight=0.0)
    return {
        name: [
            _first_hit([h.section for h in search(settings, q["query"], k=K, fusion=f)], q["expect_section"])
            for q in queries
        ]
        for name, f in variants.items()
    }


def _line_sections(text: str, source: str) -> list[str]:
    """Heading path ("a > b") of the deepest section each line of the cleaned text belongs to."""
    from index.structure import iter_sections, parse_document

    doc = parse_document(text, source=source)
    lines = text.split("\n")
    owner = [""] * (len(lines) + 2)
    for path, section in iter_sections(doc):  # parents first, so children overwrite their range
        start = section.line
        end = _section_end(section, doc, len(lines))
        for ln in range(start, end + 1):
            owner[ln] = " > ".join(path)
    return owner


def _section_end(section: object, doc: object, n_lines: int) -> int:
    """Last line of a section: the line before the next heading at the same or a shallower level."""
    from index.structure import iter_sections

    level, line = section.level, section.line  # type: ignore[attr-defined]
    later = [s.line for _, s in iter_sections(doc) if s.line > line and s.level <= level]  # type: ignore[arg-type]
    return (min(later) - 1) if later else n_lines


def run_baseline(seeds: list[Path], queries: list[dict], embedder: str) -> list[int]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index.clean import clean_text
    from index.embed import get_embedder
    from index.load import load_file

    emb = get_embedder(embedder)
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=0, add_start_index=True)
    chunk_sections: list[set[str]] = []
    texts: list[str] = []
    for path in seeds:
        text = clean_text(load_file(path, max_bytes=50 * 2**20).text)
        owner = _line_sections(text, path.name)
        for d in splitter.create_documents([text]):
            start = d.metadata["start_index"]
            first = text.count("\n", 0, start) + 1
            last = text.count("\n", 0, start + len(d.page_content)) + 1
            chunk_sections.append({owner[ln] for ln in range(first, last + 1) if owner[ln]})
            texts.append(d.page_content)
    vecs = emb.embed_passages(texts)
    ranks = []
    for q in queries:
        scores = vecs @ emb.embed_query_vector(q["query"])
        top = np.argsort(-scores)[:K]
        ranks.append(_first_hit([chunk_sections[i] for i in top], q["expect_section"]))
    return ranks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedder", default="e5-small")
    ap.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    ap.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval" / "retrieval_dev.jsonl")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--ablate", action="store_true", help="also score dense-only and BM25-only on our index")
    args = ap.parse_args()
    if not args.seeds.is_dir() or not args.eval.is_file():
        print(f"skipped: {args.seeds} or {args.eval} not present", file=sys.stderr)
        return 0
    seeds = sorted(args.seeds.glob("*.txt"))
    queries = [
        json.loads(line) for line in args.eval.read_text(encoding="utf-8").splitlines() if line.strip()
    ]

    with tempfile.TemporaryDirectory(prefix="biganzi-eval-") as tmp:
        variants = run_ours(seeds, queries, args.embedder, Path(tmp), args.ablate)
    ours = variants["ours (hybrid, by section)"]
    base = [] if args.no_baseline else run_baseline(seeds, queries, args.embedder)

    ids = [q["id"] for q in queries]
    result: dict = {"embedder": args.embedder, "queries": len(queries)}
    result["ours"] = {**_metrics(ours), "ranks": dict(zip(ids, ours, strict=True))}
    for name, ranks in list(variants.items())[1:]:
        key = "ours_dense_only" if "dense" in name else "ours_bm25_only"
        result[key] = {**_metrics(ranks), "ranks": dict(zip(ids, ranks, strict=True))}
    if base:
        result["baseline"] = {**_metrics(base), "ranks": dict(zip(ids, base, strict=True))}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"retrieval eval: {len(queries)} queries, {len(seeds)} seed files, embedder {args.embedder}")
    print(f"{'':28}{'R@1':>6}{'R@3':>6}{'R@5':>6}{'MRR':>7}")
    rows = [(name, _metrics(ranks)) for name, ranks in variants.items()]
    if base:
        rows.append(("baseline (500-char, dense)", result["baseline"]))
    for name, m in rows:
        print(f"{name:28}{m['recall@1']:6.2f}{m['recall@3']:6.2f}{m['recall@5']:6.2f}{m['mrr']:7.3f}")
    print("\nrank of first hit per query (0 = not in top 5):")
    for q, r_ours, r_base in zip(queries, ours, base or [None] * len(queries), strict=True):
        b = "" if r_base is None else f"  baseline {r_base}"
        print(f"  {q['id']}  ours {r_ours}{b}   {q['query']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
