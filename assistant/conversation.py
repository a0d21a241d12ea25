"""Multi-turn drafting: a first request drafts a section, follow-ups ("再精炼一些", "第二句换个说法")
refine the latest draft. One `Conversation` per user (the web page keeps one per browser session);
all state lives on the object.

The conversation's messages grow by appending only — system, first prompt, draft, follow-up,
revision… — so each turn's prompt starts with the previous one and llama.cpp re-evaluates only the
new follow-up (follow-up time to first token ≈ its own length, not the whole history). When the
context fills up, the oldest turns are dropped (reported) and the figures are restated.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant import llm as llm_api
from assistant.budget import fit
from assistant.draft import (
    DraftEvent,
    DraftResult,
    GenStats,
    _finalize,
    _timings,
    clean_output,
    max_new_tokens_for,
    stream_draft,
    stream_generate,
)
from assistant.prompts import render
from assistant.rewrite import numbers_to_keep, repair_numbers
from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

# A message that asks for a new section rather than a change to the current one.
_NEW_REQUEST = re.compile(r"(起草|写一段|写一篇|写一份|再写|另写|新写|撰写|帮我写|请写|写个)")
_REFINE_HINT = re.compile(
    r"(改|换|精炼|精简|压缩|润色|调整|删|补充|加上|去掉|缩短|扩写|正式|口语|简洁|上一稿|这段|第.句)"
)


@dataclass
class Turn:
    user: str
    kind: str  # "draft" | "refine"
    result: DraftResult


@dataclass
class Conversation:
    settings: Settings
    kb: str | None = None
    model: Any = None  # a BaseChatModel; created from settings on first use
    length: int | None = None  # None: the length written in the request, else 300 (assistant.request)
    figures: str | None = None
    max_new_tokens: int | None = None
    turns: list[Turn] = field(default_factory=list)
    messages: list[BaseMessage] = field(default_factory=list, repr=False)  # system + history so far
    _locked: Any = field(default=None, repr=False)

    @property
    def current(self) -> DraftResult | None:
        return self.turns[-1].result if self.turns else None

    def reset(self) -> None:
        self.turns.clear()
        self.messages = []
        self._locked = None

    def undo(self) -> None:
        """Forget the last turn (to regenerate it): the conversation is as it was before that turn."""
        from langchain_core.messages import AIMessage

        if not self.turns:
            return
        self.turns.pop()
        if not self.turns:
            self.reset()
            return
        prev = self.turns[-1].result
        self.messages = [*prev.messages, AIMessage(content=prev.text)]
        self._locked = prev.locked

    def chat_model(self) -> BaseChatModel:
        if self.model is None:
            self.model = llm_api.get_chat_model(self.settings)
        return self.model

    def is_refinement(self, text: str) -> bool:
        """A follow-up changes the current draft; a message that asks to write something new does not."""
        if not self.turns:
            return False
        return not (_NEW_REQUEST.search(text) and not _REFINE_HINT.search(text.split("，")[0]))

    def send(
        self, text: str, figures: str | None = None, temperature: float | None = None
    ) -> Iterator[DraftEvent]:
        """One user turn. New figures replace the conversation's figures."""
        text = (text or "").strip()
        if not text:
            raise BiganziError("请输入内容：写作要求，或对上一稿的修改意见")
        if figures is not None:
            self.figures = figures.strip() or None
        if self.is_refinement(text) and figures is None:
            yield from self._refine(text, temperature)
        else:
            yield from self._draft(text, temperature)

    # --- turns ---------------------------------------------------------------------------------

    def _draft(self, request: str, temperature: float | None) -> Iterator[DraftEvent]:
        from langchain_core.messages import AIMessage

        history = self.messages[1:]  # earlier turns stay in context (cheap: their prefix is cached)
        for ev in stream_draft(
            self.settings,
            request,
            figures=self.figures,
            length=self.length,
            history=history,
            kb=self.kb,
            temperature=temperature,
            model=self.chat_model(),
            max_new_tokens=self.max_new_tokens,
        ):
            if ev.kind == "done":
                result: DraftResult = ev.result
                self._locked = result.locked
                self.messages = [*result.messages, AIMessage(content=result.text)]
                self.turns.append(Turn(request, "draft", result))
            yield ev

    def _refine(self, instruction: str, temperature: float | None) -> Iterator[DraftEvent]:
        """A follow-up is a rewrite of the current draft: the same kinds, methods and checks as the
        改写 mode (assistant.rewrite.run_rewrite), aimed at the sentence or part named. A free
        instruction goes to the model with the conversation so far, then through the same checks."""
        from langchain_core.messages import AIMessage, HumanMessage

        from assistant.rewrite import contradiction_notes, run_rewrite
        from assistant.rewrite_kinds import recognise

        previous = self.current
        assert previous is not None
        spec = recognise(instruction, previous.text, self.figures or "")
        if spec.kind == "free" and spec.sentence is None:
            yield from self._refine_free(instruction, temperature, spec)
            return
        t0 = time.perf_counter()
        model = self.chat_model()
        system = self.messages[0] if self.messages else None
        system_text = str(system.content) if system is not None else ""
        rewrite = yield from run_rewrite(
            model,
            system_text,
            previous.text,
            instruction,
            settings=self.settings,
            kb=self.kb,
            figures=self.figures or "",
            temperature=self.settings.temperature if temperature is None else temperature,
            spec=spec,
        )
        text, report = _finalize(
            rewrite.text, self._locked, [s.get("text", "") for s in previous.sources], previous.request
        )
        messages = [
            *self.messages,
            HumanMessage(content=render("refine", instruction=instruction, figures="")),
        ]
        timings = dict(rewrite.timings)
        timings["total_s"] = round(time.perf_counter() - t0, 3)
        result = DraftResult(
            text=text,
            raw_text=rewrite.text,
            sources=previous.sources,
            model=rewrite.model,
            timings=timings,
            figures=report,
            kb_used=previous.kb_used,
            notes=list(dict.fromkeys([*rewrite.notes, *contradiction_notes(text)])),
            request=previous.request,
            messages=messages,
            locked=self._locked,
        )
        self.messages = [*messages, AIMessage(content=text)]
        self.turns.append(Turn(instruction, "refine", result))
        yield DraftEvent("done", text, result=result)

    def _refine_free(self, instruction: str, temperature: float | None, spec: Any) -> Iterator[DraftEvent]:
        """A free follow-up: the model sees the conversation (its prefix is cached); the answer is
        checked like a rewrite (numbers, heading, a real change) and asked once more if it fails."""
        from langchain_core.messages import AIMessage, HumanMessage

        from assistant.rewrite import contradiction_notes
        from assistant.rewrite_kinds import verify

        t0 = time.perf_counter()
        model = self.chat_model()
        n_ctx = llm_api.context_size(model, self.settings)
        previous = self.current
        assert previous is not None
        system, history = self.messages[0], self.messages[1:]
        keep = numbers_to_keep(previous.text, instruction)
        stats = GenStats()
        best: tuple[str, list[Any], list[str], list[BaseMessage], Any] | None = None
        for attempt in range(2):
            asked = instruction + ("（上一版几乎没有改动：这次要按要求做出实际修改）" if attempt else "")

            def build(_ex: Any, hist: list[BaseMessage], asked: str = asked) -> list[BaseMessage]:
                # Once the first prompt (with the figures) is trimmed away, restate the figures.
                restate = self.figures if len(hist) < len(history) else None
                user = render("refine", instruction=asked, figures=restate or "")
                return [system, *hist, HumanMessage(content=user)]

            plan = fit(
                lambda t: llm_api.count_tokens(model, t),
                n_ctx=n_ctx,
                max_new_tokens=self.max_new_tokens
                or max_new_tokens_for(model, max(self.length or 0, len(previous.text))),
                build=build,
                history=history,
            )
            if attempt == 0:
                for t in plan.trimmed:
                    yield DraftEvent("info", f"为不超出上下文，{t}")
            if not any(isinstance(m, AIMessage) for m in plan.messages):
                raise BiganziError("上下文太小，放不下上一稿：请调大 BIGANZI_N_CTX，或开始新的对话")
            stats.text = ""
            base = self.settings.temperature if temperature is None else temperature
            for piece in stream_generate(
                model,
                plan.messages,
                max_new_tokens=plan.max_new_tokens,
                n_ctx=n_ctx,
                stats=stats,
                t0=t0,
                temperature=base if attempt == 0 else max(0.7, base + 0.4),
            ):
                yield DraftEvent("token", piece)
            out = clean_output(stats.text)
            out, _, notes, messages = yield from repair_numbers(
                model,
                plan.messages,
                out,
                keep,
                what="修改稿",
                limit=plan.max_new_tokens,
                n_ctx=n_ctx,
                stats=stats,
                t0=t0,
                temperature=temperature,
            )
            problems = verify(spec, previous.text, out, keep)
            if best is None or len(problems) < len(best[1]):
                best = (out, problems, notes, messages, plan)
            if not problems:
                break
            if attempt == 0:
                why = "；".join(str(p) for p in problems)
                yield DraftEvent("info", f"修改稿没有通过检查（{why}），换一种方式重试", restart=True)
        assert best is not None
        out, problems, notes, messages, plan = best
        if out.strip() == previous.text.strip() or not out.strip():
            out = previous.text
            notes = [
                *notes,
                f"未能按“{instruction}”修改：{'；'.join(str(p) for p in problems)}。上一稿未改动",
            ]
        elif problems:
            notes = [*notes, f"未能完全做到：{'；'.join(str(p) for p in problems)}，请人工核对"]

        text, report = _finalize(
            out, self._locked, [s.get("text", "") for s in previous.sources], previous.request
        )
        result = DraftResult(
            text=text,
            raw_text=out,
            sources=previous.sources,
            model=llm_api.model_label(model),
            timings=_timings(stats, time.perf_counter() - t0),
            trimmed=plan.trimmed,
            figures=report,
            kb_used=previous.kb_used,
            notes=list(dict.fromkeys([*notes, *contradiction_notes(text)])),
            finish_reason=stats.finish_reason,
            request=previous.request,
            messages=messages,
            locked=self._locked,
        )
        self.messages = [*messages, AIMessage(content=text)]
        self.turns.append(Turn(instruction, "refine", result))
        yield DraftEvent("done", text, result=result)
