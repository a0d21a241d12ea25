"""Leftovers that must not leave the office: anonymisation placeholders (XX局, X次, *人), 【待补充】
markers, scraping markers (##paidbegin##), template variables, a sentence or paragraph written
twice, and paragraphs too long to read."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.checks.base import CheckOptions, Finding, TextDoc
from assistant.checks.phrases import load_rules

# XX, XXXX, ××, ＸＸ, 某某, ○○ — anything that stands for a name or a number.
_MULTI = re.compile(r"(?<![A-Za-z])(?:[XxＸｘ×]{2,}|某某|○○+)(?![A-Za-z])")
# A single X standing for a number or a name: X局, X次, 共X人, X月份.
_SINGLE_X = re.compile(r"(?<![A-Za-z0-9])[XＸ](?![A-Za-z0-9Ｘ])")
_X_WORDS = ("X光", "X线", "X射线", "X型", "X形", "X轴", "X染色体", "X片")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Asterisks standing for numbers or names (*次, *余人, *%, *医院); markdown emphasis and bullets
# are masked first.
_STARS = re.compile(r"\*+")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_BULLET = re.compile(r"^\s*\*\s+")

_SENTENCE = re.compile(r"[^。！？；!?;]+[。！？；!?;]?")
_SPACE = re.compile(r"[\s\u3000]+")
_PUNCT_EDGE = "，。！？；：、,.!?;:“”\"'‘’（）()《》 "


def check(doc: TextDoc, opts: CheckOptions) -> Iterator[Finding]:
    if opts.enabled("leftover.placeholder"):
        yield from _placeholders(doc)
    ruleset = load_rules(opts.user_phrases)
    for i, line in enumerate(doc.lines):
        for rule in ruleset.markers:
            if not opts.enabled(rule.id):
                continue
            for m in rule.pattern.finditer(line):
                hint = "删除" if rule.replacement == "" else "补全内容后删除标记"
                yield doc.finding(
                    rule.id, rule.severity, i, m.start(), m.end(), rule.message, hint, rule.replacement
                )
    if opts.enabled("leftover.duplicate"):
        yield from _duplicates(doc, opts.min_repeat_chars)
    if opts.enabled("leftover.long_paragraph") and opts.max_paragraph_chars > 0:
        yield from _long_paragraphs(doc, opts.max_paragraph_chars)


def _placeholders(doc: TextDoc) -> Iterator[Finding]:
    for i, line in enumerate(doc.lines):
        spans: list[tuple[int, int]] = [m.span() for m in _MULTI.finditer(line)]
        for m in _SINGLE_X.finditer(line):
            near = line[max(0, m.start() - 1) : m.end() + 1]
            if any(line.startswith(w, m.start()) for w in _X_WORDS) or not _CJK.search(near):
                continue
            spans.append(m.span())
        masked = _MD_BULLET.sub(lambda b: " " * len(b.group(0)), line)
        masked = _MD_STRONG.sub(lambda s: " " * len(s.group(1)) + s.group(2) + " " * len(s.group(1)), masked)
        for m in _STARS.finditer(masked):
            spans.append(m.span())
        for start, end in sorted(spans):
            yield doc.finding(
                "leftover.placeholder",
                "error",
                i,
                start,
                end,
                f"留有匿名化占位符“{line[start:end]}”",
                "替换为实际的名称或数字",
            )


def _norm(sentence: str) -> str:
    return _SPACE.sub("", sentence).strip(_PUNCT_EDGE)


def _duplicates(doc: TextDoc, min_chars: int) -> Iterator[Finding]:
    """A paragraph written twice is one finding; otherwise each repeated sentence is one."""
    seen_lines: dict[str, int] = {}
    seen_sentences: dict[str, int] = {}
    for i, line in enumerate(doc.lines):
        h = doc.headings.get(i)
        start_at = h.text_end if h is not None else 0
        whole = _norm(line[start_at:])
        if len(whole) >= min_chars and whole in seen_lines:
            first = seen_lines[whole]
            yield doc.finding(
                "leftover.duplicate",
                "warning",
                i,
                start_at,
                len(line.rstrip()),
                f"这一段与第{first + 1}行重复",
                "删去重复的段落",
                "",
            )
            continue
        if len(whole) >= min_chars:
            seen_lines.setdefault(whole, i)
        for m in _SENTENCE.finditer(line, start_at):
            key = _norm(m.group(0))
            if len(key) < min_chars:
                continue
            if key in seen_sentences:
                first = seen_sentences[key]
                where = "本段前文" if first == i else f"第{first + 1}行"
                yield doc.finding(
                    "leftover.duplicate",
                    "warning",
                    i,
                    m.start(),
                    m.end(),
                    f"这句话与{where}重复",
                    "删去或改写重复的句子",
                    "",
                )
            else:
                seen_sentences[key] = i


def _long_paragraphs(doc: TextDoc, limit: int) -> Iterator[Finding]:
    for i, line in enumerate(doc.lines):
        n = len(_SPACE.sub("", line))
        if n > limit:
            yield doc.finding(
                "leftover.long_paragraph",
                "info",
                i,
                0,
                min(len(line), 12),
                f"段落过长（{n}字，上限{limit}字），不便阅读",
                "在层次转换处拆分成两段或更多段",
            )
