"""The tools as an OpenAPI tool server (`/tools`, e.g. for Open WebUI): the description lists every
tool with Chinese descriptions and typed parameters, and a call runs the same function as MCP's."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.plugin.tools import TOOLS, bind, parameters


@pytest.fixture
def client(fake_doc: Any) -> Any:
    from starlette.testclient import TestClient

    from assistant.plugin.tool_server import build_tool_app
    from core.settings import get_settings
    from index.ingest import ingest_chunks

    settings = get_settings(kb="医保")
    ingest_chunks(settings, [fake_doc()], kb="医保")
    with TestClient(build_tool_app(settings)) as c:
        yield c


def test_openapi_description(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    ops = {path: item["post"] for path, item in spec["paths"].items()}
    assert set(ops) == {f"/{t.name}" for t in TOOLS}
    assert ops["/search_reports"]["operationId"] == "search_reports"
    assert "往年" in ops["/search_reports"]["description"]
    ref = ops["/search_reports"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert schema["required"] == ["query"]
    assert (
        schema["properties"]["k"]["type"] == "integer"
        and "返回几段" in schema["properties"]["k"]["description"]
    )


def test_calls(client: Any) -> None:
    hits = client.post("/search_reports", json={"query": "追回违规基金", "k": 2}).json()
    assert 1 <= len(hits) <= 2 and "追回" in hits[0]["text"]
    text = client.post(
        "/draft_section", json={"request": "起草“综合施策护基金”一段，追回医保基金452.3万元，约150字"}
    ).json()
    assert "452.3万元" in text and "参考：" in text
    r = client.post("/search_reports", json={"query": "基金", "kb": "没有这个库"})
    assert r.status_code == 400 and "不存在" in r.json()["detail"]
    assert client.post("/search_reports", json={"k": 2}).status_code == 422  # query is required
    assert client.post("/check_text", json={"text": "  "}).status_code == 400


def test_bind_hides_the_settings() -> None:
    import inspect

    from core.settings import get_settings

    for tool in TOOLS:
        call = bind(tool.fn, get_settings())
        names = list(inspect.signature(call).parameters)
        assert "settings" not in names and names == [p.name for p in parameters(tool.fn)]
