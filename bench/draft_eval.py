"""Draft quality with the real local model: the measures of ../shared/eval/quality.py, per seed.

    nice -n 10 .venv/bin/python bench/draft_eval.py [--mode planned|single|naive] [--seeds 1 2 3]
                                                   [--cases all|dev|own] [--json out.json] [--show 3]

Cases: ../shared/eval/quality_dev.jsonl + figures_dev.jsonl (when ../shared exists) and our own
bench/data/quality_cases.jsonl. Each case is drafted through assistant.draft.stream_draft with
exemplars retrieved from ../shared/seeds (ingested once into .bench/data, outside git).

Modes: `planned` is the pipeline (plan by code, one short call per part, enumerators by code, numbers
constrained on the local backend); `single` is the one-call pipeline it replaced (one prompt for the
whole section, the repair pass after; without the old "extend" call, which is gone); `naive` is
one prompt with the three retrieved passages pasted whole, the request and the figures, and the
model's reply as it comes (no plan, no lock, no clean-up, no guard). The numbers of the pipeline as it was before this change
(with its extension step) are kept in bench/results/draft_eval_before.json.

Measures (quality.py's definitions): figures included / required, stray numbers, artifacts,
enumeration errors, repeated sentences, S_l (LongBench-Write length score), plus events that nobody
gave (assistant.write.invented_events) and seconds.
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import time
from pathlib import Path
from typing import Any

from common import BENCH_DATA, EVAL, REPO, SEEDS, ingest_seeds, load_quality

OWN_CASES = REPO / "bench" / "data" / "quality_cases.jsonl"


def asked_length(case: dict[str, Any]) -> int:
    if case.get("asked"):
        return int(case["asked"])
    from assistant.request import parse_request

    return parse_request(case["request"]).length or 300


def load_cases(which: str) -> list[dict[str, Any]]:
    files = []
    if which in ("all", "dev"):
        files += [EVAL / "quality_dev.jsonl", EVAL / "figures_dev.jsonl"]
    if which in ("all", "own"):
        files.append(OWN_CASES)
    cases = []
    for f in files:
        if f.exists():
            cases += [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    return cases


def measure(q: Any, case: dict[str, Any], text: str, asked: int) -> dict[str, Any]:
    from assistant.write import invented_events

    allowed = case["request"] + "\n" + (case.get("figures") or "")
    included, stray = q.figure_problems(text, case.get("must_include", []), allowed)
    return {
        "figures": included,
        "required": len(case.get("must_include", [])),
        "stray": stray,
        "artifacts": q.artifacts(text),
        "enumeration": q.enumeration_errors(text),
        "repeated": q.repeated_sentences(text),
        "S_l": round(q.length_score(asked, q.cjk_len(text)), 1),
        "chars": q.cjk_len(text),
        "events": invented_events(text, allowed),
    }


def naive_draft(
    case: dict[str, Any], settings: Any, model: Any, kb: str, asked: int
) -> tuple[str, int | None]:
    """The naive baseline: one prompt with the three retrieved passages pasted whole, the request and
    the figures, and the model's reply as it comes (no plan, no lock, no clean-up, no guard)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.draft import retrieve_exemplars

    exemplars, _ = retrieve_exemplars(settings, case["request"], kb, k=3, view="full")
    passages = "\n\n".join(ex.original or ex.text for ex in exemplars)
    prompt = f"参考下面往年材料的写法：\n{passages}\n\n{case['request']}"
    if case.get("figures"):
        prompt += f"\n今年的数据：{case['figures']}"
    prompt += f"\n约{asked}字，只输出正文。"
    reply = model.invoke(
        [SystemMessage(content="你是机关公文写作助手。"), HumanMessage(content=prompt)],
        max_tokens=int(asked * 1.6) + 32,
    )
    usage = getattr(reply, "usage_metadata", None) or {}
    return str(reply.content), usage.get("output_tokens")


def run_case(case: dict[str, Any], settings: Any, model: Any, kb: str, mode: str, q: Any) -> dict[str, Any]:
    from assistant.draft import stream_draft

    asked = asked_length(case)
    t0 = time.perf_counter()
    plan, tokens = None, None
    if mode == "naive":
        text, tokens = naive_draft(case, settings, model, kb, asked)
    else:
        kwargs: dict[str, Any] = {"length": asked, "kb": kb, "model": model}
        if "planned" in inspect.signature(stream_draft).parameters:
            kwargs["planned"] = mode == "planned"
        result = None
        for ev in stream_draft(settings, case["request"], case.get("figures") or None, **kwargs):
            if ev.kind == "done":
                result = ev.result
        assert result is not None
        text, tokens, plan = (
            result.text,
            result.timings.get("completion_tokens"),
            getattr(result, "plan", None),
        )
    seconds = time.perf_counter() - t0
    row = {"id": case["id"], "mode": mode, "asked": asked, "seconds": round(seconds, 1)}
    row.update(measure(q, case, text, asked))
    row["completion_tokens"] = tokens
    row["text"] = text
    row["plan"] = plan
    return row


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "figures": f"{sum(r['figures'] for r in rows)}/{sum(r['required'] for r in rows)}",
        "stray": sum(len(r["stray"]) for r in rows),
        "artifacts": sum(len(r["artifacts"]) for r in rows),
        "enumeration": sum(len(r["enumeration"]) for r in rows),
        "repeated": sum(len(r["repeated"]) for r in rows),
        "events": sum(len(r["events"]) for r in rows),
        "S_l_median": statistics.median(r["S_l"] for r in rows),
        "S_l_min": min(r["S_l"] for r in rows),
        "seconds_median": statistics.median(r["seconds"] for r in rows),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", default="planned", choices=["planned", "single", "naive"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--cases", default="all", choices=["all", "dev", "own"])
    ap.add_argument("--only", nargs="*", default=None, help="case ids")
    ap.add_argument("--json", type=Path, default=None, help="write all rows and summaries here")
    ap.add_argument("--show", type=int, default=3, help="print this many drafts in full")
    ap.add_argument("--llm", default="local")
    args = ap.parse_args()
    q = load_quality()
    if q is None or not SEEDS.exists():
        print(f"skipped: {EVAL / 'quality.py'} or {SEEDS} not found")
        return

    from assistant.llm import get_chat_model
    from core.settings import get_settings

    settings = get_settings(data_dir=BENCH_DATA, llm=args.llm)
    kb = "eval-seeds"
    ingest_seeds(settings, kb)
    model = get_chat_model(settings)
    cases = [c for c in load_cases(args.cases) if not args.only or c["id"] in args.only]
    if args.only:  # in the order asked
        cases.sort(key=lambda c: args.only.index(c["id"]))
    out: dict[str, Any] = {"mode": args.mode, "model": getattr(model, "label", "?"), "seeds": {}}
    all_rows = []
    for seed in args.seeds:
        if hasattr(model, "seed"):
            model.seed = seed
        rows = []
        for c in cases:
            r = run_case(c, settings, model, kb, args.mode, q)
            r["seed"] = seed
            rows.append(r)
            if args.json:  # rows so far, in case the run is stopped
                args.json.with_suffix(".partial.jsonl").open("a", encoding="utf-8").write(
                    json.dumps(r, ensure_ascii=False) + "\n"
                )
            problems = {k: r[k] for k in ("stray", "artifacts", "enumeration", "repeated", "events") if r[k]}
            print(
                f"seed {seed} {r['id']:5} figures {r['figures']}/{r['required']} S_l {r['S_l']:5} "
                f"{r['chars']}/{r['asked']}字 {r['seconds']:5}s {json.dumps(problems, ensure_ascii=False)}",
                flush=True,
            )
        out["seeds"][seed] = summary(rows)
        print(f"seed {seed} {args.mode}:", json.dumps(out["seeds"][seed], ensure_ascii=False), flush=True)
        all_rows += rows
    out["all"] = summary(all_rows)
    print(f"all {args.mode}:", json.dumps(out["all"], ensure_ascii=False))
    for r in all_rows[: args.show]:
        print(f"\n[{r['id']} seed {r['seed']}] {r['text']}")
    if args.json:
        out["rows"] = all_rows
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
