"""`local` backend: the model runs in a supervised child process, one per data dir.

The child (`assistant/llm/runner_server.py`) serves the model over OpenAI routes on a Unix socket in
`<data_dir>/run/`; this side drives it through the `openai` backend's client code, so local and remote
models share one protocol. The supervisor

- starts the process on first use and waits until the model is loaded (a file that will not load is
  one clear line, as in-process);
- shares it: the process registers itself in `<data_dir>/run/model.json`; another command on the
  same data dir (a CLI draft while `biganzi serve` runs) uses it instead of loading its own;
- survives it: when the process dies mid-generation (native crash, OOM kill, kill -9) the caller
  gets `本地模型进程意外退出，已自动重启，请重试` and a new process starts at once; a generation
  with no token for `BIGANZI_LLM_TIMEOUT` seconds is cancelled, the process killed and restarted;
- stops: `cancel()` ends this model object's running (or queued) generations at their next token,
  and closing a stream early stops its generation in the child too.

The child exits when the process that started it exits (it watches its stdin).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from langchain_openai import ChatOpenAI
from pydantic import Field

from assistant.llm.openai import OpenAICompatibleChat
from core.errors import BiganziError
from core.settings import Settings

CRASHED = "本地模型进程意外退出，已自动重启，请重试"
LOAD_TIMEOUT_S = 600.0
_SUPERVISORS: dict[str, Supervisor] = {}
_SUPERVISORS_LOCK = threading.Lock()
_TOKENS: dict[tuple[str, str], tuple[int, ...]] = {}  # (runner key, text) -> token ids


@dataclass(frozen=True)
class RunnerKey:
    data_dir: str
    model: str
    n_ctx: int
    n_threads: int
    prompt_lookup: int = 0
    prompt_cache_mb: int = 0

    @property
    def id(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    def matches(self, info: dict[str, Any]) -> bool:
        return (
            info.get("model") == self.model
            and info.get("n_ctx") == self.n_ctx
            and info.get("prompt_lookup", 0) == self.prompt_lookup
        )


def run_dir(data_dir: Path | str) -> Path:
    return Path(data_dir) / "run"


def run_file(data_dir: Path | str) -> Path:
    return run_dir(data_dir) / "model.json"


def read_run_file(data_dir: Path | str) -> dict[str, Any] | None:
    try:
        info = json.loads(run_file(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and isinstance(info.get("pid"), int) else None


def socket_path(data_dir: Path | str, private: bool = False) -> str:
    """The socket in the data dir; a data dir too deep for a socket path (108 bytes) gets one under
    /tmp, private to this user, named by the data dir's hash."""
    name = f"model-{os.getpid()}.sock" if private else "model.sock"
    path = run_dir(data_dir) / name
    if len(str(path)) < 100:
        return str(path)
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    short = Path(f"/tmp/biganzi-{os.getuid()}")
    short.mkdir(mode=0o700, exist_ok=True)
    return str(short / f"{digest}-{name}")


def pid_alive(pid: int) -> bool:
    """True for a running (or stopped) process; a zombie is dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0] != "Z"
    except (OSError, IndexError):
        return True


def llama_flavor() -> str:
    try:
        return (Path(sys.prefix) / ".llama-flavor").read_text().strip()
    except OSError:
        return ""


def http_client(sock: str, timeout: float = 5.0) -> Any:
    import httpx

    return httpx.Client(transport=httpx.HTTPTransport(uds=sock), base_url="http://model", timeout=timeout)


def health(sock: str, timeout: float = 3.0) -> dict[str, Any] | None:
    import httpx

    try:
        with http_client(sock, timeout) as c:
            r = c.get("/health")
            return r.json() if r.status_code == 200 else None
    except (httpx.HTTPError, OSError, ValueError):
        return None


@contextmanager
def _flock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class Supervisor:
    """Finds, starts and restarts the model process for one RunnerKey."""

    def __init__(self, key: RunnerKey, *, server_module: str = "assistant.llm.runner_server") -> None:
        self.key = key
        self.server_module = server_module
        self.proc: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] | None = None
        self.restarts = 0
        self._lock = threading.Lock()

    # --- state ---------------------------------------------------------------------------------
    def alive(self, pid: int | None = None) -> bool:
        pid = pid if pid is not None else (self.info or {}).get("pid")
        if not pid:
            return False
        if self.proc is not None and self.proc.pid == pid:
            return self.proc.poll() is None
        return pid_alive(pid)

    @property
    def pid(self) -> int | None:
        return (self.info or {}).get("pid")

    @property
    def socket(self) -> str:
        info = self.info or {}
        return str(info.get("socket") or socket_path(self.key.data_dir))

    @property
    def owned(self) -> bool:
        return self.proc is not None and self.info is not None and self.proc.pid == self.info.get("pid")

    # --- start / adopt -------------------------------------------------------------------------
    def ensure(self) -> dict[str, Any]:
        """The running model process (started or adopted if needed)."""
        with self._lock:
            if self.info is not None and self.alive():
                return self.info
            try:
                self.info = self._adopt_or_spawn()
            except OSError as e:
                raise BiganziError(
                    f"无法在 {run_dir(self.key.data_dir)} 启动本地模型进程（{e.strerror or e}）："
                    "请检查数据目录的权限，或改用 BIGANZI_LLM=local-inproc"
                ) from None
            return self.info

    def _adopt_or_spawn(self) -> dict[str, Any]:
        rdir = run_dir(self.key.data_dir)
        with _flock(rdir / "model.lock"):
            info = read_run_file(self.key.data_dir)
            if info and pid_alive(info["pid"]):
                if self.key.matches(info) and health(str(info.get("socket")), 5.0):
                    return info  # another command's (or serve's) process: use it
                if not self.key.matches(info):
                    return self._spawn(register=False)  # a different model there: keep ours private
            if info:
                run_file(self.key.data_dir).unlink(missing_ok=True)  # stale
            return self._spawn(register=True)

    def _spawn(self, register: bool) -> dict[str, Any]:
        rdir = run_dir(self.key.data_dir)
        rdir.mkdir(parents=True, exist_ok=True)
        sock = socket_path(self.key.data_dir, private=not register)
        log_path = rdir / ("model.log" if register else f"model-{os.getpid()}.log")
        cache_dir = Path(self.key.data_dir) / "models" / "prompt-cache"
        cmd = [
            sys.executable, "-m", self.server_module,
            "--model", self.key.model, "--socket", sock,
            "--run-file", str(run_file(self.key.data_dir)) if register else "",
            "--n-ctx", str(self.key.n_ctx), "--n-threads", str(self.key.n_threads),
            "--prompt-lookup", str(self.key.prompt_lookup),
            "--prompt-cache-dir", str(cache_dir), "--prompt-cache-mb", str(self.key.prompt_cache_mb),
            "--flavor", llama_flavor(), "--owner-pid", str(os.getpid()),
        ]  # fmt: skip
        with log_path.open("wb") as log:
            # Own session: Ctrl-C in the terminal reaches us, not the model; it ends when we do.
            proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.proc = proc
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise BiganziError(_startup_failure(log_path, proc.returncode))
            if Path(sock).exists() and health(sock, 2.0):
                info = read_run_file(self.key.data_dir) if register else None
                if not register or (info and info.get("pid") == proc.pid):
                    return info or {
                        "pid": proc.pid,
                        "socket": sock,
                        "model": self.key.model,
                        "n_ctx": self.key.n_ctx,
                        "prompt_lookup": self.key.prompt_lookup,
                    }
            if time.monotonic() > deadline:
                proc.kill()
                raise BiganziError(
                    f"本地模型进程 {LOAD_TIMEOUT_S:.0f} 秒内没有加载完模型，已停止；日志：{log_path}"
                )
            time.sleep(0.1)

    # --- failure handling ----------------------------------------------------------------------
    def kill(self, pid: int | None = None) -> None:
        """SIGKILL the model process (works on a stopped one too) and forget it."""
        pid = pid or self.pid
        if pid:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            if self.proc is not None and self.proc.pid == pid:
                with suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=10)
            info = read_run_file(self.key.data_dir)
            if info and info.get("pid") == pid:
                run_file(self.key.data_dir).unlink(missing_ok=True)
        self.forget(pid)

    def forget(self, pid: int | None = None) -> None:
        if self.info is not None and (pid is None or self.info.get("pid") == pid):
            self.info = None
        if self.proc is not None and (pid is None or self.proc.pid == pid):
            self.proc.poll()  # reap it
            self.proc = None

    def start_in_background(self) -> None:
        """Start (or adopt) the process on a thread unless it runs already; a failure is left for
        the first real call, which raises it as one line."""
        if self.info is not None and self.alive():
            return

        def run() -> None:
            with suppress(BiganziError):
                self.ensure()

        threading.Thread(target=run, name="biganzi-model-start", daemon=True).start()

    def restart_in_background(self) -> threading.Thread:
        self.restarts += 1

        def run() -> None:
            try:
                self.ensure()
            except BiganziError as e:
                print(f"本地模型进程重启失败：{e}", file=sys.stderr, flush=True)

        thread = threading.Thread(target=run, name="biganzi-model-restart", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop our own process (a shared one we only use is left running)."""
        with self._lock:
            proc, self.proc = self.proc, None
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            self.info = None


def _startup_failure(log_path: Path, code: int | None) -> str:
    try:
        lines = [ln.strip() for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        lines = []
    for line in reversed(lines):
        if line.startswith("错误："):
            return line.removeprefix("错误：")
    tail = lines[-1][:160] if lines else ""
    if code is not None and code < 0:
        tail = f"信号 {-code}" + (f"；{tail}" if tail else "")
    return f"本地模型进程启动失败（退出码 {code}{'：' + tail if tail else ''}），日志：{log_path}"


def supervisor_for(key: RunnerKey) -> Supervisor:
    with _SUPERVISORS_LOCK:
        sup = _SUPERVISORS.get(key.id)
        if sup is None:
            sup = _SUPERVISORS[key.id] = Supervisor(key)
        return sup


def close_for(data_dir: Path | str) -> int:
    """Stop the model processes this process started for `data_dir` (tests: one data dir each)."""
    root = str(Path(data_dir).resolve())
    with _SUPERVISORS_LOCK:
        sups = [s for s in _SUPERVISORS.values() if s.key.data_dir == root]
    for sup in sups:
        sup.close()
    return len(sups)


class _SocketTransport:
    """An httpx transport to whichever socket the supervisor's process listens on now."""

    def __init__(self, sup: Supervisor) -> None:
        import httpx

        self.sup = sup
        self._httpx = httpx
        self._path: str | None = None
        self._inner: Any = None
        self._lock = threading.Lock()

    def _transport(self) -> Any:
        with self._lock:
            path = self.sup.socket
            if path != self._path:
                if self._inner is not None:
                    self._inner.close()
                self._inner = self._httpx.HTTPTransport(uds=path)
                self._path = path
            return self._inner

    def handle_request(self, request: Any) -> Any:
        return self._transport().handle_request(request)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()

    def __enter__(self) -> _SocketTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _make_transport(sup: Supervisor) -> Any:
    import httpx

    class Transport(_SocketTransport, httpx.BaseTransport):
        pass

    return Transport(sup)


class StreamCut(ConnectionError):
    """A reply stream that ended without its closing chunk."""


class RunnerChat(OpenAICompatibleChat):
    """The `local` model: OpenAI protocol to our model process, with its extras."""

    runner_key: str
    supports_prefill: bool = True
    supports_grammar: bool = True
    reuses_prefix: bool = True  # llama.cpp keeps the evaluated prompt + reply: a continuation is cheap
    repeat_penalty: float = 1.1
    llm_timeout: float = 120.0
    jobs: set[str] = Field(default_factory=set, exclude=True)

    @property
    def supervisor(self) -> Supervisor:
        return _SUPERVISORS[self.runner_key]

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, optional: bool = False
    ) -> Any:
        """The model process's JSON answer; `optional`: None when it answers with an error status (a
        route an older process lacks) instead of a failure that restarts it."""
        import httpx

        sup = self.supervisor
        info = sup.ensure()
        try:
            with http_client(str(info["socket"]), timeout=self.llm_timeout) as c:
                r = c.request(method, path, json=body)
                if optional and r.is_error:
                    return None
                r.raise_for_status()
                return r.json()
        except (httpx.HTTPError, OSError, ValueError) as e:
            raise self._failure(sup, info.get("pid"), e) from None

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text)) if text else 0

    def tokenize(self, text: str) -> list[int]:
        if not text:
            return []
        key = (self.runner_key, text)
        hit = _TOKENS.get(key)
        if hit is None:  # budgets count the same exemplars and prompts again and again
            hit = _TOKENS[key] = tuple(self._call("POST", "/tokenize", {"text": text})["tokens"])
            if len(_TOKENS) > 2048:
                _TOKENS.pop(next(iter(_TOKENS)))
        return list(hit)

    def digit_token_ids(self) -> list[int]:
        return list(self._call("GET", "/digit_tokens")["tokens"])

    def surprise(self, prefix: str, text: str) -> list[float]:
        got = self._call("POST", "/surprise", {"prefix": prefix, "text": text}, optional=True)
        return [float(x) for x in (got or {}).get("surprise") or []]

    def cancel(self) -> None:
        """End this model's running or queued generations at their next token."""
        jobs = list(self.jobs)
        if jobs and self.supervisor.alive():
            with suppress(BiganziError):
                self._call("POST", "/cancel", {"jobs": jobs})

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
        extra = {
            "repeat_penalty": kwargs.pop("repeat_penalty", self.repeat_penalty),
            "job": kwargs.pop("job", None),
        }
        if kwargs.get("figure_lock") is not None:
            extra["figure_lock"] = list(kwargs.pop("figure_lock"))
        for flag in ("no_latin", "require_figures"):
            if kwargs.pop(flag, False):
                extra[flag] = True
        if block := kwargs.pop("copy_block", None):
            extra["copy_block"] = {"source": str(block["source"]), "keep": list(block.get("keep") or [])}
        for name in ("grammar", "logit_bias"):
            value = kwargs.pop(name, None)
            if value:
                extra[name] = {str(k): float(v) for k, v in value.items()} if name == "logit_bias" else value
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        payload["extra_body"] = {**(payload.get("extra_body") or {}), **extra}
        return payload

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        sup = self.supervisor
        info = sup.ensure()
        job = uuid.uuid4().hex
        self.jobs.add(job)
        finished = False
        try:
            ended = False
            for chunk in ChatOpenAI._stream(
                self, messages, stop=stop, run_manager=run_manager, job=job, **kwargs
            ):
                ended = ended or bool((chunk.generation_info or {}).get("finish_reason"))
                ended = ended or bool(chunk.message.response_metadata.get("finish_reason"))
                yield chunk
            if not ended:  # the body ends when the socket closes: a dead process looks like an end
                raise StreamCut("the model process closed the stream before the reply's end")
            finished = True
        except BiganziError:
            finished = True
            raise
        except Exception as e:
            finished = True
            raise self._failure(sup, info.get("pid"), e) from None
        finally:
            self.jobs.discard(job)
            if not finished and sup.alive(info.get("pid")):
                # The caller stopped reading: stop the generation now (closing the stream would
                # stop it too, but only at the write after next).
                try:
                    with http_client(str(info["socket"]), timeout=5) as c:
                        c.post("/cancel", json={"jobs": [job]})
                except Exception:  # best effort: the closed stream stops it anyway
                    pass

    # Async callers get the sync path on a worker thread (one transport, one supervisor).
    async def _astream(self, *args: Any, **kwargs: Any) -> Any:
        async for chunk in BaseChatModel._astream(self, *args, **kwargs):
            yield chunk

    async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
        return await BaseChatModel._agenerate(self, *args, **kwargs)

    def _failure(self, sup: Supervisor, pid: int | None, e: BaseException) -> BiganziError:
        """One line for what went wrong with the model process; restarts it where that helps."""
        import httpx
        import openai

        if isinstance(e, openai.APITimeoutError | httpx.TimeoutException):
            sup.kill(pid)
            sup.restart_in_background()
            return BiganziError(
                f"本地模型 {self.llm_timeout:.0f} 秒没有输出，已中止这次生成并重启模型进程，请重试"
                "（机器太忙时可调大 BIGANZI_LLM_TIMEOUT）"
            )
        deadline = time.monotonic() + 2.0
        while sup.alive(pid) and time.monotonic() < deadline:  # the exit may trail the closed socket
            if not isinstance(e, openai.APIConnectionError | httpx.TransportError | StreamCut):
                break
            time.sleep(0.05)
        if not sup.alive(pid):
            sup.forget(pid)
            sup.restart_in_background()
            return BiganziError(CRASHED)
        if isinstance(e, openai.APIStatusError):
            from assistant.llm.openai import _detail

            return BiganziError(f"本地模型拒绝了这次请求：{_detail(e)}")
        if isinstance(e, openai.APIError):
            return BiganziError(f"本地模型出错：{' '.join(str(e.message).split())[:160]}")
        return BiganziError(f"与本地模型进程的连接中断（{type(e).__name__}），请重试")


def create(settings: Settings) -> RunnerChat:
    from assistant.model_files import ensure_local_model

    path = ensure_local_model(settings, progress=_note)
    key = RunnerKey(
        data_dir=str(Path(settings.data_dir).resolve()),
        model=str(Path(path).resolve()),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads or os.cpu_count() or 2,
        prompt_lookup=settings.prompt_lookup,
        prompt_cache_mb=settings.prompt_cache_mb,
    )
    sup = supervisor_for(key)
    sup.start_in_background()  # loads while the caller retrieves exemplars; errors surface at first use
    return chat_for(sup, settings, Path(path).name)


def chat_for(sup: Supervisor, settings: Settings, label: str) -> RunnerChat:
    """A `local` chat model driving `sup`'s process (registered so that model objects find it)."""
    import httpx

    with _SUPERVISORS_LOCK:
        _SUPERVISORS.setdefault(sup.key.id, sup)
    timeout = httpx.Timeout(settings.llm_timeout, connect=10.0)
    client = httpx.Client(transport=_make_transport(sup), timeout=timeout)
    return RunnerChat(
        model=label,
        base_url="http://biganzi-model/v1",
        api_key="local",  # type: ignore[arg-type]
        http_client=client,
        http_socket_options=(),  # our transport is a Unix socket: no TCP keep-alive to add
        temperature=settings.temperature,
        repeat_penalty=settings.repeat_penalty,
        timeout=timeout,
        max_retries=0,
        streaming=True,
        stream_usage=True,
        n_ctx=settings.n_ctx,
        runner_key=sup.key.id,
        llm_timeout=settings.llm_timeout,
    )


def _note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
