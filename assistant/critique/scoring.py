"""The 0-100 engagement score: every rule that fires costs its weight, repeats cost less."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from .model import Finding

REPEAT_SHARE = 0.25  # each further finding of the same rule costs a quarter of its weight
REPEAT_CAP = 2.0  # and one rule never costs more than twice its weight
DEFAULT_WEIGHT = 10.0  # for findings whose rule is not in the table (the LLM judge)


def engagement_score(findings: Iterable[Finding], weights: Mapping[str, float]) -> float:
    counts = Counter(f.rule for f in findings)
    penalty = 0.0
    for rule, count in counts.items():
        weight = weights.get(rule, DEFAULT_WEIGHT)
        penalty += min(weight * (1 + REPEAT_SHARE * (count - 1)), weight * REPEAT_CAP)
    return max(0.0, 100.0 - penalty)
