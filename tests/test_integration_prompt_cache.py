"""The disk prompt cache on the real embedded model: it loads what it saved, gives the same
sample as computing, and survives a damaged file."""

from __future__ import annotations

import pytest

from assistant import llm
from assistant.backends.prompt_cache import PromptCache
from assistant.config import Brand
from assistant.pipeline import build_messages, make_context
from assistant.platforms import get_platform
from assistant.playbooks import load_playbooks

pytestmark = pytest.mark.integration
POST = "We're thrilled to announce CloudSync Pro! 50% faster. Buy now with code LAUNCH20."


@pytest.fixture(scope="module")
def model():
    from assistant.backends.embedded import load_embedded

    return load_embedded()


def _messages(model):
    book = load_playbooks()["question"]
    ctx = make_context(POST, platform=get_platform("x"), brand=Brand())
    lc = build_messages(book, ctx)
    from langchain_core.messages import convert_to_messages

    return book, lc, model._params(convert_to_messages(lc), None)["messages"]


def _sample(model, book, messages) -> str:
    return llm.complete_json(
        model, messages, book.schema_, seed=3, temperature=0.8, max_tokens=60
    ).raw


def test_saved_state_is_loaded_and_gives_the_same_sample(model, tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("DRAFT_PROMPT_CACHE", "0")  # drive the cache by hand below
    book, lc, dicts = _messages(model)
    cache = PromptCache(model.llama, Path(model.model_path), folder=tmp_path)

    model.llama.reset()
    assert cache.prepare(dicts) == "saved"
    assert len(list(tmp_path.glob("*.state"))) == 1
    computed = _sample(model, book, lc)
    assert cache.prepare(dicts) == "in memory"

    model.llama.reset()  # as in a new process
    assert cache.prepare(dicts) == "loaded"
    assert _sample(model, book, lc) == computed


def test_a_damaged_file_is_recomputed(model, tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("DRAFT_PROMPT_CACHE", "0")
    book, lc, dicts = _messages(model)
    cache = PromptCache(model.llama, Path(model.model_path), folder=tmp_path)
    model.llama.reset()
    cache.prepare(dicts)
    computed = _sample(model, book, lc)
    (state,) = tmp_path.glob("*.state")
    state.write_bytes(b"not a llama.cpp state")

    model.llama.reset()
    assert cache.prepare(dicts) == "saved"  # recomputed and written again
    assert _sample(model, book, lc) == computed


def test_the_adapter_fills_the_cache_for_structured_calls_only(model, tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFT_CACHE_DIR", str(tmp_path))
    book, lc, _ = _messages(model)
    model._prompt_cache = None  # pick up the new folder
    model.invoke([("system", "Say hi."), ("human", "hello")], max_tokens=2)
    assert not list(tmp_path.glob("*.state"))  # free text (chat turns): memory only
    _sample(model, book, lc)
    assert len(list(tmp_path.glob("*.state"))) == 1
    model._prompt_cache = None
