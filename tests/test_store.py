"""Knowledge-base store: registry + Chroma, embedder identity, locking, orphan sweep, list/delete."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import BiganziError
from core.settings import get_settings
from index.embed import get_embedder
from index.ingest import ingest_chunks
from index.store import delete_kb, list_kbs, open_kb, validate_name


def test_missing_kb_is_a_clear_error() -> None:
    with pytest.raises(BiganziError) as e:
        open_kb(get_settings(), "nothing")
    assert "nothing" in str(e.value) and "biganzi ingest" in str(e.value)


@pytest.mark.parametrize("name", ["", ".hidden", "a/b", "has space", "x" * 65])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(BiganziError):
        validate_name(name)


def test_chinese_names_are_fine() -> None:
    assert validate_name("医保局-2023") == "医保局-2023"


def test_identity_and_dimension_stored_with_registry_and_collection(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    with open_kb(s) as kb:
        emb = get_embedder("fake")
        assert kb.embedder_identity == emb.identity and kb.dimension == emb.dimension
        meta = kb.collection().metadata
        assert meta["embedder_identity"] == emb.identity and meta["dimension"] == emb.dimension
        assert meta["biganzi_kb"] == "default"


def test_other_embedder_is_refused_with_the_fix(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()], kb="医保")
    with pytest.raises(BiganziError) as e:
        open_kb(s, "医保", embedder=get_embedder("e5-small"))
    msg = str(e.value)
    assert msg == (
        "知识库 医保 用 fake 建索引，当前嵌入模型是 e5-small；"
        "请用 --embedder fake 或重新导入（biganzi kb delete 医保 后 ingest）"
    )
    # ingesting with another embedder is refused the same way, and nothing is written
    with pytest.raises(BiganziError):
        ingest_chunks(get_settings(embedder="e5-small"), [fake_doc(source="b.txt", year=2022)], kb="医保")
    assert [i.documents for i in list_kbs(s)] == [1]


def test_documents_find_and_remove(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(
        s, [fake_doc(), fake_doc(source="其他.txt", title="其他", replace={"青禾": "红河", "2023": "2022"})]
    )
    with open_kb(s) as kb:
        docs = kb.documents()
        assert {d.source for d in docs} == {"青禾县医保局2023年工作总结.txt", "其他.txt"}
        d = kb.find_document("其他.txt")
        assert kb.find_document(d.doc_id[:8]).doc_id == d.doc_id
        with pytest.raises(BiganziError):
            kb.find_document("nope.txt")
        with pytest.raises(RuntimeError):
            kb.write_documents([])  # internal writes need the lock held
        kb.remove("其他.txt")  # takes the lock itself
        assert [x.source for x in kb.documents()] == ["青禾县医保局2023年工作总结.txt"]
        assert not list(kb.iter_chunks(d.doc_id))
        v = kb.verify()
        assert v["chunks"] == v["vectors"] == 5 and not v["orphan_vectors"] and not v["missing_vectors"]


def test_ambiguous_reference(fake_doc) -> None:
    s = get_settings()
    a = fake_doc(source="同名.txt")
    a.path = "/x/同名.txt"
    b = fake_doc(source="同名.txt", title="白水县医保局2023年工作总结")
    b.path = "/y/同名.txt"
    ingest_chunks(s, [a, b])
    with open_kb(s) as kb, pytest.raises(BiganziError) as e:
        kb.find_document("同名.txt")
    assert "多篇" in str(e.value)


def test_pending_vectors_are_swept_by_the_next_writer(fake_doc) -> None:
    """Simulates a kill between the Chroma write and the registry commit."""
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    with open_kb(s) as kb:
        kb.registry.add_pending(["ghost-1", "ghost-2"])
        kb.collection().upsert(ids=["ghost-1", "ghost-2"], embeddings=np.ones((2, 256), dtype=np.float32))
        assert len(kb.verify()["orphan_vectors"]) == 2
        with kb.writing():
            pass
        v = kb.verify()
        assert not v["orphan_vectors"] and v["vectors"] == 5
        assert kb.registry.pending() == []


def test_one_writer_at_a_time(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    with open_kb(s) as a, open_kb(s) as b, a.writing():
        with pytest.raises(BiganziError) as e, b.writing():
            pass
        assert "正在" in str(e.value)


def test_list_and_delete(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()], kb="一")
    ingest_chunks(s, [fake_doc()], kb="二")
    infos = {i.name: i for i in list_kbs(s)}
    assert set(infos) == {"一", "二"}
    assert infos["一"].documents == 1 and infos["一"].chunks == 5 and infos["一"].embedder == "fake"
    with open_kb(s, "一") as kb:
        collection = kb.collection_name
    delete_kb(s, "一")
    assert [i.name for i in list_kbs(s)] == ["二"]
    from index.store import chroma_client

    assert collection not in [c.name for c in chroma_client(s).list_collections()]
    with pytest.raises(BiganziError):
        delete_kb(s, "一")
    # a new knowledge base under the old name starts empty, with a new collection
    ingest_chunks(s, [fake_doc(title="白水县医保局2023年工作总结")], kb="一")
    with open_kb(s, "一") as kb:
        assert kb.collection_name != collection and len(kb.documents()) == 1


def test_as_langchain_vectorstore(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    with open_kb(s) as kb:
        store = kb.as_vectorstore()
        docs = store.similarity_search("打击欺诈骗保 追回违规基金", k=1)
        assert "追回违规基金" in docs[0].page_content
        assert docs[0].metadata["section"].endswith("打击欺诈骗保")


def test_unknown_registry_format_is_refused(fake_doc) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    with open_kb(s) as kb:
        kb.registry.set_meta(schema_version="99")
    with pytest.raises(BiganziError) as e:
        open_kb(s)
    assert "格式版本是 99" in str(e.value)
