from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

import index.chunk as chunk_mod
from index.chunk import chunk_document, split_text
from index.clean import clean_text
from index.structure import iter_sections, parse_document
from index.tokens import count_tokens
from tests.conftest import SEEDS, needs_seeds, seed_paths

_END = re.compile(r"[。！？；!?;][”’」』）)】》]*$")


def _seed(prefix: str) -> Path:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip("seed not present")
    return found[0]


@needs_seeds
@pytest.mark.parametrize("budget", [384, 128, 48])
@pytest.mark.parametrize("path", seed_paths(), ids=lambda p: p.name[:3])
def test_seed_chunks_fit_budget_quote_original_and_cover_everything(path: Path, budget: int) -> None:
    raw = path.read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    doc = parse_document(raw, source=path.name)
    chunks = chunk_document(doc, max_tokens=budget)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert c.text and c.text in cleaned  # a contiguous slice of the cleaned original
        assert count_tokens(c.text) <= budget
        assert (c.source, c.title, c.year, c.org, c.genre) == (
            doc.source,
            doc.title,
            doc.year,
            doc.org,
            doc.genre,
        )
    # Every character of every body (and tail, and the preamble) is in a chunk of that section.
    sources: dict[tuple[str, ...], list[str]] = {(): [doc.preamble]}
    for p, sec in iter_sections(doc):
        sources[tuple(p)] = [sec.body, sec.tail]
    covered = {key: [[False] * len(t) for t in texts] for key, texts in sources.items()}
    for c in chunks:
        texts = sources[tuple(c.heading_path)]
        hits = [(k, t.find(c.text)) for k, t in enumerate(texts) if c.text in t]
        assert hits, (c.heading_path, c.text[:20])
        k, at = hits[0]
        covered[tuple(c.heading_path)][k][at : at + len(c.text)] = [True] * len(c.text)
    for key, texts in sources.items():
        for t, marks in zip(texts, covered[key], strict=True):
            missing = "".join(ch for ch, ok in zip(t, marks, strict=True) if not ok and not ch.isspace())
            assert missing == "", (key, missing[:30])


@needs_seeds
def test_seed_001_heading_paths_and_kinds() -> None:
    doc = parse_document(_seed("001").read_text(encoding="utf-8"), source="001.txt")
    chunks = chunk_document(doc)
    paths = [c.heading_path for c in chunks]
    assert paths[0] == []  # the preamble
    assert chunks[0].section_kind == "other"
    assert ["二、画好医保改革“路线图”，“党建＋发展”聚力创变", "（三）综合施策“护基金”"] in paths
    hit = next(c for c in chunks if c.heading_path[-1:] == ["（三）综合施策“护基金”"])
    assert hit.section == "二、画好医保改革“路线图”，“党建＋发展”聚力创变 > （三）综合施策“护基金”"
    assert hit.embed_text.startswith(hit.section + "\n")
    assert hit.section_kind == "成绩"
    # Top sections with an intro paragraph and children: the intro is its own chunk.
    assert sum(1 for p in paths if len(p) == 1 and p[0].startswith(("一、", "二、", "四、"))) == 3
    # One chunk per smallest section when it fits: twelve （…） leaves, one chunk each.
    leaves = [p for p in paths if len(p) == 2]
    assert len(leaves) == len({tuple(p) for p in leaves}) == 12


@needs_seeds
def test_seed_000_long_plan_section_split_per_item() -> None:
    doc = parse_document(_seed("000").read_text(encoding="utf-8"))
    plan = [c for c in chunk_document(doc) if c.heading_path == ["三、下一步工作打算"]]
    assert [c.text[:2] for c in plan] == ["一是", "二是", "三是"]
    assert all(c.section_kind == "打算" for c in plan)
    assert [c.text for c in plan] == doc.sections[4].items
    # With a generous budget the whole section is one chunk.
    big = [c for c in chunk_document(doc, max_tokens=2000) if c.heading_path == ["三、下一步工作打算"]]
    assert len(big) == 1


@needs_seeds
def test_seed_003_tail_is_a_cause_chunk_under_the_problem_section() -> None:
    doc = parse_document(_seed("003").read_text(encoding="utf-8"))
    tail = [c for c in chunk_document(doc) if c.heading_path == ["二、问题清单"]]
    assert tail and all(c.section_kind == "原因" for c in tail)
    assert tail[0].text.startswith("产生上述问题的原因")


# --- synthetic ------------------------------------------------------------------------------


def _long_section(n: int) -> str:
    return "".join(f"第{i}句讲的是本单位推进重点工作的具体情况和取得的成效。" for i in range(n))


def test_short_section_one_chunk_body_as_written() -> None:
    doc = parse_document(
        "XX局2023年工作总结\n一、工作成效\n（一）抓学习。全年学习12次。\n（二）抓落实\n落实到位。"
    )
    chunks = chunk_document(doc)
    assert [(c.heading_path, c.text) for c in chunks] == [
        (["一、工作成效", "（一）抓学习"], "全年学习12次。"),
        (["一、工作成效", "（二）抓落实"], "落实到位。"),
    ]
    assert (
        chunks[0].title == "XX局2023年工作总结" and chunks[0].year == 2023 and chunks[0].genre == "工作总结"
    )


def test_long_section_splits_at_sentence_ends_with_whole_sentence_overlap() -> None:
    body = _long_section(30)
    pieces = split_text(body, max_tokens=120, overlap_tokens=40)
    assert len(pieces) > 3
    for p in pieces:
        assert count_tokens(p) <= 120
        assert p.startswith("第") and _END.search(p), p  # whole sentences only
    for a, b in itertools.pairwise(pieces):
        first_of_b = b.split("。")[0] + "。"
        assert a.endswith(first_of_b)  # b starts with the last sentence of a
    # Pieces are balanced: the last is not a scrap.
    sizes = [count_tokens(p) for p in pieces]
    assert min(sizes) >= max(sizes) / 3


def test_no_overlap_when_asked() -> None:
    pieces = split_text(_long_section(30), max_tokens=120, overlap_tokens=0)
    assert "".join(pieces) == _long_section(30)


def test_closing_quotes_stay_with_their_sentence() -> None:
    body = "".join(f"他说：“第{i}项工作已经全面完成，效果很好。”" for i in range(40))
    pieces = split_text(body, max_tokens=100, overlap_tokens=0)
    assert len(pieces) > 2 and all(p.endswith("。”") and p.startswith("他说") for p in pieces)


def test_items_grouped_under_budget_intro_with_first() -> None:
    items = [f"{n}是持续推进第{n}项重点任务落实落地，确保各项措施取得实效。" for n in "一二三四五六"]
    body = "围绕年度目标：" + "".join(items)
    pieces = split_text(body, max_tokens=70, overlap_tokens=20)
    assert pieces[0].startswith("围绕年度目标：一是")
    assert all(count_tokens(p) <= 70 for p in pieces)
    # Pieces fall on item boundaries and, joined, give back the body exactly.
    assert "".join(pieces) == body
    assert all(p.startswith(("围绕", *[f"{n}是" for n in "一二三四五六"])) for p in pieces)


def test_sentence_without_punctuation_is_cut_to_budget() -> None:
    body = "党建引领基层治理创新" * 80  # 800 characters, no punctuation at all
    pieces = split_text(body, max_tokens=50, overlap_tokens=10)
    assert "".join(pieces) == body
    assert all(count_tokens(p) <= 50 for p in pieces)


def test_intro_tail_and_preamble_paths() -> None:
    text = (
        "XX局2023年工作总结\n前言一段。\n二、存在的问题\n问题总述。\n（一）学习不深入。表现在某方面。\n"
        "产生上述问题的原因是认识不到位。\n三、下一步打算\n（一）强化学习\n（二）完善制度\n建章立制。"
    )
    chunks = chunk_document(parse_document(text))
    assert [(c.heading_path, c.text, c.section_kind) for c in chunks] == [
        ([], "前言一段。", "other"),
        (["二、存在的问题"], "问题总述。", "问题"),
        (["二、存在的问题", "（一）学习不深入"], "表现在某方面。", "问题"),
        (["二、存在的问题"], "产生上述问题的原因是认识不到位。", "原因"),
        (["三、下一步打算", "（二）完善制度"], "建章立制。", "打算"),  # an empty leaf gives no chunk
    ]


def test_document_without_headings_is_all_preamble() -> None:
    chunks = chunk_document(parse_document(_long_section(60)), max_tokens=200)
    assert len(chunks) > 1 and all(c.heading_path == [] for c in chunks)


def test_tokenisation_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sizes are counted once per piece of text, not re-tokenised window after window."""
    seen: list[int] = []

    def counting(text: str) -> int:
        seen.append(len(text))
        return count_tokens(text)

    monkeypatch.setattr(chunk_mod, "count_tokens", counting)
    sections = "\n".join(f"（{n}）标题\n" + _long_section(200) for n in "一二三四五六七八九十")
    text = "一、工作\n" + sections
    chunks = chunk_document(parse_document(text), max_tokens=200)
    assert len(chunks) > 50
    assert sum(seen) <= 3 * len(text)


def test_bad_budget() -> None:
    with pytest.raises(ValueError):
        chunk_document(parse_document("正文。"), max_tokens=4)
