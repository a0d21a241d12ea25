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
    collect,
    system_prompt,
)
from assistant.prompts import render
from assistant.rewrite_kinds import (
    Parts,
    Problem,
    RewriteSpec,
    number_counts,
    numbers_in,
    one_fact,
    parse_parts,
    recognise,
    reordered,
    sentence_at,
    similarity,
    verify,
)
from assistant.style import style_profile
from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
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
    kind: str = "free"  # the kind recognised (assistant.rewrite_kinds.KINDS)
    length: int | None = None  # the length asked, if any
    passed: bool = True  # every check passed
    changed: bool = True  # False: nothing usable came back; `text` is the original, notes say why
    problems: list[str] = field(default_factory=list)  # checks still failing after the retry
    attempts: int = 1

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "diff": self.diff_text, "ops": self.diff}
        if self.missing_numbers:
            data["missing_numbers"] = self.missing_numbers
        data["model"] = self.model
        data["timings"] = self.timings
        if self.notes:
            data["notes"] = self.notes
        data.update(kind=self.kind, passed=self.passed, changed=self.changed)
        if self.problems:
            data["problems"] = self.problems
        return data


# --- numbers -----------------------------------------------------------------------------------


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


def changes(ops: Sequence[dict[str, str]]) -> list[str]:
    """One line per change of a diff, for choosing which to accept: 第1处：“进一步”→“持续”."""
    out = []
    for op in ops:
        if op["op"] == "equal":
            continue
        old, new = _short(op["old"]), _short(op["new"])
        what = f"删去“{old}”" if not new else (f"加上“{new}”" if not old else f"“{old}”→“{new}”")
        out.append(f"第{len(out) + 1}处：{what}")
    return out


def apply_changes(ops: Sequence[dict[str, str]], accepted: set[int]) -> str:
    """The original with only the accepted changes (numbered from 0 as in `changes`) applied."""
    out, k = [], 0
    for op in ops:
        if op["op"] == "equal":
            out.append(op["old"])
            continue
        out.append(op["new"] if k in accepted else op["old"])
        k += 1
    return "".join(out)


def apply_picked(ops: Sequence[dict[str, str]], accepted: set[int]) -> str:
    """apply_changes for a pick made by hand, refused when it would lose a figure or say one twice:
    a sentence moved to a new place (换个说法) is two changes, where it left and where it arrived."""
    text = apply_changes(ops, accepted)
    before = number_counts("".join(op["old"] for op in ops))
    after = number_counts("".join(op["new"] for op in ops))
    got = number_counts(text)
    wrong = [
        n
        for n in {*before, *after, *got}
        if not min(before[n], after[n]) <= got[n] <= max(before[n], after[n])
    ]
    if wrong:
        raise BiganziError(
            f"所选的修改会丢掉或重复数字{'、'.join(sorted(wrong))}：调换了位置的句子请把删去和加上的两处一起接受，或全部接受"
        )
    return text


def _short(text: str, limit: int = 16) -> str:
    text = text.replace("\n", "↵")
    return text if len(text) <= limit else text[: limit // 2] + "…" + text[-(limit // 2) :]


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
    figures: str | None = None,
    seed: int | None = None,
) -> Iterator[DraftEvent]:
    """Rewrite `text` to `instruction`: the kind is recognised in code, its method runs, the result
    is verified (and retried once differently); yields tokens, info lines, then done."""
    text = (text or "").strip()
    instruction = (instruction or "").strip()
    if not text:
        raise BiganziError("要改写的文字为空：用 --text 文件 或 --text - 从标准输入读入")
    if not instruction:
        raise BiganziError("请写明改写要求，例如 --instruction “更正式一些，压缩到200字”")
    model = model or llm_api.get_chat_model(settings)
    n_ctx = llm_api.context_size(model, settings)
    system = system_prompt(style_profile(settings, kb))
    used = llm_api.count_tokens(model, system + text) + 200
    if used + (max_new_tokens or 0) > n_ctx:
        raise BiganziError(
            f"原文太长（约{used}个词元），超出上下文长度{n_ctx}：请分段改写，或调大 BIGANZI_N_CTX"
        )
    result = yield from run_rewrite(
        model,
        system,
        text,
        instruction,
        settings=settings,
        kb=kb,
        figures=figures or "",
        temperature=settings.temperature if temperature is None else temperature,
        seed=seed,
    )
    yield DraftEvent("done", result.text, result=result)


def run_rewrite(
    model: BaseChatModel,
    system: str,
    text: str,
    instruction: str,
    *,
    settings: Settings | None = None,
    kb: str | None = None,
    figures: str = "",
    temperature: float = 0.3,
    seed: int | None = None,
    spec: RewriteSpec | None = None,
) -> Generator[DraftEvent, None, RewriteResult]:
    """The rewrite engine (page, CLI and chat follow-ups): recognise → method → clean-up → verify →
    once more differently if it failed → notes for what could not be done. An unchanged text is
    never returned as a rewrite: `changed` is False and the notes say why."""
    import random

    from assistant.draft import tokens_per_char
    from assistant.rewrite_methods import METHODS, Ctx

    t0 = time.perf_counter()
    spec = spec or recognise(instruction, text, figures)
    keep = numbers_to_keep(text, instruction)
    extra = set(numbers_in(_LENGTH_WORDS.sub("", instruction))) | set(numbers_in(spec.figures_text))
    extra |= set(numbers_in(figures))  # the user's own figures may be written in
    allowed = set(numbers_in(text)) | extra
    ctx = Ctx(
        model=model,
        system=system,
        keep=keep,
        allowed=allowed,
        extra=extra,
        settings=settings,
        kb=kb,
        figures=figures,
        temperature=temperature,
        seed=seed if seed is not None else random.randint(1, 2**30),
        t0=t0,
        tokens_per_char=tokens_per_char(model),
    )
    parts = parse_parts(text)
    yield DraftEvent("info", f"改写方式：{spec.label}" + (f"，约{spec.length}字" if spec.length else ""))
    method = METHODS.get(spec.kind, METHODS["free"])
    best: tuple[str, list[Problem]] | None = None
    attempts = 0
    for attempt in range(2):
        attempts += 1
        if attempt:
            yield DraftEvent(
                "info",
                f"第一稿没有通过检查（{'；'.join(str(p) for p in best[1]) if best else ''}），换一种方式重试",
                restart=True,
            )
        candidate = yield from method(ctx, parts, spec, attempt)
        candidate = clean_up(candidate, instruction, keep, keep_headings=bool(parts.heading))
        candidate = _keep_heading(parts, spec, candidate)
        problems = verify(spec, text, candidate, keep, sorted(allowed))
        # as many problems as the first try: the one that changed more (the retry re-asks only
        # what the first could not change, so it is the first try and more)
        if best is None or (len(problems), similarity(candidate, text)) < (
            len(best[1]),
            similarity(best[0], text),
        ):
            best = (candidate, problems)
        if not problems:
            break
    assert best is not None
    out, problems = best
    changed = out.strip() != text.strip() and not (
        any(p.check == "unchanged" for p in problems) and similarity(out, text) >= 0.99
    )
    said = "；".join(str(p) for p in problems)
    if spec.kind == "formal":
        from assistant.rewrite_methods import already_formal

        # no colloquial word for the phrase table: say why so little changed, or what was done
        formal_already = already_formal(text)
        if formal_already and problems and all(p.check == "unchanged" for p in problems):
            said += "（原文已是规范的公文表述，可改之处不多）"
        elif formal_already and not problems:
            ctx.notes.append("原文已是规范的公文表述，本次在保持公文语体的前提下调整了部分用词和句式")
    if spec.kind == "reword" and spec.sentence is None and not problems and reordered(text, out):
        ctx.notes.append("为避免与原文雷同，调整了几项措施的先后顺序，各句用词也已改写")
    if spec.sentence is not None and any(p.check == "unchanged" for p in problems):
        said += _one_figure_note(parts, spec.sentence)
    if spec.kind in ("compress", "concise") and any(p.check == "length" for p in problems):
        said += _dense_figures_note(parts, keep, spec.length)
    notes = list(dict.fromkeys(ctx.notes))
    if spec.kind == "reword" and problems and _bundled_model(settings):
        notes.append(_stronger_model_hint(spec))
    elif spec.kind in ("reword", "formal") and not problems and _bundled_model(settings):
        notes.append(BUNDLED_REWORDING_CAUTION)  # (the checks read figures and form, not every word's sense)
    if not changed:
        out = text
        notes.append(f"未能完成“{spec.label}”：{said or '改写结果与原文相同'}。原文未改动")
    elif problems:
        notes.append(f"未能完全做到：{said}，请人工核对")
    notes += contradiction_notes(out)
    # What was streamed were pieces; the checked text replaces them, the notes say what failed.
    summary = "已通过检查：" + "、".join(_CHECKED.get(spec.kind, ("篇幅", "数字", "标题", "确有改动")))
    yield DraftEvent("info", summary if changed and not problems else notes[-1], restart=True)
    yield DraftEvent("token", out)
    for note in notes:
        if note != notes[-1] or (changed and not problems):
            yield DraftEvent("info", note)
    ops = char_diff(text, out)
    stats = ctx.stats
    return RewriteResult(
        text=out,
        diff=ops,
        diff_text=diff_text(ops),
        original=text,
        instruction=instruction,
        missing_numbers=missing_numbers(keep, out),
        repaired=attempts > 1,
        model=llm_api.model_label(model),
        timings=_timings(stats, time.perf_counter() - t0),
        notes=notes,
        kind=spec.kind,
        length=spec.length,
        passed=changed and not problems,
        changed=changed,
        problems=[str(p) for p in problems],
        attempts=attempts,
    )


def _bundled_model(settings: Settings | None) -> bool:
    """Whether the rewrite ran on the bundled 1.5B model (no other GGUF, no remote endpoint)."""
    return settings is not None and settings.llm in ("local", "local-inproc") and settings.model_path is None


# Measured by a reader's labels of blind runs (bench/data/rewrite_labels_session19.jsonl): most new wordings
# of the bundled 1.5B model that pass every check still change a word's sense somewhere (a scope dropped,
# a term swapped, a plan said as done). The checks hold figures and form; the writer reads the rest.
BUNDLED_REWORDING_CAUTION = "提示：数字、标题和篇幅已核对；本地小模型改写时常改变个别词语的含义（如范围、时态、专业术语），请对照差异逐句核对后采用"


def _stronger_model_hint(spec: RewriteSpec) -> str:
    """What the writer can do when 换个说法 fails on the bundled model: measured (bench/rewrite_eval.py),
    it rarely finds a wording both new and faithful, so the failure is the model's size, not the text."""
    one_by_one = "可以逐句改写（如“第二句换个说法”），或" if spec.sentence is None else "可以"
    return (
        "默认的本地小模型难以在不改变事实的前提下换成全新的说法；"
        f"{one_by_one}在“设置”页改用更强的 OpenAI 兼容接口模型（如本单位部署的通义千问、DeepSeek；"
        "命令行用 BIGANZI_LLM=openai）"
    )


def _one_figure_note(parts: Parts, index: int) -> str:
    """Why a named sentence could not be said anew, where it says little but a figure (森林抚育面积达1.1万亩
    以上。): there is almost nothing else to word differently; what the writer can do instead."""
    if not one_fact(sentence_at(parts, index)):
        return ""
    return "（这一句只陈述一项数据，可换的说法很少；可以整段“换个说法”，或直接修改这一句）"


def _dense_figures_note(parts: Parts, keep: list[str], asked: int | None) -> str:
    """Why a 压缩 could not reach its length, where every sentence carries a figure: each figure is kept
    (shortening is not dropping), and what the writer can say to get a shorter text."""
    if not keep or not parts.sentences or not all(numbers_in(s) for s in parts.sentences):
        return ""
    to = f"压缩到{asked}字" if asked else "再压缩"
    example = f"{to}，删去{'、'.join(keep[-2:])}这{'两' if len(keep) > 1 else '一'}个数字"
    return f"（原文每句都有数据，保留全部{len(keep)}个数字很难{to}；可以说明删去哪些数字，如“{example}”，或放宽字数）"


_CHECKED: dict[str, tuple[str, ...]] = {
    "compress": ("篇幅", "原文数字", "标题", "确有改动"),
    "concise": ("篇幅", "原文数字", "标题", "确有改动"),
    "expand": ("篇幅", "原文数字", "没有新增数字", "标题"),
    "heading": ("对仗标题", "正文数字"),
    "first_person": ("第一人称", "原文数字", "标题", "确有改动"),
    "split": ("一是、二是", "原文数字", "标题"),
    "add_figures": ("新增数据", "原文数字", "标题"),
}
_LENGTH_WORDS = re.compile(r"\d+\s*(?:个)?字")


def _keep_heading(parts: Any, spec: RewriteSpec, candidate: str) -> str:
    """A model that dropped the heading (the free path) gets it back: headings are kept unless asked."""
    if spec.kind == "heading" or not parts.heading:
        return candidate
    new = parse_parts(candidate)
    if new.heading == parts.heading:
        return candidate
    body = candidate.strip()
    for lead in (parts.heading, parts.heading_text):
        # the clean-up pass writes (二) as （二）: the heading as the user wrote it stays
        if lead and _half(body).startswith(_half(lead)):
            body = body[len(lead) :].lstrip("。：:，, \n")
            break
    return parts.heading + (parts.sep or "\n") + body


def _half(text: str) -> str:
    return text.translate(str.maketrans("（）：，", "():,"))


def clean_up(text: str, instruction: str, keep: Sequence[str], keep_headings: bool = False) -> str:
    """The drafting clean-up pass (assistant.cleanup.clean_prose) where it is installed."""
    try:
        from assistant.cleanup import clean_prose
    except ImportError:
        return text
    out = clean_prose(text, request=instruction, protect=list(keep), keep_headings=keep_headings)
    return out if isinstance(out, str) else str(getattr(out, "text", text))


def contradiction_notes(text: str) -> list[str]:
    """One metric with two values in one text (assistant.checks.contradiction, where installed)."""
    try:
        from assistant.checks.contradiction import find_contradictions
    except ImportError:
        return []
    notes = []
    for c in find_contradictions(text) or []:
        msg = getattr(c, "message", None) or str(c)
        notes.append(f"前后矛盾：{msg}")
    return notes


def rewrite_text(settings: Settings, text: str, instruction: str, **kwargs: Any) -> RewriteResult:
    return collect(stream_rewrite(settings, text, instruction, **kwargs))
