"""停止 in a real browser: a slow (fake) model streams a reply, 停止 ends it at once with （已停止）,
the text stops growing, and the next request is answered (the model slot is free again)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from browser.harness import Server, desk_page, needs_chromium, running_server, server_env

pytestmark = [needs_chromium, pytest.mark.browser]


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("stop") / "data"
    env = server_env(data, BIGANZI_FAKE_CHUNK_DELAY="0.15")
    with running_server(data, env=env) as server:
        yield server


def last_bot(page: Any) -> str:
    return page.evaluate(
        "() => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
        " return b.length ? b[b.length - 1].innerText : ''; }"
    )


def test_stop_ends_the_running_reply_and_frees_the_model(browser: Any, slow_server: Server) -> None:
    with desk_page(browser, slow_server, timeout=60_000) as page:
        page.fill("#chat-input textarea", "起草“综合施策护基金”一段，追回医保基金452.3万元，约300字")
        page.click("#send")
        page.wait_for_function(
            "() => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
            " return b.length && b[b.length - 1].innerText.length > 8 && !b[b.length - 1].innerText.includes('排队'); }",
            timeout=60_000,
        )
        page.click("#stop")
        page.wait_for_function(
            "() => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
            " return b.length && b[b.length - 1].innerText.includes('（已停止）'); }",
            timeout=10_000,
        )
        stopped = last_bot(page)
        time.sleep(1.5)
        assert last_bot(page) == stopped  # nothing more arrives
        page.fill("#chat-input textarea", "你好")
        page.click("#send")
        page.wait_for_function(
            "() => document.querySelectorAll('#chat [data-testid=\"bot\"]').length >= 2", timeout=30_000
        )
        page.wait_for_function(
            "() => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
            " const t = b[b.length - 1].innerText; return t.length > 2 && !t.includes('排队') && t !== '…'; }",
            timeout=60_000,
        )
    assert "Traceback" not in slow_server.output()
