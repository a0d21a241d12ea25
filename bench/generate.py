"""Generation speed with the local model: raw llama.cpp vs our pipeline, section drafts, follow-ups,
prompt-lookup decoding.

    nice -n 10 .venv/bin/python bench/generate.py [--runs 3] [--max-tokens 128] [--lookup 0,10] [--json]

A. Same prompt, cold KV cache each run (Llama.reset()): `Llama.create_chat_completion(stream=True)`
   called directly ("raw") vs our LangChain adapter ("adapter") vs the whole pipeline ("pipeline":
   retrieval, style, budget, adapter, figures check). Greedy decoding, same max_tokens, so all three
   generate the same tokens. Reports TTFT, tokens/s and total, medians, and the overhead.
B. End-to-end section drafts (≈300 字, three exemplars) for the figures_dev requests (seeds KB) or,
   without ../shared, for demo requests over examples/; the process is warm, as in the web page:
   the system prompt's KV is reused, each request's own tokens are evaluated. The KV cache is cleared
   first and assistant.warmup.warm_up runs (what `biganzi serve` does at start, timed as "warmup");
   the first draft after it is reported on its own (`--no-warmup`: without the warm-up).
C. Follow-up turn ("再精炼一些") in a Conversation after each draft: its time to first token.
D. Prompt-lookup decoding (LlamaPromptLookupDecoding(num_pred_tokens=N)): the B drafts again with
   greedy decoding for each N in --lookup; tokens/s and total vs N=0.
B and C run once per backend in --backends (default: `local-inproc`, the model in this process, and
`local`, the model in its own supervised process), side by side with the ratios (issue 12: follow-up
TTFT ≤ 3 s, warm draft within 10 % of in-process). A and D use the in-process engine.
E. Cold `biganzi draft` (part "e"): a new CLI process each run on a data dir where no serve runs, so
   each run starts its own model process: with the persisted system-prompt state (the default) and
   without it (BIGANZI_PROMPT_CACHE_MB=0); --cold-runs runs each, alternating, medians of wall time.
Everything runs in `.bench/data` (outside git). Timings are medians; the machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = REPO.parent / "shared"
BENCH_DATA = REPO / ".bench" / "data"
DEMO_CASES = [
    {
        "request": "起草2023年“基金监管保持高压”一段",
        "figures": "全年检查定点医药机构96家，追回医保基金215.6万元。",
    },
    {
        "request": "起草“待遇保障更加有力”一段",
        "figures": "参保人数31.2万人，参保率99.6％，住院报销比例82.5％。",
    },
    {"request": "写一段党员志愿服务的成效", "figures": "开展志愿服务活动24场，服务群众1800余人次。"},
]


def med(xs: list[float]) -> float:
    return round(statistics.median(xs), 3) if xs else float("nan")


def cases_and_corpus() -> tuple[list[dict[str, str]], list[Path], str]:
    cases_file = SHARED / "eval" / "figures_dev.jsonl"
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if cases_file.exists() and seeds:
        cases = [json.loads(x) for x in cases_file.read_text(encoding="utf-8").splitlines() if x.strip()]
        return cases, seeds, "bench-seeds"
    return DEMO_CASES, [REPO / "examples"], "bench-examples"


def raw_call(
    llm: Any, messages: list[dict[str, str]], max_tokens: int, repeat_penalty: float
) -> dict[str, float]:
    t0 = time.perf_counter()
    ttft, n = None, 0
    for chunk in llm.create_chat_completion(
        messages=messages,
        stream=True,
        max_tokens=max_tokens,
        temperature=0.0,
        repeat_penalty=repeat_penalty,
        seed=1,
    ):
        if chunk["choices"][0].get("delta", {}).get("content"):
            n += 1
            if ttft is None:
                ttft = time.perf_counter() - t0
    total = time.perf_counter() - t0
    return {"ttft_s": ttft or total, "total_s": total, "tokens": n}


def timed_stream(events: Any) -> dict[str, Any]:
    result = None
    for ev in events:
        if ev.kind == "done":
            result = ev.result
    t = result.timings
    gen = max(1e-6, t["total_s"] - (t["ttft_s"] or 0))
    return {
        "ttft_s": t["ttft_s"],
        "total_s": t["total_s"],
        "tokens": t["completion_tokens"],
        "tok_s": t["completion_tokens"] / gen,
        "chars": len(result.text),
        "prompt_tokens": t["prompt_tokens"],
        "result": result,
    }


def part_a(
    settings: Any, model: Any, case: dict[str, str], kb: str, runs: int, max_tokens: int
) -> dict[str, Any]:
    from assistant.draft import GenStats, stream_draft, stream_generate
    from assistant.llm.messages import to_dicts

    llm = model.llama()
    warm = timed_stream(
        stream_draft(
            settings,
            case["request"],
            case["figures"],
            kb=kb,
            model=model,
            max_new_tokens=max_tokens,
            max_continuations=0,
        )
    )
    messages = warm["result"].messages
    rows: dict[str, list[dict[str, float]]] = {"raw": [], "adapter": [], "pipeline": []}
    for _ in range(runs):
        llm.reset()
        rows["raw"].append(raw_call(llm, to_dicts(messages), max_tokens, settings.repeat_penalty))
        llm.reset()
        stats, t0 = GenStats(), time.perf_counter()
        for _piece in stream_generate(
            model,
            messages,
            max_new_tokens=max_tokens,
            n_ctx=settings.n_ctx,
            stats=stats,
            t0=t0,
            temperature=0.0,
            max_continuations=0,
        ):
            pass
        rows["adapter"].append(
            {
                "ttft_s": stats.ttft_s or 0.0,
                "total_s": time.perf_counter() - t0,
                "tokens": stats.completion_tokens,
            }
        )
        llm.reset()
        got = timed_stream(
            stream_draft(
                settings, case["request"], case["figures"], kb=kb, model=model, max_new_tokens=max_tokens,
                max_continuations=0, temperature=0.0,
            )
        )  # fmt: skip
        if got["result"].messages != messages:
            print("warning: the pipeline's prompt differs from the raw call's", file=sys.stderr)
        rows["pipeline"].append({k: got[k] for k in ("ttft_s", "total_s", "tokens")})
    out: dict[str, Any] = {"prompt_tokens": warm["prompt_tokens"], "max_tokens": max_tokens, "runs": runs}
    for name, rs in rows.items():
        out[name] = {
            "ttft_s": med([r["ttft_s"] for r in rs]),
            "total_s": med([r["total_s"] for r in rs]),
            "tokens": med([r["tokens"] for r in rs]),
            "tok_s": med([r["tokens"] / max(1e-6, r["total_s"] - r["ttft_s"]) for r in rs]),
        }
    raw_total = out["raw"]["total_s"]
    out["overhead_adapter_pct"] = round(100 * (out["adapter"]["total_s"] / raw_total - 1), 1)
    out["overhead_pipeline_pct"] = round(100 * (out["pipeline"]["total_s"] / raw_total - 1), 1)
    return out


def part_bc(
    settings: Any, model: Any, cases: list[dict[str, str]], kb: str, warm: bool = True
) -> dict[str, Any]:
    from assistant.conversation import Conversation
    from assistant.warmup import warm_up

    if hasattr(model, "llama"):
        model.llama().reset()
    else:  # the model process: a new one (the warm-up starts and loads it)
        model.supervisor.close()
    warmup: dict[str, float] = {}
    if warm:  # what `biganzi serve` does at start, in the background
        warmup = {k: round(v, 2) for k, v in warm_up(settings, kb, model).items()}
    drafts, followups = [], []
    for i, case in enumerate(cases):
        conv = Conversation(settings, kb=kb, model=model, figures=case["figures"], length=300)
        d = timed_stream(conv.send(case["request"]))
        d["cold"] = i == 0
        drafts.append(d)
        f = timed_stream(conv.send("再精炼一些"))
        followups.append(f)
    warm = [d for d in drafts if not d["cold"]] or drafts
    return {
        "warmup": warmup,
        "first_draft_total_s": round(drafts[0]["total_s"], 2),
        "first_draft_ttft_s": drafts[0]["ttft_s"],
        "draft_total_s_median": med([d["total_s"] for d in warm]),
        "draft_ttft_s_median": med([d["ttft_s"] for d in warm]),
        "draft_tok_s_median": med([d["tok_s"] for d in drafts]),
        "draft_chars_median": med([d["chars"] for d in drafts]),
        "draft_prompt_tokens_median": med([d["prompt_tokens"] for d in drafts]),
        "followup_ttft_s_median": med([f["ttft_s"] for f in followups]),
        "followup_ttft_s": [round(f["ttft_s"], 2) for f in followups],
        "followup_total_s_median": med([f["total_s"] for f in followups]),
        "draft_total_s": [round(d["total_s"], 2) for d in drafts],
    }


def part_d(settings: Any, cases: list[dict[str, str]], kb: str, lookups: list[int]) -> dict[str, Any]:
    from assistant.draft import stream_draft
    from assistant.llm import get_chat_model

    out: dict[str, Any] = {}
    for n in lookups:
        model = get_chat_model(settings.model_copy(update={"prompt_lookup": n}))
        model.llama()  # load outside the timings
        rows = []
        for case in cases:
            model.llama().reset()
            rows.append(
                timed_stream(
                    stream_draft(
                        settings, case["request"], case["figures"], kb=kb, model=model, temperature=0.0
                    )
                )
            )
        out[str(n)] = {
            "total_s_median": med([r["total_s"] for r in rows]),
            "tok_s_median": med([r["tok_s"] for r in rows]),
            "ttft_s_median": med([r["ttft_s"] for r in rows]),
            "texts_equal_to_off": None,
            "_texts": [r["result"].raw_text for r in rows],
        }
    base = out.get("0")
    for row in out.values():
        if base is not None:
            row["texts_equal_to_off"] = row["_texts"] == base["_texts"]
            row["speedup_total"] = round(base["total_s_median"] / row["total_s_median"], 2)
    for row in out.values():
        del row["_texts"]
    return out


def main() -> None:
    global BENCH_DATA
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument(
        "--lookup", default="0,10", help="prompt-lookup num_pred_tokens values; '' to skip part D"
    )
    ap.add_argument("--lookup-ctx", type=int, default=2048, help="n_ctx for part D")
    ap.add_argument("--parts", default="abcd", help="any of a b c d e")
    ap.add_argument("--backends", default="local-inproc,local", help="parts B/C: backends side by side")
    ap.add_argument("--cold-runs", type=int, default=3, help="part E: cold CLI drafts per variant")
    ap.add_argument("--cases", type=int, default=0, help="use only the first N cases (0: all)")
    ap.add_argument("--data", type=Path, default=BENCH_DATA, help="data dir (default .bench/data)")
    ap.add_argument("--no-warmup", action="store_true", help="part B: skip the page's start-up warm-up")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    BENCH_DATA = args.data.resolve()

    from assistant.llm import get_chat_model
    from core.settings import get_settings
    from index.ingest import ingest_paths

    cases, corpus, kb = cases_and_corpus()
    cases = cases[: args.cases] if args.cases > 0 else cases
    settings = get_settings(data_dir=BENCH_DATA, llm="local-inproc")
    ingest_paths(settings, corpus, kb=kb)
    model = get_chat_model(settings)
    model.seed = 1234
    t0 = time.perf_counter()
    model.llama()
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "model": model.label,
        "load_s": round(time.perf_counter() - t0, 2),
        "n_ctx": settings.n_ctx,
        "corpus": kb,
        "llama_flavor": _flavor(),
    }

    def show(key: str, value: Any) -> None:  # print each part as it completes: a long run may be cut
        report[key] = value
        print(json.dumps({key: value}, ensure_ascii=False, indent=None if args.json else 2), flush=True)

    print(json.dumps(report, ensure_ascii=False), flush=True)
    if "a" in args.parts:
        show("A_raw_vs_pipeline", part_a(settings, model, cases[0], kb, args.runs, args.max_tokens))
    if "b" in args.parts or "c" in args.parts:
        side: dict[str, Any] = {}
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            st = settings.model_copy(update={"llm": backend})
            m = model if backend == "local-inproc" else get_chat_model(st)
            if backend != "local-inproc":
                m.seed = 1234
            side[backend] = part_bc(st, m, cases, kb, warm=not args.no_warmup)
            show(f"BC_drafts_and_followups_{backend}", side[backend])
            if hasattr(m, "supervisor"):
                m.supervisor.close()  # the next backend gets the machine to itself
        if {"local", "local-inproc"} <= set(side):
            a, b = side["local-inproc"], side["local"]
            show(
                "BC_process_vs_inproc",
                {
                    "draft_total_ratio": round(b["draft_total_s_median"] / a["draft_total_s_median"], 3),
                    "followup_ttft_s": {
                        "inproc": a["followup_ttft_s_median"],
                        "process": b["followup_ttft_s_median"],
                    },
                    "first_draft_total_s": {
                        "inproc": a["first_draft_total_s"],
                        "process": b["first_draft_total_s"],
                    },
                },
            )
    lookups = [int(x) for x in args.lookup.split(",") if x.strip()]
    if "d" in args.parts and lookups:
        # Prompt lookup needs llama-cpp-python's all-logits buffer (n_ctx × vocab): use a smaller context.
        small = settings.model_copy(update={"n_ctx": args.lookup_ctx})
        show("D_prompt_lookup", {"n_ctx": args.lookup_ctx, **part_d(small, cases, kb, lookups)})
    if "e" in args.parts:
        show("E_cold_cli_draft", part_e(cases[0], kb, args.cold_runs))


def _flavor() -> str:
    try:
        return (Path(sys.prefix) / ".llama-flavor").read_text().strip()
    except OSError:
        return "unknown"


def part_e(case: dict[str, str], kb: str, runs: int) -> dict[str, Any]:
    """Cold `biganzi draft --json`: a new CLI process (and model process) per run."""
    import subprocess

    from assistant.llm.runner import read_run_file

    if read_run_file(BENCH_DATA):
        return {"skipped": f"a model process is registered in {BENCH_DATA}/run (a serve?): stop it first"}
    cmd = [
        sys.executable, "-m", "assistant.cli", "draft", "--request", case["request"],
        "--figures", case["figures"], "--kb", kb, "--json", "--length", "300",
    ]  # fmt: skip
    variants = {"with_saved_prompt_state": "512", "without": "0"}
    rows: dict[str, list[dict[str, float]]] = {k: [] for k in variants}
    seed_env = {**os.environ, "BIGANZI_DATA_DIR": str(BENCH_DATA), "BIGANZI_LLM": "local"}
    subprocess.run(cmd, capture_output=True, text=True, env=seed_env, cwd=REPO)  # saves the state once
    for _ in range(runs):
        for name, mb in variants.items():
            env = {**os.environ, "BIGANZI_DATA_DIR": str(BENCH_DATA), "BIGANZI_LLM": "local"}
            env["BIGANZI_PROMPT_CACHE_MB"] = mb
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                return {"error": proc.stderr.strip().splitlines()[-1:]}
            timings = json.loads(proc.stdout).get("timings", {})
            rows[name].append({"wall_s": wall, "ttft_s": timings.get("ttft_s") or 0.0})
    return {
        name: {
            "wall_s_median": med([r["wall_s"] for r in rs]),
            "ttft_s_median": med([r["ttft_s"] for r in rs]),
            "wall_s": [round(r["wall_s"], 1) for r in rs],
        }
        for name, rs in rows.items()
    } | {"runs": runs}


if __name__ == "__main__":
    main()
