"""Tokens/s of two llama.cpp builds side by side: the portable wheel (default) vs a native one.

    make setup LLAMA_BUILD=native VENV=.venv-native      # once: builds the native wheel (~6 min, 2 cores)
    nice -n 10 .venv/bin/python bench/build_speed.py --venv .venv --venv .venv-native [--runs 5]

Each run is a fresh process of that venv's Python: load the model (in-process llama-cpp-python),
evaluate a fixed ~400-token prompt (prompt tokens/s), then generate 128 tokens greedily (generation
tokens/s). Runs alternate between the venvs so that machine noise hits both alike; medians and the
native/portable ratio are printed as JSON. The model is the bundled GGUF in .bench/data (or --model).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, sys, time
import llama_cpp
path, n_threads, n_gen = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
llm = llama_cpp.Llama(model_path=path, n_ctx=2048, n_threads=n_threads, n_threads_batch=n_threads, verbose=False)
load = time.perf_counter() - t
text = "今年以来，我局坚持以人民为中心，聚焦群众急难愁盼，扎实推进医疗保障各项改革，" * 12
tokens = llm.tokenize(text.encode("utf-8"), add_bos=False)
t = time.perf_counter()
llm.eval(tokens)
prompt_s = time.perf_counter() - t
t, n = time.perf_counter(), 0
for tok in llm.generate([], temp=0.0, reset=False):
    n += 1
    if n >= n_gen:
        break
gen_s = time.perf_counter() - t
print(json.dumps({"load_s": load, "prompt_tok_s": len(tokens) / prompt_s, "gen_tok_s": n / gen_s,
                  "prompt_tokens": len(tokens), "gen_tokens": n}))
"""


def flavor(venv: Path) -> str:
    try:
        return (venv / ".llama-flavor").read_text().strip()
    except OSError:
        return "unknown"


def default_model() -> Path:
    sys.path.insert(0, str(REPO))
    from assistant.model_files import ensure_local_model
    from core.settings import get_settings

    return ensure_local_model(get_settings(data_dir=REPO / ".bench" / "data", model_path=None))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--venv", action="append", type=Path, help="a venv made by make setup (twice)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gen", type=int, default=128)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--model", type=Path, default=None)
    args = ap.parse_args()
    venvs = args.venv or [REPO / ".venv", REPO / ".venv-native"]
    missing = [v for v in venvs if not (v / "bin" / "python").exists()]
    if missing:
        sys.exit(f"no venv at {missing[0]}: make setup LLAMA_BUILD=native VENV={missing[0]}")
    model = args.model or default_model()
    rows: dict[str, list[dict[str, float]]] = {str(v): [] for v in venvs}
    for _ in range(args.runs):
        for v in venvs:
            cmd = [str(v / "bin" / "python"), "-c", PROBE, str(model), str(args.threads), str(args.gen)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            rows[str(v)].append(json.loads(out.strip().splitlines()[-1]))
    report: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}".strip(", "),
        "model": model.name,
        "runs": args.runs,
    }
    medians = {}
    for v, rs in rows.items():
        medians[v] = {
            key: round(statistics.median(r[key] for r in rs), 2)
            for key in ("load_s", "prompt_tok_s", "gen_tok_s")
        }
        report[f"{v} ({flavor(Path(v))})"] = medians[v]
    if len(venvs) == 2:
        a, b = (medians[str(v)] for v in venvs)
        report["ratio_second_over_first"] = {
            "prompt_tok_s": round(b["prompt_tok_s"] / a["prompt_tok_s"], 3),
            "gen_tok_s": round(b["gen_tok_s"] / a["gen_tok_s"], 3),
        }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
