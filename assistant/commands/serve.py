"""`biganzi serve`: start the writing desk (Gradio page) on this machine or, with a login, the intranet."""

from __future__ import annotations

import ipaddress
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


def check_binding(host: str, auth: list[tuple[str, str]]) -> None:
    if not auth and not is_loopback(host):
        raise BiganziError(
            f"未设置登录时只能在本机地址（127.0.0.1）提供服务，不能绑定 {host}；"
            "要让内网其他电脑访问，请加 --auth 用户名:密码 或 --auth-file 文件"
        )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址；非本机地址必须同时设置登录")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535), help="端口")
@click.option("--auth", default=None, help="登录账号，格式 用户名:密码")
@click.option(
    "--auth-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="登录账号文件，每行 用户名:密码",
)
@settings_options
def serve(
    host: str, port: int, auth: str | None, auth_file: Path | None, data_dir: Path | None, kb: str | None
) -> None:
    """启动网页写作台（Gradio）。未设置登录时只在本机 127.0.0.1 上提供服务。"""
    accounts = parse_auth(auth, auth_file)
    check_binding(host, accounts)
    settings = make_settings(data_dir=data_dir, kb=kb)
    from ui.launch import launch

    launch(settings, host=host, port=port, auth=accounts)
