"""Reading posts and threads from files or stdin, with clear one-line errors.

Everything the user gives us is checked here once, so the commands never see
binary junk, a directory or a 50 MB log pasted by mistake.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .errors import InputError

POST_LIMIT = 100_000  # bytes: a post is a few hundred characters; this is generous
THREAD_LIMIT = 1_000_000

# CSI/OSC escape sequences and C0/C1 control characters other than tab and newline.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    """Remove terminal escape sequences and control characters (keep \\n and \\t)."""
    return _CONTROL.sub("", _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


def read_input(
    source: str | os.PathLike[str], *, what: str = "post", limit: int = POST_LIMIT, stdin=None
) -> str:
    """Read a post or thread from a path, or from stdin when `source` is "-".

    Returns cleaned text (control characters removed, newlines normalised).
    Raises InputError with a one-line message for anything unusable.
    """
    name = "stdin" if str(source) == "-" else str(source)
    if str(source) == "-":
        stream = stdin if stdin is not None else sys.stdin
        buffer = getattr(stream, "buffer", None)
        raw = buffer.read(limit + 1) if buffer is not None else stream.read(limit + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogatepass")
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(f"{name}: no such file")
        if path.is_dir():
            raise InputError(f"{name}: is a directory, expected a text file with a {what}")
        try:
            size = path.stat().st_size
            if size > limit:
                raise InputError(
                    f"{name}: {size:,} bytes is too large for a {what} (limit {limit:,} bytes)"
                )
            raw = path.read_bytes()
        except PermissionError as e:
            raise InputError(f"{name}: permission denied") from e
        except OSError as e:
            raise InputError(f"{name}: cannot read ({e.strerror or e})") from e
    return decode_text(raw, name=name, what=what, limit=limit)


def decode_text(raw: bytes, *, name: str, what: str = "post", limit: int = POST_LIMIT) -> str:
    if len(raw) > limit:
        raise InputError(f"{name}: too large for a {what} (limit {limit:,} bytes)")
    if b"\x00" in raw[:8192]:
        raise InputError(f"{name}: looks like a binary file, expected text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{name}: not valid UTF-8 (byte {e.start}); save the file as UTF-8 and try again"
        ) from e
    text = strip_control(text).strip()
    if not text:
        raise InputError(f"{name}: is empty, expected a {what}")
    return text
