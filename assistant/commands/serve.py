"""`biganzi serve`: start the writing desk (Gradio page) on this machine or, with a login, the intranet."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from pathlib import Path

import click

from assistant.commands.common import make_settings, settings_options
from core.errors import BiganziError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_auth(auth: str | None, auth_file: Path | None) -> list[tuple[str, str]]:
    """`user:pass` from --auth, or one `user:pass` a line from --auth-file (# comments allowed)."""
    if auth and auth_file:
        raise BiganziError("--auth 与 --auth-file 只能用一个")
    lines: list[tuple[int, str]] = []
    where = "--auth"
    if auth_file:
        where = str(auth_file)
        try:
            text = Path(auth_file).read_text(encoding="utf-8-sig")
        except OSError as e:
            raise BiganziError(f"读不了登录文件 {auth_file}（{e.strerror}），请检查路径") from e
        lines = [(i, ln.strip()) for i, ln in enumerate(text.splitlines(), 1)]
        lines = [(i, ln) for i, ln in lines if ln and not ln.startswith("#")]
        if not lines:
            raise BiganziError(f"登录文件 {auth_file} 里没有账号，每行写一个 用户名:密码")
    elif auth:
        lines = [(1, auth)]
    pairs: list[tuple[str, str]] = []
    for n, line in lines:
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            at = f"第 {n} 行" if auth_file else ""
            raise BiganziError(f"{where}{at}格式不对：应为 用户名:密码（密码不能为空）")
        pairs.append((user.strip(), password))
    return pairs


def check_binding(host: str, auth: list[tuple[str, str]], api_keys: Sequence[str] = ()) -> None:
    """A non-loopback address needs a login (the page) or API keys (the plugin routes only: without
    a login the page still answers only to this machine)."""
    if not auth and not api_keys and not is_loopback(host):
        raise BiganziError(
            f"未设置登录时只能在本机地址（127.0.0.1）提供服务，不能绑定 {host}；"
            "要让内网其他电脑访问，请加 --auth 用户名:密码 或 --auth-file 文件"
            "（只开放插件接口时用 --api-key 密钥）"
        )


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="监听地址；非本机地址须设置登录（网页）或 --api-key（只开放插件接口）",
)
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535), help="端口")
@click.option("--auth", default=None, help="登录账号，格式 用户名:密码")
@click.option(
    "--auth-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="登录账号文件，每行 用户名:密码",
)
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    help="插件接口（/v1、/retrieval、/mcp、/tools）的密钥，可给多个；也可用环境变量 BIGANZI_API_KEYS=k1,k2",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="允许从浏览器调用插件接口的来源，如 http://openwebui.example:8080；也可用 BIGANZI_CORS_ORIGINS",
)
@settings_options
def serve(
    host: str,
    port: int,
    auth: str | None,
    auth_file: Path | None,
    api_keys: tuple[str, ...],
    cors_origins: tuple[str, ...],
    data_dir: Path | None,
    kb: str | None,
) -> None:
    """启动网页写作台（Gradio）与插件接口（OpenAI 兼容 /v1、Dify /retrieval、MCP /mcp、工具服务器 /tools）。
    未设置登录时网页只在本机提供服务；未设置密钥时插件接口只接受本机请求。"""
    accounts = parse_auth(auth, auth_file)
    settings = make_settings(data_dir=data_dir, kb=kb)
    from assistant.plugin.access import split_list

    keys = split_list(api_keys) or split_list(settings.api_keys)
    check_binding(host, accounts, keys)
    from ui.launch import launch

    launch(
        settings,
        host=host,
        port=port,
        auth=accounts,
        api_keys=keys,
        cors_origins=split_list(cors_origins) or split_list(settings.cors_origins),
    )
