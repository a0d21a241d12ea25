"""`local-inproc` backend, and the engine the model process runs: llama.cpp through llama-cpp-python.

Loading a GGUF takes seconds, so one `Llama` lives per process (rebuilt only if the file or the
context settings change). llama.cpp keeps the KV cache of the previous prompt inside that object:
a new prompt that starts with the same tokens (our byte-identical system message, an unchanged
conversation so far) is evaluated only from the first differing token. A process-wide lock makes
concurrent callers queue instead of corrupting that shared state.

`local` (the default) runs this same engine in a supervised child process (`assistant/llm/runner.py`),
so a native crash there never takes the page down; `local-inproc` runs it in the calling process.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from assistant.llm.messages import final_chunk, to_dicts
from core.errors import BiganziError
from core.settings import Settings

_LOAD_LOCK = threading.Lock()
# Held for a whole generation: the Llama object (its KV cache) serves one request at a time.
GENERATION_LOCK = threading.Lock()
_LOADED: dict[str, Any] = {}  # "key" -> (key tuple, Llama, formatter)
_GRAMMARS: dict[str, Any] = {}  # GBNF text -> LlamaGrammar (parsing costs; drafts reuse a few)


def load_llama(model_path: str, n_ctx: int, n_threads: int, prompt_lookup: int = 0) -> tuple[Any, Any]:
    """The process's Llama for these settings and a chat formatter built from the GGUF's own template."""
    key = (str(model_path), n_ctx, n_threads, prompt_lookup)
    with _LOAD_LOCK:
        cached = _LOADED.get("key")
        if cached and cached[0] == key:
            return cached[1], cached[2]
        _LOADED.clear()  # one model in memory at a time
        try:
            import llama_cpp
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding
        except ImportError:
            raise BiganziError(
                "未安装 llama-cpp-python：请运行 make setup（或 pip install 'biganzi[local]'），或改用 --llm openai"
            ) from None
        draft = LlamaPromptLookupDecoding(num_pred_tokens=prompt_lookup) if prompt_lookup > 0 else None
        try:
            llm = llama_cpp.Llama(
                model_path=str(model_path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                draft_model=draft,
                # Speculative decoding reads the logits of every position; llama-cpp-python sizes its
                # score buffer from this flag (n_ctx × vocab floats: ~1.2 GB at n_ctx 2048 for Qwen).
                logits_all=draft is not None,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as e:
            raise BiganziError(
                f"无法加载模型 {model_path}：{' '.join(str(e).split())[:120]}（文件损坏或不是 llama.cpp 支持的 GGUF）"
            ) from None
        formatter = _formatter(llm, llama_cpp)
        _LOADED["key"] = (key, llm, formatter)
        return llm, formatter


def _formatter(llm: Any, llama_cpp: Any) -> Any:
    """Renders messages exactly as `create_chat_completion` does (the GGUF's chat template); we need
    the text to count prompt tokens and to continue a cut reply in place."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    eos_id, bos_id = llm.token_eos(), llm.token_bos()
    eos = llm._model.token_get_text(eos_id) if eos_id != -1 else ""
    bos = llm._model.token_get_text(bos_id) if bos_id != -1 else ""
    return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos, stop_token_ids=[eos_id])


def grammar_of(gbnf: str | None) -> Any:
    """A parsed llama.cpp grammar (cached by its text); a bad grammar is a BiganziError."""
    if not gbnf:
        return None
    if gbnf not in _GRAMMARS:
        from llama_cpp import LlamaGrammar

        try:
            _GRAMMARS[gbnf] = LlamaGrammar.from_string(gbnf, verbose=False)
        except (ValueError, RuntimeError) as e:
            raise BiganziError(f"解码约束（GBNF 语法）无效：{' '.join(str(e).split())[:160]}") from None
        if len(_GRAMMARS) > 32:
            _GRAMMARS.pop(next(iter(_GRAMMARS)))
    return _GRAMMARS[gbnf]


def tokenize(llm: Any, text: str) -> list[int]:
    """The model's own token ids of plain text (no special tokens, no BOS)."""
    return list(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)) if text else []


def digit_token_ids(llm: Any) -> list[int]:
    """Ids of every vocabulary token whose text holds a digit (ASCII or full-width): what a logit
    bias must cover to keep digits out of (or in) the output. From the figure gate's vocabulary
    scan, so the vocabulary is read once for both."""
    import numpy as np

    from assistant.llm.figure_gate import vocab_of

    return [int(i) for i in np.nonzero(vocab_of(llm).digit)[0]]


@dataclass
class Generation:
    """What one generation produced besides its text pieces."""

    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    text: str = ""
    cached_prefix: str = ""  # "memory" | "disk" | "saved" | "" (see prompt_cache.restore_prefix)
    extra: dict[str, Any] = field(default_factory=dict)


class LogitBias:
    """{token id: bias} added to the logits, as a llama.cpp logits processor."""

    def __init__(self, bias: dict[int, float]) -> None:
        self.ids, self.values = list(bias), list(bias.values())

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        out = scores.copy()
        out[self.ids] += self.values
        return out


def generate(
    llm: Any,
    formatter: Any,
    dicts: list[dict[str, str]],
    params: dict[str, Any],
    *,
    stops: list[str] | None = None,
    grammar: str | None = None,
    logit_bias: dict[int, float] | None = None,
    figure_lock: Sequence[str] | None = None,
    no_latin: bool = False,
    require_figures: bool = False,
    copy_block: dict[str, Any] | None = None,
    cancelled: Callable[[], bool] | None = None,
    prompt_cache: Any = None,
    out: Generation | None = None,
) -> Iterator[str]:
    """Text pieces of one reply to `dicts` (OpenAI-style messages). A trailing assistant message is
    continued in place (same template, no closing tag). The caller holds GENERATION_LOCK.
    `cancelled()` is checked after every piece: True ends the reply with finish_reason "cancelled".
    With a `prompt_cache` (prompt_cache.PromptCache) the system prompt's evaluated state is restored
    from disk when this process has not evaluated it yet, and saved the first time it is."""
    out = out if out is not None else Generation()
    stops = list(stops or [])
    extra: dict[str, Any] = {"grammar": grammar_of(grammar)} if grammar else {}
    processors: list[Any] = []
    if logit_bias:
        # (as a processor of ours: given both a logit_bias and a logits_processor, llama-cpp-python
        # 0.3.x drops both, `logits_processor = logits_processor.extend(…)` being None)
        processors.append(LogitBias({int(k): float(v) for k, v in logit_bias.items()}))
    if figure_lock is not None:
        from assistant.llm.figure_gate import FigureGate, vocab_of

        processors.append(FigureGate(vocab_of(llm), figure_lock, latin=not no_latin, require=require_figures))
    if copy_block and copy_block.get("source"):
        from assistant.llm.copy_block import CopyBlock
        from assistant.llm.figure_gate import vocab_of

        keep = [str(k) for k in copy_block.get("keep") or []]
        processors.append(CopyBlock(vocab_of(llm), str(copy_block["source"]), keep))
    if processors:
        from llama_cpp import LogitsProcessorList

        extra["logits_processor"] = LogitsProcessorList(processors)
    prefill = bool(dicts) and dicts[-1]["role"] == "assistant" and formatter is not None
    delta: Callable[[dict[str, Any]], str | None]
    if prefill:
        rendered = formatter(messages=dicts[:-1])
        prompt = rendered.prompt + dicts[-1]["content"]
    else:
        prompt = formatter(messages=dicts).prompt if formatter else ""
    if prompt_cache is not None and formatter is not None and dicts and dicts[0]["role"] == "system":
        system_only = formatter(messages=dicts[:1]).prompt
        out.cached_prefix = prompt_cache.restore_prefix(llm, system_only, prompt)
    if prefill:
        stream = llm.create_completion(
            prompt=prompt,
            stream=True,
            stop=[*rendered.stop, *stops],
            stopping_criteria=rendered.stopping_criteria,
            **params,
            **extra,
        )

        def delta(c: dict[str, Any]) -> str | None:
            return c["choices"][0].get("text")

    else:
        stream = llm.create_chat_completion(messages=dicts, stream=True, stop=stops, **params, **extra)

        def delta(c: dict[str, Any]) -> str | None:
            return c["choices"][0].get("delta", {}).get("content")

    pieces: list[str] = []
    try:
        for c in stream:
            piece = delta(c)
            out.finish_reason = c["choices"][0].get("finish_reason") or out.finish_reason
            if piece:
                pieces.append(piece)
                yield piece
            if cancelled is not None and cancelled():
                out.finish_reason = "cancelled"
                break
    finally:
        close = getattr(stream, "close", None)
        if close:
            close()
        out.text = "".join(pieces)
        out.prompt_tokens = (
            len(llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)) if prompt else 0
        )
        out.completion_tokens = len(tokenize(llm, out.text))


def sampling_params(kwargs: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {
        "temperature": kwargs.get("temperature", defaults.get("temperature", 0.3)),
        "max_tokens": kwargs.get("max_tokens", defaults.get("max_tokens")),
        "repeat_penalty": kwargs.get("repeat_penalty", defaults.get("repeat_penalty", 1.1)),
        "frequency_penalty": kwargs.get("frequency_penalty", 0.0) or 0.0,
        "presence_penalty": kwargs.get("presence_penalty", 0.0) or 0.0,
        "seed": kwargs.get("seed", defaults.get("seed")),
    }


class LlamaChatModel(BaseChatModel):
    model_path: str
    n_ctx: int = 8192
    n_threads: int = 2
    temperature: float = 0.3
    repeat_penalty: float = 1.1
    prompt_lookup: int = 0
    max_tokens: int | None = None
    seed: int | None = None  # fixed for reproducible benchmarks; None = llama.cpp's default
    supports_prefill: bool = True
    supports_grammar: bool = True
    reuses_prefix: bool = True  # llama.cpp keeps the evaluated prompt + reply: a continuation is cheap
    prompt_cache_dir: str | None = None  # persisted system-prompt states (None = off)
    prompt_cache_mb: int = 0
    # cancel(): generations that started before this monotonic time end at their next token.
    cancel_state: dict[str, float] = Field(default_factory=lambda: {"at": -1.0}, exclude=True)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def label(self) -> str:
        return Path(self.model_path).name

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx}

    def llama(self) -> Any:
        return load_llama(self.model_path, self.n_ctx, self.n_threads, self.prompt_lookup)[0]

    def count_tokens(self, text: str) -> int:
        return len(tokenize(self.llama(), text))

    def tokenize(self, text: str) -> list[int]:
        return tokenize(self.llama(), text)

    def digit_token_ids(self) -> list[int]:
        return digit_token_ids(self.llama())

    def surprise(self, prefix: str, text: str) -> list[float]:
        from assistant.llm.scoring import surprise_at

        with GENERATION_LOCK:
            return surprise_at(self.llama(), self.n_threads, prefix, text)

    def cancel(self) -> None:
        """Stop this model's running generation at its next token (a queued one ends at once)."""
        self.cancel_state["at"] = time.monotonic()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text, meta, usage = "", {}, None
        for chunk in self._stream(messages, stop=stop, run_manager=run_manager, **kwargs):
            text += chunk.text
            msg = chunk.message
            if isinstance(msg, AIMessageChunk) and msg.usage_metadata:
                meta, usage = msg.response_metadata, msg.usage_metadata
        message = AIMessage(content=text, response_metadata=meta, usage_metadata=usage)
        info = {"finish_reason": meta.get("finish_reason")}
        return ChatResult(generations=[ChatGeneration(message=message, generation_info=info)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llm, formatter = load_llama(self.model_path, self.n_ctx, self.n_threads, self.prompt_lookup)
        defaults = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "repeat_penalty": self.repeat_penalty,
            "seed": self.seed,
        }
        params = sampling_params(kwargs, defaults)
        cache = None
        if self.prompt_cache_dir and self.prompt_cache_mb > 0:
            from assistant.llm.prompt_cache import PromptCache

            cache = PromptCache.for_model(
                Path(self.prompt_cache_dir), self.model_path, self.n_ctx, self.prompt_cache_mb
            )
        done = Generation()
        started = time.monotonic()

        def cancelled() -> bool:
            return self.cancel_state["at"] >= started

        with GENERATION_LOCK:
            if cancelled():  # stopped while it waited for the model
                done.finish_reason = "cancelled"
                texts: Iterator[str] = iter(())
            else:
                texts = generate(
                    llm,
                    formatter,
                    to_dicts(messages),
                    params,
                    stops=stop,
                    grammar=kwargs.get("grammar"),
                    logit_bias=kwargs.get("logit_bias"),
                    figure_lock=kwargs.get("figure_lock"),
                    no_latin=bool(kwargs.get("no_latin")),
                    require_figures=bool(kwargs.get("require_figures")),
                    copy_block=kwargs.get("copy_block"),
                    cancelled=cancelled,
                    prompt_cache=cache,
                    out=done,
                )
            for piece in texts:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if run_manager:
                    run_manager.on_llm_new_token(piece, chunk=chunk)
                yield chunk
        yield final_chunk(
            finish_reason=done.finish_reason,
            prompt_tokens=done.prompt_tokens,
            completion_tokens=done.completion_tokens,
            model=self.label,
        )


def create(settings: Settings) -> LlamaChatModel:
    from assistant.model_files import ensure_local_model

    path = ensure_local_model(settings, progress=_note)
    return LlamaChatModel(
        model_path=str(path),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads or os.cpu_count() or 2,
        temperature=settings.temperature,
        repeat_penalty=settings.repeat_penalty,
        prompt_lookup=settings.prompt_lookup,
        prompt_cache_dir=str(settings.models_dir / "prompt-cache"),
        prompt_cache_mb=settings.prompt_cache_mb,
    )


def _note(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)
