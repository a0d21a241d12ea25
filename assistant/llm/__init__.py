"""Chat models behind LangChain's `BaseChatModel`, chosen by `settings.llm`.

Backends register a factory here (`local`, `openai`, `fake`); the rest of the code asks for
`get_chat_model(settings)` and a few capabilities through the helpers below, so it never needs to
know which backend it talks to. Backend modules are imported only when selected.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

Factory = Callable[[Settings], "BaseChatModel"]

# name -> "module:function" (imported on first use, keeps `biganzi --help` instant)
REGISTRY: dict[str, str] = {
    "local": "assistant.llm.runner:create",  # the model in its own supervised process
    "local-inproc": "assistant.llm.local:create",  # the same engine inside this process
    "openai": "assistant.llm.openai:create",
    "fake": "assistant.llm.fake:create",
}


def register(name: str, target: str) -> None:
    """Add a backend: `target` is "module:function" taking Settings and returning a BaseChatModel."""
    REGISTRY[name] = target


def get_chat_model(settings: Settings) -> BaseChatModel:
    name = (settings.llm or "").strip().lower()
    if name not in REGISTRY:
        raise BiganziError(
            f"未知的模型后端 {settings.llm!r}：可选 {' | '.join(REGISTRY)}（BIGANZI_LLM 或 --llm）"
        )
    module_name, attr = REGISTRY[name].split(":")
    factory: Factory = getattr(importlib.import_module(module_name), attr)
    return factory(settings)


# --- capabilities (duck-typed so any BaseChatModel works) ---------------------------------------


def count_tokens(model: BaseChatModel, text: str) -> int:
    """Tokens of `text` in the model's own tokenizer when it has one, else cl100k (offline)."""
    own = getattr(model, "count_tokens", None)
    if callable(own):
        return int(own(text))
    from index.tokens import count_tokens as cl100k

    return cl100k(text)


def context_size(model: BaseChatModel, settings: Settings) -> int:
    return int(getattr(model, "n_ctx", None) or settings.n_ctx)


def supports_prefill(model: BaseChatModel) -> bool:
    """True when a trailing AIMessage is continued in place (used to resume a reply cut by length)."""
    return bool(getattr(model, "supports_prefill", False))


def model_label(model: BaseChatModel) -> str:
    return str(getattr(model, "label", None) or getattr(model, "model_name", None) or type(model).__name__)


def supports_grammar(model: BaseChatModel) -> bool:
    """True when `model.stream(msgs, grammar=<GBNF text>, logit_bias={token_id: bias},
    figure_lock=[figure strings], no_latin=True, require_figures=True, copy_block={"source", "keep"})`
    constrains decoding (the local backends: llama.cpp grammars, logit bias, assistant.llm.figure_gate
    and assistant.llm.copy_block, in or out of process; no_latin and require_figures go with a
    figure_lock)."""
    return bool(getattr(model, "supports_grammar", False))


def tokenize(model: BaseChatModel, text: str) -> list[int] | None:
    """The model's own token ids of `text` (no BOS, no special tokens), or None when the backend
    has no tokenizer of its own to ask (a remote endpoint, the fake)."""
    own = getattr(model, "tokenize", None)
    return [int(t) for t in own(text)] if callable(own) else None


def surprise(model: BaseChatModel, prefix: str, text: str) -> list[float] | None:
    """Each token of `text` after `prefix`: the model's surprise at it (negative log-probability,
    nats; assistant.llm.scoring). None when the backend cannot score a text (a remote endpoint,
    the fake), or the two do not fit its scoring context."""
    own = getattr(model, "surprise", None)
    got = own(prefix, text) if callable(own) else None
    return [float(x) for x in got] if got else None


def digit_token_ids(model: BaseChatModel) -> list[int] | None:
    """Ids of every vocabulary token whose text contains a digit (0-9 or full-width), for a
    `logit_bias` that keeps digits out; None when the backend cannot take token-level biases."""
    own = getattr(model, "digit_token_ids", None)
    return [int(t) for t in own()] if callable(own) and supports_grammar(model) else None


def cancel(model: BaseChatModel) -> bool:
    """Stop `model`'s running generation (and any it has waiting in line) at the next token; the
    stream then ends with finish_reason "cancelled". False when the backend cannot cancel."""
    own = getattr(model, "cancel", None)
    if not callable(own):
        return False
    own()
    return True
