"""The chat box understands the message, in a real browser (headless Chromium) against a real
`biganzi serve` on loopback with the fake chat model: Enter sends, Shift+Enter makes a new line,
figures typed in the message are the user's figures (您给的数据 in the number trace, listed in the
figures panel as taken from the message) and a length written in it is the asked length."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browser.harness import Server, desk_page, needs_chromium, running_server

pytestmark = [pytest.mark.browser, pytest.mark.server, needs_chromium, pytest.mark.timeout(300)]

MESSAGE = "起草“参保扩面”一段，参保率99.91％，约150字。"
BOX = "#chat-input textarea"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("chat-message-data")) as srv:
        yield srv


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    with desk_page(browser, server, BOX) as p:
        yield p


def bots(page: Any) -> Any:
    return page.locator('#chat [data-testid="bot"]')


def test_enter_sends_and_message_figures_are_the_users(page: Any) -> None:
    box = page.locator(BOX)
    box.click()
    box.type(MESSAGE)
    box.press("Enter")
    page.wait_for_selector('#chat [data-testid="bot"] .bgz-legend')
    assert page.locator('#chat [data-testid="user"]').first.inner_text().strip() == MESSAGE
    assert box.input_value() == ""  # sent: the box is cleared

    bubble = bots(page).last
    figure = bubble.locator(".bgz-user", has_text="99.91％")
    assert figure.count() >= 1  # the number trace shows it as 您给的数据
    assert "您给的数据" in (figure.first.get_attribute("title") or "")
    legend = bubble.locator(".bgz-legend").inner_text()
    assert "您给的数据 1" in legend
    text = bubble.inner_text()
    assert "约150字" not in text and "150字" not in text  # the length phrase is not written into the draft

    # The asked length is the message's 150, not the slider's 300.
    page.wait_for_function(
        "() => document.querySelector('#reply-details').innerText.includes('篇幅按消息：约150字')"
    )
    # The figures panel lists the message's figure as taken from the message.
    page.wait_for_function("() => document.querySelector('#figures-table').innerText.includes('99.91％')")
    assert "取自消息" in page.locator("#figures-table").inner_text()
    assert "本次消息中的 1 项数据" in page.locator("#figures-status").inner_text()


def test_shift_enter_makes_a_new_line_without_sending(page: Any) -> None:
    box = page.locator(BOX)
    box.click()
    box.type("起草“参保扩面”一段")
    box.press("Shift+Enter")
    box.type("参保率99.91％")
    page.wait_for_timeout(700)
    assert box.input_value() == "起草“参保扩面”一段\n参保率99.91％"
    assert bots(page).count() == 0  # nothing was sent
    assert page.locator('#chat [data-testid="user"]').count() == 0
    box.press("Enter")  # and Enter then sends both lines
    page.wait_for_selector('#chat [data-testid="bot"] .bgz-legend')
    assert bots(page).last.locator(".bgz-user", has_text="99.91％").count() >= 1


def test_fixed_length_overrides_the_message(page: Any) -> None:
    page.locator("#length-fixed input").check()
    box = page.locator(BOX)
    box.click()
    box.type(MESSAGE)
    box.press("Enter")
    page.wait_for_selector('#chat [data-testid="bot"] .bgz-legend')
    page.wait_for_function(
        "() => document.querySelector('#reply-details').innerText.includes('篇幅按固定的300字')"
    )


def test_enter_that_picks_an_ime_candidate_does_not_send(page: Any) -> None:
    """With a 拼音 input method the Enter that confirms a candidate arrives while composing (isComposing,
    keyCode 229, or right after compositionend in Safari): it must not send the half-typed message.
    Gradio sends on the Enter keypress; synthetic events stand in for the input method."""
    box = page.locator(BOX)
    box.click()
    box.type("起草“参保扩面”一段")
    page.evaluate(
        """async () => {
        const ta = document.querySelector('#chat-input textarea');
        const enter = (init) => ['keydown', 'keypress'].forEach((t) =>
          ta.dispatchEvent(new KeyboardEvent(t, {key: 'Enter', bubbles: true, cancelable: true, ...init})));
        enter({isComposing: true});
        enter({keyCode: 229});
        ta.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true}));
        enter({});
        ta.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: '段'}));
        enter({});  // the Enter right after compositionend (Safari)
      }"""
    )
    page.wait_for_timeout(700)
    assert page.locator('#chat [data-testid="user"]').count() == 0
    assert box.input_value() == "起草“参保扩面”一段"
    # an Enter outside composition still sends (the guard only holds the input method's Enter)
    page.evaluate(
        """() => document.querySelector('#chat-input textarea').dispatchEvent(
             new KeyboardEvent('keypress', {key: 'Enter', bubbles: true, cancelable: true}))"""
    )
    page.wait_for_selector('#chat [data-testid="user"]')
