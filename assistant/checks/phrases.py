"""规范表述: set phrases written in full, in their fixed order and word for word. The rules live in
assistant/data/phrases.yaml; the user's `<data_dir>/phrases.yaml` is merged over them by id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.checks.base import CheckOptions, Finding, Severity, TextDoc
from core.errors import BiganziError

# Between two items of one list: separators, quotes and 和/与/及 only ("为指导，践行" is not a list).
_LIST_GAP = re.compile(r"^[\s、，,和与及以“”\"「」『』]*$")


@dataclass(frozen=True)
class OrderItem:
    text: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class PhraseRule:
    id: str
    kind: str  # forbid | order | exact
    severity: Severity
    message: str
    pattern: re.Pattern[str] | None = None
    unless_before: re.Pattern[str] | None = None
    unless_after: re.Pattern[str] | None = None
    replacement: str | None = None
    suggestion: str = ""
    canonical: str = ""
    ignore: str = ""
    name: str = ""
    items: tuple[OrderItem, ...] = ()
    max_gap: int = 6
    words: tuple[tuple[str, str], ...] = ()  # kind "words": (wrong, right)


@dataclass(frozen=True)
class MarkerRule:
    id: str
    pattern: re.Pattern[str]
    message: str
    severity: Severity = "error"
    replacement: str | None = None  # "" = delete it; None = someone has to write the content


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[PhraseRule, ...] = ()
    markers: tuple[MarkerRule, ...] = ()
    sources: tuple[str, ...] = field(default=())


def load_rules(user_file: Path | None = None) -> RuleSet:
    """The bundled rules merged with a user file (by id; `enabled: false` drops a rule)."""
    stamp = user_file.stat().st_mtime_ns if user_file and user_file.is_file() else None
    return _load_rules(str(user_file) if stamp is not None else None, stamp)


@lru_cache(maxsize=8)
def _load_rules(user_file: str | None, _stamp: int | None) -> RuleSet:
    bundled = resources.files("assistant.data").joinpath("phrases.yaml").read_text(encoding="utf-8")
    layers = [("assistant/data/phrases.yaml", _parse_yaml(bundled, "assistant/data/phrases.yaml"))]
    if user_file:
        try:
            text = Path(user_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise BiganziError(
                f"{user_file}：无法读取规范表述文件（{type(e).__name__}），请另存为 UTF-8"
            ) from e
        layers.append((user_file, _parse_yaml(text, user_file)))
    rules: dict[str, dict[str, Any]] = {}
    markers: dict[str, dict[str, Any]] = {}
    for _, data in layers:
        for entry in data.get("rules") or []:
            rules[str(entry.get("id"))] = entry
        for entry in data.get("markers") or []:
            markers[str(entry.get("id"))] = entry
    source = layers[-1][0]
    return RuleSet(
        rules=tuple(_compile_rule(e, source) for e in rules.values() if e.get("enabled", True)),
        markers=tuple(_compile_marker(e, source) for e in markers.values() if e.get("enabled", True)),
        sources=tuple(name for name, _ in layers),
    )


def _parse_yaml(text: str, name: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise BiganziError(f"{name}：规范表述文件格式有误{where}，请检查缩进和引号") from e
    if not isinstance(data, dict):
        raise BiganziError(f"{name}：规范表述文件应包含 rules: 列表")
    for key in ("rules", "markers"):
        entries = data.get(key) or []
        if not isinstance(entries, list) or any(not isinstance(e, dict) or "id" not in e for e in entries):
            raise BiganziError(f"{name}：{key} 应是列表，每条规则都要有 id")
    return data


def _rx(entry: dict[str, Any], key: str, source: str) -> re.Pattern[str] | None:
    value = entry.get(key)
    if value is None:
        return None
    try:
        return re.compile(str(value))
    except re.error as e:
        raise BiganziError(f"{source}：规则 {entry.get('id')} 的 {key} 不是有效的正则表达式（{e}）") from e


def _compile_rule(entry: dict[str, Any], source: str) -> PhraseRule:
    rid = str(entry["id"])
    kind = entry.get("kind", "forbid")
    severity = entry.get("severity", "warning")
    if kind not in ("forbid", "order", "exact", "words") or severity not in ("error", "warning", "info"):
        raise BiganziError(f"{source}：规则 {rid} 的 kind 或 severity 无效（kind: forbid/order/exact/words）")
    message = str(entry.get("message") or "")
    common = {
        "id": rid,
        "kind": kind,
        "severity": severity,
        "message": message,
        "name": str(entry.get("name", "")),
    }
    if kind == "order":
        raw_items = entry.get("items") or []
        items = []
        for it in raw_items:
            if isinstance(it, dict):
                items.append(
                    OrderItem(
                        str(it["text"]), _rx(it, "pattern", source) or re.compile(re.escape(it["text"]))
                    )
                )
            else:
                items.append(OrderItem(str(it), re.compile(re.escape(str(it)))))
        if len(items) < 2:
            raise BiganziError(f"{source}：规则 {rid} 的 items 至少要有两项")
        return PhraseRule(**common, items=tuple(items), max_gap=int(entry.get("max_gap", 6)))
    if kind == "words":
        words = entry.get("words")
        if not isinstance(words, dict) or not words:
            raise BiganziError(f"{source}：规则 {rid} 的 words 应是“错词: 正词”的对照表")
        pairs = tuple(sorted(((str(k), str(v)) for k, v in words.items()), key=lambda kv: -len(kv[0])))
        pattern = re.compile("|".join(re.escape(k) for k, _ in pairs))
        return PhraseRule(**common, pattern=pattern, words=pairs)
    key = "anchor" if kind == "exact" else "pattern"
    pattern = _rx(entry, key, source)
    if pattern is None:
        raise BiganziError(f"{source}：规则 {rid} 缺少 {key}")
    if kind == "exact" and not entry.get("canonical"):
        raise BiganziError(f"{source}：规则 {rid} 缺少 canonical（标准表述）")
    return PhraseRule(
        **common,
        pattern=pattern,
        unless_before=_rx(entry, "unless_before", source),
        unless_after=_rx(entry, "unless_after", source),
        replacement=entry.get("replacement"),
        suggestion=str(entry.get("suggestion") or ""),
        canonical=str(entry.get("canonical") or ""),
        ignore=str(entry.get("ignore") or ""),
    )


def _compile_marker(entry: dict[str, Any], source: str) -> MarkerRule:
    pattern = _rx(entry, "pattern", source)
    if pattern is None:
        raise BiganziError(f"{source}：标记规则 {entry['id']} 缺少 pattern")
    severity = entry.get("severity", "error")
    replacement = entry.get("replacement")
    return MarkerRule(
        str(entry["id"]),
        pattern,
        str(entry.get("message") or "遗留标记"),
        severity,
        None if replacement is None else str(replacement),
    )


# --- running the rules -----------------------------------------------------------------------


def check(doc: TextDoc, opts: CheckOptions) -> Iterator[Finding]:
    ruleset = load_rules(opts.user_phrases)
    for i, line in enumerate(doc.lines):
        if not line.strip():
            continue
        for rule in ruleset.rules:
            if not opts.enabled(rule.id):
                continue
            if rule.kind == "forbid":
                yield from _forbid(doc, i, line, rule)
            elif rule.kind == "exact":
                yield from _exact(doc, i, line, rule)
            elif rule.kind == "words":
                yield from _words(doc, i, line, rule)
            else:
                yield from _order(doc, i, line, rule)


def _forbid(doc: TextDoc, i: int, line: str, rule: PhraseRule) -> Iterator[Finding]:
    assert rule.pattern is not None
    for m in rule.pattern.finditer(line):
        if not m.group(0) or (rule.canonical and m.group(0) == rule.canonical):
            continue
        if rule.unless_before and rule.unless_before.search(line[: m.start()]):
            continue
        if rule.unless_after and rule.unless_after.search(line[m.end() :]):
            continue
        replacement = m.expand(rule.replacement) if rule.replacement is not None else None
        if rule.suggestion:
            suggestion = m.expand(rule.suggestion)
        elif replacement is not None:
            suggestion = f"改为“{replacement}”"
        else:
            suggestion = ""
        yield doc.finding(
            rule.id, rule.severity, i, m.start(), m.end(), m.expand(rule.message), suggestion, replacement
        )


def _words(doc: TextDoc, i: int, line: str, rule: PhraseRule) -> Iterator[Finding]:
    assert rule.pattern is not None
    fixes = dict(rule.words)
    for m in rule.pattern.finditer(line):
        right = fixes[m.group(0)]
        msg = (
            f"{rule.message}：“{m.group(0)}”应为“{right}”" if rule.message else f"“{m.group(0)}”应为“{right}”"
        )
        yield doc.finding(rule.id, rule.severity, i, m.start(), m.end(), msg, f"改为“{right}”", right)


def _exact(doc: TextDoc, i: int, line: str, rule: PhraseRule) -> Iterator[Finding]:
    assert rule.pattern is not None

    def norm(s: str) -> str:
        return "".join(c for c in s if c not in rule.ignore)

    for m in rule.pattern.finditer(line):
        if norm(m.group(0)) == norm(rule.canonical):
            continue
        yield doc.finding(
            rule.id,
            rule.severity,
            i,
            m.start(),
            m.end(),
            rule.message,
            f"改为“{rule.canonical}”",
            rule.canonical,
        )


def _order(doc: TextDoc, i: int, line: str, rule: PhraseRule) -> Iterator[Finding]:
    hits: list[tuple[int, int, int]] = []  # (start, end, canonical index)
    for idx, item in enumerate(rule.items):
        hits.extend((m.start(), m.end(), idx) for m in item.pattern.finditer(line))
    hits.sort()
    # Drop overlaps (an item inside another), then cut into lists of nearby items.
    kept: list[tuple[int, int, int]] = []
    for h in hits:
        if not kept or h[0] >= kept[-1][1]:
            kept.append(h)
    groups: list[list[tuple[int, int, int]]] = []
    for h in kept:
        if groups:
            prev = groups[-1][-1]
            gap = line[prev[1] : h[0]]
            if len(gap) <= rule.max_gap and _LIST_GAP.match(gap):
                groups[-1].append(h)
                continue
        groups.append([h])
    for group in groups:
        order = [g[2] for g in group]
        if len(set(order)) < 2 or len(set(order)) != len(order) or order == sorted(order):
            continue
        start, end = group[0][0], group[-1][1]
        texts = {g[2]: line[g[0] : g[1]] for g in group}
        fixed, pos = [], start
        for slot, idx in zip(group, sorted(order), strict=True):
            fixed.append(line[pos : slot[0]])
            fixed.append(texts[idx])
            pos = slot[1]
        replacement = "".join(fixed)
        yield doc.finding(
            rule.id, rule.severity, i, start, end, rule.message, f"改为“{replacement}”", replacement
        )
