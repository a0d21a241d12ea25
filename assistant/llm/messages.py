"""Small helpers shared by the chat-model adapters: message conversion and the closing chunk."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGenerationChunk


def role_of(message: BaseMessage) -> str:
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, AIMessage):
        return "assistant"
    if isinstance(message, HumanMessage):
        return "user"
    return {"ai": "assistant", "human": "user"}.get(message.type, message.type)


def to_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": role_of(m), "content": text_of(m)} for m in messages]


def text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)


def final_chunk(
    *, finish_reason: str | None, prompt_tokens: int, completion_tokens: int, model: str
) -> ChatGenerationChunk:
    """The empty last chunk carrying why generation stopped and the token usage."""
    meta: dict[str, Any] = {"finish_reason": finish_reason, "model_name": model}
    usage = {
        "input_tokens": prompt_tokens,
        "output_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    return ChatGenerationChunk(
        message=AIMessageChunk(content="", response_metadata=meta, usage_metadata=usage),  # type: ignore[arg-type]
        generation_info={"finish_reason": finish_reason},
    )
