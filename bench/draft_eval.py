"""Draft quality on ../shared/eval/figures_dev.jsonl with the real local model.

    nice -n 10 .venv/bin/python bench/draft_eval.py [--no-lock | --compare] [--view structure|masked|full]
                                                   [--repeat-penalty 1.1] [--json]

Each case is drafted through the real pipeline (assistant.draft.stream_draft) with exemplars retrieved
from ../shared/seeds, ingested once into .bench/data (outside git). Four measures per case:
1. figures: required figures (must_include) that appear verbatim in the final text;
2. foreign numbers: numbers in the final text that are not among the user's figures and are not
   marked 【…】 for checking (years/months/ordinals excluded, as the tracer does);
3. copying: longest common substring (characters) of the model's text with each exemplar it was
   shown (as retrieved) and with the whole prompt; the first is the "copies last year" measure;
4. length: characters written vs the length asked ("约200字", else 300).
`--no-lock` runs the plain pipeline (figures pasted into the prompt, no lock/repair);
`--compare` runs both, side by side. Seeds stay outside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = REPO.parent / "shared"
CASES = SHARED / "eval" / "figures_dev.jsonl"
SEEDS = SHARED / "seeds"
BENCH_DATA = REPO / ".bench" / "data"


def longest_common_substring(a: str, b: str) -> str:
    """Longest common substring by dynamic programming over characters (texts here are < 3k chars)."""
    if not a or not b:
        return ""
    best, end = 0, 0
    prev = [0] * (len(b) + 1)
    for i, ca in enumerate(a, 1):
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                v = prev[j - 1] + 1
                cur[j] = v
                if v > best:
                    best, end = v, i
        prev = cur
    return a[end - best : end]


def asked_length(request: str) -> int:
    m = re.search(r"(\d+)\s*字", request)
    return int(m.group(1)) if m else 300


def foreign_numbers(text: str, figures: str) -> list[str]:
    """Figure mentions in `text` (not dates/ordinals) whose value is not one of the user's, outside 【…】."""
    from assistant.numbers import figures_in

    allowed = {(m.number, m.base) for m in figures_in(figures)}
    allowed_values = {m.number for m in figures_in(figures)}
    marked = [(m.start(), m.end()) for m in re.finditer(r"【[^】]*】", text)]
    out = []
    for m in figures_in(text):
        if any(a <= m.start < b for a, b in marked):
            continue
        if (m.number, m.base) in allowed or m.number in allowed_values:
            continue
        out.append(m.text)
    return out


def prepare_kb(settings: Any, kb: str) -> None:
    from index.ingest import ingest_paths

    report = ingest_paths(settings, sorted(SEEDS.glob("*.txt")), kb=kb)
    errors = [o for o in report.outcomes if o.status == "error"]
    if errors:
        raise SystemExit(f"ingest failed: {errors[0].message}")


def run_case(
    case: dict[str, Any], settings: Any, model: Any, kb: str, lock: bool, view: str
) -> dict[str, Any]:
    from assistant.draft import stream_draft

    length = asked_length(case["request"])
    t0 = time.perf_counter()
    result = None
    for ev in stream_draft(
        settings,
        case["request"],
        case["figures"],
        length=length,
        kb=kb,
        model=model,
        lock_figures=lock,
        view=view,
    ):
        if ev.kind == "done":
            result = ev.result
    seconds = time.perf_counter() - t0
    assert result is not None
    raw, final = result.raw_text, result.text
    prompt = "\n".join(str(m.content) for m in result.messages)
    lcs_ex = max((longest_common_substring(raw, s["text"]) for s in result.sources), key=len, default="")
    lcs_prompt = longest_common_substring(raw, prompt)
    need = case["must_include"]
    chars = len(re.sub(r"\s", "", final))
    return {
        "id": case["id"],
        "mode": "lock" if lock else "plain",
        "required": len(need),
        "verbatim": sum(n in final for n in need),
        "foreign": foreign_numbers(final, case["figures"]),
        "lcs_exemplar": len(lcs_ex),
        "lcs_exemplar_text": lcs_ex,
        "lcs_prompt": len(lcs_prompt),
        "lcs_prompt_text": lcs_prompt,
        "chars": chars,
        "asked": length,
        "seconds": round(seconds, 1),
        "ttft_s": result.timings.get("ttft_s"),
        "completion_tokens": result.timings.get("completion_tokens"),
        "text": final,
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "figures_verbatim": f"{sum(r['verbatim'] for r in rows)}/{sum(r['required'] for r in rows)}",
        "foreign_numbers": sum(len(r["foreign"]) for r in rows),
        "lcs_exemplar_median": statistics.median(r["lcs_exemplar"] for r in rows),
        "lcs_exemplar_max": max(r["lcs_exemplar"] for r in rows),
        "lcs_prompt_median": statistics.median(r["lcs_prompt"] for r in rows),
        "length_ratio_median": round(statistics.median(r["chars"] / r["asked"] for r in rows), 2),
        "seconds_median": statistics.median(r["seconds"] for r in rows),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-lock", action="store_true", help="plain pipeline: no figures lock / repair")
    ap.add_argument("--compare", action="store_true", help="run plain and locked, side by side")
    ap.add_argument(
        "--view",
        default="openings",
        choices=["openings", "structure", "masked", "full"],
        help="exemplar view",
    )
    ap.add_argument("--repeat-penalty", type=float, default=None)
    ap.add_argument("--temperature", type=float, default=None)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--embedder", default=None, help="embedder for the seed KB (default: settings)")
    ap.add_argument("--json", action="store_true", help="print all rows as JSON")
    args = ap.parse_args()
    if not CASES.exists() or not SEEDS.exists():
        print(f"skipped: {CASES} or {SEEDS} not found")
        return

    from assistant.llm import get_chat_model
    from core.settings import get_settings

    overrides: dict[str, Any] = {"data_dir": BENCH_DATA, "llm": "local"}
    if args.embedder:
        overrides["embedder"] = args.embedder
    if args.repeat_penalty is not None:
        overrides["repeat_penalty"] = args.repeat_penalty
    if args.temperature is not None:
        overrides["temperature"] = args.temperature
    settings = get_settings(**overrides)
    kb = "eval-seeds"
    prepare_kb(settings, kb)
    model = get_chat_model(settings)
    model.seed = args.seed
    cases = [json.loads(x) for x in CASES.read_text(encoding="utf-8").splitlines() if x.strip()]
    modes = [False, True] if args.compare else [not args.no_lock]
    rows = [run_case(c, settings, model, kb, lock, args.view) for lock in modes for c in cases]
    if args.json:
        print(
            json.dumps(
                {
                    "rows": rows,
                    "summary": {
                        r: summary([x for x in rows if x["mode"] == r]) for r in {x["mode"] for x in rows}
                    },
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    print(
        f"model {model.label}  view={args.view}  repeat_penalty={settings.repeat_penalty}  T={settings.temperature}"
    )
    print(
        f"{'id':4} {'mode':5} {'figures':>7} {'foreign':>7} {'lcs_ex':>6} {'lcs_pr':>6} {'chars/asked':>11} {'s':>5}"
    )
    for r in rows:
        print(
            f"{r['id']:4} {r['mode']:5} {r['verbatim']}/{r['required']:<5} {len(r['foreign']):>7} {r['lcs_exemplar']:>6} "
            f"{r['lcs_prompt']:>6} {r['chars']:>5}/{r['asked']:<5} {r['seconds']:>5}"
        )
    for mode in dict.fromkeys(r["mode"] for r in rows):
        print(mode, json.dumps(summary([r for r in rows if r["mode"] == mode]), ensure_ascii=False))
    for r in rows:
        print(
            f"\n[{r['id']} {r['mode']}] {r['text']}\n  longest copy from exemplar: {r['lcs_exemplar_text']!r}"
        )
        if r["foreign"]:
            print(f"  numbers not in the figures: {r['foreign']}")


if __name__ == "__main__":
    main()
