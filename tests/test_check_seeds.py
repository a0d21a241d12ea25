"""Every rule over the real reports in ../shared/seeds, compared with a reviewed golden list.

Each entry in tests/golden/seed_findings.json was checked by hand: a real problem in the seed,
no false alarms. When a rule changes on purpose, regenerate with
`BIGANZI_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_check_seeds.py`, then review the
diff of the JSON file before committing it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.check import check_text
from tests.conftest import EXAMPLES, needs_seeds, seed_paths

GOLDEN = Path(__file__).parent / "golden" / "seed_findings.json"


def _seed_findings() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for path in seed_paths():
        for f in check_text(path.read_text(encoding="utf-8")):
            out.append({"file": path.name, "line": f.line, "rule": f.rule, "excerpt": f.excerpt})
    return out


def _key(e: dict[str, object]) -> tuple[str, int, str, str]:
    return (str(e["file"]), int(e["line"]), str(e["rule"]), str(e["excerpt"]))  # type: ignore[call-overload]


@needs_seeds
def test_seed_findings_match_the_reviewed_golden_file() -> None:
    actual = _seed_findings()
    if os.environ.get("BIGANZI_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    present = {p.name for p in seed_paths()}
    golden = [e for e in json.loads(GOLDEN.read_text(encoding="utf-8")) if e["file"] in present]
    want, got = sorted(map(_key, golden)), sorted(map(_key, actual))
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    lines = [f"- 漏报 {f}:{n} [{r}] {x}" for f, n, r, x in missing]
    lines += [f"+ 新增 {f}:{n} [{r}] {x}" for f, n, r, x in extra]
    assert not lines, "findings differ from tests/golden/seed_findings.json:\n" + "\n".join(lines)


@needs_seeds
def test_seed_000_repeated_heading_number_gets_the_fix() -> None:
    path = next(p for p in seed_paths() if p.name.startswith("000_"))
    text = path.read_text(encoding="utf-8")
    found = [f for f in check_text(text) if f.rule == "heading.sequence"]
    assert len(found) == 1
    assert found[0].replacement == "五、"
    assert text.splitlines()[found[0].line - 1].startswith("三、下一步工作打算")


@needs_seeds
def test_correct_set_phrases_in_seeds_raise_nothing() -> None:
    # The seeds write 习近平新时代中国特色社会主义思想, 党的二十大, 四个意识… correctly many times.
    for path in seed_paths():
        text = path.read_text(encoding="utf-8")
        for f in check_text(text):
            if f.rule.startswith("phrase.") and f.rule not in {
                "phrase.party_congress",
                "phrase.jiezhi",
                "phrase.misused_words",
            }:
                pytest.fail(f"{path.name}:{f.line} unexpected {f.rule}: {f.excerpt}")


def test_demo_corpus_raises_no_phrase_or_number_alarms() -> None:
    """Our own fictional reports in examples/ write set phrases and numbers correctly: no alarms
    there. (They may keep a real-life heading slip on purpose, so headings are not asserted.)"""
    from index.load import load_file

    paths = sorted(p for p in EXAMPLES.glob("*") if p.suffix in {".txt", ".md"} and p.name != "README.md")
    if not paths:
        pytest.skip("examples/ has no demo reports")
    for path in paths:
        text = load_file(path, 10 * 2**20).text if path.suffix == ".txt" else path.read_text(encoding="utf-8")
        found = [
            f"{f.line}:{f.rule} {f.excerpt}"
            for f in check_text(text)
            if f.rule.split(".")[0] in {"phrase", "number", "punct"}
        ]
        assert found == [], f"{path.name}: {found}"
