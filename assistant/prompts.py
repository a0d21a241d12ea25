"""Prompts are Jinja2 files in `prompts/`, rendered by name; a missing variable is an error.

Templates are loaded from the repository's `prompts/` directory (`BIGANZI_PROMPTS_DIR` overrides it,
e.g. to try a wording without touching the code). Rendering is strict: every variable a template
uses must be passed, and the error names the template and the variable.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from core.errors import BiganziError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class PromptError(BiganziError):
    """A prompt template is missing, broken, or was rendered without one of its variables."""


def prompts_dir() -> Path:
    return Path(os.environ.get("BIGANZI_PROMPTS_DIR") or PROMPTS_DIR)


@functools.cache
def _environment(root: str) -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(root, encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text for a model, not HTML
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _file_name(name: str) -> str:
    return name if name.endswith(".jinja") else f"{name}.jinja"


def template_variables(name: str) -> set[str]:
    """Top-level variables a template uses (for checks and docs)."""
    import jinja2.meta

    env = _environment(str(prompts_dir()))
    file_name = _file_name(name)
    try:
        source = env.loader.get_source(env, file_name)[0]
    except Exception as e:
        raise PromptError(f"找不到提示词模板 {file_name}（目录 {prompts_dir()}）") from e
    return set(jinja2.meta.find_undeclared_variables(env.parse(source)))


def render(name: str, /, **variables: Any) -> str:
    """Render `prompts/<name>.jinja`. Raises PromptError naming the template and any missing variable."""
    import jinja2

    env = _environment(str(prompts_dir()))
    file_name = _file_name(name)
    missing = sorted(template_variables(name) - set(variables))
    if missing:
        raise PromptError(f"提示词模板 {file_name} 缺少变量：{', '.join(missing)}")
    try:
        return env.get_template(file_name).render(**variables).strip()
    except jinja2.UndefinedError as e:
        raise PromptError(f"提示词模板 {file_name} 缺少变量：{e.message}") from None
    except jinja2.TemplateError as e:
        raise PromptError(f"提示词模板 {file_name} 有误：{e}") from None
