"""The 改写 mode's one-click chips in a real browser (headless Chromium) against a real `biganzi serve`
on loopback with the fake chat model: the chips show only in 改写 mode, a chip sends its instruction
and the diff shows what changed; a rewrite that could not be done is said so, with no diff."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistant.rewrite_kinds import CHIPS
from browser.harness import Server, desk_page, needs_chromium, running_server, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.server, needs_chromium, pytest.mark.timeout(300)]

ORIGINAL = (
    "（三）综合施策“护基金”。我局进一步健全基金监管机制，积极推进智能监控。"
    "全年检查定点医药机构186家，追回医保基金452.3万元。我们大力开展宣传，营造良好氛围。"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("chips-data")) as srv:
        yield srv


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    with desk_page(browser, server) as p:
        yield p


def bot_count(page: Any) -> int:
    return page.locator('#chat [data-testid="bot"]').count()


def click_chip(page: Any, label: str) -> str:
    """Click a chip; wait for its finished reply (the last bubble no longer streams). Returns it."""
    n = bot_count(page)
    page.locator("#rewrite-chips").get_by_role("button", name=label, exact=True).click()
    page.wait_for_function(
        "n => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
        " return b.length > n && /改写稿|未能完成改写/.test(b[b.length - 1].innerText); }",
        arg=n,
        timeout=60_000,
    )
    return page.locator('#chat [data-testid="bot"]').last.inner_text()


def test_chips_show_only_in_rewrite_mode(page: Any) -> None:
    assert not page.locator("#rewrite-chips").is_visible()
    page.get_by_label("改写").check()
    page.wait_for_selector("#rewrite-chips", state="visible")
    labels = page.locator("#rewrite-chips button").all_inner_texts()
    assert labels == [label for label, _ in CHIPS]
    assert page.locator("#chat-input textarea").is_visible()  # the free instruction box stays
    page.get_by_label("起草段落").check()
    page.wait_for_selector("#rewrite-chips", state="hidden")


def test_chip_rewrites_with_a_diff_then_accept(page: Any) -> None:
    page.get_by_label("改写").check()
    page.fill("#source-text textarea", ORIGINAL)
    reply = click_chip(page, "更正式")
    assert "改写稿" in reply
    user = page.locator('#chat [data-testid="user"]').last.inner_text()
    assert user == dict(CHIPS)["更正式"]  # the chip sent its instruction, as if typed
    diff = page.locator('#proposal [data-testid="diff"]')
    diff.wait_for()
    assert "持续" in "".join(diff.locator("ins").all_inner_texts())  # the fake rewords 进一步 → 持续
    assert "进一步" in "".join(diff.locator("del").all_inner_texts())
    assert "452.3万元" in diff.inner_text()
    screenshot(page, "ui_rewrite_chips")
    page.click("#accept")
    page.wait_for_selector("#proposal", state="hidden")
    after = page.input_value("#draft textarea")
    assert after.startswith("（三）综合施策“护基金”。") and "持续健全" in after and "186家" in after


def test_chip_compress_shortens(page: Any) -> None:
    page.get_by_label("改写").check()
    page.fill("#source-text textarea", ORIGINAL)
    click_chip(page, "压缩")
    diff = page.locator('#proposal [data-testid="diff"]')
    diff.wait_for()
    assert diff.locator("del").count() >= 1
    assert "186家" in diff.inner_text() and "452.3万元" in diff.inner_text()


def test_a_chip_that_cannot_be_done_shows_no_diff(page: Any) -> None:
    """The fake model writes no 对仗 heading: the page says so and offers no unchanged 'rewrite'."""
    page.get_by_label("改写").check()
    page.fill("#source-text textarea", ORIGINAL)
    reply = click_chip(page, "标题对仗")
    assert "未能完成改写" in reply and "原文未改动" in reply
    assert not page.locator("#proposal").is_visible()


def test_accept_only_the_changes_kept_ticked(page: Any) -> None:
    page.get_by_label("改写").check()
    page.fill("#source-text textarea", ORIGINAL)
    click_chip(page, "更正式")
    box = page.locator("#proposal-changes")
    box.wait_for(state="visible")
    labels = box.locator("label").all_inner_texts()
    assert len(labels) >= 2 and labels[0].startswith("第1处") and "进一步" in labels[0]
    box.get_by_label(labels[0]).uncheck()  # keep 进一步, take the other changes
    page.click("#accept")
    page.wait_for_selector("#proposal", state="hidden")
    after = page.input_value("#draft textarea")
    assert "进一步健全" in after and "持续健全" not in after
    assert "扎实推进" in after  # 积极推进 → 扎实推进 was accepted
