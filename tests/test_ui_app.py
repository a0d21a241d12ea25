"""The page's logic without a browser: API names, per-session state, chat turns by mode with the
fake model, figures round trip, the login middleware, and no user data in module globals."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from core.errors import BiganziError
from core.settings import get_settings
from ui import chat
from ui.session import DeskSession, new_session

REPO = Path(__file__).resolve().parent.parent
FIGURES = "截至2024年11月，检查定点医药机构186家，追回医保基金452.3万元。"
API_NAMES = {
    "chat",
    "draft",
    "rewrite",
    "update",
    "parse_figures",
    "search",
    "list_documents",
    "list_kbs",
    "check",
    "ingest",
    "export",
}


def drain(gen: Any) -> str:
    """Run a streamed turn to its end; its last value is the final text."""
    parts = list(gen)
    return parts[-1] if parts else ""


def test_public_api_names() -> None:
    from ui.app import build_app

    app = build_app(get_settings())
    public = {
        fn.api_name
        for fn in app.fns.values()
        if fn.api_name and fn.api_visibility == "public" and fn.fn is not None
    }
    assert public - {"new_session"} == API_NAMES  # new_session: Gradio's own loader of the session state
    assert app.analytics_enabled is False


def test_sessions_are_independent_and_base_settings_untouched() -> None:
    base = get_settings()
    a, b = new_session(), new_session()
    assert a.id != b.id
    a.overrides = {"llm": "openai", "openai_base_url": "http://127.0.0.1:9/v1", "data_dir": "/etc"}
    a.kb = "甲库"
    sa = a.settings(base)
    assert (sa.llm, sa.kb, sa.openai_base_url) == ("openai", "甲库", "http://127.0.0.1:9/v1")
    assert sa.data_dir == base.data_dir  # the data dir is the server's, never a session's
    assert (b.settings(base).llm, b.settings(base).kb) == (base.llm, base.kb)
    assert (base.llm, base.kb) == ("fake", "default")


def test_draft_then_follow_up_refines() -> None:
    st = get_settings()
    s = DeskSession(figures_text=FIGURES)
    parts = list(chat.run_draft(st, s, "起草“综合施策护基金”一段", 200, None))
    assert len(parts) > 2 and parts[-1] == s.draft  # streamed, then the checked final text
    assert "452.3万元" in s.draft and "186家" in s.draft
    assert s.last is not None and s.last.mode == chat.MODE_DRAFT
    assert {u["text"] for u in s.last.trace["used"]} == {"186家", "452.3万元"}
    assert any("知识库" in n for n in s.last.notes)  # no knowledge base: said so

    first = s.draft
    drain(chat.run_draft(st, s, "再精炼一些", 200, None))
    assert s.last.mode == "修改上一稿"
    assert s.draft != first and "452.3万元" in s.draft
    assert len(s.conversation.turns) == 2

    s.conversation.undo()  # 重新生成 forgets the last turn first
    assert len(s.conversation.turns) == 1


def test_new_figures_start_a_new_draft() -> None:
    st = get_settings()
    s = DeskSession(figures_text=FIGURES)
    drain(chat.run_draft(st, s, "起草“综合施策护基金”一段", 200, None))
    s.figures_text = "截至2024年11月，检查定点医药机构201家。"
    drain(chat.run_draft(st, s, "再精炼一些", 200, None))
    assert "201家" in s.draft and s.conversation.turns[-1].kind == "draft"


def test_rewrite_waits_as_a_proposal() -> None:
    st = get_settings()
    s = DeskSession(draft="当前稿不应被改动。")
    drain(
        chat.run_rewrite(
            st, s, "更简洁一些", "我局进一步压实责任，参保率达到99.91％。其他工作有序开展。", None
        )
    )
    assert s.proposal is not None and s.proposal.kind == "rewrite"
    assert "99.91％" in s.proposal.new and "进一步" not in s.proposal.new
    assert s.proposal.ops and s.draft == "当前稿不应被改动。"
    with pytest.raises(BiganziError, match="没有要改写的文字"):
        drain(chat.run_rewrite(st, DeskSession(), "更简洁一些", "", None))


def test_update_uses_confirmed_figures() -> None:
    st = get_settings()
    s = DeskSession(figures_text="截至2024年11月，参保率99.91％，追回医保基金452.3万元。")
    old = "截至2023年9月底，全县参保率99.85％，追回医保基金309.82万元，检查定点医药机构150家。"
    out = drain(chat.run_update(st, s, "", old))
    assert out.startswith("截至2024年11月，全县参保率99.91％，追回医保基金452.3万元")
    assert "【待更新：150家】" in out
    assert {u["text"] for u in s.proposal.trace["used"]} == {"99.91％", "452.3万元"}
    assert any("150家" in n for n in s.last.notes)
    with pytest.raises(BiganziError, match="没有可用的新数据"):
        drain(chat.run_update(st, DeskSession(), "", old))


def test_free_chat_keeps_its_own_history() -> None:
    st = get_settings()
    s = DeskSession()
    drain(chat.run_chat(st, s, "你好", None))
    assert [t["role"] for t in s.free_turns] == ["user", "assistant"]
    assert s.last.mode == chat.MODE_CHAT and s.draft == ""


def test_confirmed_figures_round_trip() -> None:
    from assistant.figures import parse_figures
    from ui.figures_panel import confirmed_from_rows, fact_rows, facts_text

    text = "截至2024年11月，追回医保基金452.3万元。\n指标\t2023年\t2024年\n参保率\t99.85%\t99.91%\n"
    parsed = parse_figures(text)
    rows = fact_rows(parsed)
    rows[0][2] = "460万元"  # edited by the user
    rows[1][0] = False  # unticked
    confirmed = confirmed_from_rows(rows)
    again = parse_figures(facts_text(confirmed))
    assert [(f.metric, f.text, f.period) for f in again.facts] == [
        ("追回医保基金", "460万元", "截至2024年11月"),
        ("参保率", "99.91%", "2024年"),
    ]
    assert not again.unparsed


def test_login_middleware() -> None:
    from ui.auth import RequireLogin, is_open

    assert is_open("/") and is_open("/assets/index.js") and is_open("/login")
    assert not is_open("/gradio_api/cancel") and not is_open("/gradio_api/file=/etc/passwd")

    class FakeGradio:
        def __init__(self) -> None:
            self.cookie_id = "abc"
            self.tokens = {"tok": "clerk"}

    seen: list[str] = []

    async def inner(scope: dict, receive: Any, send: Any) -> None:
        seen.append(scope["path"])

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    mw = RequireLogin(inner, message="请登录")

    def call(path: str, cookie: str = "") -> None:
        headers = [(b"cookie", cookie.encode())] if cookie else []
        scope = {"type": "http", "path": path, "headers": headers, "app": FakeGradio()}
        # A fresh thread: an earlier test (Playwright's sync API) may leave a loop running in this one.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, mw(scope, None, send)).result()

    call("/gradio_api/queue/join")
    assert sent[0]["status"] == 401 and not seen
    call("/gradio_api/queue/join", "access-token-unsecure-abc=wrong")
    assert sent[2]["status"] == 401 and not seen
    call("/gradio_api/queue/join", "other=1; access-token-unsecure-abc=tok")
    assert seen == ["/gradio_api/queue/join"]


def test_ui_modules_hold_no_user_data_at_module_level() -> None:
    """Sessions live in gr.State; a module-level list/dict/set would be shared by every browser."""
    import ui

    for info in pkgutil.iter_modules(ui.__path__):
        mod = importlib.import_module(f"ui.{info.name}")
        for name, value in vars(mod).items():
            if name.startswith("__") or name.isupper():
                continue
            assert not isinstance(value, (list, dict, set)), f"ui.{info.name}.{name} is mutable module state"
