"""`draft` command line: a thin typer app that parses flags, calls assistant/, renders, exits.

Heavy libraries (LangChain, llama.cpp, rich) are imported inside the commands that need them,
so `draft --help` and `draft critique` start fast.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant import __version__
from assistant.errors import DraftError, ExitCode

app = typer.Typer(
    name="draft",
    help="Turn broadcast posts into conversations: questions, polls, thank-yous and replies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
playbooks_app = typer.Typer(help="List and show playbooks.", invoke_without_command=True,
                            no_args_is_help=False)
app.add_typer(playbooks_app, name="playbooks")


def fail(message: str, code: int = ExitCode.BAD_INPUT) -> typer.Exit:
    """Print a one-line error on stderr and return the Exit to raise."""
    from assistant.inputs import strip_control

    typer.echo(f"draft: error: {strip_control(str(message)).splitlines()[0] if message else ''}",
               err=True)
    return typer.Exit(int(code))


def handle_errors(func):
    """Turn DraftError into a one-line message and its exit code; Ctrl-C into 130.

    Set DRAFT_TRACEBACK=1 to see the full traceback instead (for debugging).
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DraftError as e:
            if os.environ.get("DRAFT_TRACEBACK"):
                raise
            raise fail(str(e), e.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("draft: interrupted", err=True)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"draft {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version,
                                                    is_eager=True, help="Show the version.")] = None,
) -> None:
    """Turn broadcast posts into conversations: questions, polls, thank-yous and replies."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
