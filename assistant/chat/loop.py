"""The chat loop: read a message, run it, repeat, until /quit or the end of input.

In a terminal: prompt_toolkit (line editing, history in `data_dir()/chat_history`, bracketed
paste for multi-line posts, Esc-Enter for a new line). Ctrl-C at the prompt clears the line;
Ctrl-C while the model writes stops it and comes back to the prompt. Without a terminal: one
message per line from stdin and plain answers, so a chat can be scripted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from assistant.config import Settings, data_dir
from assistant.errors import DraftError, InputError

from . import store
from .session import ChatSession
from .state import ChatState
from .warmup import Warmer

PROMPT = "draft> "
MORE = "....> "


def interactive(stdin: IO[str], stdout: IO[str]) -> bool:
    return stdin.isatty() and stdout.isatty()


def line_reader(stream: IO[str]) -> Callable[[], str | None]:
    """One message per line; None at the end of input."""

    def read() -> str | None:
        line = stream.readline()
        return line.rstrip("\r\n") if line else None

    return read


class TerminalReader:
    """prompt_toolkit input; made once per chat so history and key bindings persist."""

    def __init__(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory
        from prompt_toolkit.key_binding import KeyBindings

        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        keys = KeyBindings()

        @keys.add("escape", "enter")
        def _newline(event) -> None:  # Esc-Enter (Alt-Enter): a new line inside the message
            event.current_buffer.insert_text("\n")

        self._session = PromptSession(
            history=FileHistory(str(folder / "chat_history")),
            key_bindings=keys,
            enable_history_search=True,
        )

    def prompt(self, text: str = PROMPT) -> str | None:
        """The next message; None on Ctrl-D. Ctrl-C raises KeyboardInterrupt (the caller
        clears the line and asks again)."""
        try:
            return self._session.prompt(text)
        except EOFError:
            return None

    def more(self) -> str | None:
        """A continuation line (for /replies pastes); Ctrl-C ends the paste."""
        try:
            return self.prompt(MORE)
        except KeyboardInterrupt:
            return None


def open_chat(
    overrides: dict[str, Any], *, file: str | None, resume: bool, variants: int | None
) -> tuple[Settings, ChatState, Path]:
    """Settings, state and transcript path for a new chat (seeded with the post in `file`) or a
    resumed one (the latest transcript, or the one in `file`). Flags win over the transcript."""
    from assistant.config import load_settings
    from assistant.inputs import read_input

    settings = load_settings(overrides)
    if resume:
        path = Path(file).expanduser() if file else store.latest()
        state = store.load(path)
        if overrides.get("model") is None and state.model:  # the model the chat was using
            settings = load_settings({**overrides, "model": state.model})
        if overrides.get("platform"):
            state.platform = settings.platform
        if variants is not None:
            state.variants = variants
        return settings, state, path
    if file == "-":
        raise InputError(
            "stdin carries the messages: give the post as a file, or paste it as the first message"
        )
    post = read_input(file) if file else ""
    state = ChatState(
        post=post, platform=settings.platform, model=settings.model, variants=variants or 1
    )
    return settings, state, store.new_path()


def run_chat(
    settings: Settings,
    *,
    overrides: dict[str, Any],
    state: ChatState,
    transcript: Path,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
) -> None:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if interactive(stdin, stdout):
        _terminal_chat(settings, overrides, state, transcript)
    else:
        _piped_chat(settings, overrides, state, transcript, stdin, stdout)


def _piped_chat(settings, overrides, state, transcript, stdin, stdout) -> None:
    from assistant.render.chat import PlainChatView

    read = line_reader(stdin)
    view = PlainChatView(stdout, sys.stderr)
    session = ChatSession(
        settings, view, state=state, overrides=overrides, transcript=transcript, read_line=read
    )
    try:
        while (line := read()) is not None:
            if not _turn(session, line):
                break
    finally:
        session.close()


def _terminal_chat(settings, overrides, state, transcript) -> None:
    from assistant.render import make_console
    from assistant.render.chat import RichChatView

    reader = TerminalReader()
    view = RichChatView(make_console(), make_console(stderr=True))
    session = ChatSession(
        settings,
        view,
        state=state,
        overrides=overrides,
        transcript=transcript,
        read_line=reader.more,
    )
    view.notice(f"draft chat · {settings.model} · {state.platform} · transcript {transcript}")
    view.notice(
        "/help for commands · Esc-Enter for a new line · Ctrl-C stops an answer · Ctrl-D quits"
    )
    if state.turns:
        view.history(state.turns)
    session.show_draft()
    warmer = Warmer(session)
    try:
        while True:
            warmer.start()  # the next prompt is evaluated while the user types
            try:
                line = reader.prompt()
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line, like a shell
            if line is None or not _turn(session, line):
                break
    finally:
        warmer.join()
        session.close()


def _turn(session: ChatSession, line: str) -> bool:
    """Run one input; errors and Ctrl-C end the turn, never the chat."""
    try:
        return session.handle(line)
    except KeyboardInterrupt:
        session.view.notice("interrupted")
    except DraftError as e:
        session.view.error(str(e))
    except Exception as e:  # keep the conversation whatever broke; DRAFT_TRACEBACK shows it
        if os.environ.get("DRAFT_TRACEBACK"):
            raise
        session.view.error(f"{type(e).__name__}: {e}")
    return True
