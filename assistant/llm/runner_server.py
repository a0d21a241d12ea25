"""The model process: one llama.cpp model served over HTTP on a Unix socket (OpenAI routes).

Started by `assistant/llm/runner.py` as `python -m assistant.llm.runner_server …`. It loads the model,
binds the socket, writes the run file (`run/model.json`: pid, socket, model, flavour) and serves:

- `POST /v1/chat/completions`: OpenAI chat completions, streaming or not, plus llama.cpp's
  extras `grammar` (GBNF), `logit_bias` ({token id: bias}), `figure_lock` (strings: digits only as
  these, assistant.llm.figure_gate; with `no_latin`, no Latin letter either; with `require_figures`,
  no end before each is out), `copy_block`
  ({"source", "keep"}: a copy of the source held back, assistant.llm.copy_block), `repeat_penalty`,
  `seed`, and `job`
  (an id that `/cancel` names). A trailing assistant message is continued in place (prefill).
- `GET /v1/models`, `GET /health`, `POST /tokenize` ({"text"} -> {"tokens"}), `GET /digit_tokens`,
  `POST /surprise` ({"prefix", "text"} -> {"surprise"}: each token's surprise in nats, see
  assistant.llm.scoring), `POST /cancel` ({"jobs": [...]} or {} for all).

One generation at a time: the others wait in line and get an SSE comment every second while they
wait, so a client's "no byte for N s" timeout only fires on a generation that really hangs. A
generation stops at its next token when its client disconnects or `/cancel` names its job.
The process exits when its parent closes our stdin (the parent died or let go of it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from core.errors import BiganziError

QUEUE_PING_S = 1.0
PROGRESS_PING_S = 1.0
BUSY_CPU_S = 0.05  # CPU seconds per ping interval that count as work (an idle process uses ~0.001)


class State:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.model_path = args.model
        self.label = Path(args.model).name
        self.lock = threading.Lock()  # one generation at a time
        self.jobs: dict[str, float] = {}  # job id -> cancelled-at (0 = running)
        self.jobs_lock = threading.Lock()
        self.cancel_all_at = -1.0
        self.llm: Any = None
        self.formatter: Any = None
        self.cache: Any = None
        self.served = 0

    def load(self) -> None:
        from assistant.llm.local import load_llama

        self.llm, self.formatter = load_llama(
            self.model_path, self.args.n_ctx, self.args.n_threads, self.args.prompt_lookup
        )
        if self.args.prompt_cache_dir and self.args.prompt_cache_mb > 0:
            from assistant.llm.prompt_cache import PromptCache

            self.cache = PromptCache.for_model(
                Path(self.args.prompt_cache_dir), self.model_path, self.args.n_ctx, self.args.prompt_cache_mb
            )

    def cancelled(self, job: str, started: float) -> bool:
        return self.jobs.get(job, 0.0) > 0 or self.cancel_all_at >= started


class Handler(BaseHTTPRequestHandler):
    server_version = "biganzi-model/1"
    protocol_version = "HTTP/1.0"  # the response ends when we close: streams need no chunking
    state: State

    def address_string(self) -> str:  # Unix sockets have no peer address
        return "local"

    def log_message(self, format: str, *args: Any) -> None:
        return

    # --- plumbing ---------------------------------------------------------------------------
    def _json(self, code: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, code: int, message: str) -> None:
        self._json(code, {"error": {"message": message, "type": "invalid_request_error", "code": code}})

    def _body(self) -> dict[str, Any]:
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b"{}"
        return json.loads(raw or b"{}")

    # --- routes -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        st = self.state
        if self.path == "/health":
            self._json(200, {"ok": True, "pid": os.getpid(), "model": st.label, "served": st.served})
        elif self.path == "/v1/models":
            meta = {"n_ctx": st.args.n_ctx, "flavor": st.args.flavor}
            data = [{"id": st.label, "object": "model", "owned_by": "biganzi", "meta": meta}]
            self._json(200, {"object": "list", "data": data})
        elif self.path == "/digit_tokens":
            from assistant.llm.local import digit_token_ids

            self._json(200, {"tokens": digit_token_ids(st.llm)})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        st = self.state
        try:
            body = self._body()
        except (ValueError, UnicodeDecodeError) as e:
            self._error(400, f"bad JSON: {e}")
            return
        if self.path == "/tokenize":
            from assistant.llm.local import tokenize

            self._json(200, {"tokens": tokenize(st.llm, str(body.get("text") or ""))})
        elif self.path == "/surprise":
            from assistant.llm.scoring import surprise_at

            try:
                with st.lock:  # (the scoring context shares the weights' threads with generation)
                    got = surprise_at(
                        st.llm, st.args.n_threads, str(body.get("prefix") or ""), str(body.get("text") or "")
                    )
            except Exception as e:  # scoring is optional: a fault while scoring scores nothing
                self._json(200, {"surprise": [], "error": " ".join(str(e).split())[:200]})
                return
            self._json(200, {"surprise": got})
        elif self.path == "/cancel":
            now = time.monotonic()
            with st.jobs_lock:
                jobs = body.get("jobs")
                if jobs is None:
                    st.cancel_all_at = now
                    hit = list(st.jobs)
                else:
                    hit = [j for j in jobs if j in st.jobs]
                for j in hit:
                    st.jobs[j] = now
            self._json(200, {"cancelled": len(hit)})
        elif self.path == "/v1/chat/completions":
            self._chat(body)
        else:
            self._error(404, f"no route {self.path}")

    def _chat(self, body: dict[str, Any]) -> None:
        from assistant.llm.local import Generation, grammar_of, sampling_params

        st = self.state
        messages = [
            {"role": str(m.get("role")), "content": _content(m.get("content"))}
            for m in body.get("messages", [])
        ]
        if not messages:
            self._error(400, "messages is empty")
            return
        try:
            grammar_of(body.get("grammar"))  # a bad grammar is a 400 before anything streams
        except BiganziError as e:
            self._error(400, str(e))
            return
        stream = bool(body.get("stream"))
        usage_wanted = bool((body.get("stream_options") or {}).get("include_usage"))
        stops = body.get("stop") or []
        stops = [stops] if isinstance(stops, str) else list(stops)
        params = sampling_params(body, {"temperature": 0.3, "repeat_penalty": 1.1})
        if body.get("max_completion_tokens") and not body.get("max_tokens"):
            params["max_tokens"] = body["max_completion_tokens"]
        job = str(body.get("job") or f"anon-{id(self)}-{time.monotonic()}")
        started = time.monotonic()
        with st.jobs_lock:
            st.jobs[job] = 0.0
        cid = f"chatcmpl-{os.getpid()}-{int(started * 1000)}"
        try:
            if stream:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
            while not st.lock.acquire(timeout=QUEUE_PING_S):  # wait in line, saying so
                if st.cancelled(job, started):
                    break
                if stream:
                    self._send(b": queued\n\n")
            else:
                try:
                    self._generate(body, messages, params, stops, job, started, cid, stream, usage_wanted)
                finally:
                    st.lock.release()
                return
            # cancelled while queued
            done = Generation(finish_reason="cancelled")
            self._finish(done, cid, stream, usage_wanted)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away: its generation has stopped
        finally:
            with st.jobs_lock:
                st.jobs.pop(job, None)

    def _generate(
        self,
        body: dict[str, Any],
        messages: list[dict[str, str]],
        params: dict[str, Any],
        stops: list[str],
        job: str,
        started: float,
        cid: str,
        stream: bool,
        usage_wanted: bool,
    ) -> None:
        from assistant.llm.local import Generation, generate

        st = self.state
        done = Generation()
        pieces = generate(
            st.llm,
            st.formatter,
            messages,
            params,
            stops=stops,
            grammar=body.get("grammar"),
            logit_bias=body.get("logit_bias"),
            figure_lock=body.get("figure_lock"),
            no_latin=bool(body.get("no_latin")),
            require_figures=bool(body.get("require_figures")),
            copy_block=body.get("copy_block"),
            cancelled=lambda: st.cancelled(job, started),
            prompt_cache=st.cache,
            out=done,
        )
        st.served += 1
        stop = threading.Event()
        if stream:
            threading.Thread(target=self._keepalive, args=(stop,), daemon=True).start()
        try:
            for piece in pieces:
                if stream:
                    self._event(_chunk(cid, st.label, {"content": piece}, None))
        except (BrokenPipeError, ConnectionResetError):
            raise
        except (BiganziError, ValueError, RuntimeError) as e:  # e.g. a prompt longer than the context
            message = " ".join(str(e).split())[:300]
            if stream:
                self._event({"error": {"message": message}})
            else:
                self._error(400, message)
            return
        finally:
            stop.set()
            pieces.close()  # a broken pipe lands here: the llama generator stops now
        self._finish(done, cid, stream, usage_wanted)

    def _finish(self, done: Any, cid: str, stream: bool, usage_wanted: bool) -> None:
        st = self.state
        usage = {
            "prompt_tokens": done.prompt_tokens,
            "completion_tokens": done.completion_tokens,
            "total_tokens": done.prompt_tokens + done.completion_tokens,
        }
        if not stream:
            self._json(
                200,
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": st.label,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": done.text},
                            "finish_reason": done.finish_reason,
                        }
                    ],
                    "usage": usage,
                    "biganzi": {"prompt_cache": done.cached_prefix},
                },
            )
            return
        self._event(_chunk(cid, st.label, {}, done.finish_reason))
        if usage_wanted:
            self._event(
                {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": st.label,
                    "choices": [],
                    "usage": usage,
                }
            )
        self._send(b"data: [DONE]\n\n")

    def _event(self, data: dict[str, Any]) -> None:
        self._send(b"data: " + json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n\n")

    def _send(self, data: bytes) -> None:
        with self._write_lock:
            self.wfile.write(data)
            self.wfile.flush()
            self._last_write = time.monotonic()

    def setup(self) -> None:
        super().setup()
        self._write_lock = threading.Lock()
        self._last_write = time.monotonic()

    def _keepalive(self, stop: threading.Event) -> None:
        """While a generation works without a token yet (a long prompt on a busy CPU), say so every
        second: but only while this process is burning CPU. A stopped or wedged process says
        nothing, and the client's BIGANZI_LLM_TIMEOUT fires."""
        cpu = time.process_time()
        while not stop.wait(PROGRESS_PING_S):
            now = time.process_time()
            working = now - cpu >= BUSY_CPU_S  # llama.cpp computing, not the idle threads' crumbs
            if working and time.monotonic() - self._last_write >= PROGRESS_PING_S:
                try:
                    self._send(b": working\n\n")
                except OSError:
                    return
            cpu = now


def _content(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return "" if content is None else str(content)


def _chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True


def write_run_file(path: Path, info: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def remove_run_file(path: Path) -> None:
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="biganzi-model")
    p.add_argument("--model", required=True)
    p.add_argument("--socket", required=True)
    p.add_argument("--run-file", default="")
    p.add_argument("--n-ctx", type=int, default=8192)
    p.add_argument("--n-threads", type=int, default=os.cpu_count() or 2)
    p.add_argument("--prompt-lookup", type=int, default=0)
    p.add_argument("--prompt-cache-dir", default="")
    p.add_argument("--prompt-cache-mb", type=int, default=0)
    p.add_argument("--flavor", default="")
    p.add_argument("--owner-pid", type=int, default=0)
    p.add_argument("--no-stdin-watch", action="store_true", help="keep running when stdin closes")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import assistant.llm.local  # noqa: F401 - before serving: a first request must not pay for imports

    state = State(args)
    try:
        state.load()
    except BiganziError as e:
        print(f"错误：{e}", file=sys.stderr, flush=True)
        return 3
    sock = Path(args.socket)
    sock.parent.mkdir(parents=True, exist_ok=True)
    sock.unlink(missing_ok=True)
    Handler.state = state
    server = Server(str(sock), Handler)
    os.chmod(sock, 0o600)  # only this user talks to the model
    run_file = Path(args.run_file) if args.run_file else None
    info = {
        "pid": os.getpid(),
        "socket": str(sock),
        "model": str(Path(args.model).resolve()),
        "n_ctx": args.n_ctx,
        "n_threads": args.n_threads,
        "prompt_lookup": args.prompt_lookup,
        "flavor": args.flavor,
        "owner_pid": args.owner_pid,
        "started": time.time(),
    }

    def stop(*_: Any) -> None:
        if run_file:
            remove_run_file(run_file)
        sock.unlink(missing_ok=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not args.no_stdin_watch:

        def watch_stdin() -> None:
            try:
                while sys.stdin.buffer.read(1):
                    pass
            except (OSError, ValueError):
                pass
            stop()

        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    if run_file:
        write_run_file(run_file, info)
    print(f"model process {os.getpid()} serving {state.label} on {sock}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
