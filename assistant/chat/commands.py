"""Slash commands: a small registry of name → handler, parsed here, run by the session.

A handler returns False only to end the chat. Unknown names get the closest match as a hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError
from assistant.outputs import write_atomic

from . import pipeline_turns

MAX_VARIANTS = 5
END_OF_PASTE = "."


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str
    run: Callable[..., bool | None]


COMMANDS: dict[str, Command] = {}
ALIASES = {"exit": "quit", "q": "quit", "?": "help", "h": "help"}


def command(usage: str, help: str):
    def register(fn):
        name = usage.split()[0].lstrip("/")
        COMMANDS[name] = Command(name, usage, help, fn)
        return fn

    return register


def dispatch(session, line: str) -> bool:
    head, _, arg = line.strip()[1:].partition(" ")
    if "\n" in head:  # "/replies" followed by a pasted thread on the next lines
        head, _, rest = head.partition("\n")
        arg = f"{rest} {arg}".strip()
    name = ALIASES.get(head.lower(), head.lower())
    found = COMMANDS.get(name)
    if found is None:
        close = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.5)
        hint = f"; did you mean /{close[0]}?" if close else ""
        session.view.notice(f"unknown command /{head}{hint} (/help lists them)")
        return True
    return found.run(session, arg.strip()) is not False


@command("/help", "this list")
def _help(session, arg: str) -> None:
    rows = [(c.usage, c.help) for c in COMMANDS.values()]
    session.view.help(rows)


@command(
    "/rewrite [playbook]",
    "rewrite the original post with a playbook (default: question and poll, best kept)",
)
def _rewrite(session, arg: str) -> None:
    pipeline_turns.rewrite(session, f"/rewrite {arg}".strip(), arg.split() or [])


@command("/question", "rewrite the original post as a question to followers")
def _question(session, arg: str) -> None:
    pipeline_turns.rewrite(session, "/question", ["question"])


@command("/poll", "rewrite the original post as a poll")
def _poll(session, arg: str) -> None:
    pipeline_turns.rewrite(session, "/poll", ["poll"])


@command("/thank NAME: WHAT", "thank people by name for what they said (they add up)")
def _thank(session, arg: str) -> None:
    from assistant.rewrite import parse_thanks

    try:
        people = parse_thanks([arg])
    except InputError:
        raise InputError('/thank: use the form "/thank Priya: asked for offline sync"') from None
    pipeline_turns.rewrite(session, f"/thank {arg}", ["acknowledgement"], thanks=people)


@command("/critique", "the current draft's full critique")
def _critique(session, arg: str) -> None:
    current = session.current_report()
    if current is None:
        session.view.notice("no draft yet: paste a post first")
        return
    session.view.critique(*current, session.limit)


@command("/replies [FILE]", "suggest replies to a comment thread (paste it, end with a lone .)")
def _replies(session, arg: str) -> None:
    if arg and "\n" not in arg and Path(arg).expanduser().is_file():
        pipeline_turns.replies(session, f"/replies {arg}", path=str(Path(arg).expanduser()))
        return
    session.view.notice(f"Paste the comments, then a line with a single {END_OF_PASTE}")
    thread = read_block(session.read_line, first=arg)
    if not thread.strip():
        session.view.notice("no comments pasted")
        return
    pipeline_turns.replies(session, f"/replies\n{thread}", thread=thread)


def read_block(read_line: Callable[[], str | None], first: str = "") -> str:
    """Lines until a lone "." (or the end of input); a paste may bring many lines at once."""
    lines: list[str] = []
    chunk: str | None = first
    while chunk is not None:
        for line in chunk.splitlines():
            if line.strip() == END_OF_PASTE:
                return "\n".join(lines)
            lines.append(line)
        chunk = read_line()
    return "\n".join(lines)


@command("/platform [NAME]", "show or set the platform: x, linkedin, instagram, facebook, threads")
def _platform(session, arg: str) -> None:
    if not arg:
        from assistant.platforms import PLATFORMS

        session.view.notice(
            f"platform: {session.state.platform} (choose from {', '.join(PLATFORMS)})"
        )
        return
    session.set_platform(arg)
    session.view.notice(f"platform: {session.state.platform}")


@command("/variants [N]", f"variants per playbook, 1 to {MAX_VARIANTS}")
def _variants(session, arg: str) -> None:
    if arg:
        if not arg.isdigit() or not 1 <= int(arg) <= MAX_VARIANTS:
            raise InputError(f"/variants N: N must be a number from 1 to {MAX_VARIANTS}")
        session.state.variants = int(arg)
        session.save()
    session.view.notice(f"variants: {session.state.variants}")


@command("/model [NAME]", "show or switch the model: embedded or openai/<model>")
def _model(session, arg: str) -> None:
    if arg:
        session.switch_model(arg)
    session.view.notice(f"model: {session.model_label}")


@command("/undo", "forget the last turn (and its draft)")
def _undo(session, arg: str) -> None:
    turn = session.undo()
    if turn is None:
        session.view.notice("nothing to undo")
        return
    session.view.notice(f"undid turn {len(session.state.turns) + 1}: {turn.user.splitlines()[0]}")
    session.show_draft()


@command("/fork N", "go back to turn N and branch (a new transcript; the old one stays)")
def _fork(session, arg: str) -> None:
    if not arg.isdigit():
        raise InputError("/fork N: give a turn number (see /history)")
    session.fork(int(arg))
    session.view.notice(f"forked at turn {arg}")
    session.show_draft()


@command("/history", "the turns so far")
def _history(session, arg: str) -> None:
    session.view.history(session.state.turns)


@command("/save FILE", "write the current draft to FILE")
def _save(session, arg: str) -> None:
    if not arg:
        raise InputError("/save FILE: give a file name")
    draft = session.state.draft
    if draft is None:
        raise InputError("no draft to save yet")
    path = Path(arg).expanduser()
    write_atomic(path, draft.full_text + "\n")
    session.view.notice(f"saved to {path}")


@command("/copy", "copy the current draft to the clipboard")
def _copy(session, arg: str) -> None:
    from .clipboard import copy

    draft = session.state.draft
    if draft is None:
        session.view.notice("no draft to copy yet")
        return
    tool = copy(draft.full_text)
    if tool is None:
        session.view.notice("no clipboard here (pbcopy, wl-copy, xclip or xsel); use /save FILE")
    else:
        session.view.notice(f"copied ({tool})")


@command("/reset", "start over with the same post (a new transcript)")
def _reset(session, arg: str) -> None:
    session.reset()
    session.view.notice("new conversation")
    session.show_draft()


@command("/quit", "end the chat (Ctrl-D works too)")
def _quit(session, arg: str) -> bool:
    return False
