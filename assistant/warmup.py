"""Warm-up at web-page start: do once, in the background, what the first draft would otherwise pay
for — load the embedder and the BM25 matrix (one search), derive the style profile, and with the
local model, page in its weights and evaluate the system prompt, the byte-identical prefix every
draft starts with, so llama.cpp's cache already holds it."""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING

from assistant import llm as llm_api
from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


def warm_up(
    settings: Settings, kb: str | None = None, model: BaseChatModel | None = None
) -> dict[str, float]:
    """Seconds spent per step. The model step runs for the local backend (or a model passed in);
    a remote endpoint has no cache of ours to fill, and we don't call it unasked."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.draft import retrieve_exemplars, system_prompt
    from assistant.style import style_profile

    spent: dict[str, float] = {}
    t = time.perf_counter()
    retrieve_exemplars(settings, "工作总结", kb)  # never raises: a missing KB comes back as a note
    spent["search_s"] = time.perf_counter() - t
    t = time.perf_counter()
    profile = style_profile(settings, kb)
    spent["style_s"] = time.perf_counter() - t
    if model is None and settings.llm not in ("local", "local-inproc"):
        return spent
    t = time.perf_counter()
    model = model or llm_api.get_chat_model(settings)
    for _ in model.stream(
        [SystemMessage(content=system_prompt(profile)), HumanMessage(content="你好")], max_tokens=1
    ):
        pass
    spent["model_s"] = time.perf_counter() - t
    return spent


def warm_up_in_background(settings: Settings) -> threading.Thread:
    """Start warm_up on a daemon thread; a failure is one line on stderr (the first draft will say
    the same thing to the user, with what to do)."""

    def run() -> None:
        try:
            warm_up(settings)
        except BiganziError as e:
            print(f"预热未完成：{e}", file=sys.stderr, flush=True)
        except Exception as e:
            print(f"预热未完成：{type(e).__name__}: {e}", file=sys.stderr, flush=True)

    thread = threading.Thread(target=run, name="biganzi-warmup", daemon=True)
    thread.start()
    return thread
