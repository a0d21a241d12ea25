"""Smoke: rewrites of two kinds with the real local model, as the page runs them. Whatever the model
writes, the result is either one that passed its checks or an honest "could not be done": never an
unchanged copy shown as a rewrite."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.rewrite_kinds import cjk_len, is_pair_heading, length_score, parse_parts

TEXT = (
    "（二）织密扎牢“保障网”。青禾县医保局坚持应保尽保，全力推进全民参保计划，联合税务、民政等部门逐户比对参保数据。"
    "全县基本医疗保险参保人数达31.2万人，参保率稳定在99%以上。"
    "我们进一步完善大病保险和医疗救助衔接机制，全年为困难群众减轻医疗负担1860万元，群众获得感持续增强。"
)
FIGURES = ("31.2万人", "99%", "1860万元")


def _keeps_figures(text: str) -> None:
    for figure in FIGURES:
        assert figure in text, figure


def _rewrite(local_model_path: Path, tmp_path: Path, instruction: str):
    from assistant.rewrite import rewrite_text
    from core.settings import get_settings

    settings = get_settings(
        data_dir=tmp_path / "data", llm="local", model_path=local_model_path, n_ctx=2048, temperature=0.3
    )
    return rewrite_text(settings, TEXT, instruction, seed=7)


def _honest(res) -> None:
    if not res.changed:
        assert res.text == TEXT and any("未能完成" in n for n in res.notes)
    assert res.text != TEXT or not res.changed


@pytest.mark.smoke
def test_compress_with_local_model(local_model_path: Path, tmp_path: Path) -> None:
    res = _rewrite(local_model_path, tmp_path, "压缩到70字左右，语言更精炼")
    assert res.kind == "compress"
    _honest(res)
    if res.passed:
        assert length_score(70, cjk_len(res.text)) >= 80
        _keeps_figures(res.text)
        assert res.text.startswith("（二）织密扎牢“保障网”")


@pytest.mark.smoke
def test_heading_with_local_model(local_model_path: Path, tmp_path: Path) -> None:
    res = _rewrite(local_model_path, tmp_path, "把标题改成对仗的八字句")
    assert res.kind == "heading"
    _honest(res)
    if res.passed:
        parts = parse_parts(res.text)
        assert is_pair_heading(parts.heading_text) and parts.marker == "（二）"
        assert parts.body == parse_parts(TEXT).body


@pytest.mark.smoke
def test_first_person_with_local_model(local_model_path: Path, tmp_path: Path) -> None:
    """述职 voice is mostly code (我们 → 我), so with the real model it passes, not just honestly fails."""
    res = _rewrite(local_model_path, tmp_path, "改成述职报告的第一人称口吻")
    assert res.kind == "first_person"
    _honest(res)
    assert res.passed, res.problems
    assert "我" in parse_parts(res.text).body
    _keeps_figures(res.text)


@pytest.mark.smoke
def test_reword_with_local_model(local_model_path: Path, tmp_path: Path) -> None:
    """A new wording with the real model: code's synonyms and clause order, the model's samples asked
    with worked examples, the least similar faithful one kept; the whole text really new."""
    from assistant.rewrite_kinds import similarity

    res = _rewrite(local_model_path, tmp_path, "换个说法，不要和去年的写法雷同")
    assert res.kind == "reword"
    _honest(res)
    assert res.passed, res.problems
    assert similarity(TEXT, res.text) < 0.75
    assert res.text.startswith("（二）织密扎牢“保障网”。")
    _keeps_figures(res.text)


@pytest.mark.smoke
def test_formal_with_local_model(local_model_path: Path, tmp_path: Path) -> None:
    res = _rewrite(local_model_path, tmp_path, "改得更正式一些")
    assert res.kind == "formal"
    _honest(res)
    assert res.passed, res.problems
    _keeps_figures(res.text)
