"""What a skilled writer's faithful rewordings meet in the rewrite pipeline: the bound of 换个说法 and the
sentence checks measured against the work they should let through.

`bench/data/rewrite_skilled.jsonl` holds 80 of our own paragraphs (own:60–99 "held-out", own:110–149
"dev"), each with a whole-paragraph 换个说法 and a 第二句换个说法 written by a skilled writer (a helper
agent told to keep every fact: figures with their qualifiers, units with their places, scope, time,
who, and to add nothing). They are the reference for what the kind should pass.

- `checks`: each changed sentence (aligned by its figures) through the sentence checks with no bound
  on similarity (candidate_problem): how many, and which checks, reject the faithful work. The
  labelled model rewrites (bench/data/rewrite_labels*.jsonl) show what the checks catch beside it.
- `pipeline`: run_rewrite end to end with a stand-in model that answers each sentence with the skilled
  writer's wording of it (no stand-in names, no clause groups: a strong model needs neither): the share
  of 换个说法 and 第二句换个说法 that pass verify. The ceiling the pipeline allows a strong model.
- `bounds`: the change_similarity of the skilled rewordings (deciles), paragraph and sentence.

    python bench/skilled_eval.py [--set dev|held-out|all] [--show] [--out bench/results/skilled_eval.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from common import REPO

DATA = REPO / "bench" / "data" / "rewrite_skilled.jsonl"
LABELS = [
    REPO / "bench" / "data" / "rewrite_labels.jsonl",
    REPO / "bench" / "data" / "rewrite_labels_session18.jsonl",
]
INSTRUCTIONS = {"reword": "换个说法，不要和原文雷同", "second": "第二句换个说法"}


def rows(which: str) -> list[dict[str, Any]]:
    out = [json.loads(x) for x in DATA.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in out if which == "all" or r["set"] == which]


def aligned(old: list[str], new: list[str]) -> dict[str, str]:
    """Original sentence → its rewording, where the two say the same figures (or, with none, are alike)."""
    from assistant.rewrite_kinds import numbers_in, similarity

    if len(old) != len(new):
        return {}
    return {
        a: b
        for a, b in zip(old, new, strict=True)
        if sorted(numbers_in(a)) == sorted(numbers_in(b)) and (numbers_in(a) or similarity(a, b) > 0.3)
    }


def pairs(r: dict[str, Any], kind: str) -> dict[str, str]:
    from assistant.rewrite_kinds import parse_parts

    old = parse_parts(r["text"]).sentences
    if kind == "second":
        new = parse_parts(r["second"]).sentences if r.get("second") else []
        return {old[1]: new[1]} if len(old) > 1 and len(new) > 1 else {}
    return aligned(old, parse_parts(r["reword"]).sentences)


def sentence_problem(original: str, new: str) -> str:
    from assistant.rewrite_methods import Ctx, candidate_problem, mend_fixed, numbers_in

    ctx = Ctx(model=None, system="", keep=numbers_in(original), allowed=set(numbers_in(original)))  # type: ignore[arg-type]
    return candidate_problem(ctx, "reword", original, original, mend_fixed(original, new), 1.0)


def reason(problem: str) -> str:
    return (
        " ".join(problem.split()[:2])
        if re.match(r"(?:scope|thing|metric|figure|place|clause)\b", problem)
        else problem.split(" ")[0]
    )


def check_table(data: list[dict[str, Any]], show: bool) -> dict[str, Any]:
    skilled = {(a, b) for r in data for k in INSTRUCTIONS for a, b in pairs(r, k).items() if a != b}
    labelled = []
    for path in LABELS:
        labelled += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    groups: dict[str, set[tuple[str, str]]] = {"SKILLED": skilled}
    for row in labelled:
        groups.setdefault(row["label"], set()).add((row["original"], row["new"]))
    by_reason: dict[str, Counter[str]] = {}
    rejected: Counter[str] = Counter()
    for label, items in groups.items():
        for a, b in sorted(items):
            if why := sentence_problem(a, b):
                rejected[label] += 1
                by_reason.setdefault(reason(why), Counter())[label] += 1
                if show and label == "SKILLED":
                    print(f"[{why}]\n  {a}\n  {b}")
    return {
        "sentences": {k: len(v) for k, v in groups.items()},
        "rejected": dict(rejected),
        "by_check": {k: dict(v) for k, v in sorted(by_reason.items(), key=lambda kv: -sum(kv[1].values()))},
    }


def pipeline(data: list[dict[str, Any]], show: bool) -> dict[str, Any]:
    from assistant import rewrite_methods
    from assistant.llm.fake import FakeChatModel
    from assistant.rewrite import run_rewrite
    from assistant.rewrite_kinds import parse_parts, similarity

    answers: dict[str, str] = {}

    def ask(self: Any, prompt: str, **_: Any) -> str:  # the model is shown code's seed: the nearest sentence
        m = re.search(r"【原文】\n(.*?)\n【改写要求】", prompt, re.S)
        shown = m.group(1).strip() if m else ""
        best = max(answers, key=lambda k: similarity(k, shown), default="")
        return answers[best] if best and similarity(best, shown) > 0.6 else shown

    saved = rewrite_methods.Ctx.ask, rewrite_methods.mask_names, rewrite_methods.long_chunks
    rewrite_methods.Ctx.ask = ask  # type: ignore[method-assign]
    rewrite_methods.mask_names = lambda text: (text, {})  # type: ignore[assignment]
    rewrite_methods.long_chunks = lambda s, *a, **k: [s]  # type: ignore[assignment]
    result: dict[str, Any] = {}
    try:
        for kind, instruction in INSTRUCTIONS.items():
            n, passed, problems = 0, 0, Counter()
            for r in data:
                got = pairs(r, kind)
                if not got or (kind == "reword" and len(got) != len(parse_parts(r["text"]).sentences)):
                    continue  # (a rewording whose sentences do not align one to one)
                answers.clear()
                answers.update(got)
                gen = run_rewrite(FakeChatModel(), "", r["text"], instruction, seed=1)
                try:
                    while True:
                        next(gen)
                except StopIteration as stop:
                    res = stop.value
                n += 1
                passed += res.passed
                problems.update(p.split("：")[0] for p in res.problems)
                if show and not res.passed:
                    print(r["paragraph"], kind, res.problems)
            result[kind] = {"cases": n, "passed": passed, "problems": dict(problems)}
    finally:
        rewrite_methods.Ctx.ask, rewrite_methods.mask_names, rewrite_methods.long_chunks = saved  # type: ignore[method-assign]
    return result


def bounds(data: list[dict[str, Any]]) -> dict[str, list[float]]:
    from assistant.rewrite_kinds import change_similarity, parse_parts, sentence_at

    para = [change_similarity(parse_parts(r["text"]).body, parse_parts(r["reword"]).body) for r in data]
    sent = [
        change_similarity(sentence_at(parse_parts(r["text"]), 1), sentence_at(parse_parts(r["second"]), 1))
        for r in data
        if r.get("second")
    ]
    return {
        "paragraph": [round(x, 3) for x in statistics.quantiles(para, n=10)],
        "sentence": [round(x, 3) for x in statistics.quantiles(sent, n=10)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="all", choices=["dev", "held-out", "all"])
    ap.add_argument(
        "--show", action="store_true", help="print each rejected skilled sentence and failed case"
    )
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    data = rows(args.set)
    report = {"set": args.set, "paragraphs": len(data), "bounds": bounds(data)}
    report["checks"] = check_table(data, args.show)
    report["pipeline"] = pipeline(data, args.show)
    c, p = report["checks"], report["pipeline"]
    print(f"{len(data)} paragraphs ({args.set}); change_similarity deciles {report['bounds']}")
    print(
        "sentence checks reject: "
        + ", ".join(f"{k} {c['rejected'].get(k, 0)}/{n}" for k, n in c["sentences"].items())
    )
    for name, row in c["by_check"].items():
        print(
            f"  {name:28s} " + " ".join(f"{k} {row.get(k, 0):3d}" for k in ("SKILLED", "FAULT", "SLIP", "OK"))
        )
    for kind, row in p.items():
        print(
            f"pipeline, skilled stand-in: {INSTRUCTIONS[kind]}: {row['passed']}/{row['cases']} pass {row['problems']}"
        )
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
