"""Showing reply suggestions: a rich table on a terminal, plain text in pipes and files."""

from __future__ import annotations

from contextlib import contextmanager


def _status(s) -> str:
    if s.reply is None:
        return "no reply"
    if s.passed:
        return "ok"
    failed = sorted({f.rule.removeprefix("reply.") for f in s.findings if f.severity == "error"})
    return "FAILED " + ", ".join(failed)


def _who(s) -> str:
    item = s.item
    want = f", wants {item.want}" if item.want else ""
    answered = ", answered" if item.answered else ""
    return f"{item.comment.author} ({item.language}{want}{answered})"


def render_plain(result) -> str:
    """One block per comment, most urgent first; stable for pipes and tests."""
    blocks = []
    for s in result.suggestions:
        comment = " ".join(s.item.comment.text.split())
        lines = [f"[{s.item.priority}] {s.item.kind}: {_who(s)}", f"  comment: {comment}"]
        if s.reply is not None:
            lines.append(f"  reply:   {s.reply}")
        lines.append(f"  check:   {_status(s)}" + (f" ({s.note})" if s.note else ""))
        lines.extend(f"  repair:  {r}" for r in s.repairs)
        blocks.append("\n".join(lines))
    footer = f"model: {result.model}" if result.model else "model: not needed"
    return "\n\n".join([*blocks, footer])


def render_rich(console, result) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, expand=True, title=f"Replies ({result.platform})")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Comment", ratio=2)
    table.add_column("Suggested reply", ratio=2)
    table.add_column("Check", ratio=1)
    styles = {
        "complaint": "bold red",
        "question": "bold yellow",
        "correction": "cyan",
        "suggestion": "blue",
        "praise": "green",
        "spam": "dim",
        "injection": "magenta",
    }
    for s in result.suggestions:
        comment = Text(f"{_who(s)}\n", style="bold")
        comment.append(s.item.comment.text, style="")
        reply = Text(s.reply) if s.reply is not None else Text(s.note or "", style="dim")
        status = _status(s)
        check = Text(
            status, style="green" if status == "ok" else "dim" if s.reply is None else "bold red"
        )
        if s.repairs:
            check.append("\n" + "\n".join(s.repairs), style="dim")
        table.add_row(
            str(s.item.priority),
            Text(s.item.kind, style=styles.get(s.item.kind, "")),
            comment,
            reply,
            check,
        )
    console.print(table)
    console.print(Text(f"model: {result.model or 'not needed'}", style="dim"))


def render_triage_plain(result) -> str:
    """One line per comment, most urgent first, then why: `[1] complaint  Ann (en, wants help)`."""
    from assistant.replies.run import reason

    blocks = []
    for item in result.items:
        comment = " ".join(item.comment.text.split())
        want = f", wants {item.want}" if item.want else ""
        answered = ", answered" if item.answered else ""
        blocks.append(
            f"[{item.priority}] {item.kind}: {item.comment.author} "
            f"({item.language}{want}{answered})\n  comment: {comment}\n  why:     {reason(item)}"
        )
    return "\n\n".join(blocks) if blocks else "no comments"


@contextmanager
def spinner(console, message: str):
    """Yield a function that updates the status line; a no-op when stderr is not a terminal."""
    if not console.is_terminal:
        yield lambda _msg: None
        return
    with console.status(message) as status:
        yield lambda msg: status.update(msg)
