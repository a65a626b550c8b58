"""Literal phrases ("tokens") to regex: one trie-shaped pattern per group of phrases.

Why a trie: `re` tries every alternative at every position, so 300 phrases joined with `|` cost
~300 checks per character. A trie shares prefixes and lets `re` skip positions by first
character. Phrases are matched against lowercased text, so the pattern has no IGNORECASE flag
(which would turn that first-character skip off).

Spelling is forgiving the way people type: any run of whitespace for a space, straight or curly
apostrophes, and a hyphen that may be a space or missing ("risk-free", "risk free", "riskfree").
"""

from __future__ import annotations

import re
import unicodedata

_HYPHENS = "-\u2010\u2011"
_HYPHEN_CLASS = "\\-\u2010\u2011"  # for inside [...]
_APOSTROPHES = "'\u2019"
_KEY_DROP = re.compile(rf"[\s{_HYPHEN_CLASS}]+")


def phrase_key(text: str, *, lower: bool = True) -> str:
    """What a phrase and any text it matches have in common: no hyphens or spaces, straight
    apostrophes, lowercase unless the rule is case-sensitive."""
    key = _KEY_DROP.sub("", text).replace("\u2019", "'")
    return key.lower() if lower else key


def is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.combining(char) > 0


def _fragment(char: str) -> str:
    if char.isspace():
        return r"\s+"
    if char in _HYPHENS:
        return rf"(?:[{_HYPHEN_CLASS}]|\s+)?"
    if char in _APOSTROPHES:
        return f"[{_APOSTROPHES}]"
    return re.escape(char)


def normalise_phrase(phrase: str, *, lower: bool = True) -> str:
    """The form a phrase is stored in: single spaces, straight apostrophes, lowercase unless
    the rule is case-sensitive."""
    phrase = " ".join(phrase.replace("\u2019", "'").split())
    return phrase.lower() if lower else phrase


def trie_pattern(phrases: list[str] | tuple[str, ...]) -> str:
    """One regex matching any of `phrases` (already normalised), longest first at a position.

    A phrase that ends in a word character must end at a word boundary; the start boundary is
    checked by the caller (`starts_at_word_edge`), because a leading lookbehind or `\\b` would
    stop `re` from skipping ahead by first character.
    """
    root: dict = {}
    for phrase in phrases:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(root, last="")


def _node_pattern(node: dict, last: str) -> str:
    branches = [
        _fragment(char) + _node_pattern(child, char) for char, child in sorted(node.items()) if char
    ]
    if "" in node:  # a phrase may end here: try longer phrases first, then stop
        branches.append(r"\b" if last and is_word_char(last) else "")
    if not branches:
        return ""
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def starts_at_word_edge(text: str, start: int) -> bool:
    """False when a match begins inside a word ("sale" in "resale")."""
    if start == 0 or not is_word_char(text[start]):
        return True
    return not is_word_char(text[start - 1])


def ends_at_word_edge(text: str, end: int) -> bool:
    """False when a combining mark follows: "cafe" must not match the start of "café"."""
    return (
        end >= len(text) or unicodedata.combining(text[end]) == 0 or not is_word_char(text[end - 1])
    )
