"""Cold search: one search in a NEW process (what `biganzi search` and the draft pipeline's first
retrieval pay), median of N fresh processes, with a per-stage breakdown.

    nice -n 10 .venv/bin/python bench/cold_search.py [--runs 7] [--kb seeds] [--data-dir DIR]
                                                    [--before DIR] [--query 基金监管] [--json]

The knowledge base: `--data-dir`/`--kb` when given; otherwise one is built once (cached under
.bench/cold_search/) from ../shared/seeds when present, else from examples/, with the settings'
embedder (e5-small by default).

Each run is a fresh `python -c` process that imports what `biganzi search` imports and runs
`index.retrieve.search(settings, query, k=5)`; it reports its stages (imports; opening the KB; the
BM25 index; the dense copy; cutting the query; loading the embedder and embedding the query; the
dense and the rest of the search) and the end-to-end wall time seen from outside (interpreter start
included). The `biganzi search` console command is timed the same way.

`--preload assistant.draft` imports the draft pipeline first (as `biganzi draft` does) and times
the search after it: the draft's first retrieval. `--before DIR` times another checkout of the code (e.g. `git archive <commit> | tar -x -C DIR`) on
the same knowledge base, interleaved run by run with this one, so a noisy machine hurts both alike;
only its end-to-end times are reported (its stages may not exist). The first search after an ingest
(dense copy and dictionary store built) is timed once, separately.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# The child: stages of one cold search. Works on any checkout whose index.retrieve.search exists;
# the fine-grained stages are timed only where index.dense exists (the fast path).
CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
out = {}
def lap(name, since):
    now = time.perf_counter(); out[name] = round(now - since, 4); return now
t = time.perf_counter()
if os.environ.get("BENCH_PRELOAD"):
    import importlib
    importlib.import_module(os.environ["BENCH_PRELOAD"])
    t = lap("import_preload", t)
from core.settings import get_settings
t = lap("import_settings", t)
import index.retrieve as R
t = lap("import_retrieve", t)
settings = get_settings(kb=os.environ["BENCH_KB"])
query = os.environ["BENCH_QUERY"]
try:
    from index import dense, lexical
    fine = hasattr(lexical, "query_tokens")
except ImportError:
    fine = False
if fine:
    kb = R._kb_for_search(settings, None)
    t = lap("open_kb", t)
    with kb.lock:
        lex = lexical.lexical_index(kb.dir, kb.registry.db)
        t = lap("bm25_load", t)
        vec = dense.dense_index(kb, lex)
        t = lap("dense_copy_load", t)
    lexical.query_tokens(query, settings.data_dir / "cache")
    t = lap("query_tokens", t)
    from index.embed import get_embedder
    emb = get_embedder(settings.embedder)
    emb._load() if hasattr(emb, "_load") else None
    t = lap("embedder_load", t)
    v = emb.embed_query_vector(query)
    t = lap("embed_query", t)
    if vec is not None:
        vec.top(v, 50)
    t = lap("dense_top", t)
hits = R.search(settings, query, k=5)
t = lap("search_rest" if fine else "search", t)
out["in_process_total"] = round(time.perf_counter() - t0, 4)
out["hits"] = len(hits)
out["heavy_modules"] = [m for m in ("chromadb", "scipy", "langchain_core") if m in sys.modules]
print("BENCH" + json.dumps(out))
"""


PRELOAD = ""  # a module imported before the search (--preload): the draft pipeline's first retrieval


def _env(repo: Path, data_dir: Path, kb: str, query: str) -> dict[str, str]:
    env = dict(os.environ)
    env["BENCH_PRELOAD"] = PRELOAD
    env.update(
        PYTHONPATH=str(repo),
        BIGANZI_DATA_DIR=str(data_dir),
        BENCH_KB=kb,
        BENCH_QUERY=query,
        ANONYMIZED_TELEMETRY="False",
        HF_HUB_OFFLINE="1",
    )
    return env


def run_child(repo: Path, data_dir: Path, kb: str, query: str) -> dict[str, object]:
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd="/",
        env=_env(repo, data_dir, kb, query),
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"search process failed ({repo}):\n{p.stderr[-2000:]}")
    line = next(x for x in p.stdout.splitlines() if x.startswith("BENCH"))
    out = json.loads(line[5:])
    out["wall"] = round(wall, 4)
    return out


def run_cli(repo: Path, data_dir: Path, kb: str, query: str) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "assistant.cli", "search", query, "--kb", kb, "-k", "5"],
        cwd="/",
        env=_env(repo, data_dir, kb, query),
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - t


def ensure_kb(data_dir: Path, kb: str) -> None:
    if (data_dir / "kb" / kb / "registry.sqlite3").exists():
        return
    sys.path.insert(0, str(REPO))
    os.environ["BIGANZI_DATA_DIR"] = str(data_dir)
    from core.settings import get_settings
    from index.ingest import ingest_paths

    seeds = SHARED / "seeds"
    paths = sorted(seeds.glob("*.txt")) if seeds.exists() else sorted((REPO / "examples").glob("*"))
    print(f"building knowledge base {kb} from {len(paths)} files in {data_dir} …", file=sys.stderr)
    report = ingest_paths(get_settings(), paths, kb=kb)
    print(report.summary(), file=sys.stderr)


def drop_caches(data_dir: Path, kb: str) -> None:
    """What an ingest leaves: no dense copy, no dictionary store."""
    for p in (data_dir / "kb" / kb).glob("dense-*.npz"):
        p.unlink()
    shutil.rmtree(data_dir / "cache", ignore_errors=True)


def med(xs: list[float]) -> float:
    return round(statistics.median(xs), 3)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--kb", default="seeds")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--before", type=Path, default=None, help="another checkout to time side by side")
    ap.add_argument("--query", default="基金监管")
    ap.add_argument("--no-first", action="store_true", help="skip timing the first search after an ingest")
    ap.add_argument(
        "--preload",
        default="",
        help="import this module first and time the search after it (assistant.draft: the draft's first retrieval)",
    )
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    global PRELOAD
    PRELOAD = args.preload

    data_dir = args.data_dir or (REPO / ".bench" / "cold_search")
    ensure_kb(data_dir, args.kb)

    result: dict[str, object] = {
        "kb": args.kb,
        "data_dir": str(data_dir),
        "query": args.query,
        "runs": args.runs,
        "preload": args.preload,
    }
    if not args.no_first:
        drop_caches(data_dir, args.kb)
        first = run_child(REPO, data_dir, args.kb, args.query)
        result["first_after_ingest_wall_s"] = first["wall"]
        print(
            f"first search after ingest (builds the dense copy and the dictionary store): {first['wall']:.2f} s"
        )

    run_child(REPO, data_dir, args.kb, args.query)  # file cache warm for both
    if args.before:
        run_child(args.before, data_dir, args.kb, args.query)
    after: list[dict[str, object]] = []
    before: list[dict[str, object]] = []
    cli_after: list[float] = []
    cli_before: list[float] = []
    for _ in range(args.runs):
        after.append(run_child(REPO, data_dir, args.kb, args.query))
        cli_after.append(run_cli(REPO, data_dir, args.kb, args.query))
        if args.before:
            before.append(run_child(args.before, data_dir, args.kb, args.query))
            cli_before.append(run_cli(args.before, data_dir, args.kb, args.query))

    stages = [k for k in after[0] if k not in ("hits", "heavy_modules", "wall")]
    result["stages_median_s"] = {k: med([float(r[k]) for r in after]) for k in stages}  # type: ignore[arg-type]
    result["search_process_wall_median_s"] = med([float(r["wall"]) for r in after])  # type: ignore[arg-type]
    result["cli_search_wall_median_s"] = med(cli_after)
    result["heavy_modules_loaded"] = after[0]["heavy_modules"]
    print(f"this checkout: {REPO}")
    for k, v in result["stages_median_s"].items():  # type: ignore[union-attr]
        print(f"  {k:18s} {v:7.3f} s")
    print(f"  search process wall (median of {args.runs}): {result['search_process_wall_median_s']:.3f} s")
    print(f"  biganzi search wall (median of {args.runs}): {result['cli_search_wall_median_s']:.3f} s")
    print(f"  heavy modules loaded: {after[0]['heavy_modules'] or 'none'}")
    if args.before:
        b_wall = med([float(r["wall"]) for r in before])  # type: ignore[arg-type]
        b_cli = med(cli_before)
        result["before"] = {
            "checkout": str(args.before),
            "search_process_wall_median_s": b_wall,
            "cli_search_wall_median_s": b_cli,
            "heavy_modules_loaded": before[0]["heavy_modules"],
        }
        result["ratio_cli_before_over_after"] = round(
            b_cli / max(result["cli_search_wall_median_s"], 1e-9), 2
        )  # type: ignore[arg-type]
        print(f"before: {args.before}")
        print(f"  search process wall (median of {args.runs}): {b_wall:.3f} s")
        print(f"  biganzi search wall (median of {args.runs}): {b_cli:.3f} s")
        print(f"  heavy modules loaded: {before[0]['heavy_modules'] or 'none'}")
        print(f"  before / after (biganzi search): {result['ratio_cli_before_over_after']}×")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
