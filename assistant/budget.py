"""Token budgets: the prompt (exemplars + figures + history + request) must leave room for the reply.

Counting uses the backend's own tokenizer when it has one (llama.cpp's), else offline cl100k; see
`assistant.llm.count_tokens`. When the prompt is too long we trim, in this order, and report each
step: the lowest-ranked exemplar first, sentence by sentence from its end, until it is gone, then
the next; then the oldest conversation turns. The figures and the request are never trimmed: if
they alone do not fit, that is an error the user can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from langchain_core.messages import BaseMessage

from assistant.llm.messages import text_of
from core.errors import BiganziError

# Chat-template overhead: role markers and separators per message, plus the reply header.
PER_MESSAGE_TOKENS = 4
REPLY_PRIMING_TOKENS = 3
MIN_NEW_TOKENS = 128

_SENTENCE = re.compile(r"[^。！？；!?;]+[。！？；!?;]*")


@dataclass(frozen=True)
class Exemplar:
    """A past passage shown to the model as a style reference, in rank order (0 = best)."""

    source: str
    section: str
    heading: str
    text: str  # what the prompt shows (may be a trimmed view of the original)
    original: str = ""  # the retrieved passage, as cited
    rank: int = 0

    @property
    def label(self) -> str:
        return f"范例{self.rank + 1}（{self.source}{' · ' + self.heading if self.heading else ''}）"


Builder = Callable[[list[Exemplar], list[BaseMessage]], list[BaseMessage]]


@dataclass
class BudgetPlan:
    messages: list[BaseMessage]
    prompt_tokens: int
    n_ctx: int
    max_new_tokens: int
    exemplars: list[Exemplar]
    history: list[BaseMessage]
    trimmed: list[str] = field(default_factory=list)


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def count_messages(count: Callable[[str], int], messages: Sequence[BaseMessage]) -> int:
    return sum(count(text_of(m)) + PER_MESSAGE_TOKENS for m in messages) + REPLY_PRIMING_TOKENS


def fit(
    count: Callable[[str], int],
    *,
    n_ctx: int,
    max_new_tokens: int,
    build: Builder,
    exemplars: Sequence[Exemplar] = (),
    history: Sequence[BaseMessage] = (),
) -> BudgetPlan:
    """Messages from `build(exemplars, history)` that fit in n_ctx - max_new_tokens, trimming as
    described above. `history` is a list of alternating user/assistant messages, oldest first."""
    kept = list(exemplars)
    hist = list(history)
    trimmed: list[str] = []

    def total() -> tuple[list[BaseMessage], int]:
        msgs = build(kept, hist)
        return msgs, count_messages(count, msgs)

    messages, used = total()
    limit = n_ctx - max_new_tokens
    if used <= limit:
        return BudgetPlan(messages, used, n_ctx, max_new_tokens, kept, hist)

    # 1. Exemplars, lowest-ranked first: drop sentences from the end, then the exemplar itself.
    for i in range(len(kept) - 1, -1, -1):
        ex = kept[i]
        sentences = split_sentences(ex.text)
        n = len(sentences)
        while used > limit and n > 1:
            n -= 1
            kept[i] = replace(ex, text="".join(sentences[:n]).rstrip("，、；;, ") + "……")
            messages, used = total()
        if used > limit:
            del kept[i]
            messages, used = total()
            trimmed.append(f"删去{ex.label}")
        elif n < len(sentences):
            trimmed.append(f"{ex.label}截短为前{n}句（原{len(sentences)}句）")
        if used <= limit:
            break

    # 2. History, oldest turn (user + reply) first.
    dropped = 0
    while used > limit and hist:
        del hist[: 2 if len(hist) >= 2 else 1]
        dropped += 1
        messages, used = total()
    if dropped:
        trimmed.append(f"删去最早的{dropped}轮对话")

    # 3. Last resort: a shorter reply, down to a floor.
    if used > limit:
        room = n_ctx - used
        if room >= MIN_NEW_TOKENS:
            trimmed.append(f"输出上限由{max_new_tokens}降为{room}个词元")
            max_new_tokens = room
        else:
            raise BiganziError(
                f"今年数据和写作要求共约{used}个词元，超出上下文长度{n_ctx}（需为输出留{MIN_NEW_TOKENS}个以上）："
                "请缩短数据或要求，或调大 BIGANZI_N_CTX"
            )
    return BudgetPlan(messages, used, n_ctx, max_new_tokens, kept, hist, trimmed)
