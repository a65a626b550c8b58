"""The text the rules see: the post with quoted customer words and brand vocabulary blanked out.

Blanking keeps every offset: each hidden code point becomes one NUL, which is neither a word
character nor whitespace, so no phrase can match across it and nothing inside it counts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .phrases import ends_at_word_edge, normalise_phrase, starts_at_word_edge, trie_pattern

BLANK = "\x00"
_QUOTE_CHARS = ('"', "\u201c", "\u00ab", "\u201e")
# Pairs of quote marks on one line: straight, curly, guillemets, German low-high.
_QUOTED = re.compile(
    r'"([^"\n]*)"|\u201c([^\u201d\n]*)\u201d|\u00ab([^\u00bb\n]*)\u00bb'
    r"|\u201e([^\u201c\u201d\n]*)[\u201c\u201d]"
)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quotations inside `text` (the words between the marks).

    A quotation has at least two words: a lone word in quotes ("FREE") is the brand's own
    emphasis, not somebody else's words.
    """
    if not any(mark in text for mark in _QUOTE_CHARS):  # `in` is far cheaper than a scan
        return []
    spans = []
    for m in _QUOTED.finditer(text):
        group = next(i for i in range(1, 5) if m.group(i) is not None)
        content = m.group(group).strip()
        if len(content.split()) >= 2:
            spans.append((m.start(group), m.end(group)))
    return spans


@lru_cache(maxsize=64)
def _vocabulary_pattern(vocabulary: tuple[str, ...]) -> re.Pattern[str] | None:
    phrases = sorted({normalise_phrase(v) for v in vocabulary if v.strip()})
    return re.compile(trie_pattern(phrases)) if phrases else None


def vocabulary_spans(lowered: str, vocabulary: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the brand's own words occur (case-insensitive, as whole words)."""
    pattern = _vocabulary_pattern(vocabulary) if vocabulary else None
    if pattern is None:
        return []
    return [
        m.span()
        for m in pattern.finditer(lowered)
        if starts_at_word_edge(lowered, m.start()) and ends_at_word_edge(lowered, m.end())
    ]


def lowercase(text: str) -> str:
    """`text.lower()` with the same length (only U+0130 grows when lowercased)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.replace("\u0130", "I").lower()


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    parts, last = [], 0
    for start, end in sorted(spans):
        start = max(start, last)
        if end <= start:
            continue
        parts.append(text[last:start])
        parts.append(BLANK * (end - start))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in code points) of a 0-based offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
