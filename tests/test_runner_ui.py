"""The page's 停止 button: it cancels the session's running reply (Gradio `cancels`) and tells the
model to stop; other sessions are untouched."""

from __future__ import annotations

from types import SimpleNamespace

from core.settings import get_settings
from ui import desk
from ui.session import DeskSession


class Cancellable:
    def __init__(self) -> None:
        self.cancelled = 0

    def cancel(self) -> None:
        self.cancelled += 1


def test_stop_marks_the_running_reply_and_cancels_its_model() -> None:
    model = Cancellable()
    s = DeskSession()
    s.conversation = SimpleNamespace(model=model)
    s.chat = [{"role": "user", "content": "起草一段"}, {"role": "assistant", "content": "今年以来，我局"}]
    desk.RUNNING.add(s.id)
    chat, _ = desk.stop_reply(s)
    assert chat[-1]["content"] == "今年以来，我局（已停止）" and model.cancelled == 1
    assert s.id not in desk.RUNNING
    assert desk.stop_reply(s)[0][-1]["content"] == "今年以来，我局（已停止）"  # a second click: nothing


def test_stop_drops_a_reply_still_waiting_in_line() -> None:
    s = DeskSession(queued=True)
    s.chat = [{"role": "user", "content": "起草一段"}, {"role": "assistant", "content": "（排队等待模型…）"}]
    chat, _ = desk.stop_reply(s)
    assert chat[-1]["content"] == "（已停止）" and not s.queued


def test_stop_without_a_running_reply_changes_nothing() -> None:
    s = DeskSession()
    s.chat = [{"role": "assistant", "content": "上一稿。"}]
    assert desk.stop_reply(s)[0] == [{"role": "assistant", "content": "上一稿。"}]


def test_the_page_has_a_stop_button_that_cancels_the_reply_events() -> None:
    from ui.app import build_app

    app = build_app(get_settings())
    stop = next(b for b in app.blocks.values() if getattr(b, "elem_id", None) == "stop")
    assert stop.value == "停止"
    deps = [d for d in app.fns.values() if any(t[0] == stop._id for t in d.targets)]
    assert deps and any(d.fn is not None and d.fn.__name__ == "stop_reply" for d in deps)
    cancels = [d for d in app.fns.values() if d.fn is not None and d.fn.__name__ == "cancel"]
    assert cancels or any(getattr(d, "cancels", None) for d in deps)  # Gradio wires `cancels` its way
