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

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

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

KbParam = Annotated[str | None, Field(description="知识库名称；不填用服务启动时的知识库")]


def _kb(settings: Settings, kb: str | None) -> Settings:
    return settings.model_copy(update={"kb": kb.strip()}) if kb and kb.strip() else settings


def _sources_footer(sources: list[dict[str, Any]]) -> str:
    from assistant.plugin.openai_api import footer

    return footer(sources)


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

    def guarded(fn: Any) -> Any:
        """A user error becomes a tool error with its one line, not a traceback."""
        import functools

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except BiganziError as e:
                raise ToolError(str(e)) from e

        return run

    @mcp.tool(
        name="search_reports",
        description="在知识库的往年材料（工作总结、述职报告等）中检索相关段落，返回出处、章节、原文和相关度（0–1）。"
        "起草前先用它看往年怎么写。",
    )
    @guarded
    def search_reports(
        query: Annotated[str, Field(description="要查找的内容，例如“医保基金监管 追回”")],
        k: Annotated[int, Field(ge=1, le=50, description="返回几段")] = 5,
        year: Annotated[int | None, Field(description="只看这一年的材料，例如 2023")] = None,
        genre: Annotated[str | None, Field(description="只看这种文种，例如 工作总结、述职报告")] = None,
        kb: KbParam = None,
    ) -> list[dict[str, Any]]:
        from index.retrieve import search

        st = _kb(settings, kb)
        hits = search(st, query, k=k, year=year, genre=genre or None, kb=st.kb)
        return [{**h.to_json(), "year": h.year, "genre": h.genre} for h in hits]

    @mcp.tool(
        name="draft_section",
        description="参照知识库里往年的写法起草一段工作总结。今年的数字写在 figures 里（或直接写在要求中），"
        "成稿只用这些数字，无法核实的数字标为【待核实：…】，缺的数据标为【待补充：…】；末尾附参考出处。",
    )
    @guarded
    def draft_section(
        request: Annotated[str, Field(description="写作要求，例如：起草“综合施策护基金”一段，约300字")],
        figures: Annotated[str, Field(description="今年的数据，每行一条，例如：追回医保基金452.3万元")] = "",
        length: Annotated[
            int | None, Field(ge=20, le=5000, description="字数；不填则按要求里写的字数，否则300")
        ] = None,
        kb: KbParam = None,
    ) -> str:
        from assistant.draft import draft_section as draft

        st = _kb(settings, kb)
        result = draft(st, request, figures=figures or None, length=length, kb=st.kb)
        return result.text.strip() + _sources_footer(result.sources)

    @mcp.tool(
        name="rewrite_text",
        description="按要求改写一段文字（压缩、扩写、换个说法、改成述职口吻等），原文中的数字保持不变。",
    )
    @guarded
    def rewrite_text(
        text: Annotated[str, Field(description="要改写的原文")],
        instruction: Annotated[str, Field(description="改写要求，例如：压缩到150字")],
        kb: KbParam = None,
    ) -> str:
        from assistant.rewrite import rewrite_text as rewrite

        st = _kb(settings, kb)
        result = rewrite(st, text, instruction, kb=st.kb)
        notes = "\n".join(f"（{n}）" for n in result.notes)
        return result.text + (f"\n\n{notes}" if notes else "")

    @mcp.tool(
        name="update_text",
        description="套改：把去年的段落中的旧数字换成今年的新数字（不经过模型，逐个替换）；"
        "没有新值的旧数字标为【待更新：…】。",
    )
    @guarded
    def update_text(
        old_text: Annotated[str, Field(description="去年的段落原文")],
        figures: Annotated[
            str, Field(description="今年的数据，每行一条，例如：截至2024年11月，参保率99.91％")
        ],
    ) -> dict[str, Any]:
        from assistant.figures import parse_figures as parse
        from assistant.update import update_text as update

        facts = parse(figures or "").facts
        if not facts:
            raise BiganziError("没有解析出新数据：请在 figures 里写上今年的数字")
        return update(old_text, facts).to_json()

    @mcp.tool(
        name="check_text",
        description="校对一段公文：标题序号、规范表述（如党的二十大）、数字与单位写法、遗留标记等，"
        "返回每条问题的规则、行、列、原文片段和修改建议。",
    )
    @guarded
    def check_text(text: Annotated[str, Field(description="要校对的文字")]) -> list[dict[str, Any]]:
        from assistant.check import CheckOptions
        from assistant.check import check_text as check

        if not (text or "").strip():
            raise BiganziError("要校对的文字是空的：请在 text 里给出段落")
        return [f.to_dict() for f in check(text, CheckOptions.from_settings(settings))]

    @mcp.tool(
        name="parse_figures",
        description="把粘贴的今年数据（表格或句子）解析成一条条指标：指标名、数值、单位、时点；"
        "并列出没能解析的行。",
    )
    @guarded
    def parse_figures(
        text: Annotated[str, Field(description="今年的数据，表格或每行一句")],
    ) -> dict[str, Any]:
        from assistant.figures import parse_figures as parse

        return parse(text or "").to_json()

    @mcp.tool(
        name="metric_history",
        description="查知识库往年材料里某个指标的历年数值（数值、时点、出处），用来核对或计算同比。",
    )
    @guarded
    def metric_history(
        metric: Annotated[str | None, Field(description="指标名，例如 参保率；不填列出全部指标")] = None,
        kb: KbParam = None,
    ) -> list[dict[str, Any]]:
        from assistant.history import metric_history as history

        st = _kb(settings, kb)
        return [r.to_json() for r in history(st, metric or None, kb=st.kb)]

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
