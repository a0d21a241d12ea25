"""`openai` backend against a small OpenAI-compatible stub on loopback: streaming, the payload we send,
model auto-detection, and one-line errors for refused connections, wrong keys and unknown models."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from assistant.llm import count_tokens, get_chat_model, supports_prefill
from core.errors import BiganziError
from core.settings import get_settings

KEY = "sk-right"
MODEL = "stub-model"


class Stub(BaseHTTPRequestHandler):
    payloads: ClassVar[list[dict]] = []

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _json(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            self._json(
                401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}
            )
            return False
        return True

    def do_GET(self) -> None:
        if self._authorised():
            self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Stub.payloads.append(body)
        if not self._authorised():
            return
        if body["model"] != MODEL:
            self._json(404, {"error": {"message": f"The model `{body['model']}` does not exist"}})
            return
        words = ["围绕", "护基金，", "追回", "452.3万元。"]
        if not body.get("stream"):
            self._json(
                200,
                {
                    "id": "x",
                    "object": "chat.completion",
                    "model": MODEL,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(words)},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
                },
            )
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()

        def event(delta: dict, finish: str | None = None, usage: dict | None = None) -> None:
            chunk = {
                "id": "x",
                "object": "chat.completion.chunk",
                "model": MODEL,
                "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            if usage:
                chunk["usage"] = usage
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()

        event({"role": "assistant", "content": ""})
        for w in words:
            event({"content": w})
        event({}, finish="length")
        event({}, usage={"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18})
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def stub() -> Iterator[str]:
    Stub.payloads = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def settings(base_url: str, key: str = KEY, model: str | None = MODEL):
    return get_settings(llm="openai", openai_base_url=base_url, openai_api_key=key, openai_model=model)


def test_streams_with_finish_reason_usage_and_max_tokens(stub: str) -> None:
    model = get_chat_model(settings(stub))
    chunks = list(model.stream("你好", max_tokens=48, temperature=0.2))
    text = "".join(c.content for c in chunks)
    assert text == "围绕护基金，追回452.3万元。"
    finish = [
        c.response_metadata.get("finish_reason") for c in chunks if c.response_metadata.get("finish_reason")
    ]
    assert finish == ["length"]
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage and usage[-1]["input_tokens"] == 11 and usage[-1]["output_tokens"] == 7
    sent = Stub.payloads[-1]
    assert sent["max_tokens"] == 48 and "max_completion_tokens" not in sent  # what compatible servers read
    assert sent["temperature"] == 0.2 and sent["stream"] is True


def test_non_streaming_invoke(stub: str) -> None:
    reply = get_chat_model(settings(stub)).invoke("你好")
    assert reply.content == "围绕护基金，追回452.3万元。"
    assert reply.response_metadata["finish_reason"] == "stop"


def test_model_name_detected_from_endpoint(stub: str) -> None:
    model = get_chat_model(settings(stub, model=None))
    assert model.label == MODEL
    assert not supports_prefill(model)
    assert count_tokens(model, "医保基金") > 0  # offline cl100k, no download


def test_wrong_key_is_one_clear_line(stub: str) -> None:
    model = get_chat_model(settings(stub, key="sk-wrong"))
    with pytest.raises(BiganziError) as err:
        model.invoke("你好")
    msg = str(err.value)
    assert "401" in msg and "BIGANZI_OPENAI_API_KEY" in msg and stub in msg and "\n" not in msg
    with pytest.raises(BiganziError, match="401"):
        list(model.stream("你好"))


def test_unknown_model_is_one_clear_line(stub: str) -> None:
    with pytest.raises(BiganziError) as err:
        get_chat_model(settings(stub, model="no-such-model")).invoke("你好")
    assert "no-such-model" in str(err.value) and "BIGANZI_OPENAI_MODEL" in str(err.value)


def test_refused_connection_names_the_endpoint() -> None:
    model = get_chat_model(settings("http://127.0.0.1:9/v1"))
    with pytest.raises(BiganziError) as err:
        list(model.stream("你好"))
    assert str(err.value) == (
        "无法连接 http://127.0.0.1:9/v1：连接被拒绝。请检查 BIGANZI_OPENAI_BASE_URL 或服务是否已启动"
    )
    with pytest.raises(BiganziError, match="连接被拒绝"):
        get_chat_model(settings("http://127.0.0.1:9/v1", model=None))  # model lookup fails the same way


def test_missing_or_bad_base_url() -> None:
    with pytest.raises(BiganziError, match="BIGANZI_OPENAI_BASE_URL"):
        get_chat_model(get_settings(llm="openai"))
    with pytest.raises(BiganziError, match="http://"):
        get_chat_model(settings("127.0.0.1:8000/v1"))


def test_unknown_backend_name() -> None:
    with pytest.raises(BiganziError, match=r"可选 local \|.*openai \| fake"):
        get_chat_model(get_settings(llm="gpt5"))
