"""Terminal output. The only package that imports rich; consoles are passed in, never global."""

from __future__ import annotations

import sys
from typing import IO


def make_console(file: IO[str] | None = None, *, stderr: bool = False, width: int | None = None):
    """A rich Console; plain (no colour, no spinner) when the stream is not a terminal."""
    from rich.console import Console

    stream = file or (sys.stderr if stderr else sys.stdout)
    return Console(
        file=stream, width=width, highlight=False, soft_wrap=False, emoji=False, markup=False
    )
