"""One typed settings object for every command, the web page and the benchmarks.

Built by `get_settings()` (never at import time). Environment variables use the prefix
`BIGANZI_` (e.g. `BIGANZI_DATA_DIR`, `BIGANZI_CHROMA_URL`); CLI flags override them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("biganzi", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BIGANZI_", extra="ignore")

    data_dir: Path = Field(
        default_factory=_default_data_dir, description="Where knowledge bases, models and logs live."
    )
    kb: str = Field("default", description="Knowledge base name.")
    embedder: str = Field("e5-small", description="e5-small | sentence-transformers:<name or path> | fake")
    chroma_url: str | None = Field(
        None, description="Chroma server URL; unset = embedded PersistentClient under data_dir."
    )
    max_file_mb: float = Field(50.0, description="Files larger than this are refused at ingest.")
    chunk_tokens: int = Field(384, description="Token budget of one chunk (cl100k tokens).")

    llm: str = Field("local", description="Chat backend: local | openai | fake")
    model_path: Path | None = Field(
        None, description="GGUF file for the local backend; unset = the bundled model."
    )
    n_ctx: int = Field(8192, description="Context window used by the local backend.")
    n_threads: int | None = Field(None, description="llama.cpp threads; unset = all cores.")
    openai_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1"
    )
    openai_api_key: str | None = Field(None, description="API key for the OpenAI-compatible endpoint.")
    openai_model: str | None = Field(None, description="Model name at the OpenAI-compatible endpoint.")
    temperature: float = Field(0.3, description="Sampling temperature for drafts.")
    # Drafting engine (issue 3).
    repeat_penalty: float = Field(
        1.1, description="llama.cpp repeat penalty (discourages copying runs of text)."
    )
    frequency_penalty: float = Field(
        0.0, description="Frequency penalty sent to OpenAI-compatible endpoints."
    )
    prompt_lookup: int = Field(0, description="Prompt-lookup decoding: tokens guessed per step (0 = off).")
    openai_timeout: float = Field(120.0, description="Seconds to wait for an OpenAI-compatible endpoint.")
    llm_timeout: float = Field(
        120.0,
        description="local: seconds the model process may go without a token or any CPU work "
        "before its generation is cancelled and the process restarted.",
    )
    prompt_cache_mb: int = Field(
        512, description="local: disk cap of saved system-prompt states under models/ (0 = off)."
    )
    fake_replies: str | None = Field(
        None, description="fake backend: JSON list of replies, or a path to one."
    )
    fake_chunk_delay: float = Field(0.0, description="fake backend: seconds before each streamed piece.")
    # Plugin routes of `biganzi serve` (/v1, /retrieval, /mcp; issue 14).
    api_keys: str | None = Field(
        None,
        description="Comma-separated API keys for /v1, /retrieval and /mcp (Bearer); unset = loopback only.",
    )
    cors_origins: str | None = Field(
        None, description="Comma-separated origins allowed to call /v1, /retrieval and /mcp from a browser."
    )

    @property
    def kb_root(self) -> Path:
        return self.data_dir / "kb"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit (non-None) overrides applied on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
