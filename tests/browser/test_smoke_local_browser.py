"""Smoke: the writing desk with the real local model (llama.cpp, bundled GGUF) in a real browser.
A draft streams in with the user's figures locked in and the number legend; a second browser asking
at the same time waits in the queue (the local model runs one request at a time) and is served."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser.harness import (
    desk_page,
    ingest_examples,
    needs_chromium,
    running_server,
    screenshot,
    server_env,
)

pytestmark = [
    pytest.mark.smoke,
    pytest.mark.browser,
    pytest.mark.server,
    needs_chromium,
    pytest.mark.timeout(900),
]

FIGURES = "截至2024年11月，检查定点医药机构186家，追回医保基金452.3万元。"
REQUEST = "参照往年写法，起草今年“综合施策护基金”一段，约120字。"
# finished: the last reply carries the legend, or an error
DONE = (
    "() => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
    " const last = b[b.length - 1];"
    " return last && (last.querySelector('.bgz-legend') !== null || last.innerText.includes('⚠')); }"
)


def ask(page: Any) -> None:
    page.fill("#figures-paste textarea", FIGURES)
    page.click("#figures-parse")
    page.wait_for_function("() => document.querySelector('#figures-table').innerText.includes('452.3万元')")
    page.click("#figures-confirm")
    page.wait_for_function("() => document.querySelector('#figures-status').innerText.includes('已确认')")
    length = page.locator("#length input[type=number]")
    length.fill("120")
    length.press("Enter")
    page.fill("#chat-input textarea", REQUEST)
    page.click("#send")


def test_local_model_draft_and_queue(browser: Any, local_model_path: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = server_env(
        data, BIGANZI_LLM="local", BIGANZI_MODEL_PATH=str(local_model_path), BIGANZI_N_CTX="4096"
    )
    with running_server(data, env=env) as server:
        ingest_examples(server, tmp_path / "examples")
        with desk_page(browser, server) as first, desk_page(browser, server) as second:
            ask(first)
            first.wait_for_function(
                "() => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
                " return b.length && b[b.length-1].innerText.length > 2; }",
                timeout=300_000,
            )
            ask(second)  # the model is busy with the first request: this one waits in the queue
            second.wait_for_function(
                "() => /\\d+\\s*\\/\\s*\\d+/.test(document.querySelector('#chat').innerText)"
                " || document.querySelector('#chat').innerText.includes('队')",
                timeout=120_000,
            )
            screenshot(second, "ui_queue")
            first.wait_for_function(DONE, timeout=600_000)
            second.wait_for_function(DONE, timeout=600_000)
            for p in (first, second):
                assert "⚠" not in p.inner_text("#chat"), p.inner_text("#chat")[-300:]
                reply = p.locator('#chat [data-testid="bot"]').last
                assert reply.locator(".bgz-user", has_text="452.3万元").count() >= 1
                assert reply.locator(".bgz-user", has_text="186家").count() >= 1
                draft = p.input_value("#draft textarea")
                assert "452.3万元" in draft and "186家" in draft
