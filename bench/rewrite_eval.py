"""Rewrites and chat follow-ups with the real local model: per kind, the share that passes every
check, and the median time.

    nice -n 10 .venv/bin/python bench/rewrite_eval.py [--seeds 1 2] [--kinds compress,heading]
                                                      [--paragraphs 4] [--no-follow-ups] [--json]

Paragraphs: our own (bench/data/rewrite_paragraphs.txt) and, when ../shared exists, seed paragraphs
read at run time from ../shared/seeds (a （一）-heading section cut to its first sentences, 100–220
characters; never copied into the repository). Each paragraph is rewritten once per kind and seed
through `assistant.rewrite.stream_rewrite`; follow-ups go through `Conversation.send` with the
paragraph as the current draft. A case passes when the pipeline's own verification is clean
(`result.passed`: asked length S_l ≥ 80, every original number kept and none added, heading kept
unless asked, a real change, the asked form) AND the reference measures of
../shared/eval/quality.py agree (its `length_score` ≥ 80 where a length was asked; no number outside
the original's). A rewrite that came back unchanged counts as a failure even though the user is told.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from common import REPO, SEEDS, load_quality

OWN = REPO / "bench" / "data" / "rewrite_paragraphs.txt"

# kind → instruction (with {short} / {long} filled from the paragraph's length)
REWRITES: dict[str, str] = {
    "compress": "压缩到{short}字左右，语言更精炼",
    "expand": "扩写到{long}字左右",
    "formal": "改得更正式一些",
    "reword": "换个说法，不要和去年的写法雷同",
    "first_person": "改成述职报告的第一人称口吻",
    "heading": "把标题改成对仗的八字句",
    "split": "分成一是、二是几条",
    "add_figures": "加上参保率99.91%",
}
FOLLOW_UPS: dict[str, str] = {
    "follow:concise": "再精炼一些",
    "follow:compress": "压缩到{short}字",
    "follow:sentence": "第二句换个说法",
    "follow:add_metric": "加上参保率",
}
FOLLOW_FIGURES = "参保率99.91%"


def seed_paragraphs(limit: int, later: bool = False) -> list[tuple[str, str]]:
    """(name, text): （一）-level sections of the seed reports cut to 100–220 characters, the first
    qualifying section of each report (later=False: the ones earlier rounds developed on) or the
    later ones (later=True: held out, never tuned on); identical texts once."""
    if not SEEDS.exists() or limit <= 0:
        return []
    per_file: list[list[tuple[str, str]]] = []
    for path in sorted(SEEDS.glob("*.txt")):
        found: list[tuple[str, str]] = []
        for ln in (ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()):
            if not re.match(r"^[（(][一二三四五六七八九十][）)]", ln) or len(ln) < 160:
                continue
            text = ""
            for s in re.findall(r"[^。！？]+[。！？]", ln):
                if len(text) + len(s) > 220:
                    break
                text += s
            if 100 <= len(text) <= 220 and "##" not in text:  # (## : a scraping artefact)
                found.append((f"seed:{path.stem[:3]}" + (f".{len(found)}" if found else ""), text))
        per_file.append(found[1:] if later else found[:1])
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    # round-robin over the reports so a few paragraphs come from different ones
    for rank in range(max((len(f) for f in per_file), default=0)):
        for found in per_file:
            # two reports of one bureau share sections (one masked with XX): one of them
            if rank < len(found) and found[rank][1][:12] not in seen:
                seen.add(found[rank][1][:12])
                out.append(found[rank])
    return out[:limit]


# own:0–3 were the development paragraphs; own:4 onward were written later and held out.
OWN_DEV = 4


def own_paragraphs(held_out: bool = False) -> list[tuple[str, str]]:
    blocks = [b.strip() for b in OWN.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    named = [(f"own:{i}", b) for i, b in enumerate(blocks)]
    return named[OWN_DEV:] if held_out else named[:OWN_DEV]


def reference_ok(q: Any, original: str, text: str, asked: int | None, figures: str = "") -> list[str]:
    """The reference measures' view (../shared/eval/quality.py)."""
    if q is None:
        return []
    problems = []
    if asked:
        score = q.length_score(asked, q.cjk_len(text))
        if score < 80:
            problems.append(f"S_l {score:.0f}")
    allowed = set(q.numbers(original + "\n" + figures))
    stray = [n for n in q.numbers(text) if n not in allowed]
    if stray:
        problems.append(f"new numbers {stray}")
    return problems


def conversation_on(settings: Any, model: Any, text: str, figures: str) -> Any:
    """A Conversation whose current draft is `text` (no drafting call)."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    from assistant.conversation import Conversation, Turn
    from assistant.draft import DraftResult, system_prompt
    from assistant.style import style_profile

    conv = Conversation(settings=settings, kb=settings.kb, model=model, figures=figures, length=len(text))
    system = SystemMessage(content=system_prompt(style_profile(settings, settings.kb)))
    ask = HumanMessage(content="【写作任务】把下面这段作为当前稿：\n" + text)
    result = DraftResult(
        text=text, raw_text=text, sources=[], model="", timings={}, messages=[system, ask], request="当前稿"
    )
    conv.turns.append(Turn("当前稿", "draft", result))
    conv.messages = [system, ask, AIMessage(content=text)]
    return conv


def _commit() -> str:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
    except OSError:
        return ""
    return out.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--kinds", default="", help="comma-separated kinds (default: all, follow-ups included)")
    ap.add_argument("--paragraphs", type=int, default=4, help="seed paragraphs to use (own ones always)")
    ap.add_argument("--own", type=int, default=4, help="own paragraphs to use")
    ap.add_argument("--own-from", type=int, default=0, help="first own paragraph to use (own:N)")
    ap.add_argument("--no-follow-ups", action="store_true")
    ap.add_argument("--llm", default="local")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--out", type=Path, help="also write the JSON rows and summary here")
    ap.add_argument(
        "--kb", default="bench_examples", help="knowledge base for expand's hints (examples/ ingested once)"
    )
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument(
        "--held-out",
        action="store_true",
        help="paragraphs never tuned on: later seed sections and own:4 onward (default: the development ones)",
    )
    ap.add_argument(
        "--trace", action="store_true", help="print every sampled sentence and why it was rejected"
    )
    ap.add_argument(
        "--no-copy-block",
        action="store_true",
        help="A/B: later samples may go on copying the original (assistant.llm.copy_block off)",
    )
    args = ap.parse_args()
    if args.no_copy_block:
        import assistant.rewrite_methods as methods

        methods.COPY_BLOCK = False

    from assistant import llm as llm_api
    from assistant.rewrite import rewrite_text
    from assistant.rewrite_kinds import (
        change_similarity,
        cjk_len,
        order_free_similarity,
        parse_parts,
        recognise,
        similarity,
        verify,
    )
    from core.settings import get_settings

    if args.trace:
        import logging

        logging.basicConfig(format="       %(message)s", stream=sys.stderr)
        logging.getLogger("biganzi.rewrite").setLevel(logging.DEBUG)
    started_at = _commit()  # the code this run imports (HEAD may move while it runs)
    q = load_quality()
    if q is None:
        print("../shared/eval/quality.py not found: reference measures skipped", file=sys.stderr)
    settings = get_settings(llm=args.llm, kb=args.kb)
    from index.ingest import ingest_paths

    ingest_paths(
        settings, sorted(p for p in (REPO / "examples").iterdir() if p.name != "README.md"), kb=args.kb
    )
    model = llm_api.get_chat_model(settings)
    # Seed paragraphs first (never tuned on), then ours; own:0 was the development paragraph: last.
    own = own_paragraphs(args.held_out)
    if not args.held_out:
        own = own[1:] + own[:1]  # own:0 was the development paragraph: last
    own = [(name, text) for name, text in own if int(name.split(":")[1]) >= args.own_from]
    paragraphs = seed_paragraphs(args.paragraphs, later=args.held_out) + own[: args.own]
    wanted = set(filter(None, args.kinds.split(",")))
    cases = {k: v for k, v in REWRITES.items() if not wanted or k in wanted}
    if not args.no_follow_ups:
        cases.update({k: v for k, v in FOLLOW_UPS.items() if not wanted or k in wanted})

    rows: list[dict[str, Any]] = []
    for name, text in paragraphs:
        n = cjk_len(text)
        for kind, template in cases.items():
            instruction = template.format(short=round(n * 0.6 / 10) * 10, long=round(n * 1.7 / 10) * 10)
            for seed in args.seeds:
                t0 = time.perf_counter()
                if kind.startswith("follow:"):
                    # (follow-ups sample with fresh seeds: the repetition is the seed)
                    conv = conversation_on(settings, model, text, FOLLOW_FIGURES)
                    result = None
                    for ev in conv.send(instruction):
                        if ev.kind == "done":
                            result = ev.result
                    assert result is not None
                    out, notes = result.text, result.notes
                    spec = recognise(instruction, text, FOLLOW_FIGURES)
                    from assistant.rewrite import numbers_to_keep

                    problems = [
                        str(p) for p in verify(spec, text, out, numbers_to_keep(text, instruction), ["99.91"])
                    ]
                    changed = out.strip() != text.strip()
                    asked = spec.length if spec.kind in ("compress", "expand") else None
                else:
                    res = rewrite_text(settings, text, instruction, model=model, seed=seed, kb=args.kb)
                    out, notes, problems, changed = res.text, res.notes, res.problems, res.changed
                    asked = res.length if res.kind in ("compress", "expand") else None
                elapsed = time.perf_counter() - t0
                ref = reference_ok(
                    q,
                    text,
                    out,
                    asked,
                    FOLLOW_FIGURES if "99.91" in instruction or kind == "follow:add_metric" else "",
                )
                passed = changed and not problems and not ref
                row = {
                    "paragraph": name,
                    "kind": kind,
                    "seed": seed,
                    "instruction": instruction,
                    "passed": passed,
                    "changed": changed,
                    "problems": problems + ref,
                    "chars": [n, cjk_len(out)],
                    # raw character similarity, and the body's without names/figures (what reword is held to)
                    "similarity": round(similarity(text, out), 3),
                    "change_similarity": round(
                        change_similarity(parse_parts(text).body, parse_parts(out).body), 3
                    ),
                    # the body's with every new order undone (the sentences, and each sentence's
                    # clauses, put back in the original's order): what the wording itself changed
                    "order_free_similarity": round(
                        order_free_similarity(parse_parts(text).body, parse_parts(out).body), 3
                    ),
                    "seconds": round(elapsed, 1),
                }
                if name.startswith("own:"):  # (our own paragraphs' rewrites, for reading; never the seeds')
                    row["text"] = out
                rows.append(row)
                if args.out:  # row by row, so a run cut short still leaves its cases
                    with args.out.with_suffix(".partial.jsonl").open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                mark = "ok " if passed else "FAIL"
                print(
                    f"{mark} {kind:18s} {name:9s} seed={seed} {elapsed:6.1f}s {n}->{cjk_len(out)}字"
                    f" sim {row['similarity']:.2f}/{row['change_similarity']:.2f} {'; '.join(row['problems'])}",
                    file=sys.stderr,
                    flush=True,
                )
                if args.verbose:
                    print("     " + out.replace("\n", " / "), file=sys.stderr, flush=True)
                    for note in notes:
                        print("     · " + note, file=sys.stderr, flush=True)

    summary: dict[str, dict[str, Any]] = {}
    for kind in cases:
        rs = [r for r in rows if r["kind"] == kind]
        if not rs:
            continue
        summary[kind] = {
            "cases": len(rs),
            "passed": sum(r["passed"] for r in rs),
            "pass_rate": round(sum(r["passed"] for r in rs) / len(rs), 2),
            "unchanged": sum(not r["changed"] for r in rs),
            "median_s": round(statistics.median(r["seconds"] for r in rs), 1),
            "median_similarity": round(statistics.median(r["similarity"] for r in rs), 3),
            "median_change_similarity": round(statistics.median(r["change_similarity"] for r in rs), 3),
            "median_order_free_similarity": round(
                statistics.median(r["order_free_similarity"] for r in rs), 3
            ),
        }
    if args.out:
        meta = {
            "command": " ".join(sys.argv),
            "commit": started_at,
            "model": llm_api.model_label(model),
            "paragraphs": [name for name, _ in paragraphs],
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        args.out.write_text(
            json.dumps({"meta": meta, "summary": summary, "rows": rows}, ensure_ascii=False, indent=1)
        )
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows}, ensure_ascii=False, indent=1))
        return
    print(f"\nmodel {llm_api.model_label(model)}, seeds {args.seeds}, {len(paragraphs)} paragraphs")
    print(f"{'kind':20s} {'pass':>9s} {'unchanged':>9s} {'median s':>9s} {'sim':>6s} {'change':>6s}")
    for kind, s in summary.items():
        print(
            f"{kind:20s} {s['passed']:>4d}/{s['cases']:<4d} {s['unchanged']:>9d} {s['median_s']:>9.1f}"
            f" {s['median_similarity']:>6.2f} {s['median_change_similarity']:>6.2f}"
        )
    total = len(rows)
    print(f"{'all':20s} {sum(r['passed'] for r in rows):>4d}/{total:<4d}")


if __name__ == "__main__":
    main()
