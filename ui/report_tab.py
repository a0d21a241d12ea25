"""整篇报告 tab: plan an outline from last year's report or a genre, edit it (rename, add, delete,
reorder, length per section, figures per section), generate every section with a progress bar,
regenerate one section, download .docx and .md. Only calls `assistant.report` and formats it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import BiganziError
from core.settings import Settings
from ui import services
from ui.errors import user_message
from ui.session import DeskSession

BY_GENRE = "（不参照，按文体）"
HEADERS = ["层级", "标题", "字数", "数据", "部分"]
GENRE_CHOICES = ["工作总结", "党建工作总结", "述职报告", "工作思路"]
UPDATE_EVERY_S = 0.4  # streamed text is redrawn at most this often


@dataclass
class ReportTab:
    refresh: Any  # (session) -> values for `outputs`
    outputs: list[Any]


# --- outline <-> table rows --------------------------------------------------------------------


def outline_rows(outline: Any) -> list[list[Any]]:
    from assistant.report.outline import iter_nodes

    return [
        [n.level, n.heading, n.length if n.is_leaf else "", "；".join(n.figures), n.part]
        for n in iter_nodes(outline.nodes)
    ]


def _cell(row: Any, i: int) -> Any:
    return row[i] if i < len(row) else ""


def _rows(value: Any) -> list[list[Any]]:
    """The table's value as plain rows (a DataFrame, a dict with data, or a list)."""
    if value is None:
        return []
    if hasattr(value, "values") and hasattr(value, "columns"):
        return [list(r) for r in value.values.tolist()]
    if isinstance(value, dict):
        return [list(r) for r in value.get("data") or []]
    return [list(r) for r in value]


def rows_outline(rows: Any, title: str, base: dict[str, Any] | None = None) -> Any:
    """Rebuild the outline from the edited table: levels give the tree (a level deeper than its
    predecessor + 1 is lifted), blank headings are dropped, code numbers it again."""
    from assistant.report.outline import Outline, OutlineNode, number_outline

    nodes: list[OutlineNode] = []
    stack: list[OutlineNode] = []
    for row in _rows(rows):
        heading = str(_cell(row, 1) or "").strip()
        if not heading:
            continue
        try:
            level = max(1, min(4, int(float(_cell(row, 0) or 1))))
        except (TypeError, ValueError):
            level = 1
        level = min(level, len(stack) + 1)
        try:
            length = int(float(_cell(row, 2) or 0))
        except (TypeError, ValueError):
            length = 0
        figures = [f.strip() for f in str(_cell(row, 3) or "").replace(";", "；").split("；") if f.strip()]
        part = str(_cell(row, 4) or "").strip() or (stack[0].part if stack and level > 1 else "总结")
        node = OutlineNode(level=level, heading=heading, length=length, figures=figures, part=part)
        stack = stack[: level - 1]
        (stack[-1].children if stack else nodes).append(node)
        stack.append(node)
    if not nodes:
        raise BiganziError("大纲是空的：先点“列大纲”，或在表格中至少写一个标题")
    from assistant.report.outline import iter_leaves

    for _, leaf in iter_leaves(nodes):
        if leaf.length < 50:
            leaf.length = 300
    base = base or {}
    outline = Outline(
        title=title.strip() or str(base.get("title") or ""),
        nodes=nodes,
        genre=str(base.get("genre") or ""),
        like=str(base.get("like") or ""),
        this_year=base.get("this_year"),
        next_year=base.get("next_year"),
        figures_text=str(base.get("figures_text") or ""),
    )
    if not outline.title:
        raise BiganziError("请先填写报告标题")
    number_outline(outline.nodes)
    return outline


def preview_md(outline: Any) -> str:
    from assistant.report.outline import iter_nodes

    lines = []
    for n in iter_nodes(outline.nodes):
        extra = f"（约{n.length}字" + (f"，数据 {len(n.figures)} 项" if n.figures else "") + "）"
        lines.append("&emsp;" * 2 * (n.level - 1) + f"{n.display}{extra if n.is_leaf else ''}")
    return "\n\n".join(lines)


def progress_html(done: int, total: int, eta_s: float | None, label: str = "") -> str:
    pct = int(100 * done / total) if total else 0
    eta = f"，预计还需约 {round(eta_s)} 秒" if eta_s else ""
    text = label or f"第 {min(done + 1, total)}/{total} 节{eta}"
    return (
        f'<div class="bgz-report-progress"><progress max="{total}" value="{done}" style="width:100%">{pct}%'
        f'</progress><div id="report-progress-text">{text}</div></div>'
    )


# --- the tab -------------------------------------------------------------------------------------


def build_report_tab(settings: Settings, session: Any) -> ReportTab:
    import gradio as gr

    gr.Markdown("先列大纲（照去年的报告或按文体），改好后点“生成”，逐节写出整篇报告。")
    with gr.Row():
        title = gr.Textbox(
            label="报告标题",
            placeholder="例如 XX局2024年工作总结和2025年工作思路",
            scale=3,
            elem_id="report-title",
        )
        like = gr.Dropdown(
            label="参照去年的报告", choices=[BY_GENRE], value=BY_GENRE, scale=2, elem_id="report-like"
        )
        genre = gr.Dropdown(
            label="文体", choices=GENRE_CHOICES, value="工作总结", scale=1, elem_id="report-genre"
        )
        length = gr.Number(
            label="全文字数", value=3000, precision=0, minimum=300, scale=1, elem_id="report-length"
        )
    figures = gr.Textbox(
        label="今年的数据（每行一项，例如 参保人数：52.3万人）", lines=3, elem_id="report-figures"
    )
    plan_btn = gr.Button("列大纲", variant="secondary", elem_id="report-plan")
    status = gr.Markdown("", elem_id="report-status")
    plan_state = gr.State(None)  # the planned outline as JSON (evidence, years…)
    with gr.Row():
        with gr.Column(scale=3):
            table = gr.Dataframe(
                headers=HEADERS,
                datatype=["number", "str", "number", "str", "str"],
                value=[],
                interactive=True,
                wrap=True,
                label="大纲（可直接改；层级 1～4，字数只对最末一级有效，数据用“；”分隔）",
                elem_id="report-outline",
            )
            with gr.Row():
                row_no = gr.Number(label="第几行", value=1, precision=0, minimum=1, elem_id="report-row")
                row_heading = gr.Textbox(label="新标题", elem_id="report-row-heading")
                row_level = gr.Number(
                    label="层级", value=2, precision=0, minimum=1, maximum=4, elem_id="report-row-level"
                )
            with gr.Row():
                rename_btn = gr.Button("改名", size="sm", elem_id="report-rename")
                insert_btn = gr.Button("在下方插入", size="sm", elem_id="report-insert")
                delete_btn = gr.Button("删除此行", size="sm", elem_id="report-delete")
                up_btn = gr.Button("上移", size="sm", elem_id="report-up")
                down_btn = gr.Button("下移", size="sm", elem_id="report-down")
        with gr.Column(scale=2):
            preview = gr.Markdown("", elem_id="report-preview")
    with gr.Row():
        gen_btn = gr.Button("生成", variant="primary", elem_id="report-generate")
        section_no = gr.Number(
            label="重写第几节", value=1, precision=0, minimum=1, elem_id="report-section-no"
        )
        redo_btn = gr.Button("重写此节", elem_id="report-redo")
    progress = gr.HTML("", elem_id="report-progress")
    text = gr.Textbox(label="整篇报告", lines=24, max_lines=60, interactive=False, elem_id="report-text")
    files = gr.File(label="下载", file_count="multiple", interactive=False, elem_id="report-files")

    def refresh(s: DeskSession) -> Any:
        try:
            docs = services.kb_documents(s.settings(settings), s.kb_name(settings))
        except Exception:  # a broken or missing KB: plan by genre only
            docs = []
        choices = [BY_GENRE] + [(f"{d.title}（{d.source}）", d.source) for d in docs]
        return gr.update(choices=choices, value=BY_GENRE)

    def plan(t: str, lk: str, g: str, n: Any, figs: str, s: DeskSession) -> tuple[Any, ...]:
        from assistant.report.outline import plan_report

        try:
            outline = plan_report(
                s.settings(settings),
                t,
                kb=s.kb_name(settings),
                like=None if not lk or lk == BY_GENRE else lk,
                genre=g or None,
                length=int(n or 3000),
                figures=figs,
            )
        except BiganziError as e:
            return gr.update(), gr.update(), f"⚠ {user_message(e)}", gr.update()
        note = "；".join(outline.notes)
        msg = f"大纲已列出：{len(outline.leaves())} 节。" + (f"（{note}）" if note else "")
        return outline_rows(outline), preview_md(outline), msg, outline.to_json()

    def edited(rows: Any, t: str, base: Any) -> tuple[Any, Any]:
        try:
            return preview_md(rows_outline(rows, t or "（未填标题）", base)), gr.update()
        except BiganziError as e:
            return gr.update(), f"⚠ {user_message(e)}"

    def row_op(op: str) -> Any:
        def run(rows: Any, no: Any, heading: str, level: Any, t: str, base: Any) -> tuple[Any, ...]:
            data = _rows(rows)
            i = int(no or 1) - 1
            if not 0 <= i < len(data) and not (op == "insert" and not data):
                return gr.update(), gr.update(), f"⚠ 没有第 {i + 1} 行（共 {len(data)} 行）"
            if op == "rename":
                if not heading.strip():
                    return gr.update(), gr.update(), "⚠ 请先填写新标题"
                data[i][1] = heading.strip()
            elif op == "insert":
                lvl = int(level or 2)
                data.insert(
                    i + 1 if data else 0,
                    [lvl, heading.strip() or "新的一节", 300, "", data[i][4] if data else "总结"],
                )
            elif op == "delete":
                data.pop(i)
            elif op == "up" and i > 0:
                data[i - 1], data[i] = data[i], data[i - 1]
            elif op == "down" and i + 1 < len(data):
                data[i + 1], data[i] = data[i], data[i + 1]
            try:
                shown = preview_md(rows_outline(data, t or "（未填标题）", base)) if data else ""
            except BiganziError as e:
                return data, gr.update(), f"⚠ {user_message(e)}"
            return data, shown, ""

        return run

    def generate(rows: Any, t: str, base: Any, redo: Any, s: DeskSession) -> Iterator[tuple[Any, ...]]:
        from assistant.report.write import export_report, stream_report

        try:
            outline = rows_outline(rows, t, base)
        except BiganziError as e:
            yield gr.update(), gr.update(), gr.update(), f"⚠ {user_message(e)}"
            return
        n = len(outline.leaves())
        redo_list = []
        if redo is not None:
            k = int(redo)
            if not 1 <= k <= n:
                yield gr.update(), gr.update(), gr.update(), f"⚠ 没有第 {k} 节（共 {n} 节）"
                return
            redo_list = [k - 1]
        cfg = s.settings(settings)
        bodies: dict[int, str] = {}
        current = ""
        done = 0
        eta: float | None = None
        last = 0.0
        yield progress_html(0, n, None, f"准备生成，共 {n} 节…"), gr.update(), gr.update(), ""
        try:
            for ev in stream_report(cfg, outline, kb=s.kb_name(settings), redo=redo_list):
                if ev.kind == "section_start":
                    current, eta = "", ev.eta_s
                    yield (
                        progress_html(done, n, eta),
                        _assemble(outline, bodies, ev.index, ""),
                        gr.update(),
                        "",
                    )
                elif ev.kind == "token":
                    current += ev.text
                    if time.monotonic() - last >= UPDATE_EVERY_S:
                        last = time.monotonic()
                        yield gr.update(), _assemble(outline, bodies, ev.index, current), gr.update(), ""
                elif ev.kind == "info" and ev.restart:
                    current = ""
                elif ev.kind == "section_done" and ev.section is not None:
                    bodies[ev.index] = ev.section.text
                    done += 1
                    yield progress_html(done, n, eta), _assemble(outline, bodies, -1, ""), gr.update(), ""
                elif ev.kind == "done" and ev.result is not None:
                    folder = services.exports_dir(s.id)
                    folder.mkdir(parents=True, exist_ok=True)
                    stem = _stem(outline.title)
                    paths = export_report(ev.result, folder / f"{stem}.docx", folder / f"{stem}.md")
                    secs = ev.result.timings["total_s"]
                    label = f"全部 {n} 节已完成，用时 {secs} 秒"
                    yield progress_html(n, n, None, label), ev.result.text, [str(p) for p in paths], label
        except BiganziError as e:
            yield gr.update(), gr.update(), gr.update(), f"⚠ {user_message(e)}"

    plan_btn.click(
        plan,
        [title, like, genre, length, figures, session],
        [table, preview, status, plan_state],
        api_visibility="private",
    )
    table.input(edited, [table, title, plan_state], [preview, status], api_visibility="private")
    row_inputs = [table, row_no, row_heading, row_level, title, plan_state]
    for btn, op in (
        (rename_btn, "rename"),
        (insert_btn, "insert"),
        (delete_btn, "delete"),
        (up_btn, "up"),
        (down_btn, "down"),
    ):
        btn.click(row_op(op), row_inputs, [table, preview, status], api_visibility="private")
    none = gr.State(None)
    gen_btn.click(
        generate,
        [table, title, plan_state, none, session],
        [progress, text, files, status],
        api_visibility="private",
    )
    redo_btn.click(
        generate,
        [table, title, plan_state, section_no, session],
        [progress, text, files, status],
        api_visibility="private",
    )
    return ReportTab(refresh=refresh, outputs=[like])


def _assemble(outline: Any, bodies: dict[int, str], streaming: int, current: str) -> str:
    """The report as far as it is written: every written section, the one being written streaming."""
    from assistant.report.write import SectionResult, report_text

    shown = dict(bodies)
    if streaming >= 0:
        shown[streaming] = current + "▌"
    upto = max(shown) if shown else -1
    sections = [SectionResult(index=i, path=[], heading="", text=shown.get(i, "")) for i in range(upto + 1)]
    text = report_text(outline, sections)
    # cut after the last section shown so far (the rest of the outline is not written yet)
    if upto >= 0 and shown.get(upto):
        end = text.find(shown[upto])
        if end >= 0:
            return text[: end + len(shown[upto])]
    return text


def _stem(title: str) -> str:
    keep = "".join(c for c in title if c.isalnum() or c in "-_（）()")
    return (keep or "整篇报告")[:40]


def exports_path(session_id: str) -> Path:
    return services.exports_dir(session_id)
