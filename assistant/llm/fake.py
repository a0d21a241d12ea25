"""`fake` backend: scripted replies for tests and demos, selectable by `BIGANZI_LLM=fake`.

Replies come from a queue (`enqueue`, or `BIGANZI_FAKE_REPLIES`: a JSON list or a path to one; an
item is a string or `{"text": …, "finish_reason": "length"}`). A queue loaded from settings is shared
by every fake model of the process, so a web server started with it replays the script in order.
When the queue is empty the reply is built from the prompt itself, deterministically:
a draft prompt gets a paragraph that carries every line of its 【今年数据】 block; a rewrite or a
follow-up gets the text it is about, lightly reworded (and shortened when asked). Tokens are
characters here (`count_tokens(text) == len(text)`), which keeps budget tests exact.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from assistant.llm.messages import final_chunk, text_of
from core.errors import BiganziError
from core.settings import Settings

_SHARED: dict[str, deque[Any]] = {}
_SHARED_LOCK = threading.Lock()

_SHORTEN = ("压缩", "精简", "精炼", "简洁", "缩短", "简短", "凝练")
_REWORD = (("进一步", "持续"), ("积极", "主动"), ("大力", "全力"), ("不断", "持续"))


class FakeChatModel(BaseChatModel):
    replies: Any = Field(default_factory=deque)  # deque of str | dict
    n_ctx: int = 8192
    chunk_chars: int = 3
    chunk_delay: float = 0.0  # seconds before each streamed piece (a slow model, for 停止 tests)
    label: str = "fake"
    supports_prefill: bool = True
    calls: list[list[BaseMessage]] = Field(default_factory=list)
    call_kwargs: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "biganzi-fake"

    def enqueue(self, *replies: str | dict[str, Any]) -> FakeChatModel:
        self.replies.extend(replies)
        return self

    def count_tokens(self, text: str) -> int:
        return len(text)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text, finish = self._reply(messages, kwargs, stop)
        meta = {"finish_reason": finish, "model_name": self.label}
        usage = {"input_tokens": self._prompt_len(messages), "output_tokens": len(text), "total_tokens": 0}
        usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
        message = AIMessage(content=text, response_metadata=meta, usage_metadata=usage)  # type: ignore[arg-type]
        return ChatResult(
            generations=[ChatGeneration(message=message, generation_info={"finish_reason": finish})]
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        text, finish = self._reply(messages, kwargs, stop)
        for i in range(0, len(text), self.chunk_chars):
            piece = text[i : i + self.chunk_chars]
            if self.chunk_delay:
                time.sleep(self.chunk_delay)
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        yield final_chunk(
            finish_reason=finish,
            prompt_tokens=self._prompt_len(messages),
            completion_tokens=len(text),
            model=self.label,
        )

    # --- replies ----------------------------------------------------------------------------

    def _prompt_len(self, messages: list[BaseMessage]) -> int:
        return sum(len(text_of(m)) for m in messages)

    def _reply(
        self, messages: list[BaseMessage], kwargs: dict[str, Any], stop: list[str] | None = None
    ) -> tuple[str, str]:
        text, finish = self._next(messages, kwargs)
        for s in stop or []:  # like a real server: cut at the first stop string, reason "stop"
            if s and s in text:
                text, finish = text[: text.index(s)], "stop"
        return text, finish

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> tuple[str, str]:
        self.calls.append(list(messages))
        self.call_kwargs.append(dict(kwargs))
        if self.replies:
            item = self.replies.popleft()
            if isinstance(item, dict):
                if item.get("error"):
                    raise BiganziError(str(item["error"]))
                return str(item.get("text", "")), str(item.get("finish_reason") or "stop")
            return str(item), "stop"
        text = default_reply(messages)
        max_tokens = kwargs.get("max_tokens")
        if isinstance(max_tokens, int) and 0 < max_tokens < len(text):
            return text[:max_tokens], "length"
        return text, "stop"


def default_reply(messages: list[BaseMessage]) -> str:
    """What the fake says when nothing is scripted: derived from the prompt, deterministic."""
    partial = ""
    if messages and isinstance(messages[-1], AIMessage):  # continue a reply cut by length
        partial = text_of(messages[-1])
        messages = messages[:-1]
    humans = [text_of(m) for m in messages if isinstance(m, HumanMessage)]
    prompt = humans[-1] if humans else ""
    if "【原文】" in prompt:
        full = reword(
            _block(prompt, "【原文】"), _block(prompt, "【改写要求】") + _block(prompt, "【补充要求】")
        )
    elif "【修改要求】" in prompt:
        previous = [text_of(m) for m in messages if isinstance(m, AIMessage)]
        full = reword(previous[-1] if previous else "", _block(prompt, "【修改要求】"))
    elif "【今年数据】" in prompt or "【写作任务】" in prompt:
        full = _draft(_block(prompt, "【写作任务】"), _between(prompt, "【今年数据】", "【写作任务】"))
    else:
        full = "收到：" + prompt.strip()[:60]
    return full[len(partial) :] if partial and full.startswith(partial) else full


def reword(text: str, instruction: str) -> str:
    """A visible, number-safe edit: fixed word swaps; when asked to shorten, keep the first
    sentence and every sentence that carries a number."""
    sentences = re.findall(r"[^。！？]+[。！？]?", text.strip())
    if any(k in instruction for k in _SHORTEN) and len(sentences) > 1:
        sentences = [s for i, s in enumerate(sentences) if i == 0 or re.search(r"\d", s)]
    out = "".join(sentences)
    for old, new in _REWORD:
        out = out.replace(old, new)
    return out


def _block(prompt: str, marker: str) -> str:
    """Text after `marker` up to the next 【…】 marker."""
    at = prompt.find(marker)
    if at < 0:
        return ""
    rest = prompt[at + len(marker) :]
    if rest.startswith(("（", "(")):  # a note on the marker line, e.g. 【今年数据】（原样使用）
        rest = rest.split("\n", 1)[1] if "\n" in rest else ""
    nxt = re.search(r"\n【", rest)
    return (rest[: nxt.start()] if nxt else rest).strip()


def _between(prompt: str, start: str, end: str) -> str:
    a = prompt.find(start)
    if a < 0:
        return ""
    b = prompt.find(end, a)
    return prompt[a + len(start) : b if b >= 0 else len(prompt)]


_LOCK_LINE = re.compile(
    r"^(?P<metric>[^：:]{1,40})[：:](?P<value>[^（(]+)(?:[（(](?P<period>[^）)]+)[）)])?$"
)


def _fact_sentence(line: str) -> str | None:
    """One figure line as a sentence: raw user text as is; a lock line "1. 指标：值（期间）" reads
    "期间，指标值"; rule lines (【…】, notes) are skipped."""
    line = line.strip(" -·\t")
    if not line or line.startswith(("【", "（", "(")) or not re.search(r"\d", line):
        return None
    line = re.sub(r"^\d+[.．、]\s*", "", line)
    m = _LOCK_LINE.match(line)
    if m:
        period = m.group("period")
        line = (
            f"{period}，{m.group('metric')}{m.group('value').strip()}"
            if period
            else m.group("metric") + m.group("value")
        )
    return line if line.endswith(("。", "；")) else line + "。"


def _draft(request: str, figures: str) -> str:
    quoted = re.findall(r"[“\"]([^”\"]+)[”\"]", request)
    topic = quoted[0] if quoted else "本项工作"
    body = "".join(s for line in figures.splitlines() if (s := _fact_sentence(line)))
    return f"围绕“{topic}”，我们始终坚持以人民为中心，聚焦重点任务，扎实推进各项工作。{body}下一步，将持续巩固提升工作成效。"


def _load_script(spec: str) -> deque[Any]:
    text = spec
    if not spec.lstrip().startswith("["):
        path = Path(spec).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise BiganziError(f"无法读取假模型回复脚本 {path}：{e.strerror}（BIGANZI_FAKE_REPLIES）") from e
    try:
        items = json.loads(text)
    except ValueError as e:
        raise BiganziError(f"假模型回复脚本不是合法的 JSON 列表（BIGANZI_FAKE_REPLIES）：{e}") from e
    if not isinstance(items, list):
        raise BiganziError("假模型回复脚本必须是 JSON 列表（BIGANZI_FAKE_REPLIES）")
    return deque(items)


def create(settings: Settings) -> FakeChatModel:
    queue: deque[Any] = deque()
    if settings.fake_replies:
        with _SHARED_LOCK:
            if settings.fake_replies not in _SHARED:
                _SHARED[settings.fake_replies] = _load_script(settings.fake_replies)
            queue = _SHARED[settings.fake_replies]
    return FakeChatModel(replies=queue, n_ctx=settings.n_ctx, chunk_delay=settings.fake_chunk_delay)
