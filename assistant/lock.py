"""Lock the user's figures into a draft.

`lock(facts)` builds the figures block for the prompt. Two modes:
- "verbatim" (default): the model is told to copy each figure exactly; `finalize` repairs whatever it
  did not (wrong width or scale, a dropped 余, a stale number where the metric is named, a figure left out).
- "placeholder": each figure gets a token like 〔数1〕 that the model writes instead of the number;
  `finalize` substitutes the user's written form back (`restore_partial` does it while streaming).

Either way `assistant.trace.finalize` is the guarantee: it checks every number of the final text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.derive import DerivedFigure, changes_within
from assistant.figures import Fact
from assistant.numbers import to_halfwidth

Mode = Literal["verbatim", "placeholder"]
TOKEN = "〔数{n}〕"
# Also the variants small models produce: [数1], 【数1】, (数 1), ｛数1｝, full-width digits.
_TOKEN_RE = re.compile(r"[〔\[【{｛（(]\s*数\s*([0-9０-９]{1,3})\s*[〕\]】}｝）)]")
_PARTIAL_RE = re.compile(r"[〔\[【{｛（(]\s*(?:数\s*[0-9０-９]{0,3}\s*)?$")


@dataclass
class LockedFigures:
    facts: list[Fact]
    derived: list[DerivedFigure] = field(default_factory=list)
    mode: Mode = "verbatim"
    tokens: dict[str, Fact] = field(default_factory=dict)  # "〔数1〕" -> fact (placeholder mode)
    needed: list[str] = field(default_factory=list)  # metrics the section needs that the user did not give
    prompt_block: str = ""

    @property
    def required(self) -> list[Fact]:
        return list(self.facts)

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "facts": [f.to_json() for f in self.facts],
            "derived": [d.to_json() for d in self.derived],
            "tokens": {t: f.text for t, f in self.tokens.items()},
            "needed": list(self.needed),
        }


def _line(f: Fact, shared_period: str) -> str:
    """A natural clause ("检查定点医药机构186家"), so that a model copying the line still writes prose;
    the as-of date is said once for the block unless the figures differ in it."""
    when = f"（{f.period}）" if f.period and f.period != shared_period and f.period not in f.metric else ""
    joiner = "为" if f.base in ("%", "pp") and not f.metric.endswith(("为", "达")) else ""
    return f"{f.metric}{joiner}{f.text}{when}"


def _shared_period(facts: Sequence[Fact]) -> str:
    periods = {f.period for f in facts}
    return next(iter(periods)) if len(periods) == 1 else ""


# Lines of the block that are instructions, not content: a model that echoes them gets them removed.
INSTRUCTION_PREFIXES = (
    "【本段必须使用的数据】",
    "【已算好的比较】",
    "【缺少的数据】",
    "【数据】",
    "写法示例：",
    "（时间：",
)


def lock(
    facts: Iterable[Fact],
    derived: Sequence[DerivedFigure] | None = None,
    mode: Mode = "verbatim",
    needed: Iterable[str] = (),
) -> LockedFigures:
    """Facts (and figures computed from them) -> the prompt's figures block and what finalize checks.

    `derived=None` computes the changes the facts imply themselves (由…提高到…, two years of one metric)."""
    fs = list(facts)
    ds = list(changes_within(fs) if derived is None else derived)
    given = {f.metric for f in fs}
    need = [m for m in dict.fromkeys(needed) if m and m not in given]
    tokens: dict[str, Fact] = {}
    lines: list[str] = []
    shared = _shared_period(fs)
    if fs and mode == "placeholder":
        lines.append(
            "【本段必须使用的数据】写到下列数据时，只写它的编号（如〔数1〕），不要写数字和单位，"
            "编号会被自动替换为准确的数值和单位。每个编号都要用到。除此之外不要写任何数字，"
            "往年材料中的数字一律不得使用。"
        )
        for i, f in enumerate(fs, 1):
            tok = TOKEN.format(n=i)
            tokens[tok] = f
            when = f"，{f.period}" if f.period and f.period != shared else ""
            lines.append(f"{tok} = {f.text}（{f.metric}{when}）")
        first = fs[0]
        lines.append(f"写法示例：{first.metric}达{next(iter(tokens))}。")
    elif fs:
        lines.append(
            "【本段必须使用的数据】下列数据要逐字照抄（数值、单位、“余”“以上”等字样都不改动，不换算），"
            "一个不漏。除这些数据外不要写任何数字，往年材料中的数字一律不得使用。"
        )
        lines.extend(f"{i}. {_line(f, shared)}" for i, f in enumerate(fs, 1))
    if fs and shared:
        lines.append(f"（时间：{shared}）")
    if ds:
        lines.append("【已算好的比较】如需比较，只能用这些说法：")
        lines.extend(f"- {d.metric}{d.text}（{d.basis}）" for d in ds)
    if need:
        lines.append(
            "【缺少的数据】以下指标没有提供今年的数值，提到时写“【待补充：指标名】”，不要编造："
            + "、".join(need)
        )
    if not fs and not need:
        lines.append("【数据】没有提供今年的数据：不要写任何具体数字，需要数字处写“【待补充：指标名】”。")
    return LockedFigures(
        facts=fs, derived=ds, mode=mode, tokens=tokens, needed=need, prompt_block="\n".join(lines)
    )


def _token_key(m: re.Match[str]) -> str:
    return TOKEN.format(n=int(to_halfwidth(m.group(1))))


def substitute(text: str, locked: LockedFigures) -> tuple[str, list[str]]:
    """Placeholders -> the user's written figures. Unknown tokens become 【待核实：…】 and are returned.

    A unit the model repeated after a token ("〔数1〕％", "〔数2〕万人") is dropped, so the unit appears once."""
    unknown: list[str] = []
    out: list[str] = []
    pos = 0
    for m in _TOKEN_RE.finditer(text):
        out.append(text[pos : m.start()])
        fact = locked.tokens.get(_token_key(m))
        pos = m.end()
        if fact is None:
            unknown.append(m.group(0))
            out.append(f"【待核实：{m.group(0)}】")
            continue
        out.append(fact.text)
        pos += _repeated_unit(text, pos, fact)
    out.append(text[pos:])
    return "".join(out), unknown


def _repeated_unit(text: str, pos: int, fact: Fact) -> int:
    """Length of a unit (or qualifier + unit) written again right after a substituted token."""
    tail = to_halfwidth(text[pos : pos + 8])
    unit = to_halfwidth(fact.unit)
    cands = [c for c in {unit, unit[-1:] if unit else "", to_halfwidth(fact.qualifier.split("|")[-1])} if c]
    if fact.qualifier and unit:
        cands.append(to_halfwidth(fact.qualifier.split("|")[-1]) + unit)
    for c in sorted(cands, key=len, reverse=True):
        if tail.startswith(c) and to_halfwidth(fact.text).endswith(c):
            return len(c)
    return 0


def restore_partial(text: str, locked: LockedFigures) -> str:
    """For streaming: substitute complete placeholders and hold back a token still being written."""
    if not locked.tokens:
        return text
    m = _PARTIAL_RE.search(text[-8:])
    cut = len(text) - (len(text[-8:]) - m.start()) if m else len(text)
    done, _ = substitute(text[:cut], locked)
    return done


def finalize(raw_text: str, locked: LockedFigures, exemplars: Iterable[Any] = (), request: str = "") -> Any:
    """See assistant.trace.finalize (kept importable from here for the draft pipeline)."""
    from assistant.trace import finalize as _finalize

    return _finalize(raw_text, locked, exemplars, request)
