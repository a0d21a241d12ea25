"""One deterministic clean-up pass for section bodies a model wrote.

`clean_prose(text, request=…, echoes=…, protect=…)` fixes, in this order:
list and markdown markers at line starts, `**`/`__`, whitespace inside Chinese text, half-width
punctuation between Chinese characters, prompt and request echoes (`约150字`, `写作任务`, `以下是…：`,
a sentence copied from the request or from one of our prompts, `【待补充：指标名】` template
leftovers), near-duplicate sentences, and restarted or nested 一是/二是 runs. The definitions match
`../shared/eval/quality.py` (`artifacts`, `enumeration_errors`, `repeated_sentences`).

It never changes a digit, a unit or a 【待核实：…】/【待补充：…】/【待更新：…】 mark: the only edits that remove
numbers remove a whole echoed or repeated sentence, and a sentence carrying a `protect` string (a
locked figure) the rest of the text lacks is never removed. Pure, no model, a few ms per 1,000 字.

`is_prompt_echo(reply, prompts)` tells whether a reply is mostly a copy of one of our prompts, so no
caller keeps it as a draft; `strip_enumerators(text)` drops the enumerators a model wrote itself
where code adds its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.measures import cjk_len, grams

CN_ORD = "一二三四五六七八九十"

_HAN = "\u4e00-\u9fff"
_PUA0 = 0xE000  # masked 【待核实/待补充】 marks are single private-use characters while we work
# "Chinese side" of a space or a half-width mark: Han, full-width punctuation, quotes, masked marks.
_CN = f"{_HAN}\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’…—\ue000-\uf8ff"
_CN_CHAR = re.compile(f"[{_CN}]")
_HAN_RE = re.compile(f"[{_HAN}]")
_WS = "[ \\t\\u3000\\u00a0]"

# The marks the user must resolve: 【待核实：…】, 【待补充：…】, 【待更新：…】 (套改) and the like.
_KEEP_MARK = re.compile(r"【待[\u4e00-\u9fff]{1,3}[：:][^】\n]*】")
# Marks whose content is a template variable's name, not a real metric: echoed from a request.
_TEMPLATE_MARK = re.compile(
    r"【待[\u4e00-\u9fff]{1,3}[：:]\s*(?:指标名称?|具体数值|数值|具体数字|具体数据|[XxＸｘ×]+|…+|\.+)\s*】"
)
# Any other 【…】 is one of our prompt's section labels (【写作任务】, 【篇幅】, 【今年数据】 …).
_LABEL = re.compile(r"【(?!待)[^】\n]{0,12}】")

_LINE_MARKER = re.compile(
    r"^(?:#{1,6}\s*|>\s*|[*•·]\s*|-(?!\d)\s*|\d{1,2}[.、．)）](?!\d)\s*|\(\d{1,2}\)\s*|（\d{1,2}）\s*)"
)
_EMPHASIS = re.compile(r"\*\*|__")
_SPACE_CN = re.compile(f"(?<=[{_CN}]){_WS}+|{_WS}+(?=[{_CN}])")

_TERMINATORS = "。；！？"
_SENT = re.compile(f"[^{_TERMINATORS}]+[{_TERMINATORS}]*|[{_TERMINATORS}]+")
_ENUM = re.compile(r"(^|[。；：，！？\s])([一二三四五六七八九十])是")
_LEAD_ENUM = re.compile(r"^[一二三四五六七八九十]是")

# Echo patterns (quality.py's list): a clause holding one goes; with a figure in it, only the words go.
_ECHO_WORDS = re.compile(
    r"写作任务|今年数据|往年写法|篇幅|正文如下|以下是|只输出|直接写出正文|不要重复上面|修改要求|写作要求|"
    r"用上全部今年数据|数值和单位原样照抄"
)
_LENGTH_ECHO = re.compile(
    r"[（(]?(?:全文|字数|共)?(?:约|大约)\s*\d+\s*字(?:左右)?[）)]?|[（(]?\d+\s*字左右[）)]?"
)
_LENGTH_CLAUSE = re.compile(r"^(?:全文|字数|共)?(?:约|大约)?\d+字(?:左右)?$")
_FILLER_CLAUSE = re.compile(r"^(?:好的|收到|明白|如下|截至|截止|截止到|到|至|于|在|为|是|共|全文|正文)?$")
_INSTRUCTION = re.compile(r"起草|撰写|写一段|写“|写\"|一段|\d+字|字左右|口吻|写法|请|要求|不写|写成")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"(?:19|20)\d\d(?=年)")


@dataclass
class Cleaned:
    text: str
    fixes: list[str] = field(default_factory=list)  # short Chinese notes of what was changed


# --- small helpers ---------------------------------------------------------------------------


def _short(s: str, n: int = 16) -> str:
    s = s.strip()
    return s if len(s) <= n else s[:n] + "……"


def _has_figure(s: str) -> bool:
    """A number that is not a year and not an echoed length (约150字)."""
    s = _LENGTH_ECHO.sub("", s)
    s = _YEAR.sub("", s)
    return bool(_NUMBER.search(s))


class _Masks:
    """【待核实：…】/【待补充：…】 marks become single private-use characters while we work."""

    def __init__(self) -> None:
        self.marks: list[str] = []
        self.base = _PUA0

    def mask(self, text: str) -> str:
        # private-use characters already in the text (some PDF fonts) are left alone: ours come after
        used = [ord(c) for c in re.findall("[\ue000-\uf8ff]", text)]
        self.base = max(used) + 1 if used else _PUA0

        def sub(m: re.Match[str]) -> str:
            self.marks.append(m.group(0))
            return chr(self.base + len(self.marks) - 1)

        return _KEEP_MARK.sub(sub, text)

    def unmask(self, text: str) -> str:
        if not self.marks:
            return text
        lo, hi = self.base, self.base + len(self.marks) - 1
        return re.sub(f"[{chr(lo)}-{chr(hi)}]", lambda m: self.marks[ord(m.group(0)) - lo], text)


# --- line markers, emphasis, whitespace, punctuation -----------------------------------------


_HEADING_MARKER = re.compile(r"^(?:\d{1,2}[.．、](?!\d)|（\d{1,2}）)")


def _strip_line_markers(lines: list[str], fixes: list[str], keep_headings: bool = False) -> list[str]:
    out = []
    for line in lines:
        s = line.strip(" \t\u3000\u00a0")
        for _ in range(4):
            m = _LINE_MARKER.match(s)
            if not m or not m.group(0):
                break
            if keep_headings and _HEADING_MARKER.match(s):
                break  # 1. / （1） are the third and fourth heading levels of a 公文
            fixes.append(f"删去行首标记：{m.group(0).strip()}")
            s = s[m.end() :].lstrip(" \t\u3000\u00a0")
        out.append(s)
    return out


_HALF = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_ANY = re.compile(r"[,;:?!.()]")


def _neighbours(text: str, i: int) -> tuple[str, str]:
    a = i - 1
    while a >= 0 and text[a] in " \t\u3000":
        a -= 1
    b = i + 1
    while b < len(text) and text[b] in " \t\u3000":
        b += 1
    return (text[a] if a >= 0 else ""), (text[b] if b < len(text) else "")


def _is_cn(c: str) -> bool:
    return bool(c) and bool(_CN_CHAR.match(c))


def _full_width_punct(text: str) -> tuple[str, int]:
    if not _HALF_ANY.search(text):
        return text, 0
    chars = list(text)
    n = 0
    for i, c in enumerate(text):
        if c in _HALF or c == ".":
            prev, nxt = _neighbours(text, i)
            if prev.isdigit() and nxt.isdigit():
                continue  # 1,200  1.5  10:30
            if c == ".":
                # a sentence end after Chinese: 成效显著.  (never 1.5, never an ellipsis ...)
                ends = not nxt or nxt == "\n" or bool(_HAN_RE.match(nxt))
                at_end = not nxt or nxt == "\n"
                after_number = (prev.isdigit() or prev in "%％") and at_end  # 增长5. but never 1.强化
                if ends and (_is_cn(prev) or after_number) and _HAN_RE.search(text):
                    chars[i] = "。"
                    n += 1
                continue
            if _is_cn(prev) or _is_cn(nxt):
                chars[i] = _HALF[c]
                n += 1
    text = "".join(chars)

    def paren(m: re.Match[str]) -> str:
        nonlocal n
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if _CN_CHAR.search(m.group(1)) or _is_cn(before) or _is_cn(after):
            n += 1
            return f"（{m.group(1)}）"
        return m.group(0)

    text = re.sub(r"\(([^()\n]*)\)", paren, text)
    # a lone half-width parenthesis next to Chinese
    text, k = re.subn(f"(?<=[{_CN}])\\(|\\((?=[{_CN}])", "（", text)
    n += k
    text, k = re.subn(f"(?<=[{_CN}])\\)|\\)(?=[{_CN}])", "）", text)
    return text, n + k


# --- sentences and clauses -------------------------------------------------------------------


def _split_sentences(para: str) -> list[str]:
    """Sentences with their terminators, in order; "".join gives the paragraph back."""
    return _SENT.findall(para)


def _split_term(s: str) -> tuple[str, str]:
    body = s.rstrip(_TERMINATORS)
    return body, s[len(body) :]


@functools.cache
def _template_units() -> tuple[frozenset[str], ...]:
    """Our own prompt templates' fixed wording (jinja tags removed), as sentence units."""
    root = Path(__file__).resolve().parent.parent / "prompts"
    texts = []
    for p in sorted(root.glob("*.jinja")) if root.is_dir() else []:
        try:
            src = p.read_text(encoding="utf-8")
        except OSError:
            continue
        src = re.sub(r"\{#.*?#\}", "", src, flags=re.S)
        src = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "", src, flags=re.S)
        # quoted words are examples to follow (“强化监管，守牢底线”, “扎实开展”), not instructions
        src = re.sub(r"“[^”\n]*”|「[^」\n]*」", "", src)
        texts.append(src)
    return _units(texts)


def _units(texts: Sequence[str]) -> tuple[frozenset[str], ...]:
    out = []
    for t in texts:
        for u in re.split(r"[。！？；\n】「」]", t):
            g = grams(u)
            if len(g) >= 4:
                out.append(frozenset(g))
    return tuple(out)


def _copied_from(s: str, units: Sequence[frozenset[str]], need: float, union: frozenset[str]) -> bool:
    """Most of `s`'s bigrams lie inside one unit: `s` was copied from it."""
    g = grams(s)
    if len(g) < 7 or len(g & union) < need * len(g):
        return False
    return any(len(g & u) >= need * len(g) for u in units)


@functools.cache
def _template_union() -> frozenset[str]:
    return frozenset().union(*_template_units())


def _request_units(request: str) -> tuple[frozenset[str], ...]:
    """The instruction parts of a request (the figures in it are the user's, not an echo)."""
    parts = [p for p in re.split(r"[。！？；\n]", request) if _INSTRUCTION.search(p)]
    return _units(parts)


def _copies_request(s: str, units: Sequence[frozenset[str]]) -> bool:
    g = grams(s)
    if len(g) < 5:
        return False
    for u in units:
        both = len(g & u)
        if both / len(g) >= 0.8 and both / len(u) >= 0.65:
            return True
    return False


def _protected(s: str, protect: Sequence[str]) -> bool:
    return any(p and p in s for p in protect)


def _clean_clauses(sent: str, fixes: list[str], keep_words_only: bool) -> str:
    """Drop the clauses of one sentence that echo a prompt (写作任务, 约150字, 以下是…：); keep the
    sentence grammatical (the terminator moves to the last clause kept)."""
    body, term = _split_term(sent)
    if not (_ECHO_WORDS.search(body) or _LENGTH_ECHO.search(body)):
        return sent
    pieces = re.split(r"([，：]|(?<!\d)[:,]|[:,](?!\d))", body)  # never inside 1,200 or 10:30
    clauses = [(pieces[i], pieces[i + 1] if i + 1 < len(pieces) else "") for i in range(0, len(pieces), 2)]
    kept: list[tuple[str, str]] = []
    lead = ""
    for k, (c, sep) in enumerate(clauses):
        new = c
        if _ECHO_WORDS.search(c) and not (keep_words_only or _has_figure(_LENGTH_ECHO.sub("", c))):
            fixes.append(f"删去提示语回显：{_short(c)}")
            new = ""
        else:
            if _ECHO_WORDS.search(new):
                new2 = _ECHO_WORDS.sub("", new)
                fixes.append(f"删去提示语回显：{_short(c)}")
                new = new2
            if _LENGTH_ECHO.search(new):
                fixes.append(f"删去字数回显：{_LENGTH_ECHO.search(new).group(0)}")  # type: ignore[union-attr]
                new = _LENGTH_ECHO.sub("", new)
        stripped = new.strip()
        if _LENGTH_CLAUSE.match(stripped) or _FILLER_CLAUSE.match(stripped):
            if stripped and c.strip() != stripped:
                fixes.append(f"删去残留：{stripped}")
            elif stripped and _LENGTH_CLAUSE.match(stripped):
                fixes.append(f"删去字数回显：{stripped}")
            new = ""
        if not new.strip():
            m = _LEAD_ENUM.match(c.strip())
            if k == 0 and m:
                lead = m.group(0)  # the item's 一是 moves to the next clause kept
            continue
        kept.append((new, sep))
    if not kept:
        return ""
    out = "".join(c + sep for c, sep in kept[:-1]) + kept[-1][0]
    if lead and not _LEAD_ENUM.match(out):
        out = lead + out
    return out + term if out.strip() else ""


# --- the passes ------------------------------------------------------------------------------


_DANGLING = re.compile(r"(?:截至|截止到?|为|达到?|是|于|在|到|至|约)$")


def _drop_template_marks(text: str, fixes: list[str]) -> str:
    """`截至【待补充：指标名】，参保率…` → `参保率…`: a template variable's name echoed from a request."""
    for m in list(_TEMPLATE_MARK.finditer(text)):
        fixes.append(f"删去模板残留：{m.group(0)}")
    text = _TEMPLATE_MARK.sub("\ufffe", text)

    def clause(m: re.Match[str]) -> str:
        rest = m.group(1).replace("\ufffe", "")
        if cjk_len(rest) < 4 or _DANGLING.search(rest):
            return ""  # 截至【…】, / 参保率为【…】: nothing left to say
        return rest + m.group(2)

    text = re.sub(r"([^，,。；！？\n]*\ufffe[^，,。；！？\n]*)([，,]?)", clause, text)
    for m in list(_LABEL.finditer(text)):
        fixes.append(f"删去提示标签：{m.group(0)}")
    return _LABEL.sub("", text)


def _echo_pass(
    paras: list[list[str]],
    request: str,
    echoes: Sequence[str],
    protect: Sequence[str],
    masks: _Masks,
    fixes: list[str],
) -> list[list[str]]:
    own = _units(echoes)
    units = _template_units() + own
    union = _template_union().union(*own)
    req_units = _request_units(request) if request else ()
    out = []
    for sents in paras:
        kept = []
        for s in sents:
            plain = masks.unmask(s)
            figure = _has_figure(plain) or _protected(plain, protect)
            if not figure and units and _copied_from(plain, units, 0.8, union):
                fixes.append(f"删去照抄提示的句子：{_short(plain)}")
                continue
            if not figure and req_units and _copies_request(plain, req_units):
                fixes.append(f"删去照抄要求的句子：{_short(plain)}")
                continue
            s = _clean_clauses(s, fixes, keep_words_only=_protected(plain, protect))
            if s.strip(_TERMINATORS + " "):
                kept.append(s)
        out.append(kept)
    return out


def _sentence_key(s: str) -> str:
    """The part quality.py compares: terminator and a leading 一是 dropped."""
    body, _ = _split_term(s.strip())
    return _LEAD_ENUM.sub("", body.strip())


def _merge_figures(
    paras: list[list[str]],
    plain: dict[tuple[int, int], str],
    into: tuple[int, int],
    frm: tuple[int, int],
    rest: str,
    protect: Sequence[str],
    masks: _Masks,
) -> None:
    """Append to sentence `into` the clauses of `frm` that carry a locked figure found nowhere else."""
    body, term = _split_term(paras[into[0]][into[1]].rstrip())
    other, _ = _split_term(paras[frm[0]][frm[1]].strip())
    clauses = re.split(r"[，,]", _LEAD_ENUM.sub("", other))
    add = [c for c in clauses if any(p and p in masks.unmask(c) and p not in rest for p in protect)]
    paras[into[0]][into[1]] = body + "".join(f"，{c.strip()}" for c in add) + (term or "。")
    plain[into] = masks.unmask(paras[into[0]][into[1]])


def _dedup_pass(
    paras: list[list[str]], protect: Sequence[str], masks: _Masks, fixes: list[str]
) -> list[list[str]]:
    """Drop the later of two near-duplicate sentences (≥ 12 汉字, bigram Jaccard ≥ 0.7), unless it
    alone carries a locked figure: then the earlier one goes; if both do, the later one's figure
    clauses join the earlier sentence and the later one goes."""
    paras = [list(p) for p in paras]
    flat = [(pi, si) for pi, sents in enumerate(paras) for si in range(len(sents))]
    plain = {(pi, si): masks.unmask(paras[pi][si]) for pi, si in flat}
    dropped: set[tuple[int, int]] = set()

    def text_without(skip: tuple[int, int]) -> str:
        return "".join(plain[k] for k in flat if k != skip and k not in dropped)

    def lacks(key: tuple[int, int]) -> bool:
        """`key` carries a protect string the rest of the text does not."""
        here = [p for p in protect if p and p in plain[key]]
        if not here:
            return False
        rest = text_without(key)
        return any(p not in rest for p in here)

    # a sentence of 8+ 汉字 written twice word for word (shorter than quality.py looks at)
    seen_exact: dict[str, tuple[int, int]] = {}
    for k in flat:
        key = _sentence_key(plain[k])
        if cjk_len(key) < 8:
            continue
        if key in seen_exact and not lacks(k):
            dropped.add(k)
            fixes.append(f"删去重复句：{_short(plain[k])}")
        else:
            seen_exact.setdefault(key, k)
    bigrams: dict[int, frozenset[str]] = {}
    for k in flat:
        key = _sentence_key(plain[k])
        # quality.py counts the 汉字 before it strips the marker (三是 + 10 字 is a sentence to compare)
        bigrams[k] = grams(key) if cjk_len(_split_term(plain[k])[0]) >= 12 else frozenset()
    for j, kj in enumerate(flat):
        if not bigrams[kj] or kj in dropped:
            continue
        for ki in flat[:j]:
            if ki in dropped or not bigrams[ki]:
                continue
            gi, gj = bigrams[ki], bigrams[kj]
            if len(gj) > len(gi) and len(gi) < 0.7 * len(gj):
                continue  # neither a part of it nor similar to it
            both = len(gi & gj)
            # near-duplicates (quality.py), or the later one is (almost) a part of an earlier one
            part = len(gj) <= len(gi) and both >= 0.9 * len(gj)
            similar = min(len(gi), len(gj)) >= 0.7 * max(len(gi), len(gj)) and both / len(gi | gj) >= 0.7
            if not (part or similar):
                continue
            if not lacks(kj):
                dropped.add(kj)
                fixes.append(f"删去重复句：{_short(plain[kj])}")
            elif not lacks(ki):
                dropped.add(ki)
                fixes.append(f"删去重复句：{_short(plain[ki])}")
            else:
                _merge_figures(paras, plain, ki, kj, text_without(kj), protect, masks)
                dropped.add(kj)
                fixes.append(f"合并重复句（保留数据）：{_short(plain[kj])}")
            break
    if not dropped:
        return paras
    out = []
    for pi, sents in enumerate(paras):
        kept = [s for si, s in enumerate(sents) if (pi, si) not in dropped]
        # a leading 一是 of a dropped sentence stays with the item: the next sentence takes it
        for si, s in enumerate(sents):
            if (pi, si) in dropped and _LEAD_ENUM.match(s.strip()) and si + 1 < len(sents):
                nxt = sents[si + 1]
                if (pi, si + 1) not in dropped and not _LEAD_ENUM.match(nxt.strip()):
                    prev_sentences = [x for x in kept if x is not nxt]
                    if not prev_sentences or prev_sentences[-1].rstrip().endswith(tuple(_TERMINATORS)):
                        kept[kept.index(nxt)] = s.strip()[:2] + nxt.lstrip()
        out.append(kept)
    return out


# 深化医药改革一是…，二是…: a lead phrase glued to its run's 一是 (then not a marker at all) gets a colon.
_GLUED = re.compile(
    r"(?:^|(?<=[。；！？]))([^，。；：！？、\n]{2,14}?)(?<![统唯同单专划逐均合归万之第其])一是"
)
_LATER_TWO = re.compile(r"[，。；：！？]二是")


_DOUBLED = re.compile(r"(^|[。；：，！？])([一二三四五六七八九十]是)((?:[一二三四五六七八九十]是)+)")


def _undouble(para: str, fixes: list[str]) -> str:
    """一是五是扎实推进… → 一是扎实推进… (renumbered later)."""
    for m in _DOUBLED.finditer(para):
        fixes.append(f"删去重叠的序号：{m.group(3)}")
    return _DOUBLED.sub(r"\1\2", para)


def _unglue(paras: list[str], fixes: list[str]) -> list[str]:
    out = []
    for para in paras:
        parts, last = [], 0
        for m in _GLUED.finditer(para):
            if not _HAN_RE.match(m.group(1)[-1]) or not _LATER_TWO.search(para, m.end()):
                continue
            fixes.append(f"序号前加冒号：{m.group(1)}：一是")
            parts.append(para[last : m.end() - 2] + "：")
            last = m.end() - 2
        out.append("".join(parts) + para[last:])
    return out


def _fix_enumeration(paras: list[str], fixes: list[str]) -> list[str]:
    """一是…二是…三是 run in order across the text; a new run starts with 一是 only as the first marker of
    a paragraph (quality.py's `enumeration_errors`). A run restarted inside an item that the outer run
    resumes after is nested: its markers go (the clauses stay). Any other break is renumbered."""
    markers = []  # (paragraph, position of the numeral, ordinal)
    strong = []  # the marker opens a paragraph or a sentence (not a clause)
    for pi, para in enumerate(paras):
        for m in _ENUM.finditer(para):
            markers.append((pi, m.start(2), CN_ORD.index(m.group(2))))
            strong.append(m.group(1) in ("", "。", "！", "？", "\n"))
    action: dict[int, int | None] = {}  # marker index -> new ordinal, or None = remove
    expect, idx, kept_in_para, cur_para = 0, 0, 0, -1
    while idx < len(markers):
        pi, _, o = markers[idx]
        if pi != cur_para:
            cur_para, kept_in_para = pi, 0
        if o == expect or (o == 0 and kept_in_para == 0):
            expect, kept_in_para, idx = o + 1, kept_in_para + 1, idx + 1
            continue
        if kept_in_para == 0 and markers[idx][1] > 0 and o > 0:
            # a paragraph's first run after a lead sentence (提升服务水平。二是…三是…) starts anew
            action[idx] = 0
            expect, kept_in_para, idx = 1, 1, idx + 1
            continue
        if o == 0:
            run = 1
            while idx + run < len(markers) and markers[idx + run][2] == run:
                run += 1
            # the longest inner run after which the outer run resumes (…二是A，一是…二是…。三是B)
            # (a run restarted at a sentence start is nested only when a sentence or paragraph resumes)
            resume = next(
                (
                    r
                    for r in range(run, 0, -1)
                    if idx + r < len(markers)
                    and markers[idx + r][2] == expect
                    and (not strong[idx] or strong[idx + r])
                ),
                0,
            )
            if resume:
                for j in range(idx, idx + resume):
                    action[j] = None
                idx += resume
                continue
        new = expect if expect < len(CN_ORD) else None
        action[idx] = new
        if new is not None:
            expect, kept_in_para = new + 1, kept_in_para + 1
        idx += 1
    if not action:
        return paras
    out = list(paras)
    for j in sorted(action, reverse=True):
        pi, pos, o = markers[j]
        para = out[pi]
        new = action[j]
        if new is None:
            fixes.append(f"删去嵌套的序号：{CN_ORD[o]}是")
            end = pos + 2
            while end < len(para) and para[end] in "，：、,:":
                end += 1
            out[pi] = para[:pos] + para[end:]
        else:
            fixes.append(f"序号改为：{CN_ORD[o]}是→{CN_ORD[new]}是")
            out[pi] = para[:pos] + CN_ORD[new] + para[pos + 1 :]
    return out


def _tidy(para: str) -> str:
    para = re.sub(r"[，,：:]+(?=[。；！？])", "", para)
    para = re.sub(r"([。；！？])[，。；：]+", r"\1", para)
    para = re.sub(r"，{2,}", "，", para)
    para = re.sub(r"^[，。；：、！？]+", "", para)
    para = para.strip(" \t\u3000")
    if para and para[-1] in "，；：、":
        para = para[:-1] + "。"
    return para


# --- public ----------------------------------------------------------------------------------


def clean_prose(
    text: str,
    *,
    request: str = "",
    echoes: Sequence[str] = (),
    protect: Sequence[str] = (),
    enumerate_runs: bool = True,
    keep_headings: bool = False,
) -> Cleaned:
    """Clean one section body. `request` is the user's request (its instruction words copied into
    the text are echoes; its figures are not); `echoes` are our own prompt texts as sent (the
    templates in prompts/ are always known); `protect` are locked figure strings that must stay;
    `enumerate_runs=False` leaves 一是/二是 markers as they are; `keep_headings=True` keeps `1.` and
    `（1）` at line starts (heading levels 3 and 4 of a text with sub-sections; a section body has none)."""
    fixes: list[str] = []
    if not text or not text.strip():
        return Cleaned("", fixes)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _EMPHASIS.search(text):
        fixes.append("删去markdown加粗标记")
        text = _EMPHASIS.sub("", text)
    text = _drop_template_marks(text, fixes)
    masks = _Masks()
    text = masks.mask(text)

    lines = _strip_line_markers(text.split("\n"), fixes, keep_headings)
    spaced = [_SPACE_CN.sub("", line) for line in lines]
    if spaced != lines:
        fixes.append("删去中文之间的空格")
    lines = []
    punct = 0
    for line in spaced:
        line, n = _full_width_punct(line)
        punct += n
        lines.append(line)
    if punct:
        fixes.append(f"半角标点改为全角：{punct}处")
    lines = [_undouble(line, fixes) for line in lines]

    blank = [not line.strip() for line in lines]
    paras = [_split_sentences(line) for line in lines]
    paras = _echo_pass(paras, request, echoes, protect, masks, fixes)
    paras = [_split_sentences(_undouble("".join(p), fixes)) for p in paras]  # 一是【约150字】五是…
    for _ in range(3):  # a dropped item's 一是 moves to the next sentence, which may then repeat another
        before = sum(len(p) for p in paras)
        paras = _dedup_pass(paras, protect, masks, fixes)
        if sum(len(p) for p in paras) == before:
            break
    joined = [_tidy("".join(p)) for p in paras]
    if enumerate_runs:
        joined = _fix_enumeration(_unglue(joined, fixes), fixes)
    # paragraphs emptied by the clean-up go; the writer's own blank lines stay (one at most)
    out: list[str] = []
    for para, was_blank in zip(joined, blank, strict=True):
        if para:
            out.append(para)
        elif was_blank and out and out[-1] != "":
            out.append("")
    while out and out[-1] == "":
        out.pop()
    return Cleaned(masks.unmask("\n".join(out)), fixes)


def _shingles(s: str, n: int = 8) -> set[str]:
    return {s[i : i + n] for i in range(len(s) - n + 1)}


def _norm_for_copy(s: str) -> str:
    return "".join(re.findall(f"[{_HAN}0-9A-Za-z]", s))


def is_prompt_echo(reply: str, prompts: Sequence[str], threshold: float = 0.6) -> bool:
    """True when most of `reply` (share ≥ threshold of its characters) lies in 8-character runs
    copied from one of `prompts`, e.g. a draft that is the pipeline's own extension request."""
    r = _norm_for_copy(reply)
    if len(r) < 8:
        return False
    n = 8
    for p in prompts:
        sh = _shingles(_norm_for_copy(p), n)
        if not sh:
            continue
        covered = [False] * len(r)
        for i in range(len(r) - n + 1):
            if r[i : i + n] in sh:
                for k in range(i, i + n):
                    covered[k] = True
        if sum(covered) / len(r) >= threshold:
            return True
    return False


_OPENING = re.compile(
    r"(^|(?<=[。；！？：，\n]))[ \t\u3000]*(?:"
    r"[一二三四五六七八九十]是[，、：,:]?"
    r"|其[一二三四五六七八九十](?:是)?[，、：,:]?"
    r"|第[一二三四五六七八九十](?:是)?[，、：,:]"
    r"|(?:首先|其次|再次|最后)[，,]"
    r"|\d{1,2}[.、．)）](?!\d)"
    r"|（\d{1,2}）|\(\d{1,2}\)"
    r"|（[一二三四五六七八九十]）|\([一二三四五六七八九十]\)"
    r"|[一二三四五六七八九十]、"
    r")[ \t\u3000]*"
)


def strip_enumerators(text: str) -> str:
    """Drop the 一是/二是/其一/第一，/首先，/1./（1）/（一）/一、 openings a model wrote itself, at the
    start of the text, of a paragraph, of a sentence or of a clause (code adds its own)."""
    for _ in range(4):
        new = _OPENING.sub(r"\1", text)
        if new == text:
            break
        text = new
    return text


__all__ = ["Cleaned", "clean_prose", "is_prompt_echo", "strip_enumerators"]
