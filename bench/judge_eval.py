"""Can the local model itself tell a faithful rewording from a faulty one?

The checks of what a rewording keeps (assistant.rewrite_keep) read words; a fault they cannot read (an added
claim, a verb of another meaning) would need a reader. This asks the default model to be that reader: for each
of the 320 labelled rewrites in `bench/data/rewrite_labels.jsonl` (OK / SLIP / FAULT, labelled blind in
session 16), it is shown the original and the rewrite and asked whether the rewrite keeps the meaning whole,
and its answer is read as a score: the surprise (nats) of 否 less that of 是 as the first answer token
(higher: more 是). Reported: the AUC of that score, OK against FAULT (0.5 = no better than chance), and the
median score per label. A judge worth wiring into the rewrite would need an AUC well above 0.5.

    python bench/judge_eval.py [--limit N] [--out bench/results/judge_eval.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from common import REPO

LABELS = REPO / "bench" / "data" / "rewrite_labels.jsonl"
QUESTION = (
    "下面是一句公文原句和它的改写。\n原句：{o}\n改写：{n}\n"
    "问：改写是否完整、准确地保留了原句的意思，没有遗漏、增加或改变任何内容？请回答“是”或“否”。\n答："
)


def auc(pos: list[float], neg: list[float]) -> float:
    """The chance that a random `pos` scores above a random `neg` (ties count half)."""
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return wins / (len(pos) * len(neg))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="score only the first N labelled rewrites")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    from assistant import llm as llm_api
    from core.settings import get_settings

    model = llm_api.get_chat_model(get_settings())
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[: args.limit] if args.limit else rows
    scores: dict[str, list[float]] = {"OK": [], "SLIP": [], "FAULT": []}
    t0 = time.perf_counter()
    for r in rows:
        ask = QUESTION.format(o=r["original"], n=r["new"])
        yes, no = llm_api.surprise(model, ask, "是"), llm_api.surprise(model, ask, "否")
        if yes and no:
            scores[r["label"]].append(no[0] - yes[0])
    took = time.perf_counter() - t0
    result = {
        "scored": sum(map(len, scores.values())),
        "seconds": round(took),
        "auc_ok_vs_fault": round(auc(scores["OK"], scores["FAULT"]), 3),
        "auc_ok_slip_vs_fault": round(auc(scores["OK"] + scores["SLIP"], scores["FAULT"]), 3),
        "median": {k: round(statistics.median(v), 2) for k, v in scores.items() if v},
    }
    print(json.dumps(result, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
