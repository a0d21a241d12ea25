"""The cold search path: query tokens from the dictionary store equal jieba's, the in-memory dense
search equals Chroma's, and a new process searches without importing chromadb, scipy or LangChain."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, fake_document, needs_seeds, seed_paths

from core.settings import get_settings
from index import dense, lexical
from index.ingest import ingest_chunks
from index.retrieve import _kb_for_search, search

QUERIES = [
    "基金监管",
    "打击欺诈骗保 追回基金",
    "异地就医直接结算",
    "三会一课和主题党日",
    "DRG/DIP支付方式改革2.0",
    "全面从严治党主体责任落实不到位的问题",
    "医保",
    "，。",
]


def _texts() -> list[str]:
    out = list(QUERIES)
    for path in [*seed_paths(), *sorted(EXAMPLES.glob("*.txt")), *sorted(EXAMPLES.glob("*.md"))]:
        for line in path.read_text(encoding="utf-8", errors="ignore").splitlines()[:80]:
            if line.strip():
                out.extend([line, line[:24]])
    return out


def test_query_tokens_equal_jieba(tmp_path: Path) -> None:
    store = lexical.word_store(tmp_path / "cache")
    assert store is not None and store.path.exists()
    for text in _texts():
        via_store = lexical._keep(store.tokenizer_for(text).cut_for_search(text))
        assert via_store == lexical.tokenize(text), text


def test_query_tokens_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lexical.word_store(tmp_path / "cache")
    monkeypatch.setattr(lexical, "_tokenizer", None)  # as in a new process
    assert lexical.query_tokens("打击欺诈骗保 追回基金", tmp_path / "cache") == lexical.tokenize(
        "打击欺诈骗保 追回基金"
    )
    # no cache dir, a read-only one, or a long text: jieba's own dictionary
    assert lexical.query_tokens("基金监管") == lexical.tokenize("基金监管")
    assert lexical.query_tokens("基金" * 1500, tmp_path / "cache") == lexical.tokenize("基金" * 1500)


def test_dense_index_matches_chroma(fake_doc) -> None:
    s = get_settings()
    older = fake_document(source="2022.txt", title="2022年工作总结", year=2022, replace={"2023": "2022"})
    ingest_chunks(s, [fake_doc(), older])
    from index.embed import get_embedder

    emb = get_embedder(s.embedder)
    kb = _kb_for_search(s, None)
    with kb.lock:
        lex = lexical.lexical_index(kb.dir, kb.registry.db)
        idx = dense.dense_index(kb, lex)
    assert idx is not None and idx.present.all() and idx.ids == lex.ids
    assert (kb.dir / f"dense-{lex.generation}.npz").exists()
    n = len(lex)  # all rows: the two documents share passages, so distances tie; compare as maps
    for q in QUERIES[:5]:
        v = emb.embed_query_vector(q)
        ours, theirs = dict(idx.top(v, n)), dict(kb.dense_query(v, n))
        assert ours.keys() == theirs.keys()
        for cid, dist in ours.items():
            assert dist == pytest.approx(theirs[cid], abs=1e-4)
        assert [d for _, d in idx.top(v, n)] == sorted(ours.values())
        mask = lex.mask(2022, None, None)
        assert dict(idx.top(v, n, mask)).keys() == dict(kb.dense_query(v, n, year=2022)).keys()
    # a new generation gets a new copy; the old one goes
    ingest_chunks(
        s, [fake_document(source="新.txt", title="新", sections=[(["一、新"], "家庭医生签约服务", "成绩")])]
    )
    assert [h.source for h in search(s, "家庭医生签约", k=1)] == ["新.txt"]
    files = sorted(p.name for p in kb.dir.glob("dense-*.npz"))
    assert files == [f"dense-{kb.generation}.npz"]


def test_dense_index_not_used_above_the_limit(fake_doc, monkeypatch: pytest.MonkeyPatch) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    monkeypatch.setattr(dense, "MAX_ROWS", 2)
    kb = _kb_for_search(s, None)
    with kb.lock:
        lex = lexical.lexical_index(kb.dir, kb.registry.db)
        assert dense.dense_index(kb, lex) is None
    assert search(s, "打击欺诈骗保 追回基金", k=1)[0].section.endswith("打击欺诈骗保")


def test_embedder_is_a_langchain_embeddings() -> None:
    code = textwrap.dedent(
        """
        import sys
        import index.retrieve
        from index.embed import get_embedder
        e = get_embedder("fake")
        assert "langchain_core" not in sys.modules
        from langchain_core.embeddings import Embeddings
        assert isinstance(e, Embeddings), "not an Embeddings after LangChain loads"
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_new_process_search_imports_no_heavy_module(fake_doc, isolated_data_dir: Path) -> None:
    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    assert search(s, "基金监管", k=1)  # builds the dense copy
    assert lexical.word_store(isolated_data_dir / "cache") is not None  # what a first cold search builds
    code = textwrap.dedent(
        """
        import sys
        from core.settings import get_settings
        from index.retrieve import search
        hits = search(get_settings(), "打击欺诈骗保 追回基金", k=1)
        heavy = [m for m in ("chromadb", "scipy", "langchain_core") if m in sys.modules]
        print(hits[0].section, heavy)
        """
    )
    env = {**os.environ, "BIGANZI_DATA_DIR": str(isolated_data_dir), "BIGANZI_EMBEDDER": "fake"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("打击欺诈骗保 []")


@needs_seeds
def test_seed_lines_tokenize_the_same(tmp_path: Path) -> None:
    store = lexical.word_store(tmp_path / "cache")
    assert store is not None
    for path in seed_paths():
        text = path.read_text(encoding="utf-8")
        for para in text.split("\n"):
            if para.strip():
                assert lexical._keep(store.tokenizer_for(para).cut_for_search(para)) == lexical.tokenize(para)


def test_prepare_search_leaves_what_a_first_search_needs(fake_doc, isolated_data_dir: Path) -> None:
    from index.retrieve import prepare_search

    s = get_settings()
    ingest_chunks(s, [fake_doc()])
    prepare_search(s)
    kb = _kb_for_search(s, None)
    assert (kb.dir / f"dense-{kb.generation}.npz").exists()
    assert list((isolated_data_dir / "cache").glob("jieba-*.sqlite3"))


def test_pos_tags_equal_jieba_posseg(tmp_path: Path) -> None:
    store = lexical.word_store(tmp_path / "cache", kind="pos")
    assert store is not None and store.path.name.startswith("jieba-pos-")
    for text in [*_texts(), "督促176家医药机构进行自查", "医用耗材带量采购", "始终坚持以人民为中心"]:
        assert lexical.pos_from_store(store, text) == lexical._posseg(text), text
    # both kinds of store live side by side
    lexical.word_store(tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("jieba-*.sqlite3"))) == 2


def test_pos_tags_in_a_new_process(tmp_path: Path) -> None:
    lexical.word_store(tmp_path / "cache", kind="pos")
    text = "督促176家医药机构进行自查自纠"
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from index.lexical import pos_tags
        tags = pos_tags({text!r}, Path({str(tmp_path / "cache")!r}))
        import jieba
        print(tags, jieba.dt.initialized)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{lexical._posseg(text)} False"
