"""Smoke: `biganzi report` with the real local model (a real process): a small two-part report from
an edited outline, every section written, figures verbatim, no repeated sentence, a .docx."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TITLE = "青禾县医保局2024年工作总结和2025年工作思路"
OUTLINE = {
    "title": TITLE,
    "outline": [
        {"level": 1, "heading": "2024年工作开展情况", "part": "总结", "children": [
            {"level": 2, "heading": "织密参保网，待遇保障稳步提高", "length": 150, "part": "总结",
             "figures": ["参保人数：31.8万人", "住院费用报销比例：71.2%"]},
        ]},
        {"level": 1, "heading": "2025年工作思路", "part": "思路", "children": [
            {"level": 2, "heading": "守牢基金安全底线", "length": 120, "part": "思路", "figures": []},
        ]},
    ],
}  # fmt: skip


@pytest.mark.smoke
def test_cli_report_with_local_model(local_model_path: Path, tmp_path: Path) -> None:
    from assistant.report import quality

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(OUTLINE, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "BIGANZI_DATA_DIR": str(tmp_path / "data"), "BIGANZI_LLM": "local"}
    cmd = [
        sys.executable, "-m", "assistant.cli", "report", "--outline", str(plan), "--json",
        "--model-path", str(local_model_path), "--docx", str(tmp_path / "r.docx"),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert [s["heading"] for s in data["sections"]] == [
        "（一）织密参保网，待遇保障稳步提高",
        "（一）守牢基金安全底线",
    ]
    assert all(quality.cjk_len(s["text"]) >= 40 for s in data["sections"]), data["sections"]
    assert "31.8万人" in data["text"] and "71.2%" in data["text"]
    assert quality.repeated_sentences(data["text"]) == []
    assert len(data["timings"]["sections"]) == 2
    import docx

    paragraphs = [p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs]
    for h in (TITLE, "一、2024年工作开展情况", "（一）织密参保网，待遇保障稳步提高", "二、2025年工作思路"):
        assert h in paragraphs
