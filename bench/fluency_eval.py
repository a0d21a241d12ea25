"""How well the local model's surprise tells a garbled rewording from a good one.

`bench/data/fluency_pairs.jsonl` holds 134 sentence rewordings that passed every check of their time
(blind runs 5 and 6, own:84–95: 换个说法, 更正式, 第二句换个说法), each labelled by reading it: `bad`
(a garbled order, a word of another meaning, a fact nobody gave, spoken text left spoken), `slip`
(a smaller fault) or `ok`. For each, the model's mean surprise per token at the new wording less that
at the original, both after the original's lines before it (assistant.rewrite_methods.reads_worse), is
set against the labels: the ranking's AUC (bad against ok) and, at the bound the rewrite uses, how
many of each label it would call worse.

    python bench/fluency_eval.py [--llm local] [--out bench/results/fluency_eval.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from common import REPO

PAIRS = REPO / "bench" / "data" / "fluency_pairs.jsonl"


def auc(pos: list[float], neg: list[float]) -> float:
    """The chance a `pos` value is over a `neg` one (ties count half)."""
    wins = sum(1.0 if p > q else 0.5 if p == q else 0.0 for p in pos for q in neg)
    return wins / (len(pos) * len(neg)) if pos and neg else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llm", default="local")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    from assistant import llm as llm_api
    from assistant.rewrite_methods import READS_WORSE, Ctx, mean_surprise
    from core.settings import get_settings

    settings = get_settings(llm=args.llm)
    model = llm_api.get_chat_model(settings)
    if llm_api.surprise(model, "今年以来，", "我局") is None:
        sys.exit(f"the {args.llm} backend cannot score a text (only the local ones can)")
    ctx = Ctx(model=model, system="", keep=[], allowed=set())
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.monotonic()
    rows = []
    for p in pairs:
        old = mean_surprise(ctx, p["before"], p["original"])
        new = mean_surprise(ctx, p["before"], p["new"])
        rows.append({**p, "worse_by": round(new - old, 3) if old is not None and new is not None else None})
    seconds = time.monotonic() - started
    by = {label: [r["worse_by"] for r in rows if r["label"] == label] for label in ("bad", "slip", "ok")}
    summary = {
        "pairs": len(rows),
        "auc_bad_vs_ok": round(auc(by["bad"], by["ok"]), 3),
        "auc_bad_or_slip_vs_ok": round(auc(by["bad"] + by["slip"], by["ok"]), 3),
        "bound": READS_WORSE,
        "over_bound": {
            label: f"{sum(v > READS_WORSE for v in vals)}/{len(vals)}" for label, vals in by.items()
        },
        "seconds_per_pair": round(seconds / len(rows), 3),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.out:
        meta = {"command": " ".join(sys.argv), "model": llm_api.model_label(model)}
        args.out.write_text(
            json.dumps({"meta": meta, "summary": summary, "rows": rows}, ensure_ascii=False, indent=1)
        )


if __name__ == "__main__":
    main()
