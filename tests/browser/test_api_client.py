"""The named API endpoints, called with gradio_client against a real `biganzi serve` on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.harness import Server, copy_examples, running_server

pytestmark = [pytest.mark.server, pytest.mark.timeout(300)]

PUBLIC = {
    "/chat",
    "/draft",
    "/rewrite",
    "/update",
    "/parse_figures",
    "/search",
    "/list_documents",
    "/list_kbs",
    "/check",
    "/ingest",
    "/export",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("api-data")) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> Any:
    from gradio_client import Client

    return Client(server.url, verbose=False)


def test_endpoints_are_listed(client: Any) -> None:
    named = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert named >= PUBLIC, named


def test_ingest_list_search(client: Any, tmp_path: Path) -> None:
    from gradio_client import handle_file

    docs = copy_examples(tmp_path / "docs")
    bad = tmp_path / "docs" / "宏病毒.exe"
    bad.write_bytes(b"MZ")
    report = client.predict([handle_file(str(p)) for p in [*docs, bad]], "api库", api_name="/ingest")
    assert report["kb"] == "api库"
    assert sorted(f["name"] for f in report["files"] if f["status"] == "added") == sorted(
        d.name for d in docs
    )
    assert report["rejected"][0]["name"] == "宏病毒.exe"
    assert all("path" not in f for f in report["files"])  # server paths stay on the server

    again = client.predict([handle_file(str(docs[0]))], "api库", api_name="/ingest")
    assert [f["status"] for f in again["files"]] == ["unchanged"]

    listed = client.predict("api库", api_name="/list_documents")
    assert {d["source"] for d in listed} == {d.name for d in docs}
    assert {d["year"] for d in listed} >= {2022, 2023}
    assert all(d["n_chunks"] > 0 for d in listed)

    kbs = {k["name"]: k for k in client.predict(api_name="/list_kbs")}
    assert kbs["api库"]["documents"] == len(docs)

    hits = client.predict("基金监管 追回违规基金", 3, "api库", None, "", api_name="/search")
    assert 1 <= len(hits) <= 3
    assert {"source", "title", "section", "text", "score"} <= set(hits[0])
    assert hits[0]["source"] in {d.name for d in docs}

    with pytest.raises(Exception, match="不存在"):
        client.predict("基金", 5, "没有这个库", None, "", api_name="/search")


def test_parse_figures(client: Any) -> None:
    out = client.predict(
        "指标\t2023年\t2024年\n参保率\t99.85%\t99.91%\n这一行不是数据", api_name="/parse_figures"
    )
    assert [f["text"] for f in out["facts"]] == ["99.85%", "99.91%"]
    assert out["unparsed"] == ["这一行不是数据"]
    assert "0.06个百分点" in out["derived"][0]["变化"]


def test_draft_streams_then_returns_the_full_result(client: Any) -> None:
    job = client.submit(
        "起草今年“综合施策护基金”一段",
        "截至2024年11月，追回医保基金452.3万元。",
        200,
        "api库",
        None,
        api_name="/draft",
    )
    final = job.result(timeout=120)
    outputs = job.outputs()
    assert len(outputs) >= 3 and not outputs[0]["done"]  # streamed before the final result
    assert final["done"] and "452.3万元" in final["text"]
    assert final["figures"]["used"][0]["text"] == "452.3万元"
    assert final["sources"] and {"source", "section", "text"} <= set(final["sources"][0])
    assert {"ttft_s", "total_s"} <= set(final["timings"])


def test_rewrite_update_check_export(client: Any, tmp_path: Path) -> None:
    rw = client.predict(
        "我局进一步压实责任，参保率达到99.91％。", "更简洁一些", "", None, api_name="/rewrite"
    )
    assert "99.91％" in rw["text"] and rw["ops"]

    up = client.predict(
        "截至2023年9月底，参保率99.85％，检查定点医药机构150家。",
        "截至2024年11月，参保率99.91％",
        api_name="/update",
    )
    assert up["text"].startswith("截至2024年11月，参保率99.91％") and "【待更新：150家】" in up["text"]

    findings = client.predict("一、成效\n学习贯彻二十大精神。\n三、打算", api_name="/check")
    assert {f["rule"] for f in findings} >= {"phrase.party_congress", "heading.sequence"}

    files = client.predict("一、工作成效\n追回医保基金452.3万元。", api_name="/export")
    by_suffix = {Path(f).suffix: Path(f) for f in files}
    from docx import Document

    assert any("452.3万元" in p.text for p in Document(str(by_suffix[".docx"])).paragraphs)
    assert "452.3万元" in by_suffix[".md"].read_text(encoding="utf-8")


def test_errors_are_one_clear_line(client: Any) -> None:
    with pytest.raises(Exception) as e:
        client.predict("", "", 300, "", None, api_name="/draft")
    assert "请写明要起草什么" in str(e.value)
    assert "Traceback" not in str(e.value)
