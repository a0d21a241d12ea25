"""Dify's External Knowledge API (`POST /retrieval`) and the key check in front of the plugin routes.

Dify-shaped requests go through the real route and the real key middleware (in-process ASGI), over a
real knowledge base (fake embedder): top_k, score_threshold, metadata filters, each error code."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.plugin.access import RequireKey, bearer_token, client_is_loopback, refusal, split_list

KEY = "k-2024-dify"
OTHER_SECTIONS = [
    (
        ["一、2022年工作成效", "（一）基金监管"],
        "开展打击欺诈骗保专项治理，检查定点医药机构98家，追回违规基金156万元。",
        "成绩",
    ),
    (["二、2023年工作打算", "（一）党建引领"], "坚持党建引领，落实三会一课制度，建设清廉机关。", "打算"),
]


@pytest.fixture
def client(fake_doc: Any) -> Any:
    from fastapi import FastAPI
    from starlette.testclient import TestClient

    from assistant.plugin import dify
    from core.settings import get_settings
    from index.ingest import ingest_chunks

    settings = get_settings()
    ingest_chunks(settings, [fake_doc()], kb="医保")
    ingest_chunks(
        settings,
        [
            fake_doc(
                source="青禾县医保局2022年述职报告.txt",
                title="青禾县医保局2022年述职报告",
                year=2022,
                genre="述职报告",
                sections=OTHER_SECTIONS,
            )
        ],
        kb="医保",
    )
    app = FastAPI()
    app.include_router(dify.router(settings))
    with TestClient(RequireKey(app, [KEY])) as c:
        c.headers["Authorization"] = f"Bearer {KEY}"
        yield c


def ask(
    client: Any, query: str = "追回违规基金", top_k: int = 3, threshold: float = 0.0, **extra: Any
) -> Any:
    body = {
        "knowledge_id": extra.pop("knowledge_id", "医保"),
        "query": query,
        "retrieval_setting": {"top_k": top_k, "score_threshold": threshold},
        **extra,
    }
    return client.post("/retrieval", json=body)


def test_records_in_difys_shape(client: Any) -> None:
    r = ask(client, top_k=3)
    assert r.status_code == 200
    records = r.json()["records"]
    assert 1 <= len(records) <= 3
    for rec in records:
        assert set(rec) == {"content", "score", "title", "metadata"}
        assert 0.0 <= rec["score"] <= 1.0
        assert isinstance(rec["metadata"], dict)
        assert set(rec["metadata"]) >= {"source", "section", "year", "genre"}
    assert [r["score"] for r in records] == sorted((r["score"] for r in records), reverse=True)
    assert "追回" in records[0]["content"]
    assert records[0]["metadata"]["section"]  # heading path, e.g. 一、… > （二）…


def test_top_k_and_threshold(client: Any) -> None:
    assert len(ask(client, top_k=1).json()["records"]) == 1
    assert len(ask(client, top_k=5).json()["records"]) == 5
    everything = ask(client, top_k=7).json()["records"]
    cut = everything[1]["score"]
    above = ask(client, top_k=7, threshold=cut).json()["records"]
    assert above and all(r["score"] >= cut for r in above)
    assert len(above) < len(everything)
    assert ask(client, top_k=7, threshold=1.01).json()["records"] == []


def test_metadata_filters(client: Any) -> None:
    def where(*conds: dict[str, Any], logic: str = "and") -> list[dict[str, Any]]:
        cond = {"logical_operator": logic, "conditions": list(conds)}
        r = ask(client, top_k=7, metadata_condition=cond)
        assert r.status_code == 200, r.text
        return r.json()["records"]

    only_2022 = where({"name": ["year"], "comparison_operator": "=", "value": "2022"})
    assert only_2022 and {r["metadata"]["year"] for r in only_2022} == {2022}
    reports = where({"name": "genre", "comparison_operator": "is", "value": "述职报告"})
    assert reports and {r["metadata"]["genre"] for r in reports} == {"述职报告"}
    later = where({"name": ["year"], "comparison_operator": "≥", "value": 2023})
    assert later and {r["metadata"]["year"] for r in later} == {2023}
    either = where(
        {"name": ["genre"], "comparison_operator": "contains", "value": "述职"},
        {"name": ["year"], "comparison_operator": "=", "value": "2023"},
        logic="or",
    )
    assert {r["metadata"]["year"] for r in either} == {2022, 2023}
    assert where({"name": ["genre"], "comparison_operator": "is", "value": "党建工作总结"}) == []
    assert where({"name": ["year"], "comparison_operator": "=", "value": "2019"}) == []


def test_errors(client: Any) -> None:
    r = ask(client, knowledge_id="没有这个库")
    assert r.status_code == 404 and r.json()["error_code"] == 2001
    r = ask(client, knowledge_id="../etc")
    assert r.status_code == 404 and r.json()["error_code"] == 2001

    r = client.post("/retrieval", json={}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403 and r.json()["error_code"] == 1002
    for header in ("", "Basic abc", "Bearer"):
        r = client.post("/retrieval", json={}, headers={"Authorization": header})
        assert r.status_code == 403 and r.json()["error_code"] == 1001, header
        assert r.json()["error_msg"]


def test_wrong_key_runs_nothing(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from index import retrieve

    def boom(*a: Any, **k: Any) -> Any:
        raise AssertionError("search ran for a refused request")

    monkeypatch.setattr(retrieve, "search", boom)
    r = client.post(
        "/retrieval", json={"knowledge_id": "医保", "query": "x"}, headers={"Authorization": "Bearer no"}
    )
    assert r.status_code == 403


# --- the key check itself -----------------------------------------------------------------------


def test_split_list() -> None:
    assert split_list("k1, k2,,k1") == ["k1", "k2"]
    assert split_list(("a", "b,c")) == ["a", "b", "c"]
    assert split_list(None) == []


def test_bearer_and_loopback() -> None:
    def scope(auth: str | None, client: str = "127.0.0.1") -> dict[str, Any]:
        headers = [(b"authorization", auth.encode())] if auth is not None else []
        return {"headers": headers, "client": (client, 5000)}

    assert bearer_token(scope("Bearer abc")) == "abc"
    assert bearer_token(scope("bearer  abc ")) == "abc"
    assert bearer_token(scope("Basic abc")) is None
    assert bearer_token(scope(None)) is None
    assert client_is_loopback(scope(None, "127.0.0.1")) and client_is_loopback(scope(None, "::1"))
    assert not client_is_loopback(scope(None, "192.168.1.20"))


def test_refusals() -> None:
    # keys set: the right key passes from anywhere; /v1 and /mcp say 401, /retrieval 403 (Dify)
    assert refusal("/v1/models", "k", ["k"], loopback=False) is None
    assert refusal("/v1/models", "x", ["k"], loopback=True)[0] == 401
    assert refusal("/mcp", None, ["k"], loopback=True)[0] == 401
    status, body = refusal("/retrieval", "x", ["k"], loopback=True)
    assert status == 403 and body["error_code"] == 1002
    # no keys: this machine only, whatever it sends
    assert refusal("/v1/chat/completions", None, [], loopback=True) is None
    assert refusal("/v1/chat/completions", "anything", [], loopback=False)[0] == 403
    assert refusal("/retrieval", None, [], loopback=False)[0] == 403
