"""The model flags every command shares: one list of backends (assistant.llm.REGISTRY) behind every
`--llm`, and the same --llm/--model-path pair wherever a command takes them."""

from __future__ import annotations

import importlib

import click
import pytest
from click.testing import CliRunner

from assistant.cli import COMMANDS, cli
from assistant.llm import REGISTRY


def _commands() -> list[tuple[str, click.Command]]:
    """Every command and subcommand behind `biganzi`, by its full name."""
    out: list[tuple[str, click.Command]] = []
    for name, (target, _) in COMMANDS.items():
        module_name, attr = target.split(":")
        cmd = getattr(importlib.import_module(module_name), attr)
        out.append((name, cmd))
        if isinstance(cmd, click.Group):
            out.extend((f"{name} {sub}", c) for sub, c in cmd.commands.items())
    return out


def _with_llm() -> list[tuple[str, click.Command]]:
    return [(n, c) for n, c in _commands() if any(p.name == "llm" for p in c.params)]


def test_the_commands_that_take_a_model_are_found() -> None:
    names = {n for n, _ in _with_llm()}
    assert {"draft", "rewrite", "chat", "report", "report plan", "update"} <= names


@pytest.mark.parametrize("backend", list(REGISTRY))
def test_every_llm_flag_accepts_every_registered_backend(backend: str) -> None:
    for name, cmd in _with_llm():
        required = ["--request", "x"] if name == "draft" else []
        required += ["--text", "-", "--instruction", "x"] if name == "rewrite" else []
        ctx = cmd.make_context(name, ["--llm", backend, *required])  # parses, runs nothing
        assert ctx.params["llm"] == backend, name


def test_llm_choices_are_the_registry_and_unknown_is_refused() -> None:
    for name, cmd in _with_llm():
        (llm,) = [p for p in cmd.params if p.name == "llm"]
        assert isinstance(llm.type, click.Choice)
        assert list(llm.type.choices) == list(REGISTRY), name
        with pytest.raises(click.BadParameter):
            cmd.make_context(name, ["--llm", "no-such-backend"])


def test_model_path_goes_with_llm_except_in_update() -> None:
    """--model-path everywhere a model writes; `update --smooth` only picks the backend."""
    for name, cmd in _with_llm():
        has_path = any(p.name == "model_path" for p in cmd.params)
        assert has_path == (name != "update"), name


@pytest.mark.parametrize("args", [["report"], ["report", "plan"], ["draft"], ["update"]])
def test_help_lists_local_inproc(args: list[str]) -> None:
    res = CliRunner().invoke(cli, [*args, "--help"])
    assert res.exit_code == 0, res.output
    assert "local-inproc" in res.output


def test_report_takes_local_inproc_and_the_model_path() -> None:
    cmd = dict(_commands())["report"]
    ctx = cmd.make_context("report", ["--llm", "local-inproc", "--model-path", "m.gguf"])
    assert ctx.params["llm"] == "local-inproc"
    assert str(ctx.params["model_path"]) == "m.gguf"


def test_text_table_lines_up_chinese_and_cuts_to_max_widths() -> None:
    from assistant.commands.common import text_table

    rows = [["参保率", "99.91%"], ["追回医保基金", "452.3万元"]]
    assert text_table(["指标", "数值"], rows, rule=True).splitlines() == [
        "指标          数值",
        "------------  ---------",
        "参保率        99.91%",
        "追回医保基金  452.3万元",
    ]
    assert text_table(["指标", "数值"], rows, [6, 20]).splitlines() == [
        "指标    数值",
        "参保率  99.91%",
        "追回…   452.3万元",
    ]
