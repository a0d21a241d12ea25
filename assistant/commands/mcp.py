"""`biganzi mcp`: the MCP server over stdio, for clients that start it themselves (Cherry Studio,
Claude Desktop-style `mcpServers`, Dify's MCP plugin through a stdio bridge).

Standard output belongs to the protocol. Before the server starts, file descriptor 1 is pointed at
standard error (a stray print, a C library's log, go there) and the protocol gets its own copy of
the original standard output."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from assistant.commands.common import make_settings, settings_options


def _protocol_stdout() -> object:
    """A text stream on the original stdout for the protocol; fd 1 and sys.stdout now go to stderr."""
    from io import TextIOWrapper

    import anyio

    sys.stdout.flush()
    raw = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return anyio.wrap_file(TextIOWrapper(raw, encoding="utf-8", newline="\n"))


@click.command()
@settings_options
def mcp(data_dir: Path | None, kb: str | None) -> None:
    """以 MCP（stdio）提供笔杆子的工具：检索、起草、改写、套改、校对、解析数据、历年指标；文档作为资源。
    日志只写到标准错误，标准输出只用于协议。"""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="biganzi mcp %(levelname)s %(name)s: %(message)s"
    )
    settings = make_settings(data_dir=data_dir, kb=kb)
    import anyio

    from assistant.plugin.mcp_server import build_mcp

    server = build_mcp(settings, log_level="WARNING")
    out = _protocol_stdout()

    async def run() -> None:
        from mcp.server.stdio import stdio_server

        async with stdio_server(stdout=out) as (read, write):  # type: ignore[arg-type]
            await server._mcp_server.run(read, write, server._mcp_server.create_initialization_options())

    print(
        f"笔杆子 MCP（stdio）已就绪：数据目录 {settings.data_dir}，知识库 {settings.kb}",
        file=sys.stderr,
        flush=True,
    )
    anyio.run(run)  # Ctrl+C: assistant.cli says 已中断 on stderr
