"""With --auth, every page and API route needs a login: the browser sees a login form, a wrong
password is refused, the API (gradio_client and raw HTTP) is refused without the login."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from browser.harness import Server, needs_chromium, open_page, running_server, screenshot

pytestmark = [pytest.mark.server, pytest.mark.timeout(300)]

USER, PASSWORD = "办公室", "pw-2024:秘密"

# Routes that must answer 401 without a login, Gradio's own unguarded ones included.
GUARDED_GET = [
    "/config",
    "/gradio_api/info",
    "/gradio_api/openapi.json",
    "/gradio_api/queue/status",
    "/gradio_api/queue/data?session_hash=x",
    "/gradio_api/heartbeat/x",
    "/gradio_api/token",
    "/gradio_api/user",
    "/gradio_api/app_id",
    "/gradio_api/upload_progress?upload_id=x",
    "/gradio_api/file=/etc/hostname",
    "/gradio_api/call/list_kbs/abc",
    "/gradio_api/runs",
    "/monitoring",
]
GUARDED_POST = [
    "/gradio_api/queue/join",
    "/gradio_api/call/list_kbs",
    "/gradio_api/run/list_kbs",
    "/gradio_api/api/list_kbs",
    "/gradio_api/upload",
    "/gradio_api/cancel",
    "/gradio_api/reset",
    "/gradio_api/component_server",
    "/gradio_api/stream/abc",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("auth-data")
    with running_server(data, "--auth", f"{USER}:{PASSWORD}") as srv:
        yield srv


def test_start_message_says_login_is_required(server: Server) -> None:
    assert "需要登录" in server.output()


def test_api_routes_refuse_without_login(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        for path in GUARDED_GET:
            assert c.get(path).status_code == 401, path
        for path in GUARDED_POST:
            assert c.post(path, json={"data": []}).status_code == 401, path
        # the page itself is only the login form: none of the app is in it
        page = c.get("/").text
        assert "今年数据" not in page and "named_endpoints" in page
        assert "/draft" not in page and "/ingest" not in page  # no API description either


def test_api_works_after_login(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert c.post("/login", data={"username": USER, "password": "wrong"}).status_code == 400
        assert c.get("/gradio_api/info").status_code == 401
        assert c.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
        assert c.get("/gradio_api/info").status_code == 200
        assert "今年数据" in c.get("/config").text


def test_gradio_client_needs_the_login(server: Server) -> None:
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017 - any refusal will do; no app info leaks
        Client(server.url, verbose=False)
    with pytest.raises(Exception):  # noqa: B017
        Client(server.url, auth=(USER, "wrong"), verbose=False)
    client = Client(server.url, auth=(USER, PASSWORD), verbose=False)
    assert client.predict(api_name="/list_kbs") == []


@pytest.mark.browser
@needs_chromium
def test_browser_login(browser: Any, server: Server) -> None:
    with open_page(browser, server.url) as page:
        page.goto(server.url)
        user, password = page.locator("input[type=text]"), page.locator("input[type=password]")
        user.wait_for()
        assert page.locator("#chat-input").count() == 0
        screenshot(page, "ui_login")
        user.fill(USER)
        password.fill("wrong")
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_function("() => /凭据不正确|Incorrect/.test(document.body.innerText)")
        assert page.locator("#chat-input").count() == 0
        user.fill(USER)  # the login form clears itself after a refusal
        password.fill(PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_selector("#chat-input textarea")
        assert page.get_by_role("tab", name="知识库").is_visible()
        # logged in, the page drafts (served by the one ASGI app, Gradio mounted at /)
        page.fill("#chat-input textarea", "起草“综合施策护基金”一段，追回医保基金452.3万元，约150字")
        page.click("#send")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#chat [data-testid=\"bot\"]')]"
            ".some(b => b.innerText.includes('452.3万元'))"
        )
