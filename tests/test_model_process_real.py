"""The model process with the real local model under a real `biganzi serve` on loopback: kill -9 it
mid-draft, SIGSTOP it, and draft from the CLI on the same data dir while serve runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import free_port, loopback_server

from assistant.llm.runner import CRASHED, health, pid_alive, read_run_file

pytestmark = [pytest.mark.smoke, pytest.mark.server]

TIMEOUT_S = 40  # BIGANZI_LLM_TIMEOUT for this server: a cold prompt on 2 busy cores fits in it


def ask(base: str, text: str = "起草“综合施策护基金”一段，追回医保基金452.3万元，约60字") -> httpx.Response:
    body = {"model": "biganzi", "messages": [{"role": "user", "content": text}], "max_tokens": 60}
    return httpx.post(f"{base}/v1/chat/completions", json=body, timeout=600)


@pytest.fixture(scope="module")
def served(local_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("served") / "data"
    env = {
        **os.environ,
        "BIGANZI_DATA_DIR": str(data),
        "BIGANZI_LLM": "local",
        "BIGANZI_MODEL_PATH": str(local_model_path),
        "BIGANZI_N_CTX": "2048",
        "BIGANZI_EMBEDDER": "fake",
        "BIGANZI_TEMPERATURE": "0",
        "BIGANZI_LLM_TIMEOUT": str(TIMEOUT_S),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)]
    with loopback_server(cmd, f"{base}/", data.parent / "serve.log", timeout_s=180, env=env) as proc:
        yield {"base": base, "data": data, "env": env, "proc": proc, "log": data.parent / "serve.log"}


def model_pid(data: Path, timeout_s: float = 300) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = read_run_file(data)
        if info and pid_alive(info["pid"]) and health(info["socket"]):
            return int(info["pid"])
        time.sleep(0.5)
    pytest.fail("the model process did not come up")


def served_count(data: Path) -> int:
    info = read_run_file(data)
    got = health(info["socket"]) if info else None
    return int(got["served"]) if got else -1


def test_kill_9_mid_draft_is_one_line_and_the_next_draft_works(served: dict[str, Any]) -> None:
    base, data = served["base"], served["data"]
    first = ask(base)  # the warm-up started the process; this draft is the baseline
    assert first.status_code == 200, first.text
    pid = model_pid(data)
    before = served_count(data)
    result: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: result.update(r=ask(base)))
    worker.start()
    while served_count(data) == before and worker.is_alive():  # the draft reached the model
        time.sleep(0.1)
    time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    worker.join(60)
    assert not worker.is_alive() and time.monotonic() - killed_at < 15
    r = result["r"]
    assert r.status_code == 400 and r.json()["error"]["message"] == CRASHED
    assert httpx.get(f"{base}/", timeout=30).status_code == 200  # the page is up
    assert served["proc"].poll() is None
    again = ask(base)
    assert again.status_code == 200, again.text
    assert again.json()["choices"][0]["message"]["content"]
    assert model_pid(data) != pid


def test_sigstop_times_out_with_a_clear_line_and_restarts(served: dict[str, Any]) -> None:
    base, data = served["base"], served["data"]
    pid = model_pid(data)
    os.kill(pid, signal.SIGSTOP)
    try:
        t = time.monotonic()
        r = ask(base)
        waited = time.monotonic() - t
    finally:
        if pid_alive(pid):
            os.kill(pid, signal.SIGCONT)
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith(
        f"本地模型 {TIMEOUT_S} 秒没有输出，已中止这次生成并重启模型进程"
    )
    assert TIMEOUT_S - 1 < waited < TIMEOUT_S + 30
    assert not pid_alive(pid)
    assert model_pid(data) != pid  # restarted by itself
    assert httpx.get(f"{base}/", timeout=30).status_code == 200


def test_a_cli_draft_uses_the_served_model_process(served: dict[str, Any]) -> None:
    data = served["data"]
    pid = model_pid(data)
    before = served_count(data)
    cmd = [
        sys.executable,
        "-m",
        "assistant.cli",
        "draft",
        "-r",
        "起草“护基金”一段",
        "--length",
        "40",
        "--json",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=served["env"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["text"]
    assert served_count(data) > before and model_pid(data) == pid  # served by the same process
    assert read_run_file(data)["owner_pid"] == served["proc"].pid  # still serve's, not the CLI's
    assert not list((data / "run").glob("model-*.log"))  # no private process was started


def test_a_second_serve_on_the_same_data_dir_shares_the_model(served: dict[str, Any]) -> None:
    data = served["data"]
    pid = model_pid(data)
    port = free_port()
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)]
    log = data.parent / "serve2.log"
    with loopback_server(cmd, f"http://127.0.0.1:{port}/", log, timeout_s=180, env=served["env"]):
        r = ask(f"http://127.0.0.1:{port}")
        assert r.status_code == 200, r.text
        assert model_pid(data) == pid
    assert pid_alive(pid) and httpx.get(f"{served['base']}/", timeout=30).status_code == 200
