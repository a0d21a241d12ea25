"""With accounts configured, every route needs a login — not only the ones Gradio guards itself
(it leaves a few API routes open: /gradio_api/cancel, /reset, /stream/…, /heartbeat/…, /token, …).

A plain ASGI middleware in front of Gradio: a request passes when it carries a valid Gradio login
cookie, or when it asks for what the login page itself needs (the page, its static files, /login).
Everything else gets the same 401 Gradio answers with. Gradio also embeds the API description in
the page it serves to anonymous visitors; it is blanked out of that page."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Awaitable[None]]

# What an anonymous browser may load: the login page and the files it is drawn with.
OPEN_EXACT = {
    "/",
    "/login",
    "/login/",
    "/logout",
    "/config",  # Gradio answers 401 itself; the login page reads that answer
    "/config/",
    "/favicon.ico",
    "/theme.css",
    "/robots.txt",
    "/manifest.json",
    "/gradio_api/theme.css",
    "/gradio_api/login_check",
    "/gradio_api/login_check/",
    "/gradio_api/startup-events",  # Gradio's own start-up probe; answers true/false only
}
OPEN_PREFIXES = ("/assets/", "/static/", "/svelte/", "/pwa_icon")
EMPTY_API_INFO = b'window.gradio_api_info = {"named_endpoints": {}, "unnamed_endpoints": {}};</script>'
_API_INFO = re.compile(rb"window\.gradio_api_info = .*?;</script>", re.S)


def is_open(path: str) -> bool:
    return path in OPEN_EXACT or path.startswith(OPEN_PREFIXES)


def logged_in(scope: Scope, app: Any) -> bool:
    cookie_id = getattr(app, "cookie_id", None)
    tokens = getattr(app, "tokens", None) or {}
    if not cookie_id:
        return False
    raw = b"; ".join(v for k, v in scope.get("headers", []) if k == b"cookie").decode("latin-1")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header is simply not a login
        return False
    for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
        morsel = jar.get(name)
        if morsel is not None and morsel.value in tokens:
            return True
    return False


class RequireLogin:
    def __init__(self, app: ASGIApp, message: str = "请先登录") -> None:
        self.app = app
        self.message = message

    async def __call__(
        self, scope: Scope, receive: Callable[..., Awaitable[Any]], send: Callable[..., Awaitable[Any]]
    ) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        gradio_app = scope.get("app")
        if logged_in(scope, gradio_app):
            return await self.app(scope, receive, send)
        if is_open(path):
            if path == "/" and scope["type"] == "http":
                return await self.app(scope, receive, _without_api_info(send))
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return None
        body = json.dumps(
            {"detail": {"error": "Not authenticated", "auth_message": self.message}}, ensure_ascii=False
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return None


def _without_api_info(send: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Buffer the login page and blank the API description Gradio embeds in it."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = _API_INFO.sub(EMPTY_API_INFO, b"".join(chunks))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return wrapped
