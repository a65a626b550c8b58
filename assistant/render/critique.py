"""Showing critique results: the post with each match underlined, then the findings listed the
way a linter does (line:col severity rule message → suggestion), then score and verdict.

`render_rich` draws on a terminal; `render_plain` is the same information as plain text for
pipes, files and CI logs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from assistant.critique.files import FileReport
from assistant.critique.model import SEVERITIES, Report
from assistant.inputs import strip_control

STYLES = {"error": "bold red", "warning": "yellow", "suggestion": "cyan"}
MARKS = {"error": "underline red", "warning": "underline yellow", "suggestion": "underline cyan"}


def summary(report: Report) -> str:
    counts = Counter(f.severity for f in report.findings)
    parts = [
        f"{counts[s]} {s}{'' if counts[s] == 1 else 's'}"
        for s in ("error", "warning", "suggestion")
        if counts[s]
    ]
    found = ", ".join(parts) if parts else "no findings"
    return f"score {report.score:.0f}/100 · {report.verdict} · {found}"


def finding_line(finding) -> str:
    where = f"{finding.line}:{finding.column}"
    origin = f" ({finding.origin})" if finding.origin in ("model", "classifier") else ""
    text = f"{where:<7} {finding.severity:<10} {finding.rule:<28} {finding.message}{origin}"
    return text + (f" → {finding.suggestion}" if finding.suggestion else "")


def render_plain(results: Sequence[FileReport]) -> str:
    blocks = []
    for result in readable(results):
        lines = [_title(result, len(results))]
        lines += [f"  {finding_line(f)}" for f in result.report.findings]
        lines.append(f"  {summary(result.report)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_rich(console, results: Sequence[FileReport]) -> None:
    from rich.table import Table
    from rich.text import Text

    for i, result in enumerate(readable(results)):
        report = result.report
        if i:
            console.print()
        console.print(Text(_title(result, len(results)), style="bold"))
        post = Text(report.text)
        for f in sorted(report.findings, key=lambda f: SEVERITIES.index(f.severity)):
            if f.end > f.start and f.origin != "classifier":  # the classifier's is the whole post
                # milder first, so an error's mark wins where they overlap
                post.stylize(MARKS[f.severity], f.start, f.end)
        console.print(post)
        if report.findings:
            table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
            for column in ("where", "severity", "rule", "message"):
                table.add_column(column, overflow="fold", no_wrap=column != "message")
            for f in report.findings:
                origin = f" ({f.origin})" if f.origin in ("model", "classifier") else ""
                message = Text(f.message + origin)
                if f.suggestion:
                    message.append(f" → {f.suggestion}", style="dim")
                table.add_row(
                    f"{f.line}:{f.column}",
                    Text(f.severity, style=STYLES[f.severity]),
                    f.rule,
                    message,
                )
            console.print(table)
        verdict_style = "bold red" if not report.passed else "bold green"
        console.print(Text(summary(report), style=verdict_style))


def readable(results: Sequence[FileReport]) -> list[FileReport]:
    """The files that could be read (the others are reported on stderr)."""
    return [r for r in results if r.report is not None]


def _title(result: FileReport, count: int) -> str:
    name = "stdin" if result.name == "-" else strip_control(result.name)
    verdict = "passes" if result.report.passed else f"fails ({result.report.verdict})"
    return f"{name}: {verdict}" if count else name
