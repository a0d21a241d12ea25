"""Smoke: `biganzi draft --json` with the real local model, as a user runs it (a real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.smoke
def test_cli_draft_json_with_local_model(local_model_path: Path, tmp_path: Path) -> None:
    env = {**os.environ, "BIGANZI_DATA_DIR": str(tmp_path / "data"), "BIGANZI_LLM": "local"}
    cmd = [
        sys.executable, "-m", "assistant.cli", "draft",
        "--request", "起草“综合施策护基金”一段", "--figures", "2024年追回医保基金452.3万元。",
        "--length", "60", "--json", "--model-path", str(local_model_path),
        "--n-ctx", "2048", "--max-new-tokens", "80", "--temperature", "0",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert set(data) >= {"text", "sources", "model", "timings"}
    assert data["model"] == local_model_path.name and data["sources"] == []
    assert set(data["timings"]) >= {"ttft_s", "total_s", "prompt_tokens", "completion_tokens"}
    assert 0 < data["timings"]["completion_tokens"] <= 3 * 80  # at most two continuations of 80
    text = data["text"]
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert han >= 20 and han / max(1, len(text.strip())) > 0.6, text
    assert "默认文风" in proc.stderr  # no knowledge base: says it drafts from the style defaults


def test_cli_missing_model_file_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "BIGANZI_DATA_DIR": str(tmp_path / "data")}
    cmd = [sys.executable, "-m", "assistant.cli", "draft", "-r", "起草一段", "--llm", "local"]
    proc = subprocess.run(
        [*cmd, "--model-path", str(tmp_path / "nope.gguf")], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"错误：找不到模型文件 {tmp_path / 'nope.gguf'}（来自 --model-path 或 BIGANZI_MODEL_PATH）"
    ]
