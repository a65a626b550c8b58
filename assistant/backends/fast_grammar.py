"""Faster JSON-schema sampling for llama-cpp-python.

llama-cpp-python applies the grammar sampler to the whole vocabulary (49k tokens for SmolLM2)
before top-k, so constrained output runs at about half the unconstrained speed. llama.cpp's
own tools avoid that by checking only likely tokens first. We do the same, safely: a custom
sampler placed before the grammar finds the top-k tokens, asks the grammar which of them are
allowed (apply() only masks; it does not advance the grammar), and if any are, shrinks the
candidate array to those k so the real grammar sampler checks only k tokens. If none of the
top-k is allowed, the array is left whole and the grammar checks everything (the slow,
always-correct path). The grammar itself still decides every token.
"""

from __future__ import annotations

import ctypes
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp import _internals

TOP_K = 64
_DTYPE = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)


def _view(array_p: Any) -> np.ndarray:
    contents = array_p.contents
    size = contents.size
    address = ctypes.addressof(contents.data.contents)
    buffer = (llama_cpp.llama_token_data * size).from_address(address)
    return np.frombuffer(buffer, dtype=_DTYPE, count=size)


def _prefilter(grammar_sampler: Any, k: int):
    probe_buf = (llama_cpp.llama_token_data * k)()
    probe = llama_cpp.llama_token_data_array(data=probe_buf, size=k, selected=-1, sorted=False)
    probe_view = np.frombuffer(probe_buf, dtype=_DTYPE, count=k)

    def apply(cur_p: Any) -> None:
        data = _view(cur_p)
        if data.size <= k:
            return
        top = np.argpartition(data["logit"], -k)[-k:]
        probe_view[:] = data[top]
        probe.size, probe.selected, probe.sorted = k, -1, False
        llama_cpp.llama_sampler_apply(grammar_sampler, ctypes.byref(probe))
        allowed = probe_view["logit"] > -np.inf
        if not allowed.any():
            return  # slow path: let the grammar check the whole vocabulary
        keep = data[top[allowed]].copy()
        data[: keep.size] = keep
        cur_p.contents.size = keep.size
        cur_p.contents.sorted = False
        cur_p.contents.selected = -1

    return apply


def install(llama: Any, k: int = TOP_K) -> None:
    """Replace `llama._init_sampler` with one that adds the top-k prefilter before the grammar."""
    original = llama._init_sampler

    def init_sampler(*args: Any, grammar: Any = None, **kwargs: Any) -> Any:
        if grammar is None:
            return original(*args, grammar=None, **kwargs)
        sampler = original(*args, grammar=None, **kwargs)  # penalties ... dist, no grammar
        grammar_sampler = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
        )
        return _compose(sampler, grammar_sampler, k)

    llama._init_sampler = init_sampler


def _compose(sampler: Any, grammar_sampler: Any, k: int) -> Any:
    """Insert [prefilter, grammar] at the front of an existing chain (after penalties)."""
    custom = _internals.CustomSampler(_prefilter(grammar_sampler, k))
    chain = sampler.sampler
    n = llama_cpp.llama_sampler_chain_n(chain)
    # Remove everything after the penalties sampler (index 0), then re-add in order.
    tail = [llama_cpp.llama_sampler_chain_remove(chain, 1) for _ in range(n - 1)]
    llama_cpp.llama_sampler_chain_add(chain, custom.get_sampler())
    sampler.custom_samplers.append((1, custom))
    llama_cpp.llama_sampler_chain_add(chain, grammar_sampler)
    for s in tail:
        llama_cpp.llama_sampler_chain_add(chain, s)
    return sampler
