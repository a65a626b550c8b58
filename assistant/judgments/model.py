"""A linear text classifier stored as JSON and scored in pure Python.

A model file holds the classes, one bias per class and, for each feature it kept, one weight
per class. Scoring a text is a dictionary lookup per feature and a softmax: no numpy, so
importing it costs nothing and `draft critique` still starts fast.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from .features import features


@dataclass(frozen=True)
class Verdict:
    label: str
    probability: float  # of `label`
    probabilities: dict[str, float]
    because: tuple[str, ...]  # the features that pushed hardest towards `label`


class LinearModel:
    def __init__(self, data: dict):
        self.name: str = data["name"]
        self.classes: list[str] = data["classes"]
        self.bias: list[float] = data["bias"]
        self.weights: dict[str, list[float]] = data["weights"]
        self.threshold: float | None = data.get("threshold")
        self.meta: dict = data.get("meta", {})
        # Two classes with class 0 at zero (how train.py writes them): one logit per feature.
        self.logits: dict[str, float] | None = None
        if (
            len(self.classes) == 2
            and self.bias[0] == 0
            and all(r[0] == 0 for r in self.weights.values())
        ):
            self.logits = {f: r[1] for f, r in self.weights.items()}

    def binary(self, text: str) -> tuple[float, list[tuple[float, str]]]:
        """P(class 1) of a two-class model and the (weight, feature) pairs found: the fast path."""
        logits = self.logits
        found = [(logits[f], f) for f in set(features(text)) if f in logits]
        total = self.bias[1] + sum(w for w, _ in found)
        return (0.0 if total < -30 else 1.0 / (1.0 + math.exp(-total))), found

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def scores(self, text: str) -> tuple[list[float], list[str]]:
        weights = self.weights
        total = list(self.bias)
        seen = []
        for feature in set(features(text)):
            row = weights.get(feature)
            if row is not None:
                seen.append(feature)
                for i, w in enumerate(row):
                    total[i] += w
        return total, seen

    def probabilities(self, text: str) -> dict[str, float]:
        return dict(zip(self.classes, _softmax(self.scores(text)[0]), strict=True))

    def probability(self, text: str, label: str) -> float:
        return self.probabilities(text)[label]

    def predict(self, text: str, *, top: int = 3) -> Verdict:
        total, seen = self.scores(text)
        probs = _softmax(total)
        best = max(range(len(probs)), key=probs.__getitem__)
        others = [i for i in range(len(probs)) if i != best]

        def push(feature: str) -> float:  # towards the winner, against the runner-up
            row = self.weights[feature]
            return row[best] - max((row[i] for i in others), default=0.0)

        because = tuple(f for f in sorted(seen, key=push, reverse=True)[:top] if push(f) > 0)
        return Verdict(
            self.classes[best],
            probs[best],
            dict(zip(self.classes, probs, strict=True)),
            because,
        )


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]
