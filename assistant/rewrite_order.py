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

from assistant.rewrite_kinds import change_similarity

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
_STATE = re.compile(
    r"^[\u4e00-\u9fff、“”]{2,24}?(?:持续|始终|稳定|均|已|分别|进一步|不断)*(?:达到|达|为|保持在|控制在|稳定在|突破|超过)\d"
)
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
    perms = list(itertools.islice(itertools.permutations(range(len(moving))), 1, 120))
    perms.sort(key=lambda p: sum(1 for a, b in itertools.combinations(p, 2) if a > b))  # fewest swaps first
    for perm in ([moving[k] for k in p] for p in perms):
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


def _ends(out: list[str], like: list[str]) -> list[str]:
    """Each place keeps the sentence end it had (。 last, ； inside a list)."""
    fixed = []
    for s, w in zip(out, like, strict=True):
        end, want = s[-1:], w[-1:]
        if end in "。；" and want in "。；" and end != want:
            s = s[:-1] + want
        fixed.append(s)
    return fixed
