"""How well the checks of what a rewording keeps (assistant.rewrite_keep) tell a faulty rewrite.

`bench/data/rewrite_labels.jsonl` holds 320 sentence rewrites (换个说法, 更正式, 第二句换个说法, 述职) that
passed every check of their time in the rewrite runs of sessions 10–15 (our own paragraphs only), each
labelled in session 16 by a reader who saw neither the checks nor the run: `OK` (the same facts, only
the wording changed), `SLIP` (a flaw an editor would touch, no fact changed) or `FAULT` (a reader
learns something else, or the sentence is broken), with the reason. For each check, and for all of
them together, how many rewrites of each label it rejects: a good check rejects many FAULTs and few
OKs. The place check is applied after `restore_place` (the pipeline puts a cut place back first).

    python bench/keep_eval.py [--show CHECK] [--out bench/results/keep_eval.json]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from common import REPO

LABELS = REPO / "bench" / "data" / "rewrite_labels.jsonl"


def checks() -> dict[str, Callable[[str, str, str], object]]:
    from assistant.rewrite_keep import (
        added_things,
        fact_changed,
        lost_place,
        lost_scope,
        lost_things,
        restore_place,
    )
    from assistant.rewrite_methods import _canonical

    return {
        "place (after restore)": lambda k, o, n: (
            lost_place(o, restore_place(o, n)) if k != "first_person" else ""
        ),
        "scope / period": lambda k, o, n: lost_scope(o, n),
        "things": lambda k, o, n: lost_things(o, n, _canonical) if k != "first_person" else [],
        "kind of fact": lambda k, o, n: fact_changed(o, n),
        "things added": lambda k, o, n: added_things(o, n, _canonical),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", help="print the rewrites this check rejects (a name above, or 'missed')")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = checks()
    total = Counter(r["label"] for r in rows)
    table: dict[str, Counter[str]] = {name: Counter() for name in [*found, "any"]}
    for r in rows:
        hits = {name: f(r["kind"], r["original"], r["new"]) for name, f in found.items()}
        for name, hit in [*hits.items(), ("any", any(hits.values()))]:
            if hit:
                table[name][r["label"]] += 1
                if args.show == name:
                    print(f"{r['label']:5s} {hit} | {r['original']} => {r['new']}")
        if args.show == "missed" and r["label"] == "FAULT" and not any(hits.values()):
            print(f"{r['reason']} | {r['original']} => {r['new']}")
    print(f"{len(rows)} labelled rewrites: " + ", ".join(f"{k} {total[k]}" for k in ("FAULT", "SLIP", "OK")))
    print(f"{'check':24s} {'FAULT':>7s} {'SLIP':>7s} {'OK':>7s}   (rewrites it rejects, of each label)")
    for name, c in table.items():
        print(f"{name:24s} {c['FAULT']:>7d} {c['SLIP']:>7d} {c['OK']:>7d}")
    if args.out:
        summary = {name: dict(c) for name, c in table.items()}
        args.out.write_text(
            json.dumps({"labels": dict(total), "rejected": summary}, ensure_ascii=False, indent=1)
        )


if __name__ == "__main__":
    main()
