"""Rewriting a paragraph to an instruction ("更正式一些，压缩到200字"), numbers kept, with a diff.

Every number of the original must survive unless the instruction says to drop or change it:
after generation the numbers are checked, the model is asked once more with the missing ones
listed, and whatever is still missing is reported (never silently lost). The diff is character-level
(Chinese has no spaces to split on), grouped into readable operations.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant import llm as llm_api
from assistant.draft import (
    DraftEvent,
    GenStats,
    _timings,
    ask_again,
    clean_output,
    collect,
    stream_generate,
    system_prompt,
)
from assistant.prompts import render
from assistant.style import style_profile
from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_DROP_VERBS = ("删", "去掉", "去除", "不要", "不写", "省略", "隐去", "拿掉", "不保留", "不用")
_CHANGE_VERBS = ("改为", "改成", "换成", "替换", "更新为", "调整为", "修改为", "改")
_NUMBER_WORDS = ("数字", "数据", "数值", "金额", "比例", "百分比", "指标")


@dataclass
class RewriteResult:
    text: str
    diff: list[dict[str, str]]  # [{"op": "equal"|"insert"|"delete"|"replace", "old": …, "new": …}]
    diff_text: str  # inline form: unchanged text, [-removed-]{+added+}
    original: str = ""
    instruction: str = ""
    missing_numbers: list[str] = field(default_factory=list)  # still missing after the repair pass
    repaired: bool = False
    model: str = ""
    timings: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    messages: list[BaseMessage] = field(default_factory=list, repr=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "diff": self.diff_text, "ops": self.diff}
        if self.missing_numbers:
            data["missing_numbers"] = self.missing_numbers
        data["model"] = self.model
        data["timings"] = self.timings
        if self.notes:
            data["notes"] = self.notes
        return data


# --- numbers -----------------------------------------------------------------------------------


def numbers_in(text: str) -> list[str]:
    """Arabic numbers as written (full-width normalised, thousands separators removed), in order, unique."""
    seen: dict[str, None] = {}
    for m in _NUMBER.finditer(text.translate(_WIDTH)):
        seen.setdefault(m.group(0).replace(",", ""), None)
    return list(seen)


def numbers_to_keep(original: str, instruction: str) -> list[str]:
    """Numbers of the original that must survive: all, except those the instruction says to drop
    or change ("删去2023年的数据" drops 2023; "去掉所有数字" drops all). Shortening is not dropping."""
    nums = numbers_in(original)
    instr = instruction.translate(_WIDTH)
    if any(v in instr for v in _DROP_VERBS) and any(w in instr for w in _NUMBER_WORDS):
        named = [n for n in nums if n in numbers_in(instr)]
        return [n for n in nums if n not in named] if named else []
    named = set(numbers_in(instr))
    if named and any(v in instr for v in (*_DROP_VERBS, *_CHANGE_VERBS)):
        return [n for n in nums if n not in named]
    return nums


def missing_numbers(required: Sequence[str], text: str) -> list[str]:
    present = set(numbers_in(text))
    return [n for n in required if n not in present]


# --- diff --------------------------------------------------------------------------------------


def char_diff(old: str, new: str, min_equal: int = 2) -> list[dict[str, str]]:
    """Character-level diff grouped into readable operations: an unchanged run shorter than
    `min_equal` between two changes is folded into them (no "改[-了-]{+的+}写" confetti)."""
    ops: list[dict[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        ops.append({"op": tag, "old": old[i1:i2], "new": new[j1:j2]})
    merged: list[dict[str, str]] = []
    for i, op in enumerate(ops):
        fold = (
            op["op"] == "equal"
            and len(op["old"]) < min_equal
            and merged
            and merged[-1]["op"] != "equal"
            and i + 1 < len(ops)
        )
        if fold or (op["op"] != "equal" and merged and merged[-1]["op"] != "equal"):
            prev = merged[-1]
            prev["old"] += op["old"]
            prev["new"] += op["new"]
            prev["op"] = "replace" if prev["old"] and prev["new"] else ("delete" if prev["old"] else "insert")
        else:
            merged.append(dict(op))
    return merged


def diff_text(ops: Sequence[dict[str, str]]) -> str:
    out = []
    for op in ops:
        if op["op"] == "equal":
            out.append(op["old"])
        else:
            if op["old"]:
                out.append(f"[-{op['old']}-]")
            if op["new"]:
                out.append(f"{{+{op['new']}+}}")
    return "".join(out)


# --- the pipeline ------------------------------------------------------------------------------


def repair_numbers(
    model: BaseChatModel,
    messages: list[BaseMessage],
    out: str,
    keep: Sequence[str],
    *,
    what: str,
    limit: int,
    n_ctx: int,
    stats: GenStats,
    t0: float,
    temperature: float | None,
) -> Generator[DraftEvent, None, tuple[str, list[str], list[str], list[BaseMessage]]]:
    """If `out` lost numbers of `keep`, ask the model once to put them back and keep whichever version
    lost fewer (the repair may rewrite more than asked). Returns (text, still missing, notes, messages)."""
    missing = missing_numbers(keep, out)
    if not missing:
        return out, [], [], messages
    note = f"{what}漏掉了数字 {'、'.join(missing)}，正在补回"
    yield DraftEvent("info", note, restart=True)
    second, messages = yield from ask_again(
        model,
        messages,
        out,
        render("repair_numbers", missing=missing),
        stats=stats,
        max_new_tokens=limit,
        n_ctx=n_ctx,
        t0=t0,
        temperature=temperature,
    )
    if len(missing_numbers(keep, second)) <= len(missing):
        out = second
    still = missing_numbers(keep, out)
    return (
        out,
        still,
        [note, f"仍缺少原文数字：{'、'.join(still)}，请人工核对" if still else "已补回全部数字"],
        messages,
    )


def stream_rewrite(
    settings: Settings,
    text: str,
    instruction: str,
    *,
    kb: str | None = None,
    temperature: float | None = None,
    model: BaseChatModel | None = None,
    max_new_tokens: int | None = None,
    history: Sequence[BaseMessage] = (),
) -> Iterator[DraftEvent]:
    """Rewrite `text` to `instruction`; yields tokens, a restart info if a repair pass runs, then done."""
    from langchain_core.messages import HumanMessage, SystemMessage

    t0 = time.perf_counter()
    text = (text or "").strip()
    instruction = (instruction or "").strip()
    if not text:
        raise BiganziError("要改写的文字为空：用 --text 文件 或 --text - 从标准输入读入")
    if not instruction:
        raise BiganziError("请写明改写要求，例如 --instruction “更正式一些，压缩到200字”")
    model = model or llm_api.get_chat_model(settings)
    n_ctx = llm_api.context_size(model, settings)
    keep = numbers_to_keep(text, instruction)
    system = system_prompt(style_profile(settings, kb))
    user = render("rewrite", text=text, instruction=instruction, numbers=keep)
    messages: list[BaseMessage] = [SystemMessage(content=system), *history, HumanMessage(content=user)]

    from assistant.budget import count_messages
    from assistant.draft import max_new_tokens_for

    limit = max_new_tokens or max_new_tokens_for(model, max(len(text), 100))
    used = count_messages(lambda t: llm_api.count_tokens(model, t), messages)
    if used + limit > n_ctx:
        raise BiganziError(
            f"原文太长（约{used}个词元），超出上下文长度{n_ctx}：请分段改写，或调大 BIGANZI_N_CTX"
        )

    stats = GenStats()
    for piece in stream_generate(
        model, messages, max_new_tokens=limit, n_ctx=n_ctx, stats=stats, t0=t0, temperature=temperature
    ):
        yield DraftEvent("token", piece)
    out = clean_output(stats.text)
    out, missing, notes, messages = yield from repair_numbers(
        model,
        messages,
        out,
        keep,
        what="改写稿",
        limit=limit,
        n_ctx=n_ctx,
        stats=stats,
        t0=t0,
        temperature=temperature,
    )
    repaired = bool(notes)  # notes are written only when a repair pass ran
    ops = char_diff(text, out)
    result = RewriteResult(
        text=out,
        diff=ops,
        diff_text=diff_text(ops),
        original=text,
        instruction=instruction,
        missing_numbers=missing,
        repaired=repaired,
        model=llm_api.model_label(model),
        timings=_timings(stats, time.perf_counter() - t0),
        notes=notes,
        messages=messages,
    )
    yield DraftEvent("done", out, result=result)


def rewrite_text(settings: Settings, text: str, instruction: str, **kwargs: Any) -> RewriteResult:
    return collect(stream_rewrite(settings, text, instruction, **kwargs))
