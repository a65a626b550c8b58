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
    m = model(name)
    verdict = m.predict(text)
    p = verdict.probabilities[positive]
    flagged = p >= (m.threshold or 0.5)
    negative = next(c for c in m.classes if c != positive)
    label = positive if flagged else negative
    because = verdict.because if verdict.label == label else ()
    return Verdict(label, verdict.probabilities[label], verdict.probabilities, because)


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
