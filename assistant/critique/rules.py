"""Critique rules as data: one TOML file per rule, validated strictly, compiled once.

Modelled on Vale and proselint. A rule file looks like:

    id = "urgency.pressure"          # dotted; the file must be named urgency.pressure.toml
    kind = "existence"               # see KINDS
    severity = "error"               # error | warning | suggestion
    weight = 20                      # points taken off the 0-100 engagement score
    message = "'%s' pressures the reader; give them a reason to reply instead."
    tokens = ["act now", "hurry"]    # literal phrases, case-insensitive, spacing-tolerant
    patterns = ['\\bonly \\d+ left\\b']  # regular expressions
    exceptions = ["hurry back"]      # matches inside these phrases are not flagged
    skip_questions = true            # not flagged in a sentence ending with "?"
    clause_start = true              # only flagged where a clause starts (an imperative)
    [examples]
    good = ["Take your time: which one would you pick?"]
    bad = ["Act now before it's gone."]

Kind-specific fields:
  existence     tokens, patterns, followed_by (a regex that must follow a token: "book" + "now")
  substitution  swap (phrase = "suggestion")
  occurrence    tokens, patterns, min, max, max_from (a platform count such as hashtags_ok)
  ratio         numerator, denominator, max_ratio, min_count, min_words
  required      tokens, patterns, min_words
  aggregate     rules, max, count ("findings": distinct places, or "rules": distinct rules)
  length, facts (no extra fields: the platform limit, the source text)
Any mistake raises RuleError naming the file and the field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.errors import RuleError
from assistant.resources import data_path

from .rulefile import load_rule_file
from .ruletypes import KINDS, Example, Rule

__all__ = ["KINDS", "Example", "Rule", "builtin_rules_dir", "load_rule_file", "load_rules"]


def builtin_rules_dir() -> Path:
    return data_path("rules")


@lru_cache(maxsize=16)
def load_rules(user_dir: str | None = None) -> tuple[Rule, ...]:
    """Built-in rules, then the user's folder (same id overrides), sorted by id. Cached."""
    by_id = {rule.id: rule for rule in _load_dir(builtin_rules_dir())}
    if user_dir:
        folder = Path(user_dir).expanduser()
        if not folder.is_dir():
            raise RuleError(f"rules folder {folder} does not exist")
        by_id.update({rule.id: rule for rule in _load_dir(folder)})
    rules = tuple(sorted(by_id.values(), key=lambda r: r.id))
    _check_aggregates(rules)
    return rules


def _load_dir(folder: Path) -> list[Rule]:
    return [load_rule_file(path) for path in sorted(folder.glob("*.toml"))]


def _check_aggregates(rules: tuple[Rule, ...]) -> None:
    kinds = {rule.id: rule.kind for rule in rules}
    for rule in rules:
        for counted in rule.rules:
            if counted not in kinds:
                raise RuleError(f"rule file {rule.path.name}: rules: unknown rule id {counted!r}")
            if kinds[counted] == "aggregate":
                raise RuleError(
                    f"rule file {rule.path.name}: rules: {counted!r} is an aggregate;"
                    " an aggregate counts plain rules only"
                )
