"""Whole-report evaluation (issue 13): a report modelled on one seed, with figures of our own making.

    nice -n 10 .venv/bin/python bench/report_eval.py [--length 3000] [--genre] [--llm local]
                                                    [--json bench/results/report_eval.json] [--show]

The seed is the 总结+思路 report of ../shared/seeds (two parts, 一、 / （一） headings); it is ingested
with the other seeds into .bench/data (outside git) and named with --like. The title moves it on by
a year, the figures below are fictional. Measures, with ../shared/eval/quality.py's definitions:
S_l of the whole (LongBench-Write), repeated sentences across sections, artifacts and enumeration
errors in the bodies, figures included / required and stray numbers, time in total and per section
(and when the first section was finished), and heading soft recall against the --like document's
outline (STORM's soft heading recall, cosine similarity of our embedder). --genre plans from the
工作总结 skeleton instead (no --like), the comparison row.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from common import BENCH_DATA, EVAL, SEEDS, ingest_seeds, load_quality

KB = "eval-seeds"
LIKE_MARK = "工作思路"  # the seed whose title holds both 总结 and 思路
TITLE = "XX局2024年工作总结和2025年工作思路"

# Our own fictional figures for this year (never seed text).
FIGURES = """参保人数：38.6万人
城乡居民医保参保率：99.4%
医保基金支出：9.82亿元
追回违规医保基金：612万元
检查定点医药机构：218家
集中带量采购节约资金：3150万元
异地就医直接结算：4.7万人次
医疗救助资金：2380万元"""


def like_seed() -> Path | None:
    for p in sorted(SEEDS.glob("*.txt")):
        first = p.read_text(encoding="utf-8").strip().splitlines()[0]
        if "总结" in first and LIKE_MARK in first:
            return p
    return None


def soft_cardinality(vectors: Any) -> float:
    """STORM: card(A) = Σ_i 1 / Σ_j sim(a_i, a_j), cosine similarity clipped to [0, 1]."""
    import numpy as np

    if len(vectors) == 0:
        return 0.0
    v = np.asarray(vectors, dtype=float)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    sim = np.clip(v @ v.T, 0.0, 1.0)
    return float(np.sum(1.0 / sim.sum(axis=1)))


def soft_heading_recall(embedder: Any, reference: list[str], generated: list[str]) -> float:
    """STORM's soft heading recall: card(R ∩ G) / card(R), card(R ∩ G) = card(R) + card(G) − card(R ∪ G)."""
    if not reference:
        return 0.0
    ref = embedder.embed_documents(reference)
    gen = embedder.embed_documents(generated) if generated else []
    c_r, c_g = soft_cardinality(ref), soft_cardinality(gen)
    c_u = soft_cardinality(list(ref) + list(gen))
    return max(0.0, min(1.0, (c_r + c_g - c_u) / c_r))


def reference_headings(seed: Path) -> list[str]:
    from assistant.report.outline import strip_marker
    from index.structure import iter_sections, parse_document

    doc = parse_document(seed.read_text(encoding="utf-8"), source=seed.name)
    return [strip_marker(s.heading) for _, s in iter_sections(doc) if strip_marker(s.heading)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--length", type=int, default=3000)
    ap.add_argument("--llm", default="local")
    ap.add_argument("--genre", action="store_true", help="plan from the 工作总结 skeleton instead of --like")
    ap.add_argument("--no-reword", action="store_true", help="keep last year's headings (years moved on)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--show", action="store_true", help="print the report")
    ap.add_argument("--data-dir", type=Path, default=BENCH_DATA)
    args = ap.parse_args()
    q = load_quality()
    seed = like_seed() if SEEDS.exists() else None
    if q is None or seed is None:
        print(f"skipped: {EVAL / 'quality.py'} or a 总结+思路 seed in {SEEDS} not found")
        return

    from assistant.llm import get_chat_model
    from assistant.report.outline import iter_nodes, plan_report
    from assistant.report.write import stream_report
    from core.settings import get_settings
    from index.embed import get_embedder

    settings = get_settings(data_dir=args.data_dir, llm=args.llm, kb=KB)
    ingest_seeds(settings, KB)
    model = get_chat_model(settings)

    t0 = time.perf_counter()
    outline = plan_report(
        settings,
        TITLE,
        kb=KB,
        like=None if args.genre else seed.name,
        genre="工作总结" if args.genre else None,
        length=args.length,
        figures=FIGURES,
        model=model,
        reword=not args.no_reword,
    )
    plan_s = time.perf_counter() - t0
    print(f"plan {plan_s:.1f}s, {len(outline.leaves())} sections; notes: {outline.notes}", flush=True)
    for h in outline.heading_log:
        print(
            f"  reword {h['original']} → {h['reply']} {('refused: ' + h['refused']) if h['refused'] else 'ok'}"
        )
    for n in iter_nodes(outline.nodes):
        print("  " * (n.level - 1) + f"{n.display}  [{n.length}字] {'；'.join(n.figures)}", flush=True)

    t1 = time.perf_counter()
    first_s = None
    result = None
    for ev in stream_report(settings, outline, kb=KB, model=model, store=False):
        if ev.kind == "section_done" and ev.section is not None:
            if first_s is None:
                first_s = time.perf_counter() - t1
            s = ev.section
            print(
                f"section {ev.index + 1}/{ev.total} {s.timings.get('total_s')}s {q.cjk_len(s.text)}/"
                f"{outline.leaves()[ev.index][1].length}字 {s.heading} {s.notes or ''}",
                flush=True,
            )
        elif ev.kind == "done":
            result = ev.result
    assert result is not None
    write_s = time.perf_counter() - t1

    text = result.text
    bodies = [s.text for s in result.sections]
    must = [line.split("：", 1)[1] for line in FIGURES.splitlines()]
    included, stray = q.figure_problems(text, must, FIGURES + "\n" + TITLE)
    generated = [n.heading for n in iter_nodes(outline.nodes)]
    reference = reference_headings(seed)
    embedder = get_embedder(settings.embedder)
    per_section = [s.timings.get("total_s") for s in result.sections]
    row = {
        "mode": "genre" if args.genre else "like",
        "model": getattr(model, "label", "?"),
        "asked": args.length,
        "chars": q.cjk_len(text),
        "S_l": round(q.length_score(args.length, q.cjk_len(text)), 1),
        "sections": len(bodies),
        "repeated": q.repeated_sentences(text),
        "artifacts": [a for b in bodies for a in q.artifacts(b)],
        "enumeration": [e for b in bodies for e in q.enumeration_errors(b)],
        "figures": included,
        "required": len(must),
        "stray": stray,
        "heading_soft_recall": round(soft_heading_recall(embedder, reference, generated), 3),
        "plan_s": round(plan_s, 1),
        "write_s": round(write_s, 1),
        "total_s": round(plan_s + write_s, 1),
        "first_section_s": round(first_s or 0, 1),
        "section_s": per_section,
        "section_median_s": sorted(per_section)[len(per_section) // 2] if per_section else None,
        "empty_sections": sum(1 for b in bodies if not b.strip()),
    }
    print(json.dumps({k: v for k, v in row.items() if k != "section_s"}, ensure_ascii=False), flush=True)
    if args.show:
        print("\n" + text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        row["text"] = text
        row["outline"] = outline.to_json(full=False)["outline"]
        args.json.write_text(json.dumps(row, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
