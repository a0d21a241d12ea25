"""`biganzi figures parse | history` and `biganzi update` (套改): flags in, assistant/ calls, table or JSON out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assistant.commands.common import emit_json as _emit_json
from assistant.commands.common import (
    llm_option,
    make_settings,
    read_text_arg,
    settings_options,
    text_table,
)
from core.errors import BiganziError


def _parse(text: str | None, file: Path | None) -> Any:
    from assistant.figures import FigureParse, parse_figures, parse_figures_file

    if text and file:
        raise BiganziError("数据只能给一种：文字或 --figures-file 文件，不要同时给")
    if file is not None:
        return parse_figures_file(file)
    if text is None or not text.strip():
        return FigureParse()
    return parse_figures(text)


@click.group("figures", help="解析今年的数据；查看知识库中往年的指标。")
def figures() -> None:
    pass


@figures.command("parse", help="把数据（句子、“指标：数值”、表格）解析成一条条数据；TEXT 为 - 时读标准输入。")
@click.argument("text", required=False)
@click.option(
    "--file", "file", type=click.Path(path_type=Path), default=None, help="CSV / XLSX / 文本数据文件"
)
@click.option("--compare-kb", "compare_kb", default=None, help="与该知识库中往年的同一指标比较，给出同比")
@click.option("--data-dir", "data_dir", type=click.Path(path_type=Path), default=None, help="数据目录")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON：{facts, unparsed, derived}")
def parse_cmd(
    text: str | None, file: Path | None, compare_kb: str | None, data_dir: Path | None, as_json: bool
) -> None:
    from assistant.derive import changes_within

    if text == "-":
        text = sys.stdin.read()
    if not text and file is None:
        raise BiganziError(
            '请给出要解析的数据，例如：biganzi figures parse "参保率99.91％"，或 --file 数据.xlsx'
        )
    parsed = _parse(text, file)
    derived = changes_within(parsed.facts)
    if compare_kb:
        from assistant.history import changes_from_history

        derived += changes_from_history(make_settings(data_dir, compare_kb), parsed.facts, compare_kb)
    if as_json:
        _emit_json({**parsed.to_json(), "derived": [d.to_json() for d in derived]})
        return
    if parsed.facts:
        rows = [
            [
                f.metric,
                f.text,
                _norm(f),
                f.period or (f"{f.year}年" if f.year else ""),
                f.qualifier.replace("|", "、"),
            ]
            for f in parsed.facts
        ]
        click.echo(text_table(["指标", "数值", "标准值", "时间", "限定"], rows, rule=True))
    else:
        click.echo("没有解析出数据。")
    if derived:
        click.echo("\n可用的比较（代码计算）：")
        for d in derived:
            note = "" if d.comparable else "（时点不同，慎用）"
            click.echo(f"  {d.metric}{d.text}（{d.basis}）{note}")
    if parsed.unparsed:
        click.echo(f"\n未能解析的 {len(parsed.unparsed)} 行（请改写成“指标：数值”）：")
        for line in parsed.unparsed:
            click.echo(f"  {line}")


def _norm(f: Any) -> str:
    unit = {"pp": "个百分点", "%": "%"}.get(f.base, f.base)
    n = format(f.number.normalize(), "f")
    if f.high is not None:
        n += "~" + format(f.high.normalize(), "f")
    return f"{n}{unit}"


@figures.command("history", help="列出知识库往年材料中的指标：指标、数值、时间、文档、段落。")
@settings_options
@click.option("--metric", "metric", default=None, help="只看这个指标，如：参保率、追回医保基金")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON：{kb, metric, rows}")
def history_cmd(data_dir: Path | None, kb: str | None, metric: str | None, as_json: bool) -> None:
    from assistant.history import metric_history

    settings = make_settings(data_dir, kb)
    rows = metric_history(settings, metric, kb)
    if as_json:
        _emit_json({"kb": kb or settings.kb, "metric": metric, "rows": [r.to_json() for r in rows]})
        return
    if not rows:
        what = f"指标“{metric}”" if metric else "任何指标"
        click.echo(f"知识库 {kb or settings.kb} 中没有找到{what}。")
        return
    table = [
        [r.metric, r.value, r.as_of or "", str(r.year or ""), r.document, r.section.split(" > ")[-1][:24]]
        for r in rows
    ]
    click.echo(text_table(["指标", "数值", "时间", "年份", "文档", "段落"], table, rule=True))


@click.command("update", help="套改：用今年的数据替换旧段落中的数字，推进截至日期，没有新值的标【待更新】。")
@settings_options
@click.option("--text", "text_arg", default=None, help="旧段落文件，- 表示从标准输入读入")
@click.option(
    "--from-kb", "from_kb", default=None, help="不给 --text 时：在知识库中检索这段话，用最匹配的段落"
)
@click.option("--figures", "figures_text", default=None, help="今年的数据")
@click.option(
    "--figures-file", "figures_file", type=click.Path(path_type=Path), default=None, help="数据文件"
)
@click.option("--smooth", is_flag=True, help="再用模型润色一次措辞（数字随后重新核对）")
@llm_option(help="润色用的模型后端")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def update(
    data_dir: Path | None,
    kb: str | None,
    text_arg: str | None,
    from_kb: str | None,
    figures_text: str | None,
    figures_file: Path | None,
    smooth: bool,
    llm: str | None,
    as_json: bool,
) -> None:
    from assistant.update import smooth_update, update_text

    if bool(text_arg) == bool(from_kb):
        raise BiganziError("请给出旧段落：--text 文件（- 为标准输入），或 --from-kb “检索词”，二选一")
    parsed = _parse(figures_text, figures_file)
    if not parsed.facts:
        hint = f"；未能解析：{'；'.join(parsed.unparsed[:3])}" if parsed.unparsed else ""
        raise BiganziError(f"没有可用的今年数据：用 --figures “参保率99.91％” 或 --figures-file 给出{hint}")
    settings = make_settings(data_dir, kb, llm=llm)
    source: dict[str, Any] | None = None
    if from_kb:
        from index.retrieve import search

        hits = search(settings, from_kb, k=1, kb=kb)
        if not hits:
            raise BiganziError(f"知识库 {kb or settings.kb} 中没有找到与“{from_kb}”相关的段落")
        old = hits[0].text
        source = {"source": hits[0].source, "section": hits[0].section}
    else:
        old = read_text_arg(text_arg or "-")
    if not old.strip():
        raise BiganziError("旧段落是空的")
    result = update_text(old, parsed.facts)
    figures_report = None
    text = result.text
    if smooth:
        final = smooth_update(settings, old, result)
        text, figures_report = final.text, final.report
    if as_json:
        data = result.to_json()
        data["text"] = text
        data["deterministic_text"] = result.text
        data["unparsed"] = parsed.unparsed
        if source:
            data["source"] = source
        if figures_report is not None:
            data["figures"] = figures_report
        _emit_json(data)
        return
    if source:
        click.echo(click.style(f"［旧段落］{source['source']} > {source['section']}", dim=True), err=True)
    click.echo(text)
    click.echo("")
    figs = [r for r in result.replacements if r.kind != "date"]
    click.echo(
        f"替换 {len(figs)} 个数字，更新 {len(result.replacements) - len(figs)} 处日期；{len(result.stale_marked)} 处没有新值，已标【待更新】。"
    )
    for r in result.replacements:
        click.echo(f"  {r.old} → {r.new}" + (f"（{r.metric}）" if r.metric else ""))
    if result.report.get("unplaced"):
        click.echo(
            "未用上的新数据：" + "、".join(f"{u['metric']}{u['text']}" for u in result.report["unplaced"])
        )
    if parsed.unparsed:
        click.echo("未能解析的数据：" + "；".join(parsed.unparsed))
    if figures_report and figures_report.get("flagged"):
        click.echo("润色后待核实的数字：" + "、".join(f["text"] for f in figures_report["flagged"]))
