from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from tests.conftest import REPO, SEEDS, needs_seeds

SAMPLE = (
    "XX局2023年工作总结和2024年工作思路\n"
    "今年以来，我局扎实推进各项工作。\n"
    "一、2023年工作开展情况\n"
    "（一）参保扩面。参保率99.85％。\n"
    "(二)基金监管。一是检查机构；二是追回基金。\n"
    "二、2024年工作思路\n"
    "1.深化改革\n"
    "（1）推进支付方式改革\n"
)


def test_outline_json_is_the_tree(tmp_path: Path) -> None:
    f = tmp_path / "报告.txt"
    f.write_text(SAMPLE, encoding="gbk")  # any supported encoding works
    result = CliRunner().invoke(cli, ["outline", str(f), "--json"])
    assert result.exit_code == 0, result.output
    tree = json.loads(result.output)
    assert tree == [
        {
            "level": 1,
            "number": "一",
            "heading": "一、2023年工作开展情况",
            "children": [
                {"level": 2, "number": "一", "heading": "（一）参保扩面", "children": []},
                {"level": 2, "number": "二", "heading": "(二)基金监管", "children": []},
            ],
        },
        {
            "level": 1,
            "number": "二",
            "heading": "二、2024年工作思路",
            "children": [
                {
                    "level": 3,
                    "number": "1",
                    "heading": "1.深化改革",
                    "children": [
                        {"level": 4, "number": "1", "heading": "（1）推进支付方式改革", "children": []}
                    ],
                }
            ],
        },
    ]
    assert "\\u" not in result.output  # ensure_ascii=False: Chinese as written


def test_outline_human_view(tmp_path: Path) -> None:
    f = tmp_path / "报告.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["outline", str(f)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "标题：XX局2023年工作总结和2024年工作思路"
    assert lines[1] == "年份：2023、2024　单位：XX局　文体：工作总结、工作思路"
    assert lines[2] == "来源：报告.txt"
    assert lines[3] == "前言：今年以来，我局扎实推进各项工作。"
    assert "一、2023年工作开展情况  〔成绩〕" in lines
    assert "    (二)基金监管  2 条列举（一是…）" in lines
    assert "二、2024年工作思路  〔打算〕" in lines
    assert "        （1）推进支付方式改革" in lines


@needs_seeds
def test_outline_seed_000_five_top_headings() -> None:
    seed = sorted(SEEDS.glob("000_*.txt"))[0]
    result = CliRunner().invoke(cli, ["outline", str(seed), "--json"])
    assert result.exit_code == 0, result.output
    tree = json.loads(result.output)
    assert [t["number"] for t in tree] == ["一", "二", "三", "四", "三"]
    assert [len(t["children"]) for t in tree] == [3, 3, 3, 3, 0]
    assert tree[4]["heading"] == "三、下一步工作打算"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("缺失.txt", None, "错误：缺失.txt：找不到文件"),
        ("表格.xlsx", b"PK", "错误：表格.xlsx：不支持的文件类型"),
        ("空.txt", b"", "错误：空.txt：空文件"),
    ],
)
def test_outline_errors_are_one_line_exit_2(
    tmp_path: Path, name: str, data: bytes | None, message: str
) -> None:
    f = tmp_path / name
    if data is not None:
        f.write_bytes(data)
    out = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "outline", str(f)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.startswith(message) and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


def test_outline_size_limit_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "大.txt"
    f.write_text("正文。" * 1000, encoding="utf-8")
    monkeypatch.setenv("BIGANZI_MAX_FILE_MB", "0.001")
    result = CliRunner().invoke(cli, ["outline", str(f)])
    assert result.exit_code != 0
    assert "BIGANZI_MAX_FILE_MB" in str(result.exception)


def test_outline_without_headings(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text("只是一段话，没有任何标题。", encoding="utf-8")
    result = CliRunner().invoke(cli, ["outline", str(f)])
    assert result.exit_code == 0
    assert "（未识别到标题：全文作为前言处理）" in result.output
    assert json.loads(CliRunner().invoke(cli, ["outline", str(f), "--json"]).output) == []
