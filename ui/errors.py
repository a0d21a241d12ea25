"""Handlers never show a traceback: a `BiganziError` becomes its own one-line message in the page,
anything unexpected a short note (the traceback goes to the server log)."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from core.errors import BiganziError

log = logging.getLogger("biganzi.ui")
F = TypeVar("F", bound=Callable[..., Any])


def user_message(e: BaseException) -> str:
    if isinstance(e, BiganziError):
        return str(e)
    return f"出错了（{type(e).__name__}: {e}）；请重试，若仍出错请把服务端日志发给管理员"


def _to_gr_error(e: Exception) -> Exception:
    import gradio as gr

    if isinstance(e, gr.Error):
        return e
    if not isinstance(e, BiganziError):
        log.exception("handler failed")
    return gr.Error(user_message(e), print_exception=False)


def friendly(fn: F) -> F:
    """Wrap a Gradio handler (plain or generator) so errors reach the user as one clear line."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except Exception as e:
                raise _to_gr_error(e) from e

        return gen_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            raise _to_gr_error(e) from e

    return wrapper  # type: ignore[return-value]
