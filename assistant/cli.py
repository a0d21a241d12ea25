"""`biganzi` command line. Subcommands live in small modules and are imported only when run,
so `biganzi --help` stays instant (no torch, chromadb, llama_cpp or gradio at start-up)."""

from __future__ import annotations

import importlib
import sys

import click

from core.errors import BiganziError

# name -> ("module:attribute", one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": ("assistant.commands.kb:ingest", "把往年材料（txt/docx/pdf/md）导入知识库"),
    "search": ("assistant.commands.kb:search", "在知识库中检索往年段落"),
    "docs": ("assistant.commands.kb:docs", "列出知识库中的文档"),
    "remove": ("assistant.commands.kb:remove", "从知识库删除一篇文档"),
    "kb": ("assistant.commands.kb:kb", "知识库管理：list / delete"),
    "outline": ("assistant.commands.outline:outline", "打印文档的标题结构"),
    "style": ("assistant.commands.draft:style", "从知识库归纳文风画像"),
    "draft": ("assistant.commands.draft:draft", "参照往年写法起草段落"),
    "rewrite": ("assistant.commands.draft:rewrite", "按要求改写一段文字"),
    "chat": ("assistant.commands.draft:chat", "终端多轮对话"),
    "report": ("assistant.commands.report:report", "整篇报告：先列大纲，再逐节写成全文"),
    "figures": ("assistant.commands.figures:figures", "解析今年数据、查看历年指标"),
    "update": ("assistant.commands.figures:update", "套改：用新数据更新旧段落"),
    "check": ("assistant.commands.check:check", "校对：标题序号、规范表述、数字、遗留标记"),
    "export": ("assistant.commands.check:export", "导出符合 GB/T 9704 的 Word 文档"),
    "serve": ("assistant.commands.serve:serve", "启动网页与插件接口（OpenAI 兼容、Dify、MCP）"),
    "mcp": ("assistant.commands.mcp:mcp", "以 MCP（stdio）提供检索、起草等工具"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, short = COMMANDS[cmd_name]
        module_name, attr = target.split(":")
        if ctx.resilient_parsing or "--help" in sys.argv[1:2]:
            # Top-level --help: show the short help without importing anything heavy.
            return click.Command(cmd_name, short_help=short, help=short)
        module = importlib.import_module(module_name)
        return getattr(module, attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """笔杆子 (biganzi)：本地运行的工作总结写作助手。"""


def main() -> None:
    try:
        cli(standalone_mode=False)
    except BiganziError as e:
        click.echo(f"错误：{e}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
