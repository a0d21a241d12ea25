"""Metric names: the words a figure is about ("参保率", "追回医保基金").

`clean_metric` trims a clause down to the name; `metric_score` says how surely two names mean the
same thing (synonyms, place prefixes, the seeds' XX masks, suffixes, character bigrams).
"""

from __future__ import annotations

import re
from collections import Counter

from assistant.numbers import to_halfwidth

_LEADING = (
    "今年以来",
    "今年",
    "本年度",
    "本年",
    "其中",
    "是",
    "我县",
    "全县",
    "我市",
    "全市",
    "我区",
    "全区",
    "我局",
    "共计",
    "合计",
    "总计",
    "累计",
    "共",
    "全年",
    "年内",
    "目前",
    "当前",
    "已",
    "均",
    "并",
    "且",
    "同时",
    "完成",
    "实现",
    "另外",
    "此外",
    "以及",
    "和",
    "及",
)
# Longest first so "分别达到" goes before "达到" and "达".
_TRAILING = tuple(
    sorted(
        (
            "分别达到",
            "分别达",
            "分别为",
            "分别是",
            "分别",
            "持续保持在",
            "保持在",
            "控制在",
            "稳定在",
            "提高到",
            "提高至",
            "提升到",
            "提升至",
            "增长到",
            "增长至",
            "增加到",
            "增加至",
            "下降到",
            "下降至",
            "降低到",
            "降低至",
            "增至",
            "降至",
            "达到",
            "达",
            "为",
            "是",
            "有",
            "共",
            "累计",
            "共计",
            "合计",
            "总计",
            "完成",
            "实现",
            "突破",
            "高达",
            "约",
            "近",
            "超",
            "超过",
            "逾",
            "占",
            "仅",
            "的",
            "了",
            "至",
            "到",
            "在",
            "已",
            "均",
        ),
        key=len,
        reverse=True,
    )
)
_QUOTES = "“”\"「」‘’'"


def clean_metric(clause: str) -> str:
    """ "截至2024年10月底，累计完成扫描办业务" -> "扫描办业务"; "参保率达" -> "参保率"."""
    s = to_halfwidth(clause).strip(" \t，,、:：")
    # List markers of pasted notes: "- ", "1. ", "（一）", "一、".
    s = re.sub(
        r"^(?:[-*•·]+|[0-9]+[.、]|[（(][0-9一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)\s*", "", s
    )
    for q in _QUOTES:
        s = s.replace(q, "")
    # Drop date/period phrases anywhere ("2024年基本医保参保人数" -> "基本医保参保人数").
    s = re.sub(
        r"(?:截至到?|截止到?)?(?:19|20)[0-9]{2}年(?:度)?(?:[0-9]{1,2}月(?:份|底|末|初)?)?(?:上半年|下半年|全年|以来)?",
        "",
        s,
    )
    s = re.sub(r"(?:截至到?|截止到?)[0-9]{1,2}月(?:份|底|末|初)?", "", s)
    s = re.sub(r"^[0-9]{1,2}[-~至到][0-9]{1,2}月", "", s)
    s = re.sub(r"^[0-9]{1,2}月(?:份|底|末|初)?(?:以来)?", "", s)
    s = s.strip(" ，,、")
    changed = True
    while changed and s:
        changed = False
        for w in _LEADING:
            if s.startswith(w) and len(s) > len(w):
                s, changed = s[len(w) :], True
        for w in _TRAILING:
            if s.endswith(w) and len(s) > len(w):
                s, changed = s[: -len(w)], True
    return s.strip(" ，,、")


_SYNONYMS = (
    ("基本医疗保险", "基本医保"),
    ("医疗保险", "医保"),
    ("医疗保障", "医保"),
    ("定点医疗机构", "定点医药机构"),
)
_PLACE_PREFIX = re.compile(
    r"^(?:全县|全市|全区|我县|我市|我区|本县|XX县|XX市|XX区|X县|X市|[^\s]{1,3}[县市区](?=[^\s]{2,}))"
)


def _norm_metric(m: str) -> str:
    s = to_halfwidth(m)
    for q in _QUOTES:
        s = s.replace(q, "")
    for a, b in _SYNONYMS:
        s = s.replace(a, b)
    s = _PLACE_PREFIX.sub("", s) if len(s) > 4 else s
    return s.replace("的", "").replace(" ", "")


def _mask_match(a: str, b: str) -> bool:
    """ "追回XX基金" matches "追回医保基金": the seeds mask names with XX."""
    if "XX" not in a:
        return False
    parts = [re.escape(p) for p in re.split(r"X{2,}", a)]
    return re.fullmatch(".{1,8}".join(parts), b) is not None


def _bigrams(s: str) -> Counter[str]:
    s = s.replace("XX", "")
    return Counter(s[i : i + 2] for i in range(len(s) - 1)) if len(s) > 1 else Counter([s])


def metric_score(a: str, b: str) -> float:
    """How surely two metric names mean the same thing, 0..1. Equal (after synonyms, place
    prefixes, XX masks) = 1; one a suffix of the other ("参保率" / "基本医保参保率") = 0.9; contained = 0.8;
    otherwise character-bigram overlap scaled to at most 0.8 ("参保人数" vs "投保人数" ≈ 0.53)."""
    if not a or not b:
        return 0.0
    x, y = _norm_metric(a), _norm_metric(b)
    if x == y or _mask_match(x, y) or _mask_match(y, x):
        return 1.0
    short, long_ = sorted((x, y), key=len)
    if len(short) >= 2 and long_.endswith(short):
        return 0.9
    if len(short) >= 2 and short in long_:
        return 0.8
    bx, by = _bigrams(x), _bigrams(y)
    overlap = sum((bx & by).values())
    total = sum(bx.values()) + sum(by.values())
    return 0.8 * (2 * overlap / total) if total else 0.0
