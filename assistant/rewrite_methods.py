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

import functools
import itertools
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.draft import DraftEvent, GenStats
from assistant.goals import backwards
from assistant.llm import supports_grammar as llm_supports_grammar
from assistant.llm import surprise, tokenize
from assistant.prompts import render
from assistant.rewrite_keep import (
    added_things,
    fact_changed,
    lost_place,
    lost_scope,
    lost_things,
    must_keep,
    names_a_place,
    restore_lead,
    restore_place,
    unit_places,
)
from assistant.rewrite_kinds import (
    COLLOQUIAL,
    FIGURE,
    MAX_SIMILARITY,
    ORDER_FREE_MAX_SIMILARITY,
    RAW_MAX_SIMILARITY,
    SENTENCE_MAX_SIMILARITY,
    TIME_WORDS,
    UNIT_NAME,
    WHO_WORDS,
    Parts,
    RewriteSpec,
    as_sentence,
    change_similarity,
    cjk_len,
    clauses_of,
    count_first,
    half_width_digits,
    is_pair_heading,
    join_points,
    length_problem,
    length_score,
    numbers_in,
    one_fact,
    opens_with_action,
    order_free_similarity,
    similarity,
    speaks_first_person,
    split_units,
    strip_marker,
    top_clauses,
)
from assistant.rewrite_order import order_clauses, order_measures

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from core.settings import Settings

log = logging.getLogger("biganzi.rewrite")

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
    # the sentences being sampled are a whole text's (not one named sentence): a new wording of one
    # is held to the raw bound as a text, in verify, not on its own
    whole_text: bool = False

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
        shots: Sequence[tuple[str, str]] = (),
        system: str | None = None,
        figure_lock: Sequence[str] | None = None,
        no_latin: bool = False,
        require_figures: bool = False,
        copy_block: dict[str, Any] | None = None,
    ) -> str:
        """One short completion (a sentence, a heading): no streaming needed, code checks it.
        `shots` are worked examples as earlier turns (user prompt, answer): a 1.5B model follows
        a shown answer far better than an example inlined in the prompt, which it copies."""
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

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
        if figure_lock is not None and llm_supports_grammar(self.model):
            kwargs["figure_lock"] = list(figure_lock)  # digits only as these (assistant.llm.figure_gate)
            if no_latin:
                kwargs["no_latin"] = True
            if require_figures:
                kwargs["require_figures"] = True  # (no end before each of them is out)
        if copy_block and llm_supports_grammar(self.model):
            kwargs["copy_block"] = copy_block  # (assistant.llm.copy_block)
        turns: list[Any] = [SystemMessage(content=self.system if system is None else system)]
        for question, answer in shots:
            turns += [HumanMessage(content=question), AIMessage(content=answer)]
        msg = self.model.invoke([*turns, HumanMessage(content=prompt)], **kwargs)
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


def _bigrams(text: str, chars: str = "\u4e00-\u9fff") -> set[str]:
    """The two-character runs of the text's `chars` (Chinese; the caller may add the word table's marks)."""
    s = "".join(re.findall(f"[{chars}]", text))
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


_CN_APPROX = re.compile(
    r"[一二两三四五六七八九十百千]+(?:来|多|余)(?=[个人场次期条项家户座台名支批处件万亿])"
)
# (1200来万元: a spoken "about" right after the figure; not the 来 of 2024年以来 or 3年来)
_QUALIFIED = re.compile(r"(\d+(?:\.\d+)?)[^\d，。；、]{0,4}?(以上|以下|以内|余|多|左右|近|超过|(?<=\d)来)")


def _numbers_ok(old: str, new: str, ctx: Ctx) -> bool:
    """The sentence's own numbers kept (with their 以上/余/左右), none added but the user's."""
    need = [n for n in numbers_in(old) if n in ctx.keep]
    present = set(numbers_in(new))
    ok = set(numbers_in(old)) | ctx.extra
    if not (all(n in present for n in need) and all(n in ok for n in present)):
        return False
    same = {"余": "多", "来": "左右"}  # (140多场 = 140余场; 1200来万元 = 1200万元左右)
    kept = {(m.group(1), same.get(m.group(2), m.group(2))) for m in _QUALIFIED.finditer(new)}
    kept |= {(m.group(1), "左右") for m in re.finditer(r"(?:约|大约)(\d+(?:\.\d+)?)", new)}  # (约X = X左右)
    said = {(m.group(1), same.get(m.group(2), m.group(2))) for m in _QUALIFIED.finditer(old)}
    if not all(q in kept for q in said if q[0] in need):
        return False
    # nor one gained (保持100% → 保持100%以上): a floor or a range the writer did not give
    # (超1.8亿元 = 1.8亿元以上; 不超过3天 = 3天以内)
    was = said | {
        (m.group(2), "以上") for m in re.finditer(r"(超过|超|逾|突破|不少于|不低于|至少)(\d+(?:\.\d+)?)", old)
    }
    was |= {
        (m.group(2), q)
        for m in re.finditer(r"(不超过|不足|不到|不高于)(\d+(?:\.\d+)?)", old)
        for q in ("以内", "以下")
    }
    if any(q not in was and q[1] in ("以上", "以下", "以内") for q in kept):
        return False
    units = _units(new)
    if any(u != units.get(n, u) for n, u in _units(old).items()):
        return False  # 1370名 is not 1370人次
    if set(_CN_APPROX.findall(new)) != set(_CN_APPROX.findall(old)):
        return False  # 十来个 is not 十多个, nor 多次: a count in words is a figure too
    if any(y in new and f"{y}年" not in new for y in re.findall(r"((?:19|20)\d{2})年", old)):
        return False  # 2024年，… → 2024，…: a year is no bare number
    # 5年来 is not 5年前; 5年间 and a bare 5年 (梳理5年XX改革历程) say the same span as 5年来
    was, now = _spans(old), _spans(new)
    return now <= was and all(
        s in now or not re.search(rf"{s[0]}(?:个)?{s[1]}(?:前|后|内)", new) for s in was
    )


_FIGURE_UNIT = re.compile(
    r"(\d+(?:\.\d+)?)(万人次|万户次|人次|户次|家次|批次|万人|万户|万家|万元|亿元|万亩|万吨|平方公里|平方米|公里|"
    r"个百分点|百分点|[%％]|名|人|家|个|所|项|次|场|处|起|件|户|亩|吨|元|例|期)"
)
# An incident's or a risk's grade (突发事件应对法: 一般、较大、重大、特别重大): a category, said as written.
_GRADE = re.compile(
    r"(?:特别重大|(?<!特别)重大|较大|一般)(?=及?以上|以下|突发|事件|事故|安全|隐患|风险|案件|疫情|火灾|险情|灾害)"
)  # (重大项目, 重大决策: no grade)


def _units(text: str) -> dict[str, str]:
    """Each number's unit as written (名 and 人 the same, ％ and %)."""
    same = {"名": "人", "％": "%", "百分点": "个百分点"}
    return {m.group(1): same.get(m.group(2), m.group(2)) for m in _FIGURE_UNIT.finditer(text)}


# A figure that is a span of time: 5年来 (over the last five years) is not 5年前 (five years ago).
_SPAN = re.compile(r"(\d+)(?:个)?(年|月|天|日)(以来|来|间|前|后|以内|内)")


def _spans(text: str) -> set[tuple[str, str, str]]:
    same = {"以来": "来", "间": "来", "以内": "内"}
    return {(m.group(1), m.group(2), same.get(m.group(3), m.group(3))) for m in _SPAN.finditer(text)}


def _sentence_prompt(sentence: str, how: str, ctx: Ctx, example: str = "") -> str:
    nums = [n for n in numbers_in(sentence) if n in ctx.keep]
    return render("rewrite_sentence", sentence=sentence, how=how, numbers=nums, example=example)


# One worked example per kind: a 1.5B model copies its input unless it sees what a change looks like.
EXAMPLES = {
    "formal": "“我们把这件事办得挺好，老百姓都很满意。”→“我局扎实推进该项工作，群众满意度显著提升。”",
    "reword": "“我局大力推进医保支付方式改革，成效明显。”→“医保支付方式改革纵深推进，改革红利持续释放。”",
    "first_person": "“局党组始终坚持从严治党。”→“我始终坚持从严治党，认真履行第一责任人职责。”",
}

# Worked examples shown as earlier turns of the conversation (our own sentences, no seed text):
# kind → [(original, answer)]. They show a change of structure, not only of words, with every
# number and quoted name kept and no subject added.
SHOTS: dict[str, list[tuple[str, str]]] = {
    "reword": [
        (
            "我县大力推进养老服务体系建设，新建社区养老服务站15个，老年群众满意度明显提升。",
            "全县新建社区养老服务站15个，养老服务体系建设加快推进，老年群众满意度显著提高。",
        ),
        (
            "我们坚持问题导向，认真开展“清风护航”专项整治，推动各项整改任务落到实处。",
            "以问题为导向，深入推进“清风护航”专项整治，确保各项整改任务落地见效。",
        ),
        (
            "局机关组织干部职工参加业务培训6期，累计培训320人次，队伍整体素质不断提高。",
            "围绕提升队伍整体素质，举办干部职工业务培训6期，累计参训320人次。",
        ),
    ],
    # a named sentence that says one figure and little else: its metric said as a verb and object,
    # or as a share (the model, shown only longer sentences, wrote 超过…以上 or copied)
    "one_fact": [
        ("全年新建改建农村公路里程达到126公里。", "年内新建改建农村公路126公里。"),
        ("全县养老机构床位数达4200张。", "全县养老机构共有床位4200张。"),
        ("城乡居民医保参保率达到97.2%。", "城乡居民参加医保的比例为97.2%。"),
    ],
    # 述职: the model is given code's sentence (我 already the subject, or none yet) and smooths it
    "first_person": [
        (
            "我始终把安全生产摆在突出位置，组织开展隐患排查12次。",
            "我始终把安全生产摆在突出位置，牵头组织开展隐患排查12次。",
        ),
        (
            "全年新建社区养老服务站15个，养老服务网络不断完善。",
            "全年，我推动新建社区养老服务站15个，养老服务网络不断完善。",
        ),
        (
            "8月，联合人社部门举办“春风送岗”招聘会，提供岗位620个。",
            "8月，本人牵头联合人社部门举办“春风送岗”招聘会，提供岗位620个。",
        ),
    ],
    "formal": [
        (
            "我们把养老服务站建起来了，一共建了15个，老人们都挺满意。",
            "全县建成社区养老服务站15个，老年群众满意度明显提升。",
        ),
        (
            "今年搞了不少培训，有320人次参加，大家业务水平提高了不少。",
            "全年组织开展业务培训，累计培训320人次，干部职工业务能力显著提升。",
        ),
        (
            "坚持问题导向，认真开展“清风护航”专项整治，推动各项整改任务落到实处。",
            "坚持问题导向，扎实开展“清风护航”专项整治，推动各项整改任务落地见效。",
        ),
    ],
}


def shot_turns(kind: str, shots: str = "") -> list[tuple[str, str]]:
    """The worked examples (`shots`: another set than the kind's) as (prompt, answer) turns, the
    prompt rendered like the real question."""
    return [
        (render("rewrite_sentence", sentence=q, how=HOW[kind], numbers=numbers_in(q), example=""), a)
        for q, a in SHOTS.get(shots or kind, [])
    ]


def copy_keep(text: str) -> list[str]:
    """What a new wording copies as it is, never held back by the copy block: figures, quoted names,
    units' names, metrics' names (a 1.5B model kept from 节地生态安葬比例 writes 节地安葬率), and the
    places, scope and things a rewording must keep (rewrite_keep)."""
    keep = [*FIGURE.findall(text), *_QUOTED.findall(text), *UNIT_NAME.findall(text)]
    keep += [n[-6:] for m in _METRIC.finditer(text) for n in m.group(1).split("、") if len(n) >= 2]
    keep += [m.group(1)[-4:] for m in _CHANGE_METRIC.finditer(text)]
    keep += must_keep(text)  # (the checks reject a wording without them: 全县, 农村客运, 馆藏档案)
    return list(dict.fromkeys(k for k in keep if k))


def avoid_copy_bias(ctx: Ctx, sentence: str) -> dict[int, float] | None:
    """Where the backend takes a logit bias: the original sentence's first two tokens may not be
    written (a different opening; a small model that starts the same way copies the rest)."""
    if not llm_supports_grammar(ctx.model):
        return None
    head = re.sub(r"[\d，。；、：“”]", "", sentence)[:6]
    ids = tokenize(ctx.model, head) if head else None
    return {int(t): -100.0 for t in (ids or [])[:2]} or None


def unsaid_bias(ctx: Ctx, sentence: str, words: set[str]) -> dict[int, float]:
    """Where the backend takes a logit bias: the first token of each thing a sample of `sentence`
    added that it never said (城乡, 应急, 星级): a later sample may not write it again. A token
    the sentence itself has stays open (its own words are the rewording's to keep)."""
    if not words or not llm_supports_grammar(ctx.model):
        return {}
    own = set(tokenize(ctx.model, sentence) or [])
    firsts = ((tokenize(ctx.model, w) or [None])[0] for w in sorted(words))
    return {int(t): -100.0 for t in firsts if t is not None and t not in own}


HOW = {
    "formal": "改成更正式、更规范的公文书面语，意思不变",
    "reword": "换一种说法重写，意思不变，用词和句式都要和原句明显不同",
    "first_person": "改成述职报告中“我”的第一人称口吻（如“我始终坚持……”“本人牵头……”），意思不变",
    "free": "",
}
# What a later sample of a new wording is asked to do besides (the first is asked plainly).
REWORD_MOVES = ("；调整语序，可以把结果或数字放在前面", "；换用不同的动词和句式，可以省去主语")
# A sample over MAX_SIM but under this (every other check passed) is kept when none passes.
NEAR_SIM = {"reword": 0.9, "formal": 0.99}
# (a new wording's sample counts under 0.84: a little under verify's bound, 0.86, as a skilled writer's do)
MAX_SIM = {"formal": 0.92, "reword": 0.84, "first_person": 0.995, "free": 0.95}
# a sample, a text or a named sentence said anew by code's table and orders alone (the model echoed, or
# drifted): held to the bounds before calibration, since code's changes are the same every year
CODE_ONLY_SIM = {"sample": 0.7, "text": 0.75, "sentence": 0.8}


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
        share = min(scale, ratio if attempt else 0.95)
        new = _tightened(ctx, s, share, ctx.seed + i + 1000 * attempt, attempt)
        # a long sentence the model could not tighten whole (a 1.5B model copies a 90-character
        # sentence of six figures): its clause groups one at a time, each kept where it fails
        groups = long_chunks(s, TIGHT_LONG, TIGHT_CHUNK) if not new else []
        if len(groups) > 1:
            pieces = [
                _tightened(ctx, g, share, ctx.seed + i + 1000 * attempt + 7 * (k + 1), attempt) or g
                for k, g in enumerate(groups)
            ]
            joined = as_sentence("，".join(p.rstrip("。；") for p in pieces), s)
            new = joined if cjk_len(joined) < cjk_len(s) and _tight_ok(ctx, s, joined) else ""
        if new:
            out[i] = new
            tightened += 1
            yield DraftEvent("token", new)
    # Fit the length in code: drop the least needed sentence while too long, add back while too short.
    keep_order = list(chosen)
    if head + sum(cjk_len(out[k]) for k in chosen) > asked:
        # first the words a 精炼 drops (进一步加强 → 加强): no content is lost by them
        out = {i: trim_words(t) for i, t in out.items()}

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
    # Every sentence left carries a figure and the text is still too long: the clauses that carry
    # none (我局聚焦…落实, 推动…转变) go, the least central first; each sentence keeps one clause.
    # (or the text is still too close to the original for the kind: a 精炼 that only trimmed words)
    bound = MAX_SIMILARITY[spec.kind] - 0.01
    while (n := cjk_len(text_of(keep_order))) > asked and (
        length_score(asked, n) < 85 or similarity(parts.join(), text_of(keep_order)) >= bound
    ):
        cut = _figureless_clause({i: out.get(i, sents[i]) for i in keep_order})
        if cut is None:
            break
        out[cut[0]] = _without_clause(out.get(cut[0], sents[cut[0]]), cut[1])
    # Still too long: the opening sentence goes too where it states no figure (项目建设是…的“压舱石”):
    # the figures are what the paragraph reports, and a text still too long is no 压缩.
    n = cjk_len(text_of(keep_order))
    short_of = length_problem(spec.kind, asked, cjk_len(parts.join()), n)  # (verify's own length check)
    if (
        0 in keep_order
        and len(keep_order) > 1
        and not has_fig[0]
        and n > asked
        and (length_score(asked, n) < 85 or short_of)
    ):
        keep_order.remove(0)
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


TIGHT_LONG, TIGHT_CHUNK = 36, 24  # a sentence the model copied whole is tightened by groups this long


def _tightened(ctx: Ctx, s: str, share: float, seed: int, attempt: int) -> str:
    """The model's tightening of sentence (or clause group) `s` to about `share` of its length,
    where it passes the checks; else ""."""
    target = max(8, round(cjk_len(s) * share))
    how = f"压缩到{target}字左右，删去修饰词和重复的话，意思不变"
    new = as_sentence(
        ctx.ask(
            _sentence_prompt(s, how, ctx),
            chars=cjk_len(s),
            temperature=ctx.temp(attempt),
            seed=seed,
            no_latin=not re.search(r"[A-Za-z]", s),  # (嵝浈县侨联 → leo县侨联)
        ),
        s,
    )
    new = restore_place(s, mend_qualifiers(s, new)) if new else new
    return new if new and _tight_ok(ctx, s, new) and cjk_len(new) < cjk_len(s) else ""


def _tight_ok(ctx: Ctx, s: str, new: str) -> bool:
    """A tightening keeps every figure, its sense and what each figure counts."""
    return (
        _numbers_ok(s, new, ctx)
        and not garbled(s, new)
        and keeps_sense(s, new)
        and not (figure_moved(s, new) or change_moved(s, new) or count_noun_changed(s, new))
        and not measure_lost(s, new)
        and cjk_len(s) * 0.35 <= cjk_len(new)
    )


# Intensifiers a 精炼 drops in front of a verb (进一步加强 → 加强): they say how hard, not what.
_INTENSIFIER = re.compile(
    r"(?:进一步|不断|切实|积极|大力|扎实|全力|认真|持续|着力|稳步|有效|努力|主动|深入)(?:地)?"
    r"(?=推进|推动|提升|提高|加强|完善|落实|开展|做好|抓好|实施|强化|优化|深化|促进|扩大|健全|规范|"
    r"保障|增强|改善|拓展|发挥|加快|夯实|防范|化解|整治|压实|提速)"
)


def trim_words(sentence: str) -> str:
    """Code's 精炼 of one sentence: intensifiers before a verb and a perfective 了 (开展了 → 开展)
    dropped, outside quoted names; figures and qualifiers are not touched. The sentence keeps at
    least its first intensifier-free verb (切实加强 → 加强, never an empty clause)."""
    return _outside_quotes(sentence, lambda p: _PERFECTIVE.sub(r"\1", _INTENSIFIER.sub("", p)))


def _figureless_clause(kept: dict[int, str]) -> tuple[int, int] | None:
    """(sentence, clause) of the least central clause that carries no figure, no mark and no
    enumerator, in a sentence of two clauses or more; None when there is none."""
    found: list[tuple[int, int, str]] = []
    for i, s in kept.items():
        clauses, _ = clauses_of(s)
        if len(clauses) < 2:
            continue
        for k, c in enumerate(clauses):
            if re.search(r"\d|【|[Xx]{2}|[＊*]", c) or cjk_len(c) < 4 or (k == 0 and _MARKER_OPEN.match(c)):
                continue
            found.append((i, k, c))
    if not found:
        return None
    everything = [c for s in kept.values() for c in clauses_of(s)[0]]
    score = {id(f): sum(len(_bigrams(f[2]) & _bigrams(o)) for o in everything if o != f[2]) for f in found}
    least = min(found, key=lambda f: (score[id(f)] / max(1, cjk_len(f[2])), -cjk_len(f[2])))
    return least[0], least[1]


def _without_clause(sentence: str, k: int) -> str:
    clauses, end = clauses_of(sentence)
    return "，".join(c for j, c in enumerate(clauses) if j != k) + end


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


@functools.cache
def _common_bigrams() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common_bigrams.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def topic_bigrams(text: str) -> set[str]:
    """The text's two-character runs (within runs of Chinese, figures cut out) that are not common to
    bureau reports of every kind: what the text is about."""
    runs = re.findall(r"[\u4e00-\u9fff]+", FIGURE.sub(" ", text))
    return {r[i : i + 2] for r in runs for i in range(len(r) - 1)} - _common_bigrams()


SAME_TOPIC = 4  # topic bigrams a past passage shares with a paragraph (an unrelated one: 0–3 of ~100)


def point_hints(ctx: Ctx, topic: str, existing: list[str], n: int) -> list[str]:
    """What each new point is about: opening clauses of how past reports filled in such a paragraph
    (knowledge base passages on its topic), numbers and placeholders removed; generic moves when
    the KB has none."""
    hints: list[str] = []
    parts_text = "".join(existing)
    if ctx.settings is not None:
        try:
            from assistant.draft import exemplar_view
            from index.retrieve import search

            hits = search(ctx.settings, topic, k=8, kb=ctx.kb)
        except Exception:  # no knowledge base, or a search problem: plan from the generic moves
            hits = []
        about = topic_bigrams(topic + parts_text)
        need = min(SAME_TOPIC, max(1, len(about) // 10))  # (a two-sentence paragraph says little)
        for hit in hits:
            view = exemplar_view(hit.text, "masked")
            if len(about & topic_bigrams(view)) < need:
                continue  # another matter (a grain paragraph, a 医保 knowledge base): its moves are not ours
            for s in split_units(view):
                clause = re.split(r"[，：；。]", strip_marker(s))[0]
                if not (6 <= cjk_len(clause) <= 24) or re.search(r"\d", clause):
                    continue
                if any(similarity(clause, h) > 0.5 for h in hints):
                    continue
                if (own := topic_bigrams(clause)) and not own & about:
                    continue  # another unit's matter (医保…同步结算 in a passage on 防止返贫)
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
    hints = point_hints(ctx, topic + " " + parts.body[:60], sents, n + 2 * attempt)  # (the retry: others)
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
        for t in range(2 + attempt):  # (a second try where the first only echoed its hint)
            raw = ctx.ask(
                prompt,
                chars=per,
                temperature=ctx.temp(attempt, t),
                seed=ctx.seed + 17 * k + t + 1000 * attempt,
            )
            p = _no_number_clauses(as_sentence(_point_sentence(strip_marker(raw), hint), "。"))
            fresh = similarity(p, hint) < 0.75 and cjk_len(p) >= max(16, cjk_len(hint) + 6)
            listed = re.search(r"[一二三四五六七八九十]是", p)  # (code owns the 一是/二是)
            log.debug("expand point %d t%d [%s] %s", k, t, hint, p)
            planned = any(w.search(p) and not w.search(parts.body) for w in _NOT_OURS)  # 我们将完善…
            # a routine or a count nobody gave (每季度组织一次专题招商会议): a fact, and no figure locks it
            invented = invented_routine(parts.join(), p)
            if (
                fresh
                and not listed
                and not planned
                and not invented
                and not _new_name(parts.join(), p)
                and all(similarity(p, e) < 0.6 for e in [*sents, *points])
            ):
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


def _point_sentence(raw: str, hint: str) -> str:
    """A point's one sentence: the first of the answer's that is more than its hint written back
    (强化督促检查，抓好问题整改。严格落实… → 严格落实…), its own 二是/三是 left out (code owns the markers)."""
    said = [x for x in re.findall(r"[^。！？]+[。！？]?", raw.strip()) if cjk_len(x) >= 8]
    first = next((x for x in said if similarity(x.strip("。！？"), hint) < 0.75), said[0] if said else raw)
    return re.sub(r"(?<=[，；])[一二三四五六七八九十]是", "", first)


_ROUTINE = re.compile(r"每(?:周|月|季度?|半年|年|天|日|旬)")


def invented_routine(text: str, point: str) -> bool:
    """A point that states how often something is done (每周…自查, 每季度…一次) or a count in words
    (一次, 两场) that the text never said."""
    if any(m.group(0) not in text for m in _ROUTINE.finditer(point)):
        return True
    return any(c not in text for c in _COUNT.findall(point))


def _new_name(text: str, point: str) -> bool:
    """A point that names a campaign, a brand or a system in quotes the text never named (开展
    “守牢粮仓”专项活动: a fact nobody gave), or whose quotes do not pair up."""
    if point.count("“") != point.count("”") or re.search(r"“[^”]*“|”[^“]*”", point):
        return True
    named = set(re.findall(r"“([^”]+)”", text))
    return any(name not in named for name in re.findall(r"“([^”]+)”", point))


_DOUBLED = re.compile(r"([\u4e00-\u9fff]{2})\1")  # 侨眷侨眷


def garbled(original: str, new: str) -> bool:
    """Letters the original did not have (leo县侨联 for 嵝浈县侨联), or a word written twice over
    (归侨侨眷 → 侨眷侨眷) where the original had none: a model's slip, not a wording."""
    latin = set(re.findall(r"[A-Za-z]+", new)) - set(re.findall(r"[A-Za-z]+", original))
    doubled = {m.group(0) for m in _DOUBLED.finditer(new)} - {m.group(0) for m in _DOUBLED.finditer(original)}
    return bool(latin or doubled)


def _no_number_clauses(sentence: str) -> str:
    """A new point may not carry a number the user did not give: drop the clauses that do."""
    if not re.search(r"\d", sentence):
        return sentence
    clauses = re.findall(r"[^，；。]+[，；。]?", sentence)
    kept = "".join(c for c in clauses if not re.search(r"\d", c))
    return as_sentence(kept, "。") if cjk_len(kept) >= 10 else ""


# --- sentence by sentence ----------------------------------------------------------------------------

# formal / reword / 述职 voice: several samples a sentence (other seeds, hotter), the best one that
# passes the sentence checks kept. The prompt prefix is cached, so each extra sample costs its own tokens.
SAMPLE_TEMPS = (0.7, 0.9, 1.1)
# the copy block on a new wording's later samples and retries (assistant.llm.copy_block); off only
# for an A/B (bench/rewrite_eval.py --no-copy-block)
COPY_BLOCK = True
_WIDE_DIGIT = re.compile(r"[０-９]")  # (written so, a figure is left unlocked: the gate reads ASCII strings)
NAMED_SAMPLES = 5  # a named sentence's (or clause group's) samples: 0.7, 0.9, 1.1, 0.85, 1.05
NAMED_RETRY_LONG, NAMED_RETRY_CHUNK = 20, 18  # a named sentence's retry: groups of a clause or two
# (第三届“山歌节”…, 第五次全国经济普查… open with no marker: 第三， does)
_MARKER_OPEN = re.compile(
    r"^(?:[一二三四五六七八九十]是|其[一二三四五六七八九十]|第[一二三四五六七八九十](?=[，,、])|首先|其次|再次|最后)"
)


def _code_seed(kind: str, sentence: str, index: int = 0, unit: str = "") -> str:
    """What code changes before the model is asked (and what is kept when no sample passes)."""
    if kind == "formal":
        return formal_polish(sentence, unit)
    if kind == "reword":
        return restructure(reword_words(sentence))
    if kind == "first_person":
        return first_person_words(sentence, index)
    return sentence


def _new_shape(test: Callable[[str], object], old_clauses: list[str], new_clauses: list[str]) -> bool:
    """Whether a clause of the sample has a shape (`test`) that no clause of the original had."""
    return any(map(test, new_clauses)) and not any(map(test, old_clauses))


# letters of other scripts than Chinese and Latin (Cyrillic, Greek, Arabic, kana, Hangul)
_OTHER_SCRIPT = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0600-\u06ff\u3040-\u30ff\uac00-\ud7af]")
ADDED = "thing added "  # (candidate_problem's reason; its word is steered away from in later samples)


def candidate_problem(
    ctx: Ctx,
    kind: str,
    original: str,
    seed: str,
    new: str,
    max_sim: float,
    avoid: list[str] = (),  # type: ignore[assignment]
) -> str:
    """Why a sampled sentence does not count ("" = it does). It counts when its numbers are the
    original's (none added), it is really different (below the kind's similarity), not wildly
    longer, opens with no 一是/首先 the original did not have, keeps the worked example out,
    (reword) copies no 8-character run of the knowledge base, and (述职) speaks as 我/本人 where
    code made it so."""
    if not new:
        return "empty"
    if _ECHO.search(new) and not _ECHO.search(original):
        return "prompt echo"  # 【改写后】… / the instruction written back
    if not _numbers_ok(original, new, ctx) or _new_qualifier(original, new):
        return "numbers"
    if set(re.findall(r"[A-Za-z]{2,}", new)) - set(re.findall(r"[A-Za-z]{2,}", original)):
        return "foreign words"  # (reforms) English the original did not have
    if set(_OTHER_SCRIPT.findall(new)) - set(original):
        return "foreign words"  # 湄леж湄峧区: a rare place character the model wrote in another script
    new_clauses, old_clauses = clauses_of(new)[0], clauses_of(original)[0]
    if cjk_len(new_clauses[-1]) < 4 <= cjk_len(old_clauses[-1]):
        return "broken tail"  # …改革，进一步。
    if any(re.search(r"(?:大约|大概|约|近|超过|达到|累计|(?<![到抵送])达)$", c) for c in new_clauses):
        return "broken tail"  # …2.1万平方米的总面积大约。: a qualifier with no figure after it
    if re.search(r"(?:以来|年来)$", new_clauses[-1]) and not re.search(r"(?:以来|年来)$", old_clauses[-1]):
        return "broken tail"  # 共走访慰问320余户重点优抚对象一年来。: a time said after the sentence
    if _FIGURE_THEN_TIME.match(new) and not _FIGURE_THEN_TIME.match(original):
        return "broken order"  # 486万人次年内共接待游客: the object made the subject of its verb
    if astray := metric_astray(original, new):
        return f"broken clause {astray}"  # 1.1万亩以上森林抚育面积。 / …已达78%，馆藏档案。
    if _new_shape(_DANGLING.search, old_clauses, new_clauses):
        return "broken tail"  # 将乡镇14个…的服务窗口延伸至: a 至/于/把 with nothing after it
    if len(re.findall(r"[。！？]", new)) > max(1, len(re.findall(r"[。！？]", original))):
        return "split"  # one sentence in, one out (the text's sentences are counted by follow-ups)
    if cjk_len(new) > cjk_len(original) * 1.8 + 10:
        return "too long"
    chatty = spoken(original) >= 2  # (spoken filler may go: its words are no content)
    if cjk_len(new) < cjk_len(original) * (0.6 if chatty else 0.75):
        return (
            "too short"  # a clause lost is not a rewording (spoken filler left out is: 然后…这块，我们办了)
        )
    if new.count("*") + new.count("＊") < original.count("*") + original.count("＊"):
        return "numbers"  # a masked figure (*次) is a figure
    if any(c not in original for c in _COUNT.findall(new)):
        return "numbers"  # 一名、两次 written in words that the original did not say
    if _MARKER_OPEN.match(new) and not _MARKER_OPEN.match(original):
        return "new marker"
    shown = EXAMPLES.get(kind, "").split("→")[-1].strip("“”")
    if shown and similarity(new, shown) > 0.5:
        return "copies the example"
    if copies_shot(kind, original, new):
        return "copies the example"
    # (述职 and formal: against code's sentence, which the model was given: 想办法 → 研究措施 is no loss)
    # (spoken text against its words without the filler: 还有就是…所以大家的满意度还是挺高的)
    said = _SPOKEN.sub("", original) if chatty else original
    recall, precision = content_overlap(seed if kind in ("first_person", "formal") else said, new)
    if recall < FAITHFUL or precision < FAITHFUL:
        return f"not faithful {recall:.2f}/{precision:.2f}"  # another sentence's content, or half lost
    if kind in ("reword", "formal") and _SUBJECT_WORDS.search(new) and not _SUBJECT_WORDS.search(original):
        return "new subject"  # 我们/我局 the writer did not use
    if kind in ("reword", "formal") and speaks_first_person(new) and not speaks_first_person(original):
        return "new subject"  # 我一直重视…: a report's unit made one person (that is 述职's job)
    if (m := _PERSON.search(new)) and m.group(0) not in original:
        return "new subject"  # 我局聚焦… → 局领导聚焦…: the unit's work said to be one person's
    if (m := re.match(r"全[县市区省]", new)) and m.group(0) not in original:
        return "new subject"  # 我们以创建… → 全县以创建…: the county did not do the bureau's work
    if (m := _GOVERNMENT.search(new)) and m.group(0) not in original:
        return "unit renamed"  # 县文联争取… → 县政府争取…: the work said to be another body's
    if "我局" in new and "我局" not in original and not ctx.memo.get("bureau", True):
        return "unit renamed"  # a 中心 or a 联合会 is no 局
    if _TWICE_QUALIFIED.search(new) and not _TWICE_QUALIFIED.search(original):
        return "numbers"  # 约9.3%左右: a qualifier said twice
    if unit_as_place(original, new):
        return (
            "broken construction"  # 岈洧区体育局健全…体系 → 体系在岈洧区体育局不断健全: the doer made a place
        )
    if renamed_unit(original, new, kind == "first_person"):
        return "unit renamed"  # 县文化和旅游局 → 文化局, or 作为县交通运输局 (a name never given)
    if any(m not in new for m in _MOTTO.findall(original)):
        return "motto changed"  # 坚持尽力而为、量力而行 is a fixed principle, not a wording
    if new.count("“") != new.count("”") and original.count("“") == original.count("”"):
        return "quotes"  # a quotation mark left open or closed twice
    if re.search(r"”：", new) and "：" not in original:
        return "name as a label"  # “甲专项行动”：加强…: a name made a heading inside the sentence
    if any(_dangles(m.group(1), new) for m in _TURN.finditer(original)):
        return "broken construction"  # 由“事后处罚”向“全程管控”， with its 转变 dropped
    if re.search(r"[一二三四五六七八九十]是在", new) and not re.search(
        r"[一二三四五六七八九十]是在", original
    ):
        return "broken marker"  # 一是持续深化… → 一是在深化…
    if kind == "first_person" and speaks_first_person(seed) and not speaks_first_person(new):
        return "lost 我"
    if kind == "first_person" and similarity(seed, new) < 0.7:
        return "strays from code's sentence"  # 述职: the model only smooths code's sentence
    if any(w.search(new) and not w.search(original) for w in _NOT_OURS):
        return "我司/将"  # a company's 我司 or a future 将 the original did not say
    if any(c in _WORDS_WITH_MARKS.sub("", new) and c not in original for c in _MARKS):
        return "stand-in left"  # a “甲” not put back, or one the model made up (乙被评为丙)
    if any(new.count(x) < original.count(x) for x in set(_MASKED.findall(original))):
        return "numbers"  # XX / ＊＊ stand for a name or a figure the writer masked: kept as written
    if (
        kind == "reword"
        and _CLAIM.search(new)
        and not _CLAIM.search(re.sub(r"(?<!基本)(?<!大)都", "全部", original))
    ):
        return "claims a result"  # 深入推进…采购 → …采购取得实质性进展: a result nobody reported
    if _STRONGER.search(new) and not _STRONG_SAID.search(original):
        return "stronger claim"  # 持续向好 → 明显向好, 不断提升 → 显著提升: more than the writer said
    if (
        "基本" in original
        and not re.search("基本|大部分|大多|多数", new)
        and re.search("均|全部|全都|都", new)
    ):
        return "claims a result"  # 快递点基本上都有了 → 快递点均已全部启用: the hedge dropped
    if _SOLVED.search(new) and not re.search("解决|化解", original):
        return "claims a result"  # 问题得到有效缓解 → 问题得到切实解决
    if set(_GRADE.findall(new)) != set(_GRADE.findall(original)):
        return "grade changed"  # 未发生较大以上…事件 → 重大及以上: a category of the law, not a word
    if any(p not in original for p in _PERIOD.findall(new)):
        return "new period"  # 全年社会消费品零售总额 → 今年上半年…: another span for the same figure
    if _HEDGE.search(new) and not _HEDGE.search(original):
        return "hedged"  # 销售额突破2.6亿元 → 预计突破: a result made a forecast
    if _DONE.search(new) and not _DONE.search(original) and plans(original, ctx.memo.get("body", "")):
        return "claims a result"  # 计划…完成投资不少于3.5亿元 → 3.5亿元的投资已完成: a plan said as done
    if any(q not in new.replace("‘", "“").replace("’", "”") for q in _QUOTED.findall(original)):
        return "quoted name lost"  # a named campaign or system (“第一议题”) is kept as written
    if any(q not in original for q in _QUOTED.findall(new)):
        return "new quoted name"  # 开展了“提质降费专项治理”: a name the writer never gave
    if garbled(original, new):
        return "garbled"  # leo县侨联, 侨眷侨眷
    if any(new.count(u) < original.count(u) for u in _FIGURE_UNITS):
        return "numbers"  # 比上年提高5个百分点 → 提升5至62%: the figure's unit lost
    if any(_UNIT_ALONE.fullmatch(c) for c in new_clauses if c not in old_clauses):
        return "broken clause"  # …机制正式出台，岜渫县乡村振兴局，年内…: the unit left with no verb
    if _AMOUNT_DOES.search(new) and not _AMOUNT_DOES.search(original):
        return "broken order"  # 发放慰问金约26万元 → 约26万元发放慰问金: a sum made the doer
    if _FIGURE_OF_FIGURE.search(new) and not _FIGURE_OF_FIGURE.search(original):
        return "figure moved"  # 参与人数超过65万人次的320名网络评论员队伍: one count made the other's
    if _NAME_THEN_UNIT.search(new) and not _NAME_THEN_UNIT.search(original):
        return "broken order"  # 文物局扎实开展“甲行动” → “甲行动”县文物局年内…: the name left with no verb
    if _TIMES_FIRST.search(new) and not _TIMES_FIRST.search(original):
        return "broken order"  # 开展专题招商27次 → 27次专题招商小分队…: a count of times made a modifier
    if _new_shape(_PLACE_TAIL.search, old_clauses, new_clauses):
        return "broken tail"  # 全区共有离退休干部2360人 → 2360名离退休干部在全区(共有): no predicate
    if _new_shape(_COUNT_ONLY.match, old_clauses, new_clauses):
        return "broken clause"  # 组织开展…活动56场次 → 56场次民族团结宣传月活动，…: a count and its thing, no verb
    if _new_shape(_SPOKEN_TOPIC.match, old_clauses[1:], new_clauses[1:]):
        return "broken order"  # 然后机收这块，小麦机收率… → …玉米也差不多九成了，然后机收这块。
    if _new_shape(_FIGURE_THEN_VERB.search, old_clauses, new_clauses):
        return "broken order"  # 1120万元慈善一日捐活动筹集了 / 8120件审结: the object put before a bare verb
    if (
        (scope := _SCOPE.search(original))
        and scope.group(0) not in new
        and len(_YEAR_SCOPE.findall(new)) > len(_YEAR_SCOPE.findall(original))
    ):
        return "new period"  # 全县港口货物吞吐量 → 全年港口货物吞吐量: the county made the year
    if any(x not in original for x in _SCOPE.findall(new)) and _SCOPE.search(original):
        return "new scope"  # 全县医疗机构 → 全区临床用血需求: the county made another place
    if _RISE_TO.search(new) and not _ANY_CHANGE.search(original):
        return "claims a change"  # 数字化率达到78% → 提升至78%: a rise nobody reported
    if _FROM_FIGURE.search(new) and not _FROM_FIGURE.search(original):
        return "claims a change"  # 及时率达到99.7%，较上年提高0.8个百分点 → 从99.7%提升至…: the level made the start
    if re.search(r"[至到]比(?:上年|去年|同期)", new):
        return "broken order"  # 提升至比上年0.8个百分点
    if amount := money_reversed(original, new):
        return f"figure moved {amount}"  # 争取上级资金1850万元 → 承担…资金: money in said as money out
    if alone := list_item_alone(original, new):
        return f"figure moved {alone}"  # 新建A17个、B26.5公里 → B26.5公里，新建A17个: B no longer new
    if _lone_respectively(new) and not _lone_respectively(original):
        # 春节和八一分别看望3200户: one total made a figure for each; 分别下降18.2%，同比减少21.4%: its list cut
        return "numbers"
    if any(new.count(n) > original.count(n) for n in set(numbers_in(original))):
        return "figure repeated"  # 水利投资6.8亿元，同比增长12.4%，累计达到6.8亿元
    if any(new.count(q) > original.count(q) for q in set(_QUOTED.findall(original))):
        return "name repeated"  # …“双守门人”转变，由“守门人”转变为“双守门人”
    if lost := lost_metric(original, new):
        return f"metric lost {lost}"  # 县域内就诊率 → 就诊率: the figure now says another thing
    if moved := figure_moved(original, new):
        return f"figure moved {moved}"  # 城市…覆盖率达92%，农村…达75% → 农村…达92%
    if cut := figure_name_cut(original, new):
        return f"metric lost {cut}"  # 规模化供水工程覆盖人口 → 覆盖人口 (said after the 普及率: now its)
    if moved := figure_context_lost(original, new):
        return f"figure moved {moved}"  # 制度42项，增收节支4720万元 → 4720万元制度，增收节支42项
    if turns_round(original, new):
        return "direction reversed"  # 从“以治病为中心”向“以健康为中心”, or 降低报销比例
    if (
        moved := change_moved(original, new)
        or count_noun_changed(original, new)
        or measure_lost(original, new)
    ):
        return f"figure moved {moved}"  # 同比增长9.4% now of 慰问人次; 问题80多个 → 80多个企业
    if moved := level_said_as_change(original, new):
        return f"figure moved {moved}"  # 审理周期缩短至32天 → 缩短了32天的审判周期: a level made a change
    if gone := lost_comparator(original, new):
        return f"comparator lost {gone}"  # 同比增长5.2% → 增长了5.2%: a change with no base
    if broken := broken_clause(original, new):
        return f"broken clause {broken}"  # 今年以来，今年，…; …，深入组织。
    if kind in ("reword", "formal", "first_person") and (gone := lost_clause(original, new)):
        return f"clause lost {gone}"  # 围绕乡村振兴 or 大力发展农村电商 gone from the sentence
    if kind in ("reword", "formal") and (gone := lost_place(original, new)):
        return f"place lost {gone}"  # 崦滠县民族宗教事务局 → 县民族宗教事务局: the unit is named as written
    if kind in ("reword", "formal", "first_person") and (gone := lost_scope(original, new)):
        return f"scope lost {gone}"  # 全县汇聚… → 汇聚…; 一年来，… → …: whose work, and when
    if changed := fact_changed(original, new):
        return changed  # 保持在90%以上 → 达到…; 完成规范化建设 → 开展…; 我局联合… → 局联合…
    if kind in ("reword", "formal") and (
        gone := [w for w in lost_things(original, new, _canonical) if w in seed]
    ):
        return f"thing lost {gone[0]}"  # 农村客运 → 客运, 国防 → 国家安全: what the sentence is about
    if kind == "reword" and (extra := added_clause(original, new)):
        return f"added clause {extra}"  # a stock clause of the model's own (推动改革措施落地)
    if kind == "formal" and any(w in new for w in COLLOQUIAL):
        return "colloquial"  # a colloquial word written back
    if kind in ("reword", "formal", "first_person") and (
        extra := [w for w in added_things(original, new, _canonical) if w not in seed]
    ):
        return f"{ADDED}{extra[0]}"  # 8条线路 → 8条城乡线路, 鸣响率 → 使用率: a thing nobody reported
    if any(copies_runs(new, a, KB_RUN) for a in avoid):
        return "copies the knowledge base"
    sim = change_sim(kind, max_sim, original, new)
    # the raw bound is the whole text's (verify): a sentence that is mostly conference names may
    # stay close in raw characters when the rest of the text changes; a named sentence is the text
    whole = kind == "reword" and ctx.whole_text
    if kind == "reword" and not whole:
        free = order_free_similarity(original, new)
        if free >= ORDER_FREE_MAX_SIMILARITY and free > sim + 0.01:
            return f"order only {free:.2f}"  # its clauses in a new order, its words the original's
    if sim >= max_sim or (not whole and similarity(original, new) >= max(max_sim, RAW_MAX_SIMILARITY)):
        return f"similar {sim:.2f}"  # last: a "similar" sample passed every other check
    return ""


# a figure with its unit and qualifier at a clause's start (1.1万亩以上的…)
_FIGURE_HEAD = rf"^(?:约|近|超过|超|逾)?{FIGURE.pattern}[万亿]?[\u4e00-\u9fff]{{0,3}}?(?:以上|余|多)?的?"


def metric_astray(original: str, new: str) -> str:
    """A clause of `new` in which a metric's name (森林抚育面积 of 森林抚育面积达1.1万亩以上) has no verb:
    the name said after its figure (1.1万亩以上森林抚育面积), or a piece of it left as a clause of
    its own (档案的数字化率已达78%，馆藏档案)."""
    names = {m.group(1) for m in _METRIC.finditer(original)}
    said = set(clauses_of(original)[0])
    for c in clauses_of(new)[0]:
        if c in said or re.fullmatch(rf"(?:{TIME_WORDS})", c):
            continue  # (全年， of 全年市属国企资产总额达到684亿元 is a time, not a piece of the name)
        for name in names:
            if re.match(_FIGURE_HEAD + re.escape(name) + "$", c):
                return c
            if not re.search(r"\d", c) and 2 <= cjk_len(c) < cjk_len(name) and c in name:
                return c
    return ""


_FIGURE_THEN_TIME = re.compile(r"\d+(?:\.\d+)?(?:万|亿)?[\u4e00-\u9fff]{0,2}?(?:年内|全年|今年)")
# a clause cannot end on these: 延伸至, 得益于, 把 (截至 and 甚至 never end one either)
_DANGLING = re.compile(r"(?:至|于|把)$")


def change_sim(kind: str, max_sim: float, original: str, new: str) -> float:
    """How a sentence's change is measured: a new wording (or a named sentence, whose target is
    SENTENCE_MAX_SIMILARITY or below) on what it can change, as verify does; others raw."""
    if kind == "reword" or max_sim <= SENTENCE_MAX_SIMILARITY:
        return change_similarity(original, new)
    return similarity(original, new)


def candidate_ok(
    ctx: Ctx,
    kind: str,
    original: str,
    seed: str,
    new: str,
    max_sim: float,
    avoid: list[str] = (),  # type: ignore[assignment]
) -> bool:
    return not candidate_problem(ctx, kind, original, seed, new, max_sim, avoid)


_ECHO = re.compile(r"【|】|改写|原句|原文|示例|改后")
_SUBJECT_WORDS = re.compile(r"我们|我局|本局|我单位|本单位|局党组|我司|本人|我县|我市|我区|我省|我国")
# A fixed pair (or list) of four-character phrases at a clause's end: 坚持尽力而为、量力而行，
_MOTTO = re.compile(
    r"((?:[\u4e00-\u9fff]{4}、)+[\u4e00-\u9fff]{4})(?=[，。；]|$)"
)  # (a clause group ends with no mark)


def unit_as_place(original: str, new: str) -> bool:
    """The writer's unit, the doer in the original, said as where the work happened (在…局)."""
    for m in UNIT_NAME.finditer(original):
        place = "".join(unit_places(original[max(0, m.start() - 2) : m.end()]))  # (岈洧 of 岈洧区体育局)
        at = re.compile(f"在(?:{re.escape(place)})?{re.escape(m.group(0))}")
        if at.search(new) and not at.search(original):
            return True
    return False


def renamed_unit(original: str, new: str, speaks: bool = False) -> bool:
    """A unit named in `new` that the original did not name, or the original's unit named another
    way (县文化和旅游局 → 文化局); 市民政局 → 民政局 (the place left out) is the same unit. In 述职
    voice (`speaks`) the unit may become 我. Another place in front of the unit, or a 厅 the original
    never named, is a renamed unit too."""
    old, now = set(UNIT_NAME.findall(original)), set(UNIT_NAME.findall(new))
    # the place in front of a unit (蓉江市商务局 → 成都市商务局: the regex sees 市商务局 in both)
    was = set(unit_places(original))
    # (推进县级社会福利中心 → 推动县级…: a verb before the unit is no place)
    places = {p for p in set(unit_places(new)) - was if names_a_place(p)}
    # a place name cut (嵖溧市水利局 → 溧市水利局: the model dropped a rare character)
    cut = any(re.search(f"(?<!{p[0]}){p[1]}[市县区州]", new) for p in was)
    # the place torn from its 县/市 (嵣湑县国家保密局 → 任嵣湑担任国家保密局)
    bare = _QUOTED.sub("", new)  # (“山水郗岚·四季有约” names the place in a brand)
    cut = cut or any(p in bare and not re.search(f"{p}[市县区州]", bare) for p in was)
    hall = "厅" in new and "厅" not in original  # a body never named (县人社局 → 县人社局人社厅)
    # the county's bureau made the nation's or a province's (芷阳县烟草专卖局 → 中国烟草专卖局)
    higher = any(
        (m := re.search(r"(中国|全国|国家|省)" + re.escape(u[1:]), new)) and m.group(0) not in original
        for u in old
    )
    # the unit's own name after another word (区计量检定所 → 水利部计量检定所, 民生计量检定所): only its
    # place, a word of the sentence (在/由/对…) or nothing may stand before it
    owner = any(
        m.start() and re.match(_CJK, b := new[m.start() - 1]) and b != u[0] and b not in _BEFORE_A_NAME
        for u in old
        for m in re.finditer(re.escape(u[1:]), new)
    )
    return (
        bool(now - old)
        or bool(places)
        or cut
        or hall
        or higher
        or owner
        or (not speaks and any(u[1:] not in new for u in old - now))
    )


_BEFORE_A_NAME = (
    "在由对向为和与及同跟经据从按被将把让给的是本该各全我们任年内"  # (我们水务局, 担任司法局局长, 今年…)
)


# (with its place: 明年，嵯湜区农业农村局将…; the two characters must be a place, see names_a_place)
_OPENING_UNIT = re.compile(
    r"^((?:今年以来|全年|今年|[^，。；]{0,8}年(?:以来)?)，)?([\u4e00-\u9fff]{2})?(" + UNIT_NAME.pattern + ")"
)


_CJK = "[\u4e00-\u9fff]"


def mend_fixed(original: str, new: str) -> str:
    """What a sample must keep, put back where the model slipped: a fixed principle's phrases in
    the writer's order (量力而行、尽力而为 → 尽力而为、量力而行), the writer's place before its unit (restore_place),
    and the unit that opened the sentence (县文化和旅游局坚持… → 以文塑旅…: the unit written in front
    again) where the sample names no unit and no other subject."""
    for motto in _MOTTO.findall(original):
        pieces = motto.split("、")
        one = "(?:" + "|".join(map(re.escape, pieces)) + ")"
        found = re.search(one + ("、" + one) * (len(pieces) - 1), new)
        if motto not in new and found and sorted(found.group(0).split("、")) == sorted(pieces):
            new = new[: found.start()] + motto + new[found.end() :]
    new = restore_lead(original, restore_place(original, new))
    m = _OPENING_UNIT.match(original)
    if (
        m
        and (not m.group(2) or names_a_place(m.group(2)))  # (推进县级…中心 opens with a verb, not a unit)
        and new
        and m.group(3)[1:] not in new  # (市民政局 → 民政局 is the same unit)
        and not UNIT_NAME.search(new)
        and not _SUBJECT_WORDS.search(new)
        and not _PERSON.search(new)
    ):
        lead = _LEAD.match(new)
        at = lead.end() if lead else 0
        # (全县…/我… is a subject of its own; a sample that lost more than the unit, 嶂淏县知识产权局
        # 坚持保护与运用并重，全年… → 全年…, is not made whole by its unit: the checks judge it)
        if not re.match(r"全[县市区省]|我", new[at:]) and _opens_alike(original[m.end() :], new[at:]):
            new = new[:at] + (m.group(2) or "") + m.group(3) + new[at:]
    return new


def _opens_alike(rest: str, new: str) -> bool:
    """Whether `new` opens with the clause the unit opened (`rest`: what followed the unit), not a
    later one (杉浦市…中心持续加强监测预警能力建设，新建地震预警终端46个… → 新建地震预警终端46个…: the
    unit did more than that clause says, so it is not put back in front of it)."""
    first = re.split(r"[，。；]", new, maxsplit=1)[0]
    clauses = [c for c in re.split(r"[，。；]", rest) if c]
    if not clauses:
        return False
    shared = [len(_bigrams(first) & _bigrams(c)) for c in clauses]
    return shared[0] > 0 and shared[0] == max(shared)


_TWICE_QUALIFIED = re.compile(
    r"(?:约|大约|大概)(?:\d+(?:\.\d+)?|[一二两三四五六七八九十]+成)[^\d，。；]{0,3}左右"
    r"|(?:超过|超|逾|突破)了?\d+(?:\.\d+)?[^\d，。；]{0,3}(?:以上|余|多)"
)  # 约9.3%左右, 约两成左右, 超过了1.1万亩以上
_GOVERNMENT = re.compile(r"[县市区省州](?:委|政府|人大|政协)|党委|政府")
_PERSON = re.compile(r"局领导|局长|领导班子|主要负责人|分管领导|主任|书记|局机关")
_PERIOD = re.compile(
    r"上半年|下半年|[一二三四]季度|前三季度|年初|年底|年末|\d{1,2}月|近几?年来?|多年来|"
    r"(?:^|(?<=[，。；]))在?(?:去年|前年)(?!同期)"
)  # (去年 as the time of the work, not 比去年: a comparison; 近年来 is not 今年以来)
_TURN = re.compile(r"(“[^“”]{1,20}”)(?:转变|转型|迈进|延伸|拓展|转化)")  # 由“甲”向“乙”转变


def _dangles(name: str, new: str) -> bool:
    """`new` ends a clause on the target “乙” of 向“乙”转变 with no verb (转为“乙” is whole)."""
    q = re.escape(name)
    return bool(re.search(q + r"(?:[，。；]|$)", new)) and not re.search(
        r"(?:转向|转为|变为|转变为)" + q, new
    )


FAITHFUL = 0.55  # share of characters a rewording of one sentence still has in common with it (both ways)


_COUNT = re.compile(
    r"[零一二两三四五六七八九十百千万]+(?:[名人次个家项场批件起条所座例]|期(?!间))"
    r"|[一二两三四五六七八九十]+(?:成|倍|番)|[一二三四五六七八九十]+分之[一二三四五六七八九十]+|一半|过半|近半"
)  # not 八一期间; 一成多 → 三分之一 is another figure


def _canonical(text: str) -> str:
    """The text with each word of a synonym group written as one mark (推进/推动/促进 → the same)."""
    return _CANON_RE.sub(lambda m: _CANON[m.group(0)], text)


def _content_chars(text: str) -> Counter[str]:
    """The text's Chinese characters with multiplicity, each synonym group of the word table one mark."""
    return Counter(re.findall(r"[\u4e00-\u9fff\ue000-\uf8ff]", _canonical(text)))


def content_overlap(original: str, new: str) -> tuple[float, float]:
    """(recall, precision) of Chinese characters, counted with multiplicity, synonyms of the word
    table counted as the same: a rewording keeps most of the original's content (recall) and
    brings little of its own (precision); another sentence's content, or a sentence cut in half,
    does not."""
    a, b = _content_chars(original), _content_chars(new)
    common = sum((a & b).values())
    return common / (sum(a.values()) or 1), common / (sum(b.values()) or 1)


LOST_CLAUSE = 6  # Chinese characters: a clause this long must leave a word of its own in its rewording


def _words(text: str) -> set[str]:
    """The text's two-character runs with each synonym group of the word table one mark (大力发展 and
    积极发展 share a run), its figures and quoted names aside."""
    return _bigrams(_canonical(_QUOTED.sub("", text)), "\u4e00-\u9fff\ue000-\uf8ff")


_SPOKEN_TOPIC = re.compile(
    r"^(?:然后|还有就是|另外|再就是|至于)?[\u4e00-\u9fff]{1,6}?(?:这一块|这块|这方面)$"
)


def lost_clause(original: str, new: str) -> str:
    """A clause of `original` (LOST_CLAUSE characters or more, quoted names aside) of which not one
    two-character word is left in `new`: what it said is gone (围绕乡村振兴，我们推动… → 我们聚焦于…;
    大力发展农村电商，销售额突破… → 推动销售额突破…). A rewording says each clause anew; it keeps its
    object; a clause whose quoted name is kept has kept what it said."""
    have = _words(by_direction(new))
    for clause in clauses_of(original)[0]:
        if _SPOKEN_TOPIC.match(clause):
            continue  # 然后就业这块: a spoken topic change, its topic said by what follows
        if any(q in new for q in _QUOTED.findall(clause)):
            continue  # its name is kept: 深入开展“甲”活动 → 以“甲”为抓手 says it with other words
        if cjk_len(_QUOTED.sub("", clause)) >= LOST_CLAUSE and not _words(by_direction(clause)) & have:
            return clause
    return ""


def copies_shot(kind: str, original: str, new: str) -> bool:
    """Whether `new` is closer to a worked example's answer than to the sentence it rewrites."""
    mine = len(_bigrams(new) & _bigrams(original))
    return any(len(_bigrams(new) & _bigrams(a)) > max(2, mine) for _, a in SHOTS.get(kind, []))


_BEFORE = re.compile(
    r"(超过|超|突破|将近|接近|近|大约|大概|差不多|约|逾|不到|不足|不少于|不低于|不超过|不高于|至少|最少|"
    r"达到|达|共|累计)(?:为|是|有|到了|达到|达)?(\d+(?:\.\d+)?)"
)


def _new_qualifier(old: str, new: str) -> bool:
    """A number's 超过/近/约 (达到 → 超过 changes the fact) that the original did not give it, or
    one the original gave that is gone (超1.8亿元 → 1.8亿元)."""
    same = {
        "超": "超过",
        "逾": "超过",
        "突破": "超过",
        "不到": "不足",
        "大概": "约",
        "大约": "约",
        "差不多": "约",
    }
    same |= {"将近": "近", "接近": "近"}  # 超 = 逾 = 超过 …
    same |= {"不低于": "不少于", "至少": "不少于", "最少": "不少于", "不高于": "不超过"}  # a floor, a ceiling
    soft = {"达到", "达", "共", "累计"}  # saying less is fine: 达到 → 达, 共 dropped

    def hard(text: str) -> set[tuple[str, str]]:
        return {
            (same.get(m.group(1), m.group(1)), m.group(2))
            for m in _BEFORE.finditer(text)
            if m.group(1) not in soft
        }

    had, has = hard(old), hard(new)
    after = {(m.group(1), m.group(2)) for m in _QUALIFIED.finditer(new)}  # 超1.8亿元 = 1.8亿元以上
    also = {"超过": "以上", "约": "左右", "近": "左右"}  # 约2.1万 = 2.1万左右
    # (1200来万元 → 约1200万元: 来 says 左右)
    was_after = {(m.group(1), "左右" if m.group(2) == "来" else m.group(2)) for m in _QUALIFIED.finditer(old)}

    def more(n: str, said: set[tuple[str, str]]) -> bool:
        return (n, "多") in said or (n, "余") in said

    # (差不多140多场 → 140余场: the 约 of a figure already said to be "more than" is no fact)
    lost = {
        (q, n)
        for q, n in had - has
        if (n, also.get(q, "")) not in after and not (q == "约" and more(n, after) and more(n, was_after))
    }
    added = {(q, n) for q, n in has - had if (n, also.get(q, "")) not in was_after}
    # (a spoken 差不多 is 约 or 近: 差不多到了97% → 接近97%)
    loose = {n for m in _BEFORE.finditer(old) if m.group(1) == "差不多" for n in [m.group(2)]}
    lost = {(q, n) for q, n in lost if not (q == "约" and n in loose and ("近", n) in has)}
    added = {(q, n) for q, n in added if not (q == "近" and n in loose and ("约", n) in lost | had)}
    return bool(added) or bool(lost)


def _alone(number: str) -> re.Pattern[str]:
    """`number` written as a whole number (not the 26 of 126, nor the 8 of 3.86)."""
    return re.compile(r"(?<![\d.])" + re.escape(number) + r"(?![\d.])")


# a qualifier that stands before a figure, as a formal sentence writes it (大概 → 约)
_QUALIFIER_BEFORE = {"大概": "约", "大约": "约", "差不多": "约", "将近": "近", "接近": "近", "超": "超过"}
_QUALIFIER_BEFORE |= {q: q for q in ("约", "近", "超过", "逾", "不到", "不足", "不少于", "不超过")}
_QUALIFIER_BEFORE |= {"不低于": "不少于", "至少": "不少于", "不高于": "不超过"}


def mend_qualifiers(original: str, new: str) -> str:
    """A qualifier of the original's figure that a sample dropped, put back: 1600多个 → 1600个 gets
    its 多 again, 大概430名 → 430名 its 约, 95%以上 → 95% its 以上. The qualifier is part of the
    figure (numbers are the writer's), and a 1.5B model drops it in half its rewordings; only a
    figure the sample writes once, with no qualifier of its own. 2.6个点 is 2.6个百分点 again."""
    for m in _QUALIFIED.finditer(original):
        n, q = m.group(1), m.group(2)
        gap = original[m.end(1) : m.start(2)]
        spots = list(_alone(n).finditer(new))
        if len(spots) != 1 or original.count(n) != 1:
            continue
        at = spots[0].end()
        if q == "来" and re.search(r"(?:约|大约|大概|近|左右)$", new[: spots[0].start()]):
            continue  # (1200来万元 → 约1200万元 says it its own way)
        after = new[at : at + len(gap) + 4]
        if not after.startswith(gap) or re.match(r"[^\d，。；、]{0,4}?(以上|以下|余|多|左右|近|超过)", after):
            continue
        new = new[: at + len(gap)] + q + new[at + len(gap) :]
    for m in _BEFORE.finditer(original):
        q, n = _QUALIFIER_BEFORE.get(m.group(1), ""), m.group(2)
        spots = list(_alone(n).finditer(new))
        if not q or len(spots) != 1 or original.count(n) != 1:
            continue
        at = spots[0].start()
        if re.search("(?:" + "|".join(_QUALIFIER_BEFORE) + r")(?:为|是|有)?$", new[:at]):
            continue  # it has one of its own (超过 for 约): _new_qualifier judges it
        tail = new[at + len(n) : at + len(n) + 6]
        if re.match(r"[^\d，。；、]{0,4}?(以上|左右|余|多)", tail):
            continue  # said after the figure instead (约2.1万 = 2.1万左右)
        soft = re.search(r"(?:达到|达|突破)$", new[:at]) if q in ("超过", "逾") else None
        new = new[: soft.start() if soft else at] + q + new[at:]  # (达超过6万 is no Chinese)
    # a point of a rate said short (提高2.6个百分点 → 提高2.6个点): its unit written out again
    for n in re.findall(r"(?<![\d.])(\d+(?:\.\d+)?)个百分点", original):
        new = re.sub(rf"(?<![\d.]){re.escape(n)}个点(?![位子赞])", f"{n}个百分点", new)
    return new


# 从“甲”向“乙”转变, 由“甲”变为“乙”: the order of the two names is the meaning.
_DIRECTED = re.compile(
    r"(“[^“”]{1,40}”)[^，。；“]{0,12}?(?:向|到|转为|转向|变为|至)[^，。；“]{0,12}(“[^“”]{1,40}”)"
)


_MASKED = re.compile(r"[Xx]{2,}|[＊*]{2,}|×{2,}")
# a result claimed in so many words (取得明显成效, 成效显著, 显著提升)
_CLAIM = re.compile(
    r"取得[^，。；]{0,6}?(?:成效|进展|突破|成果|成绩)|成效(?:显著|明显|突出)"
    r"|(?:显著|明显|大幅)(?:提升|提高|增强|改善|加强|加快|好转)"
    r"|(?:全部|圆满|顺利|全面)完成|成功(?!率)|全部|全都|均已|悉数|无一|百分之百"
    r"|受益(?:明显|显著|匪浅)|(?:明显|显著)受益"
)
# a degree the writer did not claim (持续向好 → 明显向好), and the words by which a writer did claim one
_STRONGER = re.compile(r"明显|显著|大幅|极大|大大|全面|根本|彻底|空前|跨越|质的飞跃|深刻")
_STRONG_SAID = re.compile(
    _STRONGER.pattern
    + r"|很|挺|特别|非常|十分|高度|充分|突出|巨大|全覆盖|全部|全都|都|(?<!平)均|全力|全方位|有力|大力"
)
# what makes a 将 the 把 of 将…作为 (not the future), read later in the clause
_JIANG_AS_BA = "作为|摆在|放在|列为|当作|视为"
# a plan (将…, 计划, 力争; a paragraph that opens with 明年…将) and what says it is done
# (争取 alone is a result: 争取上级资金1850万元 was secured)
_PLAN = re.compile(
    rf"将(?![^，。；]*(?:{_JIANG_AS_BA}))|计划|拟|力争|预计|争取(?=实现|完成|达到|建成|新建|举办|开办|突破)"
)
_PLAN_OPENING = re.compile(r"^(?:明年|来年|下一年|下一步|今后|\d{4}年)[^。]{0,30}将")
_DONE = re.compile(r"已(?!有)|业已|(?:完成|实现|建成|达到)了")


def plans(sentence: str, body: str = "") -> bool:
    """Whether `sentence` says a plan, by its own words or as part of a paragraph that opens with one."""
    return bool(_PLAN.search(sentence) or _PLAN_OPENING.match(body.strip()))


_HEDGE = re.compile(
    r"预计|预期|有望|力争|争取|计划|拟|必须|应当|应保证|应确保|"
    r"将(?:完成|实现|达到|建成|新建|新增|开展|投入|实施|组织|举办|发放|改造|新开)|将被|"
    r"确保[^，。；]{0,10}?(?:不|未|无)(?:发生|出现)"
)  # (a result made a forecast, a plan or a duty: 全年完成… → 今年…将完成…; 未发生事故 → 确保不发生…)
_RESPECTIVELY = re.compile(r"分别[^，。；]*\d[^，。；\d]*[、和与及][^，。；]*\d")


_FIGURE_OF_FIGURE = re.compile(r"\d[^，。；、\d]{0,6}的\d")
_DOING = (
    r"新改建|新建|新增|改造|改建|建成|建设|完成|发放|查处|检查|举办|组织|开展|培训|接收|开通|设立|实施|排查|"
    r"整治|整改|清理|收购|投入|打造|创建|引进|帮扶|走访|慰问|救助|受理|办结|调解|化解|抽查|罚没|办理|接待|"
    r"加装|安装|铺设"
)
_DONE_LIST = re.compile(
    rf"(?P<verb>{_DOING})(?P<first>[^，。；、\d]{{1,16}}?\d[^，。；、]{{0,8}}?)、(?P<rest>[^，。；]+)"
)


_FIGURE_UNITS = ("个百分点", "百分点", "%", "％", "‰")
_UNIT_ALONE = re.compile(r"[\u4e00-\u9fff]{0,3}" + UNIT_NAME.pattern)
_AMOUNT_DOES = re.compile(
    rf"(?:^|[，；。])(?:约|近|超过)?\d+(?:\.\d+)?(?:万|亿)?(?:元|吨|公里|亩|平方米)(?:{_DOING})"
)


_NAME_THEN_UNIT = re.compile(r"”(?:[\u4e00-\u9fff]{2})?" + UNIT_NAME.pattern)
_TIMES_FIRST = re.compile(r"(?:^|[，；：])\d+(?:\.\d+)?(?:余|多)?次[\u4e00-\u9fff]")
_PLACE_TAIL = re.compile(r"(?:在(?:全[县市区省州]|[\u4e00-\u9fff]{1,6}?[县市区镇乡村])|共有|拥有)$")
_INFLOW = re.compile(r"争取|获得|获取|引进|吸引|筹集|到位|追回|挽回|收缴|罚没|募集")
_OUTFLOW = re.compile(r"承担|投入|支出|花费|发放|拨付|使用|安排|支付|消耗|投资")
_MONEY = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:万|亿)?元")


_COUNT_ONLY = re.compile(
    r"^(?:年内|全年|今年|累计|共计|合计|共)?\d+(?:\.\d+)?(?:余|多)?(?:场次|人次|家次|处次|个|家|项|场|件|次|名|所|座|条)的?"
    r"[\u4e00-\u9fff“”]{2,16}?"
    r"(?:活动|项目|工程|案件|企业|单位|场所|干部|群众|会议|人员|资金|站|点|阵地|班级|网点|组织)$"
)
# a figure that opens its clause and a bare verb that ends it (27次专题招商小分队赴外地进行组织), or a count
# right before the verb it is the object of (审结8120件 → 8120件审结)
_FIGURE_THEN_VERB = re.compile(
    r"^\d[^，。；]*?(?:开展|组织|进行|举办|筹集|实施|募集)了?$"
    r"|\d+(?:\.\d+)?(?:余|多)?[件个家项人名场次](?:审结|办结|受理|办理|开展|组织|举办)$"
)
_SCOPE = re.compile(r"全[县市区州省]")
_YEAR_SCOPE = re.compile(r"全年|年内")
# a level said as reached by a change (提升至78%), and the words by which a writer reports one
_FROM_FIGURE = re.compile(r"从(?:约|近)?\d")
_RISE_TO = re.compile(r"(?:(?:提升|提高|增长|上升|增加|下降|降低|减少)(?:至|到)|增至|升至|降至)\d")
_ANY_CHANGE = re.compile(
    r"同比|环比|较上年|比上年|较去年|比去年|增长|提高|提升|上升|增加|多了|涨|下降|减少|降低|降到|降至|发展到|扩大|缩小"
)


def money_reversed(original: str, new: str) -> str:
    """An amount the writer said came in (争取、追回、引进) said in `new` as going out (承担、投入、发放),
    by the verbs of its clause: the figure's meaning turned round. Returns the amount, or ""."""

    def clause(text: str, amount: str) -> str:
        return next((c for c in re.split(r"[，。；：]", text) if amount in c), "")

    for m in _MONEY.finditer(original):
        was, now = clause(original, m.group(0)), clause(new, m.group(0))
        if (
            _INFLOW.search(was)
            and not _OUTFLOW.search(was)
            and _OUTFLOW.search(now)
            and not _INFLOW.search(now)
        ):
            return m.group(0)
    return ""


def list_item_alone(original: str, new: str) -> str:
    """An item of a list that one verb governs (新建社区运动场17个、健身步道26.5公里) said in `new` as a
    clause of its own, with no verb (…，健身步道26.5公里，新建17个…): the new 步道 now read as all of them."""
    for m in _DONE_LIST.finditer(original):
        for item in m.group("rest").split("、"):
            if not re.search(r"\d", item) or re.match(rf"(?:{_DOING})", item):
                break  # (检查企业…、排查隐患…: each item its own verb)
            k = new.find(item)
            if k > 0 and new[: k - 1].endswith(m.group("verb") + m.group("first")):
                break  # 、 written as ， (接收档案1.2万卷，照片档案3400余张): the list as it was
            if k == 0 or (k > 0 and new[k - 1] in "，。；"):
                return item
    return ""


def _lone_respectively(text: str) -> bool:
    """A 分别 with fewer than two figures after it in its clause."""
    return text.count("分别") > len(_RESPECTIVELY.findall(text))


_SOLVED = re.compile(
    r"得到[^，。；]{0,4}解决|(?:彻底|根本|全面)解决"
)  # (a problem the writer never said solved)


def one_sentence(original: str, new: str) -> str:
    """A sample that said one sentence as two (A。B。) joined again with a comma (A，B。): the text's
    sentences are what follow-ups count, and 公文 joins its clauses so."""
    if re.search(r"[。！？]", original.rstrip("。！？；")):
        return new
    body = new.rstrip("。！？；")
    return re.sub(r"[。！？]+", "，", body) + new[len(body) :]


def requote(original: str, new: str) -> str:
    """The original's quoted names that a sample wrote without (or with half of) its quotation
    marks, quoted again: 分享XX经验 → 分享“XX经验”. Only where the bare words occur once. A name
    rewritten by a character or two is put back; the original's plain words quoted are unquoted."""
    for q in dict.fromkeys(_QUOTED.findall(original)):
        if q in new:
            continue
        bare = q[1:-1]
        if new.count(bare) != 1:
            continue
        i = new.index(bare)
        start = i - 1 if i and new[i - 1] in "“‘" else i
        end = i + len(bare) + (1 if new[i + len(bare) : i + len(bare) + 1] in ("”", "’") else 0)
        new = new[:start] + q + new[end:]
    # a name the model rewrote a little (“气象直通车” → “天气直通车”): the writer's, as written; words of
    # the original the model quoted (“短信平台”): unquoted again
    names = set(_QUOTED.findall(original))
    for q in dict.fromkeys(_QUOTED.findall(new)):
        if q in names:
            continue
        if q[1:-1] in _QUOTED.sub("", original):
            new = new.replace(q, q[1:-1])
            continue
        near = [
            n
            for n in names
            if n not in new and abs(len(n) - len(q)) <= 1 and similarity(n[1:-1], q[1:-1]) >= 0.6
        ]
        if len(near) == 1:
            new = new.replace(q, near[0])
    return new


def keeps_sense(original: str, new: str) -> bool:
    """A tightened sentence says what the original said, less of it: no 从“甲”向“乙” turned round
    or cut to one end (向“乙”转变), no goal turned round, no quotation marks of its own."""
    for m in _DIRECTED.finditer(original):
        if (m.group(1) in new) != (m.group(2) in new):
            return False
    return not (turns_round(original, new) or any(q not in original for q in _QUOTED.findall(new)))


# A comparison made from last year's side (去年比今年少了两成): the same figure is then another
# change (20% more is not 20% less the other way).
_BASE_SWAPPED = re.compile(r"(?:去年|上年|前年)(?:同期)?(?:比|较)|(?:比|较)(?:今年|本年)")


def turns_round(original: str, new: str) -> bool:
    """Whether `new` says a change or a goal of the original the other way round."""
    return (
        reverses(original, new)
        or bool(backwards(new) and not backwards(original))
        or bool(_BASE_SWAPPED.search(new) and not _BASE_SWAPPED.search(original))
        or recipient_made_agent(original, new)
    )


def recipient_made_agent(original: str, new: str) -> bool:
    """向防汛部门报送…数据 → …数据被防汛部门报送: who received it said to have done it; 会同执法部门依法处置
    → 执法部门及时与相关部门协调处理: the partner made the one who did it."""
    if any(
        re.search(f"[向给为对]{re.escape(m.group(1))}", original) and f"被{m.group(1)}" not in original
        for m in re.finditer(f"被({_CJK}{{2,4}})", new)
    ):
        return True
    for m in _PARTNER.finditer(original):
        opens = re.compile(rf"(?:^|[，。；]){re.escape(m.group(1))}(?!的)")
        if opens.search(new) and not opens.search(original):
            return True
    return False


_PARTNER = re.compile(rf"(?:会同|联合|协同|配合|向|与|同)({_CJK}{{1,6}}?(?:部门|机构|单位))")


def reverses(original: str, new: str) -> bool:
    """Whether `new` names the two ends of one of the original's 从…向… changes the other way round."""
    for m in _DIRECTED.finditer(original):
        a, b = m.group(1), m.group(2)
        if a in new and b in new and a != b and new.index(a) > new.index(b):
            return True
    return False


# A figure's metric as the clause names it: 县域内就诊率达90.31％, 群众满意度持续保持在90％以上.
_METRIC = re.compile(
    r"(?:^|[，；：”])([\u4e00-\u9fff、]{2,30}?)(?:持续|始终|稳定|均|已|分别|进一步|基本上?|总体|一直)*"
    r"(?:达到|达|为|保持在|控制在|稳定在)\d"
)


# A change measured against last year (同比增长, 较上年提高…).
_AGAINST = "(?:同比|较上年|比上年|较去年|比去年)"
_CHANGED = "(?:增长|提高|提升|下降|减少|增加|上升|降低)了?"
# A metric named in front of its change: 全县固定资产投资同比增长8.3% (by its last four characters).
_CHANGE_METRIC = re.compile(r"(?:^|[，。；：”])([\u4e00-\u9fff]{2,20}?)" + _AGAINST + _CHANGED + r"\d")


_MEASURE_WORD = re.compile(r"(?:面积|数量|总量|人数|里程)$")
_RATE_AS = re.compile(r"(?<=[\u4e00-\u9fff])(?:比例|比率)")


def lost_metric(original: str, new: str) -> str:
    """The name of a figure's metric that `new` no longer says (synonyms of the word table aside)."""
    have = _RATE_AS.sub("率", _canonical(new).replace("的", ""))  # (数字化率 → 数字化比例: the same)
    # the metric's last six characters: 县域内就诊率 whole, …总费用平均降幅 by its head noun; a metric
    # said twice (食堂“明厨亮灶”覆盖率, 快检覆盖率) must still be said twice
    said = _RATE_AS.sub("率", _canonical(original).replace("的", ""))
    new_words = _pairs(new)
    for m in _CHANGE_METRIC.finditer(original):  # (全县固定资产投资同比增长8.3% → 投资总额同比增长8.3%)
        name = re.sub(rf"^(?:{TIME_WORDS})", "", m.group(1))  # (全年投诉件: 投诉件 → 投诉量 is the same)
        words = _pairs(name)
        if len(words) >= 2 and len(words & new_words) < len(words) / 2:
            return m.group(1)
    for m in _METRIC.finditer(original):
        names = m.group(1).split("、")  # (按期受理率、按期办结率分别达到…: each one)
        for k, name in enumerate(names):
            head = _RATE_AS.sub("率", _canonical(name.replace("的", "")))[-6:]
            bare = _MEASURE_WORD.sub("", head)  # (森林抚育面积达… → 完成森林抚育…: the unit says it)
            if len(bare) >= 2 and bare != head and have.count(bare) >= said.count(bare):
                continue
            if len(head) >= 2 and have.count(head) < said.count(head):
                shared = next((n for n in range(len(name)) if name[: n + 1] != names[0][: n + 1]), len(name))
                if k and shared and "、" + _canonical(name[shared:]) in have:
                    continue  # 按期受理率、办结率: the shared 按期 said once
                return name
    return ""


# What stands between a figure's name and the figure (…覆盖率达到92%, 游客同比增长12%): not its name.
_TO_FIGURE = re.compile(
    r"(?:同比|分别|累计|共计|共|达到|达|为|约|超过|超|突破|近|增长|增加|提高|提升|下降|减少|降低|至|到|了|是|"
    r"计|有|均|已|保持在|控制在|稳定在|持续|始终|稳定|进一步)+$"
)


_SAID_AS = re.compile(
    r"(?:(?P<by>增长|提高|提升|上升|下降|减少|降低|增加|增强|扩大|攀升|回升|回落|缩小|下滑|缩短|延长|压缩)了?|"
    r"(?P<to>至|达到|到|达|为)了?)$"
)
_GROWTH_IS = re.compile(
    r"(?:增长|增幅|降幅|涨幅|提高|提升|上升|下降|减少)[^，。；、\d至到]{0,6}(?:为|达到|达)$"
)


def _said_as(before: str) -> str:
    """How the text leading up to a figure says it: "by" (增长6.8%, 增长幅度分别为12.7%), "to" (至286.3亿元,
    达92%), or "" (neither)."""
    m = _SAID_AS.search(before)
    if not m:
        return ""
    return "by" if m.group("by") or _GROWTH_IS.search(before) else "to"


def level_said_as_change(original: str, new: str) -> str:
    """A figure the original says as a level reached (缩短至32天, 达到92%) that `new` says as the size
    of a change (缩短了32天), or the other way round: another fact. Any figure, of any unit."""
    for n in dict.fromkeys(numbers_in(original)):
        at = re.compile(r"(?<![\d.])" + re.escape(n) + r"(?![\d.]*\d)")
        if _said_otherwise(
            original, [m.start() for m in at.finditer(original)], new, [m.start() for m in at.finditer(new)]
        ):
            return n
    return ""


def _said_otherwise(original: str, olds: list[int], new: str, news: list[int]) -> bool:
    """A figure the original says one way at `olds` (a level, or a change: `_said_as`) that `new`
    says the other way at one of `news`."""
    was = {_said_as(original[:k]) for k in olds} - {""}
    now = {_said_as(new[:k]) for k in news} - {""}
    return len(was) == 1 and bool(now - was)


_NEWLY = re.compile(r"新(?:创建|建|增|改建|开工|引进|培育|认定|发展|设|办|招)|改扩建")
_NEWISH = re.compile(r"新|建设|建成|建立|改建|改造|增设|增加|开通|打造|培育|引进")


def figure_moved(original: str, new: str) -> str:
    """A figure that `new` gives to another figure's name: where two figures of a sentence share a
    unit (两个覆盖率 in %, two amounts in 万元), one that now stands in a clause naming the other's
    metric and not its own (城市…达92%、农村…达75% → 农村…达92%) is a wrong figure. A name is its
    last four characters, matched by their first and last two (synonyms alike); saying the same
    metric another way (追回医保基金 → 挽回基金损失) is no swap. A 分别 list pairs by order: not judged.
    A figure that sums a list (低保金、特困供养金1.38亿元) must keep each item beside it, and a figure
    said of what is new (新建…4.2万亩) stays new, one that was not (保障用地2860亩) is not made new."""
    found = [(m.group(0), _units(m.group(0))[m.group(1)], m.start()) for m in _FIGURE_UNIT.finditer(original)]
    shared = Counter(u for _, u, _ in found)

    def bare(text: str) -> str:  # Chinese only, synonyms alike, no 的 (“明厨亮灶”覆盖率 = 明厨亮灶的覆盖率)
        return _canonical(re.sub(r"[^\u4e00-\u9fff]|的", "", text))

    names: dict[str, tuple[str, str]] = {}  # figure → (unit, its name's Chinese, 3–4 characters)
    # (a 分别 list of the original read as one figure a clause: 甲、乙分别达到x、y → 甲达到x，乙达到y)
    listed = split_listed_figures(original)
    for m in _FIGURE_UNIT.finditer(listed):
        figure, unit = m.group(0), _units(m.group(0))[m.group(1)]
        before = re.split(r"[，。；：、]", listed[: m.start()])[-1]
        name = bare(_TO_FIGURE.sub("", before))[-4:]
        if _noun_after(listed, m.end()):
            continue  # a count before its noun (在全县11个乡镇建成…): the subject is no name of it
        if shared[unit] >= 2 and "分别" not in before and len(name) >= 3:  # (检查186家: a verb, no name)
            names.setdefault(figure, (unit, name))

    def says(clause: str, name: str) -> bool:
        return name[:2] in clause and name[-2:] in clause

    def lead(text: str, at: int) -> str:  # what names a figure: back to the last mark or figure
        return re.split(r"[，。；：]|\d", text[:at])[-1]

    clauses = re.split(r"[，。；：]", new)
    if swapped := _list_swapped(clauses, names, bare):
        return swapped
    for figure, _unit, at in found:
        # (not the end of 126 for 26; ％ and % alike)
        written = re.compile(r"(?<![\d.])" + re.sub("[%％]", "[%％]", re.escape(figure)))
        spots = [m.start() for m in written.finditer(new)]
        if not spots:
            continue  # a figure left out is the numbers check's
        where = [bare(c) for c in clauses if written.search(c)]
        # 平均降幅达55% → 55%的种植牙总费用平均降幅: a rate made a share of something (95.7%的化解率
        # is the rate itself)
        share = re.compile(written.pattern + r"的([^，。；、]*)")
        if (
            _unit == "%"
            and not share.search(original)
            and any(
                not re.fullmatch(r".{0,4}(?:率|幅|比例|比重|占比)", m.group(1)) for m in share.finditer(new)
            )
        ):
            return figure
        # 同比增长6.8%至286.3亿元 → 增长至6.8%: a growth said as the level reached (or back)
        if _said_otherwise(original, [at], new, spots):
            return figure
        # 新建高标准农田4.2万亩 is not 高标准农田4.2万亩, nor 保障用地2860亩 新增用地2860亩
        said_new = bool(_NEWLY.search(lead(original, at)))
        beside = [lead(new, p) for p in spots]
        if (said_new and not any(_NEWISH.search(c) for c in beside)) or (  # (新建 → 建设 is still new)
            not said_new and any(_NEWLY.search(c) for c in beside)
        ):
            return figure
        # a figure that sums a list (发放城乡低保金、特困供养金1.38亿元) keeps every item of it:
        # the amount said of 低保金 alone is a wrong figure
        before = re.split(r"[，。；：]", original[:at])[-1]
        # (an item with a figure of its own is a fact of its own: 终端46个、观测点12个 is no sum)
        items = [_list_item(bare(x)) for x in before.split("、") if not re.search(r"\d", x)]
        if len(items) > 1:  # (the first item by its last two: 全年发布暴雨、大风… → 发出暴雨 keeps 暴雨)
            items[0] = items[0][-2:]
        if (
            len(items) > 1
            and "分别" not in before
            and any(len(x) >= 2 and not any(x in c for c in where) for x in items)
        ):
            return figure
        # a count before its noun (11个乡镇) stays beside that noun, after it or before (乡镇11个)
        noun = _noun_after(original, at + len(figure))
        if noun and not any(
            _pairs(noun)
            & (_pairs(new[p + len(figure) : p + len(figure) + 5]) | _pairs(new[max(0, p - 8) : p]))
            for p in spots
        ):
            return figure
        # two figures of one unit swapped between their names
        if figure in names:
            unit, name = names[figure]
            others = [n for f, (u, n) in names.items() if u == unit and f != figure and n != name]
            if not any(says(c, name) for c in where) and any(says(c, n) for c in where for n in others):
                return figure
    return ""


def _list_item(item: str) -> str:
    """An item of a list by its last three characters, not counting a word that leads to the list
    or what closes it (向规划、住建、水利等18个部门: 规划, 水利; 坑槽、裂缝等病害: 裂缝)."""
    tail = item.split("等")[0][-3:]
    return tail[1:] if len(tail) == 3 and tail[0] in "向为对与给把将从在" else tail


def _noun_after(text: str, end: int) -> str:
    """The words a count stands before (11个乡镇建成 → 乡镇建成: up to five characters), or ""."""
    if not re.search(r"[个家名所项场处起件户例]$", text[:end]):
        return ""  # (a rate or an amount: 100%的行政村 is said either way round; 57人成功寻亲 is a verb's)
    m = re.match(r"[\u4e00-\u9fff]{2,5}", text[end:])
    return m.group(0) if m and not re.match(r"(?:以上|以下|左右|同比|比上|较上|的)", m.group(0)) else ""


def _pairs(text: str) -> set[str]:
    """Two-character runs of Chinese, synonyms alike (a noun found by any of its words: 专场招聘会 by 招聘)."""
    t = _canonical(text)
    return {
        t[k : k + 2]
        for k in range(len(t) - 1)
        if re.fullmatch(r"[\u4e00-\u9fff\ue000-\uf8ff]{2}", t[k : k + 2])
    }


def _list_swapped(clauses: list[str], names: dict[str, tuple[str, str]], bare: Callable[[str], str]) -> str:
    """A figure given to another name in a list said as one (甲和乙达到x和y, 甲、乙分别为x、y: the
    k-th name's figure is the k-th): the first figure whose name is not its own, else ""."""
    for c in clauses:
        figs = sorted((m.start(), f) for f in names for m in re.finditer(r"(?<![\d.])" + re.escape(f), c))
        if len(figs) < 2:
            continue
        head = bare(c[: figs[0][0]])
        at = {}
        for _, f in figs:
            name = names[f][1]
            key = name[:2] if sum(n[:2] == name[:2] for _, n in names.values()) == 1 else name[-2:]
            if head.count(key) != 1:
                break  # (a name not said, or said twice: no list to read)
            at[f] = head.find(key)
        else:
            by_name = sorted(at, key=at.get)  # type: ignore[arg-type]
            by_place = [f for _, f in figs]
            if len(set(at.values())) == len(at) and by_name != by_place:
                return next(f for f, g in zip(by_place, by_name, strict=True) if f != g)
    return ""


_LEAD_WORDS = re.compile(rf"{TIME_WORDS}|{WHO_WORDS}")


_CHANGE_UP = re.compile(r"扩大|增长|增加|提高|提升|上升|增多")
_CHANGE_DOWN = re.compile(r"缩小|下降|减少|降低|回落|减小")


def by_direction(text: str) -> str:
    """A change's verb by its direction alone (较上年扩大4600亩 says what 比上年增加4600亩 says)."""
    return _CHANGE_DOWN.sub("下降", _CHANGE_UP.sub("增长", text))


# A figure with a unit of length, area, volume or things (besides _FIGURE_UNIT's).
_MEASURED = re.compile(
    r"\d+(?:\.\d+)?(?:万|亿)?(?:平方公里|平方米|立方米|公里|千米|米|公顷|座|台|辆|套|条|张|株|棵|册|卷|份|篇|批|宗)"
)


# a clause that only says how far the one before reached (…两项补贴，惠及1.12万人)
_REACH = re.compile(r"(?:惠及|覆盖|涉及|受益|共计|合计|累计)$")


def figure_context_lost(original: str, new: str) -> str:
    """A figure whose clause in `new` shares no word with its clause in the original, figures, units,
    time and writer aside: the right digits on the wrong things (建立健全制度42项，促进增收节支4720万元 →
    完善4720万元制度，促进增收节支42项). Units differ there, so figure_moved does not see it. A clause
    that names nothing before its figure (…总额同比增长6.8%，达到286.3亿元) is read with the clause
    before it; a figure inside a quoted name is the name's."""

    def bare(clause: str) -> str:  # (a unit shared is no word shared: 112公里 ↔ 1.3万平方米 traded)
        return by_direction(_LEAD_WORDS.sub("", _MEASURED.sub("", _FIGURE_UNIT.sub("", clause))))

    def contexts(text: str, figure: str) -> list[str]:
        at = re.compile(r"(?<![\d.])" + re.escape(figure) + r"(?![\d.]*\d)")
        clauses = re.split(r"[，。；：]", _QUOTED.sub("“”", half_width_digits(text)).replace(",", ""))
        found = []
        for k, c in enumerate(clauses):
            if m := at.search(c):
                named = _TO_FIGURE.sub("", bare(c[: m.start()]))
                alone = cjk_len(named) >= 2 and not _REACH.match(named)
                found.append(c if alone or not k else clauses[k - 1] + "，" + c)
        return found

    def shares(old: str, new: str) -> bool:  # a word, or two characters (追回医保基金 → 资金被依法挽回)
        chars = set(re.findall(r"[\u4e00-\u9fff]", _canonical(old))) & set(
            re.findall(r"[\u4e00-\u9fff]", _canonical(new))
        )
        return bool(_words(old) & _words(new)) or len(chars) >= 2

    for figure in dict.fromkeys(numbers_in(original)):
        olds, news = contexts(original, figure), contexts(new, figure)
        was = bare("，".join(olds))
        if news and len(_words(was)) >= 2 and not any(shares(was, bare(c)) for c in news):
            return figure
    return ""


def _named_before(text: str, figure: str) -> list[str]:
    """What each clause that states `figure` names in front of it (规模化供水工程覆盖人口 of …近46万人)."""
    at = re.compile(r"(?<![\d.])" + re.escape(figure) + r"(?![\d.]*\d)")
    out = []
    for c in re.split(r"[，。；：]", _QUOTED.sub("“”", half_width_digits(text)).replace(",", "")):
        if m := at.search(c):
            out.append(_TO_FIGURE.sub("", c[: m.start()]))
    return out


def figure_name_cut(original: str, new: str) -> str:
    """The head of a figure's name dropped, with nothing of it said elsewhere in the sentence:
    规模化供水工程覆盖人口近46万人 → 覆盖人口近46万人 (now read as the 普及率's). Returns what was dropped."""
    for figure in dict.fromkeys(numbers_in(original)):
        for old in _named_before(original, figure):
            for now in _named_before(new, figure):
                if cjk_len(now) < 2 or now == old or not old.endswith(now):
                    continue
                dropped = _LEAD_WORDS.sub("", old[: -len(now)])
                if UNIT_NAME.search(dropped) or re.search(r"[了着过]$", dropped):
                    continue  # the unit made 本人 (述职), or a verb's clause said another way (联系了县里…)
                if cjk_len(dropped) >= 4 and not _bigrams(dropped) & _bigrams(new):
                    return dropped
    return ""


# what a change is measured against (同比增长5.2%): said of a figure, it stays said
_COMPARED = re.compile(r"同比|环比|较上年|比上年|较去年|比去年|较同期|比同期|与上年相比|较\d{4}年")
_FIGURE_AT = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")


def lost_comparator(original: str, new: str) -> str:
    """A figure whose change the original measured against something (同比增长5.2%, 较上年提高3.2个
    百分点) that `new` says with no base (增长了5.2%): a change with no base is another fact."""

    def compared(text: str, at: int) -> bool:  # in the clause leading up to the figure
        return bool(_COMPARED.search(re.split(r"[，。；]", text[:at])[-1]))

    for m in _FIGURE_AT.finditer(original):
        if not compared(original, m.start()):
            continue
        written = _alone(m.group(0))
        spots = [w.start() for w in written.finditer(new)]
        if spots and not any(compared(new, p) for p in spots):
            return m.group(0)
    return ""


_CHANGE_AT = re.compile(_AGAINST + "(?:同期)?" + _CHANGED + r"(\d+(?:\.\d+)?(?:个百分点|[%％]))")


def change_moved(original: str, new: str) -> str:
    """A change that leans on the figure before it (发放帮扶资金286万元，同比增长9.4%) said of another
    figure (慰问1850人次，同比增长9.4%，发放帮扶资金286万元): in `new` the figure it measures must stand
    just before it in its sentence, or just after it (同比增长9.4%至286万元; 较上年增长7.9%，达1260万元)."""
    for m in _CHANGE_AT.finditer(original):
        lead = re.split(r"[，。；]", original[: m.start()])[-1]
        if lead or "分别" in original[max(0, m.start() - 4) : m.end()]:
            continue  # named in its own clause (全县固定资产投资同比增长…): lost_metric's
        sentence = re.split(r"[。；！？]", original[: m.start()])[-1]
        before = [f for f in _FIGURE_AT.findall(sentence) if not re.search(f + "年", sentence)]
        if not before:
            continue
        base, change = before[-1], m.group(1)
        for w in re.finditer(r"(?<![\d.])" + re.escape(change), new):
            said = re.split(r"[。；！？]", new[: w.start()])[-1]
            figures = [f for f in _FIGURE_AT.findall(said) if not re.search(f + "年", said)]
            after = new[w.end() : w.end() + 14]  # (…，年内共计约5800人次)
            if (
                base not in new
                or (figures and figures[-1] == base)
                or re.match(
                    r"(?:，?(?:累计|共计|总计|年内|全年)?(?:增长|提高|提升|增加|增)?(?:至|到|达到|达|为|共计|共|计|约)*)"
                    + re.escape(base),
                    after,
                )
            ):
                continue
            return change
    return ""


# A count's thing (问题80多个, 检查企业186家): what stands beside the count, within a few characters.
_COUNT_OF = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?:余|多)?[个家人名所项场处起件户例次]")


_VISITS = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?:余|多)?([处人家户场件批车架])次")
_COUNTED_THING = re.compile(
    r"([\u4e00-\u9fff]{2})(?<![了有是的约近])(?<![了有是的约近].)(\d+(?:\.\d+)?)(?:余|多)?[个家项件所座条间台辆套张株]"
)
# what stands before a count and is no thing counted (累计达到137个, 全年新建12家)
_NOT_A_THING = re.compile(
    r"达到|达|共|共计|累计|增至|突破|超过|保持|稳定|总数|总量|合计|其中|分别|新增|新建|建成|全年|年内|开展|完成|举办|组织|检查|办理|发放|走访"
    r"|不多|大概|大约"
)


def measure_lost(original: str, new: str) -> str:
    """A count's measure that `new` lost: 巡查186处次 → 186处 (visits said as sites), or the thing a
    count was of dropped from its clause (新签约亿元以上项目43个 → 新签约43个). Returns it, or ""."""
    for m in _VISITS.finditer(original):
        n, cl = m.group(1), m.group(2)
        bare = re.compile(rf"(?<![\d.]){re.escape(n)}(?:余|多)?{cl}(次)?")
        said = [k.group(1) for k in bare.finditer(new)]
        if said and not any(said):
            return m.group(0)
    for m in _COUNTED_THING.finditer(original):
        thing, n = m.group(1), m.group(2)
        if _NOT_A_THING.search(thing):
            continue
        lead = re.split(r"[，。；：]", original[: m.start()])[-1]  # (签约 in 新签约亿元以上项目43个)
        for k in re.finditer(
            rf"(?<![\d.]){re.escape(n)}(?:余|多)?[个家项件所座条间台辆套张株](?=[，。；]|$)", new
        ):
            clause = re.split(r"[，。；：]", new[: k.start()])[-1]
            # the words just before the count are the verb's, as if the thing had never been said
            just_before = re.sub(r"[约近共达为了有]+$", "", clause)[-2:]
            if thing not in clause and len(just_before) == 2 and just_before in lead:
                return thing + m.group(0)[len(thing) :]
    return ""


def count_noun_changed(original: str, new: str) -> str:
    """A count that `new` says of another thing: 协调解决问题80多个 → 协助80多个企业解决…. Where `new` puts
    the count before a noun, that noun shares a word with what stood beside the count in the original;
    where after one, those words share one with the original's list item (乡镇14个、银行网点8家)."""
    for m in _COUNT_OF.finditer(original):
        n = m.group(1)
        alone = _alone(n)
        if len(alone.findall(original)) != 1 or len(alone.findall(new)) != 1:
            continue
        beside = (  # (its clause, a list's 、 kept: 解决融资、用工这些问题80多个 is of 融资 too)
            re.split(r"[，。；]", original[: m.start()])[-1]
            + re.split(r"[，。；、]", original[m.end() :])[0][:5]
        )
        w = _COUNT_OF.search(new, alone.search(new).start())  # type: ignore[union-attr]
        if not w or w.group(1) != n:
            continue
        noun = re.match(r"[\u4e00-\u9fff]{2,4}", new[w.end() :])
        if not noun or re.match(r"(?:以上|以下|左右|同比|比上|较上|的)", noun.group(0)):
            # said after its thing (银行网点8家 → 窗口8家): that thing is the original's, or none it names
            said = _pairs(re.split(r"[，。；、]", new[: w.start()])[-1][-4:])
            item = _pairs(re.split(r"[，。；、]", original[: m.start()])[-1])
            if said and not said & item and said & _pairs(original):
                return m.group(0)
            continue
        # its words, a verb after it aside (80多个企业解决了: 企业; 210余场科学讲座: 讲座 is 科普讲座's)
        thing = noun.group(0)
        thing = thing[: next((k for k in range(1, len(thing)) if opens_with_action(thing[k:])), len(thing))]
        words = _pairs(thing)
        if words and not words & _pairs(beside) and words & _pairs(original):  # (居民 for 户: no other thing)
            return m.group(0)
    return ""


# a clause that is only an adverb and a bare verb, its object gone (…合格率保持在100%，深入组织。)
_EMPTY_CLAUSE = re.compile(
    rf"^(?:{TIME_WORDS})?(?:累计|共计|共|先后)*"
    r"(?:深入|扎实|积极|认真|切实|全面|持续|不断|进一步|大力|有效)?"
    r"(?:组织|进行|开展|推进|落实|实施|推动|加强|执行|发布|完成|办理|受理|举办|召开)"
    r"(?:检查|工作|实施|落实)?$"
)


# A clause that is 均 and a figure, with nothing before it that it is all of (…配套设施；均达到13.6平方米).
# (…同比增长12.4%，累计达到6.8亿元 names its thing in the clause before: no fault.)
_NAMELESS_FIGURE = re.compile(r"(?:^|[，；。])均(?:达到|达|为|是)了?(?:约|近)?\d[^，；。]*")
_STUTTER = re.compile(r"(增长|增加|提高|提升|上升|下降|减少|降低|达到)(?:至|到|了)?[^，。；\d]{0,4}?\1")
_TIME_LEAD = re.compile(rf"^(?:{TIME_WORDS})")
_TIME_ONLY = re.compile(rf"^(?:{TIME_WORDS})$")


def broken_clause(original: str, new: str) -> str:
    """A clause of `new` the original did not have that is no clause (深入组织; 深入进行检查), or
    one said twice in a row (今年以来，今年，…; 全年，年内…)."""
    clauses, _ = clauses_of(new)
    said = set(clauses_of(original)[0])
    for a, b in itertools.pairwise(clauses):
        twice = a.startswith(b) or b.startswith(a) or bool(_TIME_ONLY.match(a) and _TIME_LEAD.match(b))
        if a and b and twice and a + "，" + b not in original:
            return f"{a}，{b}"
    for c in clauses:  # 水利投资增长至同比增长12.4%至6.8亿元: one change said twice over
        if (m := _STUTTER.search(c)) and not _STUTTER.search(original):
            return m.group(0)
    if (m := _NAMELESS_FIGURE.search(new)) and not _NAMELESS_FIGURE.search(original):
        return m.group(0).lstrip("，；。")  # …配套设施；均达到13.6平方米: the figure left with no name
    return next((c for c in clauses if _EMPTY_CLAUSE.match(c) and c not in said), "")


ADDED_CLAUSE = 0.35  # a new clause with less of its characters from the original is the model's own


_LINK = re.compile(r"与此同时|同时|此外|另外|另一方面|为此|对此|总的来看|总体来看|具体来看")


def added_clause(original: str, new: str) -> str:
    """A clause of `new` (four characters or more) that says something the original does not: less
    than ADDED_CLAUSE of its characters (synonyms counted as the same) are the original's."""
    have = _content_chars(original)
    for clause in clauses_of(new)[0]:
        chars = _content_chars(clause)
        if _LINK.fullmatch(clause):
            continue  # (同步实施… → 与此同时，推进…: a link between clauses says nothing new)
        if cjk_len(clause) >= 4 and sum((chars & have).values()) < ADDED_CLAUSE * sum(chars.values()):
            return clause
    return ""


_NOT_OURS = (
    re.compile(r"我司|本公司|贵司|公司"),
    re.compile(r"(?:我们|我局|我|本局|本人)(?:将|要|会(?!同|议|商|签|诊))"),  # (会同 is "jointly with")
    # 持续开展 → 将组织: a year's work made a plan (将…作为 is 把, not the future)
    re.compile(
        r"将(?:组织|开展|推进|推动|加强|继续|持续|进一步|着力|全面|深入|大力|积极|不断|努力)"
        rf"(?![^，。；]*(?:{_JIANG_AS_BA}|看作|当成))"
    ),
)
_QUOTED = re.compile(r"“[^“”]{1,40}”")
LONG_NAME = 8  # characters: a quoted name this long (a conference, an award) is shown to the model as “甲”
_MARKS = "甲乙丙丁戊己庚辛"
_WORDS_WITH_MARKS = re.compile(
    r"自己|己任|知己|甲级|乙级|丙级|丁级|辛苦|辛勤|艰辛|庚子|甲醛"
)  # (no stand-in)


def mask_names(text: str) -> tuple[str, dict[str, str]]:
    """`text` with each long quoted name as a one-character stand-in (“甲”), and the table back.
    A 1.5B model asked to reword a sentence that is half conference names rewrites the names
    (总院院长 → 总院长) and leaves the rest; a stand-in it copies."""
    marks = (c for c in _MARKS if c not in text)
    table: dict[str, str] = {}
    for name in dict.fromkeys(_QUOTED.findall(text)):
        mark = next(marks, None)
        if mark is None or cjk_len(name) < LONG_NAME:
            continue
        table[f"“{mark}”"] = name
        text = text.replace(name, f"“{mark}”")
    return text, table


def unmask_names(text: str, table: dict[str, str]) -> str:
    """The names back in place of their stand-ins (quoted or, where the model dropped the quotes,
    bare); a stand-in written twice or not at all is left, and the candidate fails its name check."""
    for mark, name in table.items():
        bare = mark[1]
        for form in (mark, f"‘{bare}’", f"「{bare}」"):
            text = text.replace(form, mark)
        if text.count(mark) == 1:
            text = text.replace(mark, name)
        elif not text.count(mark) and text.count(bare) == 1:
            text = text.replace(bare, name)
    return text


def plain_len(text: str) -> int:
    """Chinese characters with each long quoted name counted as one (what the model is shown)."""
    return cjk_len(mask_names(text)[0])


# A new wording may not repeat a run this long of last year's passage (8 characters is often one
# policy name, 集中带量采购药品; 12 is a copied clause).
KB_RUN = 12


def copies_runs(new: str, source: str, run: int = 8) -> bool:
    """Whether `new` repeats a `run`-character run of `source` (Chinese characters only)."""
    a = "".join(re.findall(r"[\u4e00-\u9fff]", new))
    b = "".join(re.findall(r"[\u4e00-\u9fff]", source))
    if len(a) < run or len(b) < run:
        return False
    runs = {b[i : i + run] for i in range(len(b) - run + 1)}
    return any(a[i : i + run] in runs for i in range(len(a) - run + 1))


def kb_texts(ctx: Ctx, sentence: str, k: int = 3) -> list[str]:
    """Past reports' passages most like `sentence` (the knowledge base): a new wording avoids them.
    The sentence's own text (the user's draft, if it is in the KB) is not held against it."""
    if ctx.settings is None:
        return []
    try:
        from index.retrieve import search

        hits = search(ctx.settings, sentence, k=k, kb=ctx.kb)
    except Exception:  # no knowledge base, or a search problem: nothing to avoid
        return []
    out = []
    for h in hits:
        # the passage the sentence itself comes from is not "last year's text"
        if strip_marker(sentence).rstrip("。；") in h.text:
            continue
        out.append(h.text)
    return out


# Marks of spoken Chinese a formal text does without (a preference among formal samples, not a check).
_SPOKEN = re.compile(
    r"这块|这边|还有就是|大概|挺|搞|咱|啥|蛮|大伙|大家|老百姓|然后|所以|一直|特别|很多|好多|的时候|都是|了[，。；]"
)


def spoken(text: str) -> int:
    return len(_SPOKEN.findall(text))


def order_only(original: str, new: str) -> bool:
    """A wording that mostly moved the original's clauses (its words, a new order undone, still
    too close to be new)."""
    return order_free_similarity(original, new) >= ORDER_FREE_MAX_SIMILARITY - WHOLE_MARGIN


def _pick(kind: str, original: str, passing: list[str], max_sim: float = 1.0) -> str:
    """Reword: of the samples clearly new (0.05 under the bound), the one that keeps most of the
    original's content (a sample that moved furthest often lost a qualifier: 口腔种植…治理 →
    治理); else the most different. Formal: the least spoken, then the most faithful; 述职: the
    most faithful."""
    if kind == "reword":
        new = [c for c in passing if change_similarity(original, c) < max_sim - 0.05]
        if new:
            return max(new, key=lambda c: (content_overlap(original, c)[0], -change_similarity(original, c)))
        return min(passing, key=lambda c: change_similarity(original, c))
    if kind == "formal":  # the one with least spoken Chinese left, then the most faithful
        return max(passing, key=lambda c: (-spoken(c), similarity(original, c)))
    return max(passing, key=lambda c: similarity(original, c))


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
    max_sim = MAX_SIM.get(kind, 0.95)
    ctx.whole_text = spec.sentence is None
    ctx.memo["body"] = parts.body
    unit = writer_unit(parts.body)
    ctx.memo["bureau"] = bool(unit)  # (a 中心's or a 会's text: 我局 is another unit)
    if spec.sentence is not None:
        max_sim = min(max_sim, SENTENCE_MAX_SIMILARITY - 0.04)
    out = list(sents)
    # The retry asks again only for the sentences the first pass could not change (it costs calls
    # a sentence); each sentence gets several samples, the best passing one kept.
    accepted: dict[int, str] = ctx.memo.setdefault("sentences", {})
    samples = len(SAMPLE_TEMPS) if kind in ("formal", "reword", "first_person") else SENTENCE_TRIES
    if kind == "reword" and spec.sentence is not None:
        samples = NAMED_SAMPLES  # one sentence asked for: the model may take a few more tries at it
    # code's change first (述职: a 我 added to the first two sentences that open with a verb, not every one)
    seeds: list[str] = []
    for k, x in enumerate(sents):
        done = sum(1 for a, b in zip(sents[:k], seeds, strict=True) if a != b)
        seeds.append(_code_seed(kind, x, done if kind == "first_person" else k, unit) if k in targets else x)
    if attempt and kind == "reword" and spec.sentence is None:
        # the first try's text had too few new words: its sentences whose every wording only moved
        # their clauses are asked again (those wordings stay options), the others kept
        passing_before: dict[int, list[str]] = ctx.memo.get("passing", {})
        for i in [i for i in targets if i in accepted]:
            if all(order_only(sents[i], c) for c in passing_before.get(i, [accepted[i]])):
                del accepted[i]
    for i in targets:
        s = sents[i]
        best = accepted.get(i, "")
        if best or ("【" in s and spec.sentence is None):  # 【待核实】 stays as the tracer wrote it
            out[i] = best or s
            yield DraftEvent("token", out[i])
            continue
        seed_text = seeds[i]
        log.debug("%s s%d orig %s | code %s", kind, i, s, seed_text)
        if (
            kind == "first_person"
            and not attempt
            and seed_text == s
            and any(speaks_first_person(x) for x in seeds)
        ):
            out[i] = s  # 述职: code made the writer the subject elsewhere; this one stays (but on the retry)
            yield DraftEvent("token", out[i])
            continue
        chunks = [s]
        # one named sentence must change more (below 0.8 on its own): smaller groups; so does the
        # retry of a sentence the first try could not say anew (a 1.5B model drops the end of a
        # 70-character sentence full of names, not of a 30-character one)
        retry_small = bool(attempt) and kind == "reword"
        if kind in ("reword", "formal"):
            small = spec.sentence is not None or retry_small
            chunks = long_chunks(s, 40, 24) if small else long_chunks(s)
            if retry_small and spec.sentence is not None:
                # a named sentence the first try could not say anew as a whole: its clause groups
                # one by one (a 1.5B model rewords 全年完成…1.8万吨 alone, copies it beside 储备规模…)
                chunks = long_chunks(s, NAMED_RETRY_LONG, NAMED_RETRY_CHUNK)
        if len(chunks) > 1:
            # a long sentence goes clause group by clause group: a 1.5B model asked for a
            # 90-character sentence drops clauses; asked for 30 characters it rewords them
            pieces, keys = [], []
            for k, c in enumerate(chunks):
                key = 1000 * (i + 1) + k + 500 * retry_small  # (the retry's groups are others)
                got = accepted.get(key) or _sample_unit(
                    ctx, kind, key, c, _code_seed(kind, c, unit=unit), how, max_sim, attempt, samples
                )
                pieces.append(got)
                keys.append(key)
            out[i] = "，".join(pieces)
            if kind == "reword" and spec.sentence is not None:
                out[i] = _newest_join(ctx, s, chunks, keys, pieces, unit)
            if near := ctx.memo.get("near", {}).get(i):  # the first try's whole-sentence wording
                newest = min(near, key=lambda c: change_sim(kind, max_sim, s, c))
                if change_sim(kind, max_sim, s, newest) < change_sim(kind, max_sim, s, out[i]):
                    out[i] = newest  # was newer than the groups
        else:
            out[i] = _sample_unit(ctx, kind, i, s, seed_text, how, max_sim, attempt, samples)
        yield DraftEvent("token", out[i])
    if kind == "first_person" and not speaks_first_person("".join(out)):
        out[0] = first_person_fallback(out[0])
    if kind == "reword" and spec.sentence is not None and not ctx.memo.get("model_said"):
        for i in targets:  # (the sentence named: the same rule as a whole text's, on its own bound)
            if change_similarity(sents[i], out[i]) >= CODE_ONLY_SIM["sentence"]:
                out[i] = sents[i]
    if kind == "reword" and spec.sentence is None:
        out = _new_order_where_needed(ctx, parts, _more_change_where_needed(ctx, sents, out))
        if (
            not ctx.memo.get("model_said")
            and change_similarity("".join(sents), "".join(out)) >= CODE_ONLY_SIM["text"]
        ):
            # every change is code's (the table's swaps, clauses moved: the same every year) and they
            # change too little: no new wording, and verify says so
            return parts.join()
    if kind == "formal" and spec.sentence is None:
        out = _more_formal_change_where_needed(ctx, sents, out)
    return parts.join(_regroup(parts, out))


WHOLE_MARGIN = 0.02  # the whole text's change is aimed this far under the bound verify holds it to


def _closeness(sents: list[str], out: list[str]) -> float:
    """1 or more while the text is not new enough: its change_similarity, or its similarity with every
    new order undone (a clause of code's moved is no new word), at or over verify's bound less the margin."""
    body, new = "".join(sents), "".join(out)
    return max(
        change_similarity(body, new) / (MAX_SIMILARITY["reword"] - WHOLE_MARGIN),
        order_free_similarity(body, new) / (ORDER_FREE_MAX_SIMILARITY - WHOLE_MARGIN),
    )


def _swap_until(
    out: list[str],
    alternatives: dict[int, list[str]],
    closeness: Callable[[list[str]], float],
    target: float,
    allowed: Callable[[str, str], bool] = lambda alt, now: True,
    what: str = "",
) -> list[str]:
    """While the text's `closeness` is at or over `target`, the one alternative wording (allowed in
    place of the sentence's wording now) that lowers it most is swapped in, one sentence at a time;
    a swap that lowers nothing is not made (a less faithful text for no gain)."""
    out = list(out)
    while (now := closeness(out)) >= target:
        options = [
            (closeness([*out[:i], alt, *out[i + 1 :]]), i, alt)
            for i, alts in alternatives.items()
            if i < len(out)
            for alt in alts
            if alt != out[i] and allowed(alt, out[i])
        ]
        if not options or min(options)[0] >= now:
            break
        _, i, out[i] = min(options)
        log.debug("%s s%d more change: %s", what, i, out[i])
    return out


def _more_change_where_needed(ctx: Ctx, sents: list[str], out: list[str]) -> list[str]:
    """Each sentence got the passing wording that keeps most of its content; where the whole text
    is still too close to the original (`_closeness`), the sentence whose most different passing
    wording lowers that most takes it, one at a time, until the text is new enough (faithful where
    it can be)."""
    passing: dict[int, list[str]] = ctx.memo.get("passing", {})
    most_different = {
        i: [min(alts, key=lambda c, s=sents[i]: (order_free_similarity(s, c), change_similarity(s, c)))]
        for i, alts in passing.items()
        if i < len(sents) and alts
    }
    return _swap_until(out, most_different, lambda o: _closeness(sents, o), 1.0, what="reword")


def _more_formal_change_where_needed(ctx: Ctx, sents: list[str], out: list[str]) -> list[str]:
    """A text already formal: each sentence got its most faithful passing wording, and together they
    may change too little to be a rewrite (verify's bound, less the margin). Then the sentence whose
    other wording (passing, or near: every check but the change) lowers the text's similarity most
    takes it, one at a time, none with more spoken Chinese than it had."""
    passing: dict[int, list[str]] = ctx.memo.get("passing", {})
    near: dict[int, list[str]] = ctx.memo.get("near", {})
    body = "".join(sents)
    others = {i: list(dict.fromkeys([*passing.get(i, []), *near.get(i, [])])) for i in range(len(sents))}
    return _swap_until(
        out,
        others,
        lambda o: similarity(body, "".join(o)),
        MAX_SIMILARITY["formal"] - WHOLE_MARGIN,
        allowed=lambda alt, now: spoken(alt) <= spoken(now),
        what="formal",
    )


def _new_order_where_needed(ctx: Ctx, parts: Parts, out: list[str]) -> list[str]:
    """Where the reworded sentences are still too close to the original as a whole but each is
    reworded enough on its own (ORDER_FREE_MAX_SIMILARITY), the paragraph's measures in a new order
    (rewrite_order), as a writer would; where that is not enough (two dense sentences: nothing to
    move), a sentence's facts in a new order too, one sentence at a time, most change first. verify
    holds the words to that bound with every new order undone."""
    body = "".join(parts.sentences)
    now = change_similarity(body, "".join(out))
    target = MAX_SIMILARITY["reword"] - WHOLE_MARGIN
    if not target <= now < ORDER_FREE_MAX_SIMILARITY:
        return out
    new = _measures_moved(parts, out, target)
    out = list(out)
    done: set[int] = set()  # each sentence's facts are moved once (twice could undo it: a loop with no end)
    while change_similarity(body, "".join(new)) >= target:
        options = []
        for i, (s, o) in enumerate(zip(parts.sentences, out, strict=True)):
            if i in done:
                continue
            moved = order_clauses(s, o, MAX_SIM["reword"])
            # (only a sentence already reworded: a copy's clauses moved are no new wording)
            new_words = order_free_similarity(s, moved) < ORDER_FREE_MAX_SIMILARITY
            if moved != o and new_words and not candidate_problem(ctx, "reword", s, s, moved, 1.0):
                options.append((change_similarity(body, "".join([*out[:i], moved, *out[i + 1 :]])), i, moved))
        if not options:
            break
        _, i, out[i] = min(options)
        done.add(i)
        log.debug("reword s%d facts moved: %s", i, out[i])
        new = _measures_moved(parts, out, target)
    if new != out:
        log.debug("reword: %.2f → %.2f", now, change_similarity(body, "".join(new)))
    return new


def _measures_moved(parts: Parts, out: list[str], target: float) -> list[str]:
    paras = _regroup(parts, out)
    return [s for old, p in zip(parts.paragraphs, paras, strict=True) for s in order_measures(old, p, target)]


def _sample_unit(
    ctx: Ctx,
    kind: str,
    i: int,
    s: str,
    seed_text: str,
    how: str,
    max_sim: float,
    attempt: int,
    samples: int,
) -> str:
    """One sentence (or a long sentence's clause group) `s`: code's change `seed_text` and the
    model's samples checked; the best passing one (kept in ctx.memo for the retry), else the
    least similar near one, else code's own change, else `s`."""
    accepted: dict[int, str] = ctx.memo.setdefault("sentences", {})
    avoid = kb_texts(ctx, s) if kind == "reword" else []
    passing: list[str] = []
    near: dict[int, list[str]] = ctx.memo.setdefault("near", {})
    shots = shot_turns(kind) if kind in SHOTS else []
    if kind == "reword" and not ctx.whole_text and one_fact(s):
        shots = shot_turns(kind, "one_fact")
    look = (ctx, kind, i, s, seed_text, max_sim, avoid, passing, near)
    unsaid: set[str] = ctx.memo.setdefault("unsaid", {}).setdefault(i, set())  # (filled by _consider)
    # (every figure the sentence must keep: none it may drop)
    require_figures = all(n in ctx.keep for n in numbers_in(s))
    # (held back from the original's words, not only from the wording a sample is shown)
    block = {"source": s, "keep": copy_keep(s)}
    # code's own change is a candidate too (new wording: synonyms and a new order of the
    # measures; formal: the phrase table); it counts only if it differs enough
    if kind in ("reword", "formal") and seed_text != s and not attempt:
        # word swaps alone are no rewrite; a new sentence structure by code is (near, at least)
        structural = kind == "reword" and restructure(reword_words(s), minor=False) != reword_words(s)
        _consider(*look, seed_text, -1, near_ok=structural, code_only=True)
    named = kind == "reword" and not ctx.whole_text  # (a named sentence's retry samples as many)
    for t in range(samples if not attempt or named else min(samples, 2)):
        if samples >= len(SAMPLE_TEMPS):  # (past the list: its temperatures again, a little warmer)
            n = len(SAMPLE_TEMPS)
            temp = SAMPLE_TEMPS[t % n] + 0.15 * (t // n) + 0.1 * attempt
        else:
            temp = ctx.temp(attempt, t)
        biased = (kind == "reword" and (t or attempt)) or (attempt and kind != "first_person")
        # a later sample of a new wording may not go on copying the sentence it is shown; nor may
        # one of a sentence already formal (the model copies it: 更正式 then changes too little)
        blocked = (
            COPY_BLOCK and bool(t or attempt) and (kind == "reword" or (kind == "formal" and not spoken(s)))
        )
        source, ask_how = seed_text, how
        if kind in ("reword", "formal") and t:
            # while no sample is new enough, a later one reworks the newest wording so far
            # again (changes add up; each result is still checked against the original)
            pool = [c for c in near.get(i, []) if c != s] if not passing else []
            source = min(pool, key=lambda c: change_sim(kind, max_sim, s, c)) if pool else seed_text
            if kind == "reword":  # and is asked for another move
                ask_how = how + REWORD_MOVES[(t - 1) % len(REWORD_MOVES)]
        shown, names = mask_names(source)  # (every kind: a 1.5B model rewrites long names)
        raw = ctx.ask(
            _sentence_prompt(shown, ask_how, ctx, "" if shots else EXAMPLES.get(kind, "")),
            chars=cjk_len(s),
            temperature=round(min(1.3, temp), 2),
            seed=ctx.seed + 31 * i + t + 1000 * attempt,
            # a later sample of a new wording (or any retry) may not open the way the original does,
            # nor write a thing an earlier sample added
            logit_bias=(
                {**((avoid_copy_bias(ctx, s) or {}) if biased else {}), **unsaid_bias(ctx, s, unsaid)} or None
            ),
            shots=shots,
            system=render("rewrite_sentence_system") if shots else None,
            # the sentence's own figures are the only digits it may write (a sample with a figure of
            # its own was thrown away), and no English where it had none (46个 earthquake预警终端)
            figure_lock=None if _WIDE_DIGIT.search(shown) else FIGURE.findall(shown),
            no_latin=not re.search(r"[A-Za-z]", s),
            require_figures=require_figures,
            copy_block=block if blocked else None,
        )
        # a name's quotes written twice (“甲””和…) once
        new = re.sub(r"([“”])\1+", r"\1", unmask_names(as_sentence(raw, s), names))
        if new.startswith("“") and not s.startswith("“") and new.count("“") > new.count("”"):
            new = new[1:]  # an opening quote left over from the prompt
        if "‘" not in s:
            new = re.sub(r"‘([^‘’]{1,20})’", r"“\1”", new)  # the original's quotes, not nested ones
        if kind == "formal":
            new = formal_words(new)
        new = mend_qualifiers(s, keep_marker(s, one_sentence(s, requote(s, new))))
        if kind in ("reword", "formal"):
            new = mend_fixed(s, new)
        variants = [new]
        if kind == "reword" and new:
            # the words the model kept from the original swapped, its measures reordered
            variants.append(restructure(reword_words(new, s)))
        ok = False
        own = bool(new) and new not in (s, seed_text)  # the model changed something itself
        for v in dict.fromkeys(variants):
            ok = _consider(*look, v, t, near_ok=own, code_only=not own) or ok
        # 述职: one faithful passing sample is enough (the change is mostly code's); formal: one
        # with no spoken Chinese left; a new wording samples on until one is clearly new
        if (
            (ok and kind not in ("reword", "formal"))
            # (a sentence already formal: a second wording, for the whole text's change)
            or (kind == "formal" and any(spoken(c) == 0 for c in passing) and (spoken(s) or len(passing) > 1))
            # (one the model reads as garbled is no reason to stop: fluent_first keeps another)
            or (
                kind == "reword"
                and any(
                    change_similarity(s, c) < max_sim - 0.1
                    and not order_only(s, c)
                    and not reads_worse(ctx, s, c)
                    for c in passing
                )
            )
        ):
            break
    if kind in ("reword", "formal") and attempt:
        # (the retry of a sentence whose wordings only moved its clauses: those are options still)
        passing = list(dict.fromkeys([*ctx.memo.get("passing", {}).get(i, []), *passing]))
    if passing:
        passing = fluent_first(ctx, s, passing)
        accepted[i] = _pick(kind, s, passing, max_sim)
        if kind in ("reword", "formal"):  # (kept for _more_change_where_needed)
            ctx.memo.setdefault("passing", {})[i] = list(passing)
        return accepted[i]
    if near.get(i):
        # no sample changed it enough, but one that passes every other check and changes part
        # of it still helps the whole text's change (which is what is verified)
        return min(near[i], key=lambda c: change_sim(kind, max_sim, s, c))
    if kind in ("formal", "first_person") and seed_text != s and _numbers_ok(s, seed_text, ctx):
        return seed_text  # code's own change stands when no sample passed
    return s


LONG_SENTENCE = 60  # characters: longer sentences are reworded a clause group at a time
_CHANGE_OPEN = re.compile(rf"^(?:{_COMPARED.pattern})|^(?:同期)?{_CHANGED}[\d两一二三四五六七八九十]")
CHUNK = 36


def long_chunks(sentence: str, long: int = LONG_SENTENCE, chunk: int = CHUNK) -> list[str]:
    """A sentence over `long` characters as groups of whole clauses of up to `chunk` characters
    (joined again with "，"); a shorter one as itself."""
    if plain_len(sentence) <= long:
        return [sentence]
    groups: list[str] = []
    for c in top_clauses(sentence):
        # (a change against last year stays with the figure it changes: 优良路率达到92.6%，较上年提高
        # 两个百分点 — alone, the model gave the change to the next clause's 路域环境)
        if groups and (plain_len(groups[-1]) + plain_len(c) <= chunk or _CHANGE_OPEN.match(c)):
            groups[-1] += "，" + c
        else:
            groups.append(c)
    if len(groups) > 1 and plain_len(groups[-1]) < 8:  # a short tail joins the group before it
        tail = groups.pop()  # (popped first: `groups[-2] += …pop()` wrote over the group before)
        groups[-1] += "，" + tail
    if len(groups) > 1 and plain_len(groups[0]) < 8:  # so does a short head (今年以来 alone: 今年)
        head = groups.pop(0)
        groups[0] = head + "，" + groups[0]
    return groups


def keep_marker(original: str, new: str) -> str:
    """The original's 一是/二是/首先 stays in front of its rewritten sentence (code owns them)."""
    if not _MARKER_OPEN.match(original) or not new:
        return new
    head = original[: len(original) - len(strip_marker(original))]
    # (a heading's number the model put in front, 一、/（一）/1.: 一是一、馆藏资源… is no Chinese)
    number = r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、])"
    body = re.sub(
        number, "", new[len(head) :] if new.startswith(head) else strip_marker(re.sub(number, "", new))
    )
    return head + body


def _consider(
    ctx: Ctx,
    kind: str,
    i: int,
    s: str,
    seed_text: str,
    max_sim: float,
    avoid: list[str],
    passing: list[str],
    near: dict[int, list[str]],
    new: str,
    t: int,
    near_ok: bool = True,
    code_only: bool = False,
) -> bool:
    """Check one candidate for sentence `i`; True (and kept in `passing`) when it passed every
    sentence check; one that only missed the similarity target is kept in `near` (only where the
    model changed something itself: code's word swaps alone are no rewrite). A wording of code's
    alone (the table's swaps, a new order: the same every year) passes only under CODE_ONLY_SIM."""
    if code_only and kind == "reword":
        max_sim = min(max_sim, CODE_ONLY_SIM["sample"])
    why = candidate_problem(ctx, kind, s, seed_text, new, max_sim, avoid)
    sim = change_sim(kind, max_sim, s, new) if new else 0
    log.debug("%s s%d t%d [%s] %.2f %s", kind, i, t, why or "ok", sim, new)
    if why.startswith(ADDED):
        ctx.memo.setdefault("unsaid", {}).setdefault(i, set()).add(why.removeprefix(ADDED))
    if not why:
        passing.append(new)
        if not code_only:
            ctx.memo.setdefault("model_said", set()).add(i)
        return True
    if why.startswith("similar") and kind == "reword" and not ctx.whole_text:
        # one named sentence of facts, reworded but still close: its facts in a new order too
        # (the order-only check above still holds its words to ORDER_FREE_MAX_SIMILARITY)
        moved = order_clauses(
            s, new, SENTENCE_MAX_SIMILARITY - WHOLE_MARGIN
        )  # (the fewest moves verify needs)
        if moved != new:
            moved_why = candidate_problem(ctx, kind, s, seed_text, moved, max_sim, avoid)
            log.debug("%s s%d t%d [%s, facts moved] %s", kind, i, t, moved_why or "ok", moved)
            if not moved_why:
                passing.append(moved)
                return True
            if moved_why.startswith("similar"):
                new, sim = moved, change_sim(kind, max_sim, s, moved)
    if near_ok and kind in NEAR_SIM and why.startswith("similar") and sim < NEAR_SIM[kind]:
        near.setdefault(i, []).append(new)
        if not code_only:
            ctx.memo.setdefault("model_said", set()).add(i)  # the model's own words, if not quite enough
    return False


# A wording whose tokens surprise the model this much more, on average, than the original's did
# (nats per token, both after the original's lines before it) often reads as garbled: words out of
# order (2360名离退休干部在全区共有: +1.9), clauses that no longer join (十来场农机手培训结果，…: +1.1).
# Often, not always: over ~1,600 stored passing sentence pairs, of the 53 over the bound that no
# pattern check rejects, about 22 read badly and 31 well (a short sentence reworded, 同比增长12.4%至6.8亿元
# score high too). So it ranks one sentence's passing wordings (fluent_first), it rejects none alone.
READS_WORSE = 1.0
SURPRISE_HEAD = "以下是一份县级单位年度工作总结中的一段：\n"


def mean_surprise(ctx: Ctx, before: str, text: str) -> float | None:
    """The model's mean surprise per token at `text` after `before` (None: it cannot score)."""
    memo: dict[tuple[str, str], float | None] = ctx.memo.setdefault("surprise", {})
    key = (before, text)
    if key not in memo:
        got = surprise(ctx.model, SURPRISE_HEAD + before, text) if ctx.model is not None else None
        memo[key] = sum(got) / len(got) if got else None
    return memo[key]


def reads_worse(ctx: Ctx, original: str, new: str) -> str:
    """Why `new` reads worse than `original`: it surprises the model more than READS_WORSE nats per
    token above it, each read after the original's lines before it (ctx.memo["body"], the text being
    rewritten); "" when it does not, or the model cannot score."""
    body: str = ctx.memo.get("body", "")
    at = body.find(original)
    before = body[:at] if at > 0 else ""
    old = mean_surprise(ctx, before, original)
    got = mean_surprise(ctx, before, new) if old is not None else None
    if old is None or got is None or got - old <= READS_WORSE:
        return ""
    return f"reads worse (+{got - old:.2f} nats/token)"


def fluent_first(ctx: Ctx, original: str, passing: list[str]) -> list[str]:
    """`passing` less the wordings that read worse than `original` (reads_worse) when at least one
    does not: of two wordings that pass every check, the one the model reads as garbled goes."""
    if len(passing) < 2:
        return passing
    fluent = [c for c in passing if not reads_worse(ctx, original, c)]
    if fluent and len(fluent) < len(passing):
        log.debug("reads worse, dropped: %s", [c for c in passing if c not in fluent])
    return fluent or passing


def _newest_join(ctx: Ctx, s: str, chunks: list[str], keys: list[int], pieces: list[str], unit: str) -> str:
    """A named sentence said a clause group at a time: where its groups' picked wordings, joined,
    are not new enough as a sentence (verify's bound, less the margin), the combination of each
    group's passing, near, code and original wordings that passes every check as a whole sentence
    and keeps most of its content (one group copied and another reworded may be enough; each group
    picked on its own was not)."""
    target = SENTENCE_MAX_SIMILARITY - WHOLE_MARGIN
    joined = "，".join(pieces)
    if not candidate_problem(ctx, "reword", s, s, joined, target):
        return joined
    passing: dict[int, list[str]] = ctx.memo.get("passing", {})
    near: dict[int, list[str]] = ctx.memo.get("near", {})
    options = [
        list(dict.fromkeys([p, *passing.get(k, []), *near.get(k, []), _code_seed("reword", c, unit=unit), c]))
        for c, k, p in zip(chunks, keys, pieces, strict=True)
    ]
    best: tuple[tuple[float, float], str] | None = None
    for combo in itertools.islice(itertools.product(*options), JOIN_COMBINATIONS):
        new = "，".join(combo)
        if new == joined or candidate_problem(ctx, "reword", s, s, new, target):
            continue
        score = (content_overlap(s, new)[0], -change_similarity(s, new))
        if best is None or score > best[0]:
            best = (score, new)
    if best:
        log.debug("reword named sentence joined anew: %s", best[1])
    return best[1] if best else joined


JOIN_COMBINATIONS = 512  # (a few groups of a few wordings each; the bound only guards a freak case)


def _regroup(parts: Parts, flat: list[str]) -> list[list[str]]:
    paras, k = [], 0
    for p in parts.paragraphs:
        paras.append(flat[k : k + len(p)])
        k += len(p)
    return paras


# a unit's own name for itself: 我局, and a 办/委/中心/队/馆/社's (地方志办: 我办)
_OURS = "我局党组|局党组|我局|本局|局机关|我单位|本单位|我们|我办|本办|我委|本委|我中心|本中心|我队|我馆|我社"
_SUBJECT = re.compile(rf"^(今年以来，|[^，。]{{0,8}}年，)?({_OURS})")


def first_person_fallback(sentence: str) -> str:
    """Code's own 述职 voice for the first sentence: the unit as subject becomes 我; else 本人 leads."""
    m = _SUBJECT.match(sentence)
    if m:
        return sentence[: m.start(2)] + "我" + sentence[m.end(2) :]
    lead = re.match(r"^(今年以来|[^，。]{0,10}年(?:以来)?|任职以来)，", sentence)
    if lead:
        return sentence[: lead.end()] + "本人" + sentence[lead.end() :]
    return "本人" + sentence


# The writer's unit as a clause's subject (at a sentence or clause start, after 今年以来，/全年，).
_UNIT = re.compile(
    r"(^|[，；：])((?:今年以来|全年|今年|[^，。；]{0,6}年(?:以来)?|同时|此外)，)?(" + _OURS + ")"
)
_VERB_OPEN = re.compile(
    r"^(?:始终|坚持|推动|推进|组织|牵头|带头|主动|积极|大力|深入|持续|扎实|全力|认真|严格|不断|进一步|"
    r"狠抓|聚焦|围绕|着力|强化|加强|健全|完善|落实|抓好|做好|深化|统筹|优化|建立|开展|紧扣|把|"
    r"向|发出|成立|引导|带领|召开|印发|制定|指导|督促|参加|参与|以(?=[^，。；]{1,12}为))"
)
# the writer's unit opening a sentence: …局/委员会/中心/办公室, or a placed 站/所/院/馆/社/队
# (嶝滍县水产技术推广站, 巇沄区计量检定所: not 公共场所, whose 所 is no unit)
_NAMED_UNIT = re.compile(
    r"^((?:今年以来|全年|今年|[^，。；]{0,8}年(?:以来)?)，)?(?:[\u4e00-\u9fff]{2,10}?(?:局|委员会|中心|办公室)"
    r"|[\u4e00-\u9fff]{1,4}?[县市区州旗][\u4e00-\u9fff]{1,10}?[站所院馆社队])"
)
_I_UNIT = re.compile(
    r"(?<![自在])我(?:们)?[\u4e00-\u9fff]{0,3}?[县市区][\u4e00-\u9fff]{1,10}?(?:局|委|馆|中心|协|联|会)(?![局会心委])(?:这块，?)?"
)
_LEAD = re.compile(r"^((?:今年以来|全年|今年|任职以来|[^，。；]{0,8}年(?:以来)?|\d{1,2}月份?)，)")


def first_person_words(sentence: str, n_done: int = 0) -> str:
    """述职 voice by code: 我局/本局/我们/我单位/局党组 as the subject → 我; a sentence that opens with
    a verb phrase (坚持…/推动…) gets the subject 我 (the first two such sentences, not every one);
    全年/今年以来 stay in front."""
    new = _UNIT.sub(lambda m: m.group(1) + (m.group(2) or "") + "我", sentence)
    new = _I_UNIT.sub("我", new)  # 我们崞沭县商务局今年… → 我今年… (not 我崞沭县商务局)
    named = _NAMED_UNIT.match(new)
    if named and _VERB_OPEN.match(new[named.end() :]):  # 青禾县医保局坚持… → 我坚持…
        new = (named.group(1) or "") + "我" + new[named.end() :]
    if new != sentence:
        return new.replace("我我", "我")
    if n_done >= 2 or speaks_first_person(sentence):
        return sentence
    lead = _LEAD.match(sentence)
    rest = sentence[lead.end() :] if lead else sentence
    if _VERB_OPEN.match(strip_marker(rest)) and rest == strip_marker(rest):
        return (lead.group(1) if lead else "") + "我" + rest
    return sentence


# Colloquial → 公文 wording (longest first); the same list backs the formal form check's words.
_FORMAL_MAP = {
    "很多很多": "大量",
    "还是挺好的": "良好",
    "还是挺高的": "较高",
    "挺好的": "良好",
    "挺高的": "较高",
    "挺好": "良好",
    "挺高": "较高",
    "这块": "方面",
    "今年全年": "全年",
    "今年年内": "年内",
    "大概": "约",
    "大约": "约",
    "办了": "办理",
    "发了": "发放",
    "这一年": "今年",
    "的时候": "期间",
    "去看望": "看望",
    "跑遍了": "走遍",
    "找到了工作": "实现就业",
    "找到工作": "实现就业",
    "帮他们": "帮助其",
    "咱们": "我们",
    "咱": "我们",
    "特别好": "十分显著",
    "搞定": "完成",
    "弄好": "做好",
    "搞好": "做好",
    "没啥": "没有什么",
    "啥": "什么",
    "大伙": "全体干部职工",
    "老百姓": "群众",
    "乡亲们": "群众",
    "想办法": "研究措施",
    "琢磨": "研究",
    "一年下来": "全年",
    "基本上": "基本",
    "说实话，": "",
    "说实话": "",
    "挺": "较为",
    "蛮": "较为",
    "很多": "大量",
    "好多": "大量",
    "很快": "迅速",
    "很": "十分",
    "非常": "十分",
    "特别": "尤为",
    "弄清": "厘清",
    "弄": "开展",
    "搞": "开展",
    "一直": "始终",
    "越来越": "日益",
    "马上": "立即",
    "赶紧": "抓紧",
    "差不多": "基本",
    "现在": "当前",
    "然后": "随后",
    "所以": "因此",
    "但是": "但",
    "比如": "例如",
    "一块儿": "共同",
    "不少": "较多",
    "帮着": "协助",
    "进一步": "持续",
    "大力": "着力",
    "积极推进": "扎实推进",
    "深入推进": "纵深推进",
    "逐步": "稳步",
}
_BY_A_LOT = {"少": "减少", "多": "增多", "好": "好转", "高": "提高", "快": "加快", "低": "降低"}
_FORMAL_RE = re.compile("|".join(sorted(map(re.escape, _FORMAL_MAP), key=len, reverse=True)))


# Entries of the phrase table that tighten a word already formal (进一步 → 持续), not a colloquial one.
_TIGHTENING = frozenset({"进一步", "大力", "积极推进", "深入推进", "逐步"})


def already_formal(text: str) -> bool:
    """No colloquial word of the phrase table in `text`: a formal rewrite can only polish it."""
    return formal_words(text) == text or not any(w in text for w in _COLLOQUIAL_ENTRIES)


_PEOPLE_HERE = r"我们|咱们|他们|你们|大家|群众|老百姓|企业|单位|部门|基层|乡镇|村里|上级|领导"


def formal_words(text: str) -> str:
    """The phrase table applied in one pass (通过…来… → 通过…; 把…搞好 → 做好…). 大家 is left to the
    model: it is the staff in one sentence and the people served in the next."""
    text = re.sub(r"通过([^，。；]{1,20}?)来", r"通过\1", text)
    text = re.sub(r"(今年以来|今年|全年|年内)这一?块", r"\1", text)  # (今年这块: not 今年方面)
    text = re.sub(f"({UNIT_NAME.pattern})这一?块，?", r"\1", text)  # (嵑漴区植保站这块: not 植保站方面)
    text = re.sub(r"主要就是", "主要", text)
    text = re.sub(r"(?:估计有|估计)(?=\d)", "约", text)  # 拉动消费估计有1.2个亿 → 约1.2亿
    text = re.sub(r"(\d)个亿", r"\1亿", text)
    text = re.sub(r"(?<=[\d\u4e00-\u9fff])吧(?=[，。；]|$)", "", text)  # a spoken 吧 at a clause's end
    # a spoken topic change: 然后就业这块，/ 还有就是优抚金， → 此外，就业方面，
    text = re.sub(r"(?:然后|还有就是|另外)([^，。；]{1,8})这一?块", r"此外，\1方面", text)
    text = re.sub(r"还有就是([^，。；]{1,6})，", r"此外，\1方面，", text)
    text = re.sub(r"还有就是，?", "此外，", text)
    # a thing's topic said with 这边 (补贴这边差不多落实了…): 方面 and a comma; a person's 这边
    # (我们这边, 群众那边) is left to the model (我们方面 is no Chinese)
    text = re.sub(
        rf"(^|[，。；：])((?!{_PEOPLE_HERE}){_CJK}{{2,4}}?)[这那]边，?(?=[\u4e00-\u9fff])",
        r"\1\2方面，",
        text,
    )
    text = re.sub(r"办了(\d+(?:\.\d+)?场)", r"举办\1", text)  # 办了8场招聘会: events are held
    text = re.sub(r"搞了(?:一)?个", "开展了", text)  # 搞了个“…”行动 (not 开展个)
    # 差不多860个 is 约, not 基本; so is 差不多落实了2600多万 (the figure is about, not the work)
    text = re.sub(r"差不多([\u4e00-\u9fff]{1,3}?)了?(?=\d)", r"\1约", text)
    text = re.sub(r"差不多(?=\d)", "约", text)
    text = re.sub(
        r"(?:差不多|大概|大约|约)(\d+(?:\.\d+)?)多(?=[\u4e00-\u9fff])", r"\1余", text
    )  # 约140多场 → 140余场
    text = re.sub(r"大概(?![\d约近])", "大致", text)  # 大概算了一下 (a hedge, not a figure's 约)
    # a change said by its size: 投诉少了很多 → 投诉明显减少 (not 少了大量)
    text = re.sub(r"([少多好高快低])了(?:很多|好多|不少)", lambda m: "明显" + _BY_A_LOT[m.group(1)], text)
    text = re.sub(r"([两三四五六几])块(?=工作|事)", r"\1方面", text)  # 两块工作 → 两方面工作
    text = re.sub(r"率有(\d)", r"率达\1", text)  # 成功率有97.3% → 成功率达97.3%
    text = re.sub(
        r"给([^，。；给]{1,8}?)(办理|办|发放|发|送|提供|解决)", r"为\1\2", text
    )  # 给群众办 → 为群众办
    # 很/非常 inside a fixed word is not an intensifier
    return _FORMAL_RE.sub(lambda m: m.group(0) if _inside_word(text, m) else _FORMAL_MAP[m.group(0)], text)


def _inside_word(text: str, m: re.Match[str]) -> bool:
    w, a, b = m.group(0), text[max(0, m.start() - 1) : m.start()], text[m.end() : m.end() + 1]
    a, b = a or "␀", b or "␀"  # (the text's ends: "" is in every string)
    if w == "很" and b in "多快":
        return True
    if w == "特别" and b in "是":
        return False
    if w == "特别" and re.match(
        r"国债|行动|提款|程序|会议|委员|法庭|护理|救助|奖|报告|贡献|行政区", text[m.end() :]
    ):
        return True  # 超长期特别国债: a name, not 特别 = 尤为
    if w == "非常" and b in "态时规":  # 非常态、非常时期、非常规
        return True
    if w == "不少" and b == "于":  # 不少于3.5亿元 is a figure's floor (→ 较多于 says another thing)
        return True
    return w in ("搞", "弄") and a in "胡瞎"


# The phrase table's colloquial entries (read once: already_formal asks on every formal rewrite).
_COLLOQUIAL_ENTRIES = tuple(w for w in _FORMAL_MAP if w not in _TIGHTENING and formal_words(w) != w)


# 公文 grammar a formal text uses: 为了 → 为, 都 → 均, a done action's 了 dropped (开展了 → 开展).
_PERFECTIVE = re.compile(
    r"(开展|完成|举办|召开|建立|建成|实现|取得|组织|印发|制定|出台|推出|发放|设立|组建|开通|落实|新增|"
    r"启动|签订|检查|查处|走访|慰问|帮助|解决|调解|化解|看望|处理|办结|培训)了(?!解)"
)
_ALL = re.compile(r"(?<![首成京古国大])都(?=已|达|为|有|在|实现|得到|取得)")  # 都已完成 → 均已完成
_WE = re.compile(r"我们")
_WE_NAMED = re.compile(r"我们([\u4e00-\u9fff]{2,8}?局)")
_BUREAU = re.compile(r"(?<![格布大全结棋当赌饭])局(?![面势限部])")  # a bureau, not 格局/局面


def writer_unit(text: str) -> str:
    """How a formal text names the writer's unit instead of 我们: 我局 for a bureau's text; "" when
    the text does not say (a 我们 of a 支部 or a team stays)."""
    return "我局" if _BUREAU.search(text) else ""


def _outside_quotes(text: str, fn: Callable[[str], str]) -> str:
    """`fn` applied to the text between quoted names (a name is kept as written)."""
    pieces = re.split(r"(“[^“”]*”)", text)
    return "".join(p if p.startswith("“") else fn(p) for p in pieces)


def formal_grammar(text: str, unit: str = "") -> str:
    """公文 grammar by code: 为了 → 为, 都 → 均, 开展了 → 开展, and 我们 → the unit (我局)."""

    def fix(p: str) -> str:
        p = re.sub(r"为了(?!解)", "为", _ALL.sub("均", _PERFECTIVE.sub(r"\1", p)))
        # 我们司法局 → 司法局 (the unit named: no 我局司法局)
        p = _WE_NAMED.sub(
            lambda m: m.group(0) if re.search(r"[在把将对给以为从向和与]", m.group(1)) else m.group(1), p
        )
        return _WE.sub(unit, p) if unit else p

    return _outside_quotes(text, fix)


def formal_polish(sentence: str, unit: str = "") -> str:
    """Code's formal sentence: the phrase table, 公文 grammar, 把 → 将 and 从…向… → 由…向…, and
    parallel figure clauses said with 分别. Where that changes little (a text already formal), the
    公文 word table and a new order of its measures too: a polish in the same register."""
    new = merge_parallel_figures(constructions(formal_grammar(formal_words(sentence), unit)))
    if similarity(sentence, new) >= MAX_SIM["formal"]:
        new = restructure(reword_words(new, sentence))  # (a word the phrase table chose stays)
    return new


# 公文 wording a new text may use instead (one pass, longest first, so 推进 ↔ 推动 do not undo
# each other). Curated: each swap keeps the meaning in a bureau report; no swap inside a longer word.
_SYNONYMS: dict[str, str | tuple[str, ...]] = {
    "落到实处": "落地见效",
    "落地见效": "落到实处",
    "摆在首位": "放在首要位置",
    "作为首要任务": "摆在首要位置",
    "头等大事": "首要任务",
    "成效明显": "取得明显成效",
    "成效显著": "取得显著成效",
    "取得明显成效": "成效明显",
    "组织开展": "开展",
    "充分发挥": "切实发挥",
    "高度重视": "始终重视",
    "紧紧围绕": "紧扣",
    "紧扣": "紧紧围绕",
    "持续增强": "不断提升",
    "持续平稳": "总体平稳",  # (a state: 不断平稳 is no Chinese)
    "持续稳定": "保持稳定",
    "不断提升": "持续提高",
    "就近可办": "就近办理",
    "全覆盖": "全面覆盖",
    "进一步": ("持续", "不断"),
    "不断": ("持续", "进一步"),
    "持续": ("不断", "进一步"),
    "积极": "主动",
    "大力": "着力",
    "推进": ("推动", "加快"),
    "推动": ("推进", "促进"),
    "促进": ("推动", "推进"),
    "完善": "健全",
    "健全": "完善",
    "加强": "强化",
    "强化": "加强",
    "提升": ("提高", "增强"),
    "提高": ("提升", "增强"),
    "增强": ("提升", "提高"),
    "深入": "扎实",
    "扎实": "深入",
    "确保": "保证",
    "显著": "明显",
    "明显": "显著",
    "逐步": "稳步",
    "稳步": "逐步",
    "有效": "切实",
    "切实": "有效",
    "始终": "一贯",
    "首位": "首要位置",
    "开展": "组织",
    "成立": "组建",
    "建立": "构建",
    "帮助": "助力",
    "围绕": "聚焦",
    "聚焦": "围绕",
    "累计": "共计",
    "达到": "达",
    "拟定": "制定",
    "确定": "明确",
    "分享": "交流",
    "相关": "有关",
    "先后": "相继",
    "获评": "被评为",
    "严抓": "狠抓",
    "梳理": "系统梳理",
    "较上年": "比上年",
    "共计": "累计",
    "全年": "年内",
    "主动": "积极",
}
_SYN_RE = re.compile("|".join(sorted(map(re.escape, _SYNONYMS), key=len, reverse=True)))


def _synonym_groups() -> dict[str, str]:
    """Each word of the table (and its alternatives) → one private-use character per group."""
    parent: dict[str, str] = {}

    def find(w: str) -> str:
        while parent.setdefault(w, w) != w:
            w = parent[w]
        return w

    for word, alts in _SYNONYMS.items():
        for alt in (alts,) if isinstance(alts, str) else alts:
            parent[find(alt)] = find(word)
    roots: dict[str, str] = {}
    return {w: roots.setdefault(find(w), chr(0xE000 + len(roots))) for w in list(parent)}


_CANON = _synonym_groups()
_CANON_RE = re.compile("|".join(sorted(map(re.escape, _CANON), key=len, reverse=True)))
# (word, characters before it, characters after it) where it is part of a longer word
# (达到了 → 达了 is no Chinese)
_SYN_GUARD = {
    "持续": ("可", "保"),
    "积极": ("", "性"),
    "明显": ("", "的"),
    "有效": ("", "期性"),
    "达到": ("", "了"),
    "全年": ("年", ""),  # (今年全年 → 今年年内)
    # (a programme's name: 深化提升行动, 质量提升工程)
    "提升": ("", "行工计"),
    "提高": ("", "行工计"),
    "增强": ("", "行工计"),
}
# a word that is a verb before these (深入乡村开展宣讲: went into the villages) is no adverb to swap
_SYN_VERB_BEFORE = {
    "深入": re.compile(
        r"乡村|农村|基层|一线|群众|企业|社区|村|田间|现场|街道|校园|园区|车间|学校|家庭|院落|机关|高校|医院|工地|景区|镇"
    )
}


def reword_words(text: str, original: str | None = None) -> str:
    """The synonym table in one pass. With `original` (a model's answer), only the words the answer
    kept from the original are swapped; a word the model chose itself stays."""

    used: set[str] = set()
    units = [u.span() for u in UNIT_NAME.finditer(text)]

    def swap(m: re.Match[str]) -> str:
        w = m.group(0)
        before, after = _SYN_GUARD.get(w, ("", ""))
        if (before and text[m.start() - 1 : m.start()] in before and m.start() > 0) or (
            after and text[m.end() : m.end() + 1] and text[m.end() : m.end() + 1] in after
        ):
            return w
        if original is not None and w not in original:
            return w
        if re.search(f"{w}[^，。；、]{{1,6}}、{w}", text):
            return w  # a parallel list (确保质量、确保供应、确保使用): one changed breaks it
        if text[: m.start()].count("“") > text[: m.start()].count("”"):
            return w  # inside a quoted name (“四个确保”)
        if (verb := _SYN_VERB_BEFORE.get(w)) and verb.match(text, m.end()):
            return w  # 深入乡村 is no 扎实乡村
        if any(a <= m.start() < b for a, b in units):
            return w  # inside a unit's name (县投资促进局 is no 县投资推动局)
        alts = _SYNONYMS[w]
        # an alternative the sentence already says (or this pass wrote) would say it twice
        for alt in (alts,) if isinstance(alts, str) else alts:
            if alt.endswith(w) and text[: m.start()].endswith(alt[: -len(w)]):
                return w  # 系统梳理 already: no 系统系统梳理
            if alt not in text.replace(w, "") and not any(u in alt or alt in u for u in used):
                used.add(alt)
                return alt
        return w

    return _SYN_RE.sub(swap, text)


# A clause that is one measure: optional adverbs, then an action verb (参与率100%、全年… are not).
_ACTION = re.compile(
    r"^(?:始终|坚持|持续|进一步|积极|主动|大力|着力|深入|扎实|不断|全力|认真|严格|全面|切实)*"
    r"(?:开展|组织|推进|推动|健全|完善|加强|强化|落实|建立|构建|深化|实施|推广|成立|组建|制定|印发|"
    r"召开|举办|建设|打造|设立|开通|聚焦|围绕|坚持|联合|优化|规范|创新|探索|压实|加大|狠抓|抓好|做好|"
    r"发出|检查|查处|督促|指导|培育|发展|织密|筑牢|守牢|夯实)"
)
_CLAUSE_SUBJECT = re.compile(
    r"^(?:我们|我局|本局|局党组|局机关|我单位|本单位|[\u4e00-\u9fffXx]{1,8}?(?:局|委员会|中心|办公室))"
)


def swap_clauses(sentence: str) -> str:
    """Two neighbouring measures said in the other order (A，B，result → B，A，result); the subject
    stays in front and the closing clause (the result or the figure) stays last."""
    clauses = top_clauses(sentence)
    if len(clauses) < 3:
        return sentence
    end = clauses[-1]
    for j in range(len(clauses) - 2):
        a, b = clauses[j], clauses[j + 1]
        subj = _CLAUSE_SUBJECT.match(a) if j == 0 else None
        head = subj.group(0) if subj and _ACTION.match(a[subj.end() :]) else ""
        rest = a[len(head) :]
        if not (_ACTION.match(rest) and _ACTION.match(b)) or re.search(r"\d", rest + b):
            continue
        if not (0.4 <= cjk_len(rest) / max(1, cjk_len(b)) <= 2.5):
            continue
        new = [*clauses[:j], head + b, rest, *clauses[j + 2 : -1], end]
        return "，".join(new)
    return sentence


# a clause that says by what means (依托“甲”推送预警信息4600余条): it may open the sentence
_MEANS = re.compile(
    r"^(?:依托|借助|通过|利用|依靠|运用|凭借)[^，。；]{2,30}?(?:推送|实现|开展|提供|整合|完成|发布|办理|推动|促进|带动|服务|覆盖|接入|受理)"
)


def means_first(sentence: str) -> str:
    """A measure and the means it was done by said means first, as reports do: 推动社会救助由“甲”向
    “乙”转变，依托“丙”推送预警信息4600余条 → 依托“丙”推送预警信息4600余条，推动社会救助由“甲”向“乙”转变
    (the subject stays in front)."""
    clauses, end = clauses_of(sentence)
    for j in range(1, len(clauses)):
        prev, c = clauses[j - 1], clauses[j]
        subj = _CLAUSE_SUBJECT.match(prev)
        head = subj.group(0) if subj else ""
        if not _MEANS.match(c) or _MEANS.match(prev[len(head) :]) or not _ACTION.match(prev[len(head) :]):
            continue
        return "，".join([*clauses[: j - 1], head + c, prev[len(head) :], *clauses[j + 1 :]]) + end
    return sentence


_QUOTED_LIST = re.compile(r"((?:“[^“”]{1,16}”[、和及与]?){3,})")


def reorder_quoted(sentence: str) -> str:
    """A list of three or more quoted names (“甲”“乙”“丙”等) in reverse order: a list is not a sequence."""

    def rev(m: re.Match[str]) -> str:
        names = re.findall(r"“[^“”]{1,16}”", m.group(1))
        seps = re.findall(r"”([、和及与]?)(?=“|$)", m.group(1))
        tail = m.group(1)[len(m.group(1).rstrip("、和及与")) :]
        joined = "".join(n + (seps[k] if k < len(seps) - 1 else "") for k, n in enumerate(reversed(names)))
        return joined + tail

    return _QUOTED_LIST.sub(rev, sentence)


# One figure clause: a metric, 达/达到/为, a number with its unit (县域内就诊率达90.31％).
_FIGURE_CLAUSE = re.compile(
    r"^(?P<m>[\u4e00-\u9fff]{2,16}?|[\u4e00-\u9fff]{0,8}“[^“”]{1,8}”[\u4e00-\u9fff]{2,6}?)(?:达到|达|为)(?P<n>\d+(?:\.\d+)?(?:[%％‰]|万人次|万元|亿元|万人|人次|元|人|家|个|项|次|件|户|所|名|天)?)$"
)


def _unit(m: re.Match[str]) -> str:
    return re.sub(r"[\d.]", "", m.group("n")).replace("％", "%")


def merge_parallel_figures(sentence: str) -> str:
    """Two or three neighbouring figure clauses said as one, the way reports list them:
    县域内就诊率达90.31％，基层就诊率达72.24％ → 县域内就诊率、基层就诊率分别达到90.31％、72.24％."""
    clauses, end = clauses_of(sentence)
    for j in range(len(clauses) - 1):
        run = []
        for c in clauses[j : j + 3]:
            m = _FIGURE_CLAUSE.match(c)
            if not m or (run and _unit(m) != _unit(run[0])):
                break  # (a rate and an amount are not listed together)
            run.append(m)
        if len(run) >= 2:
            merged = "、".join(m.group("m") for m in run) + "分别达到" + "、".join(m.group("n") for m in run)
            return "，".join([*clauses[:j], merged, *clauses[j + len(run) :]]) + end
    return sentence


# 按期受理率、按期办结率分别达到99.6%和98.8%: names listed, 分别, one figure each
_AMOUNT = r"\d+(?:\.\d+)?(?:[%％‰]|个百分点|万元|亿元|万人次|万人|人次|万|[家个项次件户所名天人场期页])?"
_LISTED = re.compile(
    rf"^(?P<names>[\u4e00-\u9fff“”]{{2,16}}(?:、[\u4e00-\u9fff“”]{{2,16}})+)分别"
    rf"(?P<verb>达到|达|为|新增|增长|提高|提升|下降|减少)(?P<nums>{_AMOUNT}(?:[、和与及]{_AMOUNT})+)$"
)


def split_listed_figures(sentence: str) -> str:
    """A 分别 list said one figure a clause (merge_parallel_figures the other way round):
    按期受理率、按期办结率分别达到99.6%和98.8% → 按期受理率达到99.6%，按期办结率达到98.8%."""
    clauses, end = clauses_of(sentence)
    for j, c in enumerate(clauses):
        m = _LISTED.match(c)
        if not m:
            continue
        names, nums = m.group("names").split("、"), re.findall(_AMOUNT, m.group("nums"))
        # (城市、农村覆盖率: names that share their last noun are not split; each must end as the last does)
        whole = all(len(n) >= 3 and n[-1] == names[-1][-1] for n in names)
        if whole and len(names) == len(nums) and all(re.search(r"\d", x) for x in nums):
            said = [f"{n}{m.group('verb')}{x}" for n, x in zip(names, nums, strict=True)]
            return "，".join([*clauses[:j], *said, *clauses[j + 1 :]]) + end
    return sentence


# A one-clause measure: (一是) adverbs, verb, object (一是持续深化支付方式改革。).
_MEASURE = re.compile(
    r"^(?P<mark>[一二三四五六七八九十]是)?(?P<adv>(?:持续|深入|扎实|不断|全面|进一步|稳步|切实|严格|有序|加快)+)"
    r"(?P<verb>深化|推进|推动|完善|健全|加强|强化|落实|提升|提高|优化|规范|开展|实施|增强|夯实)"
    r"(?P<obj>[^，。；！？\d]{4,20})(?P<end>[。；])$"
)


def topicalize(sentence: str) -> str:
    """A short measure said object first, as report headings do: 一是持续深化支付方式改革。 →
    一是支付方式改革持续深化。 (the same words; only a sentence with its adverb, so the meaning
    is kept whole)."""
    m = _MEASURE.match(sentence.strip())
    if not m or m.group("obj").startswith(("的", "和", "与", "及")):
        return sentence
    return f"{m.group('mark') or ''}{m.group('obj')}{m.group('adv')}{m.group('verb')}{m.group('end')}"


# A clause that states a figure (a metric, then 达/为/保持在… and the number), not one that does something.
_STATE = re.compile(
    r"^[\u4e00-\u9fff、]{2,24}?(?:持续|始终|稳定|均|已|分别|进一步|不断)*(?:达到|达|为|保持在|控制在|稳定在)\d"
)


def rotate_facts(sentence: str) -> str:
    """A sentence that only states figures (each clause a metric and its number, nothing done) with
    its last fact first: 甲达90％，乙达72％，满意度保持在95％以上。 → 满意度保持在95％以上，甲达90％，乙达72％。
    Facts side by side are a list, not a sequence; a clause that does something keeps its place."""
    clauses, end = clauses_of(sentence)
    if len(clauses) < 2 or not all(_STATE.match(c) for c in clauses):
        return sentence
    if any(c.startswith(("同时", "其中", "并", "且", "较", "比", "同比", "占")) for c in clauses):
        return sentence  # a clause that leans on the one before it
    return "，".join([clauses[-1], *clauses[:-1]]) + end


# Constructions said another way with the same words: 把X作为Y → 将X作为Y, 从X向Y转变 → 由X向Y转变.
_BA = re.compile(r"把([^，。；、“”]{2,16}?)(作为|摆在|放在|列为|当作|当成)")
_FROM = re.compile(r"从([^，。；]{2,20}?)向([^，。；]{2,20}?)(转变|转型|迈进|延伸|拓展)")


def constructions(sentence: str) -> str:
    return _FROM.sub(r"由\1向\2\3", _BA.sub(r"将\1\2", sentence))


# 推动监管方式由“甲”向“乙”转变 → 监管方式由“甲”向“乙”加快转变 (the change said of its object)
_TURN_CLAUSE = re.compile(
    r"^(?:我们|我局|本局)?(?:推动|推进|促进|引导)([^，。；“”由从]{2,12}?)(由|从)(“[^“”]+”)向(“[^“”]+”)(转变|转型)$"
)
# 推动优质医疗资源向基层下沉 → 优质医疗资源加快向基层下沉 (a move said of what moves)
_TOWARD_CLAUSE = re.compile(
    r"^(?P<who>我们|我局|本局)?(?:积极|持续|大力|着力)?(?:推动|推进|促进|引导)(?P<x>[^，。；“”向]{2,12}?)"
    r"(?P<to>向[^，。；]{2,12}?)(?P<v>延伸|拓展|覆盖|下沉|倾斜|集聚|聚集|流动|转移)$"
)
# 深入开展“甲”专项行动 as a clause of its own → 以“甲”专项行动为抓手
_CAMPAIGN = re.compile(
    r"^(?:深入|扎实|持续|全面|积极|广泛)?(?:组织开展|开展|组织)(“[^“”]+”(?:专项行动|专项整治|行动|活动|工程)?)$"
)
# A clause that counts what was done: a verb phrase ending in a figure (检查经营主体2146家).
_COUNT_CLAUSE = re.compile(r"^[\u4e00-\u9fff]{2,16}\d+(?:\.\d+)?(?:万|亿)?[\u4e00-\u9fff]{1,2}$")
_YEAR_LEAD = re.compile(r"^(全年|年内|今年以来|今年)")
# a level reached, not a count done: 粮食总产量稳定在18.5万吨 is no item of 全年共新建…、…
_LEVEL = re.compile(r"达|稳定在|保持在|控制在|为|率|突破|超过|增长|提高|下降|减少")


def said_of_object(sentence: str) -> str:
    """Constructions a report says either way, by code: 推动X由“甲”向“乙”转变 → X由“甲”向“乙”加快
    转变; a campaign clause → 以“甲”为抓手."""
    clauses, end = clauses_of(sentence)
    out = []
    for j, c in enumerate(clauses):
        if m := _TURN_CLAUSE.match(c):
            c = f"{m.group(1)}{m.group(2)}{m.group(3)}向{m.group(4)}加快{m.group(5)}"
        elif (m := _TOWARD_CLAUSE.match(c)) and not (m.group("who") and j == 0 and len(clauses) == 1):
            c = f"{m.group('x')}加快{m.group('to')}{m.group('v')}"
        elif (m := _CAMPAIGN.match(c)) and 0 < j < len(clauses) - 1:
            c = f"以{m.group(1)}为抓手"
        out.append(c)
    return "，".join(out) + end


def count_list(sentence: str) -> str:
    """全年检查A2146家，查处B87件 → 全年共检查A2146家、查处B87件: a count list opened by 全年/年内
    said as one (its clauses joined with 、, 共 after the lead)."""
    out, end = clauses_of(sentence)
    for j, c in enumerate(out):
        lead = _YEAR_LEAD.match(c)
        run = j
        while run < len(out) and _COUNT_CLAUSE.match(out[run]) and not _LEVEL.search(out[run]):
            run += 1
        if lead and run - j >= 2 and not re.match(r"^(?:全年|年内|今年以来|今年)(?:共|累计|共计)", c):
            who = _CLAUSE_SUBJECT.match(c[lead.end() :])
            at = lead.end() + (who.end() if who else 0)  # 全年我局共检查…, not 全年共我局…
            first = c if re.search(r"共|累计", c[: at + 2]) else c[:at] + "共" + c[at:]
            return "，".join([*out[:j], "、".join([first, *out[j + 1 : run]]), *out[run:]]) + end
    return "，".join(out) + end


# A figure and its change said the way reports do: 优良率为90.7%，同比提高2.1个百分点 → 优良率同比提高
# 2.1个百分点至90.7%; 全年完成水利投资6.8亿元，同比增长12.4% → 全年水利投资同比增长12.4%至6.8亿元.
_VALUE_CLAUSE = re.compile(
    r"^(?P<lead>(?:全年|年内|今年)?)(?:完成|实现)?(?P<m>[\u4e00-\u9fff]{2,14}?)(?:达到|达|为)?"
    r"(?P<n>\d+(?:\.\d+)?(?:[%％]|万人次|万元|亿元|万人|人次|元|人|家|个|项|次|件|户|所|名|天|公里|亩))$"
)
_CHANGE_CLAUSE = re.compile(
    r"^(?P<by>同比|比上年|较上年)(?P<v>增长|提高|提升|上升|下降|减少|降低)(?P<d>\d+(?:\.\d+)?(?:个百分点|[%％]))$"
)


def change_to(sentence: str) -> str:
    """A value clause and the change clause after it said as one (…提高2.1个百分点至90.7%)."""
    clauses, end = clauses_of(sentence)
    for j in range(len(clauses) - 1):
        a, b = _VALUE_CLAUSE.match(clauses[j]), _CHANGE_CLAUSE.match(clauses[j + 1])
        if a and b and not a.group("m").endswith(("同比", "增长", "提高")):
            # a qualifier stays with its figure (资金约560万元 → 资金同比增长11.2%至约560万元)
            q = re.search(r"(?:大约|大概|约|近|超过|超|逾)$", a.group("m"))
            m = a.group("m")[: q.start()] if q else a.group("m")
            joined = f"{a.group('lead')}{m}{b.group('by')}{b.group('v')}{b.group('d')}至{q.group(0) if q else ''}{a.group('n')}"
            return "，".join([*clauses[:j], joined, *clauses[j + 2 :]]) + end
    return sentence


def restructure(sentence: str, minor: bool = True) -> str:
    """Code's own new structure for a sentence: neighbouring measures swapped, the means first, quoted lists
    reordered, parallel figure clauses said with 分别 (or a 分别 list said a figure a clause) and a list of figures begun at its end, a
    short measure said object first, a change or a campaign said of its object; with `minor`, a
    count list said as one too (punctuation and a 共: on its own, no new structure). A 分别 list
    is said one figure a clause, and then not merged back."""
    new = reorder_quoted(means_first(swap_clauses(sentence)))
    listed = split_listed_figures(new)
    new = merge_parallel_figures(new) if listed == new else listed
    new = change_to(said_of_object(constructions(topicalize(rotate_facts(new)))))
    new = count_list(new) if minor else new
    return count_first(new)


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
        astray = off_topic_heading(h, body + old)
        odd = odd_heading_words(ctx, h, body + old)
        log.debug("heading t%d %s (off topic: %s, no word: %s)", i, h, astray, odd)
        if (
            not odd
            and is_pair_heading(h)
            and similarity(h, old) < 0.8
            and h not in passing
            and not re.search(r"\d", h)
            and not astray
        ):
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


def odd_heading_words(ctx: Ctx, heading: str, text: str) -> list[str]:
    """The two-character words of a 对仗 heading's halves (read 2 + 2) that are no word: not in the
    text, not a stock heading word, not a word of jieba's dictionary, and not one token of the
    model's own vocabulary (新与, 部心: the
    grammar made a model that meant 知识产权，护创新 write four characters a half). [] where the
    backend has no tokenizer of its own to ask (a remote model writes free, no grammar)."""
    if tokenize(ctx.model, "创新") is None:
        return []
    from index.lexical import dictionary_words

    said = _bigrams(text)
    halves = [x for x in re.split(r"[，,、 　]", heading) if len(x) == 4]
    words = [x[k : k + 2] for x in halves for k in (0, 2)]
    odd = [
        w
        for w in words
        if w not in said and w not in _STOCK_HEADING_WORDS and len(tokenize(ctx.model, w) or ()) > 1
    ]
    known = dictionary_words(odd) if odd else set()  # (护路, 管好: words the tokenizer splits)
    return [w for w in odd if w not in known]


# the stock verbs and aims of 对仗 headings: about no matter in particular
_STOCK_HEADING_WORDS = frozenset((
    "强化", "守牢", "织密", "筑牢", "深化", "惠及", "底线", "民生", "提质", "增效", "夯实", "聚焦", "引领", "护航",
    "赋能", "兜牢", "兜底", "扎牢", "压实", "落实", "优化", "暖心", "惠民", "便民", "为民", "实干", "担当", "监管",
    "服务", "保障", "提升", "推进", "创新", "发展", "安全", "质量", "效能", "根基", "基础", "固本", "强基",
    "聚力", "铸魂", "提速", "稳进", "共治", "善治", "走深", "走实", "见效", "落地", "攻坚", "育人",
))  # fmt: skip


def off_topic_heading(heading: str, text: str) -> list[str]:
    """The words of a 对仗 heading (each four-character half read as two words) that name a matter the
    text never says, where the heading says none of the text's own (织密参保，守牢救助 from a 医保
    style profile over a paragraph on 快递进村); [] for a heading on the text's matter or a stock one."""
    halves = [x for x in re.split(r"[，,、 　]", heading) if x]
    words = [x[k : k + 2] for x in halves for k in range(0, len(x) - 1, 2)]
    said = _bigrams(text)
    if any(w in said for w in words):
        return []
    foreign = [w for w in words if w not in _STOCK_HEADING_WORDS and w not in _common_bigrams()]
    return foreign if len(foreign) >= 2 else []


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
            # not made a modifier of another thing (持续提升参保率99.91%的气象预报预警能力)
            and not re.search(re.escape(f.text) + "的", new)
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


def clause_points(sentence: str) -> list[str]:
    """One sentence as sentences of its own, its words untouched: its leading clauses with no figure
    (the unit and what it holds to) one, then each clause with a figure another, a clause with none
    (or a short one) going with the one before it. [] where that leaves fewer than two with figures."""
    end = sentence[-1] if sentence[-1:] in "。！？" else "。"
    clauses = [c for c in top_clauses(sentence.rstrip("。！？；;")) if c]
    lead: list[str] = []
    while clauses and not re.search(r"\d", clauses[0]):
        lead.append(clauses.pop(0))
    points: list[str] = []
    for c in clauses:
        if points and (not re.search(r"\d", c) or cjk_len(c) < 6):
            points[-1] += "，" + c
        else:
            points.append(c)
    if len(points) < 2:
        return []
    return (["，".join(lead) + "。"] if lead else []) + [p + end for p in points]


def split(ctx: Ctx, parts: Parts, spec: RewriteSpec, attempt: int) -> Generator[DraftEvent, None, str]:
    """An opening sentence, then the rest as 一是…二是… (up to five points, neighbours grouped)."""
    sents = [strip_marker(s) for s in parts.sentences]
    if len(sents) == 1:
        sents = clause_points(sents[0])  # one long sentence of several measures: split at its clauses
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
