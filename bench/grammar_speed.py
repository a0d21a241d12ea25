"""What constraining the digits costs: tokens/s of one draft part free, with the GBNF grammar, and with
the figure gate (the logits processor the drafts use), both of which let digits come out only as the
locked figures (assistant.llm.figure_gate).

    nice -n 10 .venv/bin/python bench/grammar_speed.py [--runs 5] [--tokens 96]

The same part prompt (system + one point of a planned section, as assistant.write sends it) is
generated `--runs` times each way, in rotating order, with a fixed seed per run; the prompt is evaluated
once before timing (llama.cpp's cache), so the numbers are decoding speed. Reports the median
tokens/s each way, the ratios to free decoding, and how many replies wrote digits other than the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

FIGURES = "截至2024年11月，检查定点医药机构186家，追回医保基金452.3万元，处罚款126.8万元。"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tokens", type=int, default=96)
    ap.add_argument("--data-dir", type=Path, default=REPO / ".bench" / "data")
    args = ap.parse_args()

    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.draft import system_prompt
    from assistant.figures import parse_figures
    from assistant.llm import get_chat_model
    from assistant.llm.figure_gate import number_grammar
    from assistant.plan import plan_section
    from assistant.style import style_profile
    from assistant.write import allowed_strings, part_prompt
    from core.settings import get_settings

    settings = get_settings(data_dir=args.data_dir, llm="local")
    model = get_chat_model(settings)
    plan = plan_section(
        "起草“综合施策护基金”一段。", parse_figures(FIGURES).facts, length=300, theme="综合施策护基金"
    )
    point = plan.points[1]
    msgs = [
        SystemMessage(content=system_prompt(style_profile(settings, "none"))),
        HumanMessage(content=part_prompt(plan, point)),
    ]
    grammar = number_grammar(allowed_strings(plan, point))
    allowed = allowed_strings(plan, point)

    def one(way: str, seed: int) -> tuple[float, int, bool]:
        kwargs: dict = {"max_tokens": args.tokens, "seed": seed, "temperature": 0.7}
        if way == "grammar":
            kwargs["grammar"] = grammar
        elif way == "gate":
            kwargs["figure_lock"] = allowed
        t0 = time.perf_counter()
        first = None
        text, out_tokens = "", 0
        for chunk in model.stream(msgs, **kwargs):
            if chunk.content and first is None:
                first = time.perf_counter()
            text += chunk.content if isinstance(chunk.content, str) else ""
            usage = getattr(chunk, "usage_metadata", None)
            if usage:
                out_tokens = int(usage.get("output_tokens") or 0)
        end = time.perf_counter()
        out_tokens = out_tokens or model.count_tokens(text)
        stray = bool(re.search(r"[0-9０-９]", re.sub("|".join(map(re.escape, allowed)), "", text)))
        return out_tokens / max(1e-6, end - (first or t0)), out_tokens, stray

    ways = ["free", "grammar", "gate"]
    one("free", 0)  # evaluate the prompt once: every way then decodes from the cache
    rates: dict[str, list[float]] = {w: [] for w in ways}
    strays: dict[str, int] = dict.fromkeys(ways, 0)
    for run in range(args.runs):
        for way in ways[run % 3 :] + ways[: run % 3]:
            rate, n, stray = one(way, run + 1)
            rates[way].append(rate)
            strays[way] += stray
            print(f"run {run + 1} {way:7} {n:4d} tokens {rate:6.1f} tok/s stray digits: {stray}", flush=True)
    med = {w: statistics.median(rates[w]) for w in ways}
    print(
        f"median tok/s: free {med['free']:.1f}, grammar {med['grammar']:.1f} ({med['grammar'] / med['free']:.2f}), "
        f"gate {med['gate']:.1f} ({med['gate'] / med['free']:.2f})"
    )
    print(
        "replies with digits other than the figures: "
        + ", ".join(f"{w} {strays[w]}/{args.runs}" for w in ways)
    )


if __name__ == "__main__":
    main()
