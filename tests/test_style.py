"""House style profile: measured from the knowledge base, compact, deterministic, with defaults."""

from __future__ import annotations

import json
from types import SimpleNamespace

from click.testing import CliRunner

from assistant.cli import cli
from assistant.style import (
    DEFAULT_RENDER,
    MAX_RENDER_CHARS,
    heading_text,
    lead_phrase,
    profile_from_chunks,
    style_profile,
)
from core.settings import get_settings
from tests.conftest import EXAMPLES, needs_seeds, seed_paths


def chunk(text: str, *path: str, source: str = "a.txt") -> SimpleNamespace:
    return SimpleNamespace(text=text, heading_path=list(path), source=source)


# Our own made-up sections in the house style (never seed text).
CHUNKS = [
    chunk("始终坚持党建引领，聚焦群众关切，扎实推进各项工作。", "一、锚定“主方向”，“党建＋业务”同频共振"),
    chunk(
        "始终坚持问题导向。一是完善制度，二是强化督查，三是压实责任。",
        "一、锚定“主方向”，“党建＋业务”同频共振",
        "（一）提升组织“向心力”",
    ),
    chunk(
        "聚焦重点任务，一是抓好宣传，二是抓好落实。",
        "一、锚定“主方向”，“党建＋业务”同频共振",
        "（二）提升队伍“战斗力”",
    ),
    chunk(
        "紧扣年度目标，持续深化改革，群众满意度稳步提升。",
        "二、织密“保障网”，“党建＋民生”提质增效",
        "（一）综合施策护基金",
        source="b.txt",
    ),
    chunk(
        "聚焦民生实事，一是优化服务，二是提升效率。",
        "二、织密“保障网”，“党建＋民生”提质增效",
        "（二）集采落地减负担",
        source="b.txt",
    ),
]


def test_profile_measures_headings_enumeration_lengths_openings() -> None:
    p = profile_from_chunks(CHUNKS, kb="t")
    assert p.source == "kb" and p.documents == 2 and p.sections == 5
    assert set(p.quoted_examples) >= {"主方向", "保障网", "向心力", "战斗力"}
    assert set(p.party_plus) == {"业务", "民生"}
    assert "同频共振" in p.four_char_examples and "提质增效" in p.four_char_examples
    assert p.enumeration_ratio == 0.6  # 3 of 5 sections use 一是…二是…
    level2 = next(ll for ll in p.lengths if ll.level == 2)
    assert level2.count == 4 and level2.p25 <= level2.median <= level2.p75
    assert set(p.openings[:2]) == {"聚焦", "始终坚持"}  # each opens two sections
    text = p.render()
    assert len(text) <= MAX_RENDER_CHARS
    assert "党建＋业务" in text and "一是……二是……" in text and "始终坚持" in text


def test_render_is_deterministic_and_bounded() -> None:
    a = profile_from_chunks(CHUNKS, kb="t").render()
    b = profile_from_chunks(list(CHUNKS), kb="t").render()
    assert a == b
    many = [chunk("聚焦重点。" * 50, f"（{i}）“关键词{i}”四字短语", source=f"{i}.txt") for i in range(40)]
    assert len(profile_from_chunks(many).render()) <= MAX_RENDER_CHARS


def test_heading_text_and_lead_phrase() -> None:
    assert heading_text("（一）提升党组织“凝聚力”。始终坚持…") == "提升党组织“凝聚力”"
    assert heading_text("三、画好改革“路线图”") == "画好改革“路线图”"
    assert lead_phrase("始终坚持以人民为中心") == "始终坚持"
    assert lead_phrase("聚焦群众急难愁盼") == "聚焦"
    assert lead_phrase("全年共追回") is None  # a time word is not an opening stance
    assert lead_phrase("一是完善制度") is None


def test_defaults_when_kb_missing_or_empty() -> None:
    settings = get_settings()
    p = style_profile(settings, "nothing-here")
    assert p.source == "defaults" and "nothing-here" in p.note
    assert p.render() == DEFAULT_RENDER
    assert profile_from_chunks([]).source == "defaults"


def test_style_command_on_demo_corpus() -> None:
    from index.ingest import ingest_paths

    settings = get_settings(kb="demo")
    ingest_paths(settings, [EXAMPLES], kb="demo")
    runner = CliRunner()
    res = runner.invoke(cli, ["style", "--kb", "demo", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["source"] == "kb" and data["documents"] >= 3
    assert data["text"] and len(data["text"]) <= MAX_RENDER_CHARS
    assert data["lengths"] and data["lengths"][0]["median"] > 0
    res = runner.invoke(cli, ["style", "--kb", "demo"])
    assert res.exit_code == 0 and "标题" in res.output and "中位" in res.output


def test_style_command_without_kb_says_defaults() -> None:
    res = CliRunner().invoke(cli, ["style", "--kb", "none"])
    assert res.exit_code == 0
    assert DEFAULT_RENDER in res.output
    assert "默认文风" in res.output


@needs_seeds
def test_seed_reports_show_the_slogan_heading_style() -> None:
    from index.structure import iter_sections, parse_document

    chunks = []
    for path in seed_paths():
        doc = parse_document(path.read_text(encoding="utf-8"), source=path.name)
        chunks += [chunk(sec.body, *hp, source=path.name) for hp, sec in iter_sections(doc) if sec.body]
    p = profile_from_chunks(chunks)
    assert p.quoted_ratio > 0.2 and p.quoted_examples
    assert p.party_plus  # 党建＋X headings are in the party-building report
    assert p.enumeration_ratio > 0.1
    assert "始终坚持" in p.openings
