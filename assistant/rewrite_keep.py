"""What a rewording of one sentence must keep: the words that say who, where, when and what.

A 1.5B model asked for 换个说法 or 更正式 swaps words freely, and the swaps it makes most are the
ones a reader minds most: the place cut from the unit (崦滠县民族宗教事务局 → 县民族宗教事务局), the
scope or the period dropped (全县…, 一年来…), a thing narrowed or swapped (农村客运 → 客运, 青少年 →
青年, 国防 → 国家安全). Verbs and adverbs may change; these may not. The checks were built and measured
on 320 rewrites a reader labelled OK / SLIP / FAULT (bench/keep_eval.py, bench/data/rewrite_labels.jsonl).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from assistant.rewrite_kinds import TIME_WORDS, UNIT_NAME, strip_marker
from assistant.thesaurus import says_in_other_words, senses

# a place and its unit (鹤林市机关事务管理局); 全县/本县/我县… name no place, nor does 县委县政府…
_PLACED = re.compile(
    r"((?![县市区省州委])[\u4e00-\u9fff](?![全本各该我县市区省州委])[\u4e00-\u9fff])("
    + UNIT_NAME.pattern
    + ")"
)
# characters that may stand before a unit's name in a sentence (在县文物局, 年内，县文物局)
_BEFORE_NAME = "在由对向为和与及同跟经据从按被将把让给的是年内"
_CJK = "[\u4e00-\u9fff]"

# (过去一年/这一年 say 一年来 and 全年 as a writer does: no year lost)
_YEAR = (*TIME_WORDS.split("|"), "过去一年", "过去的一年", "这一年", "一年以来")
# kept as a class: one of each line must stay if the original said one (全年 → 年内 is the same year)
_SCOPES: tuple[tuple[str, ...], ...] = (
    ("全县",),
    ("全市",),
    ("全区",),
    ("全州",),
    ("全省",),
    ("全镇",),
    ("全乡",),
    _YEAR,
    ("下一步", "明年", "今后", "下一年", "来年", "新的一年"),
)
_A_YEAR = re.compile(r"(?:19|20)\d\d年(?![底末初])")  # (2024年 says the year as 全年 does)
# a period within the year, or the work's season: said once, kept (汛期前排查… → 排查…)
_PERIOD = re.compile(
    r"上半年|下半年|[一二三四]季度|前三季度|年初|年底|年末|汛期前?|春节|暑假|寒假|\d{1,2}月份?"
)

# jieba tags of words that name a thing, a group or a place
_NOUN_TAGS = frozenset(("n", "nz", "nt", "ns", "nr", "nrt", "j", "nl", "ng"))
# what the tagger calls a noun but a writer uses as a verb or an adverb (新建, 大力开展, 压实, 发力),
# spoken topic words (种树这块) and words every rewording may drop or say otherwise
# (率控制 of 失业率控制在…: a cut across two words)
_NOT_A_THING = re.compile(r"^(?:新|大力|全力|积极|深入|扎实|持续|不断|充分|压|一共|搞|基本|[率量额])|功夫$")
# words the tagger's dictionary files as nouns that name no thing of the report: verbs (惠及 ns, 办理 n,
# 上线 n), and metaphors and spoken words a rewording says its own way (心坎, 底色, 东西)
_VERBS = frozenset((
    "惠及", "助力", "织密", "普及", "整治", "印发", "上线", "落地", "命名", "荣获", "通报", "问责", "节约", "节省",
    "提质", "指导", "资助", "调剂", "办理", "带队", "会同", "事关", "依法", "常态", "面向", "深化", "发力",
    "有力", "东西", "心坎", "底色", "关怀", "过程", "防线",
))  # fmt: skip
# words a figure's unit or another word says as well: 面积 of 1.1万亩, 人员 of 参训人员460人次
_FREE_WORDS = frozenset((
    "今年", "全年", "年内", "工作", "方面", "这块", "这边", "同时", "我们", "群众", "时候", "同比", "方式", "模式",
    "面积", "数量", "总量", "人数", "人员", "规模", "总数", "次数", "户数", "大家", "大伙", "老百姓",
    "日益",
))  # fmt: skip
# the stance and aim words a rewording says in its own way (作为首要任务 → 摆在首位, 利益 → 权益): no
# thing of the report's; alone, or as the head of a short phrase (突出位置, 两条主线)
_ABSTRACT = frozenset((
    "任务", "位置", "首位", "主线", "抓手", "重点", "举措", "措施", "成效", "效果", "水平", "能力", "机制", "体系",
    "格局", "氛围", "意识", "理念", "作用", "力度", "步伐", "利益", "权益", "标准", "高标", "责任", "职责",
))  # fmt: skip
# one thing in other words (亩均 = 每亩, 网络销售 = 线上销售): the same mark in both texts
# (and a plan's 计划/力争 and a degree's 比较 said as a writer does: 拟新建, 争取, 较为突出; 推行 = 实行)
_SAME_THING = {
    "每亩": "亩均", "线上": "网络", "网上": "网络", "一线": "基层",
    "计划": "拟", "力争": "争取", "推行": "实行", "比较": "较为",
    "去年同期": "同比", "上年同期": "同比",
}  # fmt: skip


def unit_places(text: str) -> list[str]:
    """The two characters before each unit's 县/市/区 (鹤林 of 鹤林市机关事务管理局), verbs included:
    the caller asks `names_a_place` where it matters."""
    return [m.group(1) for m in _PLACED.finditer(text)]


@functools.lru_cache(maxsize=256)
def _placed_units(text: str) -> tuple[tuple[str, str], ...]:
    """(place, unit) for each unit named with its place (鹤林, 市机关事务管理局); two characters the
    tagger reads as one verb, adverb, time or pronoun are no place (围绕县委…, 依托县融媒体中心).
    (Read once an original: every sample of a sentence is checked against the same one.)"""
    out = []
    for m in _PLACED.finditer(text):
        place, unit = m.group(1), m.group(2)
        if re.search("委|政府", unit[1:-1]):
            continue  # 县委县政府中心工作 names no unit
        if names_a_place(place):
            out.append((place, unit))
    return tuple(out)


@functools.lru_cache(maxsize=1024)
def names_a_place(word: str) -> bool:
    """Two characters before a unit's 县/市/区 that may be its place: not one word jieba reads as a
    verb, preposition, adverb… (推进县级社会福利中心: 推进 is no place)."""
    from index.lexical import pos_tags

    tags = pos_tags(word)
    return not (len(tags) == 1 and tags[0][1][:1] in ("v", "p", "d", "c", "u", "r", "t", "a", "m"))


def lost_place(original: str, new: str) -> str:
    """The place of a placed unit (崦滠县 of 崦滠县民族宗教事务局) that `new` no longer says."""
    for place, unit in _placed_units(original):
        if place + unit[0] not in new:
            return place + unit[0]
    return ""


def restore_place(original: str, new: str) -> str:
    """Each placed unit of `original` that `new` names without its place (机关事务管理局, 县机关事务
    管理局), with its place cut to one character (津县投资促进局) or with another place (瑞安市商务局,
    崆山县…) given its place back: the unit that did the work is named as the writer named it. (The
    one function for the writer's place; a place is two characters `names_a_place` allows.)"""
    units = _placed_units(original)
    for place, unit in units:
        if place + unit[0] in new:
            continue
        # another place before the unit, or the place garbled (岞潆市商务局 → 瑞安市商务局, 崆瀍县… →
        # 崆山县…: a rare character the model cannot write, so it wrote one it knows): the writer's,
        # where the original names no other place with that unit
        other = re.search(f"({_CJK}{{2}}){re.escape(unit)}", new)
        if (
            other
            and other.group(1) not in original
            and not re.search(f"[{_BEFORE_NAME}我本该各全局]", other.group(1))  # (我局市民政局: 我局's)
            and names_a_place(other.group(1))
            and [u for _, u in units].count(unit) == 1
        ):
            new = new[: other.start(1)] + place + new[other.end(1) :]
            continue
        at = re.search(f"{re.escape(unit[0])}?{re.escape(unit[1:])}", new)
        if not at:
            continue
        before = new[at.start() - 1] if at.start() else ""
        if re.match(_CJK, before) and before not in _BEFORE_NAME:
            # the place cut to its last character (嵚澧县投资促进局 → 津县…, 在澧县…); 全县/我县/市县…
            # name no place, and a character after another word is part of a name (我局, 市县民政局)
            ahead = new[at.start() - 2] if at.start() > 1 else ""
            lone = not re.match(_CJK, ahead) or ahead in _BEFORE_NAME
            if at.group(0)[0] == unit[0] and lone and before not in "全本各该我县市区省州":
                new = new[: at.start() - 1] + place + new[at.start() :]
            continue
        new = new[: at.start()] + place + unit + new[at.end() :]
    return new


# A sentence's opening clause that only says when or where (一年来，/今年以来，/全年，/下一步，/汛期前，):
# a 1.5B model drops it more often than any other word it must keep. (A year may lead one, 2024年全年，;
# alone, 2024年， is put back by nothing: lost_scope counts no dropped 4-digit year.)
_LEAD_CLAUSE = re.compile(
    rf"^(?:(?:{'|'.join(w for g in _SCOPES for w in g)}|{_A_YEAR.pattern}|{_PERIOD.pattern})(?:以来)?){{1,2}}，"
)


# a sample's own opening clause of time (下一年，/今年，/2025年，/近期，): not another to put one before
_OWN_LEAD = re.compile(r"[^，。；]{0,6}(?:年|以来|下一步|今后|未来|近期|期间|期)[^，。；]{0,3}，")


def restore_lead(original: str, new: str) -> str:
    """The original's opening clause of time or scope (一年来，) put back in front of `new` where the
    sample dropped it and says no word of its kind (a marker, 一是, stays first)."""
    body = strip_marker(original)
    lead = _LEAD_CLAUSE.match(body)
    if not lead or not new or not lost_scope(lead.group(0), new):
        return new
    if _OWN_LEAD.match(strip_marker(new)):
        return new  # the sample opens with a time of its own (下一年，/今年，): the checks judge it
    head = len(new) - len(strip_marker(new))
    return new[:head] + lead.group(0) + new[head:]


def lost_scope(original: str, new: str) -> str:
    """The scope (全县), year (全年/一年来…), plan (下一步) or period (汛期前) the original says and
    `new` does not, in any of its equal words."""
    for words in _SCOPES:
        said = any(w in new for w in words) or (words == _YEAR and bool(_A_YEAR.search(new)))
        if any(w in original for w in words) and not said:
            return next(w for w in words if w in original)
    return next((p for p in _PERIOD.findall(original) if p not in new), "")


def must_keep(original: str) -> list[str]:
    """The words of `original` a rewording must say as they are (its places, scope and period words,
    the things it names): the copy block never holds them back."""
    words = [place + unit[0] for place, unit in _placed_units(original)]
    words += [w for group in _SCOPES for w in group if w in original] + _PERIOD.findall(original)
    return words + list(_things(original))


@functools.lru_cache(maxsize=256)
def _things(original: str) -> tuple[str, ...]:
    """The words of `original` that name a thing, a group or a place (read once an original)."""
    from index.lexical import pos_tags

    # (a spoken topic, 种树这块, is said again by what follows: a formal wording drops it)
    bare = re.sub(r"“[^“”]*”|\d+(?:\.\d+)?|[\u4e00-\u9fff]{1,6}?(?:这一块|这块|这方面|这边)", "，", original)
    return tuple(
        w
        for w, tag in dict.fromkeys(pos_tags(bare))
        if tag in _NOUN_TAGS
        and len(w) >= 2
        and w not in _FREE_WORDS
        and not _NOT_A_THING.search(w)
        and w not in _VERBS
        and not (w in _ABSTRACT or (len(w) <= 4 and w[-2:] in _ABSTRACT))
    )


def lost_things(original: str, new: str, alike: Callable[[str], str] = lambda t: t) -> list[str]:
    """The words of `original` that name a thing, a group or a place (农村, 客运, 青少年, 国防, 统计
    人员) and that `new` does not say, `alike` writing synonyms the same way in both (the word table's
    groups). Quoted names and figures are other checks' business."""
    same = _same_thing(alike(new))
    return [w for w in _things(original) if w not in new and _same_thing(alike(w)) not in same]


@functools.lru_cache(maxsize=1)
def _generic_words() -> frozenset[str]:
    from importlib import resources

    text = resources.files("assistant").joinpath("data/generic_words.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@functools.lru_cache(maxsize=256)
def _senses(original: str) -> frozenset[str]:
    """The thesaurus's senses of `original`'s words and their parts (线路 of 公交线路, which the tagger
    reads as one word). (Read once an original: every sample of a sentence is checked against it.)"""
    from index.lexical import pos_tags

    words = [w for w, _ in pos_tags(original) if len(w) >= 2]
    words += [
        r[k : k + n] for r in re.findall(f"{_CJK}+", original) for n in (2, 3) for k in range(len(r) - n + 1)
    ]
    return senses(words)


def added_things(original: str, new: str, alike: Callable[[str], str] = lambda t: t) -> list[str]:
    """The words of `new` that name a thing, a group or a place (城乡, 应急, 星级, 指挥部, 使用率) that
    `original` does not say: not in it, not its word in the thesaurus's sense (路线 = 线路, 学员 =
    学生) or the word table's (`alike`), nor a compound of two halves it says (抚育森林 of 森林抚育).
    A 1.5B model's new wording adds the one thing nobody reported, and no figure shows it."""
    said = _same_thing(alike(original))
    meant = _senses(original)

    def says(w: str) -> bool:
        return (
            w in original
            or _same_thing(alike(w)) in said
            or w in _FREE_WORDS
            or w in _generic_words()
            or w in _VERBS
            or w in _ABSTRACT
            or bool(_NOT_A_THING.search(w))
            or says_in_other_words(w, meant)
        )

    return [
        w
        for w in _things(new)
        if not says(w)
        and not (len(w) >= 4 and any(says(w[:k]) and says(w[k:]) for k in range(2, len(w) - 1)))
    ]


def _same_thing(text: str) -> str:
    for word, mark in _SAME_THING.items():
        text = text.replace(word, mark)
    return text


# a level the work held (保持在90%以上) is no level it reached (达到90%以上)
_HELD = re.compile(r"保持|稳定在|维持|控制在")
_HELD_SAID = re.compile(r"保持|稳定|维持|控制")
# a result of the work (完成规范化建设, 全面上线“平台”, 实现全覆盖); one said by its figure
# (完成投资9.6亿元) is the figure's to keep
# (实现 alone is a light verb: 实现转移就业 = 转移就业)
_RESULT = re.compile(r"完成|建成|上线|全覆盖")
_RESULT_SAID = re.compile(r"完成|建成|上线|覆盖")
# the 等 that leaves a list open (车站、景区等人员密集场所; 冰雹等灾害性天气); not 头等, 同等, 等级…
_OPEN_LIST = re.compile(r"(?<=[\u4e00-\u9fff])(?<![头同平均对相])等(?![级待同于到次])")
# 基本 before a result (基本实现, 基本建成): the writer's hedge; not 基本医疗保险, 基本公共服务
# (and before a level held: 及时率基本保持在99%以上 → 稳定在99%以上 claims it held throughout)
_HEDGED_RESULT = re.compile(
    r"基本(?:上)?(?=实现|完成|建成|消除|覆盖|形成|达到|解决|落实|到位|满足|具备|保持|稳定|维持|控制)"
)
# the unit urged or guided others' work (督促整改): said as done (问题已全部整改), the work is claimed
_URGED = re.compile(r"督促|指导")
_DONE_SAID = re.compile(r"已|均|全部|全都")
# 我局 cut to 局 (局联合公安…): no subject; 局党组, 局机关, 局领导 are
_BARE_BUREAU = re.compile(r"(?:^|[，。；])局(?![党机领长])")


# a programme's name (国企改革深化提升行动, 年鉴质量提升工程): its words are a name, not a wording
_PROGRAMME = re.compile(r"[\u4e00-\u9fff]{2}(?:行动|工程|计划|攻坚战)")


def programme_renamed(original: str, new: str) -> str:
    """A programme of `original` named in `new` with its last word swapped for a synonym (深化提升行动 →
    深化提高行动): another name, though the wording reads alike."""
    old = set(_PROGRAMME.findall(original))
    for name in _PROGRAMME.findall(new):
        was = next((w for w in old if w[0] == name[0] and w[1] != name[1] and w[2:] == name[2:]), "")
        if name not in old and was:
            return f"{was}→{name}"
    return ""


# what is new this year (新增, 新建, 新铺, 新开通…) said as a total (共开通, 累计增加, 已铺设)
_NEW_THIS_YEAR = re.compile(r"新(?=[增建铺开签设招改入])")
_A_TOTAL = re.compile(r"累计|共计|总计|共有|已有|已铺设|已建|现有|共(?=[开建铺增签设招改入])")


def fact_changed(original: str, new: str) -> str:
    """Why `new` reports another kind of fact than `original` ("" = it does not): a level held
    said as reached, a result said as work under way (完成规范化建设 → 开展规范化建设), the unit cut
    to a bare 局, a list's 等 dropped (the list read as all there is), 基本 dropped from a result, a
    programme renamed, what is new this year said as a total, or urging (督促) said as the work done."""
    if programme_renamed(original, new):
        return "programme renamed"
    if (
        _NEW_THIS_YEAR.search(original)
        and not _NEW_THIS_YEAR.search(new)
        and _A_TOTAL.search(new)
        and not _A_TOTAL.search(original)
    ):
        return "new said as a total"  # 新增馆藏图书3.6万册 → 累计增加图书3.6万册
    if _HELD.search(original) and not _HELD_SAID.search(new):
        return "level held said as reached"
    for clause in re.split(r"[，。；：]", original):
        done = _RESULT.search(clause)
        if done and not re.search(r"\d", clause[done.start() :]) and not _RESULT_SAID.search(new):
            return "result said as work"
    if _BARE_BUREAU.search(new) and not _BARE_BUREAU.search(original):
        return "subject cut"
    if _HEDGED_RESULT.search(original) and "基本" not in new and not re.search("大部分|大多|多数|总体", new):
        return "hedge dropped"  # 基本实现村级全覆盖 → 已实现…: a result claimed whole
    if (
        any(u not in new for u in _URGED.findall(original))
        and _DONE_SAID.search(new)
        and not _DONE_SAID.search(original)
    ):
        return "claims a result"  # 问题都督促整改了 → 问题已全部进行整改: the urging said as the work done
    if len(_OPEN_LIST.findall(new)) < len(_OPEN_LIST.findall(original)):
        return "list closed"  # 在车站、景区等人员密集场所 → 在人员密集场所; 冰雹等 → 冰雹
    return ""
