"""A fake chat model for deterministic tests: a queue of answers and a log of what it was sent."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pydantic import PrivateAttr


class RecordingFakeModel(FakeListChatModel):
    """FakeListChatModel that records every call's messages and keyword arguments."""

    _calls: list[dict] = PrivateAttr(default_factory=list)

    def _call(self, messages, stop=None, run_manager=None, **kwargs: Any) -> str:
        self._calls.append({"messages": messages, "kwargs": kwargs})
        return super()._call(messages, stop, run_manager, **kwargs)

    @property
    def calls(self) -> list[dict]:
        return self._calls


def answers(*objects: dict | str) -> list[str]:
    return [o if isinstance(o, str) else json.dumps(o) for o in objects]
