"""Real-browser harness helpers: a real `biganzi serve` subprocess on a free loopback port (fake chat model
and embedder, its own data dir) and Debian's headless Chromium driven by Playwright. Every request
the page makes is recorded; a test fails if any goes anywhere but the loopback server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from servers import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "docs" / "img"
START_TIMEOUT = 90.0

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed (make browser installs Debian's chromium)"
)


@dataclass
class Server:
    url: str
    port: int
    data_dir: Path
    proc: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "".join(self.log)


def serve_command(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "biganzi"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]
    return [*head, "serve", *args]


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BIGANZI_DATA_DIR=str(data_dir),
        BIGANZI_LLM="fake",
        BIGANZI_EMBEDDER="fake",
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("BIGANZI_CHROMA_URL", None)
    env.update(extra)
    return env


@contextmanager
def running_server(
    data_dir: Path, *args: str, env: dict[str, str] | None = None, host: str = "127.0.0.1"
) -> Iterator[Server]:
    """`biganzi serve` on a free port; yields once it says it has started, stops it afterwards."""
    port = free_port()
    cmd = serve_command("--host", host, "--port", str(port), "--data-dir", str(data_dir), *args)
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env or server_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}", port, data_dir, proc)
    started = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.log.append(line)
            if "已启动" in line:
                started.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while not started.is_set():
        if proc.poll() is not None:
            raise RuntimeError(f"biganzi serve exited early ({proc.returncode}):\n{server.output()}")
        if time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"biganzi serve did not start in {START_TIMEOUT:.0f}s:\n{server.output()}")
        started.wait(0.2)
    try:
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[str]) -> None:
    """Stop the server we started (its own process group: Gradio's worker threads go with it)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def foreign_requests(urls: list[str]) -> list[str]:
    """Requests that left the machine: anything not to the loopback server (data:/blob: stay local)."""
    out = []
    for u in urls:
        p = urlparse(u)
        if p.scheme in ("data", "blob", "about", "chrome-extension"):
            continue
        if p.hostname not in ("127.0.0.1", "localhost", "::1"):
            out.append(u)
    return out


class Recorder:
    def __init__(self) -> None:
        self.urls: list[str] = []


@contextmanager
def open_page(browser: Any, url: str, **context: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies, Chinese locale) that records every request it makes."""
    ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 1400, "height": 1000}, accept_downloads=True, **context
    )
    rec = Recorder()
    ctx.on("request", lambda r: rec.urls.append(r.url))
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    page.recorder = rec
    try:
        yield page
        foreign = foreign_requests(rec.urls)
        assert not foreign, f"the page loaded resources from outside the server: {foreign[:5]}"
        assert rec.urls, "no request recorded"
    finally:
        ctx.close()


@contextmanager
def desk_page(
    browser: Any, server: Server, ready: str = "#chat-input textarea", timeout: float | None = None
) -> Iterator[Any]:
    """A recorded page (`open_page`) on the server's writing desk, once `ready` is on it."""
    with open_page(browser, server.url) as page:
        page.goto(server.url)
        page.wait_for_selector(ready, timeout=timeout)
        yield page


def screenshot(page: Any, name: str) -> None:
    """Main screens for the README (docs/img); BIGANZI_SCREENSHOTS=0 skips writing them."""
    if os.environ.get("BIGANZI_SCREENSHOTS", "1") == "0":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def copy_examples(dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for f in sorted((REPO / "examples").glob("*")):
        if f.suffix in (".txt", ".md") and f.name != "README.md":
            out.append(Path(shutil.copy(f, dest / f.name)))
    return out


def ingest_examples(server: Server, dest: Path, kb: str = "default") -> list[Path]:
    """Copy the demo reports into `dest` and ingest them into `kb` through the page's /ingest API
    (as a user's upload would); every one must be added."""
    from gradio_client import Client, handle_file

    docs = copy_examples(dest)
    report = Client(server.url, verbose=False).predict(
        [handle_file(str(p)) for p in docs], kb, api_name="/ingest"
    )
    assert len([f for f in report["files"] if f["status"] == "added"]) == len(docs), report
    return docs
