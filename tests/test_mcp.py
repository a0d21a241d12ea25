"""The MCP server: through the SDK's in-memory client, and a real `biganzi mcp` subprocess driven by
the SDK's stdio client (fake chat model and embedder, a real knowledge base)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from servers import run_async

REPO = Path(__file__).resolve().parent.parent
TOOLS = {
    "search_reports",
    "draft_section",
    "rewrite_text",
    "update_text",
    "check_text",
    "parse_figures",
    "metric_history",
}
HAN = range(0x4E00, 0xA000)


def _has_chinese(text: str) -> bool:
    return any(ord(ch) in HAN for ch in text)


@pytest.fixture
def kb(fake_doc: Any) -> str:
    from core.settings import get_settings
    from index.ingest import ingest_chunks

    ingest_chunks(get_settings(), [fake_doc()], kb="医保")
    return "医保"


def _payload(result: Any) -> Any:
    """A tool result's value: the structured content when there is one, else its text."""
    assert not result.isError, result.content
    if result.structuredContent is not None:
        data = result.structuredContent
        return data.get("result", data) if set(data) == {"result"} else data
    return "".join(c.text for c in result.content if getattr(c, "type", "") == "text")


def test_in_memory_client(kb: str) -> None:
    from mcp.shared.memory import create_connected_server_and_client_session

    from assistant.plugin.mcp_server import build_mcp
    from core.settings import get_settings

    server = build_mcp(get_settings(kb=kb))

    async def main() -> None:
        async with create_connected_server_and_client_session(server) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == TOOLS
            for t in tools.values():
                assert t.description and _has_chinese(t.description), t.name
                props = t.inputSchema["properties"]
                assert props and all(_has_chinese(p.get("description", "")) for p in props.values()), t.name
            assert tools["search_reports"].inputSchema["properties"]["k"]["type"] == "integer"
            assert tools["search_reports"].inputSchema["required"] == ["query"]

            hits = _payload(await client.call_tool("search_reports", {"query": "追回违规基金", "k": 2}))
            assert 1 <= len(hits) <= 2 and "追回" in hits[0]["text"]
            assert {"source", "section", "text", "score", "year", "genre"} <= set(hits[0])

            text = _payload(
                await client.call_tool(
                    "draft_section",
                    {
                        "request": "起草“综合施策护基金”一段",
                        "figures": "追回医保基金452.3万元",
                        "length": 150,
                    },
                )
            )
            assert "452.3万元" in text
            assert "参考：\n[1] 青禾县医保局2023年工作总结.txt > " in text

            figures = _payload(await client.call_tool("parse_figures", {"text": "参保率99.91%\n不是数据"}))
            assert [f["text"] for f in figures["facts"]] == ["99.91%"] and figures["unparsed"] == ["不是数据"]

            updated = _payload(
                await client.call_tool(
                    "update_text",
                    {
                        "old_text": "截至2023年9月底，参保率99.85％。",
                        "figures": "截至2024年11月，参保率99.91％",
                    },
                )
            )
            assert "99.91％" in updated["text"] and "99.85" not in updated["text"]

            findings = _payload(
                await client.call_tool("check_text", {"text": "一、成效\n学习贯彻二十大精神。"})
            )
            assert any(f["rule"] == "phrase.party_congress" for f in findings)

            rows = _payload(await client.call_tool("metric_history", {"metric": "参保率"}))
            assert rows and rows[0]["document"].endswith(".txt")

            rewritten = _payload(
                await client.call_tool(
                    "rewrite_text",
                    {"text": "我局进一步压实责任，参保率达到99.91％。", "instruction": "更简洁一些"},
                )
            )
            assert "99.91％" in rewritten

            # a user error is one clear line, flagged as an error
            bad = await client.call_tool("search_reports", {"query": "基金", "kb": "没有这个库"})
            assert bad.isError and "不存在" in bad.content[0].text and "Traceback" not in bad.content[0].text

            resources = (await client.list_resources()).resources
            assert [r.name for r in resources] == ["青禾县医保局2023年工作总结.txt"]
            assert str(resources[0].uri).startswith("biganzi://documents/%E5%8C%BB%E4%BF%9D/")
            body = (await client.read_resource(resources[0].uri)).contents[0].text
            assert (
                body.startswith("青禾县医保局2023年工作总结") and "（二）严守基金安全线，打击欺诈骗保" in body
            )
            assert "追回违规基金238万元" in body

    run_async(main)


@pytest.mark.server
@pytest.mark.timeout(180)
def test_stdio_subprocess(kb: str, tmp_path: Path) -> None:
    """`biganzi mcp --kb 医保` as a client starts it: list the tools, search, draft; stdout is only protocol."""
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    env = {
        **os.environ,
        "BIGANZI_LLM": "fake",
        "BIGANZI_EMBEDDER": "fake",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("BIGANZI_CHROMA_URL", None)
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "assistant.cli", "mcp", "--kb", kb],
        env=env,
        cwd=str(REPO),
    )
    errlog = tmp_path / "mcp-stderr.txt"

    async def main() -> None:
        with errlog.open("w", encoding="utf-8") as err:
            async with (
                stdio_client(params, errlog=err) as (read, write),
                ClientSession(read, write) as client,
            ):
                init = await client.initialize()
                assert init.serverInfo.name == "biganzi"
                names = {t.name for t in (await client.list_tools()).tools}
                assert names == TOOLS
                hits = await client.call_tool("search_reports", {"query": "集中带量采购 降价", "k": 3})
                assert not hits.isError
                data = (
                    json.loads(hits.content[0].text)
                    if hits.structuredContent is None
                    else hits.structuredContent
                )
                rows = data.get("result", data) if isinstance(data, dict) else data
                assert rows and "带量采购" in rows[0]["text"]
                draft = await client.call_tool(
                    "draft_section", {"request": "起草“护基金”一段，追回医保基金452.3万元，约150字"}
                )
                assert not draft.isError and "452.3万元" in draft.content[0].text

    run_async(main)
    assert "MCP（stdio）已就绪" in errlog.read_text(encoding="utf-8")
