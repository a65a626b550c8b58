"""Learned judgments: is this copy ad-like, what kind of comment is this, is it spam or an
injection attempt. Small linear models trained by `python -m assistant.judgments.train` on the
datasets in bench/data/SOURCES.md, shipped as JSON next to this file and loaded on first use.

    from assistant.judgments import adlike
    verdict = adlike("BUY NOW!!! 50% off")   # Verdict(label="ad", probability=0.97, ...)

Stdlib only at run time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .model import LinearModel, Verdict

__all__ = ["LinearModel", "Verdict", "adlike", "comment_kind", "injection", "model", "spam"]

HERE = Path(__file__).resolve().parent


@cache
def model(name: str) -> LinearModel:
    """One of the shipped models ("adlike", "comment_kind", "spam", "injection"), loaded once."""
    return LinearModel.load(HERE / f"{name}.json")


def _binary(name: str, positive: str, text: str) -> Verdict:
    """The verdict at the model's threshold; the words behind it only when it flags the text."""
    m = model(name)
    negative = m.classes[0]
    if m.logits is None or m.classes[1] != positive:
        raise ValueError(f"{name} is not a two-class model with {positive!r} as class 1")
    p, found = m.binary(text)
    probabilities = {positive: p, negative: 1.0 - p}
    if p < (m.threshold or 0.5):
        return Verdict(negative, 1.0 - p, probabilities, ())
    because = tuple(f for w, f in sorted(found, reverse=True)[:3] if w > 0)
    return Verdict(positive, p, probabilities, because)


def adlike(text: str) -> Verdict:
    """ "ad" or "ordinary", at the model's own threshold."""
    return _binary("adlike", "ad", text)


def spam(text: str) -> Verdict:
    """ "spam" or "ham"."""
    return _binary("spam", "spam", text)


def injection(text: str) -> Verdict:
    """ "injection" or "benign"."""
    return _binary("injection", "injection", text)


def comment_kind(text: str) -> Verdict:
    """question, complaint, praise, correction, suggestion or other (spam and injection
    attempts are the other two models' business)."""
    return model("comment_kind").predict(text)
