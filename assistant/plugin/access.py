"""Who may call the plugin routes (/v1, /retrieval, /mcp, /tools).

With API keys set (`--api-key`, or `BIGANZI_API_KEYS=k1,k2`) a request needs
`Authorization: Bearer <key>`; without keys the routes answer only to clients on this machine, the
same rule the page has without a login. The check runs before the request reaches any route, so a
refused request runs nothing. Wrong or missing keys get 401 (OpenAI and MCP clients expect it),
except /retrieval, where Dify expects 403 with `error_code` 1001 (no bearer) or 1002 (wrong key).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIXES = ("/v1", "/retrieval", "/mcp", "/tools")


def split_list(value: str | Iterable[str] | None) -> list[str]:
    """`k1,k2` (or several values) → [k1, k2]; blanks dropped, order kept, duplicates removed."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in str(v).split(",")]
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def is_api_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def client_is_loopback(scope: Scope) -> bool:
    client = scope.get("client")
    if not client:
        return False
    host = str(client[0]).strip("[]")
    if host in ("localhost", "testclient"):  # starlette's TestClient reports "testclient"
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bearer_token(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer …` header; None when there is none or it is not Bearer."""
    for k, v in scope.get("headers", []):
        if k.lower() == b"authorization":
            scheme, _, token = v.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def key_matches(token: str | None, keys: Iterable[str]) -> bool:
    if token is None:
        return False
    ok = False
    for key in keys:  # compare with every key, in constant time each
        ok |= hmac.compare_digest(token.encode(), key.encode())
    return ok


async def send_json(send: Send, status: int, data: Any, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(data, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def refusal(path: str, token: str | None, keys: list[str], loopback: bool) -> tuple[int, Any] | None:
    """(status, JSON body) when the request must be refused, else None."""
    if keys:
        if key_matches(token, keys):
            return None
        if path.startswith("/retrieval"):
            if token is None:
                return 403, {
                    "error_code": 1001,
                    "error_msg": "Authorization 头格式不对：应为 Bearer <API 密钥>",
                }
            return 403, {"error_code": 1002, "error_msg": "API 密钥不对，请检查 Dify 里填写的 API Key"}
        message = (
            "缺少 API 密钥：请在请求头加 Authorization: Bearer <密钥>" if token is None else "API 密钥不对"
        )
        if path.startswith("/v1"):
            return 401, {
                "error": {
                    "message": message,
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            }
        return 401, {"error": message}
    if loopback:
        return None
    message = "未设置 API 密钥时只接受本机（127.0.0.1）的请求；请用 --api-key 或 BIGANZI_API_KEYS 设置密钥"
    if path.startswith("/retrieval"):
        return 403, {"error_code": 1002, "error_msg": message}
    if path.startswith("/v1"):
        return 403, {"error": {"message": message, "type": "permission_error", "param": None, "code": None}}
    return 403, {"error": message}


class RequireKey:
    """ASGI middleware in front of the plugin routes: the key (or loopback) check, before anything runs."""

    def __init__(self, app: ASGIApp, keys: Iterable[str] = ()) -> None:
        self.app = app
        self.keys = split_list(list(keys))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api_path(scope.get("path", "")):
            return await self.app(scope, receive, send)
        refused = refusal(scope.get("path", ""), bearer_token(scope), self.keys, client_is_loopback(scope))
        if refused is not None:
            status, body = refused
            extra = [(b"www-authenticate", b"Bearer")] if status == 401 else []
            return await send_json(send, status, body, extra)
        return await self.app(scope, receive, send)
