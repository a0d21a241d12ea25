"""Start the page: environment first (no telemetry, uploads inside the data dir), then the server
(ui/server.py: FastAPI + uvicorn, the Gradio page mounted at `/`, the plugin routes beside it)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from core.settings import Settings

# Gradio refuses bigger request bodies outright; our own per-file limit (settings.max_file_mb) is
# checked file by file below this so one big file is refused alone, not the whole batch.
HARD_UPLOAD_FACTOR = 4


def prepare_environment(settings: Settings) -> None:
    """Must run before gradio is imported: analytics off, Gradio's upload cache inside the data dir."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    tmp = settings.data_dir / "tmp" / "gradio"
    tmp.mkdir(parents=True, exist_ok=True)
    os.environ["GRADIO_TEMP_DIR"] = str(tmp)
    # Gradio checks its own start-up over HTTP on loopback; never send that through a proxy.
    no_proxy = [p for p in os.environ.get("NO_PROXY", "").split(",") if p]
    for host in ("127.0.0.1", "localhost", "::1"):
        if host not in no_proxy:
            no_proxy.append(host)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = ",".join(no_proxy)


def llm_concurrency(settings: Settings) -> int | None:
    """The local model runs one request at a time (others wait in Gradio's queue, which shows each
    browser its place); remote and fake backends take several at once."""
    return 1 if settings.llm in ("local", "local-inproc") else 16


def launch_options(settings: Settings) -> dict[str, Any]:
    from ui.theme import CSS, desk_theme

    return {
        "theme": desk_theme(),
        "css": CSS,
        "ssr_mode": False,
        "mcp_server": False,
        "share": False,
        "inbrowser": False,
        "enable_monitoring": False,
        "run_history": False,
        "footer_links": ["api"],
        "max_file_size": int(settings.max_file_mb * HARD_UPLOAD_FACTOR * 1024 * 1024),
    }


def launch(
    settings: Settings,
    host: str,
    port: int,
    auth: list[tuple[str, str]],
    api_keys: Sequence[str] = (),
    cors_origins: Sequence[str] = (),
) -> None:
    """Serve the page and the plugin routes in one ASGI app (ui/server.py) until Ctrl+C."""
    from ui.server import ServerOptions, run_server

    options = ServerOptions(
        host=host, port=port, auth=list(auth), api_keys=list(api_keys), cors_origins=list(cors_origins)
    )
    run_server(settings, options)
