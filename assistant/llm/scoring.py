"""How surprised the model is by each token of a text: its negative log-probability, in nats.

A rewrite check asks this of a sampled sentence and of the sentence it rewords, both after the same
lines before them: a sentence whose words are out of order (27次专题招商小分队赴外地进行组织) or
whose clauses no longer join surprises a language model far more, per token, than the writer's own
sentence did. One number reads every such fault; a pattern per fault does not keep up.

The scoring runs in a second llama.cpp context on the loaded weights (no second copy of the model):
the generation context keeps its KV cache (the system prompt and few-shot turns every sample reuses),
and this one keeps the last scored prefix, so the original and each of its samples after the same
lines cost only their own tokens. The caller holds the engine's lock (one decode at a time).
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("biganzi.llm")
SCORE_CTX = 1024  # tokens: a scored prefix and text (a paragraph's lines before one sentence)


class Scorer:
    def __init__(self, llm: Any, n_threads: int) -> None:
        import llama_cpp
        from llama_cpp import _internals

        params = llama_cpp.llama_context_default_params()
        params.n_ctx = SCORE_CTX
        params.n_batch = SCORE_CTX
        params.n_ubatch = min(512, SCORE_CTX)
        params.n_threads = params.n_threads_batch = n_threads
        self.model = llm._model
        self.ctx = _internals.LlamaContext(model=self.model, params=params, verbose=False)
        self.batch = _internals.LlamaBatch(n_tokens=SCORE_CTX, embd=0, n_seq_max=1, verbose=False)
        self.n_vocab = llm.n_vocab()
        self.held: list[int] = []  # tokens whose KV this context holds, from position 0

    def _tokens(self, text: str) -> list[int]:
        return list(self.model.tokenize(text.encode("utf-8"), False, False)) if text else []

    def _decode(self, tokens: list[int], start: int, logits: bool) -> None:
        self.batch.reset()
        b = self.batch.batch
        b.n_tokens = len(tokens)
        for k, tok in enumerate(tokens):
            b.token[k] = tok
            b.pos[k] = start + k
            b.seq_id[k][0] = 0
            b.n_seq_id[k] = 1
            b.logits[k] = logits
        self.ctx.decode(self.batch)

    def surprise(self, prefix: str, text: str) -> list[float]:
        """Per token of `text` after `prefix` (not empty), its surprise in nats; [] when the two do
        not fit the scoring context."""
        import numpy as np

        pre, toks = self._tokens(prefix), self._tokens(text)
        if not pre or not toks or len(pre) + len(toks) > SCORE_CTX:
            return []
        # the prefix less its last token is kept evaluated; that token starts the scored batch
        keep = 0
        for a, b in zip(self.held, pre[:-1], strict=False):
            if a != b:
                break
            keep += 1
        self.ctx.kv_cache_seq_rm(0, keep, -1)
        self.held = self.held[:keep]
        try:
            if len(pre) - 1 > keep:
                self._decode(pre[keep:-1], keep, logits=False)
                self.held = pre[:-1]
            scored = [pre[-1], *toks[:-1]]
            self._decode(scored, len(self.held), logits=True)
        except RuntimeError:  # (no KV slot: a context full of something else) nothing is known
            self.ctx.kv_cache_seq_rm(0, 0, -1)
            self.held = []
            return []
        n = len(scored)
        rows = np.ctypeslib.as_array(self.ctx.get_logits(), shape=(n * self.n_vocab,))
        logits = rows.reshape(n, self.n_vocab).astype(np.float64)
        self.ctx.kv_cache_seq_rm(0, len(self.held), -1)  # (the text's own KV: the next one differs)
        top = logits.max(axis=1)
        log_z = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
        return [float(x) for x in log_z - logits[np.arange(n), toks]]


def surprise_at(llm: Any, n_threads: int, prefix: str, text: str) -> list[float]:
    """`Scorer.surprise` on this Llama's scoring context, made on first use (~50 MB beside the
    model) and kept on it, so it goes with the model (it holds the weights, not the Llama). []
    when the context cannot be made (no memory for it): scoring is optional, a rewrite goes on
    without it, and the context is not tried again for this Llama."""
    scorer = getattr(llm, "_biganzi_scorer", None)
    if scorer is None:
        try:
            scorer = Scorer(llm, n_threads)
        except Exception as e:  # (llama.cpp's ValueError, or an internal renamed: either way, none)
            log.warning("no scoring context: %s", " ".join(str(e).split())[:200])
            scorer = False
        llm._biganzi_scorer = scorer
    return scorer.surprise(prefix, text) if scorer else []
