"""A model process with a scripted engine instead of llama.cpp, for fast supervisor tests.

It is `assistant/llm/runner_server.py` itself (routes, queue, cancel, run file) with a fake Llama.
Behaviour comes from the environment (inherited from the test):
FAKE_MODEL_DIR (counters), FAKE_CRASH_AT=n (kill -9 itself after 3 pieces of the n-th request),
FAKE_HANG_AT=n (the n-th request never produces a token), FAKE_BUSY_S (seconds of CPU work before
the first token), FAKE_DELAY (seconds per piece),
FAKE_LOAD_FAIL (startup fails with that message).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from assistant.llm import runner_server
from core.errors import BiganziError


def _bump(name: str) -> int:
    path = Path(os.environ["FAKE_MODEL_DIR"]) / name
    n = int(path.read_text() or 0) + 1 if path.exists() else 1
    path.write_text(str(n))
    return n


class FakeLlama:
    n_tokens = 0
    input_ids: tuple[int, ...] = ()

    def tokenize(self, text: bytes, add_bos: bool = False, special: bool = False) -> list[int]:
        return [ord(ch) for ch in text.decode("utf-8")]

    def n_vocab(self) -> int:
        return 64

    def detokenize(self, ids: list[int]) -> bytes:
        return "".join(chr(i) for i in ids).encode("utf-8")

    def _pieces(self, text: str, max_tokens: int | None) -> Any:
        n = _bump("requests")
        delay = float(os.environ.get("FAKE_DELAY", "0.02"))
        if str(n) == os.environ.get("FAKE_HANG_AT"):
            time.sleep(3600)
        busy_until = time.monotonic() + float(os.environ.get("FAKE_BUSY_S", "0"))
        while time.monotonic() < busy_until:  # a long prompt evaluation: CPU work, no token yet
            sum(range(1000))
        pieces = list(text)[: max_tokens or None]
        for i, piece in enumerate(pieces):
            if i == 3 and str(n) == os.environ.get("FAKE_CRASH_AT"):
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(delay)
            _bump("pieces")
            yield piece
        yield None

    def create_chat_completion(self, messages: list[dict[str, str]], stream: bool, **kw: Any) -> Any:
        reply = "收到：" + messages[-1]["content"]
        if kw.get("grammar") is not None:
            reply = "约束"
        if kw.get("logits_processor"):  # the figure gate: say which figures it locks
            gate = kw["logits_processor"][0]
            reply = (
                "锁：" + "、".join(s.decode() for s in gate.strings) + ("" if gate.latin else "，无拉丁字母")
            )
        for piece in self._pieces(reply, kw.get("max_tokens")):
            delta = {"content": piece} if piece else {}
            yield {"choices": [{"delta": delta, "finish_reason": None if piece else "stop"}]}


class FakeState(runner_server.State):
    def load(self) -> None:
        if os.environ.get("FAKE_LOAD_FAIL"):
            raise BiganziError(os.environ["FAKE_LOAD_FAIL"])
        self.llm, self.formatter = FakeLlama(), None


if __name__ == "__main__":
    runner_server.State = FakeState  # type: ignore[misc]
    sys.exit(runner_server.main())
