"""The OpenAI-compatible model (`/v1`): the official `openai` client against a real `biganzi serve
--api-key K` on loopback (fake chat model and embedder), and the request/turn handling unit by unit.
The same server also answers Dify's /retrieval, MCP at /mcp (streamable HTTP) and the page at /."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.plugin import openai_api
from assistant.plugin.openai_api import (
    ApiError,
    ChatRequest,
    footer_sources,
    parse_chat_request,
    pieces,
    strip_footer,
)

KEY = "k-plugin-2024"
WEBUI = "http://webui.intranet:8080"
ASK = "起草“综合施策护基金”一段，追回医保基金452.3万元，约150字"


# --- unit: requests, footers, turns ----------------------------------------------------------------


def test_parse_chat_request(tmp_path: Path) -> None:
    from core.settings import get_settings

    st = get_settings()
    req = parse_chat_request(
        st,
        {
            "model": "biganzi",
            "messages": [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": [{"type": "text", "text": "起草一段"}]},
                {"role": "assistant", "content": "初稿。"},
                {"role": "user", "content": "再精炼一些"},
            ],
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": 5,
        },
    )
    assert req.kb == st.kb and req.message == "再精炼一些"
    assert req.history == [("user", "起草一段"), ("assistant", "初稿。")]
    assert req.stream and req.include_usage and req.temperature == 2.0

    for body, code in [
        ({"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}, 404),
        ({"model": "biganzi:没有这个库", "messages": [{"role": "user", "content": "x"}]}, 404),
        ({"model": "biganzi:../x", "messages": [{"role": "user", "content": "x"}]}, 404),
        ({"model": "biganzi", "messages": []}, 400),
        ({"model": "biganzi", "messages": [{"role": "assistant", "content": "x"}]}, 400),
    ]:
        with pytest.raises(ApiError) as e:
            parse_chat_request(st, body)
        assert e.value.status == code and e.value.message


def test_footer_round_trip() -> None:
    sources = [
        {"source": "a.txt", "section": "一、成效 > （一）参保"},
        {"source": "a.txt", "section": "一、成效 > （一）参保"},
        {"source": "b.txt", "section": ""},
    ]
    reply = "正文。" + openai_api.footer(sources)
    assert reply == "正文。\n\n参考：\n[1] a.txt > 一、成效 > （一）参保\n[2] b.txt"
    assert strip_footer(reply) == "正文。"
    assert strip_footer('<details type="reasoning" done="true">\n想法\n</details>\n正文。') == "正文。"
    assert strip_footer("<think>想法</think>正文。") == "正文。"
    assert [s["source"] for s in footer_sources(reply)] == ["a.txt", "b.txt"]
    assert footer_sources(reply)[0]["section"] == "一、成效 > （一）参保"
    assert openai_api.footer([]) == ""


def test_pieces_join_to_the_text() -> None:
    text = "一是追回医保基金452.3万元。二是【待核实：99%】；三是好。\n\n参考：\n[1] a.txt"
    parts = pieces(text)
    assert "".join(parts) == text and len(parts) >= 4


def test_marks_stay_and_numbers_are_locked(fake_doc: Any, fake_replies: Any) -> None:
    """A number the user did not give is marked in the reply a chat client shows."""
    from core.settings import get_settings
    from index.ingest import ingest_chunks

    fake_replies("今年以来，追回医保基金452.3万元，检查定点医药机构777家。")
    st = get_settings()
    ingest_chunks(st, [fake_doc()], kb=st.kb)
    reply = openai_api.run(st, ChatRequest(model="biganzi", kb=st.kb, message=ASK))
    assert "452.3万元" in reply.text
    assert "【待核实" in reply.text and "777家" in reply.text
    assert "\n\n参考：\n[1] 青禾县医保局2023年工作总结.txt > " in reply.text


def test_second_turn_refines_the_first(fake_doc: Any) -> None:
    """A stateless follow-up: the earlier turns rebuild the conversation; the figures of the first
    message stay locked, the sources of the first reply stay in the footer."""
    from core.settings import get_settings
    from index.ingest import ingest_chunks

    st = get_settings()
    ingest_chunks(st, [fake_doc()], kb=st.kb)
    first = openai_api.run(st, ChatRequest(model="biganzi", kb=st.kb, message=ASK))
    conv = openai_api.rebuild_conversation(
        st,
        ChatRequest(
            model="biganzi",
            kb=st.kb,
            message="再精炼一些",
            history=[("user", ASK), ("assistant", first.text)],
        ),
    )
    assert conv.is_refinement("再精炼一些") and conv.figures and "452.3万元" in conv.figures
    assert conv.current.text == strip_footer(first.text)
    second = openai_api.run(
        st,
        ChatRequest(
            model="biganzi",
            kb=st.kb,
            message="再精炼一些",
            history=[("user", ASK), ("assistant", first.text)],
        ),
    )
    assert conv.turns and second.text != first.text
    assert "452.3万元" in second.text and "参考：" in second.text
    assert "参考" not in strip_footer(second.text)


def test_client_background_tasks_go_to_the_model_alone(fake_replies: Any) -> None:
    """Open WebUI asks the chat model for a title/tags ("### Task: …"): no draft, no footer."""
    from core.settings import get_settings

    fake_replies('{"title": "护基金段落"}')
    st = get_settings()
    task = "### Task:\nGenerate a concise title.\n### Chat History:\n<chat_history>\nUSER: 起草一段\n</chat_history>"
    req = parse_chat_request(
        st,
        {
            "model": "biganzi",
            "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": task}],
        },
    )
    assert openai_api.is_client_task(req.message) and req.system == "sys"
    assert not openai_api.is_client_task(ASK)
    reply = openai_api.run(st, req)
    assert reply.text == '{"title": "护基金段落"}' and reply.completion_tokens > 0


# --- a real server ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from browser.harness import running_server, server_env
    from conftest import fake_document

    from core.settings import get_settings
    from index.ingest import ingest_chunks

    data = tmp_path_factory.mktemp("plugin-data")
    st = get_settings(data_dir=data, embedder="fake")
    ingest_chunks(st, [fake_document()], kb="default")
    ingest_chunks(st, [fake_document()], kb="医保")
    env = server_env(data)
    with running_server(data, "--api-key", KEY, "--cors-origin", WEBUI, env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Any) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0, timeout=120)


@pytest.mark.server
@pytest.mark.timeout(300)
def test_models(client: Any, server: Any) -> None:
    ids = [m.id for m in client.models.list()]
    assert ids[0] == "biganzi" and "biganzi:医保" in ids
    assert "插件接口" in server.output() and "需要 API 密钥" in server.output()


@pytest.mark.server
@pytest.mark.timeout(300)
def test_completion_not_streamed(client: Any) -> None:
    r = client.chat.completions.create(model="biganzi", messages=[{"role": "user", "content": ASK}])
    text = r.choices[0].message.content
    assert r.object == "chat.completion" and r.choices[0].finish_reason == "stop"
    assert "452.3万元" in text and "约150字" not in text
    assert "\n\n参考：\n[1] 青禾县医保局2023年工作总结.txt > " in text
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


@pytest.mark.server
@pytest.mark.timeout(300)
def test_completion_streamed(client: Any) -> None:
    stream = client.chat.completions.create(
        model="biganzi:医保",
        messages=[{"role": "user", "content": ASK}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    deltas = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(deltas) >= 3
    text = "".join(deltas)
    assert "452.3万元" in text and "参考：" in text
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finish == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    assert all(c.model == "biganzi:医保" for c in chunks)


@pytest.mark.server
@pytest.mark.timeout(300)
def test_stream_ends_with_done(server: Any) -> None:
    body = {"model": "biganzi", "stream": True, "messages": [{"role": "user", "content": ASK}]}
    with httpx.Client(timeout=120) as c:
        r = c.post(f"{server.url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [ln for ln in r.text.splitlines() if ln.startswith("data: ")]
    assert events[-1] == "data: [DONE]" and '"usage"' not in r.text


@pytest.mark.server
@pytest.mark.timeout(300)
def test_two_turns(client: Any) -> None:
    first = client.chat.completions.create(model="biganzi", messages=[{"role": "user", "content": ASK}])
    draft = first.choices[0].message.content
    second = client.chat.completions.create(
        model="biganzi",
        messages=[
            {"role": "system", "content": "你是写作助手"},
            {"role": "user", "content": ASK},
            {"role": "assistant", "content": draft},
            {"role": "user", "content": "再精炼一些"},
        ],
    )
    text = second.choices[0].message.content
    assert text != draft and "452.3万元" in text and "参考：" in text


@pytest.mark.server
@pytest.mark.timeout(300)
def test_wrong_or_missing_key(server: Any) -> None:
    import openai

    bad = openai.OpenAI(base_url=f"{server.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.chat.completions.create(model="biganzi", messages=[{"role": "user", "content": ASK}])
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.post(
            "/v1/chat/completions", json={"model": "biganzi", "messages": [{"role": "user", "content": ASK}]}
        )
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.server
@pytest.mark.timeout(300)
def test_errors_are_openai_shaped(client: Any) -> None:
    import openai

    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(
            model="biganzi:没有这个库", messages=[{"role": "user", "content": "x"}]
        )
    assert "不存在" in str(e.value)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="biganzi", messages=[{"role": "assistant", "content": "x"}])


@pytest.mark.server
@pytest.mark.timeout(300)
def test_retrieval_tools_and_page_on_the_same_server(server: Any) -> None:
    body = {
        "knowledge_id": "医保",
        "query": "追回违规基金",
        "retrieval_setting": {"top_k": 2, "score_threshold": 0},
    }
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.post("/retrieval", json=body, headers={"Authorization": f"Bearer {KEY}"})
        assert r.status_code == 200 and len(r.json()["records"]) == 2
        r = c.post("/retrieval", json=body, headers={"Authorization": "Bearer nope"})
        assert r.status_code == 403 and r.json()["error_code"] == 1002
        r = c.get("/tools/openapi.json", headers={"Authorization": f"Bearer {KEY}"})
        assert r.status_code == 200 and "/draft_section" in r.json()["paths"]
        assert c.get("/tools/openapi.json").status_code == 401
        pre = c.options(
            "/v1/chat/completions",
            headers={
                "Origin": WEBUI,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == WEBUI
        page = c.get("/")
        assert page.status_code == 200 and "gradio" in page.text.lower()
        assert c.get("/config").status_code == 200  # no login set: the page is open on this machine


@pytest.mark.server
@pytest.mark.timeout(300)
def test_mcp_over_streamable_http(server: Any) -> None:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from servers import run_async

    async def main() -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        async with (
            httpx.AsyncClient(headers=headers, timeout=60) as http,
            streamable_http_client(f"{server.url}/mcp", http_client=http) as (read, write, _),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            names = {t.name for t in (await session.list_tools()).tools}
            assert {"search_reports", "draft_section"} <= names
            hits = await session.call_tool("search_reports", {"query": "追回违规基金", "k": 1, "kb": "医保"})
            assert not hits.isError and "追回" in hits.content[0].text

    run_async(main)
    with httpx.Client(timeout=30) as c:
        r = c.post(
            f"{server.url}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Accept": "application/json, text/event-stream"},
        )
        assert r.status_code == 401
        # an intranet host name is not refused (421) by MCP's DNS-rebinding check: the key guards /mcp
        init = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        }
        r = c.post(
            f"{server.url}/mcp",
            json=init,
            headers={
                "Accept": "application/json, text/event-stream",
                "Authorization": f"Bearer {KEY}",
                "Host": "biganzi.bureau.internal:7860",
            },
        )
        assert r.status_code == 200 and "serverInfo" in r.text
