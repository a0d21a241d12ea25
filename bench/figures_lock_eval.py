"""The figures lock, measured with a real model on ../shared/eval/figures_dev.jsonl.

    nice -n 10 .venv/bin/python bench/figures_lock_eval.py [--modes off,verbatim,placeholder] [--runs 1] [--json]

For every case and mode it drafts through the real pipeline (assistant.draft.draft_section, exemplars
retrieved from ../shared/seeds ingested into a temporary knowledge base) and reports:
- model_verbatim: required figures (must_include) the model itself wrote verbatim (after placeholder
  substitution, before any repair);
- final_verbatim: required figures in the text the user gets;
- unmarked: stale or unsupported numbers (and dates) left unmarked in that text, by the tracer;
- flagged / placed / repairs: what the repair pass did.
Mode "off" is the plain pipeline (lock_figures=False): the user's figures pasted into the prompt as
they are, no repair. Seeds and the model stay outside the repository.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def measure(case: dict[str, Any], mode: str, settings: Any, model: Any, kb: str) -> dict[str, Any]:
    import assistant.lock as lock_mod
    from assistant.draft import draft_section
    from assistant.figures import parse_figures
    from assistant.lock import lock, substitute
    from assistant.trace import trace_numbers

    original = lock_mod.lock
    if mode == "placeholder":
        lock_mod.lock = functools.partial(original, mode="placeholder")  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        result = draft_section(
            settings,
            case["request"],
            case["figures"],
            length=200,
            kb=kb,
            model=model,
            lock_figures=mode != "off",
        )
        seconds = time.perf_counter() - t0
    finally:
        lock_mod.lock = original  # type: ignore[assignment]
    facts = parse_figures(case["figures"]).facts
    locked = result.locked or lock(facts)
    model_text = substitute(result.raw_text, locked)[0] if locked.tokens else result.raw_text
    final = result.text
    past = [s.get("text", "") for s in result.sources]
    traced = trace_numbers(final, lock(facts), past, case["request"])
    report = result.figures or {}
    need = case["must_include"]
    return {
        "id": case["id"],
        "mode": mode,
        "required": len(need),
        "model_verbatim": sum(n in model_text for n in need),
        "final_verbatim": sum(n in final for n in need),
        "unmarked": [t.text for t in traced if t.flagged],
        "flagged": len(report.get("flagged", [])),
        "placed": len(report.get("placed", [])),
        "repairs": len(report.get("repairs", [])),
        "seconds": round(seconds, 1),
        "raw": result.raw_text,
        "text": final,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval" / "figures_dev.jsonl")
    ap.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    ap.add_argument("--modes", default="off,verbatim,placeholder")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--embedder", default="fake", help="embedder for the temporary knowledge base")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.eval.exists() or not args.seeds.exists():
        print(f"skipped: {args.eval} or {args.seeds} not present")
        return

    from assistant import llm as llm_api
    from core.settings import get_settings
    from index.ingest import ingest_paths

    bundled = REPO / "data" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    with tempfile.TemporaryDirectory() as tmp:
        overrides: dict[str, Any] = {"data_dir": Path(tmp), "embedder": args.embedder, "llm": "local"}
        if not os.environ.get("BIGANZI_MODEL_PATH") and bundled.exists():
            overrides["model_path"] = bundled
        settings = get_settings(**overrides)
        ingest_paths(settings, sorted(args.seeds.glob("*.txt")), kb="seeds")
        model = llm_api.get_chat_model(settings)
        rows = []
        for _ in range(args.runs):
            for case in load_cases(args.eval):
                for mode in args.modes.split(","):
                    row = measure(case, mode, settings, model, "seeds")
                    rows.append(row)
                    if not args.json:
                        print(
                            f"{row['id']} {mode:11s} model {row['model_verbatim']}/{row['required']} "
                            f"final {row['final_verbatim']}/{row['required']} unmarked {len(row['unmarked'])} "
                            f"flagged {row['flagged']} placed {row['placed']} {row['seconds']}s",
                            flush=True,
                        )
    summary = {}
    for mode in args.modes.split(","):
        rs = [r for r in rows if r["mode"] == mode]
        req = sum(r["required"] for r in rs) or 1
        summary[mode] = {
            "model_verbatim_pct": round(100 * sum(r["model_verbatim"] for r in rs) / req, 1),
            "final_verbatim_pct": round(100 * sum(r["final_verbatim"] for r in rs) / req, 1),
            "unmarked_numbers": sum(len(r["unmarked"]) for r in rs),
            "flagged": sum(r["flagged"] for r in rs),
            "placed": sum(r["placed"] for r in rs),
            "median_seconds": statistics.median(r["seconds"] for r in rs) if rs else None,
        }
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows}, ensure_ascii=False, indent=2))
        return
    print("\nmode         model-verbatim  final-verbatim  unmarked  flagged  placed  median s")
    for mode, s in summary.items():
        print(
            f"{mode:11s}  {s['model_verbatim_pct']:>13}%  {s['final_verbatim_pct']:>13}%  {s['unmarked_numbers']:>8}"
            f"  {s['flagged']:>7}  {s['placed']:>6}  {s['median_seconds']}"
        )


if __name__ == "__main__":
    main()
