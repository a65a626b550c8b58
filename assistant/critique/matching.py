"""Finding where a rule's phrases and patterns occur in a post.

`Scan` holds the three views of one post the rules look at. `Matcher` finds one rule's spans;
`PhraseIndex` finds the phrases of many rules in one pass (see phrases.py for why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.platforms import Platform

from .fastpath import FastPattern
from .phrases import (
    ends_at_word_edge,
    is_word_char,
    phrase_key,
    starts_at_word_edge,
    trie_pattern,
)
from .rules import Rule

Span = tuple[int, int]


@dataclass
class Scan:
    text: str  # the post as given: offsets and matched text come from here
    masked: str  # quotations and brand vocabulary blanked, same length
    lowered: str  # masked, lowercased, same length
    platform: Platform
    source: str | None = None
    _words: int | None = field(default=None, repr=False)

    def haystack(self, ignorecase: bool) -> str:
        return self.lowered if ignorecase else self.masked

    @property
    def words(self) -> int:
        if self._words is None:
            self._words = len(self.masked.replace("\x00", " ").split())
        return self._words


def phrase_spans(pattern: re.Pattern[str], haystack: str) -> list[Span]:
    """Whole-phrase matches of a trie pattern, leftmost first, without overlaps."""
    out: list[Span] = []
    search, pos = pattern.search, 0
    while (m := search(haystack, pos)) is not None:
        start, end = m.span()
        if starts_at_word_edge(haystack, start) and ends_at_word_edge(haystack, end):
            out.append((start, end))
            pos = end
        else:  # inside a word: a real match may still start right after this point
            pos = start + 1
    return out


def without_overlaps(spans: list[Span]) -> list[Span]:
    """Sorted spans, keeping the first (longest at a tie) of any that overlap."""
    if len(spans) < 2:
        return list(spans)
    out: list[Span] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not out or start >= out[-1][1]:
            out.append((start, end))
    return out


def shares_tokens(rule: Rule) -> bool:
    """Whether the rule's tokens are found by the shared PhraseIndex (plain phrases)."""
    return rule.kind in ("existence", "substitution") and rule.followed_by is None


class RulePatterns:
    """Every rule's own patterns and phrase tries, run in one flat loop.

    Most patterns are skipped by their required-literal check, so the loop's own overhead is
    what a clean post costs: keep it to a few operations per pattern.
    """

    def __init__(self, rules: list[Rule]):
        self.patterns: list[tuple[str, FastPattern]] = []
        self.tries: list[tuple[str, re.Pattern[str], bool]] = []
        self.sources: dict[str, list[str]] = {rule.id: [] for rule in rules}
        for rule in rules:
            self.patterns.extend((rule.id, FastPattern(p.pattern, p.flags)) for p in rule.patterns)
            tokens = () if shares_tokens(rule) else rule.tokens
            if tokens and rule.followed_by is not None:
                # One regex: the tokens as a trie (quick to scan), then what must follow.
                combined = rf"\b(?:{trie_pattern(tokens)})(?:{rule.followed_by.pattern})"
                self.patterns.append((rule.id, FastPattern(combined, rule.flags)))
            elif tokens:
                self.tries.append((rule.id, re.compile(trie_pattern(tokens)), rule.ignorecase))
        for rule_id, pattern in self.patterns:
            self.sources[rule_id].append(pattern.source)
        for rule_id, trie, _ in self.tries:
            self.sources[rule_id].append(trie.pattern)

    def find(self, scan: Scan) -> dict[str, list[Span]]:
        """Rule id -> spans of its own patterns and tries in this post (unsorted)."""
        found: dict[str, list[Span]] = {}
        masked, lowered, text = scan.masked, scan.lowered, scan.text
        plain = text.isascii()  # no combining marks, so every regex word end is a real one
        for rule_id, pattern in self.patterns:
            required = pattern.required  # inlined may_match(): this loop is the hot path
            if required is not None:
                haystack = lowered if pattern.required_in_lowered else masked
                for literal in required:
                    if literal in haystack:
                        break
                else:
                    continue
            spans = pattern.spans(masked, lowered)  # never empty: see rules.py
            if not plain:
                spans = [(s, e) for s, e in spans if ends_at_word_edge(text, e)]
            if spans:
                found.setdefault(rule_id, []).extend(spans)
        for rule_id, trie, ignorecase in self.tries:
            spans = phrase_spans(trie, lowered if ignorecase else masked)
            if spans:
                found.setdefault(rule_id, []).extend(spans)
        return found


_SENTENCE_END = re.compile(r"[.!?\n]")
_ONE_WORD = re.compile(r"\w+")
_JOINERS = frozenset({"and", "or", "then", "so"})


def in_question(text: str, end: int) -> bool:
    """Whether the sentence around `end` ends with a question mark."""
    m = _SENTENCE_END.search(text, end)
    return m is not None and m.group() == "?"


def starts_clause(text: str, start: int) -> bool:
    """Whether `start` begins a clause: after nothing, a newline, punctuation, a dash, an arrow
    or an emoji, or after a joining word ("come in and grab one now")."""
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i == 0 or text[i - 1] == "\n":
        return True
    if not is_word_char(text[i - 1]) and text[i - 1] not in "'\u2019,\"\u201c\u201d":
        return True
    word_start = i
    while word_start > 0 and is_word_char(text[word_start - 1]):
        word_start -= 1
    return text[word_start:i].lower() in _JOINERS


class Exceptions:
    """Where a rule's matches are not flagged: inside its exception phrases ("feel free" for
    "free"), in a question to the reader (skip_questions), mid-clause (clause_start)."""

    def __init__(self, rule: Rule):
        self.ignorecase = rule.ignorecase
        # A one-word exception can only cover a match equal to it ("FAQ"): a set lookup.
        # Longer ones ("feel free") may contain a match: those need a scan.
        self.words = {
            e.lower() if rule.ignorecase else e for e in rule.exceptions if _ONE_WORD.fullmatch(e)
        }
        longer = [e for e in rule.exceptions if not _ONE_WORD.fullmatch(e)]
        self.longer = trie_pattern(longer) if longer else None  # compiled when first needed
        self._trie: re.Pattern[str] | None = None
        self.skip_questions = rule.skip_questions
        self.clause_start = rule.clause_start
        self.active = bool(self.words or longer or self.skip_questions or self.clause_start)

    def filter(self, scan: Scan, spans: list[Span]) -> list[Span]:
        if not spans or not self.active:
            return spans
        if self.clause_start:
            spans = [(s, e) for s, e in spans if starts_clause(scan.masked, s)]
        if self.skip_questions:
            spans = [(s, e) for s, e in spans if not in_question(scan.masked, e)]
        if self.words and spans:
            # A match equal to a one-word exception is itself one word: no need to normalise
            # spaces or hyphens, only case.
            text, words = scan.text, self.words
            if self.ignorecase:
                spans = [(s, e) for s, e in spans if text[s:e].lower() not in words]
            else:
                spans = [(s, e) for s, e in spans if text[s:e] not in words]
        if self.longer is not None and spans:
            if self._trie is None:
                self._trie = re.compile(self.longer)
            allowed = phrase_spans(self._trie, scan.haystack(self.ignorecase))
            spans = [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in allowed)]
        return spans


class PhraseIndex:
    """The plain tokens and swap phrases of many rules, found in one pass over the post."""

    def __init__(self, rules: list[Rule], *, ignorecase: bool):
        self.ignorecase = ignorecase
        self.lookup: dict[str, list[tuple[str, str | None]]] = {}
        phrases = set()
        for rule in filter(shares_tokens, rules):
            entries = [(t, rule.suggestion) for t in rule.tokens] + list(rule.swap)
            for phrase, suggestion in entries:
                phrases.add(phrase)
                key = phrase_key(phrase, lower=ignorecase)
                self.lookup.setdefault(key, []).append((rule.id, suggestion))
        # Hundreds of phrases start with almost every letter, so skipping ahead by first letter
        # gains little; failing fast mid-word (the lookbehind) halves the scan.
        trie = trie_pattern(sorted(phrases))
        self.pattern = re.compile(rf"(?<!\w){trie}") if phrases else None

    def find(self, scan: Scan) -> dict[str, list[tuple[int, int, str | None]]]:
        """Rule id -> (start, end, suggestion) for every phrase found."""
        if self.pattern is None:
            return {}
        haystack = scan.haystack(self.ignorecase)
        found: dict[str, list[tuple[int, int, str | None]]] = {}
        for start, end in phrase_spans(self.pattern, haystack):
            key = phrase_key(haystack[start:end], lower=self.ignorecase)
            for rule_id, suggestion in self.lookup.get(key, ()):
                found.setdefault(rule_id, []).append((start, end, suggestion))
        return found
