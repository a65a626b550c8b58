"""A fake chat model for deterministic tests: a queue of answers and a log of what it was sent."""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pydantic import PrivateAttr


class RecordingFakeModel(FakeListChatModel):
    """FakeListChatModel that records every call's messages and keyword arguments."""

    _calls: list[dict] = PrivateAttr(default_factory=list)
    tuned: bool = False  # True plays the embedded model with draft's adapter (llm.is_tuned)

    def _call(self, messages, stop=None, run_manager=None, **kwargs: Any) -> str:
        self._calls.append({"messages": messages, "kwargs": kwargs})
        return super()._call(messages, stop, run_manager, **kwargs)

    @property
    def calls(self) -> list[dict]:
        return self._calls


def answers(*objects: dict | str) -> list[str]:
    return [o if isinstance(o, str) else json.dumps(o) for o in objects]


_SENTENCE_END = re.compile(r"(?<=[.!?]) (?=\S)")  # a sentence end and the space after it


def split_post(text: str) -> dict[str, str]:
    """A post as the parts the question and poll playbooks ask for: {"news", "question"}.

    The cut is at the last sentence end before the question (the sentence with the last "?"),
    else before the last sentence, else at the last space, so that both parts are non-empty
    and `assemble` joins them back into exactly `text`.
    """
    ends = list(_SENTENCE_END.finditer(text))
    before = [m for m in ends if m.start() < text.rfind("?")]
    cuts = before or ends or list(re.finditer(r"(?<=\S) (?=\S)", text))
    if not cuts:
        raise ValueError(f"cannot split a one-word post into news and question: {text!r}")
    news, question = text[: cuts[-1].start()], text[cuts[-1].end() :]
    assert f"{news} {question}" == text, text
    return {"news": news, "question": question}


def question_answer(text: str) -> dict[str, str]:
    """What the model answers the question playbook for a post `text`."""
    return split_post(text)


def thanks_answer(text: str) -> dict[str, str]:
    """What the model answers the acknowledgement playbook: {"thanks", "news", "question"},
    the thank-you being everything up to the first space, or first sentence end if any."""
    first = _SENTENCE_END.search(text) or re.search(r"(?<=\S) (?=\S)", text)
    return {"thanks": text[: first.start()], **split_post(text[first.end() :])}


def poll_answer(text: str, options: list[str]) -> dict:
    """What the model answers the poll playbook for a post `text` with these options."""
    return {**split_post(text), "options": list(options)}
