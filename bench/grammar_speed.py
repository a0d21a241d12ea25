"""What constraining the digits costs: tokens/s of one draft part with and without the GBNF grammar
that lets digits come out only as the locked figures (assistant.write.number_grammar).

    nice -n 10 .venv/bin/python bench/grammar_speed.py [--runs 5] [--tokens 96]

The same part prompt (system + one point of a planned section, as assistant.write sends it) is
generated `--runs` times each way, alternating, with a fixed seed per run; the prompt is evaluated
once before timing (llama.cpp's cache), so the numbers are decoding speed. Reports the median
tokens/s each way, the ratio, and whether the unconstrained replies wrote digits other than the figures.
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
    from assistant.plan import plan_section
    from assistant.style import style_profile
    from assistant.write import allowed_strings, number_grammar, part_prompt
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

    def one(constrained: bool, seed: int) -> tuple[float, int, bool]:
        kwargs = {"max_tokens": args.tokens, "seed": seed, "temperature": 0.7}
        if constrained:
            kwargs["grammar"] = grammar
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

    one(False, 0)  # evaluate the prompt once: both ways then decode from the cache
    rates: dict[bool, list[float]] = {False: [], True: []}
    strays: dict[bool, int] = {False: 0, True: 0}
    for run in range(args.runs):
        for constrained in (False, True) if run % 2 == 0 else (True, False):
            rate, n, stray = one(constrained, run + 1)
            rates[constrained].append(rate)
            strays[constrained] += stray
            print(
                f"run {run + 1} {'grammar' if constrained else 'free   '} {n:4d} tokens {rate:6.1f} tok/s stray digits: {stray}",
                flush=True,
            )
    free, con = statistics.median(rates[False]), statistics.median(rates[True])
    print(f"median tok/s: free {free:.1f}, constrained {con:.1f}, ratio {con / free:.2f}")
    print(
        f"replies with digits other than the figures: free {strays[False]}/{args.runs}, constrained {strays[True]}/{args.runs}"
    )


if __name__ == "__main__":
    main()
