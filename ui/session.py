"""Per-browser state of the writing desk. One `DeskSession` lives in a `gr.State` per browser tab
(Gradio keys it by session hash), so two clerks never see each other's chat, figures or drafts.
Nothing here is module-global; the server-wide `Settings` is only read, never written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from core.settings import Settings

# Settings a user may change for their own session on the 设置 tab (never written to disk or to
# another session). Anything else (data dir, embedder) is the server's.
SESSION_SETTING_KEYS: tuple[str, ...] = (
    "llm",
    "openai_base_url",
    "openai_api_key",
    "openai_model",
    "temperature",
)


@dataclass
class Reply:
    """What the last reply produced, kept to refine, export and explain it."""

    mode: str = ""
    request: str = ""
    text: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)
    trace: dict[str, Any] | None = None  # number trace report, plain data
    notes: list[str] = field(default_factory=list)  # info events (trimmed exemplars, empty KB, …)
    timings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Proposal:
    """A rewrite or 套改 waiting for 接受/放弃."""

    kind: str  # "rewrite" | "update"
    old: str
    new: str
    ops: list[dict[str, str]] = field(default_factory=list)  # the rewrite's own diff, when it has one
    trace: dict[str, Any] | None = None


@dataclass
class DeskSession:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    kb: str | None = None  # None = the server's default
    overrides: dict[str, Any] = field(default_factory=dict)
    facts: list[dict[str, Any]] = field(default_factory=list)  # confirmed figures (what drafting uses)
    figures_text: str = ""  # the confirmed facts as text, the form drafting prompts take
    chat: list[dict[str, str]] = field(default_factory=list)  # [{"role", "content"}] as shown
    conversation: Any = None  # assistant.conversation.Conversation: drafts and their follow-ups
    conversation_key: tuple[Any, ...] = ()  # (kb, backend…) the conversation was made for
    free_turns: list[dict[str, str]] = field(default_factory=list)  # 自由对话 history, plain text
    draft: str = ""  # the current draft: what downloads, 校对 and 改写 act on
    last: Reply | None = None
    proposal: Proposal | None = None
    exports: int = 0
    queued: bool = False  # the last user message is on screen and waits for the model

    def settings(self, base: Settings) -> Settings:
        """The server settings with this session's own choices on top (a copy; `base` is untouched)."""
        update: dict[str, Any] = {k: v for k, v in self.overrides.items() if k in SESSION_SETTING_KEYS}
        if self.kb:
            update["kb"] = self.kb
        return base.model_copy(update=update) if update else base

    def kb_name(self, base: Settings) -> str:
        return self.kb or base.kb

    def reset_chat(self) -> None:
        self.chat.clear()
        self.free_turns.clear()
        self.conversation = None
        self.conversation_key = ()
        self.last = None
        self.proposal = None
        self.queued = False


def new_session() -> DeskSession:
    """Factory for `gr.State`: Gradio calls it once per browser session."""
    return DeskSession()
