"""Parsing one rule file: strict checks on every field, patterns compiled at load time.

Any mistake raises RuleError naming the file and the field, so a broken rule fails loudly
instead of silently never matching. The format is described in rules.py.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

from assistant.errors import RuleError
from assistant.platforms import Platform

from .fastpath import can_match_empty
from .model import SEVERITIES
from .phrases import normalise_phrase
from .ruletypes import KINDS, Example, Rule

_ID = re.compile(r"^[a-z][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+$")
_COMMON = {
    "id",
    "kind",
    "severity",
    "weight",
    "message",
    "description",
    "ignorecase",
    "exceptions",
    "skip_questions",
    "clause_start",
    "suggestion",
    "examples",
}
_BY_KIND = {
    "existence": {"tokens", "patterns", "followed_by"},
    "substitution": {"swap"},
    "occurrence": {"tokens", "patterns", "min", "max", "max_from"},
    "ratio": {"numerator", "denominator", "max_ratio", "min_count", "min_words"},
    "required": {"tokens", "patterns", "min_words"},
    "aggregate": {"rules", "max", "count"},
    "length": set(),
    "facts": set(),
}
_PLACEHOLDERS = {
    "match",
    "suggestion",
    "count",
    "max",
    "min",
    "limit",
    "length",
    "numerator",
    "denominator",
}
_PLATFORM_COUNTS = {f.name for f in fields(Platform) if f.type in ("int", int)}


def load_rule_file(path: Path) -> Rule:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise RuleError(f"rule file {path}: cannot read ({e})") from e
    except tomllib.TOMLDecodeError as e:
        raise RuleError(f"rule file {path}: not valid TOML ({e})") from e
    return _Parser(path, data).rule()


class _Parser:
    """Turns one file's TOML table into a Rule, or raises RuleError naming file and field."""

    def __init__(self, path: Path, data: dict[str, Any]):
        self.path = path
        self.data = data

    def fail(self, field: str, problem: str) -> RuleError:
        return RuleError(f"rule file {self.path.name}: {field}: {problem}")

    def rule(self) -> Rule:
        kind = self.choice("kind", KINDS)
        allowed = _COMMON | _BY_KIND[kind]
        for key in self.data:
            if key not in allowed:
                raise self.fail(
                    key, f"unknown field for kind {kind!r} (allowed: {', '.join(sorted(allowed))})"
                )
        rule_id = self.string("id")
        if not _ID.match(rule_id):
            raise self.fail("id", f"{rule_id!r} is not a dotted lowercase id like 'cta.hard-sell'")
        if self.path.stem != rule_id:
            raise self.fail("id", f"{rule_id!r} must match the file name ({self.path.stem}.toml)")
        ignorecase = self.boolean("ignorecase", True)
        flags = re.IGNORECASE if ignorecase else 0
        kwargs: dict[str, Any] = {
            "id": rule_id,
            "kind": kind,
            "path": self.path,
            "severity": self.choice("severity", SEVERITIES),
            "weight": self.number("weight", low=0, high=100),
            "message": self.message(),
            "description": self.string("description", ""),
            "ignorecase": ignorecase,
            "skip_questions": self.boolean("skip_questions", False),
            "clause_start": self.boolean("clause_start", False),
            "suggestion": self.string("suggestion", "") or None,
            "exceptions": tuple(
                normalise_phrase(p, lower=ignorecase) for p in self.strings("exceptions")
            ),
        }
        self.ignorecase = ignorecase
        kwargs.update(getattr(self, f"_{kind}")(flags))
        good, bad = self.examples()
        return Rule(**kwargs, good=good, bad=bad)

    # kind-specific fields ------------------------------------------------------------------

    def _existence(self, flags: int) -> dict[str, Any]:
        out = self.matchers(flags)
        follow = self.string("followed_by", "")
        if follow and not out["tokens"]:
            raise self.fail("followed_by", "needs tokens to follow")
        out["followed_by"] = self.compile("followed_by", follow, flags) if follow else None
        return out

    def _substitution(self, flags: int) -> dict[str, Any]:
        table = self.data.get("swap")
        if not isinstance(table, dict) or not table:
            raise self.fail("swap", 'required: a table of phrase = "suggestion"')
        pairs = []
        for phrase, suggestion in table.items():
            if not isinstance(suggestion, str) or not phrase.strip():
                raise self.fail(f"swap.{phrase}", "must map a phrase to a suggestion string")
            pairs.append((normalise_phrase(phrase, lower=self.ignorecase), suggestion))
        return {"swap": tuple(pairs)}

    def _occurrence(self, flags: int) -> dict[str, Any]:
        out = self.matchers(flags)
        out["min"] = self.integer("min", None)
        out["max"] = self.integer("max", None)
        max_from = self.string("max_from", "") or None
        if max_from and max_from not in _PLATFORM_COUNTS:
            raise self.fail(
                "max_from",
                f"{max_from!r} is not a platform count "
                f"(one of: {', '.join(sorted(_PLATFORM_COUNTS))})",
            )
        if out["min"] is None and out["max"] is None and max_from is None:
            raise self.fail("max", "an occurrence rule needs min, max or max_from")
        return {**out, "max_from": max_from}

    def _ratio(self, flags: int) -> dict[str, Any]:
        return {
            "numerator": self.joined_patterns("numerator", flags),
            "denominator": self.joined_patterns("denominator", flags),
            "max_ratio": self.number("max_ratio", low=0, high=1000, default=1.0),
            "min_count": self.integer("min_count", 1),
            "min_words": self.integer("min_words", 0),
        }

    def _required(self, flags: int) -> dict[str, Any]:
        out = self.matchers(flags)
        out["min_words"] = self.integer("min_words", 0)
        return out

    def _aggregate(self, flags: int) -> dict[str, Any]:
        rules = self.strings("rules")
        if not rules:
            raise self.fail("rules", "required: the rule ids this rule counts")
        maximum = self.integer("max", None)
        if maximum is None:
            raise self.fail("max", "required: how many findings are fine")
        count = self.data.get("count", "findings")
        if count not in ("findings", "rules"):
            raise self.fail("count", f"{count!r} is not one of: findings, rules")
        return {"rules": tuple(rules), "max": maximum, "count": count}

    def _length(self, flags: int) -> dict[str, Any]:
        return {}

    _facts = _length

    # typed field readers ---------------------------------------------------------------------

    def matchers(self, flags: int) -> dict[str, Any]:
        tokens = tuple(normalise_phrase(t, lower=self.ignorecase) for t in self.strings("tokens"))
        if any(not t for t in tokens):
            raise self.fail("tokens", "contains an empty phrase")
        patterns = tuple(self.compile("patterns", p, flags) for p in self.strings("patterns"))
        if not tokens and not patterns:
            raise self.fail("tokens", "required: tokens or patterns (or both)")
        return {"tokens": tokens, "patterns": patterns}

    def joined_patterns(self, field: str, flags: int) -> re.Pattern[str]:
        parts = self.strings(field)
        if not parts:
            raise self.fail(field, "required: a list of regular expressions")
        for part in parts:
            self.compile(field, part, flags)
        joined = parts[0] if len(parts) == 1 else "|".join(f"(?:{p})" for p in parts)
        return self.compile(field, joined, flags)

    def compile(self, field: str, pattern: str, flags: int) -> re.Pattern[str]:
        try:
            compiled = re.compile(pattern, flags)
        except re.error as e:
            raise self.fail(field, f"bad regular expression {pattern!r}: {e}") from e
        if field != "followed_by" and can_match_empty(pattern, flags):
            raise self.fail(field, f"{pattern!r} can match empty text: give it something to find")
        if set(compiled.groupindex) - {"match"}:
            raise self.fail(field, f"{pattern!r}: the only named group allowed is (?P<match>...)")
        return compiled

    def message(self) -> str:
        text = self.string("message")
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        except ValueError as e:
            raise self.fail("message", f"bad placeholder ({e}); write braces as {{{{ }}}}") from e
        unknown = names - _PLACEHOLDERS
        if unknown:
            raise self.fail(
                "message",
                f"unknown placeholder {{{sorted(unknown)[0]}}} "
                f"(known: {', '.join(sorted(_PLACEHOLDERS))}, %s)",
            )
        return text

    def examples(self) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
        table = self.data.get("examples")
        if not isinstance(table, dict):
            raise self.fail("examples", "required: [examples] with good = [...] and bad = [...]")
        unknown = set(table) - {"good", "bad"}
        if unknown:
            raise self.fail(f"examples.{sorted(unknown)[0]}", "unknown field (use good and bad)")
        out = []
        for which in ("good", "bad"):
            items = table.get(which)
            if not isinstance(items, list) or not items:
                raise self.fail(f"examples.{which}", "required: a non-empty list")
            out.append(tuple(self.example(f"examples.{which}", item) for item in items))
        return out[0], out[1]

    def example(self, field: str, item: Any) -> Example:
        if isinstance(item, str) and item.strip():
            return Example(item)
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            unknown = set(item) - {"text", "source", "platform"}
            if unknown:
                raise self.fail(field, f"unknown example field {sorted(unknown)[0]!r}")
            return Example(item["text"], item.get("source"), item.get("platform", "x"))
        raise self.fail(field, "each example is a string or {text = ..., source = ...}")

    def string(self, field: str, default: str | None = None) -> str:
        value = self.data.get(field, default)
        if value is None:
            raise self.fail(field, "required")
        if not isinstance(value, str):
            raise self.fail(field, "must be a string")
        return value

    def strings(self, field: str) -> list[str]:
        value = self.data.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(field, "must be a list of strings")
        return value

    def choice(self, field: str, options: tuple[str, ...]) -> str:
        value = self.string(field)
        if value not in options:
            raise self.fail(field, f"{value!r} is not one of: {', '.join(options)}")
        return value

    def boolean(self, field: str, default: bool) -> bool:
        value = self.data.get(field, default)
        if not isinstance(value, bool):
            raise self.fail(field, "must be true or false")
        return value

    def integer(self, field: str, default: int | None) -> int | None:
        value = self.data.get(field, default)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise self.fail(field, "must be a whole number, 0 or more")
        return value

    def number(self, field: str, *, low: float, high: float, default: float | None = None) -> float:
        value = self.data.get(field, default)
        if value is None:
            raise self.fail(field, "required")
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not (low <= value <= high)
        ):
            raise self.fail(field, f"must be a number from {low:g} to {high:g}")
        return float(value)
