"""`local` backend: llama.cpp in-process through llama-cpp-python, streaming.

Loading a GGUF takes seconds, so one `Llama` lives per process (rebuilt only if the file or the
context settings change). llama.cpp keeps the KV cache of the previous prompt inside that object:
a new prompt that starts with the same tokens (our byte-identical system message, an unchanged
conversation so far) is evaluated only from the first differing token. A process-wide lock makes
concurrent callers (several web sessions) queue instead of corrupting that shared state.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.llm.messages import final_chunk, text_of, to_dicts
from core.errors import BiganziError
from core.settings import Settings

_LOAD_LOCK = threading.Lock()
# Held for a whole generation: the Llama object (its KV cache) serves one request at a time.
GENERATION_LOCK = threading.Lock()
_LOADED: dict[str, Any] = {}  # "key" -> (key tuple, Llama, formatter)


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
        if not text:
            return 0
        return len(self.llama().tokenize(text.encode("utf-8"), add_bos=False, special=False))

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
        params: dict[str, Any] = {
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "repeat_penalty": kwargs.get("repeat_penalty", self.repeat_penalty),
            "frequency_penalty": kwargs.get("frequency_penalty", 0.0),
            "seed": kwargs.get("seed", self.seed),
        }
        stops = list(stop or [])
        prefill = bool(messages) and isinstance(messages[-1], AIMessage) and formatter is not None
        with GENERATION_LOCK:
            delta: Callable[[dict[str, Any]], str | None]
            if prefill:
                # Continue the trailing assistant message in place: same template, no closing tag.
                rendered = formatter(messages=to_dicts(messages[:-1]))
                prompt = rendered.prompt + text_of(messages[-1])
                stream = llm.create_completion(
                    prompt=prompt,
                    stream=True,
                    stop=[*rendered.stop, *stops],
                    stopping_criteria=rendered.stopping_criteria,
                    **params,
                )

                def delta(c: dict[str, Any]) -> str | None:
                    return c["choices"][0].get("text")

            else:
                dicts = to_dicts(messages)
                prompt = formatter(messages=dicts).prompt if formatter else ""
                stream = llm.create_chat_completion(messages=dicts, stream=True, stop=stops, **params)

                def delta(c: dict[str, Any]) -> str | None:
                    return c["choices"][0].get("delta", {}).get("content")

            out: list[str] = []
            finish: str | None = None
            for c in stream:
                piece = delta(c)
                finish = c["choices"][0].get("finish_reason") or finish
                if piece:
                    out.append(piece)
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                    if run_manager:
                        run_manager.on_llm_new_token(piece, chunk=chunk)
                    yield chunk
            text = "".join(out)
            prompt_tokens = (
                len(llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)) if prompt else 0
            )
            completion_tokens = (
                len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)) if text else 0
            )
        yield final_chunk(
            finish_reason=finish,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
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
    )


def _note(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)
