"""Hybrid search: right passage first, filters, near-duplicate collapse, committed chunks only."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FAKE_SECTIONS, fake_document, needs_seeds, seed_paths

from core.errors import BiganziError
from core.settings import get_settings
from index.ingest import ingest_chunks, ingest_paths
from index.retrieve import FusionConfig, as_langchain_retriever, search
from index.store import open_kb

ANON = {"医保": "XX", "31.2": "30.8", "126": "98", "238": "201"}  # an anonymised copy with other numbers


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("打击欺诈骗保 追回基金", "（二）严守基金安全线，打击欺诈骗保"),
        ("参保率 住院报销比例", "（一）织密参保网，待遇水平稳步提高"),
        ("带量采购节约资金", "（三）推进集中带量采购，减轻群众负担"),
        ("异地就医 垫资", "（一）异地就医结算还不够便捷"),
        ("三会一课", "（一）抓实党风廉政建设"),
    ],
)
def test_right_section_first(fake_doc, query: str, expected: str) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    hits = search(s, query, k=3)
    assert hits[0].section.endswith(expected)
    assert " > " in hits[0].section  # heading path joined, headings as written
    assert hits[0].score == max(h.score for h in hits) and 0 < hits[0].score <= 1
    assert hits[0].source == "青禾县医保局2023年工作总结.txt" and hits[0].doc_id and hits[0].chunk_id


def test_each_half_alone_still_finds_it(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    dense = search(s, "打击欺诈骗保 追回基金", k=1, fusion=FusionConfig(lexical_weight=0.0))
    lexical = search(s, "打击欺诈骗保 追回基金", k=1, fusion=FusionConfig(dense_weight=0.0))
    assert dense[0].section == lexical[0].section


def test_filters(fake_doc) -> None:
    s = get_settings()
    older = fake_document(
        source="2022.txt",
        title="青禾县医保局2022年工作总结",
        year=2022,
        replace={"2023": "2022", "126": "88"},
    )
    ingest_chunks(
        s, [fake_doc(), older, fake_doc(source="述职.txt", title="述职报告", genre="述职报告", year=2021)]
    )
    assert {h.year for h in search(s, "基金监管", k=10, year=2022)} == {2022}
    assert {h.genre for h in search(s, "基金监管", k=10, genre="述职报告")} == {"述职报告"}
    assert {h.genre for h in search(s, "基金监管", k=10, genre="总结")} == {"工作总结"}  # contains
    with pytest.raises(BiganziError) as e:
        search(s, "基金监管", genre="讲话稿")
    assert "现有文种：工作总结、述职报告" in str(e.value)
    kinds = search(s, "基金监管", k=10, section_kind="问题")
    assert kinds and {h.section_kind for h in kinds} == {"问题"}
    assert search(s, "基金监管", k=10, year=1999) == []


def test_near_duplicates_collapse_to_one(fake_doc) -> None:
    s = get_settings()
    report = ingest_chunks(s, [fake_doc(), fake_doc(source="匿名.txt", replace=ANON)])
    assert (
        report.near_duplicates
        and report.near_duplicates[0].duplicate_source == "青禾县医保局2023年工作总结.txt"
    )
    hits = search(s, "打击欺诈骗保 追回违规基金", k=5)
    sections = [h.section.split(" > ")[-1] for h in hits]
    assert len(sections) == len(set(sections)) == 5  # no passage twice, even though 10 chunks exist
    with open_kb(s) as kb:
        docs = {d.source: d for d in kb.documents()}
        assert docs["匿名.txt"].duplicate_of == docs["青禾县医保局2023年工作总结.txt"].doc_id
        groups = {c.dup_group for c in kb.iter_chunks()}
        assert len(groups) == 5
        with kb.writing():
            kb.remove("青禾县医保局2023年工作总结.txt")
    # the remaining copy is found on its own
    assert search(s, "打击欺诈骗保 追回违规基金", k=1)[0].source == "匿名.txt"


def test_exact_duplicate_passage_is_embedded_once_but_filterable(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    shared = FAKE_SECTIONS[1]
    older = fake_document(
        source="2022.txt",
        title="青禾县医保局2022年工作总结",
        year=2022,
        sections=[shared, (["一、其他"], "全年完成各项目标任务，群众满意度持续提升。", "成绩")],
    )
    report = ingest_chunks(s, [older])
    assert report.chunks_reused == 1 and report.chunks_embedded == 1
    hits = search(s, "打击欺诈骗保", k=5)
    assert sum(1 for h in hits if h.text == shared[1]) == 1  # collapsed
    only_2022 = search(s, "打击欺诈骗保", k=1, year=2022)
    assert only_2022[0].text == shared[1] and only_2022[0].source == "2022.txt"


def test_uncommitted_vectors_are_never_returned(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    with open_kb(s) as kb:
        from index.embed import get_embedder

        v = get_embedder("fake").embed_query_vector("打击欺诈骗保 追回基金")
        kb.collection().upsert(ids=["ghost"], embeddings=np.asarray([v]), documents=["幽灵"])
    hits = search(s, "打击欺诈骗保 追回基金", k=10)
    assert all(h.chunk_id != "ghost" for h in hits) and len(hits) == 5


def test_bad_queries_and_wrong_embedder(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    with pytest.raises(BiganziError):
        search(s, "  ")
    with pytest.raises(BiganziError):
        search(s, "基金", k=0)
    with pytest.raises(BiganziError) as e:
        search(get_settings(embedder="e5-small"), "基金")
    assert "--embedder fake" in str(e.value)
    with pytest.raises(BiganziError) as e:
        search(s, "基金", kb="没有这个库")
    assert "不存在" in str(e.value)


def test_search_sees_a_deleted_and_recreated_kb(fake_doc) -> None:
    from index.store import delete_kb

    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    assert search(s, "基金监管", k=1)
    delete_kb(s, "default")
    ingest_chunks(
        s, [fake_document(source="新.txt", title="新", sections=[(["一、新"], "家庭医生签约服务", "成绩")])]
    )
    assert [h.source for h in search(s, "基金监管", k=5)] == ["新.txt"]


def test_langchain_retriever_edge(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    docs = as_langchain_retriever(s, k=2).invoke("异地就医 垫资")
    assert len(docs) == 2 and "异地就医" in docs[0].page_content
    assert docs[0].metadata["section"].endswith("异地就医结算还不够便捷")


@needs_seeds
def test_seed_section_names_as_written() -> None:
    s = get_settings()
    ingest_paths(s, [p for p in seed_paths() if p.name.startswith("001")])
    hits = search(s, "综合施策 护基金 追回医保基金", k=3)
    assert "二、画好医保改革“路线图”，“党建＋发展”聚力创变 > （三）综合施策“护基金”" in [
        h.section for h in hits
    ]


def test_concurrent_searches_share_one_kb(fake_doc) -> None:
    """The web page searches from several threads at once."""
    from concurrent.futures import ThreadPoolExecutor

    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    queries = ["打击欺诈骗保", "异地就医", "三会一课", "带量采购", "参保率"] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda q: search(s, q, k=1)[0].section, queries))
    assert results == [search(s, q, k=1)[0].section for q in queries]


def test_number_only_variant_reuses_the_vector_but_keeps_its_own_text(fake_doc) -> None:
    """Last year's paragraph with this year's figures: one vector, own text and BM25 tokens, one group."""
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    newer = fake_document(
        source="2024.txt", title="青禾县医保局2024年工作总结", year=2024, replace={"126": "131", "238": "251"}
    )
    report = ingest_chunks(s, [newer])
    assert report.chunks_embedded == 0 and report.chunks_reused == 5
    hit = search(s, "追回违规基金", k=1, year=2024)[0]
    assert "131家" in hit.text and "251万元" in hit.text
    assert search(s, "131家", k=1, year=2024)[0].text == hit.text
    assert len(search(s, "追回违规基金", k=10)) == 5  # the two years' copies collapse
