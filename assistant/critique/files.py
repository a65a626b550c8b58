"""`draft critique FILE...`: read every input, critique each, one result per file.

All inputs are read before anything is critiqued. One file that cannot be read is an error
(exit 2). Among several, an unreadable file is reported as an error for that file and the
others are still linted; the command then exits 2 at the end, as Vale and ruff do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.config import Settings
from assistant.critique import critique
from assistant.critique.model import Report
from assistant.errors import InputError
from assistant.inputs import THREAD_LIMIT, read_input


@dataclass
class FileReport:
    name: str  # as given on the command line; "-" is stdin
    report: Report | None  # None when the file could not be read
    error: str | None = None  # why not, in one line

    def to_dict(self) -> dict:
        if self.report is None:
            return {"file": self.name, "error": self.error}
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
    names = list(names)
    texts = [(name, _read(name, alone=len(names) == 1)) for name in names]
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
    results = [
        FileReport(name, critique(text, **options))
        if isinstance(text, str)
        else FileReport(name, None, str(text))
        for name, text in texts
    ]
    if judge:
        from assistant.critique.judge import judge as judge_report

        show = min_severity != "error"  # the judge's findings are warnings
        results = [
            FileReport(r.name, judge_report(r.report, settings, show=show)) if r.report else r
            for r in results
        ]
    return results


def _read(name: str, *, alone: bool) -> str | InputError:
    """The file's text; among several files, the error instead of raising it."""
    try:
        return read_input(name)
    except InputError as e:
        if alone:
            raise
        return e


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
