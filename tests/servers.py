"""Start a real server process on loopback for a test, wait until it answers, always stop it."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def loopback_server(
    cmd: Sequence[str],
    ready_url: str,
    log_path: Path,
    *,
    timeout_s: float = 120,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Runs `cmd` until `ready_url` answers 200; fails the test with the log's tail if it never does."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(list(cmd), stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    with urllib.request.urlopen(ready_url, timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    why = (
                        f"exited with {proc.returncode}"
                        if proc.poll() is not None
                        else f"no answer in {timeout_s:.0f} s"
                    )
                    tail = log_path.read_text(errors="replace")[-2000:]
                    pytest.fail(f"{cmd[0]} {why} at {ready_url}; log:\n{tail}")
                time.sleep(0.3)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run_async(main: Callable[[], Awaitable[Any]]) -> Any:
    """`anyio.run(main)` in a thread of its own: an event loop left running in the main thread by an
    earlier test (Playwright's sync API) would make anyio.run refuse to start there."""
    import anyio

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, main).result()
