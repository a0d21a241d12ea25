"""One method per rewrite kind, sized for a 1.5B model: code plans, the model writes small pieces.

- compress: code chooses and orders the sentences to keep (figure-bearing first, then the most
  central), the model tightens each kept sentence; code fits the length.
- expand: code plans the points (from how past reports in the knowledge base filled such a
  paragraph in), the model writes one point at a time; code joins them.
- formal / reword / 述职 voice / a named sentence: sentence by sentence, each answer checked
  (numbers, really different) and resampled once before the original sentence is kept.
- heading: several samples (seeds, temperatures), kept only if they pass the 对仗 pattern check.
- add figures, merge, split into 一是/二是: code, with the model only for the figure's sentence.
- free: the whole paragraph to the model, as before.

Every method is a generator: it yields DraftEvents (a token per finished piece, info lines) and
returns the candidate text. `attempt` 1 is the retry "done differently" (hotter, other seeds,
tighter targets). Verification is the caller's (assistant.rewrite).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.draft import DraftEvent, GenStats
from assistant.llm import supports_grammar as llm_supports_grammar
from assistant.prompts import render
from assistant.rewrite_kinds import (
    Parts,
    RewriteSpec,
    as_sentence,
    cjk_len,
    is_pair_heading,
    join_points,
    length_score,
    numbers_in,
    similarity,
    speaks_first_person,
    split_units,
    strip_marker,
)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from core.settings import Settings

Method = Callable[["Ctx", Parts, RewriteSpec, int], Generator[DraftEvent, None, str]]

HEADING_SAMPLES = 4
SENTENCE_TRIES = 2
POINT_CHARS = 60


@dataclass
class Ctx:
    """What a method needs: the model and its system prompt, numbers to keep, and bookkeeping."""

    model: BaseChatModel
    system: str
    keep: list[str]
    allowed: set[str]  # numbers that may appear anywhere (original, instruction, figures)
    extra: set[str] = field(default_factory=set)  # numbers a piece may add (instruction, figures)
    settings: Settings | None = None
    kb: str | None = None
    figures: str = ""  # the conversation's / page's figures (for "加上参保率")
    temperature: float = 0.3
    seed: int = 1
    stats: GenStats = field(default_factory=GenStats)
    t0: float = field(default_factory=time.perf_counter)
    notes: list[str] = field(default_factory=list)
    tokens_per_char: float = 1.0
    memo: dict[str, Any] = field(default_factory=dict)  # what a method keeps for its retry

    def ask(
        self,
        prompt: str,
        *,
        chars: int,
        temperature: float,
        seed: int,
        stop: list[str] | None = None,
        grammar: str | None = None,
        logit_bias: dict[int, float] | None = None,
    ) -> str:
        """One short completion (a sentence, a heading): no streaming needed, code checks it."""
        from langchain_core.messages import HumanMessage, SystemMessage

        kwargs: dict[str, Any] = {
            "max_tokens": int(chars * 1.6 * self.tokens_per_char) + 24,
            "temperature": temperature,
            "stop": stop or ["\n\n", "\n【"],
        }
        if seed is not None:
            kwargs["seed"] = seed
        if grammar and llm_supports_grammar(self.model):
            kwargs["grammar"] = grammar
        if logit_bias and llm_supports_grammar(self.model):
            kwargs["logit_bias"] = logit_bias
        msg = self.model.invoke([SystemMessage(content=self.system), HumanMessage(content=prompt)], **kwargs)
        text = msg.content if isinstance(msg.content, str) else ""
        usage = getattr(msg, "usage_metadata", None) or {}
        self.stats.calls += 1
        self.stats.prompt_tokens += int(usage.get("input_tokens") or 0)
        self.stats.completion_tokens += int(usage.get("output_tokens") or 0)
        if self.stats.ttft_s is None:
            self.stats.ttft_s = time.perf_counter() - self.t0
        return text.replace("**", "").strip()

    def temp(self, attempt: int, i: int = 0) -> float:
        base = max(self.temperature, 0.5)
        return round(min(1.3, base + 0.3 * attempt + 0.25 * i), 2)


# --- helpers -------------------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    s = "".join(re.findall(r"[\u4e00-\u9fff]", text))
    return {s[i : i + 2] for i in range(len(s) - 1)}


def centrality(sentences: list[str]) -> list[float]:
    """How much of the rest each sentence shares (bigram overlap with the others): the gist ranks high."""
    grams = [_bigrams(s) for s in sentences]
    out = []
    for i, g in enumerate(grams):
        others = [len(g & h) / (len(g | h) or 1) for j, h in enumerate(grams) if j != i]
        out.append(sum(others) / len(others) if others else 0.0)
    return out


def renumber(sentences: list[str]) -> list[str]:
    """一是/二是… in order again after sentences were dropped; a lone one loses its marker."""
    marked = [i for i, s in enumerate(sentences) if re.match(r"^[一二三四五六七八九十]是", s)]
    out = list(sentences)
    if len(marked) == 1:
        out[marked[0]] = strip_marker(out[marked[0]])
        return out
    for n, i in enumerate(marked):
        out[i] = "一二三四五六七八九十"[n] + "是" + out[i][2:] if n < 10 else out[i]
    return out


_QUALIFIED = re.compile(r"(\d+(?:\.\d+)?)[^\d，。；、]{0,4}?(以上|以下|余|多|左右|近|超过)")


def _numbers_ok(old: str, new: str, ctx: Ctx) -> bool:
    """The sentence's own numbers kept (with their 以上/余/左右), none added but the user's."""
    need = [n for n in numbers_in(old) if n in ctx.keep]
    present = set(numbers_in(new))
    ok = set(numbers_in(old)) | ctx.extra
    if not (all(n in present for n in need) and all(n in ok for n in present)):
        return False
    kept = {(m.group(1), m.group(2)) for m in _QUALIFIED.finditer(new)}
    return all((m.group(1), m.group(2)) in kept for m in _QUALIFIED.finditer(old) if m.group(1) in need)


def _sentence_prompt(sentence: str, how: str, ctx: Ctx, example: str = "") -> str:
    nums = [n for n in numbers_in(sentence) if n in ctx.keep]
    return render("rewrite_sentence", sentence=sentence, how=how, numbers=nums, example=example)


# One worked example per kind: a 1.5B model copies its input unless it sees what a change looks like.
EXAMPLES = {
    "formal": "“我们把这件事办得挺好，老百姓都很满意。”→“我局扎实推进该项工作，群众满意度显著提升。”",
    "reword": "“我局大力推进医保支付方式改革，成效明显。”→“医保支付方式改革纵深推进，改革红利持续释放。”",
    "first_person": "“局党组始终坚持从严治党。”→“我始终坚持从严治党，认真履行第一责任人职责。”",
}


def avoid_copy_bias(ctx: Ctx, sentence: str) -> dict[int, float] | None:
    """Where the backend takes a logit bias: the original sentence's first two tokens may not be
    written (a different opening; a small model that starts the same way copies the rest)."""
    if not llm_supports_grammar(ctx.model):
        return None
    from assistant.llm import tokenize

    head = re.sub(r"[\d，。；、：“”]", "", sentence)[:6]
    ids = tokenize(ctx.model, head) if head else None
    return {int(t): -100.0 for t in (ids or [])[:2]} or None


HOW = {
    "formal": "改成更正式、更规范的公文书面语，意思不变",
    "reword": "换一种说法重写，意思不变，用词和句式都要和原句明显不同",
    "first_person": "改成述职报告中“我”的第一人称口吻（如“我始终坚持……”“本人牵头……”），意思不变",
    "free": "",
}
MAX_SIM = {"formal": 0.92, "reword": 0.7, "first_person": 0.97, "free": 0.95}


# --- compress --------------------------------------------------------------------------------------


def compress(ctx: Ctx, parts: Parts, spec: RewriteSpec, attempt: int) -> Generator[DraftEvent, None, str]:
    """Keep the figure-bearing sentences and then the most central ones that fit; tighten each."""
    sents = parts.sentences
    if not sents:
        return parts.join()
    budget = max(10, (spec.length or round(cjk_len(parts.body) * 0.75)) - cjk_len(parts.heading))
    ratio = 0.85 if attempt == 0 else 0.72  # what tightening a sentence is expected to leave
    central = centrality(sents)
    has_fig = [any(n in ctx.keep for n in numbers_in(s)) for s in sents]
    # The opening sentence (what the paragraph is about) and the figure-bearing ones are kept.
    order = sorted(range(len(sents)), key=lambda i: (not (has_fig[i] or i == 0), -central[i]))
    chosen: list[int] = []
    est = 0.0
    for i in order:
        size = cjk_len(sents[i]) * ratio
        if has_fig[i] or i == 0 or est + size <= budget * 1.05:
            chosen.append(i)
            est += size
    chosen.sort()
    total = sum(cjk_len(sents[i]) for i in chosen) or 1
    scale = min(1.0, budget / total)
    out: dict[int, str] = {i: sents[i] for i in chosen}
    asked = spec.length or budget
    head = cjk_len(parts.heading)
    # The model tightens the kept sentences, longest first, until the text is within the length.
    tightened = 0
    for i in sorted(chosen, key=lambda k: -cjk_len(sents[k])):
        s = sents[i]
        if tightened and head + sum(cjk_len(out[k]) for k in chosen) <= asked * 1.05:
            break
        if "【" in s or cjk_len(s) < 10:
            continue  # a 【待核实】 mark stays as the tracer wrote it; a short sentence stays
        target = max(8, round(cjk_len(s) * min(scale, ratio if attempt else 0.95)))
        how = f"压缩到{target}字左右，删去修饰词和重复的话，意思不变"
        new = as_sentence(
            ctx.ask(
                _sentence_prompt(s, how, ctx),
                chars=cjk_len(s),
                temperature=ctx.temp(attempt),
                seed=ctx.seed + i + 1000 * attempt,
            ),
            s,
        )
        if new and _numbers_ok(s, new, ctx) and cjk_len(s) * 0.35 <= cjk_len(new) < cjk_len(s):
            out[i] = new
            tightened += 1
            yield DraftEvent("token", new)
    # Fit the length in code: drop the least needed sentence while too long, add back while too short.
    keep_order = list(chosen)

    def text_of(idx: list[int]) -> str:
        paras = [
            [out.get(i, sents[i]) for i in _para_indices(parts, p) if i in idx]
            for p in range(len(parts.paragraphs))
        ]
        return parts.join([renumber(p) for p in paras])

    droppable = sorted((i for i in keep_order if not has_fig[i] and i != 0), key=lambda i: central[i])
    while (
        cjk_len(text_of(keep_order)) > asked
        and length_score(asked, cjk_len(text_of(keep_order))) < 85
        and droppable
    ):
        keep_order.remove(droppable.pop(0))
    spare = [i for i in order if i not in keep_order]
    while (
        spare
        and length_score(asked, cjk_len(text_of(keep_order))) < 80
        and cjk_len(text_of(keep_order)) < asked
    ):
        nxt = spare.pop(0)
        trial = sorted([*keep_order, nxt])
        if length_score(asked, cjk_len(text_of(trial))) > length_score(asked, cjk_len(text_of(keep_order))):
            keep_order = trial
    return text_of(keep_order)


def _para_indices(parts: Parts, p: int) -> list[int]:
    start = sum(len(q) for q in parts.paragraphs[:p])
    return list(range(start, start + len(parts.paragraphs[p])))


# --- expand ----------------------------------------------------------------------------------------

GENERIC_POINTS = (
    "健全工作机制，明确责任分工",
    "强化督促检查，抓好问题整改",
    "加强宣传引导，营造良好氛围",
    "深化部门协同，形成工作合力",
    "加强队伍建设，提升履职能力",
    "注重总结提炼，巩固提升成效",
)


def point_hints(ctx: Ctx, topic: str, existing: list[str], n: int) -> list[str]:
    """What each new point is about: opening clauses of how past reports filled in such a paragraph
    (knowledge base), numbers and placeholders removed; generic moves when the KB has none."""
    hints: list[str] = []
    if ctx.settings is not None:
        try:
            from assistant.draft import exemplar_view
            from index.retrieve import search

            hits = search(ctx.settings, topic, k=8, kb=ctx.kb)
        except Exception:  # no knowledge base, or a search problem: plan from the generic moves
            hits = []
        for hit in hits:
            for s in split_units(exemplar_view(hit.text, "masked")):
                clause = re.split(r"[，：；。]", strip_marker(s))[0]
                if not (6 <= cjk_len(clause) <= 24) or re.search(r"\d", clause):
                    continue
                if any(similarity(clause, h) > 0.5 for h in hints):
                    continue
                if any(similarity(clause, e) > 0.45 or clause in e for e in existing):
                    continue
                hints.append(clause)
    for g in GENERIC_POINTS:
        if len(hints) >= n + 2:
            break
        if not any(similarity(g, e) > 0.4 for e in existing):
            hints.append(g)
    return hints


def expand(ctx: Ctx, parts: Parts, spec: RewriteSpec, attempt: int) -> Generator[DraftEvent, None, str]:
    sents = parts.sentences
    asked = spec.length or round(cjk_len(parts.body) * 1.6)
    need = asked - cjk_len(parts.join())
    per = POINT_CHARS if attempt == 0 else POINT_CHARS - 10
    n = max(1, min(6, round(need / per)))
    topic = parts.heading_text or (re.split(r"[，。；]", sents[0])[0] if sents else "本项工作")
    hints = point_hints(ctx, topic + " " + parts.body[:60], sents, n)
    context = parts.body[:160]
    # Points written on the first pass are kept for the retry, which only adds what is missing.
    points: list[str] = ctx.memo.setdefault("points", [])
    used: set[str] = ctx.memo.setdefault("hints", set())
    for k, hint in enumerate(hints):
        if len(points) >= n + 2 or (
            points and cjk_len(parts.join()) + sum(cjk_len(p) for p in points) >= asked
        ):
            break
        if hint in used:
            continue
        used.add(hint)
        prompt = render("rewrite_point", context=context, hint=hint, topic=topic, n=per)
        for t in range(1 + attempt):
            raw = ctx.ask(
                prompt,
                chars=per,
                temperature=ctx.temp(attempt, t),
                seed=ctx.seed + 17 * k + t + 1000 * attempt,
            )
            p = _no_number_clauses(as_sentence(strip_marker(raw), "。"))
            fresh = similarity(p, hint) < 0.75 and cjk_len(p) >= max(16, cjk_len(hint) + 6)
            if fresh and all(similarity(p, e) < 0.6 for e in [*sents, *points]):
                points.append(p)
                yield DraftEvent("token", p)
                break
    enumerated = [s for s in sents if re.match(r"^[一二三四五六七八九十]是", s)]
    paras = [list(p) for p in parts.paragraphs] or [[]]
    last = paras[-1]
    if enumerated:
        start = len(enumerated)
        for j, p in enumerate(points):
            if start + j < 10:
                last.append("一二三四五六七八九十"[start + j] + "是" + p)
            else:
                last.append(p)
        paras[-1] = renumber(last)
    else:
        closing = last[-1:] if len(last) > 1 else []  # the closing sentence stays last
        body = last[: len(last) - len(closing)]
        paras[-1] = [*body, *points, *closing]
    return parts.join(paras)


def _no_number_clauses(sentence: str) -> str:
    """A new point may not carry a number the user did not give: drop the clauses that do."""
    if not re.search(r"\d", sentence):
        return sentence
    clauses = re.findall(r"[^，；。]+[，；。]?", sentence)
    kept = "".join(c for c in clauses if not re.search(r"\d", c))
    return as_sentence(kept, "。") if cjk_len(kept) >= 10 else ""


# --- sentence by sentence ----------------------------------------------------------------------------


def sentencewise(ctx: Ctx, parts: Parts, spec: RewriteSpec, attempt: int) -> Generator[DraftEvent, None, str]:
    """formal / reword / 述职 voice, or any instruction aimed at one named sentence."""
    sents = parts.sentences
    if not sents:
        return parts.join()
    kind = spec.kind if spec.kind in HOW else "free"
    how = HOW[kind] or spec.instruction
    if kind == "free" and spec.sentence is not None:
        how = (
            re.sub(
                r"把?第[一二三四五六七八九十\d]{1,2}句(话)?|最后一句|末句|开头一?句|首句",
                "",
                spec.instruction,
            ).strip("，。 ")
            or "换一种说法"
        )
    if attempt:
        how += "；不要照抄原句"
    targets = list(range(len(sents)))
    if spec.sentence is not None:
        idx = spec.sentence if spec.sentence >= 0 else len(sents) + spec.sentence
        targets = [idx] if 0 <= idx < len(sents) else []
        if not targets:
            ctx.notes.append(f"原文只有{len(sents)}句，找不到要修改的那一句")
    max_sim = MAX_SIM.get(kind, 0.95)
    if spec.sentence is not None:
        max_sim = min(max_sim, 0.8)
    out = list(sents)
    # The retry asks again only for the sentences the first pass could not change (it costs a call
    # a sentence); a named sentence gets two samples on each pass.
    accepted: dict[int, str] = ctx.memo.setdefault("sentences", {})
    tries = SENTENCE_TRIES if spec.sentence is not None else 1
    for i in targets:
        s = sents[i]
        best = accepted.get(i, "")
        if best or ("【" in s and spec.sentence is None):  # 【待核实】 stays as the tracer wrote it
            out[i] = best or s
            yield DraftEvent("token", out[i])
            continue
        for t in range(tries):
            raw = ctx.ask(
                _sentence_prompt(s, how, ctx, EXAMPLES.get(kind, "")),
                chars=cjk_len(s),
                temperature=ctx.temp(attempt, t),
                seed=ctx.seed + 31 * i + t + 1000 * attempt,
                # a new wording (or any retry) may not open the way the original does
                logit_bias=avoid_copy_bias(ctx, s) if kind in ("reword", "formal") or attempt or t else None,
            )
            new = as_sentence(raw, s)
            shown = EXAMPLES.get(kind, "").split("→")[-1]
            if shown and similarity(new, shown.strip("“”")) > 0.5:
                continue  # the worked example copied back
            if (
                new
                and _numbers_ok(s, new, ctx)
                and similarity(s, new) < max_sim
                and cjk_len(new) <= cjk_len(s) * 1.8 + 10
            ):
                best = accepted[i] = new
                break
        if kind == "formal":
            best = _formal_words(best or s) if (best or _formal_words(s) != s) else ""
        out[i] = best or s
        yield DraftEvent("token", out[i])
    if kind == "first_person" and not speaks_first_person("".join(out)):
        out[0] = first_person_fallback(out[0])
    return parts.join(_regroup(parts, out))


def _regroup(parts: Parts, flat: list[str]) -> list[list[str]]:
    paras, k = [], 0
    for p in parts.paragraphs:
        paras.append(flat[k : k + len(p)])
        k += len(p)
    return paras


_SUBJECT = re.compile(r"^(今年以来，|[^，。]{0,8}年，)?(我局|本局|局党组|我单位|本单位|我们)")


def first_person_fallback(sentence: str) -> str:
    """Code's own 述职 voice for the first sentence: the unit as subject becomes 我; else 本人 leads."""
    m = _SUBJECT.match(sentence)
    if m:
        return sentence[: m.start(2)] + "我" + sentence[m.end(2) :]
    lead = re.match(r"^(今年以来|[^，。]{0,10}年(?:以来)?|任职以来)，", sentence)
    if lead:
        return sentence[: lead.end()] + "本人" + sentence[lead.end() :]
    return "本人" + sentence


_FORMAL_MAP = {
    "咱们": "我们",
    "咱": "我们",
    "挺": "较为",
    "特别好": "十分显著",
    "蛮": "较为",
    "搞定": "完成",
    "弄好": "做好",
    "没啥": "没有什么",
    "啥": "什么",
    "大伙": "大家",
    "老百姓": "群众",
    "很多很多": "大量",
}


def _formal_words(text: str) -> str:
    for a, b in _FORMAL_MAP.items():
        text = text.replace(a, b)
    return text


# --- heading -------------------------------------------------------------------------------------------


def heading_candidate(raw: str) -> str:
    """A model's heading answer normalised: first line, no marker/quotes/label, one comma between halves."""
    h = raw.strip().split("\n")[0]
    h = re.sub(r"^(?:标题|小标题|对仗标题)[：:]\s*", "", h)
    h = re.sub(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[.．、])\s*", "", h)
    h = (
        h.strip("“”\"'《》【】 。")
        .replace(" ", "，")
        .replace("　", "，")
        .replace("、", "，")
        .replace(",", "，")
    )
    h = re.sub(r"，+", "，", h)
    return h


# Where the backend takes a GBNF grammar (the local model), the first samples can only be two
# four-character phrases; the pattern check still decides. The last sample is free.
PAIR_GRAMMAR = 'root ::= h h h h "，" h h h h\nh ::= [\\u4e00-\\u9fa5]'


def heading(ctx: Ctx, parts: Parts, spec: RewriteSpec, attempt: int) -> Generator[DraftEvent, None, str]:
    body = parts.body
    old = parts.heading_text
    passing: list[str] = []
    for i in range(HEADING_SAMPLES):
        raw = ctx.ask(
            render("rewrite_heading", body=body[:200], old=old),
            chars=14,
            temperature=ctx.temp(attempt, i) if i else max(0.3, ctx.temp(attempt) - 0.2),
            seed=ctx.seed + 101 * (attempt + 1) + i,
            grammar=PAIR_GRAMMAR if i < HEADING_SAMPLES - 1 else None,
        )
        h = heading_candidate(raw)
        if is_pair_heading(h) and similarity(h, old) < 0.8 and h not in passing and not re.search(r"\d", h):
            passing.append(h)
            yield DraftEvent("info", f"候选标题：{h}")
            if len(passing) >= 2:
                break
    if not passing:
        return parts.join()
    grams = _bigrams(body + old)
    best = max(passing, key=lambda h: len(_bigrams(h) & grams))
    marker = parts.marker
    if parts.heading:
        return parts.join(heading=marker + best)
    return best + "\n" + body


# --- add figures / merge / split ---------------------------------------------------------------------------


def add_figures(ctx: Ctx, parts: Parts, spec: RewriteSpec, attempt: int) -> Generator[DraftEvent, None, str]:
    from assistant.figures import metric_score, parse_figures

    facts = parse_figures(spec.figures_text).facts if spec.figures_text.strip() else []
    if spec.metric:
        pool = parse_figures(ctx.figures).facts if ctx.figures.strip() else []
        facts = [f for f in pool if metric_score(f.metric, spec.metric) >= 0.8]
        if not facts:
            ctx.notes.append(
                f"没有找到“{spec.metric}”的数据：请在“今年数据”中给出，或直接写在要求里（如“加上参保率99.91%”）"
            )
            return parts.join()
    sents = parts.sentences
    out = list(sents)
    for f in facts:
        if f.text in "".join(out):
            continue
        scores = [len(_bigrams(f.metric) & _bigrams(s)) for s in out]
        i = max(range(len(out)), key=lambda k: (scores[k], -k)) if out else 0
        if not out:
            out.append(f"{f.source or f.metric + f.text}。")
            continue
        s = out[i]
        saved = ctx.extra
        ctx.extra = ctx.extra | set(numbers_in(f.text)) | set(numbers_in(f.period))
        raw = ctx.ask(
            render("rewrite_figure", sentence=s, fact=f.source or f.metric + f.text),
            chars=cjk_len(s) + 20,
            temperature=ctx.temp(attempt),
            seed=ctx.seed + i + 1000 * attempt,
        )
        new = as_sentence(raw, s)
        # The model may only add the figure: the rest of its sentence must still be the original's.
        rest = new.replace(f.source, "").replace(f.text, "") if new else ""
        ok = (
            new
            and f.text in new
            and _numbers_ok(s, new, ctx)
            and new[:4] == s[:4]
            and similarity(s, rest) >= 0.8
        )
        ctx.extra = saved
        if not ok:
            end = s[-1] if s[-1] in "。；！？" else "。"
            new = (
                s.rstrip("。；！？")
                + "，"
                + (f.source.strip("，。；") if f.source and f.text in f.source else f.metric + f.text)
                + end
            )
        out[i] = new
        yield DraftEvent("token", new)
    return parts.join(_regroup(parts, out))


def merge(ctx: Ctx, parts: Parts, spec: RewriteSpec, attempt: int) -> Generator[DraftEvent, None, str]:
    """One paragraph; a sentence that repeats an earlier one (and adds no number) is dropped."""
    kept: list[str] = []
    for s in parts.sentences:
        dup = any(similarity(strip_marker(s), strip_marker(k)) >= 0.75 for k in kept)
        if dup and all(n in "".join(kept) for n in numbers_in(s)):
            continue
        kept.append(s)
    yield DraftEvent("token", "".join(kept))
    return parts.join([renumber(kept)])


def split(ctx: Ctx, parts: Parts, spec: RewriteSpec, attempt: int) -> Generator[DraftEvent, None, str]:
    """An opening sentence, then the rest as 一是…二是… (up to five points, neighbours grouped)."""
    sents = [strip_marker(s) for s in parts.sentences]
    if len(sents) < 2:
        ctx.notes.append("原文只有一句，无法分条")
        return parts.join()
    opening: list[str] = []
    if len(sents) >= 3 and not re.search(r"\d", sents[0]):
        opening = [sents[0].rstrip("；;，,") + ("" if sents[0][-1:] in "。！？" else "。")]
        sents = sents[1:]
    k = min(5, len(sents))
    size, extra = divmod(len(sents), k)
    points, at = [], 0
    for j in range(k):
        n = size + (1 if j < extra else 0)
        group = sents[at : at + n]
        at += n
        points.append(
            "".join(g.rstrip("；;") + ("" if g[-1:] in "。！？" else "。") for g in group[:-1]) + group[-1]
        )
    text = join_points(opening, points)
    yield DraftEvent("token", text)
    return parts.join([[text]])


# --- free ------------------------------------------------------------------------------------------------


def free(ctx: Ctx, parts: Parts, spec: RewriteSpec, attempt: int) -> Generator[DraftEvent, None, str]:
    """The whole text to the model with the instruction (a named sentence goes sentence by sentence)."""
    if spec.sentence is not None:
        return (yield from sentencewise(ctx, parts, spec, attempt))
    instruction = spec.instruction + ("（不要照抄原文，要按要求做出实际修改）" if attempt else "")
    prompt = render("rewrite", text=parts.join(), instruction=instruction, numbers=ctx.keep)
    raw = ctx.ask(
        prompt,
        chars=max(cjk_len(parts.join()), spec.length or 0),
        temperature=ctx.temp(attempt) if attempt else ctx.temperature,
        seed=ctx.seed + attempt,
        stop=["\n【"],
    )
    from assistant.draft import clean_output

    out = clean_output(raw)
    yield DraftEvent("token", out)
    return out


METHODS: dict[str, Method] = {
    "compress": compress,
    "concise": compress,
    "expand": expand,
    "formal": sentencewise,
    "reword": sentencewise,
    "first_person": sentencewise,
    "heading": heading,
    "add_figures": add_figures,
    "merge": merge,
    "split": split,
    "free": free,
}
