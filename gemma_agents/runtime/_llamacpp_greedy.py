"""Greedy decoding under a grammar without masking the whole vocabulary every step.

llama.cpp's grammar sampler, placed in the sampling chain (what ``Llama.generate`` does),
checks every candidate token against the grammar at every step: 262,144 candidates for
Gemma, which makes constrained decoding several times slower than free decoding. For
greedy decoding the same answer comes cheaper, the way llama.cpp's own ``common_sampler``
does it: take the arg-max token, ask the grammar about that one token, and only when it is
rejected mask the full vocabulary and take the arg-max of what is left. The arg-max of
the allowed tokens is the same token either way, so the output is identical.

Used by :class:`~gemma_agents.runtime.llamacpp.LlamaCppRuntime` for greedy calls with a
``format`` and no repetition penalties (what agents' constrained steps send).
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Generator, Sequence
from typing import Any

__all__ = ["greedy_grammar_tokens"]

#: Candidates checked one by one before falling back to masking the whole vocabulary.
_TOP_K = 32


def _reuse_prefix(llama: Any, tokens: Sequence[int]) -> None:
    """Keep the longest cached prefix, as ``Llama.generate`` does, and drop the rest.

    At least one prompt token is always re-evaluated so the logits are fresh.
    """
    import llama_cpp

    common = llama_cpp.Llama.longest_token_prefix(llama._input_ids.tolist(), tokens)
    keep = min(common, len(tokens) - 1)
    if keep > 0 and llama._ctx.kv_cache_seq_rm(-1, keep, -1):
        llama.n_tokens = keep
    else:
        llama.reset()


def greedy_grammar_tokens(
    llama: Any, tokens: Sequence[int], grammar: Any
) -> Generator[int, Any, None]:
    """Yield greedily decoded tokens that satisfy ``grammar``; the caller decides when to stop.

    Args:
        llama: A loaded ``llama_cpp.Llama`` (used under the caller's lock).
        tokens: The full prompt, BOS included.
        grammar: A ``llama_cpp.LlamaGrammar``.
    """
    import llama_cpp
    import numpy as np

    n_vocab = llama.n_vocab()
    sampler = llama_cpp.llama_sampler_init_grammar(
        llama._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
    )
    if not sampler:
        raise ValueError("llama.cpp rejected the grammar")
    one: Any = (llama_cpp.llama_token_data * 1)()
    one_array = llama_cpp.llama_token_data_array(data=one, size=1, selected=-1, sorted=False)
    full: Any = None
    try:
        _reuse_prefix(llama, tokens)
        llama.eval(list(tokens[llama.n_tokens :]))

        def allowed(token: int) -> bool:
            one[0].id, one[0].logit, one[0].p = token, 1.0, 0.0
            one_array.size, one_array.selected, one_array.sorted = 1, -1, False
            llama_cpp.llama_sampler_apply(sampler, ctypes.byref(one_array))
            return not math.isinf(one[0].logit)

        while True:
            logits = np.ctypeslib.as_array(llama._ctx.get_logits_ith(-1), shape=(n_vocab,))
            token = int(np.argmax(logits))
            if not allowed(token):
                # The best allowed token is the first allowed one in (logit desc, id asc)
                # order, which is greedy's tie rule: try the top few one by one before
                # masking the whole vocabulary.
                top = np.argpartition(logits, -_TOP_K)[-_TOP_K:]
                ranked = top[np.lexsort((top, -logits[top]))]
                token = next((int(t) for t in ranked if allowed(int(t))), -1)
                if token < 0 or logits[token] == logits[ranked[-1]]:  # none, or a tie at the edge
                    if full is None:
                        full = np.zeros(
                            n_vocab, dtype=[("id", "<i4"), ("logit", "<f4"), ("p", "<f4")]
                        )
                        full["id"] = np.arange(n_vocab, dtype=np.int32)
                    full["logit"] = logits
                    full["p"] = 0.0
                    array = llama_cpp.llama_token_data_array(
                        data=full.ctypes.data_as(llama_cpp.llama_token_data_p),
                        size=n_vocab,
                        selected=-1,
                        sorted=False,
                    )
                    llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
                    token = int(np.argmax(full["logit"]))
            llama_cpp.llama_sampler_accept(sampler, token)
            yield token
            llama.eval([token])
    finally:
        llama_cpp.llama_sampler_free(sampler)
