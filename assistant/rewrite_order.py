"""A paragraph's measures said in a new order (换个说法): what a writer does when a dense paragraph
cannot be reworded further without changing what it says.

    order_measures(["框架句。", "措施甲…。", "同时，措施乙…。", "总结。"], reworded)
        → [框架句', 措施乙', "同时，" + 措施甲', 总结']

Only sentences that sit side by side as a list move: the first sentence (the topic or the unit's
opening) and a closing sentence with no figure stay where they are; a sentence that leans on the one
before it (其中…, 由此…, 我局还…, a sentence of bare results) moves with it; 首先/其次, or a lead that names
its parts (一个是…一个是…), keep the whole order; a slot's connector (同时/此外) or 一是 stays with its
slot, not with the sentence.
`rewrite_kinds.order_free_similarity` undoes a new order before it measures, so a new order never
counts as a new wording on its own: it is added to sentences already reworded.
"""

from __future__ import annotations

import itertools
import re

from assistant.rewrite_kinds import WHEN_WHO, change_similarity, cjk_len, clauses_of

# connectors and markers that belong to a place in the paragraph, not to a sentence
_SLOT = re.compile(r"^(?:同时|此外|另外|与此同时|另一方面|[一二三四五六七八九十]是|今年以来)[，,、：:]?")
# a sentence that reads on from the one before it (it moves with it)
_LEANS = re.compile(
    r"^(?:其中|这|此|该|上述|以上|由此|因此|从而|进而|在此基础上|为此|对此|经过|通过|其|并|且|还|也|"
    r"据此|截至|截止|特别是|尤其是|比如|例如|如|较|比|同比|占)"
)
# 我局还…/我们也…: said in addition to the sentence before
_ALSO = re.compile(r"^(?:我们|我局|本局|局党组|[\u4e00-\u9fff]{1,10}?局)?(?:还|也|又|同样)")
_MARK = re.compile(r"^[一二三四五六七八九十]是")
_ANNOUNCES = re.compile(r"一个是|一是|二是|[两三四五]件事|[两三四五几]个方面|[两三四五]项")
# a sequence: the order is the content
_SEQUENCE = re.compile(
    r"^(?:首先|其次|再次|然后|随后|之后|接着|最后|第[一二三四五六七八九十]|其[一二三四五六七八九十])"
)
# a clause that only states a figure (a metric, then 达/为/保持在… and a number): a result, not a measure
_METRIC = r"^[\u4e00-\u9fff、“”]{2,24}?"
_STEADY = r"(?:持续|始终|稳定|均|已|分别|进一步|不断)*"
_STATE = re.compile(_METRIC + _STEADY + r"(?:达到|达|为|保持在|控制在|稳定在|突破|超过)\d")
# its change after it (较上年提高3.2个百分点; 同比分别增长12.7%、15.3%)
_CHANGE = re.compile(
    r"^(?:较上年|比上年|较去年|比去年|同比)(?:分别)?(?:增长|提高|提升|上升|下降|减少|降低)\d"
)
_CLAUSE = re.compile(r"[，,]")


def _slot(sentence: str) -> str:
    m = _SLOT.match(sentence)
    return m.group(0) if m else ""


def _bare(sentence: str) -> str:
    return sentence[len(_slot(sentence)) :]


# a sentence that opens with a time or a connector of its own (the model's 今年，… for 今年以来，…)
_OPENS = re.compile(
    r"^(?:今年|全年|年内|本年度|一年来|同时|此外|另外|与此同时|另一方面|[一二三四五六七八九十]是)"
)


def _lead(word: str, sentence: str) -> str:
    """A place's connector or 一是 in front of the sentence now there, unless it opens with one."""
    if not word or (_OPENS.match(sentence) and not _MARK.match(word)):
        return sentence
    return word + (_OPENS.sub("", sentence).lstrip("，,、") if _MARK.match(word) else sentence)


def _results_only(sentence: str) -> bool:
    """Every clause states a figure (全县参保人数达31.2万人，参保率稳定在99%以上。): the result of the
    measure before it."""
    clauses = [c for c in _CLAUSE.split(sentence.rstrip("。；！？")) if c]
    return (
        bool(clauses)
        and _STATE.match(clauses[0]) is not None
        and all(_STATE.match(c) or _CHANGE.match(c) for c in clauses)
    )


def _leans(sentence: str) -> bool:
    bare = _bare(sentence)
    return bool(_LEANS.match(bare) or _ALSO.match(bare) or _results_only(bare))


def blocks(sentences: list[str]) -> tuple[int, list[list[int]], int] | None:
    """(how many lead sentences stay, the movable blocks of indices, how many closing sentences stay),
    or None when nothing may move (a sequence, fewer than two blocks)."""
    n = len(sentences)
    if n < 3 or any(_SEQUENCE.match(_bare(s)) for s in sentences) or _ANNOUNCES.search(sentences[0]):
        return None  # (a sequence, or a lead that named its parts in their order)
    head, tail = 1, 0
    if not re.search(r"\d", sentences[-1]) or _results_only(_bare(sentences[-1])):
        tail = 1  # a closing sentence with no figure, or of bare results, sums up: it stays last
    # in a 一是/二是 list the points move, each with what follows it up to the next point
    marked = [i for i, s in enumerate(sentences) if _MARK.match(s)]
    if marked:  # (what follows the last point closes the list)
        head, tail = marked[0], n - 1 - marked[-1]
    found: list[list[int]] = []
    for i in range(head, n - tail):
        if marked:
            if _MARK.match(sentences[i]) or not found:
                found.append([i])
            else:
                found[-1].append(i)
        elif found and _leans(sentences[i]):
            found[-1].append(i)
        elif not found and _leans(sentences[i]):
            head = i + 1  # it leans on the lead sentence: both stay
        else:
            found.append([i])
    if len(found) < 2:
        return None
    return head, found, tail


def order_measures(original: list[str], reworded: list[str], target: float = 0.0) -> list[str]:
    """`reworded` (one new sentence per sentence of `original`) with its movable blocks in a new
    order, each block's connector or 一是 kept in its place: the order with the fewest blocks out of
    place that brings the text's change_similarity under `target`, else the one that differs most."""
    if len(original) != len(reworded):
        return reworded
    found = blocks(original)
    if found is None:
        return reworded
    head, moving, tail = found
    # the k-th block's connector or 一是 goes to whichever block comes k-th
    leads = [_slot(original[b[0]]) for b in moving]
    best, best_sim = reworded, change_similarity("".join(original), "".join(reworded))
    for perm in ([moving[k] for k in p] for p in _fewest_moves_first(len(moving))):
        middle = []
        for k, b in enumerate(perm):
            first = reworded[b[0]] if b is moving[k] else _lead(leads[k], _bare(reworded[b[0]]))
            middle += [first, *(reworded[i] for i in b[1:])]
        out = _ends([*reworded[:head], *middle, *reworded[len(original) - tail :]], reworded)
        sim = change_similarity("".join(original), "".join(out))
        if sim < target:
            return out
        if sim < best_sim:
            best, best_sim = out, sim
    return best


def _fewest_moves_first(n: int) -> list[tuple[int, ...]]:
    """Every new order of n blocks (the present one left out, at most 119), the fewest swaps first."""
    perms = list(itertools.islice(itertools.permutations(range(n)), 1, 120))
    perms.sort(key=lambda p: sum(1 for a, b in itertools.combinations(p, 2) if a > b))
    return perms


def _ends(out: list[str], like: list[str]) -> list[str]:
    """Each place keeps the sentence end it had (。 last, ； inside a list)."""
    fixed = []
    for s, w in zip(out, like, strict=True):
        end, want = s[-1:], w[-1:]
        if end in "。；" and want in "。；" and end != want:
            s = s[:-1] + want
        fixed.append(s)
    return fixed


# --- a sentence's facts in a new order -------------------------------------------------------------

# a clause that reads on from the one before it: a change, a share, a result of it (支持4860户职工购房)
_CLAUSE_LEANS = re.compile(
    r"^(?:同比|环比|较|比上年|比去年|其中|占|分别|均|并|且|从而|进而|带动|惠及|支持|帮助|覆盖|涉及|挽回|"
    r"减轻|节约|节省|使|让|助力|推动|促进|实现|位居|居|排名|增长|提高|提升|下降|减少|增加|降低|其|该|此|这|"
    r"达到|达|至|累计|合计|共计|总计|同时|另)"
)
# A clause that stands on its own: a metric and its level or change (…覆盖率达到92%, 信访总量同比下降12.4%),
# or a measure opened by its verb (完成…扫描320万页). Anything else (重要天气报告42期: the object of the
# clause before, split off by a comma) leans on the clause before it.
_LEVEL_OF = re.compile(
    _METRIC
    + r"(?:同比|较上年|比上年)?"
    + _STEADY
    + r"(?:达到|达|为|保持在|控制在|稳定在|突破|超过|增长|提高|提升|上升|下降|减少|降低)了?\d"
)
_DOES = re.compile(
    WHEN_WHO.pattern
    + r"(?:共|累计|先后|新|再|还|又|已)?(?:持续|深入|扎实|积极|大力|认真|全面|不断|进一步|着力|有序|稳步)*"
    r"(?:开展|组织|举办|召开|发布|发出|编发|检查|查处|核查|排查|整治|整改|督促|完成|建成|新建|新增|改造|"
    r"改建|扩建|追回|追缴|收缴|受理|办结|办理|化解|调解|发放|拨付|投入|筹集|兑现|减免|培训|接待|提供|"
    r"创建|打造|引进|招引|培育|签约|落实|推进|推动|建设|立案|处理|救助|走访|慰问|看望|帮扶|出台|制定|"
    r"印发|修订|解决|争取|安排|下达|征收|扫描|接收|开通|上线|设立|设置|布设|安装|配备|适配|种植|造林|"
    r"治理|修复|清理|拆除|销售|接诊|救治|接种|筛查|服务|吸纳|转移|安置|归集|缴存|审计|审查|统计|调查|"
    r"举报|答复|回访|认定|评定|命名|组建|成立|吸收|发展|表彰|奖励|为|对|向|给|帮|实施|保障|"
    r"引导|支持|带动|惠及|累计|实现|达成)"
)
# a figure said of a metric too short to name its own subject (优良率为90.7%: the air's, said before)
_ELLIPTIC = re.compile(r"^[\u4e00-\u9fff]{1,3}(?:达到|达|为|保持在|稳定在|控制在)\d")
_IN_TURN = re.compile(r"^(?:首先|其次|然后|随后|之后|接着|最后|再|又|后)")


def fact_blocks(clauses: list[str]) -> tuple[int, list[list[int]]] | None:
    """Where a sentence's clauses may move: (the first clause of the run, the run's blocks of
    clause indices). The run is the longest stretch of side-by-side facts (clauses with a figure
    that stand on their own, each with the clauses that lean on it); a measure with no figure and
    a closing result stay where they are, and so does everything when the clauses say a sequence.
    None when fewer than two facts."""
    if any(_IN_TURN.match(c) for c in clauses):
        return None
    found: list[tuple[int, list[list[int]]]] = []
    run: list[list[int]] = []
    start = 0
    for i, c in enumerate(clauses):
        own = bool(_LEVEL_OF.match(c) or _DOES.match(c))
        leans = bool(_CLAUSE_LEANS.match(c) or _ELLIPTIC.match(c) or _CHANGE.match(c) or not own)
        figure = bool(re.search(r"\d", c))
        if run and leans and (figure or i < len(clauses) - 1):  # (a closing result stays last)
            run[-1].append(i)
        elif figure and not leans:
            if not run:
                start = i
            run.append([i])
        else:  # a clause of no figure (a measure, a result) ends the run
            if len(run) >= 2:
                found.append((start, run))
            run = []
    if len(run) >= 2:
        found.append((start, run))
    return max(found, key=lambda f: len(f[1])) if found else None


def order_clauses(original: str, reworded: str, target: float) -> str:
    """Sentence `reworded` (a new wording of `original`) with its side-by-side facts in a new order,
    as a writer says a result first: the order with the fewest facts out of place that brings its
    change_similarity to `original` under `target`, else the one that differs most; its lead
    (全年/全县/我局) stays in front. `order_free_similarity` undoes this, so it is only ever added
    to a wording already new."""
    clauses, end = clauses_of(reworded)
    found = fact_blocks(clauses)
    if found is None:
        return reworded
    start, run = found
    lead = WHEN_WHO.match(clauses[start]).group(0) if start == 0 else ""  # type: ignore[union-attr]
    if lead and cjk_len(clauses[start]) - len(lead) < 4:
        return reworded  # (the lead is the clause)
    best, best_sim = reworded, change_similarity(original, reworded)
    last = run[-1][-1] + 1
    for perm in _fewest_moves_first(len(run)):
        flat = [i for k in perm for i in run[k]]
        moved = [clauses[i] for i in flat]
        if lead and flat[0] != start:  # the lead goes to the front, off the clause that had it
            if WHEN_WHO.match(moved[0]).group(0):  # type: ignore[union-attr]
                continue  # (the new first clause has a lead of its own)
            moved[flat.index(start)] = moved[flat.index(start)][len(lead) :]
            moved[0] = lead + moved[0]
        out = "，".join([*clauses[:start], *moved, *clauses[last:]]) + end
        sim = change_similarity(original, out)
        if sim < target:
            return out
        if sim < best_sim:
            best, best_sim = out, sim
    return best
