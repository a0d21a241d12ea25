"""One ASGI app for `biganzi serve`: the writing desk (Gradio) at `/`, and beside it the plugin
routes — an OpenAI-compatible model at `/v1`, Dify's External Knowledge API at `/retrieval`, the
MCP server at `/mcp` (streamable HTTP), the same tools as an OpenAPI tool server at `/tools`.
FastAPI + uvicorn, Gradio mounted with `gr.mount_gradio_app`.

Who may call what:
- the page: with accounts (`--auth`), every Gradio route needs a login (`ui.auth.RequireLogin`);
  without, it answers only to clients on this machine;
- the plugin routes: with API keys, `Authorization: Bearer <key>`; without, this machine only
  (`assistant.plugin.access.RequireKey`, checked before anything runs). CORS for them is settable
  (`--cors-origin`); the page keeps Gradio's own CORS rules.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.plugin.access import (
    ASGIApp,
    Receive,
    RequireKey,
    Scope,
    Send,
    client_is_loopback,
    is_api_path,
    send_json,
    split_list,
)
from core.errors import BiganziError
from core.settings import Settings

LOGIN_MESSAGE = "笔杆子写作台：请输入账号和密码"
MCP_PATH = "/mcp"
TOOLS_PATH = "/tools"


@dataclass
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 7860
    auth: list[tuple[str, str]] = field(default_factory=list)
    api_keys: list[str] = field(default_factory=list)
    cors_origins: list[str] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Settings, **kw: Any) -> ServerOptions:
        """Keys and origins from the flags, else from BIGANZI_API_KEYS / BIGANZI_CORS_ORIGINS."""
        keys = split_list(kw.pop("api_keys", None) or settings.api_keys)
        origins = split_list(kw.pop("cors_origins", None) or settings.cors_origins)
        return cls(api_keys=keys, cors_origins=origins, **kw)


class Front:
    """The outermost layer: plugin routes get CORS (when set) and the key check; the page is
    refused to other machines when no login is set."""

    def __init__(self, app: ASGIApp, options: ServerOptions) -> None:
        self.app = app
        self.page_local_only = not options.auth
        guarded: ASGIApp = RequireKey(app, options.api_keys)
        if options.cors_origins:
            from starlette.middleware.cors import CORSMiddleware

            guarded = CORSMiddleware(
                guarded,  # type: ignore[arg-type]
                allow_origins=options.cors_origins,
                allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["mcp-session-id", "mcp-protocol-version"],
            )
        self.api = guarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if scope["type"] == "http" and is_api_path(scope.get("path", "")):
            return await self.api(scope, receive, send)
        if self.page_local_only and not client_is_loopback(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4403})
                return None
            return await send_json(
                send,
                403,
                {
                    "detail": "未设置登录：写作台只对本机开放；要让内网访问，请用 --auth 或 --auth-file 设置账号"
                },
            )
        return await self.app(scope, receive, send)


def build_server(settings: Settings, options: ServerOptions) -> Any:
    """The ASGI app (FastAPI, wrapped in `Front`); call `prepare_environment` before it."""
    import gradio as gr
    from fastapi import FastAPI
    from mcp.server.fastmcp.server import StreamableHTTPASGIApp
    from starlette.routing import Route

    from assistant.plugin import dify, openai_api
    from assistant.plugin.mcp_server import build_mcp
    from assistant.plugin.tool_server import build_tool_app
    from ui.app import build_app
    from ui.launch import launch_options

    mcp = build_mcp(settings, **mcp_http_options(options))
    mcp.streamable_http_app()  # creates the session manager
    manager = mcp.session_manager

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        async with manager.run():
            yield

    app = FastAPI(
        title="笔杆子",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.include_router(openai_api.router(settings))
    app.include_router(dify.router(settings))

    # An ASGI app (not a function) as the endpoint: Starlette passes every method through to it.
    mcp_endpoint = StreamableHTTPASGIApp(manager)
    for path in (MCP_PATH, MCP_PATH + "/"):
        app.router.routes.append(Route(path, endpoint=mcp_endpoint))

    app.mount(TOOLS_PATH, build_tool_app(settings))

    blocks = build_app(settings)
    app_kwargs: dict[str, Any] = {}
    if options.auth:
        from starlette.middleware import Middleware

        from ui.auth import RequireLogin

        app_kwargs["middleware"] = [Middleware(RequireLogin, message=LOGIN_MESSAGE)]
    mount = {k: v for k, v in launch_options(settings).items() if k not in ("share", "inbrowser")}
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        server_name=options.host,
        server_port=options.port,
        auth=options.auth or None,
        auth_message=LOGIN_MESSAGE if options.auth else None,
        app_kwargs=app_kwargs,
        show_error=False,
        **mount,
    )
    return Front(app, options)


def mcp_http_options(options: ServerOptions) -> dict[str, Any]:
    """Streamable HTTP, stateless (no session to lose on a restart). MCP's DNS-rebinding protection
    (the Host check that answers 421) guards a loopback server without keys, where it is the only
    guard against a web page reaching the server through a rebound name. With keys, or bound to
    the intranet, the Host is whatever name the bureau's clients or proxy use, so it is off there:
    a rebound page cannot know the key."""
    from mcp.server.transport_security import TransportSecuritySettings

    from assistant.commands.serve import is_loopback

    if is_loopback(options.host) and not options.api_keys:
        names = ["127.0.0.1", "localhost", "[::1]"]
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=[*names, *(f"{n}:*" for n in names)],
            allowed_origins=[
                *(f"http://{n}" for n in names),
                *(f"http://{n}:*" for n in names),
                *options.cors_origins,
            ],
        )
    else:
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return {
        "stateless_http": True,
        "json_response": False,
        "streamable_http_path": MCP_PATH,
        "transport_security": security,
        "log_level": "WARNING",
    }


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so a taken port is one clear line (not a uvicorn log)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as e:
        sock.close()
        raise BiganziError(
            f"无法在 {host}:{port} 启动网页（{e.strerror or e}）；端口可能已被占用，请换 --port"
        ) from e
    sock.set_inheritable(True)
    return sock


def start_lines(settings: Settings, options: ServerOptions) -> list[str]:
    host, port = options.host, options.port
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    if options.auth:
        lines = [f"笔杆子写作台已启动：{url} （需要登录，{len(options.auth)} 个账号）"]
    else:
        lines = [f"笔杆子写作台已启动：{url} （未设置登录：只在本机 {host} 上提供服务，其他电脑无法访问）"]
    keys = (
        f"需要 API 密钥（{len(options.api_keys)} 个）"
        if options.api_keys
        else "未设置 API 密钥：只接受本机请求"
    )
    lines.append(
        f"插件接口：OpenAI 兼容 {url}/v1 · Dify 外部知识库 {url}/retrieval · MCP {url}{MCP_PATH}"
        f" · 工具服务器 {url}{TOOLS_PATH}（{keys}）"
    )
    lines.append(f"数据目录：{settings.data_dir}；模型后端：{settings.llm}；按 Ctrl+C 停止。")
    return lines


def run_server(settings: Settings, options: ServerOptions, sockets: Sequence[socket.socket] = ()) -> None:
    """Build, bind, say so once it answers, warm up in the background, serve until Ctrl+C."""
    import uvicorn

    from ui.launch import prepare_environment

    prepare_environment(settings)
    sock = list(sockets) or [bind(options.host, options.port)]
    app = build_server(settings, options)

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.should_exit:
                return
            from assistant.warmup import warm_up_in_background

            warm_up_in_background(settings)  # the first draft then finds the model loaded
            for line in start_lines(settings, options):
                print(line, flush=True)

    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        lifespan="on",
    )
    Server(config).run(sockets=sock)
    sys.stdout.flush()
