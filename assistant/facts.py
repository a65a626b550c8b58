"""Checkable facts in a post: numbers, prices, percentages, dates, times, URLs, codes, @handles.

A rewrite may drop facts but never add one. `unsupported_facts(candidate, source)` lists every
fact in the candidate that the source does not back, with offsets, so the critique can point
at it and the pipeline can reject the candidate. Stdlib only: this runs on every candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = {
    m[:3]: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
# Full weekday names; abbreviations only before a day number ("Sat 3 May"), since "sun", "sat"
# and "wed" are also ordinary words.
_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?(?=\s+\d)"
)
_ORD = r"(?:st|nd|rd|th)?"

# Order matters: earlier kinds win where matches overlap (a URL's digits are not numbers).
_PATTERNS: list[tuple[str, str]] = [
    (
        "url",
        r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|co|shop|store|app|dev|ly|me|uk|ca|de|fr|es)(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)])?\b",
    ),
    ("email", r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    ("handle", r"(?<![\w@])@[A-Za-z0-9_]{2,30}\b"),
    (
        "date",
        rf"\b{_MONTH}\s+\d{{1,2}}{_ORD}(?:,?\s+\d{{4}})?\b|\b\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b",
    ),
    ("weekday", rf"\b(?:{_WEEKDAY})(?![a-z])"),
    ("time", r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b"),
    ("phone", r"(?<!\w)\+?\d[\d\s().-]{7,}\d\b"),
    (
        "price",
        r"[$£€¥₹]\s?\d[\d,]*(?:\.\d+)?(?:\s?[kKmM]\b)?|\b\d[\d,]*(?:\.\d+)?\s?(?:USD|EUR|GBP|dollars|euros|pounds|bucks)\b",
    ),
    ("percent", r"\b\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b)"),
    (
        "code",
        r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z][A-Z0-9]{3,}\b|(?<=\bcode\s)[A-Za-z0-9]{3,}\b|(?<=\bcode:\s)[A-Za-z0-9]{3,}\b",
    ),
    ("number", r"\b\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th|x|k|K|\+)?\b"),
]
_COMBINED = re.compile(
    "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _PATTERNS), re.IGNORECASE
)


@dataclass(frozen=True)
class Fact:
    kind: str
    value: str
    start: int
    end: int

    @property
    def key(self) -> str:
        return normalise(self.kind, self.value)


def extract_facts(text: str) -> list[Fact]:
    """Every checkable fact in `text`, left to right, without overlaps."""
    facts = []
    for m in _COMBINED.finditer(text):
        kind = m.lastgroup or "number"
        if kind == "code" and not _looks_like_code(m.group()):
            continue
        facts.append(Fact(kind, m.group(), m.start(), m.end()))
    return facts


def _looks_like_code(token: str) -> bool:
    # "code" kind from the case-insensitive regex: keep real codes, not words like "MP3"? MP3 is
    # fine as a code; but a lowercase plain word after "code" is kept only with a digit.
    return any(c.isdigit() for c in token) or token.isupper()


def normalise(kind: str, value: str) -> str:
    v = value.casefold().strip().rstrip(".")
    if kind == "percent":
        return re.sub(r"\s?(?:percent|per cent|%)", "%", v)
    if kind == "price":
        digits = re.sub(r"[^\d.]", "", v)
        try:
            return f"{float(digits):g}"
        except ValueError:
            return v
    if kind == "date":
        md = _month_day(v)
        return md or v
    if kind == "weekday":
        return v[:3]
    if kind == "time":
        return re.sub(r"[\s.]", "", v).replace(":00", "")
    if kind in ("number", "phone"):
        return re.sub(r"[^\d.]", "", v) or v
    if kind == "url":
        return re.sub(r"^(?:https?://)?(?:www\.)?", "", v).rstrip("/")
    return v


def _month_day(v: str) -> str | None:
    m = re.search(rf"({_MONTH})\s+(\d{{1,2}})|(\d{{1,2}}){_ORD}\s+(?:of\s+)?({_MONTH})", v)
    if not m:
        return None
    month = (m.group(1) or m.group(4)).rstrip(".")[:3]
    day = m.group(2) or m.group(3)
    return f"{_MONTHS.get(month, 0)}-{int(day)}"


def unsupported_facts(candidate: str, source: str) -> list[Fact]:
    """Facts in `candidate` that `source` does not contain (after normalising)."""
    source_facts = extract_facts(source)
    keys = {f.key for f in source_facts}
    # numbers inside source facts count too: "$49" backs "49", "March 14" backs "14"
    for f in source_facts:
        keys.update(re.findall(r"\d+(?:\.\d+)?", f.value))
    haystack = source.casefold()
    out = []
    for fact in extract_facts(candidate):
        if fact.key in keys or fact.value.casefold() in haystack:
            continue
        if fact.kind == "number" and fact.key in keys:
            continue
        out.append(fact)
    return out


# The facts a reader would call the news: when, how many, which day. Prices, codes, URLs and
# phone numbers are the ad parts a rewrite is asked to drop, so they do not count as kept.
NEWS_KINDS = frozenset({"date", "weekday", "time", "number", "percent"})


def kept_share(candidate: str, news: str, names: tuple[str, ...] = ()) -> float:
    """Share of the news's facts (and of `names`, e.g. the product) that `candidate` repeats.
    1.0 when there is nothing to keep. Used to prefer, among passing candidates, the one that
    keeps "closes at 4pm on Friday" over one that says "closes early"."""
    wanted = {f.key for f in extract_facts(news) if f.kind in NEWS_KINDS}
    have = {f.key for f in extract_facts(candidate)}
    folded = candidate.casefold()
    named = [n for n in names if n]
    total = len(wanted) + len(named)
    if not total:
        return 1.0
    kept = len(wanted & have) + sum(n.casefold() in folded for n in named)
    return kept / total
