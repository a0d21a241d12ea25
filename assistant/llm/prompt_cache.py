"""Evaluated system-prompt states on disk, so a new model process starts warm.

Every draft starts with the same byte-identical system message (per knowledge base: its style
profile is part of it). Evaluating it is most of a cold draft's time to first token on a CPU. The
first time a process evaluates a system prompt it saves llama.cpp's state of exactly that prefix
(`llama_state_save_file`: the KV cache of those tokens and the tokens themselves) under
`models/prompt-cache/<model>-<n_ctx>/<sha of the tokens>.state`; a later process with the same model
and context size loads it instead of evaluating it again. The directory is capped (oldest used
first out); a file that fails to load is deleted and the prefix evaluated as usual.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

MIN_TOKENS = 32  # shorter prefixes evaluate faster than a file loads


def common_prefix(a: Any, b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if int(x) != y:
            break
        n += 1
    return n


class PromptCache:
    def __init__(self, root: Path, cap_bytes: int) -> None:
        self.root = root
        self.cap_bytes = cap_bytes
        self.last: str = ""  # what the last restore_prefix did (for tests and timings)

    @classmethod
    def for_model(cls, base: Path, model_path: str, n_ctx: int, cap_mb: int) -> PromptCache:
        p = Path(model_path)
        try:
            size = p.stat().st_size
        except OSError:
            size = 0
        return cls(base / f"{p.stem}-{size}-ctx{n_ctx}", cap_mb * 1024 * 1024)

    def path_for(self, tokens: list[int]) -> Path:
        digest = hashlib.sha256(b",".join(str(t).encode() for t in tokens)).hexdigest()[:32]
        return self.root / f"{digest}.state"

    def restore_prefix(self, llm: Any, system_text: str, prompt_text: str) -> str:
        """Make `llm` hold the evaluated system prompt before a generation whose prompt is
        `prompt_text` (it starts with `system_text`). Returns "memory" (already there), "disk"
        (loaded), "saved" (evaluated now and saved) or "" (too short / not a prefix / failed)."""
        self.last = ""
        try:
            full = llm.tokenize(prompt_text.encode("utf-8"), add_bos=True, special=True)
            system = llm.tokenize(system_text.encode("utf-8"), add_bos=True, special=True)
        except (RuntimeError, ValueError):
            return ""
        prefix = full[: common_prefix(system, full)]
        if len(prefix) < MIN_TOKENS or len(prefix) >= len(full):
            return ""
        have = common_prefix(llm.input_ids[: llm.n_tokens], prefix)
        if have >= len(prefix):
            self.last = "memory"
            return self.last
        path = self.path_for(prefix)
        if path.exists() and self._load(llm, path, prefix):
            self.last = "disk"
            return self.last
        llm.n_tokens = have  # eval drops the KV cells from here on
        llm.eval(prefix[have:])
        self._save(llm, path, prefix)
        self.last = "saved"
        return self.last

    def _load(self, llm: Any, path: Path, prefix: list[int]) -> bool:
        import llama_cpp

        cap = len(prefix) + 8
        tokens = (llama_cpp.llama_token * cap)()
        n = ctypes.c_size_t(0)
        ok = llama_cpp.llama_state_load_file(llm.ctx, str(path).encode(), tokens, cap, ctypes.byref(n))
        got = list(tokens[: n.value]) if ok else []
        if not ok or got != prefix:
            llm.reset()
            llm._ctx.kv_cache_clear()
            path.unlink(missing_ok=True)
            print(f"prompt cache: dropped unreadable {path.name}", file=sys.stderr, flush=True)
            return False
        llm.input_ids[: len(got)] = got
        llm.n_tokens = len(got)
        llm._requires_eval = True
        os.utime(path)  # most recently used
        return True

    def _save(self, llm: Any, path: Path, prefix: list[int]) -> None:
        import llama_cpp

        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            arr = (llama_cpp.llama_token * len(prefix))(*prefix)
            if llama_cpp.llama_state_save_file(llm.ctx, str(tmp).encode(), arr, len(prefix)):
                os.replace(tmp, path)
            else:
                tmp.unlink(missing_ok=True)
            self._evict()
        except OSError as e:  # a full or read-only disk costs speed, never the draft
            print(f"prompt cache: not saved ({e})", file=sys.stderr, flush=True)

    def _evict(self) -> None:
        files = sorted(self.root.glob("*.state"), key=lambda p: p.stat().st_mtime, reverse=True)
        total = 0
        for i, p in enumerate(files):
            total += p.stat().st_size
            if total > self.cap_bytes and i > 0:
                p.unlink(missing_ok=True)
