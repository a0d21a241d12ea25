"""`biganzi figures parse | history` and `biganzi update`: JSON shapes, text output, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from assistant.cli import cli
from tests.conftest import REPO

OLD = "截至2023年9月，参保率99.85％，共追回医保基金286.4万元，投保人数213645人。"


def run(*args: str, input: str | None = None) -> dict:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def test_parse_json_shape() -> None:
    data = run(
        "figures", "parse", "截至2024年11月，参保率99.91％，追回医保基金452.3万元\n无数字的一行", "--json"
    )
    assert set(data) == {"facts", "unparsed", "derived"}
    assert data["unparsed"] == ["无数字的一行"]
    first = data["facts"][0]
    assert {
        k: first[k] for k in ("metric", "value", "unit", "text", "number", "base_unit", "period", "year")
    } == {
        "metric": "参保率",
        "value": "99.91",
        "unit": "％",
        "text": "99.91％",
        "number": "99.91",
        "base_unit": "%",
        "period": "截至2024年11月",
        "year": 2024,
    }
    assert data["facts"][1]["number"] == "4523000"


def test_parse_text_table_lists_unparsed_and_derived() -> None:
    result = CliRunner().invoke(
        cli, ["figures", "parse", "困难人员综合保障率由1月的86.64％提高到11月的93.36％\n备注"]
    )
    assert result.exit_code == 0
    out = result.stdout
    assert "指标" in out and "困难人员综合保障率" in out and "93.36％" in out
    assert "提高6.72个百分点" in out
    assert "未能解析的 1 行" in out and "备注" in out


def test_parse_reads_stdin_and_files(tmp_path: Path) -> None:
    data = run("figures", "parse", "-", "--json", input="参保率：99.91％\n")
    assert [f["text"] for f in data["facts"]] == ["99.91％"]
    f = tmp_path / "figs.csv"
    f.write_text("指标,数值\n追回医保基金,452.3万元\n", encoding="utf-8")
    data = run("figures", "parse", "--file", str(f), "--json")
    assert [(x["metric"], x["text"]) for x in data["facts"]] == [("追回医保基金", "452.3万元")]


def test_history_json_from_a_knowledge_base(fake_doc) -> None:
    from core.settings import get_settings
    from index.ingest import ingest_chunks

    ingest_chunks(get_settings(), [fake_doc()], kb="hist")
    data = run("figures", "history", "--kb", "hist", "--metric", "追回违规基金", "--json")
    assert data["kb"] == "hist" and data["metric"] == "追回违规基金"
    assert [(r["metric"], r["value"], r["document"]) for r in data["rows"]] == [
        ("追回违规基金", "238万元", "青禾县医保局2023年工作总结.txt")
    ]
    assert set(data["rows"][0]) >= {"metric", "value", "as_of", "document", "section"}
    text = CliRunner().invoke(cli, ["figures", "history", "--kb", "hist"]).stdout
    assert "检查定点医药机构" in text and "126家" in text


def test_update_json_shape_from_file_and_stdin(tmp_path: Path) -> None:
    f = tmp_path / "old.txt"
    f.write_text(OLD, encoding="utf-8")
    data = run(
        "update",
        "--text",
        str(f),
        "--figures",
        "截至2024年11月，参保率99.91％，追回医保基金452.3万元，检查机构186家",
        "--json",
    )
    assert (
        data["text"]
        == "截至2024年11月，参保率99.91％，共追回医保基金452.3万元，投保人数【待更新：213645人】。"
    )
    assert {"text", "replacements", "stale_marked", "unplaced", "kept_dates", "derived"} <= set(data)
    assert {
        "metric": "参保率",
        "old": "99.85％",
        "new": "99.91％",
        "new_metric": "参保率",
        "kind": "figure",
    } in data["replacements"]
    assert data["stale_marked"] == ["213645人"]
    assert data["unplaced"] == [{"metric": "检查机构", "text": "186家"}]
    data2 = run("update", "--text", "-", "--figures", "参保率99.91％", "--json", input=OLD)
    assert "99.91％" in data2["text"]


def test_update_text_output_and_figures_file(tmp_path: Path) -> None:
    figs = tmp_path / "figs.csv"
    figs.write_text("指标,数值\n参保率,99.91％\n", encoding="utf-8")
    old = tmp_path / "old.txt"
    old.write_text(OLD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["update", "--text", str(old), "--figures-file", str(figs)])
    assert result.exit_code == 0
    assert (
        "参保率99.91％" in result.stdout
        and "99.85％ → 99.91％" in result.stdout
        and "【待更新" in result.stdout
    )


def test_update_from_kb_takes_the_best_section(fake_doc) -> None:
    from core.settings import get_settings
    from index.ingest import ingest_chunks

    ingest_chunks(get_settings(), [fake_doc()], kb="old")
    data = run(
        "update",
        "--kb",
        "old",
        "--from-kb",
        "打击欺诈骗保 追回违规基金",
        "--figures",
        "检查定点医药机构186家，追回违规基金452.3万元",
        "--json",
    )
    assert data["source"]["section"].endswith("（二）严守基金安全线，打击欺诈骗保")
    assert "186家" in data["text"] and "452.3万元" in data["text"] and "【待更新：5起】" in data["text"]


def test_update_smooth_traces_the_model_text(tmp_path: Path, fake_replies) -> None:
    old = tmp_path / "old.txt"
    old.write_text(OLD, encoding="utf-8")
    fake_replies("截至2024年11月，全县参保率99.85％，共追回医保基金452.3万元，投保人数【待更新：213645人】。")
    data = run(
        "update",
        "--text",
        str(old),
        "--figures",
        "截至2024年11月，参保率99.91％，追回医保基金452.3万元",
        "--smooth",
        "--llm",
        "fake",
        "--json",
    )
    assert (
        data["text"]
        == "截至2024年11月，全县参保率99.91％，共追回医保基金452.3万元，投保人数【待更新：213645人】。"
    )
    assert data["figures"]["flagged"][0]["text"] == "99.85％" and data["figures"]["unmarked"] == []
    assert data["deterministic_text"].startswith("截至2024年11月，参保率99.91％")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_errors_are_one_line() -> None:
    r = _cli("update", "--figures", "参保率99.91％")
    assert r.returncode == 2 and r.stderr.startswith("错误：") and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = _cli("update", "--text", "-", "--figures", "没有数字")
    assert r.returncode == 2 and "没有可用的今年数据" in r.stderr
    r = _cli("figures", "parse")
    assert r.returncode == 2 and "请给出要解析的数据" in r.stderr
    r = _cli("figures", "parse", "--file", "/nonexistent.xlsx")
    assert r.returncode == 2 and "找不到数据文件" in r.stderr


def test_parse_compares_with_last_years_value_in_the_kb(fake_doc) -> None:
    from core.settings import get_settings
    from index.ingest import ingest_chunks

    ingest_chunks(get_settings(), [fake_doc()], kb="hist")
    data = run(
        "figures",
        "parse",
        "2024年检查定点医药机构186家，追回违规基金452.3万元",
        "--compare-kb",
        "hist",
        "--json",
    )
    got = {d["metric"]: (d["text"], d["previous"], d["kind"]) for d in data["derived"]}
    assert got["检查定点医药机构"] == ("同比增长47.6％", "126家", "同比")
    assert got["追回违规基金"][1] == "238万元"
