"""今年数据 panel: paste numbers or upload CSV/XLSX → parsed facts in an editable table the user
confirms (confirmed facts are what drafting and 套改 use); computed changes and unparsed lines beside."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from core.errors import BiganziError
from core.settings import Settings
from ui import render
from ui.errors import friendly
from ui.session import DeskSession
from ui.uploads import FIGURE_SUFFIXES, accept_uploads

FACT_HEADERS = ["采用", "指标", "数值（原文写法）", "时间", "原句"]
DERIVED_HEADERS = ["指标", "今年", "上年", "变化"]


@dataclass
class FiguresPanel:
    status: Any  # Markdown: how many facts are confirmed
    table: Any


def fact_rows(parse: Any) -> list[list[Any]]:
    """Rows of the editable table, every fact ticked."""
    return [[True, f.metric, f.text, f.period, f.source] for f in parse.facts]


def _clean(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _ticked(cell: Any) -> bool:
    if isinstance(cell, str):
        return cell.strip().lower() not in ("", "false", "0", "否", "no")
    return bool(cell)


def confirmed_from_rows(rows: list[list[Any]] | None) -> list[dict[str, str]]:
    """Ticked rows with a metric and a value, as plain dicts (what the session keeps)."""
    out = []
    for row in rows or []:
        row = list(row) + [""] * (len(FACT_HEADERS) - len(row))
        use, metric, value, period = row[0], _clean(row[1]), _clean(row[2]), _clean(row[3])
        if _ticked(use) and metric and value:
            out.append({"metric": metric, "text": value, "period": period})
    return out


def facts_text(facts: list[dict[str, str]]) -> str:
    """The confirmed facts as the figures text drafting takes: one `时间，指标数值` sentence a line,
    the value in the user's own written form."""
    lines = []
    for f in facts:
        period = f.get("period", "")
        body = f"{f['metric']}{f['text']}"
        lines.append(f"{period}，{body}" if period else body)
    return "\n".join(lines)


FROM_MESSAGE_MARK = "取自消息："


def message_facts(message: str, confirmed_text: str = "") -> list[Any]:
    """Figures typed in a chat request ("起草……一段，参保率99.91％，约150字。") that are not among the
    confirmed ones: drafting uses them as the user's figures (assistant.request.resolve)."""
    from assistant.request import FROM_MESSAGE, resolve

    if not (message or "").strip():
        return []
    return [f for f in resolve(message, confirmed_text or None).facts if f.origin == FROM_MESSAGE]


def with_message_facts(rows: list[list[Any]] | None, facts: list[Any]) -> list[list[Any]]:
    """The table with the message's figures added (ticked, 原句 marked 取自消息), none twice."""
    out = [list(r) for r in rows or []]
    have = {_clean(r[2]) for r in out if len(r) > 2}
    for f in facts:
        if f.text not in have:
            have.add(f.text)
            out.append([True, f.metric, f.text, f.period, f"{FROM_MESSAGE_MARK}{f.source.strip('，,、 ')}"])
    return out


def message_status(facts: list[Any], confirmed: int) -> str:
    listed = "；".join(f"{f.metric} {f.text}" for f in facts[:6]) + (
        f" 等 {len(facts)} 项" if len(facts) > 6 else ""
    )
    head = f"已确认 {confirmed} 项数据；" if confirmed else ""
    return (
        f"{head}本次消息中的 {len(facts)} 项数据已作为您给的数据用于起草：{listed}。"
        "已列入上表（原句标“取自消息”），点“确认数据”可留作后续起草使用。"
    )


def derived_rows(
    facts: list[Any], settings: Settings | None = None, kb: str | None = None
) -> list[list[str]]:
    """Changes computed in code (同比, 个百分点, 倍): those the user's own figures imply (a metric given
    for two years, 由…提高到…), then this year's figures against the past reports in the knowledge base."""
    from assistant.derive import changes_within

    changes = list(changes_within(facts))
    if settings is not None and facts:
        from assistant.history import changes_from_history
        from core.errors import BiganziError

        with contextlib.suppress(BiganziError):  # no knowledge base yet: the user's own comparisons only
            changes += changes_from_history(settings, facts, kb)
    rows, seen = [], set()
    for d in changes:
        key = (d.metric, d.current)
        if key in seen:
            continue
        seen.add(key)
        rows.append([d.metric, d.current, d.previous, f"{d.text}（{d.basis}）"])
    return rows


def build_figures_panel(settings: Settings, session: Any) -> FiguresPanel:
    import gradio as gr

    gr.Markdown(
        "### 今年数据\n粘贴数字（句子、`指标：数值`、从 Excel 复制的表格）或上传 CSV/XLSX，解析后核对、勾选并**确认**。"
    )
    paste = gr.Textbox(
        label="粘贴数据",
        lines=5,
        placeholder="例：截至2024年11月，检查定点医药机构186家，追回医保基金452.3万元。\n参保率：99.91％",
        elem_id="figures-paste",
    )
    with gr.Row():
        upload = gr.File(
            label=f"或上传 {' / '.join(FIGURE_SUFFIXES)}",
            file_count="single",
            height=120,
            elem_id="figures-upload",
        )
    parse_btn = gr.Button("解析数据", elem_id="figures-parse")
    table = gr.Dataframe(
        headers=FACT_HEADERS,
        datatype=["bool", "str", "str", "str", "str"],
        value=[],
        type="array",
        interactive=True,
        wrap=True,
        label="解析结果（可直接修改；取消勾选则不用）",
        elem_id="figures-table",
        column_widths=["8%", "30%", "20%", "17%", "25%"],
    )
    confirm_btn = gr.Button("确认数据，用于起草", variant="primary", elem_id="figures-confirm")
    status = gr.Markdown("尚未确认数据：起草时不使用今年数据。", elem_id="figures-status")
    derived = gr.HTML(elem_id="figures-derived")
    unparsed = gr.HTML(elem_id="figures-unparsed")

    def _show_parse(parse: Any, s: DeskSession) -> tuple[Any, str, str]:
        rows = fact_rows(parse)
        lines = "".join(f"<li>{render.escape(u)}</li>" for u in parse.unparsed)
        unparsed_html = (
            f'<div class="bgz-errors">未能解析的行（请改写后重新解析，或手工加入表格）：<ul>{lines}</ul></div>'
            if parse.unparsed
            else ""
        )
        der = derived_rows(parse.facts, s.settings(settings), s.kb_name(settings))
        derived_html = "<b>程序计算的变化</b>" + render.table_html(DERIVED_HEADERS, der) if der else ""
        return rows, unparsed_html, derived_html

    @friendly
    def parse_text(text: str, s: DeskSession) -> tuple[Any, ...]:
        from assistant.figures import parse_figures

        if not (text or "").strip():
            raise BiganziError("请先粘贴数据，或上传 CSV/XLSX 文件")
        rows, unparsed_html, derived_html = _show_parse(parse_figures(text), s)
        note = f"解析出 {len(rows)} 项数据，请核对后点“确认数据”。" if rows else "没有解析出数据。"
        return rows, unparsed_html, derived_html, note

    @friendly
    def parse_file(path: str | None, s: DeskSession) -> tuple[Any, ...]:
        from assistant.figures import parse_figures_file

        if not path:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
        st = s.settings(settings)
        checked = accept_uploads(
            [path], st.data_dir / "uploads" / "figures" / s.id, st.data_dir, FIGURE_SUFFIXES, st.max_file_mb
        )
        if not checked.accepted:
            return [], render.messages_html([], checked.messages()), "", "文件未被接受。", None
        rows, unparsed_html, derived_html = _show_parse(parse_figures_file(checked.accepted[0]), s)
        note = f"从 {checked.accepted[0].name} 解析出 {len(rows)} 项数据，请核对后点“确认数据”。"
        return rows, unparsed_html, derived_html, note, None

    @friendly
    def confirm(rows: list[list[Any]] | None, s: DeskSession) -> tuple[Any, ...]:
        s.facts = confirmed_from_rows(rows)
        s.figures_text = facts_text(s.facts)
        if not s.facts:
            return s, "未确认任何数据：起草时不使用今年数据。"
        listed = "；".join(
            f"{f['metric']} {f['text']}" + (f"（{f['period']}）" if f["period"] else "") for f in s.facts[:6]
        )
        more = f" 等 {len(s.facts)} 项" if len(s.facts) > 6 else ""
        return s, f"已确认 {len(s.facts)} 项数据，起草和套改将使用：{listed}{more}"

    parse_btn.click(
        parse_text, [paste, session], [table, unparsed, derived, status], api_visibility="private"
    )
    upload.upload(
        parse_file, [upload, session], [table, unparsed, derived, status, upload], api_visibility="private"
    )
    confirm_btn.click(confirm, [table, session], [session, status], api_visibility="private")
    return FiguresPanel(status=status, table=table)


def show_message_facts(rows: list[list[Any]] | None, s: DeskSession) -> tuple[Any, Any]:
    """After a draft: the figures its message carried, in the table and the status line."""
    import gradio as gr

    from ui.chat import MODE_DRAFT

    last = s.last
    if last is None or last.mode != MODE_DRAFT:
        return gr.skip(), gr.skip()
    facts = message_facts(last.request, s.figures_text)
    if not facts:
        return gr.skip(), gr.skip()
    return with_message_facts(rows, facts), message_status(facts, len(s.facts))
