"""The compiled rule set: runs every enabled rule over a Scan and returns findings.

Built once per (rules, disabled rules) and cached, so a call does no compiling. Matching
happens first and all at once (the shared phrase index, then every rule's own patterns in one
loop); then only the rules with something to say build findings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter

from assistant.facts import unsupported_facts

from .fastpath import FastPattern
from .matching import Exceptions, PhraseIndex, RulePatterns, Scan, Span, without_overlaps
from .model import Finding
from .rules import Rule

# Kinds that have nothing to say when none of their patterns matched.
_NEED_MATCHES = frozenset({"existence", "substitution"})
_POSITION = attrgetter("start", "end", "rule")


class Engine:
    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules
        self.weights = {rule.id: rule.weight for rule in rules}
        self.indexes = [
            PhraseIndex([r for r in rules if r.ignorecase], ignorecase=True),
            PhraseIndex([r for r in rules if not r.ignorecase], ignorecase=False),
        ]
        self.patterns = RulePatterns(list(rules))
        self.sources = self.patterns.sources  # rule id -> how many regexes find its spans
        self.plain = [r for r in rules if r.kind != "aggregate"]
        self.aggregates = [r for r in rules if r.kind == "aggregate"]
        self.exceptions = {r.id: Exceptions(r) for r in rules}
        self.ratios = {
            r.id: (
                FastPattern(r.numerator.pattern, r.flags),
                FastPattern(r.denominator.pattern, r.flags),
            )
            for r in rules
            if r.kind == "ratio"
        }
        self.checks: dict[str, Callable] = {
            "existence": self._existence,
            "substitution": self._existence,
            "occurrence": self._occurrence,
            "ratio": self._ratio,
            "required": self._required,
            "length": self._length,
            "facts": self._facts,
        }

    def run(self, scan: Scan, severity: Mapping[str, str]) -> list[Finding]:
        phrases: dict[str, list] = {}
        for index in self.indexes:
            phrases.update(index.find(scan))
        own = self.patterns.find(scan)
        findings: list[Finding] = []
        checks = self.checks
        for rule in self.plain:
            found, spans = phrases.get(rule.id, ()), own.get(rule.id, ())
            if not found and not spans and rule.kind in _NEED_MATCHES:
                continue
            findings.extend(checks[rule.kind](rule, scan, found, spans, severity))
        for rule in self.aggregates:
            findings.extend(self._aggregate(rule, scan, findings, severity))
        findings.sort(key=_POSITION)
        return findings

    # one method per kind: (rule, scan, shared phrases found, own spans, severity) --------

    def _existence(self, rule, scan, phrases, spans, severity) -> list[Finding]:
        suggestions = {(s, e): suggestion for s, e, suggestion in phrases}
        candidates = [(s, e) for s, e, _ in phrases]
        candidates.extend(spans)
        if phrases and spans or len(self.sources[rule.id]) > 1:
            candidates = without_overlaps(candidates)  # else one regex: sorted, no overlaps
        candidates = self.exceptions[rule.id].filter(scan, candidates)
        return [
            _finding(rule, scan, s, e, severity, suggestions.get((s, e), rule.suggestion))
            for s, e in candidates
        ]

    def _occurrence(self, rule, scan, phrases, spans, severity) -> list[Finding]:
        spans = self._filtered(rule, scan, spans)
        count = len(spans)
        maximum = rule.max
        if rule.max_from is not None:
            maximum = getattr(scan.platform, rule.max_from)
        if maximum is not None and count > maximum:
            # One finding, at the first one too many; the message gives the count.
            start, end = spans[maximum]
            values = {"count": count, "max": maximum}
            return [_finding(rule, scan, start, end, severity, rule.suggestion, values)]
        if rule.min is not None and count < rule.min:
            return [_missing(rule, scan, severity, {"count": count, "min": rule.min})]
        return []

    def _ratio(self, rule, scan, phrases, spans, severity) -> list[Finding]:
        if scan.words < rule.min_words:
            return []
        numerator, denominator = self.ratios[rule.id]
        mine = [m.span() for m in numerator.finditer(scan.masked, scan.lowered)]
        if len(mine) < rule.min_count:
            return []
        theirs = sum(1 for _ in denominator.finditer(scan.masked, scan.lowered))
        if len(mine) <= rule.max_ratio * theirs:
            return []
        start, end = mine[0]
        values = {"numerator": len(mine), "denominator": theirs}
        return [_finding(rule, scan, start, end, severity, None, values)]

    def _required(self, rule, scan, phrases, spans, severity) -> list[Finding]:
        if scan.words < rule.min_words or self._filtered(rule, scan, spans):
            return []
        return [_missing(rule, scan, severity)]

    def _length(self, rule, scan, phrases, spans, severity) -> list[Finding]:
        limit, length = scan.platform.limit, len(scan.text)
        if length <= limit:
            return []
        values = {"limit": limit, "length": length}
        return [_finding(rule, scan, limit, length, severity, None, values)]

    def _facts(self, rule, scan, phrases, spans, severity) -> list[Finding]:
        if scan.source is None:
            return []
        out = []
        for fact in unsupported_facts(scan.text, scan.source):
            if scan.masked[fact.start : fact.end] != scan.text[fact.start : fact.end]:
                continue  # inside a quotation or the brand's own vocabulary
            out.append(_finding(rule, scan, fact.start, fact.end, severity, None, origin="facts"))
        return out

    def _aggregate(self, rule, scan, findings, severity) -> list[Finding]:
        # Distinct places (two rules flagging the same words count once), or distinct rules.
        key = attrgetter("rule") if rule.count == "rules" else attrgetter("start")
        counted: dict = {}
        for f in sorted(findings, key=_POSITION):
            if f.rule in rule.rules:
                counted.setdefault(key(f), f)
        if len(counted) <= rule.max:
            return []
        nth = sorted(counted.values(), key=_POSITION)[rule.max]
        values = {"count": len(counted), "max": rule.max}
        return [_finding(rule, scan, nth.start, nth.end, severity, None, values)]

    def _filtered(self, rule: Rule, scan: Scan, spans) -> list[Span]:
        if not spans:
            return []
        if len(self.sources[rule.id]) > 1:
            spans = without_overlaps(spans)  # else one regex: already sorted, no overlaps
        return self.exceptions[rule.id].filter(scan, spans)


def _finding(
    rule: Rule,
    scan: Scan,
    start: int,
    end: int,
    severity: Mapping[str, str],
    suggestion: str | None,
    values: dict | None = None,
    *,
    origin: str = "rules",
) -> Finding:
    text = scan.text
    match = text[start:end]
    line_start = text.rfind("\n", 0, start) + 1  # line and column, inlined: this runs a lot
    line = text.count("\n", 0, line_start) + 1 if line_start else 1
    message = format_message(rule.message, match, suggestion, values)
    return Finding(
        rule.id,
        severity.get(rule.id, rule.severity),
        message,
        match,
        start,
        end,
        line,
        start - line_start + 1,
        suggestion,
        origin,
    )


def _missing(
    rule: Rule, scan: Scan, severity: Mapping[str, str], values: dict | None = None
) -> Finding:
    """A finding about something absent: a zero-width mark where the post ends."""
    end = len(scan.text.rstrip())
    return _finding(rule, scan, end, end, severity, rule.suggestion, values)


def format_message(
    template: str, match: str, suggestion: str | None, values: dict | None = None
) -> str:
    """Fill `%s` and `{match}`-style placeholders; the match itself is never re-parsed."""
    if "{" not in template:
        return match.join(template.split("%s")) if "%s" in template else template
    fill = {
        "match": match,
        "suggestion": suggestion or "",
        "count": "",
        "max": "",
        "min": "",
        "limit": "",
        "length": "",
        "numerator": "",
        "denominator": "",
        **(values or {}),
    }
    return match.join(part.format_map(fill) for part in template.split("%s"))
