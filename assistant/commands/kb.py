"""Knowledge-base commands: ingest, search, docs, remove, kb list|delete.

Heavy modules (chromadb, jieba, the embedder) are imported inside the commands, never at import time.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import click

from assistant.commands.common import emit_json as _json
from assistant.commands.common import make_settings, settings_options, text_table

_KINDS = ["成绩", "问题", "原因", "打算", "other"]


def _embedder_option(f: Any) -> Any:
    return click.option(
        "--embedder",
        default=None,
        metavar="SPEC",
        help="嵌入模型：e5-small（默认）| sentence-transformers:<名称或路径> | fake",
    )(f)


# --- ingest ------------------------------------------------------------------------------------------


@click.command(help="把往年材料（txt/docx/pdf/md，文件或文件夹，递归）导入知识库。")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@settings_options
@_embedder_option
@click.option("-q", "--quiet", is_flag=True, help="不显示进度条和逐个文件的提示")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出导入结果")
def ingest(
    paths: tuple[Path, ...],
    data_dir: Path | None,
    kb: str | None,
    embedder: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    from index.ingest import IngestInterrupted, ingest_paths

    settings = make_settings(data_dir, kb, embedder=embedder)
    bar = None
    if not quiet and not as_json and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, unit="份", desc="导入", file=sys.stderr, leave=False, dynamic_ncols=True)

    def progress(done: int, total: int, path: str) -> None:
        if bar is not None:
            bar.total = total
            bar.set_postfix_str(Path(path).name[:30], refresh=False)
            bar.update(done - bar.n)

    try:
        report = ingest_paths(settings, paths, progress=progress)
    except IngestInterrupted as e:
        if bar is not None:
            bar.close()
        r = e.report
        done = len(r.added) + len(r.replaced)
        click.echo(
            f"已中断：已完整导入 {done} 篇，未完成的文档没有写入知识库 {r.kb}；重新运行同一命令即可继续。",
            err=True,
        )
        sys.exit(130)
    finally:
        if bar is not None:
            bar.close()
    if report.added or report.replaced:
        from index.retrieve import prepare_search

        # Paid once here, so the next new process's first search does not build these itself.
        prepare_search(settings, report.kb)

    if as_json:
        _json(report.to_json())
    else:
        for o in report.errors:
            click.echo(f"  ✗ {o.message}", err=True)
        if not quiet:
            for o in report.duplicates:
                click.echo(f"  = {o.name} 与已导入的 {o.duplicate_source} 内容相同，未重复存储")
            for o in report.near_duplicates:
                click.echo(f"  ≈ {o.name} 与 {o.duplicate_source} 几乎相同（已记录，检索时合并）")
            for o in report.replaced:
                click.echo(f"  ↻ {o.name} 内容有变，已替换旧版本")
        click.echo(f"{report.summary()}（{report.chars} 字，{report.seconds:.1f} 秒）")
    if report.errors:
        sys.exit(1)


# --- search ------------------------------------------------------------------------------------------


@click.command(help="在知识库中检索往年段落（向量 + 关键词混合检索）。")
@click.argument("query")
@settings_options
@_embedder_option
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 100), help="返回段落数")
@click.option("--year", type=int, default=None, help="只看某一年的材料")
@click.option("--genre", default=None, help="只看某一文种，如 工作总结、党建工作总结、述职报告")
@click.option("--kind", type=click.Choice(_KINDS), default=None, help="只看某类章节")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def search(
    query: str,
    data_dir: Path | None,
    kb: str | None,
    embedder: str | None,
    k: int,
    year: int | None,
    genre: str | None,
    kind: str | None,
    as_json: bool,
) -> None:
    from index.retrieve import search as run_search

    settings = make_settings(data_dir, kb, embedder=embedder)
    hits = run_search(settings, query, k=k, year=year, genre=genre, section_kind=kind)
    if as_json:
        _json([h.to_json() for h in hits])
        return
    if not hits:
        click.echo("没有找到相关段落。")
        return
    for i, h in enumerate(hits, 1):
        head = f"[{i}] {h.score:.3f}  {h.source}"
        if h.title and h.title != Path(h.source).stem:
            head += f" · {h.title}"
        click.echo(click.style(head, bold=True))
        if h.section:
            click.echo(f"    {h.section}")
        click.echo(textwrap.indent(h.text, "    ") + "\n")


# --- docs / remove -----------------------------------------------------------------------------------


@click.command(help="列出知识库中的文档。")
@settings_options
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def docs(data_dir: Path | None, kb: str | None, as_json: bool) -> None:
    from index.store import open_kb

    settings = make_settings(data_dir, kb)
    with open_kb(settings) as base:
        records = base.documents()
    if as_json:
        _json([d.to_json() for d in records])
        return
    if not records:
        click.echo(f"知识库 {base.name} 中还没有文档。")
        return
    by_id = {d.doc_id: d for d in records}
    rows = []
    for d in records:
        title = d.title
        if d.duplicate_of:
            other = by_id.get(d.duplicate_of)
            title += f"（≈{other.source if other else d.duplicate_of[:10]}）"
        rows.append([d.doc_id[:10], d.source, title, str(d.year or ""), d.genre or "", str(d.n_chunks)])
    click.echo(text_table(["编号", "文件", "标题", "年份", "文种", "段落"], rows, [10, 32, 40, 4, 12, 6]))
    click.echo(f"共 {len(records)} 篇，{sum(d.n_chunks for d in records)} 个段落（知识库 {base.name}）")


@click.command(help="从知识库删除一篇文档（按编号前缀或文件名）。")
@click.argument("doc")
@settings_options
def remove(doc: str, data_dir: Path | None, kb: str | None) -> None:
    from index.store import open_kb

    settings = make_settings(data_dir, kb)
    with open_kb(settings) as base, base.writing():
        record = base.remove(doc)
    click.echo(
        f"已删除 {record.source}（{record.doc_id[:10]}，{record.n_chunks} 个段落），知识库 {base.name}"
    )


# --- kb list / delete --------------------------------------------------------------------------------


@click.group(help="知识库管理：list / delete。")
def kb() -> None:
    pass


def _data_dir_option(f: Any) -> Any:
    return click.option(
        "--data-dir", "data_dir", type=click.Path(path_type=Path), default=None, help="数据目录"
    )(f)


@kb.command("list", help="列出所有知识库。")
@_data_dir_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def kb_list(data_dir: Path | None, as_json: bool) -> None:
    from index.store import list_kbs

    settings = make_settings(data_dir)
    infos = list_kbs(settings)
    if as_json:
        _json([i.to_json() for i in infos])
        return
    if not infos:
        click.echo(f"还没有知识库（数据目录 {settings.data_dir}）；用 biganzi ingest 文件夹 --kb 名称 创建。")
        return
    rows = [
        [i.name, str(i.documents), str(i.chunks), i.embedder, i.created_at.replace("T", " ")] for i in infos
    ]
    click.echo(text_table(["名称", "文档", "段落", "嵌入模型", "创建时间"], rows, [24, 6, 8, 40, 19]))


@kb.command("delete", help="删除一个知识库（文档、索引和向量）。")
@click.argument("name")
@_data_dir_option
@click.option("-y", "--yes", is_flag=True, help="不再确认")
def kb_delete(name: str, data_dir: Path | None, yes: bool) -> None:
    from core.errors import BiganziError
    from index.store import delete_kb, list_kbs

    settings = make_settings(data_dir)
    info = next((i for i in list_kbs(settings) if i.name == name), None)
    if info is None:
        raise BiganziError(f"知识库 {name} 不存在；用 biganzi kb list 查看现有知识库")
    if not yes:
        click.confirm(
            f"删除知识库 {name}（{info.documents} 篇文档，{info.chunks} 个段落）？此操作不可恢复", abort=True
        )
    delete_kb(settings, name)
    click.echo(f"已删除知识库 {name}")
