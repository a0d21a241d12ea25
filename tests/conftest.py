"""Shared fixtures. Every test runs with its own data directory, offline, with no telemetry.

Fakes (scripted chat model, deterministic embedder) live here or are wired from here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
EVAL = SHARED / "eval"
EXAMPLES = REPO / "examples"

# Set before anything imports chromadb, gradio or huggingface_hub.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets a fresh data dir and the fast fakes unless it asks for real backends."""
    data = tmp_path / "data"
    monkeypatch.setenv("BIGANZI_DATA_DIR", str(data))
    monkeypatch.setenv("BIGANZI_EMBEDDER", "fake")
    monkeypatch.setenv("BIGANZI_LLM", "fake")
    monkeypatch.delenv("BIGANZI_CHROMA_URL", raising=False)
    return data


def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []


needs_seeds = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds not present")


# --- index fakes -------------------------------------------------------------


# --- chat model fakes --------------------------------------------------------
