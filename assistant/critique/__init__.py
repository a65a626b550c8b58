"""The critique pass: an ad-copy linter for social posts.

    from assistant.critique import critique
    report = critique("BUY NOW!!! 50% off today only", platform="x")
    report.passed, report.score, report.findings

Stdlib only on this path: the rewrite, reply and chat features call it on every candidate and
`draft critique` must start fast. Rules are loaded and compiled once per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from operator import attrgetter

from assistant.config import Brand
from assistant.errors import ConfigError, RuleError
from assistant.platforms import get_platform

from .engine import Engine
from .matching import Scan
from .model import SEVERITIES, Finding, Report
from .rules import Rule, load_rules
from .scoring import engagement_score
from .text import blank, lowercase, quoted_spans, vocabulary_spans

__all__ = ["Finding", "Report", "Rule", "critique", "load_rules", "rule_set", "SEVERITIES"]

_RANK = {name: i for i, name in enumerate(SEVERITIES)}
OFF = "off"  # a severity override that disables the rule
_POSITION = attrgetter("start", "end", "rule")
CLASSIFIER = "classifier.adlike"  # the learned verdict; `--disable classifier.adlike` turns it off


def critique(
    text: str,
    *,
    source: str | None = None,
    platform: str = "x",
    brand: Brand | None = None,
    rules_dir: str | None = None,
    disable: Iterable[str] = (),
    severity_overrides: Mapping[str, str] | None = None,
    min_severity: str = "suggestion",
) -> Report:
    """Lint one post. `passed` is False when any finding is an error (the post reads as an ad).

    `source` turns on the invented-facts check. `min_severity` hides milder findings from the
    report; the score and `passed` always count every finding.
    """
    if not isinstance(text, str):
        raise TypeError(f"critique() needs a str, not {type(text).__name__}")
    if min_severity not in _RANK:
        raise ConfigError(f"bad minimum severity {min_severity!r}: use {', '.join(SEVERITIES)}")
    overrides = dict(severity_overrides or {})
    disabled = frozenset(disable) | {rule for rule, level in overrides.items() if level == OFF}
    learned = CLASSIFIER not in disabled
    engine = _engine(_folder(rules_dir), disabled - {CLASSIFIER})
    overrides.pop(CLASSIFIER, None)
    if overrides:
        _check_overrides(rule_set(rules_dir), overrides)
    scan = _scan(text, platform, brand, source)
    findings = engine.run(scan, overrides)
    if learned and (verdict := _classified(scan)):
        findings = sorted([*findings, *verdict], key=_POSITION)
    floor = _RANK[min_severity]
    return Report(
        text=text,
        findings=[f for f in findings if _RANK[f.severity] >= floor],
        score=engagement_score(findings, engine.weights),
        passed=not any(f.severity == "error" for f in findings),
    )


def _classified(scan: Scan) -> list[Finding]:
    """The ad-copy classifier's verdict on the post (quotes and brand vocabulary blanked), as a
    zero-width finding where the post ends (it is about the whole post, so it sorts after the
    rules' findings that point at words). Its model loads on first use (about 10 ms)."""
    from assistant.judgments import adlike
    from assistant.judgments.features import describe

    verdict = adlike(scan.masked)
    if verdict.label != "ad":
        return []
    text = scan.text
    end = len(text.rstrip())
    line_start = text.rfind("\n", 0, end) + 1
    words = ", ".join(describe(w) for w in verdict.because)
    message = f"reads as promotional copy to the ad classifier (p = {verdict.probability:.2f})"
    if words:
        message += f"; it weighed {words} most"
    return [
        Finding(
            CLASSIFIER,
            "error",
            message,
            "",
            end,
            end,
            text.count("\n", 0, line_start) + 1,
            end - line_start + 1,
            "say what is new and ask the reader something instead of selling",
            "classifier",
            round(verdict.probability, 3),
        )
    ]


def rule_set(rules_dir: str | None = None) -> tuple[Rule, ...]:
    """Every rule available (built-in plus the user's folder), sorted by id."""
    return load_rules(_folder(rules_dir))


@lru_cache(maxsize=32)
def _engine(rules_dir: str | None, disabled: frozenset[str]) -> Engine:
    rules = rule_set(rules_dir)
    known = {rule.id for rule in rules}
    unknown = sorted(disabled - known)
    if unknown:
        raise RuleError(
            f"cannot disable unknown rule {unknown[0]!r} "
            "(`draft critique --list-rules` shows them all)"
        )
    return Engine(tuple(rule for rule in rules if rule.id not in disabled))


def _check_overrides(rules: tuple[Rule, ...], overrides: dict[str, str]) -> None:
    known = {rule.id for rule in rules}
    for rule_id, level in overrides.items():
        if level != OFF and level not in _RANK:
            raise RuleError(
                f"bad severity {level!r} for {rule_id}: use {', '.join(SEVERITIES)} or {OFF}"
            )
        if rule_id not in known:
            raise RuleError(f"cannot change severity of unknown rule {rule_id!r}")


def _folder(rules_dir: str | None) -> str | None:
    return str(rules_dir) if rules_dir else None


def _scan(text: str, platform: str, brand: Brand | None, source: str | None) -> Scan:
    lowered = lowercase(text)
    hidden = quoted_spans(text)
    if brand is not None and brand.vocabulary:
        hidden += vocabulary_spans(lowered, brand.vocabulary)
    masked = text
    if hidden:
        masked, lowered = blank(text, hidden), blank(lowered, hidden)
    return Scan(
        text=text, masked=masked, lowered=lowered, platform=get_platform(platform), source=source
    )
