"""An OpenAI-compatible model: `GET /v1/models`, `POST /v1/chat/completions`.

Chat front ends (Open WebUI, Cherry Studio, Dify, NextChat, LobeChat) talk to 笔杆子 as if it were a
model called `biganzi` (or `biganzi:<知识库>`). Each request is stateless: the earlier turns of
`messages` rebuild a `Conversation`, and the last user message goes through the page's own
pipeline (`Conversation.send` → `stream_draft` or the follow-up path): retrieval over the knowledge
base, the length, theme and figures read from the message (`assistant.request`), figures locked and
traced. A chat client shows only text, so the reply ends with a 参考 footer (`[1] 文件 > 章节`);
the number marks (【待核实：…】, 【待补充：…】) stay in the text.

Streaming follows the conventions clients rely on (`chat.completion.chunk` deltas, a final chunk
with `finish_reason`, an optional usage-only chunk, `data: [DONE]`). The text is sent once the
numbers are checked: the checked text can differ from what the model wrote token by token (a
figure restored, a number marked 【待核实】), and a chat client cannot take back what it has shown.
Until then the stream sends SSE comments so that proxies keep the connection open.

No `from __future__ import annotations` here: FastAPI reads the endpoints' type hints at run time.
"""

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from fastapi import APIRouter

MODEL_ID = "biganzi"
PLAIN_MAX_TOKENS = 512
_REASONING = re.compile(r"<think>.*?</think>|<details\b[^>]*>.*?</details>", re.S)
CLIENT_TASK = re.compile(r"^\s*###\s*Task:|<chat_history>", re.I)
FOOTER_HEAD = "参考："
OWNER = "biganzi"
_PIECE = re.compile(r".+?(?:[。！？；!?;]+[”’」』）)]*|\n+|$)", re.S)


class ApiError(Exception):
    """A request the API refuses: HTTP status, message, OpenAI error type/param/code."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


@dataclass
class ChatRequest:
    model: str  # the id as asked
    kb: str  # the knowledge base it names
    message: str  # the last user message
    history: list[tuple[str, str]] = field(default_factory=list)  # earlier (role, text), user/assistant
    stream: bool = False
    include_usage: bool = False
    temperature: float | None = None
    system: str = ""  # the client's system prompt (used only for its own background tasks)


# --- models -----------------------------------------------------------------------------------


def kb_of_model(settings: Settings, model: str | None) -> str:
    """`biganzi` → the server's knowledge base; `biganzi:<kb>` → that one (it must exist)."""
    from index.store import validate_name

    name = (model or MODEL_ID).strip()
    if name == MODEL_ID:
        return settings.kb
    prefix = MODEL_ID + ":"
    if not name.startswith(prefix) or not name[len(prefix) :].strip():
        raise ApiError(
            404,
            f"没有模型 {name!r}：可用 {MODEL_ID}，或 {MODEL_ID}:<知识库名>（GET /v1/models 列出全部）",
            param="model",
            code="model_not_found",
        )
    kb = name[len(prefix) :].strip()
    try:
        validate_name(kb)
    except BiganziError as e:
        raise ApiError(404, str(e), param="model", code="model_not_found") from e
    if not (settings.kb_root / kb / "registry.sqlite3").exists():
        raise ApiError(
            404,
            f"知识库 {kb} 不存在：模型 {name} 不可用；先运行 biganzi ingest 文件 --kb {kb}",
            param="model",
            code="model_not_found",
        )
    return kb


def list_models(settings: Settings) -> dict[str, Any]:
    from index.store import list_kbs

    created = int(time.time())
    ids = [MODEL_ID, *(f"{MODEL_ID}:{k.name}" for k in list_kbs(settings))]
    return {
        "object": "list",
        "data": [{"id": i, "object": "model", "created": created, "owned_by": OWNER} for i in ids],
    }


# --- requests ---------------------------------------------------------------------------------


def text_of(content: Any) -> str:
    """A message's text: a string, or the text parts of a content list (images are ignored)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and part.get("type") in ("text", "input_text"):
                parts.append(str(part.get("text") or ""))
        return "".join(parts)
    return str(content)


def strip_footer(text: str) -> str:
    """An earlier reply without its 参考 footer (the model should not learn to write one), and
    without the reasoning blocks some clients keep in a reply (`<think>`, Open WebUI's `<details>`)."""
    text = _REASONING.sub("", text)
    head, sep, _ = text.rpartition("\n" + FOOTER_HEAD)
    return head.rstrip() if sep else text.strip()


def footer_sources(text: str) -> list[dict[str, str]]:
    """The sources listed in an earlier reply's footer: `[n] 文件 > 章节` lines."""
    _, sep, tail = text.rpartition("\n" + FOOTER_HEAD)
    out = []
    for line in tail.splitlines() if sep else []:
        m = re.match(r"\s*\[\d+\]\s*(.+)", line)
        if m:
            source, _, section = m.group(1).partition(" > ")
            out.append({"source": source.strip(), "section": section.strip(), "text": ""})
    return out


def parse_chat_request(settings: Settings, body: Any) -> ChatRequest:
    if not isinstance(body, dict):
        raise ApiError(400, "请求体应为 JSON 对象")
    kb = kb_of_model(settings, body.get("model"))
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "messages 不能为空：至少要有一条 user 消息", param="messages")
    turns: list[tuple[str, str]] = []
    system: list[str] = []
    for m in messages:
        if not isinstance(m, dict):
            raise ApiError(400, "messages 的每一项应为 {role, content}", param="messages")
        role = str(m.get("role") or "")
        text = text_of(m.get("content")).strip()
        if role in ("system", "developer") and text:
            system.append(text)  # the drafting pipeline has its own; kept for client tasks
        elif role in ("user", "assistant") and text:
            turns.append((role, text))  # tool messages are ignored
    if not turns or turns[-1][0] != "user":
        raise ApiError(400, "最后一条消息应是 user 消息：写作要求，或对上一稿的修改意见", param="messages")
    options = body.get("stream_options") or {}
    temperature = body.get("temperature")
    if temperature is not None:
        try:
            temperature = min(max(float(temperature), 0.0), 2.0)
        except (TypeError, ValueError) as e:
            raise ApiError(400, "temperature 应为数字", param="temperature") from e
    return ChatRequest(
        model=str(body.get("model") or MODEL_ID),
        kb=kb,
        message=turns[-1][1],
        history=turns[:-1],
        stream=bool(body.get("stream")),
        include_usage=bool(isinstance(options, dict) and options.get("include_usage")),
        temperature=temperature,
        system="\n\n".join(system),
    )


# --- the pipeline -----------------------------------------------------------------------------


def rebuild_conversation(settings: Settings, req: ChatRequest) -> Any:
    """A Conversation as if the earlier turns had happened on this server: the earlier messages as
    its history, the last reply as the current draft (its footer's sources kept), the figures of
    the earlier user messages as the conversation's figures, locked as the first draft locked them."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    from assistant.conversation import Conversation, Turn
    from assistant.draft import DraftResult, _lock, system_prompt
    from assistant.request import resolve
    from assistant.style import style_profile

    st = settings.model_copy(update={"kb": req.kb})
    conv = Conversation(settings=st, kb=req.kb)
    if not any(role == "assistant" for role, _ in req.history):
        return conv
    figures = [resolve(text).figures for role, text in req.history if role == "user"]
    conv.figures = "\n".join(f for f in figures if f) or None
    _, locked = _lock(conv.figures, True)
    system = SystemMessage(content=system_prompt(style_profile(st, req.kb)))
    history = [
        AIMessage(content=strip_footer(t)) if role == "assistant" else HumanMessage(content=t)
        for role, t in req.history
    ]
    last = max(i for i, (role, _) in enumerate(req.history) if role == "assistant")
    first_user = next((t for role, t in req.history if role == "user"), "")
    reply = req.history[last][1]
    result = DraftResult(
        text=strip_footer(reply),
        raw_text=strip_footer(reply),
        sources=footer_sources(reply),
        model="",
        timings={},
        request=resolve(first_user).task if first_user else "",
        messages=[system, *history[:last]],
        locked=locked,
    )
    conv.turns.append(Turn(first_user, "draft", result))
    conv.messages = [system, *history]
    conv._locked = locked
    return conv


@dataclass
class Reply:
    text: str  # the checked text with its 参考 footer
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int

    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


def footer(sources: list[dict[str, Any]]) -> str:
    lines = []
    seen: set[tuple[str, str]] = set()
    for s in sources:
        key = (str(s.get("source") or "").strip(), str(s.get("section") or "").strip())
        if not key[0] or key in seen:
            continue
        seen.add(key)
        lines.append(f"[{len(lines) + 1}] {key[0]} > {key[1]}" if key[1] else f"[{len(lines) + 1}] {key[0]}")
    return f"\n\n{FOOTER_HEAD}\n" + "\n".join(lines) if lines else ""


def is_client_task(text: str) -> bool:
    """A chat front end's own background request (Open WebUI asks the chat model for a title, tags,
    follow-up questions: "### Task: …"), not something to draft."""
    return bool(CLIENT_TASK.search(text[:400]))


def run_plain(settings: Settings, req: ChatRequest) -> Reply:
    """The model alone, on the client's own messages: no retrieval, no drafting rules, no footer."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    from assistant import llm as llm_api
    from assistant.draft import GenStats, stream_generate

    model = llm_api.get_chat_model(settings)
    messages: list[Any] = [SystemMessage(content=req.system)] if req.system else []
    messages += [
        AIMessage(content=t) if r == "assistant" else HumanMessage(content=t) for r, t in req.history
    ]
    messages.append(HumanMessage(content=req.message))
    stats = GenStats()
    for _ in stream_generate(
        model,
        messages,
        max_new_tokens=PLAIN_MAX_TOKENS,
        n_ctx=llm_api.context_size(model, settings),
        stats=stats,
        t0=time.perf_counter(),
        temperature=req.temperature,
        max_continuations=0,
    ):
        pass
    return Reply(
        text=stats.text.strip(),
        finish_reason="length" if stats.finish_reason == "length" else "stop",
        prompt_tokens=stats.prompt_tokens,
        completion_tokens=stats.completion_tokens,
    )


def run(settings: Settings, req: ChatRequest) -> Reply:
    """One chat turn through the page's pipeline; the reply text is the checked text plus footer.
    A client's background task goes to the model alone (`run_plain`)."""
    if is_client_task(req.message):
        return run_plain(settings.model_copy(update={"kb": req.kb}), req)
    conv = rebuild_conversation(settings, req)
    result = None
    for ev in conv.send(req.message, temperature=req.temperature):
        if ev.kind == "done":
            result = ev.result
    if result is None:  # pragma: no cover - every stream ends with done or raises
        raise BiganziError("生成意外中断，没有得到结果；请重试")
    timings = result.timings or {}
    return Reply(
        text=result.text.strip() + footer(result.sources),
        finish_reason="length" if result.finish_reason == "length" else "stop",
        prompt_tokens=int(timings.get("prompt_tokens") or 0),
        completion_tokens=int(timings.get("completion_tokens") or 0),
    )


def completion(req: ChatRequest, reply: Reply, cid: str | None = None) -> dict[str, Any]:
    return {
        "id": cid or new_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": req.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "logprobs": None,
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": reply.usage(),
    }


def new_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def pieces(text: str) -> list[str]:
    """The text in sentence-sized deltas (joined, they are the text exactly)."""
    out = [m.group(0) for m in _PIECE.finditer(text) if m.group(0)]
    return out if "".join(out) == text else [text]


def chunk(req: ChatRequest, cid: str, created: int, delta: dict[str, Any], finish: str | None) -> dict:
    data: dict[str, Any] = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": req.model,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    if req.include_usage:
        data["usage"] = None
    return data


def reply_chunks(req: ChatRequest, reply: Reply, cid: str, created: int) -> Iterator[dict[str, Any]]:
    """The deltas after the opening role chunk: the text, the finish chunk, the usage chunk."""
    for piece in pieces(reply.text):
        yield chunk(req, cid, created, {"content": piece}, None)
    yield chunk(req, cid, created, {}, reply.finish_reason)
    if req.include_usage:
        yield {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": req.model,
            "choices": [],
            "usage": reply.usage(),
        }


# --- routes -----------------------------------------------------------------------------------

KEEPALIVE_S = 10.0


def router(settings: Settings) -> "APIRouter":
    import asyncio
    import json

    from fastapi import APIRouter, Request
    from fastapi.responses import JSONResponse, StreamingResponse
    from starlette.concurrency import run_in_threadpool

    api = APIRouter(prefix="/v1")

    def refused(e: ApiError) -> JSONResponse:
        return JSONResponse(e.body(), status_code=e.status)

    def as_api_error(e: Exception) -> ApiError:
        if isinstance(e, ApiError):
            return e
        if isinstance(e, BiganziError):
            return ApiError(400, str(e))
        return ApiError(500, f"内部错误：{type(e).__name__}: {e}", type="server_error")

    @api.get("/models")
    def models() -> JSONResponse:
        return JSONResponse(list_models(settings))

    @api.get("/models/{model_id:path}")
    def model(model_id: str) -> JSONResponse:
        try:
            kb_of_model(settings, model_id)
        except ApiError as e:
            return refused(e)
        return JSONResponse(
            {"id": model_id, "object": "model", "created": int(time.time()), "owned_by": OWNER}
        )

    @api.post("/chat/completions")
    async def chat_completions(request: Request) -> Any:
        try:
            body = await request.json()
        except Exception:
            return refused(ApiError(400, "请求体不是合法的 JSON"))
        try:
            req = parse_chat_request(settings, body)
        except ApiError as e:
            return refused(e)
        if not req.stream:
            try:
                reply = await run_in_threadpool(run, settings, req)
            except Exception as e:
                return refused(as_api_error(e))
            return JSONResponse(completion(req, reply))

        cid, created = new_id(), int(time.time())

        async def events() -> Any:
            def sse(data: dict[str, Any]) -> str:
                return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

            yield sse(chunk(req, cid, created, {"role": "assistant", "content": ""}, None))
            task = asyncio.ensure_future(run_in_threadpool(run, settings, req))
            while True:
                done, _ = await asyncio.wait({task}, timeout=KEEPALIVE_S)
                if done:
                    break
                yield ": keep-alive\n\n"
            try:
                reply = task.result()
            except Exception as e:
                yield sse(as_api_error(e).body())
            else:
                for data in reply_chunks(req, reply, cid, created):
                    yield sse(data)
            yield "data: [DONE]\n\n"

        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return api
