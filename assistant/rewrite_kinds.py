"""What a rewrite instruction asks for, recognised by code, and the checks a rewrite must pass.

    spec = recognise("压缩到100字左右，语言更精炼", text)   → RewriteSpec(kind="compress", length=100)
    problems = verify(spec, original, candidate)           → [] when it did what was asked

Kinds (the ones a bureau writer uses): compress / expand to N字, formal, concise, reword (a new
wording that avoids last year's text), first-person 述职 voice, heading as 对仗, add figures, merge,
split into 一是/二是; anything else is "free" and goes to the model whole. A follow-up may name a
sentence (第二句换个说法): `spec.sentence` is its index in the body.

The length measure is LongBench-Write's S_l over Chinese characters (assistant.measures, which
matches ../shared/eval/quality.py exactly; product code never reads ../shared).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from assistant.measures import CJK, cjk_len, length_score, repeated_sentences

KINDS: dict[str, str] = {
    "compress": "压缩",
    "expand": "扩写",
    "formal": "更正式",
    "concise": "更精炼",
    "reword": "换个说法",
    "first_person": "述职口吻",
    "heading": "标题对仗",
    "add_figures": "补充数据",
    "merge": "合并",
    "split": "分条（一是、二是）",
    "free": "按要求修改",
}

# One-click chips of the page's 改写 mode: (label, the instruction it sends).
CHIPS: list[tuple[str, str]] = [
    ("压缩", "压缩一些，语言更精炼"),
    ("扩写", "扩写一些，内容更充实"),
    ("更正式", "改得更正式一些"),
    ("换个说法", "换个说法，不要和原文雷同"),
    ("标题对仗", "把标题改成对仗的两个四字短语"),
    ("述职口吻", "改成述职报告的第一人称口吻"),
]

# A rewrite must differ from its original by at least this much (character similarity below the value).
# 换个说法's bounds are set from a skilled writer's faithful rewordings (bench/data/rewrite_skilled.jsonl:
# every fact kept, the wording new): their change_similarity has a median of 0.81 and a 90th percentile of
# 0.85-0.87 for a paragraph, 0.80-0.82 and 0.90 for one sentence. The bounds before (0.75, 0.80) let
# through fewer than half of them, so a sample had to drift from the facts to pass; code's word swaps
# alone (0.95) still do not.
MAX_SIMILARITY: dict[str, float] = {
    "compress": 0.97,
    "expand": 0.95,
    "formal": 0.93,
    "concise": 0.95,
    "reword": 0.86,
    "first_person": 0.995,  # 我局 → 我 is the change asked for; the form check does the rest
    "heading": 1.0,  # the heading itself is checked (must change); the body is kept
    "add_figures": 1.0,
    "merge": 1.0,
    "split": 1.0,
    "free": 0.98,
}
SENTENCE_MAX_SIMILARITY = 0.88  # one sentence asked to be said differently
# ... unless it says one figure and little else (森林抚育面积达1.1万亩以上。): the metric's name must
# stay, so a real new wording of it (完成森林抚育1.1万亩以上。) scores 0.8 on what it may change.
ONE_FACT_MAX_SIMILARITY = 0.9
ONE_FACT_WORDS = 12  # Chinese characters besides the figures: 森林抚育面积达万亩以上 has 11
# A new wording is measured on what it may change (see change_similarity); this bound is on the raw
# characters, so a text made almost wholly of names and figures still cannot come back near-copied.
RAW_MAX_SIMILARITY = 0.93
# A new wording may also say the paragraph's measures in a new order (rewrite_order); its sentences,
# put back in the original order, must still be reworded below this (a skilled writer's faithful
# rewordings score at most 0.86-0.91): a new order alone is never a new wording.
ORDER_FREE_MAX_SIMILARITY = 0.9
MIN_LENGTH_SCORE = 80.0
CONCISE_RATIO = 0.75  # "再精炼一些" without a length: about three quarters
EXPAND_RATIO = 1.6  # "扩写" without a length

_CN_DIGITS = "零一二三四五六七八九"
_ORDINAL = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}


@dataclass
class RewriteSpec:
    kind: str
    instruction: str = ""
    length: int | None = None  # the asked length in Chinese characters
    sentence: int | None = None  # the body sentence named (0-based; -1 = the last one)
    figures_text: str = ""  # figures to add (add_figures), in the user's words
    metric: str = ""  # a metric named without its value ("加上参保率")
    avoid: list[str] = field(default_factory=list)  # texts the new wording must not repeat

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, self.kind)


# --- lengths -----------------------------------------------------------------------------------


def similarity(a: str, b: str) -> float:
    """Character similarity (difflib ratio): 1.0 for identical texts."""
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# What a rewrite keeps verbatim: a quoted name (“第一届…年会”) and a number with its percent sign.
FIGURE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?[%％‰]?")  # a number with its percent sign, as written
_KEPT = re.compile(r"“[^“”]{1,40}”|" + FIGURE.pattern)


# A unit's name (县医保局, 市国资委, 县供销合作社, 县档案馆, 市公积金管理中心, 区计量检定所, 县水产技术推广站,
# 县人民法院, 县消防救援大队), and with its place in front (璞岭县融媒体中心). A 所/站 of a place is no unit
# (宗教活动场所, 住所, 加油站, 网站, 车站).
UNIT_TAIL = "(?:局|委|社(?![区会])|馆|中心|(?<!场)(?<!住)(?<!厕)所|(?<!油)(?<!网)(?<!车)站|院|大队|(?<=管理|办事|事务)处)"
UNIT_NAME = re.compile(r"[县市区省州](?!域)[\u4e00-\u9fff]{1,10}?" + UNIT_TAIL)  # (区域 names no place)
_PLACED_UNIT = re.compile(r"(?:[\u4e00-\u9fff]{2})?" + UNIT_NAME.pattern)


@functools.lru_cache(maxsize=256)
def _placed_units(original: str) -> tuple[str, ...]:
    """The writer's unit names in `original`, longest first (read once an original: change_similarity
    is asked of every sample against the same sentence)."""
    return tuple(sorted(set(_PLACED_UNIT.findall(original)), key=len, reverse=True))


def change_similarity(original: str, new: str) -> float:
    """Character similarity of what a new wording can change: each quoted name and number (kept
    verbatim by every rewrite), and the writer's unit named alike in both (璞岭县融媒体中心: a name,
    not a wording), counted as one character, the same one in both texts. A paragraph that is half
    conference names and figures is otherwise held to 0.75 by text it must not touch."""
    table: dict[str, str] = {}
    units = [u for u in _placed_units(original) if u in new]

    def mask(text: str) -> str:
        for u in units:
            text = text.replace(u, table.setdefault(u, chr(0xF0000 + len(table))))
        return _KEPT.sub(lambda m: table.setdefault(m.group(0), chr(0xF0000 + len(table))), text)

    return similarity(mask(original), mask(new))


# A count said after its object (检查社会单位1372家): an action verb whose object is a thing counted;
# a list item after it may leave the verb out (开展学习12次、主题党日活动24次).
_COUNTED = r"(?P<obj>[\u4e00-\u9fff“”·]{2,12}?)(?P<n>\d+(?:\.\d+)?)(?P<q>余|多)?(?P<cl>[家个项场处起件户所人名次条座支批期])$"
_COUNT_LEADS = "全年|年内|共|累计|共计|先后|依法|深入|扎实|持续|严格|临时"
_COUNT_VERBS = (
    "新建|建成|检查|督改|整改|查处|查办|举办|开展|走访|慰问|办理|受理|调解|化解|排查|创建|培育|"
    "引进|设立|配备|营救|救助|审计|抽检|处置|收录|立案|召开|组建|成立|建立|打造|"
    "审结|办结|执结|审理|侦破|破获|查获|调处"  # (审结1042件 is no thing counted: 1042件审结 is no Chinese)
)
_COUNT_AFTER = re.compile(rf"^(?P<pre>(?:{_COUNT_LEADS})*)(?P<v>{_COUNT_VERBS})" + _COUNTED)
_COUNT_ITEM = re.compile("^(?P<pre>)(?P<v>)" + _COUNTED)
_ACTION_OBJECT = re.compile(
    rf"^(?:{_COUNT_VERBS}|查处|改建|改造|化解|联系|整改|提升|"
    r"建设|推进|帮助|服务|指导|督促|修缮|维修|培训|处理|解决|救治|帮扶|治理|清理|开通|完成)"
)


def opens_with_action(text: str) -> bool:
    """Whether `text` begins with an action verb (解决, 查处, 建设…): no noun."""
    return bool(_ACTION_OBJECT.match(text))


_ADVERB_OPEN = re.compile(rf"^(?:{_COUNT_LEADS}|积极|主动|及时|全面|集中)")


def count_first(sentence: str) -> str:
    """A count said before what it counts, as reports say it either way: 检查社会单位1372家、督改火灾
    隐患2614处 → 检查1372家社会单位、督改2614处火灾隐患 (人 before its noun is 名: 营救213名遇险群众;
    the list's items without a verb follow the first). Not a metric (总数、人数 are no things counted)."""

    def front(m: re.Match[str] | None) -> str | None:
        if not m:
            return None
        obj = m.group("obj")
        if (
            re.search(r"(?:数|量|率|额|值|比|度|面积|规模|总|的|和)$", obj)
            or obj.count("“") != obj.count("”")
            or _ACTION_OBJECT.match(obj)  # 立案查处违法案件87件: the object is another action
            or obj.startswith(m.group("cl"))  # (1260条条目)
        ):
            return None
        cl = "名" if m.group("cl") == "人" else m.group("cl")
        return f"{m.group('pre')}{m.group('v')}{m.group('n')}{m.group('q') or ''}{cl}{obj}"

    clauses, end = clauses_of(sentence)
    out = []
    for clause in clauses:
        items = re.split(r"([、；])", clause)
        unit = ""  # the classifier of the list's last count fronted
        for k in range(0, len(items), 2):
            if k and items[k - 1] == "；":
                unit = ""
            item = items[k]
            # an item with no verb of its own follows a fronted count of the same kind (学习12次、活动24次),
            # not an action with its adverb (临时查封21家)
            bare = _COUNT_ITEM.match(item) if unit and not _ADVERB_OPEN.match(item) else None
            for m in (_COUNT_AFTER.match(item), bare if bare and bare.group("cl") == unit else None):
                if done := front(m):
                    items[k], unit = done, m.group("cl")  # type: ignore[union-attr]
                    break
            else:
                unit = "" if re.search(r"\d", item) else unit
        out.append("".join(items))
    return "，".join(out) + end


def order_free_similarity(original: str, new: str) -> float:
    """change_similarity with every new order undone: the new text's sentences put back in the
    original's order, each beside the original sentence it shares most with, and each sentence's
    clauses put back in the order of its partner's. What the wording changed, a new order aside: a
    new order of the same sentences (or of a sentence's clauses) scores as high as the words."""
    olds, news = split_units(original), split_units(new)
    if not olds or not news:
        return change_similarity(original, new)
    home = _homes(olds, news)
    back = [clauses_back(olds[home[j]], news[j]) if home[j] >= 0 else news[j] for j in _by_home(home)]
    # a count moved before its noun (检查企业186家 → 检查186家企业) is a new order too: both said count first
    fronted = [count_first(o) for o in olds]
    was = "".join(fronted) if fronted != olds else original
    return change_similarity(was, "".join(count_first(b) for b in back))


def _homes(olds: list[str], news: list[str]) -> dict[int, int]:
    """Each new piece's partner among the old ones (greedy, best pairs first by change_similarity);
    a piece with no partner sits just after the piece before it (first: -1)."""
    pairs = sorted(
        (
            (change_similarity(o, n), -abs(i - j), i, j)
            for i, o in enumerate(olds)
            for j, n in enumerate(news)
        ),
        reverse=True,
    )
    home: dict[int, int] = {}
    taken: set[int] = set()
    for _, _, i, j in pairs:
        if i not in taken and j not in home:
            home[j] = i
            taken.add(i)
    for j in range(len(news)):
        if j not in home:
            home[j] = home[j - 1] if j else -1
    return home


def _by_home(home: dict[int, int]) -> list[int]:
    return sorted(home, key=lambda j: (home[j], j))


def in_original_order(original: str, new: str) -> list[int]:
    """The new text's sentence indices sorted by the place of the original sentence each shares most
    with (a sentence with no partner stays after the one before it)."""
    olds, news = split_units(original), split_units(new)
    return _by_home(_homes(olds, news)) if olds else list(range(len(news)))


# a sentence's lead: its time and who (全年我局…, 全县…), said in front of whichever clause comes first
TIME_WORDS = "今年以来|今年|全年|年内|本年度|一年来|年初以来"
WHO_WORDS = "我局|我们|本局|局党组|全县|全市|全区|全州"
WHEN_WHO = re.compile(rf"^(?:{TIME_WORDS})?(?:{WHO_WORDS})?")


def clauses_back(original: str, new: str) -> str:
    """Sentence `new` with its clauses in the order of the clauses of `original` they share most
    with, its lead (全年/我局) back in front of the first."""
    old_clauses, (clauses, end) = clauses_of(original)[0], clauses_of(new)
    if len(old_clauses) < 2 or len(clauses) < 2:
        return new
    back = [clauses[j] for j in _by_home(_homes(old_clauses, clauses))]
    lead = WHEN_WHO.match(clauses[0]).group(0)  # type: ignore[union-attr]
    if lead and back[0] != clauses[0] and not WHEN_WHO.match(back[0]).group(0):  # type: ignore[union-attr]
        k = back.index(clauses[0])
        back[k], back[0] = back[k][len(lead) :], lead + back[0]
    return "，".join(back) + end


def reordered(original: str, new: str) -> bool:
    """Whether the new text says the original's sentences in another order."""
    order = in_original_order(original, new)
    return order != sorted(order)


# --- the text's parts: heading, paragraphs, sentences ------------------------------------------

_SENT = re.compile(r"[^。！？；]+(?:[。！？；][”’」』）)]*)?")


@dataclass
class Parts:
    """A paragraph (or a few) as heading + paragraphs of sentences; `join` puts it back together."""

    heading: str = ""  # marker + heading text as written, "" when there is none
    marker: str = ""  # （三）, 一、 …
    sep: str = ""  # what followed the heading: "。" (same line) or "\n"
    paragraphs: list[list[str]] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]

    @property
    def heading_text(self) -> str:
        return self.heading[len(self.marker) :] if self.marker else self.heading

    @property
    def body(self) -> str:
        return "\n".join("".join(p) for p in self.paragraphs if p)

    def join(self, paragraphs: list[list[str]] | None = None, heading: str | None = None) -> str:
        head = self.heading if heading is None else heading
        paras = self.paragraphs if paragraphs is None else paragraphs
        body = "\n".join("".join(p) for p in paras if p)
        if not head:
            return body
        return head + (self.sep or "\n") + body


def split_units(text: str) -> list[str]:
    """Sentences, with a semicolon ending one too (一是…；二是…); a closing quote stays with its sentence."""
    return [s for s in (m.group(0) for m in _SENT.finditer(text)) if s.strip()]


def top_clauses(sentence: str) -> list[str]:
    """A sentence's clauses split at top-level commas (not inside “…” or （…）)."""
    out, depth, cur = [], 0, ""
    for ch in sentence:
        if ch in "“（(《":
            depth += 1
        elif ch in "”）)》":
            depth = max(0, depth - 1)
        if ch == "，" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def clauses_of(sentence: str) -> tuple[list[str], str]:
    """A sentence's top-level clauses and its closing mark."""
    body = sentence.rstrip("。！？；")
    return top_clauses(body), sentence[len(body) :]


def parse_parts(text: str) -> Parts:
    from index.structure import parse_heading

    text = text.strip()
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    parts = Parts()
    if lines:
        h = parse_heading(lines[0])
        if h is not None and h.heading and len(h.heading) > len(h.marker):
            parts.heading, parts.marker = h.heading, h.marker
            if h.body:
                rest = lines[0][len(h.heading) :]
                parts.sep = rest[: len(rest) - len(rest.lstrip("。：:，, "))] or "。"
                lines[0] = h.body
            else:
                parts.sep = "\n"
                lines = lines[1:]
    parts.paragraphs = [split_units(ln) for ln in lines]
    return parts


# --- recognising the kind ----------------------------------------------------------------------

_HEADING = re.compile(r"标题|题目|小标题")
_HEADING_FORM = re.compile(r"对仗|八字|四字|对偶|工整")
_EXPAND = re.compile(r"扩写|扩充|扩展|展开|充实|丰富|写长|写得?具体|写多|加长|增加内容")
_COMPRESS = re.compile(r"压缩|缩写|缩短|删减|写短|控制在|不超过|以内")
_CONCISE = re.compile(r"精炼|精简|简洁|简练|凝练|简短|啰嗦|冗长|短一些|短一点")
_FORMAL = re.compile(r"正式|规范|书面|公文|庄重|严谨|官方")
_REWORD = re.compile(
    r"换个说法|换一种说法|换种说法|换个表述|换一种表述|重新表述|换个写法|同义|别的说法|"
    r"不要和去年|避免(?:和|与)?(?:去年|往年)|避免雷同|不要雷同|不一样|新的说法|新的表述|改写措辞|去年的写法"
)
_FIRST_PERSON = re.compile(r"述职|第一人称|我的口吻|本人口吻|以我|用“?我”?|个人口吻")
_MERGE = re.compile(r"合并|合成一段|并成一段|整合成一段|融合")
_SPLIT = re.compile(r"一是|分条|分点|分成.{0,4}(?:点|条|方面)|拆成|拆分|分几个方面|分为.{0,4}(?:点|条|方面)")
_ADD = re.compile(r"加上|加入|补充|补上|写进|添加|增加|补进")
_LENGTH = re.compile(r"(\d{2,4})\s*(?:个)?字")
_NAMED_SENTENCE = re.compile(r"第([一二三四五六七八九十\d]{1,2})句|(最后一句|末句|开头一?句|首句)")


def _asked_length(instruction: str) -> int | None:
    try:
        from assistant.request import parse_request
    except ImportError:  # the request parser is not in this tree
        parse_request = None  # type: ignore[assignment]
    if parse_request is not None:
        try:
            length = getattr(parse_request(instruction), "length", None)
        except Exception:  # a parser problem must not stop a rewrite: fall back to the pattern
            length = None
        if isinstance(length, int) and length > 0:
            return length
    m = _LENGTH.search(instruction.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    return int(m.group(1)) if m else None


def named_sentence(instruction: str) -> int | None:
    m = _NAMED_SENTENCE.search(instruction)
    if not m:
        return None
    if m.group(2):
        return -1 if m.group(2) in ("最后一句", "末句") else 0
    n = m.group(1)
    i = int(n) if n.isdigit() else (_ORDINAL.get(n) or (10 + _ORDINAL.get(n[-1], 0) if n[0] == "十" else 0))
    return i - 1 if i and i > 0 else None


def recognise(instruction: str, text: str = "", figures: str = "") -> RewriteSpec:
    """The kind of rewrite `instruction` asks for (first match wins, in the order a writer means it)."""
    instr = (instruction or "").strip()
    length = _asked_length(instr)
    size = cjk_len(text)
    spec = RewriteSpec(kind="free", instruction=instr, length=length, sentence=named_sentence(instr))
    add = _ADD.search(instr)
    has_number = bool(re.search(r"\d", re.sub(_LENGTH, "", instr)))
    if _HEADING.search(instr) and (_HEADING_FORM.search(instr) or "改" in instr):
        spec.kind = "heading"
    elif add and (has_number or figures or _metric_after(instr, add.end())) and not _EXPAND.search(instr):
        spec.kind = "add_figures"
        spec.figures_text = instr[add.end() :].strip("：:，。 ") if has_number else figures
        if not has_number:
            spec.metric = _metric_after(instr, add.end())
    elif _MERGE.search(instr):
        spec.kind = "merge"
    elif _SPLIT.search(instr):
        spec.kind = "split"
    elif _FIRST_PERSON.search(instr):
        spec.kind = "first_person"
    elif _EXPAND.search(instr) or (length and size and length > size * 1.15):
        spec.kind = "expand"
    elif _COMPRESS.search(instr) or (length and size and length < size * 0.9):
        spec.kind = "compress"
    elif _CONCISE.search(instr):
        spec.kind = "compress" if length else "concise"
    elif _REWORD.search(instr):
        spec.kind = "reword"
    elif _FORMAL.search(instr):
        spec.kind = "formal"
    if spec.kind in ("compress", "concise") and not spec.length and size:
        spec.length = max(20, round(size * CONCISE_RATIO))
    if spec.kind == "expand" and not spec.length and size:
        spec.length = round(size * EXPAND_RATIO)
    if spec.kind == "reword" and text:
        spec.avoid = [text]
    return spec


def _metric_after(instr: str, start: int) -> str:
    """ "加上参保率" → "参保率": the words after the verb, up to punctuation ("的数据" dropped)."""
    rest = re.split(r"[，。；、,;！!？?]", instr[start:], maxsplit=1)[0]
    rest = re.sub(r"(这个|这项|的)?(数据|数字|指标|情况)$", "", rest.strip())
    return rest if 2 <= len(rest) <= 12 and CJK.search(rest) else ""


# --- checks ------------------------------------------------------------------------------------

_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
# "我" as the speaker, not 我局/我们/我市…
_I = re.compile(r"本人|我(?![局们市县区省国院委办处科所站镇乡校司厅队单位部门中心街])")
COLLOQUIAL = (  # a formal text has none of these (verify's form check, and each sample's)
    "咱们", "咱", "挺", "特别好", "蛮", "搞定", "弄好", "没啥", "啥", "大伙", "老百姓", "很多很多", "这块", "还有就是", "大概",
    "个亿", "主要就是", "这一块", "这边", "差不多", "说实话", "琢磨", "乡亲们", "一年下来", "基本上",
)  # fmt: skip
_PAIR = re.compile(r"^[\u4e00-\u9fff“”]{4,6}[，,、 　]?[\u4e00-\u9fff“”]{4,6}$")


def half_width_digits(text: str) -> str:
    """Full-width digits, point and percent sign as ASCII (９９.９１％ → 99.91%)."""
    return text.translate(_WIDTH)


def numbers_in(text: str) -> list[str]:
    return list(number_counts(text))


def number_counts(text: str) -> Counter[str]:
    """Each number of `text` (full-width digits and thousands commas read as numbers_in reads them)
    and how many times it is written, in order of first appearance."""
    return Counter(m.group(0).replace(",", "") for m in _NUMBER.finditer(half_width_digits(text)))


def is_pair_heading(heading: str) -> bool:
    """Two four-character phrases (对仗: 强化监管，守牢底线), or one eight-character line."""
    h = heading.strip().strip("。！；;：:")
    core = re.sub(r"[“”‘’\"'《》]", "", h)
    parts = [p for p in re.split(r"[，,、 　]", core) if p]
    if len(parts) == 2:
        return all(len(p) == 4 and cjk_len(p) == 4 for p in parts)
    return len(parts) == 1 and len(core) == 8 and cjk_len(core) == 8


def speaks_first_person(text: str) -> bool:
    return bool(_I.search(text))


@dataclass
class Problem:
    check: str  # length | numbers | new_numbers | heading | unchanged | form
    message: str  # one line for the user, Chinese

    def __str__(self) -> str:
        return self.message


def length_problem(kind: str, asked: int | None, original_chars: int, got: int) -> str:
    """What is wrong with a text of `got` characters where about `asked` were asked ("" = it fits):
    a 精炼 must come out shorter, a 压缩 shorter than the original and near the length."""
    if not asked or kind not in ("compress", "expand", "concise", "free"):
        return ""
    if kind == "concise":
        return (
            f"没有变得更精炼：原文{original_chars}字，改写后{got}字" if got >= original_chars * 0.95 else ""
        )
    if length_score(asked, got) < MIN_LENGTH_SCORE or (kind == "compress" and got >= original_chars):
        return f"篇幅不符：要求约{asked}字，改写后{got}字"
    return ""


def verify(
    spec: RewriteSpec,
    original: str,
    new: str,
    keep: list[str],
    allowed_new: list[str] = (),  # type: ignore[assignment]
) -> list[Problem]:
    """Everything the rewrite `new` of `original` fails of what `spec` asked (empty = passed)."""
    out: list[Problem] = []
    old_parts, new_parts = parse_parts(original), parse_parts(new)
    if not new.strip():
        return [Problem("unchanged", "没有得到改写结果")]
    # length
    if says := length_problem(spec.kind, spec.length, cjk_len(original), cjk_len(new)):
        out.append(Problem("length", says))
    # numbers
    present = set(numbers_in(new))
    missing = [n for n in keep if n not in present]
    if missing:
        out.append(Problem("numbers", f"漏掉了原文数字：{'、'.join(missing)}"))
    allowed = set(numbers_in(original)) | set(allowed_new)
    stray = [n for n in numbers_in(new) if n not in allowed]
    if stray:
        out.append(Problem("new_numbers", f"出现了原文没有的数字：{'、'.join(stray)}"))
    if spec.kind not in ("expand", "add_figures", "merge"):  # (those may say a figure again on purpose)
        said, says = number_counts(original), number_counts(new)
        twice = [n for n in said if says[n] > said[n]]
        if twice:  # one fact written twice (a clause group rewritten in two places)
            out.append(Problem("numbers", f"数字重复出现：{'、'.join(twice)}"))
    # heading
    if spec.kind == "heading":
        new_heading = new_parts.heading_text
        first, _, rest = new.strip().partition("\n")
        if not old_parts.heading and not new_heading and rest.strip() and first.strip() not in original:
            new_heading = first.strip()  # a text with no heading gets one, on a line of its own
        if not new_heading or similarity(new_heading, old_parts.heading_text) >= 0.8:
            out.append(Problem("unchanged", "标题没有改动"))
        elif not is_pair_heading(new_heading):
            out.append(Problem("form", f"标题“{new_heading}”不是两个四字短语或八字句"))
    elif old_parts.heading and new_parts.heading != old_parts.heading:
        out.append(Problem("heading", f"原标题“{old_parts.heading}”没有保留"))
    # a real change
    limit = MAX_SIMILARITY.get(spec.kind, 0.98)
    if spec.kind != "heading":
        if spec.sentence is not None and spec.kind in ("reword", "formal", "first_person", "free"):
            old_s, new_s = sentence_at(old_parts, spec.sentence), sentence_at(new_parts, spec.sentence)
            bound = ONE_FACT_MAX_SIMILARITY if one_fact(old_s) else SENTENCE_MAX_SIMILARITY
            if not old_s:
                n = len(old_parts.sentences)
                out.append(Problem("form", f"原文只有{n}句，没有{_ordinal_name(spec.sentence)}"))
            elif old_s and (
                not new_s
                or change_similarity(old_s, new_s) >= bound
                or similarity(old_s, new_s) >= RAW_MAX_SIMILARITY
            ):
                out.append(Problem("unchanged", f"{_ordinal_name(spec.sentence)}没有换成新的说法"))
            elif order_free_similarity(old_s, new_s) >= ORDER_FREE_MAX_SIMILARITY:
                out.append(
                    Problem("unchanged", f"{_ordinal_name(spec.sentence)}只调整了语序，用词与原文几乎相同")
                )
        elif new.strip() == original.strip() or not _changed(spec.kind, original, new, limit):
            out.append(Problem("unchanged", "改写结果与原文几乎相同"))
        elif spec.kind == "reword" and (
            order_free_similarity(old_parts.body, new_parts.body) >= ORDER_FREE_MAX_SIMILARITY
        ):
            out.append(Problem("unchanged", "只调整了句子顺序，用词与原文几乎相同"))
        for avoid in spec.avoid if spec.sentence is None else ():
            if avoid.strip() != original.strip() and similarity(avoid, new) >= limit:
                out.append(Problem("unchanged", "与往年的写法过于相近"))
    # no sentence said twice (that the original did not already repeat)
    repeats = [s for s in repeated_sentences(new) if s not in repeated_sentences(original)]
    if repeats:
        out.append(Problem("repeat", f"有重复的句子：{repeats[0]}……"))
    # form
    if spec.kind == "first_person" and not speaks_first_person(new):
        out.append(Problem("form", "没有用“我”或“本人”的第一人称述职口吻"))
    if spec.kind == "formal":
        found = [w for w in COLLOQUIAL if w in new]
        if found:
            out.append(Problem("form", f"仍有口语词：{'、'.join(found)}"))
    if spec.kind == "split":
        marks = re.findall(r"([一二三四五六七八九十])是", new_parts.body)
        if len(marks) < 2 or marks != [c for c in "一二三四五六七八九十"[: len(marks)]]:
            out.append(Problem("form", "没有分成“一是、二是……”"))
    if spec.kind == "merge" and len([p for p in new_parts.paragraphs if p]) > 1:
        out.append(Problem("form", "仍不止一段"))
    return out


def _changed(kind: str, original: str, new: str, limit: float) -> bool:
    """Whether `new` is a real change. A new wording is measured on its body's changeable part
    (the kept heading, names and figures aside), and its raw text must still be below
    RAW_MAX_SIMILARITY; the other kinds on the raw characters."""
    raw = similarity(original, new)
    if kind != "reword":
        return raw < limit
    body = change_similarity(parse_parts(original).body, parse_parts(new).body)
    return raw < RAW_MAX_SIMILARITY and body < limit


def one_fact(sentence: str) -> bool:
    """A sentence that says a figure and little else (馆藏档案数字化率达到78%。)."""
    words = re.sub(r"[^\u4e00-\u9fff]", "", FIGURE.sub("", sentence))
    return bool(re.search(r"\d", sentence)) and len(words) <= ONE_FACT_WORDS


def sentence_at(parts: Parts, index: int) -> str:
    """The sentence a follow-up names (第二句: 1, 最后一句: -1), or "" where there is none."""
    sents = parts.sentences
    if not sents:
        return ""
    if index < 0:
        return sents[index] if len(sents) >= -index else ""
    return sents[index] if index < len(sents) else ""


def _ordinal_name(index: int) -> str:
    if index < 0:
        return "最后一句"
    n = index + 1
    return f"第{'一二三四五六七八九十'[n - 1] if n <= 10 else n}句"


def sentence_fits(old: str, new: str, keep: list[str], max_sim: float, allowed: set[str]) -> bool:
    """One rewritten sentence: its numbers kept, none added, really different, not wildly longer."""
    if not new.strip():
        return False
    present = set(numbers_in(new))
    if any(n not in present for n in keep):
        return False
    if any(n not in allowed for n in present):
        return False
    return similarity(old, new) < max_sim and cjk_len(new) <= max(cjk_len(old) * 1.8, cjk_len(old) + 30)


def as_sentence(text: str, like: str) -> str:
    """A model's one-sentence answer, trimmed to one unit that ends like `like` does (。 or ；)."""
    text = text.strip().strip('“”"').split("\n")[0].strip()
    text = re.sub(r"^(?:改写后|改后|修改后|新句|结果|标题|答)[：:]\s*", "", text)
    end = like.strip()[-1:] if like.strip() else "。"
    if end not in "。！？；":
        end = ""
    if text and text[-1] in "。！？；，":
        text = text[:-1]
    return text + end if text else ""


def join_points(opening: list[str], points: list[str], closing: list[str] = ()) -> str:  # type: ignore[assignment]
    """Code owns the enumerators: 一是…。二是…。 (each point stripped of its own marker/connective)."""
    out = "".join(opening)
    for i, p in enumerate(points):
        body = strip_marker(p).rstrip("；;，,。") + "。"
        out += ("一二三四五六七八九十"[i] if i < 10 else str(i + 1)) + "是" + body
    return out + "".join(closing)


_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]是|其[一二三四五六七八九十][，,、]?|第[一二三四五六七八九十][，,、]|"
    r"首先|其次|再次|最后|同时|此外|另外|另一方面|与此同时)[，,、：:]?"
)


def strip_marker(sentence: str) -> str:
    return _MARKER.sub("", sentence.strip())


__all__ = [
    "CHIPS",
    "FIGURE",
    "KINDS",
    "Parts",
    "Problem",
    "RewriteSpec",
    "change_similarity",
    "cjk_len",
    "clauses_back",
    "clauses_of",
    "is_pair_heading",
    "join_points",
    "length_score",
    "numbers_in",
    "order_free_similarity",
    "parse_parts",
    "recognise",
    "sentence_at",
    "similarity",
    "split_units",
    "top_clauses",
    "verify",
]
