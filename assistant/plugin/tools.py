"""笔杆子's tools, written once for every way they are offered: the MCP server (`mcp_server`) and
the OpenAPI tool server at `/tools` (`tool_server`, e.g. an Open WebUI tool server).

Each tool is a plain function whose first parameter is the Settings; the others are typed and
described (in Chinese) with `Annotated[..., Field(description=…)]`, which is where both servers read
their parameter schemas from. `bind(tool, settings)` gives the function a client calls.

No `from __future__ import annotations` here: the servers read these annotations at run time.
"""

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

from core.settings import Settings

KbParam = Annotated[str | None, Field(description="知识库名称；不填用服务启动时的知识库")]


def _kb(settings: Settings, kb: str | None) -> Settings:
    return settings.model_copy(update={"kb": kb.strip()}) if kb and kb.strip() else settings


def search_reports(
    settings: Settings,
    query: Annotated[str, Field(description="要查找的内容，例如“医保基金监管 追回”")],
    k: Annotated[int, Field(ge=1, le=50, description="返回几段")] = 5,
    year: Annotated[int | None, Field(description="只看这一年的材料，例如 2023")] = None,
    genre: Annotated[str | None, Field(description="只看这种文种，例如 工作总结、述职报告")] = None,
    kb: KbParam = None,
) -> list[dict[str, Any]]:
    from index.retrieve import search

    st = _kb(settings, kb)
    hits = search(st, query, k=k, year=year, genre=genre or None, kb=st.kb)
    return [{**h.to_json(), "year": h.year, "genre": h.genre} for h in hits]


def draft_section(
    settings: Settings,
    request: Annotated[str, Field(description="写作要求，例如：起草“综合施策护基金”一段，约300字")],
    figures: Annotated[str, Field(description="今年的数据，每行一条，例如：追回医保基金452.3万元")] = "",
    length: Annotated[
        int | None, Field(ge=20, le=5000, description="字数；不填则按要求里写的字数，否则300")
    ] = None,
    kb: KbParam = None,
) -> str:
    from assistant.draft import draft_section as draft
    from assistant.plugin.openai_api import footer

    st = _kb(settings, kb)
    result = draft(st, request, figures=figures or None, length=length, kb=st.kb)
    return result.text.strip() + footer(result.sources)


def rewrite_text(
    settings: Settings,
    text: Annotated[str, Field(description="要改写的原文")],
    instruction: Annotated[str, Field(description="改写要求，例如：压缩到150字")],
    kb: KbParam = None,
) -> str:
    from assistant.rewrite import rewrite_text as rewrite

    st = _kb(settings, kb)
    result = rewrite(st, text, instruction, kb=st.kb)
    notes = "\n".join(f"（{n}）" for n in result.notes)
    return result.text + (f"\n\n{notes}" if notes else "")


def update_text(
    settings: Settings,
    old_text: Annotated[str, Field(description="去年的段落原文")],
    figures: Annotated[str, Field(description="今年的数据，每行一条，例如：截至2024年11月，参保率99.91％")],
) -> dict[str, Any]:
    from assistant.figures import parse_figures as parse
    from assistant.update import update_text as update
    from core.errors import BiganziError

    facts = parse(figures or "").facts
    if not facts:
        raise BiganziError("没有解析出新数据：请在 figures 里写上今年的数字")
    return update(old_text, facts).to_json()


def check_text(
    settings: Settings, text: Annotated[str, Field(description="要校对的文字")]
) -> list[dict[str, Any]]:
    from assistant.check import CheckOptions
    from assistant.check import check_text as check
    from core.errors import BiganziError

    if not (text or "").strip():
        raise BiganziError("要校对的文字是空的：请在 text 里给出段落")
    return [f.to_dict() for f in check(text, CheckOptions.from_settings(settings))]


def parse_figures(
    settings: Settings, text: Annotated[str, Field(description="今年的数据，表格或每行一句")]
) -> dict[str, Any]:
    from assistant.figures import parse_figures as parse

    return parse(text or "").to_json()


def metric_history(
    settings: Settings,
    metric: Annotated[str | None, Field(description="指标名，例如 参保率；不填列出全部指标")] = None,
    kb: KbParam = None,
) -> list[dict[str, Any]]:
    from assistant.history import metric_history as history

    st = _kb(settings, kb)
    return [r.to_json() for r in history(st, metric or None, kb=st.kb)]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    fn: Callable[..., Any]
    description: str


TOOLS: list[ToolSpec] = [
    ToolSpec(
        "search_reports",
        search_reports,
        "在知识库的往年材料（工作总结、述职报告等）中检索相关段落，返回出处、章节、原文和相关度（0–1）。"
        "起草前先用它看往年怎么写。",
    ),
    ToolSpec(
        "draft_section",
        draft_section,
        "参照知识库里往年的写法起草一段工作总结。今年的数字写在 figures 里（或直接写在要求中），"
        "成稿只用这些数字，无法核实的数字标为【待核实：…】，缺的数据标为【待补充：…】；末尾附参考出处。",
    ),
    ToolSpec(
        "rewrite_text",
        rewrite_text,
        "按要求改写一段文字（压缩、扩写、换个说法、改成述职口吻等），原文中的数字保持不变。",
    ),
    ToolSpec(
        "update_text",
        update_text,
        "套改：把去年的段落中的旧数字换成今年的新数字（不经过模型，逐个替换）；没有新值的旧数字标为【待更新：…】。",
    ),
    ToolSpec(
        "check_text",
        check_text,
        "校对一段公文：标题序号、规范表述（如党的二十大）、数字与单位写法、遗留标记等，"
        "返回每条问题的规则、行、列、原文片段和修改建议。",
    ),
    ToolSpec(
        "parse_figures",
        parse_figures,
        "把粘贴的今年数据（表格或句子）解析成一条条指标：指标名、数值、单位、时点；并列出没能解析的行。",
    ),
    ToolSpec(
        "metric_history",
        metric_history,
        "查知识库往年材料里某个指标的历年数值（数值、时点、出处），用来核对或计算同比。",
    ),
]


def parameters(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    """A tool's client-facing parameters (all but the settings)."""
    return list(inspect.signature(fn).parameters.values())[1:]


def bind(
    fn: Callable[..., Any], settings: Settings, on_error: Callable[[Exception], Exception] | None = None
) -> Any:
    """The tool as a client calls it: keyword arguments only, the settings filled in, the signature
    (and so the schema) without them. `on_error` turns a user error into the server's own kind."""
    from core.errors import BiganziError

    @functools.wraps(fn)
    def call(**kwargs: Any) -> Any:
        try:
            return fn(settings, **kwargs)
        except BiganziError as e:
            if on_error is None:
                raise
            raise on_error(e) from e

    sig = inspect.signature(fn)
    call.__signature__ = sig.replace(parameters=parameters(fn))  # type: ignore[attr-defined]
    del call.__wrapped__  # the schema comes from __signature__, not from the wrapped function
    call.__annotations__ = {p.name: p.annotation for p in parameters(fn)} | {"return": sig.return_annotation}
    return call
