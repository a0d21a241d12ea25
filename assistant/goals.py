"""A bureau's goals have a direction: 报销比例 and 满意度 go up, 负担 and 风险 go down.

    backwards("有效降低了医保报销比例。")  → "降低了医保报销比例"
    backwards("切实减轻了群众就医负担。")  → ""

A small model writes an effect the wrong way round now and then ("降低医保报销比例" after a figure
about 待遇). Code cannot judge policy, but it can tell a clause that turns one of these goals round:
the verb and the goal in one clause, the goal closing its noun phrase (提高风险防范能力 is about
能力, not 风险). Used by the scaffolded writer (the clause goes) and by rewrites (a sample that says
what the original did not is rejected).
"""

from __future__ import annotations

import re

_UP = r"提高|提升|增加|增强|扩大|加重|加大|抬高|推高"
_DOWN = r"降低|减少|下降|减轻|压减|削减|缩小|降至|下滑"
# goals a report wants higher, and ones it wants lower (a noun that ends its phrase)
_WANTED = (
    r"报销比例|报销水平|待遇水平|保障水平|满意度|获得感|幸福感|安全感|覆盖率|参保率|就业率|"
    r"结算率|办结率|知晓率|服务质量|服务效率|工作效率"
)
_UNWANTED = r"负担|成本|风险|发生率|事故|投诉|隐患|违法违规|欺诈骗保|失业率|差距"
_END = r"(?=[，。；、！？和及与]|$)"

_BACKWARDS = re.compile(
    rf"(?:{_DOWN})[了着]?[^，。；！？]{{0,10}}?(?:{_WANTED}){_END}"
    rf"|(?:{_UP})[了着]?[^，。；！？]{{0,10}}?(?:{_UNWANTED}){_END}"
)


_GUARDED = re.compile(r"(?:不|未|没有|防止|避免|杜绝|严防|不再|不得)$")


def backwards(text: str) -> str:
    """The first stretch of `text` that moves a goal the wrong way ("" when none does; 不增加群众负担
    and 防止降低待遇水平 say the goal the right way)."""
    for m in _BACKWARDS.finditer(text):
        if not _GUARDED.search(text[max(0, m.start() - 3) : m.start()]):
            return m.group(0)
    return ""
