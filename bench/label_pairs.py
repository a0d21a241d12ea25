"""Blind labelling of rewrite_eval runs: the changed sentences of passing outputs, for a reader who sees
neither the checks nor which run wrote them, and the score once labelled.

    python bench/label_pairs.py pairs OUT before=A.json after=B.json   # OUT.items.json (for the reader), OUT.key.json
    python bench/label_pairs.py score OUT B.json after                 # per kind: passed, and passed with no FAULT

The reader writes OUT.labels.json: {"<id>": {"label": "OK" | "SLIP" | "FAULT", "reason": "…"}}.
Sentences are paired by the figures they share (a sentence split in two, or two merged, is one pair;
a new wording may reorder a paragraph's sentences), one without figures with the most alike one left.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from common import REPO

OWN = REPO / "bench" / "data" / "rewrite_paragraphs.txt"


def aligned(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    from assistant.rewrite_kinds import numbers_in, similarity

    parent = list(range(len(old) + len(new)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, a in enumerate(old):
        for j, b in enumerate(new):
            if set(numbers_in(a)) & set(numbers_in(b)):
                parent[root(i)] = root(len(old) + j)
    groups: dict[int, list[int]] = defaultdict(list)
    for x in range(len(parent)):
        groups[root(x)].append(x)
    pairs: list[tuple[str, str]] = []
    alone_old: list[int] = []
    alone_new: list[int] = []
    for members in groups.values():
        o = [x for x in members if x < len(old)]
        n = [x - len(old) for x in members if x >= len(old)]
        if o and n:
            pairs.append(("".join(old[i] for i in o), "".join(new[j] for j in n)))
        else:
            alone_old += o
            alone_new += n
    for i in alone_old:
        if alone_new:
            j = max(alone_new, key=lambda j: similarity(old[i], new[j]))
            if similarity(old[i], new[j]) > 0.3:
                pairs.append((old[i], new[j]))
                alone_new.remove(j)
    return pairs


def make_pairs(out: str, runs: list[str]) -> None:
    from assistant.rewrite_kinds import parse_parts

    blocks = [b.strip() for b in OWN.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    cases: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for arg in runs:
        name, path = arg.split("=", 1)
        for r in json.loads(Path(path).read_text(encoding="utf-8"))["rows"]:
            if not r["passed"] or not r["paragraph"].startswith("own:"):
                continue
            original = blocks[int(r["paragraph"].split(":")[1])]
            for a, b in aligned(parse_parts(original).sentences, parse_parts(r["text"]).sentences):
                if a != b:
                    case = {"run": name, "paragraph": r["paragraph"], "kind": r["kind"], "seed": r["seed"]}
                    cases.setdefault((a, b), []).append(case)
    keys = list(cases)
    random.Random(20).shuffle(keys)  # (the reader sees no run's order)
    items = [{"id": i, "original": a, "new": b} for i, (a, b) in enumerate(keys)]
    Path(out + ".items.json").write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    key = [{**it, "cases": cases[(it["original"], it["new"])]} for it in items]
    Path(out + ".key.json").write_text(json.dumps(key, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(items)} distinct changed pairs → {out}.items.json")


def score(out: str, run: str, name: str) -> None:
    key = json.loads(Path(out + ".key.json").read_text(encoding="utf-8"))
    labels = json.loads(Path(out + ".labels.json").read_text(encoding="utf-8"))
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for it in key:
        label = labels[str(it["id"])]["label"]
        for c in it["cases"]:
            if c["run"] == name:
                found[(c["paragraph"], c["kind"], str(c["seed"]))].append(label)
                counts[c["kind"]][label] += 1
    rows = json.loads(Path(run).read_text(encoding="utf-8"))["rows"]
    for kind in dict.fromkeys(r["kind"] for r in rows):
        of = [r for r in rows if r["kind"] == kind]
        passed = [r for r in of if r["passed"]]
        clean = [r for r in passed if "FAULT" not in found[(r["paragraph"], kind, str(r["seed"]))]]
        print(
            f"{kind:16s} passed {len(passed)}/{len(of)}  no FAULT {len(clean)}/{len(of)}  "
            f"changed sentences OK/SLIP/FAULT {counts[kind]['OK']}/{counts[kind]['SLIP']}/{counts[kind]['FAULT']}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["pairs", "score"])
    ap.add_argument("out")
    ap.add_argument("rest", nargs="+")
    args = ap.parse_args()
    if args.command == "pairs":
        make_pairs(args.out, args.rest)
    else:
        score(args.out, *args.rest)


if __name__ == "__main__":
    main()
