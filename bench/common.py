"""What the quality benches share: the repository on sys.path, offline settings, the paths of
../shared (eval sets, seeds) and .bench/data, the reference measures of ../shared/eval/quality.py
(imported by path) and the seeds ingested into a knowledge base.

A bench script runs as `python bench/X.py`, so bench/ is on sys.path: `from common import …`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = REPO.parent / "shared"
EVAL = SHARED / "eval"
SEEDS = SHARED / "seeds"
BENCH_DATA = REPO / ".bench" / "data"  # outside git


def load_quality() -> ModuleType | None:
    """../shared/eval/quality.py, imported by path (the reference definitions); None without it."""
    path = EVAL / "quality.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("shared_quality", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def ingest_seeds(settings: Any, kb: str) -> Any:
    """Ingest every seed into `kb` (already there: unchanged, skipped); stop the bench on an error."""
    from index.ingest import ingest_paths

    report = ingest_paths(settings, seed_files(), kb=kb)
    errors = [o for o in report.outcomes if o.status == "error"]
    if errors:
        raise SystemExit(f"ingest failed: {errors[0].message}")
    return report
