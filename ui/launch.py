"""Start the page: environment first (no telemetry, uploads inside the data dir), then Gradio."""

from __future__ import annotations

import os
import sys
from typing import Any

from core.errors import BiganziError
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
    return 1 if settings.llm == "local" else 16


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


def launch(settings: Settings, host: str, port: int, auth: list[tuple[str, str]]) -> None:
    prepare_environment(settings)
    from ui.app import build_app

    app = build_app(settings)
    message = "笔杆子写作台：请输入账号和密码"
    app_kwargs: dict[str, Any] = {}
    if auth:
        from starlette.middleware import Middleware

        from ui.auth import RequireLogin

        app_kwargs["middleware"] = [Middleware(RequireLogin, message=message)]
    try:
        app.launch(
            server_name=host,
            server_port=port,
            auth=auth or None,
            auth_message=message if auth else None,
            app_kwargs=app_kwargs,
            prevent_thread_lock=True,
            quiet=True,
            show_error=False,
            **launch_options(settings),
        )
    except OSError as e:
        raise BiganziError(f"无法在 {host}:{port} 启动网页（{e}）；端口可能已被占用，请换 --port") from e
    from assistant.warmup import warm_up_in_background

    warm_up_in_background(settings)  # the first draft then finds the model loaded and the prefix cached
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    if auth:
        print(f"笔杆子写作台已启动：{url} （需要登录，{len(auth)} 个账号）", flush=True)
    else:
        print(
            f"笔杆子写作台已启动：{url} （未设置登录：只在本机 {host} 上提供服务，其他电脑无法访问）",
            flush=True,
        )
    print(f"数据目录：{settings.data_dir}；模型后端：{settings.llm}；按 Ctrl+C 停止。", flush=True)
    sys.stdout.flush()
    app.block_thread()
