"""The `draft replies` job: read the thread (and post), classify, generate, return results.

The CLI only parses flags and renders; everything testable happens here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.config import Settings
from assistant.errors import InputError
from assistant.inputs import read_input
from assistant.threads import read_thread

from .classify import KINDS, classify_thread


@dataclass
class RepliesResult:
    suggestions: list  # list[Suggestion], sorted by priority then thread order
    model: str | None  # None when no comment needed a reply (the model was not loaded)
    format: str
    platform: str

    def to_dict(self) -> dict:
        return {
            "replies": [s.to_dict() for s in self.suggestions],
            "model": self.model,
            "format": self.format,
            "platform": self.platform,
        }


def check_kinds(only: list[str]) -> list[str]:
    kinds = [k.strip().casefold() for k in only]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InputError(f"unknown kind {unknown[0]!r} for --only; choose from {', '.join(KINDS)}")
    return kinds


@dataclass
class TriageResult:
    """Every comment of a thread, classified without any model, most urgent first."""

    items: list  # list[Classified]
    format: str

    def to_dict(self) -> dict:
        return {"comments": [triage_row(i) for i in self.items], "format": self.format}


def reason(item) -> str:
    """Why a comment sits where it does, in words."""
    if item.by_brand:
        return "the brand's own comment"
    because = "; ".join(item.signals) if item.signals else "no cue found"
    return because + ("; the brand already answered" if item.answered else "")


def triage_row(item) -> dict:
    c = item.comment
    return {
        "index": c.index,
        "parent": c.parent,
        "author": c.author,
        "comment": c.text,
        "kind": item.kind,
        "priority": item.priority,
        "want": item.want,
        "language": item.language,
        "answered": item.answered,
        "by_brand": item.by_brand,
        "reason": reason(item),
    }


def _classified(source: str, settings: Settings, post_path, only, stdin):
    """Read the thread (and the post), classify every comment, keep the kinds asked for."""
    kinds = check_kinds(only or [])
    thread = read_thread(source, stdin=stdin)
    post = read_input(post_path, what="post") if post_path else ""
    items = classify_thread(thread, post=post, brand=settings.brand)
    if kinds:
        items = [i for i in items if i.kind in kinds]
    return thread, post, items


def triage(
    source: str,
    settings: Settings,
    *,
    post_path: str | None = None,
    only: list[str] | None = None,
    stdin=None,
) -> TriageResult:
    """Classify the whole thread at `source`: no model is loaded, nothing is generated."""
    thread, _post, items = _classified(source, settings, post_path, only, stdin)
    items.sort(key=lambda i: (i.priority, i.comment.index))
    return TriageResult(items, thread.format)


def run(
    source: str,
    settings: Settings,
    *,
    post_path: str | None = None,
    only: list[str] | None = None,
    seed: int = 0,
    max_samples: int = 8,
    progress: Callable[[str], None] = lambda _msg: None,
    stdin=None,
) -> RepliesResult:
    """Suggest replies for the thread at `source` ("-" for stdin)."""
    thread, post, items = _classified(source, settings, post_path, only, stdin)
    from .generate import Suggestion, skip_note, suggest_replies

    model, label = None, None
    if any(skip_note(i) is None for i in items):
        from assistant import backends

        progress("loading the model")
        model = backends.get_chat_model(settings)
        label = getattr(model, "model_label", None) or settings.model

    def on_progress(done: int, total: int) -> None:
        progress(f"writing replies ({done + 1}/{total})")

    if model is None:
        suggestions = [Suggestion(i, note=skip_note(i)) for i in items]
    else:
        suggestions = suggest_replies(
            items,
            model,
            post=post,
            platform=settings.platform,
            brand=settings.brand,
            seed=seed,
            max_samples=max_samples,
            on_progress=on_progress,
        )
    suggestions.sort(key=lambda s: (s.item.priority, s.item.comment.index))
    return RepliesResult(suggestions, label, thread.format, settings.platform)
