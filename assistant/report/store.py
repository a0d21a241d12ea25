"""Written sections of a report, kept under `data_dir/reports/<id>/` so an interrupted run resumes.

A report's id comes from its knowledge base and title; a section's key from its place and what it
asks for (headings on its path, length, figures). Editing one section's heading, length or figures
changes only that key, so only that section is written again. Every file is written to a temporary
name first and renamed, so a kill never leaves half a section.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from core.settings import Settings


def report_id(kb: str | None, title: str) -> str:
    return hashlib.sha1(f"{kb or ''}\n{title.strip()}".encode()).hexdigest()[:12]


def section_key(path: list[str], length: int, figures: list[str]) -> str:
    raw = json.dumps([path, length, figures], ensure_ascii=False)
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class ReportStore:
    def __init__(self, settings: Settings, rid: str) -> None:
        self.id = rid
        self.dir = Path(settings.data_dir) / "reports" / rid

    @classmethod
    def for_report(cls, settings: Settings, kb: str | None, title: str) -> ReportStore:
        return cls(settings, report_id(kb or settings.kb, title))

    def _section_path(self, key: str) -> Path:
        return self.dir / "sections" / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        p = self._section_path(key)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and isinstance(data.get("text"), str) else None

    def put(self, key: str, data: dict[str, Any]) -> None:
        _write_json(self._section_path(key), data)

    def drop(self, key: str) -> None:
        self._section_path(key).unlink(missing_ok=True)

    def keys(self) -> list[str]:
        d = self.dir / "sections"
        return sorted(p.stem for p in d.glob("*.json")) if d.exists() else []

    def save_outline(self, outline_json: dict[str, Any]) -> Path:
        p = self.dir / "outline.json"
        _write_json(p, outline_json)
        return p

    def load_outline(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.dir / "outline.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def clear(self) -> None:
        shutil.rmtree(self.dir / "sections", ignore_errors=True)
