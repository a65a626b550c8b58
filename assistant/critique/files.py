"""`draft critique FILE...`: read every input, critique each, one result per file.

All inputs are read before anything is critiqued, so a missing or binary file stops the run
with one clear error (exit 2) instead of a half-printed report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.config import Settings
from assistant.critique import critique
from assistant.critique.model import Report
from assistant.inputs import THREAD_LIMIT, read_input


@dataclass
class FileReport:
    name: str  # as given on the command line; "-" is stdin
    report: Report

    def to_dict(self) -> dict:
        return {"file": self.name, **self.report.to_dict()}


def critique_files(
    names: Iterable[str],
    settings: Settings,
    *,
    source: str | None = None,
    rules_dir: str | None = None,
    disable: Iterable[str] = (),
    severity: Mapping[str, str] | None = None,
    min_severity: str = "suggestion",
    judge: bool = False,
) -> list[FileReport]:
    texts = [(name, read_input(name)) for name in names]
    source_text = read_input(source, what="source text", limit=THREAD_LIMIT) if source else None
    options = {
        "source": source_text,
        "platform": settings.platform,
        "brand": settings.brand,
        "rules_dir": rules_dir or settings.rules_dir,
        "disable": (*settings.disable_rules, *disable),
        "severity_overrides": severity,
        "min_severity": min_severity,
    }
    results = [FileReport(name, critique(text, **options)) for name, text in texts]
    if judge:
        from assistant.critique.judge import judge as judge_report

        show = min_severity != "error"  # the judge's findings are warnings
        results = [FileReport(r.name, judge_report(r.report, settings, show=show)) for r in results]
    return results


def parse_severity(items: Iterable[str]) -> dict[str, str]:
    """`--severity RULE=LEVEL` flags as a mapping (the levels are checked by critique())."""
    from assistant.errors import ConfigError

    out = {}
    for item in items:
        rule, sep, level = item.partition("=")
        if not sep or not rule.strip() or not level.strip():
            raise ConfigError(
                f"bad --severity {item!r}: use RULE=LEVEL, "
                "e.g. hype.superlative=error or voice.no-question=off"
            )
        out[rule.strip()] = level.strip()
    return out
