"""`biganzi --help` start-up time (target under 0.5 s): median wall time of repeated runs.

    nice -n 10 .venv/bin/python bench/cli_startup.py [--runs 15] [--json]

Each run is a fresh process of the installed console script, as a user types it. Also timed:
`biganzi search --help`, which imports the knowledge-base command module (but none of chromadb,
jieba or the embedder — they load only when a command runs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _biganzi() -> list[str]:
    exe = Path(sys.executable).with_name("biganzi")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "assistant.cli"]


def time_command(args: list[str], runs: int) -> dict[str, float]:
    subprocess.run([*_biganzi(), *args], capture_output=True, check=True)  # warm the file cache
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([*_biganzi(), *args], capture_output=True, check=True)
        walls.append(time.perf_counter() - t)
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = {
        "biganzi --help": time_command(["--help"], args.runs),
        "biganzi search --help": time_command(["search", "--help"], args.runs),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"CLI start-up, median of {args.runs} runs")
    for name, r in result.items():
        print(f"  {name:24} {r['median_s']:.3f} s  (min {r['min_s']:.3f}, max {r['max_s']:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
