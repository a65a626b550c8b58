"""Rich output for `draft rewrite`: one panel per variant, plain text when not a terminal."""

from __future__ import annotations

from assistant.inputs import strip_control
from assistant.pipeline import RewriteResult, Variant


def _status(v: Variant) -> str:
    if v.passed:
        return f"passed · score {v.report.score:.0f}"
    return "FAILED: shown so you can see what went wrong, not fit to post"


def _meta(v: Variant, limit: int) -> str:
    bits = [f"{len(v.text)}/{limit} chars", _status(v)]
    if v.revised:
        bits.append("revised after critique")
    if v.kept < 1:  # said, not hidden: the variant dropped a date, time, number or the name
        bits.append(f"keeps {v.kept:.0%} of the news's facts")
    return " · ".join(bits)


def _notes(v: Variant) -> list[str]:
    lines = [f"repair: {r}" for r in v.repairs]
    lines += [f"problem: {p}" for p in v.problems]
    lines += [f"{f.line}:{f.column} {f.severity} {f.rule}: {f.message}" for f in v.report.findings]
    return [strip_control(line) for line in lines]


def render_plain(result: RewriteResult, limit: int, *, path: str | None = None) -> str:
    out = []
    if path:
        out.append(f"== {strip_control(path)}")
    for v in result.variants:
        out.append(f"[{v.playbook}] {_meta(v, limit)}")
        out.append(strip_control(v.text))
        out += [f"  ( ) {strip_control(o)}" for o in v.options]
        out += [f"  - {n}" for n in _notes(v)]
        out.append("")
    return "\n".join(out)


def render_rich(console, result: RewriteResult, limit: int, *, path: str | None = None) -> None:
    from rich.panel import Panel
    from rich.text import Text

    if path:
        console.rule(Text(strip_control(path), style="bold"))
    for v in result.variants:
        body = Text(strip_control(v.text))
        for option in v.options:
            body.append(f"\n  ◯ {strip_control(option)}", style="cyan")
        notes = _notes(v)
        if notes:
            body.append("\n\n" + "\n".join(notes), style="dim" if v.passed else "yellow")
        style = "green" if v.passed else "red"
        console.print(
            Panel(
                body,
                title=Text(v.playbook, style=f"bold {style}"),
                subtitle=_meta(v, limit),
                border_style=style,
                title_align="left",
                subtitle_align="right",
            )
        )
