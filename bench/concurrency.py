"""Concurrent sessions on the web page: N gradio_client sessions drafting at once for a while.

    .venv/bin/python bench/concurrency.py [--sessions 10] [--duration 120] [--backend fake] [--url URL]
                                          [--auth user:pass] [--json]

Starts `biganzi serve` on a free loopback port (its own temporary data dir, the demo reports
ingested through the /ingest endpoint) unless --url points at a running one. Each session is its own
gradio_client Client (its own Gradio session) and loops on the page's /chat endpoint in 起草段落 mode,
asking for a section named after a token unique to that session and request. Checked on every reply:
no error, the reply and the session's chat history carry its own token and no other session's
(no cross-talk). Reports requests, errors, cross-talk, and latency p50/p95/max.

With --backend local (the real model, one request at a time), requests wait in Gradio's queue: the
script records each request's highest queue position as gradio_client reports it, i.e. what the page
shows, and checks that none failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "browser"))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@dataclass
class SessionStats:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)
    max_queue_rank: list[int] = field(default_factory=list)


def percentile(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def run_session(
    url: str, auth: tuple[str, str] | None, stats: SessionStats, stop_at: float, all_tokens: set[str]
) -> None:
    from gradio_client import Client

    try:
        client = Client(url, auth=auth, verbose=False)
    except Exception as e:
        stats.errors.append(f"connect: {e}")
        return
    i = 0
    while time.monotonic() < stop_at:
        i += 1
        token = f"{stats.name}X{i:04d}"
        all_tokens.add(token)
        request = f"起草“{token}”一段"
        t0 = time.perf_counter()
        try:
            job = client.submit(request, "起草段落", 120, 0.3, "", api_name="/chat")
            rank = 0
            while not job.done():
                st = job.status()
                if st is not None and getattr(st, "rank", None) is not None:
                    rank = max(rank, int(st.rank or 0))
                time.sleep(0.05)
            out = job.result()
        except Exception as e:
            stats.errors.append(f"{token}: {str(e)[:160]}")
            continue
        stats.latencies.append(time.perf_counter() - t0)
        stats.max_queue_rank.append(rank)
        chat_history, draft = out[0], out[-1]  # the chat and the current draft (state is not returned)
        text = json.dumps(chat_history, ensure_ascii=False) + str(draft)
        if token not in str(draft):
            stats.crosstalk.append(f"{token}: own token missing from the draft")
        others = {t for t in re.findall(r"S\d+X\d{4}", text) if not t.startswith(stats.name + "X")}
        if others:
            stats.crosstalk.append(f"{token}: saw {sorted(others)[:3]}")


def start_server(stack: ExitStack, backend: str) -> tuple[str, tuple[str, str] | None]:
    from gradio_client import Client, handle_file
    from harness import copy_examples, running_server, server_env

    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bgz-bench-")))
    env = server_env(tmp / "data", BIGANZI_LLM=backend, BIGANZI_EMBEDDER="fake")
    server = stack.enter_context(running_server(tmp / "data", env=env))
    docs = copy_examples(tmp / "examples")
    Client(server.url, verbose=False).predict(
        [handle_file(str(p)) for p in docs], "default", api_name="/ingest"
    )
    return server.url, None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    ap.add_argument("--backend", default="fake", help="chat backend of the started server: fake | local")
    ap.add_argument("--url", default=None, help="use a running server instead of starting one")
    ap.add_argument("--auth", default=None, help="user:pass for a server started with --auth")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    with ExitStack() as stack:
        if args.url:
            url = args.url
            auth = tuple(args.auth.split(":", 1)) if args.auth else None  # type: ignore[assignment]
        else:
            url, auth = start_server(stack, args.backend)
        sessions = [SessionStats(f"S{i:02d}") for i in range(args.sessions)]
        tokens: set[str] = set()
        stop_at = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=run_session, args=(url, auth, s, stop_at, tokens), daemon=True)
            for s in sessions
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started

    lat = [x for s in sessions for x in s.latencies]
    ranks = [r for s in sessions for r in s.max_queue_rank]
    result: dict[str, Any] = {
        "backend": args.backend,
        "sessions": args.sessions,
        "duration_s": round(wall, 1),
        "requests": len(lat),
        "errors": sum(len(s.errors) for s in sessions),
        "crosstalk": sum(len(s.crosstalk) for s in sessions),
        "latency_p50_s": round(percentile(lat, 0.5), 3),
        "latency_p95_s": round(percentile(lat, 0.95), 3),
        "latency_max_s": round(max(lat), 3) if lat else None,
        "latency_mean_s": round(statistics.fmean(lat), 3) if lat else None,
        "throughput_rps": round(len(lat) / wall, 2) if wall else None,
        "max_queue_position": max(ranks) if ranks else None,
        "requests_that_queued": sum(1 for r in ranks if r > 0),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "examples": {
            "errors": [e for s in sessions for e in s.errors][:5],
            "crosstalk": [c for s in sessions for c in s.crosstalk][:5],
        },
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(
            f"{result['sessions']} sessions × {result['duration_s']} s, backend {args.backend}: "
            f"{result['requests']} drafts, {result['errors']} errors, {result['crosstalk']} cross-talk; "
            f"latency p50 {result['latency_p50_s']} s, p95 {result['latency_p95_s']} s, max {result['latency_max_s']} s; "
            f"{result['requests_that_queued']} requests waited in the queue (highest position {result['max_queue_position']})"
        )
        for kind in ("errors", "crosstalk"):
            for line in result["examples"][kind]:
                print(f"  {kind}: {line}")
    sys.exit(1 if result["errors"] or result["crosstalk"] or not lat else 0)


if __name__ == "__main__":
    main()
