"""The front of `biganzi serve`'s one ASGI app (ui/server.py): who may reach the page and the plugin
routes from where, CORS on the plugin routes only, keys from the flags or the environment, and the
binding rule of `biganzi serve` with API keys."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.commands.serve import check_binding
from core.errors import BiganziError
from ui.server import Front, ServerOptions, mcp_http_options, start_lines

LAN = ("192.168.1.20", 50000)
HERE = ("127.0.0.1", 50000)


def inner_app() -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/v1/models")
    def models() -> dict[str, str]:
        return {"ok": "v1"}

    @app.post("/retrieval")
    def retrieval() -> dict[str, str]:
        return {"ok": "retrieval"}

    @app.get("/")
    def page() -> dict[str, str]:
        return {"ok": "page"}

    return app


def client(options: ServerOptions, where: tuple[str, int]) -> Any:
    from starlette.testclient import TestClient

    return TestClient(Front(inner_app(), options), client=where)


def test_without_login_or_key_everything_is_for_this_machine_only() -> None:
    opts = ServerOptions()
    here, lan = client(opts, HERE), client(opts, LAN)
    assert here.get("/").json() == {"ok": "page"}
    assert here.get("/v1/models").status_code == 200
    assert lan.get("/").status_code == 403 and "--auth" in lan.get("/").json()["detail"]
    assert lan.get("/v1/models").status_code == 403
    r = lan.post("/retrieval", json={})
    assert r.status_code == 403 and r.json()["error_code"] == 1002


def test_keys_open_the_plugin_routes_to_the_intranet_not_the_page() -> None:
    opts = ServerOptions(host="0.0.0.0", api_keys=["k1", "k2"])
    lan = client(opts, LAN)
    assert lan.get("/v1/models", headers={"Authorization": "Bearer k2"}).json() == {"ok": "v1"}
    assert lan.get("/v1/models", headers={"Authorization": "Bearer k3"}).status_code == 401
    assert client(opts, HERE).get("/v1/models").status_code == 401  # a key is a key, also here
    assert lan.get("/").status_code == 403  # no login set: the page stays on this machine


def test_with_login_the_page_is_open_to_the_intranet() -> None:
    opts = ServerOptions(host="0.0.0.0", auth=[("clerk", "pw")])
    lan = client(opts, LAN)
    assert lan.get("/").json() == {"ok": "page"}  # Gradio's login (ui.auth) guards it from here on
    assert lan.get("/v1/models").status_code == 403  # but no key: plugin routes stay local


def test_cors_only_on_the_plugin_routes() -> None:
    origin = "http://openwebui.intranet:8080"
    opts = ServerOptions(api_keys=["k"], cors_origins=[origin])
    c = client(opts, HERE)
    pre = c.options(
        "/v1/models",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == origin
    r = c.get("/v1/models", headers={"Origin": origin, "Authorization": "Bearer k"})
    assert r.headers["access-control-allow-origin"] == origin
    refused = c.get("/v1/models", headers={"Origin": origin})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == origin
    other = c.get("/v1/models", headers={"Origin": "http://evil.example", "Authorization": "Bearer k"})
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in c.get("/", headers={"Origin": origin}).headers


def test_options_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("BIGANZI_API_KEYS", "k1, k2")
    monkeypatch.setenv("BIGANZI_CORS_ORIGINS", "http://a:1,http://b:2")
    opts = ServerOptions.from_settings(get_settings(), host="127.0.0.1", port=1)
    assert opts.api_keys == ["k1", "k2"] and opts.cors_origins == ["http://a:1", "http://b:2"]
    opts = ServerOptions.from_settings(get_settings(), api_keys=["flag"], host="127.0.0.1", port=1)
    assert opts.api_keys == ["flag"]
    lines = start_lines(get_settings(), opts)
    assert "已启动" in lines[0] and "/v1" in lines[1] and "/retrieval" in lines[1] and "/mcp" in lines[1]


def test_binding_with_keys() -> None:
    with pytest.raises(BiganziError, match="--auth"):
        check_binding("0.0.0.0", [])
    check_binding("0.0.0.0", [], ["k"])  # plugin routes only; the page stays local
    check_binding("0.0.0.0", [("a", "b")])


def test_mcp_host_check() -> None:
    """Loopback without keys: DNS-rebinding protection on (loopback names); with keys or on the
    intranet: off (the names clients and proxies use vary; the key guards the route)."""
    local = mcp_http_options(ServerOptions(host="127.0.0.1"))["transport_security"]
    assert local.enable_dns_rebinding_protection and "localhost:*" in local.allowed_hosts
    for opts in (
        ServerOptions(host="0.0.0.0", api_keys=["k"]),
        ServerOptions(host="127.0.0.1", api_keys=["k"]),
    ):
        assert not mcp_http_options(opts)["transport_security"].enable_dns_rebinding_protection


@pytest.mark.server
def test_port_taken_is_one_clear_line(tmp_path: Any) -> None:
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        env = {**os.environ, "BIGANZI_LLM": "fake", "BIGANZI_EMBEDDER": "fake"}
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "assistant.cli",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path),
            ],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误：") and str(port) in lines[0], proc.stderr
    assert "已启动" not in proc.stdout
