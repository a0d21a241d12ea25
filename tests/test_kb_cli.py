"""The knowledge-base commands as a user runs them (in-process `biganzi` main, plus one real subprocess)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_ingest import report_text

from assistant.cli import main

REPO = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = ""):
    monkeypatch.setattr(sys, "argv", ["biganzi", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = 0
    try:
        main()
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "往年材料"
    root.mkdir()
    (root / "青禾县医保局2023年工作总结.txt").write_text(report_text("青禾县医保局2023年工作总结"), "utf-8")
    (root / "白水县医保局2022年工作总结.txt").write_text(
        report_text("白水县医保局2022年工作总结", numbers=("90", "120")), "utf-8"
    )
    return root


def test_ingest_search_docs_remove(folder: Path, capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "ingest", str(folder), "--kb", "医保")
    assert code == 0, err
    assert "知识库 医保：新增 2 篇" in out

    code, out, _ = run(
        capsys, monkeypatch, "search", "打击欺诈骗保 追回基金", "--kb", "医保", "-k", "2", "--json"
    )
    hits = json.loads(out)
    assert code == 0 and len(hits) == 2
    assert set(hits[0]) == {"source", "title", "section", "text", "score"}
    assert hits[0]["section"] == "一、2023年工作成效 > （二）严守基金安全线，打击欺诈骗保"
    assert "打击欺诈骗保" in out  # ensure_ascii=False: Chinese as written

    code, out, _ = run(capsys, monkeypatch, "search", "打击欺诈骗保", "--kb", "医保", "--year", "2022")
    assert code == 0 and "[1]" in out and "白水县医保局2022年工作总结.txt" in out and "青禾" not in out

    code, out, _ = run(capsys, monkeypatch, "docs", "--kb", "医保")
    assert code == 0
    assert out.splitlines()[0].split() == ["编号", "文件", "标题", "年份", "文种", "段落"]
    assert "青禾县医保局2023年工作总结" in out and "共 2 篇，10 个段落" in out

    code, out, _ = run(capsys, monkeypatch, "docs", "--kb", "医保", "--json")
    docs = json.loads(out)
    assert {d["year"] for d in docs} == {2022, 2023} and all(d["n_chunks"] == 5 for d in docs)
    prefix = next(d["doc_id"][:8] for d in docs if d["year"] == 2022)

    code, out, _ = run(capsys, monkeypatch, "remove", prefix, "--kb", "医保")
    assert code == 0 and "已删除 白水县医保局2022年工作总结.txt" in out
    code, out, _ = run(capsys, monkeypatch, "remove", "青禾县医保局2023年工作总结.txt", "--kb", "医保")
    assert code == 0
    code, out, _ = run(capsys, monkeypatch, "docs", "--kb", "医保")
    assert "还没有文档" in out


def test_errors_are_one_line_with_exit_codes(folder: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    (folder / "旧格式.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    code, out, err = run(capsys, monkeypatch, "ingest", str(folder), str(tmp_path / "nope.txt"))
    assert code == 1
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 2 and any("旧格式.doc" in ln and ".docx" in ln for ln in lines)
    assert any("nope.txt" in ln for ln in lines) and "新增 2 篇" in out

    code, _, err = run(capsys, monkeypatch, "remove", "不存在.txt")
    assert code == 2 and err.startswith("错误：") and len(err.strip().splitlines()) == 1

    code, _, err = run(capsys, monkeypatch, "search", "基金", "--embedder", "e5-small")
    assert code == 2 and "请用 --embedder fake" in err

    code, _, err = run(capsys, monkeypatch, "search", "基金", "--kb", "没有")
    assert code == 2 and "知识库 没有 不存在" in err

    code, _, err = run(capsys, monkeypatch, "ingest", str(folder), "--embedder", "bert")
    assert code == 2 and "未知的嵌入模型" in err and "Traceback" not in err


def test_ingest_json_and_unchanged(folder: Path, capsys, monkeypatch) -> None:
    run(capsys, monkeypatch, "ingest", str(folder), "-q")
    code, out, _ = run(capsys, monkeypatch, "ingest", str(folder), "--json")
    data = json.loads(out)
    assert code == 0 and [f["status"] for f in data["files"]] == ["unchanged", "unchanged"]
    assert data["chunks_embedded"] == 0


def test_kb_list_and_delete_asks_first(folder: Path, capsys, monkeypatch) -> None:
    run(capsys, monkeypatch, "ingest", str(folder), "--kb", "甲", "-q")
    code, out, _ = run(capsys, monkeypatch, "kb", "list")
    assert code == 0 and "甲" in out and "fake" in out
    code, out, _ = run(capsys, monkeypatch, "kb", "list", "--json")
    assert json.loads(out)[0] | {"created_at": ""} == {
        "name": "甲",
        "documents": 2,
        "chunks": 10,
        "embedder": "fake",
        "created_at": "",
    }

    code, out, err = run(capsys, monkeypatch, "kb", "delete", "甲", stdin="n\n")
    assert code != 0 and "已取消" in err
    assert "甲" in run(capsys, monkeypatch, "kb", "list")[1]

    code, out, _ = run(capsys, monkeypatch, "kb", "delete", "甲", stdin="y\n")
    assert code == 0 and "已删除知识库 甲" in out
    code, out, _ = run(capsys, monkeypatch, "kb", "list")
    assert "还没有知识库" in out

    code, _, err = run(capsys, monkeypatch, "kb", "delete", "甲", "--yes")
    assert code == 2 and "不存在" in err


def test_real_console_script(folder: Path, tmp_path: Path) -> None:
    env = {**os.environ, "BIGANZI_DATA_DIR": str(tmp_path / "d"), "BIGANZI_EMBEDDER": "fake"}
    biganzi = Path(sys.executable).with_name("biganzi")
    cmd = [str(biganzi)] if biganzi.exists() else [sys.executable, "-m", "assistant.cli"]
    r = subprocess.run([*cmd, "ingest", str(folder)], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "Loading model" not in r.stderr  # no jieba/chroma chatter
    r = subprocess.run(
        [*cmd, "search", "异地就医", "--json", "-k", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and json.loads(r.stdout)[0]["section"].endswith("异地就医结算还不够便捷")
