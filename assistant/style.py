"""House style: how this office's past reports are written, derived from the knowledge base.

`style_profile(settings, kb)` reads the KB's chunks (heading paths + section text) and measures:
heading patterns (slogan headlines with quoted key words “…”, four-character phrases, `党建＋X`),
whether sections enumerate with 一是…二是…, typical section length per heading level, and the
phrases that recur at sentence starts (始终坚持 / 聚焦 / 紧扣 …). `render()` is the compact text
(≤ ~300 characters) that goes into the system prompt; it is deterministic for a given KB so the
system prompt stays byte-identical and llama.cpp can reuse its evaluated prefix.
"""

from __future__ import annotations

import hashlib
import logging
import re
import statistics
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from core.errors import BiganziError
from core.settings import Settings

MAX_RENDER_CHARS = 300

_MARKER = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、，,．.]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|第[一二三四五六七八九十]+[章节部分])\s*"
)
_QUOTED = re.compile(r"[“\"]([^”\"]{1,12})[”\"]")
_PARTY_PLUS = re.compile(r"党建\s*[＋+]\s*[“\"]?([\u4e00-\u9fffA-Za-z]{1,6})")
_HAN4 = re.compile(r"^[\u4e00-\u9fff]{4}$")
_SEGMENT_SPLIT = re.compile(r"[，,、；;：:\s“”\"‘’（）()！!？?。]+")
_SENTENCE_START = re.compile(r"(?:^|[。！？；\n])\s*([\u4e00-\u9fff]{2,12})")
_ENUM = re.compile(r"(?:一是|其一|第一)(?s:.){0,400}?(?:二是|其二|第二)")
_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]是|其[一二三四五六七八九十]|第[一二三四五六七八九十])")
_BAD_PHRASE = re.compile(r"[\dXx＊*]|XX")

# Openings worth suggesting are verbs/stances, not subjects like 我局/全县; these mark subjects.
_SUBJECT_START = (
    "我局",
    "我县",
    "我市",
    "全县",
    "全市",
    "局党",
    "今年",
    "去年",
    "年内",
    "截至",
    "目前",
    "同时",
    "其中",
)


@dataclass
class LevelLength:
    level: int
    count: int
    median: int
    p25: int
    p75: int


@dataclass
class StyleProfile:
    source: str  # "kb" | "defaults"
    kb: str | None = None
    documents: int = 0
    sections: int = 0
    headings: int = 0
    quoted_ratio: float = 0.0  # share of headings with a quoted key word “…”
    quoted_examples: list[str] = field(default_factory=list)
    four_char_ratio: float = 0.0  # share of headings with a four-character phrase segment
    four_char_examples: list[str] = field(default_factory=list)
    party_plus: list[str] = field(default_factory=list)  # the X of 党建＋X, most frequent first
    heading_examples: list[str] = field(default_factory=list)
    enumeration_ratio: float = 0.0  # share of sections using 一是…二是…
    lengths: list[LevelLength] = field(default_factory=list)
    openings: list[str] = field(default_factory=list)
    note: str = ""

    def render(self) -> str:
        """Compact description for the prompt (≤ MAX_RENDER_CHARS characters)."""
        if self.source != "kb":
            return DEFAULT_RENDER
        parts: list[str] = []
        head = "标题多为口号式"
        if self.quoted_ratio >= 0.2 and self.quoted_examples:
            head += "，常用引号突出关键词（如" + "".join(f"“{q}”" for q in self.quoted_examples[:3]) + "）"
        if self.party_plus:
            head += "，常见“党建＋X”（" + "、".join(f"党建＋{x}" for x in self.party_plus[:3]) + "）"
        if self.four_char_ratio >= 0.2 and self.four_char_examples:
            head += "，多用四字短语（" + "、".join(self.four_char_examples[:4]) + "）"
        parts.append(head + "。")
        if self.enumeration_ratio >= 0.15:
            parts.append("段内常用“一是……二是……”分层列举。")
        body = [ll for ll in self.lengths if ll.count >= 2]
        if body:
            typical = max(body, key=lambda ll: ll.count)
            parts.append(f"正文段落一般{typical.p25}～{typical.p75}字。")
        if self.openings:
            parts.append("常用表述：" + "、".join(self.openings[:6]) + "。")
        parts.append("语言庄重简练，先写做法后写成效，用数据说话。")
        text = "".join(parts)
        while len(text) > MAX_RENDER_CHARS and len(parts) > 1:
            parts.pop(-2)  # drop detail from the middle, keep the headline and the closing rule
            text = "".join(parts)
        return text[:MAX_RENDER_CHARS]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["text"] = self.render()
        return data


DEFAULT_RENDER = (
    "标题多为口号式，常用引号突出关键词、四字短语对仗。段落先概括做法，再用“一是……二是……”分层列举举措和成效。"
    "正文段落一般150～300字。常用表述：始终坚持、聚焦、紧扣、扎实推进、持续深化。"
    "语言庄重简练，先写做法后写成效，用数据说话。"
)


class ChunkLike(Protocol):
    text: str
    heading_path: list[str]
    source: str


def default_profile(note: str = "") -> StyleProfile:
    return StyleProfile(source="defaults", note=note)


def heading_text(heading: str) -> str:
    """A heading without its marker and without a same-line body: "（一）提升“凝聚力”。始终…" → "提升“凝聚力”"."""
    text = _MARKER.sub("", heading.strip(), count=1)
    return re.split(r"[。！？]", text, maxsplit=1)[0].strip()


def _percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def profile_from_chunks(chunks: Iterable[ChunkLike], kb: str | None = None) -> StyleProfile:
    """The style profile of a set of chunks (pure function; the KB is read by `style_profile`)."""
    sections: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for c in chunks:
        key = (c.source, tuple(c.heading_path))
        sections.setdefault(key, []).append(c.text)
    if not sections:
        return default_profile("知识库为空，使用默认文风")

    documents = {src for src, _ in sections}
    headings: dict[str, None] = {}
    for _, path in sections:
        for h in path:
            t = heading_text(h)
            if t:
                headings.setdefault(t, None)
    heading_list = list(headings)

    quoted: Counter[str] = Counter()
    four: Counter[str] = Counter()
    party: Counter[str] = Counter()
    n_quoted = n_four = 0
    for h in heading_list:
        qs = [q for q in _QUOTED.findall(h) if not _BAD_PHRASE.search(q) and "党建" not in q]
        if qs:
            n_quoted += 1
            quoted.update(qs)
        segs = [s for s in _SEGMENT_SPLIT.split(h) if _HAN4.match(s)]
        segs = [s for s in segs if not _BAD_PHRASE.search(s)]
        if segs:
            n_four += 1
            four.update(segs)
        party.update(x for x in _PARTY_PLUS.findall(h) if not _BAD_PHRASE.search(x))

    bodies = {key: "".join(texts) for key, texts in sections.items()}
    by_level: dict[int, list[int]] = {}
    n_enum = 0
    starts: Counter[str] = Counter()
    for (_, path), body in bodies.items():
        by_level.setdefault(len(path), []).append(len(body))
        if _ENUM.search(body):
            n_enum += 1
        seen = {p for m in _SENTENCE_START.finditer(body) if (p := lead_phrase(m.group(1)))}
        starts.update(seen)

    lengths = [
        LevelLength(
            level=level,
            count=len(vals),
            median=int(statistics.median(vals)),
            p25=_percentile(vals, 0.25),
            p75=_percentile(vals, 0.75),
        )
        for level, vals in sorted(by_level.items())
        if level > 0
    ]
    return StyleProfile(
        source="kb",
        kb=kb,
        documents=len(documents),
        sections=len(bodies),
        headings=len(heading_list),
        quoted_ratio=round(n_quoted / len(heading_list), 3) if heading_list else 0.0,
        quoted_examples=[q for q, _ in quoted.most_common(5)],
        four_char_ratio=round(n_four / len(heading_list), 3) if heading_list else 0.0,
        four_char_examples=[s for s, _ in four.most_common(6)],
        party_plus=[x for x, _ in party.most_common(4)],
        heading_examples=heading_list[:4],
        enumeration_ratio=round(n_enum / len(bodies), 3),
        lengths=lengths,
        openings=_openings(starts, min_count=2 if len(bodies) >= 4 else 1),
    )


_VERBISH = ("v", "vd", "vn", "ad", "d", "i", "l", "a")
_ADVERB = ("d", "ad", "vd")


def lead_phrase(start: str) -> str | None:
    """The stance or verb a sentence opens with: 始终坚持 / 聚焦 / 严格落实 (not subjects like 全年, 职工)."""
    if start.startswith(_SUBJECT_START) or _ENUMERATOR.match(start):
        return None
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter on stderr
    words = list(jieba.posseg.cut(start))[:2]
    if not words or words[0].flag not in _VERBISH or len(words[0].word) < 2:
        return None
    first = words[0].word
    if (
        words[0].flag in _ADVERB
        and len(words) > 1
        and words[1].flag in (*_VERBISH, "j")
        and len(first + words[1].word) <= 4
    ):
        return first + words[1].word
    return first if len(first) <= 4 else None


def _openings(starts: Counter[str], min_count: int, limit: int = 6) -> list[str]:
    """Most frequent sentence-opening phrases; a 2-char phrase is dropped when a 4-char one starts
    with it and is about as frequent (prefer 始终坚持 over 始终)."""
    ranked = sorted(
        (g for g, n in starts.items() if n >= min_count and not _BAD_PHRASE.search(g)),
        key=lambda g: (-starts[g], -len(g), g),
    )
    kept: list[str] = []
    for g in ranked:
        if len(g) == 2 and any(k.startswith(g) and starts[k] * 2 >= starts[g] for k in ranked if len(k) == 4):
            continue
        if any(g.startswith(k) or k.startswith(g) for k in kept):
            continue
        kept.append(g)
        if len(kept) == limit:
            break
    return kept


# Profiles are cached per process by the KB's content fingerprint: the web page drafts many times.
_cache: dict[tuple[str, str], StyleProfile] = {}
_cache_lock = threading.Lock()


def style_profile(settings: Settings, kb: str | None = None) -> StyleProfile:
    """The KB's style profile; the defaults (with a note saying why) when the KB is missing or empty."""
    name = kb or settings.kb
    try:
        from index.store import open_kb

        base = open_kb(settings, name)
        chunks = list(base.iter_chunks())
    except BiganziError as e:
        return default_profile(f"未使用知识库（{e}），使用默认文风")
    if not chunks:
        return default_profile(f"知识库 {name} 为空，使用默认文风")
    fingerprint = hashlib.sha1(
        "\n".join(sorted(f"{c.source}|{len(c.text)}|{'>'.join(c.heading_path)}" for c in chunks)).encode()
    ).hexdigest()
    key = (f"{settings.data_dir}|{name}", fingerprint)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    profile = profile_from_chunks(chunks, kb=name)
    with _cache_lock:
        _cache[key] = profile
    return profile
