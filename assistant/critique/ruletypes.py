"""What a loaded rule is: the kinds there are, a Rule and its examples."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

KINDS = (
    "existence",
    "substitution",
    "occurrence",
    "ratio",
    "required",
    "aggregate",
    "length",
    "facts",
)


@dataclass(frozen=True)
class Example:
    text: str
    source: str | None = None
    platform: str = "x"


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    severity: str
    weight: float
    message: str
    path: Path
    description: str = ""
    ignorecase: bool = True
    tokens: tuple[str, ...] = ()  # normalised literal phrases
    patterns: tuple[re.Pattern[str], ...] = ()
    exceptions: tuple[str, ...] = ()
    skip_questions: bool = False  # a sentence asking the reader something is not a hard sell
    clause_start: bool = False  # imperatives start a clause: "Book now" but not "a book now"
    followed_by: re.Pattern[str] | None = None  # existence: what must follow a token
    swap: tuple[tuple[str, str], ...] = ()  # (phrase, suggestion)
    suggestion: str | None = None
    min: int | None = None
    max: int | None = None
    max_from: str | None = None  # a Platform field, e.g. "hashtags_ok"
    numerator: re.Pattern[str] | None = None
    denominator: re.Pattern[str] | None = None
    max_ratio: float = 1.0
    min_count: int = 1
    min_words: int = 0
    rules: tuple[str, ...] = ()  # aggregate: the rule ids it counts
    count: str = "findings"  # aggregate: count "findings" (distinct places) or distinct "rules"
    good: tuple[Example, ...] = ()
    bad: tuple[Example, ...] = ()

    @property
    def flags(self) -> int:
        return re.IGNORECASE if self.ignorecase else 0
