"""What `draft chat` shows: streamed answers, drafts with a compact verdict, variants,
critiques, replies and the history. Two views with the same methods: `PlainChatView` for pipes
(no ANSI, no spinner; scriptable) and `RichChatView` for a terminal (a console passed in).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from assistant.chat.state import ChatDraft, Turn
from assistant.inputs import strip_control

TOP_FINDINGS = 2  # the compact verdict names the worst few; /critique shows them all


def status(draft: ChatDraft) -> str:
    report = draft.report
    if report is None:
        return "not checked"
    if draft.passed:
        return f"passed · score {report.score:.0f} · {report.verdict}"
    verdict = report.verdict if not report.passed else "failed checks"
    return f"FAILED · {verdict} · score {report.score:.0f}"


def verdict_lines(draft: ChatDraft, limit: int) -> list[str]:
    """One status line, then the worst findings and the form problems, each on its own line."""
    head = f"{status(draft)} · {len(draft.text)}/{limit} chars"
    findings = sorted(
        draft.report.findings if draft.report else [],
        key=lambda f: ("error", "warning", "suggestion").index(f.severity),
    )
    notes = [f"{f.severity} {f.rule}: {f.message}" for f in findings if f.severity != "suggestion"]
    notes = [f"problem: {p}" for p in draft.problems] + notes
    more = len(notes) - TOP_FINDINGS
    lines = [head] + [f"  - {strip_control(n)}" for n in notes[:TOP_FINDINGS]]
    if more > 0:
        lines.append(f"  (+{more} more: /critique)")
    return lines


def history_lines(turns: list[Turn]) -> list[str]:
    if not turns:
        return ["no turns yet"]
    lines = []
    for n, turn in enumerate(turns, 1):
        lines.append(f"{n}. you: {strip_control(turn.user.splitlines()[0])}")
        if turn.interrupted:
            lines.append(f"   (interrupted) {strip_control(turn.answer)}")
        elif turn.error:
            lines.append(f"   (error) {strip_control(turn.error)}")
        elif turn.draft is not None:
            label = turn.draft.playbook or "draft"
            text = " / ".join(strip_control(turn.draft.full_text).splitlines())
            lines.append(f"   [{label}] {text} ({status(turn.draft)})")
        elif turn.answer:
            lines.append(f"   {' / '.join(strip_control(turn.answer).splitlines())}")
    return lines


class PlainChatView:
    """Plain text for pipes and scripts: answers on stdout, errors on stderr."""

    def __init__(self, out: IO[str] | None = None, err: IO[str] | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def _print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def notice(self, message: str) -> None:
        self._print(message)

    def error(self, message: str) -> None:
        line = strip_control(message).splitlines()[0] if message.strip() else "failed"
        self.err.write(f"error: {line}\n")
        self.err.flush()

    def stream_start(self) -> None:
        pass

    def stream_token(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def stream_end(self, text: str, *, markdown: bool = False) -> None:
        self._print()

    @contextmanager
    def working(self, message: str) -> Iterator:
        yield lambda _msg: None

    def draft(self, draft: ChatDraft, limit: int, title: str = "") -> None:
        if title:
            self._print(title)
        self._print(strip_control(draft.text))
        for option in draft.options:
            self._print(f"  ( ) {strip_control(option)}")
        self.verdict(draft, limit)

    def verdict(self, draft: ChatDraft, limit: int) -> None:
        lines = verdict_lines(draft, limit)
        self._print(f"check: {lines[0]}")
        for line in lines[1:]:
            self._print(line)

    def variants(self, variants, limit: int, chosen: int = 0) -> None:
        for i, v in enumerate(variants):
            mark = " (current draft)" if i == chosen and len(variants) > 1 else ""
            self.draft(ChatDraft.from_variant(v), limit, title=f"[{v.playbook}]{mark}")

    def critique(self, draft: ChatDraft, report, limit: int) -> None:
        from assistant.critique.files import FileReport

        from .critique import render_plain

        self._print(render_plain([FileReport("draft", report)]))
        for problem in draft.problems:
            self._print(f"  problem: {problem}")

    def replies(self, result) -> None:
        from .replies import render_plain

        self._print(render_plain(result))

    def history(self, turns: list[Turn]) -> None:
        for line in history_lines(turns):
            self._print(line)

    def help(self, rows: list[tuple[str, str]]) -> None:
        width = max(len(usage) for usage, _ in rows)
        for usage, text in rows:
            self._print(f"{usage:<{width}}  {text}")
        self._print("Anything else is a request to change the draft, e.g. 'make it shorter'.")


class RichChatView(PlainChatView):
    """A terminal: answers stream as plain text, then settle (as Markdown where that helps)."""

    def __init__(self, console, err_console=None) -> None:
        super().__init__(console.file, (err_console or console).file)
        self.console = console
        self.err_console = err_console or console
        self._live = None
        self._streamed = ""

    def notice(self, message: str) -> None:
        from rich.text import Text

        self.console.print(Text(message, style="dim"))

    def error(self, message: str) -> None:
        from rich.text import Text

        line = strip_control(message).splitlines()[0] if message.strip() else "failed"
        self.err_console.print(Text(f"error: {line}", style="bold red"))

    def stream_start(self) -> None:
        from rich.live import Live
        from rich.text import Text

        self._streamed = ""
        self._live = Live(
            Text(""),
            console=self.console,
            auto_refresh=False,
            transient=True,
            vertical_overflow="visible",
        )
        self._live.start()

    def stream_token(self, text: str) -> None:
        from rich.text import Text

        self._streamed += text
        if self._live is not None:
            self._live.update(Text(self._streamed), refresh=True)

    def stream_end(self, text: str, *, markdown: bool = False) -> None:
        from rich.markdown import Markdown
        from rich.text import Text

        if self._live is not None:
            self._live.stop()  # transient: the raw stream is replaced by the settled answer
            self._live = None
        if text:
            self.console.print(Markdown(text) if markdown else Text(text))

    @contextmanager
    def working(self, message: str) -> Iterator:
        with self.err_console.status(message) as spinner:
            yield lambda msg: spinner.update(msg)

    def draft(self, draft: ChatDraft, limit: int, title: str = "") -> None:
        from rich.panel import Panel
        from rich.text import Text

        body = Text(strip_control(draft.text))
        for option in draft.options:
            body.append(f"\n  ◯ {strip_control(option)}", style="cyan")
        style = "green" if draft.passed else "red"
        self.console.print(
            Panel(
                body,
                title=Text(title or draft.playbook or "draft", style=f"bold {style}"),
                title_align="left",
                border_style=style,
            )
        )
        self.verdict(draft, limit)

    def verdict(self, draft: ChatDraft, limit: int) -> None:
        from rich.text import Text

        lines = verdict_lines(draft, limit)
        self.console.print(Text(lines[0], style="green" if draft.passed else "bold red"))
        for line in lines[1:]:
            self.console.print(Text(line, style="yellow"))

    def critique(self, draft: ChatDraft, report, limit: int) -> None:
        from assistant.critique.files import FileReport

        from .critique import render_rich

        render_rich(self.console, [FileReport("draft", report)])
        for problem in draft.problems:
            self.notice(f"problem: {problem}")

    def replies(self, result) -> None:
        from .replies import render_rich

        render_rich(self.console, result)

    def history(self, turns: list[Turn]) -> None:
        from rich.text import Text

        for line in history_lines(turns):
            self.console.print(Text(line, style="" if line[:1].isdigit() else "dim"))

    def help(self, rows: list[tuple[str, str]]) -> None:
        from rich.table import Table

        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for usage, text in rows:
            table.add_row(usage, text)
        self.console.print(table)
        self.notice("Anything else is a request to change the draft, e.g. 'make it shorter'.")
