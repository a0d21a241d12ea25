"""The MCP server: 笔杆子's tools and documents for any MCP client (Cherry Studio, Dify, Claude Desktop…).

    build_mcp(settings) -> FastMCP      # `biganzi mcp` runs it over stdio, `biganzi serve` at /mcp

Tools (Chinese descriptions, typed parameters) call the same functions as the page and the CLI:
search_reports, draft_section, rewrite_text, update_text (套改), check_text, parse_figures,
metric_history. Every document of every knowledge base is a resource
`biganzi://documents/<知识库>/<doc_id>`
(its text, headings kept). A user error (`BiganziError`) comes back as a tool error with its one
clear line. Uses the official `mcp` SDK, 1.x (`mcp.server.fastmcp.FastMCP`; 2.x renamed it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from mcp.server.fastmcp import FastMCP

SERVER_NAME = "biganzi"
INSTRUCTIONS = (
    "笔杆子：县市级机关年度工作总结写作助手。先用 search_reports 查往年材料的写法，"
    "再用 draft_section 起草段落（今年的数字写在 figures 里，数字只用给出的数据，"
    "无法核实的数字标为【待核实：…】）；rewrite_text 改写，update_text 用新数据套改旧段落，"
    "check_text 校对，parse_figures 解析数据，metric_history 查历年指标。"
)
URI_SCHEME = "biganzi"
DOC_PREFIX = f"{URI_SCHEME}://documents/"
MAX_RESOURCES = 500


def document_uri(kb: str, doc_id: str) -> str:
    from urllib.parse import quote

    return f"{DOC_PREFIX}{quote(kb, safe='')}/{quote(doc_id, safe='')}"


def document_text(settings: Settings, kb: str, doc_id: str) -> str:
    """A document's text from its chunks, each section's heading path once above it."""
    from index.store import open_kb

    with open_kb(settings, kb) as store:
        doc = store.find_document(doc_id)
        lines = [doc.title or doc.source]
        last: list[str] = []
        for c in store.iter_chunks(doc):
            path = list(c.heading_path)
            shared = 0
            while shared < min(len(path), len(last)) and path[shared] == last[shared]:
                shared += 1
            lines.extend(path[shared:])
            lines.append(c.text)
            last = path
    return "\n".join(lines)


def build_mcp(settings: Settings, **fastmcp_kwargs: Any) -> FastMCP:
    """The MCP server over `settings` (its knowledge base is the default one of every tool)."""
    from mcp.server.fastmcp import FastMCP
    from mcp.server.fastmcp.exceptions import ToolError

    class BiganziMCP(FastMCP):
        """Documents are listed when asked, so a file ingested after start shows up."""

        async def list_resources(self) -> list[Any]:
            from mcp.types import Resource
            from starlette.concurrency import run_in_threadpool

            rows = await run_in_threadpool(_documents, settings)
            return [
                Resource(
                    uri=document_uri(kb, d.doc_id),  # type: ignore[arg-type]
                    name=d.source,
                    title=d.title or d.source,
                    description=f"知识库 {kb} · {d.genre or '材料'} · {d.year or '年份不详'} · {d.n_chars} 字",
                    mimeType="text/plain",
                )
                for kb, d in rows
            ]

        async def read_resource(self, uri: Any) -> Any:
            from urllib.parse import unquote

            from mcp.server.lowlevel.helper_types import ReadResourceContents
            from starlette.concurrency import run_in_threadpool

            text = str(uri)
            if not text.startswith(DOC_PREFIX) or "/" not in text[len(DOC_PREFIX) :]:
                return await super().read_resource(uri)
            kb, _, doc_id = text[len(DOC_PREFIX) :].partition("/")
            kb, doc_id = unquote(kb), unquote(doc_id)
            try:
                body = await run_in_threadpool(document_text, settings, kb, doc_id)
            except BiganziError as e:
                from mcp.server.fastmcp.exceptions import ResourceError

                raise ResourceError(str(e)) from e
            return [ReadResourceContents(content=body, mime_type="text/plain")]

    mcp = BiganziMCP(SERVER_NAME, instructions=INSTRUCTIONS, **fastmcp_kwargs)

    from assistant.plugin.tools import TOOLS, bind

    for tool in TOOLS:  # a user error comes back as a tool error with its one line
        mcp.add_tool(bind(tool.fn, settings, ToolError), name=tool.name, description=tool.description)
    return mcp


def _documents(settings: Settings) -> list[tuple[str, Any]]:
    from index.store import list_kbs, open_kb

    out: list[tuple[str, Any]] = []
    for info in list_kbs(settings):
        try:
            with open_kb(settings, info.name) as store:
                out.extend((info.name, d) for d in store.documents())
        except BiganziError:
            continue
        if len(out) >= MAX_RESOURCES:
            break
    return out[:MAX_RESOURCES]
