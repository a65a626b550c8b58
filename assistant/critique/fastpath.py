"""Rule patterns rewritten into forms `re` scans quickly, with the same matches.

`re` skips ahead to where a match can start only when it knows the first character. Two common
things hide it: IGNORECASE, and a leading `\\b`. So, where it is provably the same:
- a case-insensitive pattern with no capital letters runs without IGNORECASE on the lowercased
  text (same length, same offsets);
- a leading `\\b` is dropped from the regex and checked in Python at each candidate start;
- a pattern that cannot match without some literal ("off" in "30% off") is skipped when the
  post has none of them: `in` on a str is far cheaper than a regex scan.
Anything else runs as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

try:  # the parser behind `re`; only used to find required literals, so optional
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - other Python versions: no prefilter
    _sre = _sre_parse = None

MAX_REQUIRED = 12  # more alternatives than this cost more to check than they save

_ESCAPE_PAYLOAD = {"x": 2, "u": 4, "U": 8}


def _shape(source: str) -> tuple[bool, bool]:
    """(has capital letters outside escapes, has a top-level `|`)."""
    capitals = top_level_bar = False
    depth, i, in_class = 0, 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            kind = source[i + 1 : i + 2]
            if kind == "N" and source[i + 2 : i + 3] == "{":
                i = source.index("}", i) + 1
            else:
                i += 2 + _ESCAPE_PAYLOAD.get(kind, 0)
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 2 if source[i + 1 : i + 2] == "]" else 1  # "[]...]": the ] is a literal
            if source[i : i + 2] == "^]":
                i += 2
            continue
        elif source.startswith("(?P<", i):  # a named group: its name is not text to match
            depth += 1
            i = source.index(">", i)
        elif source.startswith("(?P=", i):  # a backreference by name
            i = source.index(")", i)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            top_level_bar = True
        capitals = capitals or char != char.lower()
        i += 1
    return capitals, top_level_bar


def required_literals(pattern: str, flags: int) -> tuple[str, ...] | None:
    """Strings of which any match must contain at least one, or None.

    Conservative: only plain literals in mandatory positions count; when unsure, None.
    """
    if _sre_parse is None:
        return None
    try:
        items = _sre_parse.parse(pattern, flags).data
        best = _best(_requirements(items))
    except Exception:  # noqa: BLE001 - a parser detail we do not know: just no prefilter
        return None
    return None if best is None else tuple(sorted(best))


def can_match_empty(pattern: str, flags: int) -> bool:
    """Whether the pattern can match zero characters anywhere (e.g. `\\b` or `x*`)."""
    if _sre_parse is None:
        return re.compile(pattern, flags).match("") is not None
    return _sre_parse.parse(pattern, flags).getwidth()[0] == 0


def _requirements(items) -> list[frozenset[str]]:
    """For a sequence of parsed items: sets of literals, one of each must occur in a match."""
    out: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if _repeated_literal(op, av):
            # "!!+" needs "!!"; the last repeat also touches whatever literal follows.
            char = chr(av[2].data[0][1])
            run.extend(char * av[0])
            if av[1] != av[0]:
                flush()
                run.append(char)
            continue
        if op is _sre.BRANCH and run:
            # "\.(?:com|co)": the literal before joins each alternative's leading literal.
            prefix = "".join(run)
            out.append(frozenset(prefix + _leading_literal(alt.data) for alt in av[1]))
        flush()
        if op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if not (add_flags | del_flags) & re.IGNORECASE:
                out.extend(_requirements(sub.data))
        elif op is _sre.BRANCH:
            alternatives = [_best(_requirements(alt.data)) for alt in av[1]]
            if all(alternatives):
                out.append(frozenset().union(*alternatives))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            low, _high, sub = av
            if low >= 1:
                out.extend(_requirements(sub.data))
        elif op is _sre.ATOMIC_GROUP:
            out.extend(_requirements(av.data))
    flush()
    return out


def _leading_literal(items) -> str:
    chars = []
    for op, av in items:
        if op is not _sre.LITERAL:
            break
        chars.append(chr(av))
    return "".join(chars)


def _repeated_literal(op, av) -> bool:
    return (
        op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)
        and av[0] >= 1
        and len(av[2].data) == 1
        and av[2].data[0][0] is _sre.LITERAL
    )


def _best(requirements: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective requirement worth checking: longest shortest literal, then fewest
    literals; None when every one has too many alternatives."""
    usable = [r for r in requirements if len(r) <= MAX_REQUIRED]
    if not usable:
        return None
    return max(usable, key=lambda r: (min(map(len, r)), -len(r)))


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class FastPattern:
    """A rule pattern plus how to run it: on which text, with which start check.

    The regex is compiled on first use: most patterns never pass their literal check on a
    given post, and compiling all of them would cost `draft critique` a noticeable start-up.
    """

    def __init__(self, source: str, flags: int):
        original, original_flags = source, flags
        capitals, top_level_bar = _shape(source)
        self.lowered = bool(flags & re.IGNORECASE) and not capitals
        if self.lowered:
            flags &= ~re.IGNORECASE
        self.boundary = source.startswith(r"\b") and not top_level_bar
        if self.boundary:
            source = source[2:]
        self.source, self.flags = source, flags
        self._regex: re.Pattern[str] | None = None
        self.narrow = "(?P<match>" in source
        ignorecase = bool(original_flags & re.IGNORECASE)
        required = required_literals(original, original_flags)
        if required and ignorecase:
            required = tuple(lit.lower() for lit in required)
        self.required = required
        self.required_in_lowered = ignorecase

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.source, self.flags)
        return self._regex

    def may_match(self, masked: str, lowered: str) -> bool:
        """False when a required literal is missing: the regex cannot match."""
        required = self.required
        if required is None:
            return True
        haystack = lowered if self.required_in_lowered else masked
        return any(literal in haystack for literal in required)

    def spans(self, masked: str, lowered: str) -> list[tuple[int, int]]:
        """(start, end) of every match, narrowed to a `(?P<match>...)` group if there is one.
        Callers check `may_match` first."""
        text = lowered if self.lowered else masked
        matches = self._boundary_matches(text) if self.boundary else self.regex.finditer(text)
        if self.narrow:
            return [m.span("match") for m in matches]
        return [m.span() for m in matches]

    def finditer(self, masked: str, lowered: str) -> Iterator[re.Match[str]]:
        """Like `re.finditer` with the original pattern on the masked text."""
        if not self.may_match(masked, lowered):
            return iter(())
        text = lowered if self.lowered else masked
        return self._boundary_matches(text) if self.boundary else self.regex.finditer(text)

    def _boundary_matches(self, text: str) -> Iterator[re.Match[str]]:
        search, pos, size = self.regex.search, 0, len(text)
        while (m := search(text, pos)) is not None:
            start = m.start()
            before = start > 0 and _is_word(text[start - 1])
            after = start < size and _is_word(text[start])
            if before != after:  # a word boundary, as `\b` would have required
                yield m
                pos = m.end() if m.end() > start else start + 1
            else:
                pos = start + 1
            if pos > size:
                return
