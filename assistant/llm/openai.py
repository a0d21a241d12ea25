"""`openai` backend: any OpenAI-compatible endpoint (DeepSeek, DashScope, vLLM, Ollama, llama.cpp's server).

A thin subclass of langchain-openai's ChatOpenAI that (1) turns connection/auth/model errors into
one-line BiganziErrors naming the endpoint and the setting to fix, (2) sends `max_tokens` — the
field every compatible server understands — instead of OpenAI's newer `max_completion_tokens`, and
(3) counts tokens with the offline cl100k encoding (ChatOpenAI's own counter would download one).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI

from core.errors import BiganziError
from core.settings import Settings

_NO_KEY = "not-needed"  # local servers accept any key; the client insists on one


class OpenAICompatibleChat(ChatOpenAI):
    n_ctx: int = 8192
    supports_prefill: bool = False

    @property
    def label(self) -> str:
        return self.model_name

    def count_tokens(self, text: str) -> int:
        from index.tokens import count_tokens

        return count_tokens(text)

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if "max_completion_tokens" in payload:
            payload["max_tokens"] = payload.pop("max_completion_tokens")
        return payload

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with translate_errors(str(self.openai_api_base), self.model_name):
            return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with translate_errors(str(self.openai_api_base), self.model_name):
            yield from super()._stream(*args, **kwargs)


@contextmanager
def translate_errors(base_url: str, model: str | None) -> Iterator[None]:
    """openai/httpx exceptions → one actionable line (what failed, where, which setting)."""
    import openai

    try:
        yield
    except openai.AuthenticationError as e:
        raise BiganziError(
            f"{base_url} 拒绝了 API 密钥（401）：请检查 BIGANZI_OPENAI_API_KEY（{_detail(e)}）"
        ) from None
    except openai.PermissionDeniedError as e:
        raise BiganziError(
            f"{base_url} 拒绝访问（403）：请检查 BIGANZI_OPENAI_API_KEY 的权限（{_detail(e)}）"
        ) from None
    except openai.NotFoundError as e:
        raise BiganziError(
            f"{base_url} 上没有模型 {model!r} 或接口路径不对（404）：请检查 BIGANZI_OPENAI_MODEL 和 "
            f"BIGANZI_OPENAI_BASE_URL（通常以 /v1 结尾）（{_detail(e)}）"
        ) from None
    except openai.APITimeoutError:
        raise BiganziError(
            f"{base_url} 响应超时：服务可能过载，稍后重试或调大 BIGANZI_OPENAI_TIMEOUT"
        ) from None
    except openai.APIConnectionError as e:
        raise BiganziError(
            f"无法连接 {base_url}：{_connection_reason(e)}。请检查 BIGANZI_OPENAI_BASE_URL 或服务是否已启动"
        ) from None
    except openai.RateLimitError as e:
        raise BiganziError(
            f"{base_url} 限流或额度不足（429）：稍后重试或检查账户额度（{_detail(e)}）"
        ) from None
    except openai.APIStatusError as e:
        raise BiganziError(f"{base_url} 返回错误 {e.status_code}：{_detail(e)}") from None


def _detail(e: Exception) -> str:
    body = getattr(e, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        msg = inner.get("message") if isinstance(inner, dict) else inner
        if msg:
            return " ".join(str(msg).split())[:160]
    return " ".join(str(e).split())[:160]


def _connection_reason(e: BaseException) -> str:
    chain: list[str] = []
    seen: BaseException | None = e
    while seen is not None and len(chain) < 8:  # the reason sits on httpx/socket errors underneath
        chain.append(repr(seen))
        seen = seen.__cause__ or seen.__context__
    text = " ".join(chain).lower()
    if "refused" in text:
        return "连接被拒绝"
    if "name or service not known" in text or "nodename" in text or "getaddrinfo" in text:
        return "域名无法解析"
    if "timed out" in text or "timeout" in text:
        return "连接超时"
    if "ssl" in text or "certificate" in text:
        return "TLS/证书错误"
    return "网络错误"


def _first_model(base_url: str, api_key: str, timeout: float) -> str:
    """The endpoint's first listed model, for servers that serve exactly one (llama.cpp, vLLM)."""
    import openai

    client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=0)
    with translate_errors(base_url, None):
        models = [m.id for m in client.models.list()]
    if not models:
        raise BiganziError(f"{base_url} 没有列出任何模型：请设置 BIGANZI_OPENAI_MODEL")
    return models[0]


def create(settings: Settings) -> OpenAICompatibleChat:
    base_url = (settings.openai_base_url or "").rstrip("/")
    if not base_url:
        raise BiganziError(
            "未设置 OpenAI 兼容接口地址：请设置 BIGANZI_OPENAI_BASE_URL（如 http://127.0.0.1:8000/v1）"
        )
    if not base_url.startswith(("http://", "https://")):
        raise BiganziError(f"BIGANZI_OPENAI_BASE_URL 应以 http:// 或 https:// 开头：{base_url}")
    api_key = settings.openai_api_key or _NO_KEY
    model = settings.openai_model or _first_model(base_url, api_key, min(settings.openai_timeout, 15.0))
    return OpenAICompatibleChat(
        model=model,
        base_url=base_url,
        api_key=api_key,  # type: ignore[arg-type]
        temperature=settings.temperature,
        frequency_penalty=settings.frequency_penalty or None,
        timeout=settings.openai_timeout,
        max_retries=1,
        stream_usage=True,
        n_ctx=settings.n_ctx,
    )
