"""What a chat session remembers: the post, the turns, and the draft each turn left behind.

Plain data that round-trips through a JSON transcript. Every turn stores the current draft
after it (or None when it did not change the draft) and the people it added to the thanks,
so `/undo` and `/fork N` are just list truncation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assistant.critique.model import Report

TRANSCRIPT_VERSION = 1


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class ChatDraft:
    """The post being worked on: text, poll options, where it came from and its verdict."""

    text: str
    options: list[str] = field(default_factory=list)
    playbook: str = ""  # "post" (the seed), "chat" (a free-text revision) or a playbook name
    problems: list[str] = field(default_factory=list)  # the pipeline's form checks, if any
    report: Report | None = None  # None until critiqued (transcripts store it for readers only)

    @property
    def full_text(self) -> str:
        """What is saved, copied and critiqued: the post plus any poll options."""
        return "\n".join([self.text, *self.options])

    @property
    def passed(self) -> bool:
        return self.report is not None and self.report.passed and not self.problems

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "playbook": self.playbook}
        if self.options:
            data["options"] = self.options
        if self.problems:
            data["problems"] = self.problems
        if self.report is not None:
            data["critique"] = self.report.to_dict()
        return data

    @classmethod
    def from_variant(cls, variant) -> ChatDraft:
        """A pipeline Variant (from /question, /poll...) as the chat's draft, verdict included."""
        return cls(
            variant.text,
            list(variant.options),
            variant.playbook,
            list(variant.problems),
            variant.report,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatDraft:
        return cls(
            text=str(data.get("text", "")),
            options=[str(o) for o in data.get("options", [])],
            playbook=str(data.get("playbook", "")),
            problems=[str(p) for p in data.get("problems", [])],
        )


@dataclass
class Turn:
    """One exchange: what the user typed and what came back."""

    user: str
    kind: str  # "chat", "rewrite", "thank", "replies" or "post"
    answer: str = ""
    draft: ChatDraft | None = None  # the current draft after this turn; None: unchanged
    thanks: list[dict] = field(default_factory=list)  # people this turn added to the thanks
    playbook: str = ""
    interrupted: bool = False  # Ctrl-C during generation: `answer` is the partial text
    error: str = ""
    at: str = field(default_factory=now)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"user": self.user, "kind": self.kind, "assistant": self.answer}
        if self.draft is not None:
            data["draft"] = self.draft.to_dict()
        for key in ("thanks", "playbook", "interrupted", "error"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        data["at"] = self.at
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        draft = data.get("draft")
        return cls(
            user=str(data.get("user", "")),
            kind=str(data.get("kind", "chat")),
            answer=str(data.get("assistant", "")),
            draft=ChatDraft.from_dict(draft) if isinstance(draft, dict) else None,
            thanks=list(data.get("thanks", [])),
            playbook=str(data.get("playbook", "")),
            interrupted=bool(data.get("interrupted", False)),
            error=str(data.get("error", "")),
            at=str(data.get("at", "")),
        )


@dataclass
class ChatState:
    post: str = ""  # the original post: the pipeline's source and the fact check's
    platform: str = "x"
    variants: int = 1
    model: str = ""
    turns: list[Turn] = field(default_factory=list)
    forked_from: dict[str, Any] | None = None
    _seed: ChatDraft | None = field(default=None, repr=False, compare=False)

    @property
    def draft(self) -> ChatDraft | None:
        """The current draft: the latest one a turn left, else the post itself."""
        for turn in reversed(self.turns):
            if turn.draft is not None:
                return turn.draft
        if not self.post:
            return None
        if self._seed is None or self._seed.text != self.post:  # one object: its report sticks
            self._seed = ChatDraft(self.post, playbook="post")
        return self._seed

    @property
    def thanks(self) -> list[dict]:
        """Everyone `/thank` named so far (undo and fork forget them with their turn)."""
        people: list[dict] = []
        for turn in self.turns:
            people += turn.thanks
        return people

    def to_dict(self) -> dict[str, Any]:
        draft = self.draft
        return {
            "version": TRANSCRIPT_VERSION,
            "post": self.post,
            "platform": self.platform,
            "variants": self.variants,
            "model": self.model,
            "turns": [t.to_dict() for t in self.turns],
            "draft": draft.to_dict() if draft else None,
            **({"forked_from": self.forked_from} if self.forked_from else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatState:
        return cls(
            post=str(data.get("post", "")),
            platform=str(data.get("platform", "x")),
            variants=int(data.get("variants", 1)),
            model=str(data.get("model", "")),
            turns=[Turn.from_dict(t) for t in data.get("turns", []) if isinstance(t, dict)],
            forked_from=data.get("forked_from"),
        )
