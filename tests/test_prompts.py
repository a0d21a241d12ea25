"""Prompt files: rendered by name, strict about variables, stable system prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.prompts import PROMPTS_DIR, PromptError, render, template_variables
from assistant.style import default_profile


def test_all_prompt_files_render_with_their_variables() -> None:
    samples = {
        "style": "文风",
        "request": "起草“护基金”一段",
        "figures": "追回医保基金452.3万元",
        "figures_locked": False,
        "length": 200,
        "items": 2,
        "exemplars": [{"heading": "综合施策护基金", "text": "一是……"}],
        "text": "原文98.5％。",
        "instruction": "更正式",
        "numbers": ["98.5"],
        "missing": ["98.5"],
        "tail": "追回医保",
        "have": 80,
        # a planned draft's part
        "theme": "综合施策护基金",
        "genre": "工作总结",
        "total": 300,
        "outline": "开头一句；一是检查定点医药机构；二是追回医保基金",
        "voice": "",
        "future": False,
        "part": "一是",
        "focus": "检查定点医药机构",
        "how": "先写做法，再写成效，",
        "sentences": "两句话",
        # a scaffolded draft
        "points": [{"enumerator": "一是", "topic": "检查定点医药机构"}],
        "enums": "一是、二是",
        # a whole report's heading and section
        "title": "2024年工作总结",
        "heading": "综合施策护基金",
        "metrics": ["追回医保基金"],
        "pattern": [4, 4],
        "year": 2024,
        "has_figures": True,
        "next_year": 2025,
        "this_year": 2024,
        "parents": ["一、主要工作"],
        "written": [{"heading": "参保扩面", "summary": "参保率稳定"}],
        "stated": ["参保率99.91％"],
        # rewrite kinds
        "fact": "追回医保基金452.3万元",
        "sentence": "全年追回医保基金。",
        "body": "始终把维护基金安全作为首要任务。",
        "old": "护基金",
        "context": "始终把维护基金安全作为首要任务。",
        "hint": "飞行检查",
        "topic": "基金监管",
        "n": 40,
        "example": "原句：开展检查。改写：深入开展专项检查。",
    }
    names = sorted(p.stem for p in PROMPTS_DIR.glob("*.jinja"))
    required = {"chat_system", "draft", "draft_part", "draft_scaffold", "rewrite", "refine", "continue"}
    assert required | {"repair_numbers"} <= set(names)
    for name in names:
        variables = template_variables(name)
        out = render(name, **{k: samples[k] for k in variables})
        assert out and "{{" not in out and "{%" not in out


def test_missing_variable_names_template_and_variable() -> None:
    with pytest.raises(PromptError) as err:
        render("draft", request="x", figures="", length=100)
    assert "draft.jinja" in str(err.value)
    assert "exemplars" in str(err.value)


def test_undefined_attribute_is_an_error_too() -> None:
    with pytest.raises(PromptError, match=r"draft\.jinja"):
        render(
            "draft",
            request="x",
            figures="",
            figures_locked=False,
            length=100,
            exemplars=[{"text": "no heading"}],
        )


def test_unknown_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PromptError, match=r"找不到提示词模板 nope\.jinja"):
        render("nope")
    monkeypatch.setenv("BIGANZI_PROMPTS_DIR", str(tmp_path))
    (tmp_path / "hello.jinja").write_text("你好，{{ name }}", encoding="utf-8")
    assert render("hello", name="笔杆子") == "你好，笔杆子"


def test_draft_prompt_order_exemplars_then_figures_then_request() -> None:
    out = render(
        "draft",
        request="起草“护基金”一段",
        figures="追回医保基金452.3万元",
        figures_locked=False,
        length=300,
        items=3,
        exemplars=[{"heading": "综合施策护基金", "text": "一是强化监管。"}],
    )
    assert out.index("【往年写法】") < out.index("【今年数据】") < out.index("【写作任务】")
    assert "约300字" in out and "分3个方面" in out


def test_no_figures_says_write_no_numbers() -> None:
    out = render("draft", request="r", figures="", figures_locked=False, length=100, items=0, exemplars=[])
    assert "【往年写法】" not in out and "方面" not in out
    assert "不要写任何具体数字" in out


def test_system_prompt_is_byte_identical_for_the_same_style() -> None:
    a = render("chat_system", style=default_profile().render())
    b = render("chat_system", style=default_profile("other note").render())
    assert a == b
    assert "数字只能用" in a
