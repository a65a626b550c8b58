"""Reading posts and threads from files or stdin, with clear one-line errors.

Everything the user gives us is checked here once, so the commands never see
binary junk, a directory or a 50 MB log pasted by mistake.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
import unicodedata
from pathlib import Path

from .errors import InputError

POST_LIMIT = 100_000  # bytes: a post is a few hundred characters; this is generous
THREAD_LIMIT = 1_000_000

# Escape sequences (ECMA-48), 7-bit and 8-bit: CSI ("\x1b[31m"), strings ended by BEL or ST
# (OSC window titles and links, DCS, APC, PM, SOS) and two-byte escapes ("\x1bc" resets the
# terminal); then any control character left, except tab and newline.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x90\x98\x9b-\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
# Lone surrogates (only from JSON "\ud800" escapes) cannot be printed or saved as UTF-8.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


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
    if str(source) == "-":
        name = "stdin"
        raw = _read_stream(stdin if stdin is not None else sys.stdin, limit)
    else:
        name = strip_control(str(source))  # a file name is echoed: no escapes from it
        raw = _read_file(Path(source), name, what, limit)
    return decode_text(raw, name=name, what=what, limit=limit)


def _read_stream(stream, limit: int) -> bytes:
    """At most limit + 1 bytes, so a runaway pipe cannot fill the memory."""
    if stream is None:
        raise InputError("stdin: not available (closed); pass a file instead")
    buffer = getattr(stream, "buffer", None)
    try:
        raw = buffer.read(limit + 1) if buffer is not None else stream.read(limit + 1)
    except OSError as e:
        raise InputError(f"stdin: cannot read ({e.strerror or e})") from e
    return raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw


def _read_file(path: Path, name: str, what: str, limit: int) -> bytes:
    """The file's bytes, reading at most limit + 1 of them (/dev/zero, FIFOs never end)."""
    try:
        if path.is_dir():
            raise InputError(f"{name}: is a directory, expected a text file with a {what}")
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise InputError(_too_large(name, what, limit, size))
            return handle.read(limit + 1)
    except (FileNotFoundError, NotADirectoryError) as e:
        raise InputError(f"{name}: no such file") from e
    except IsADirectoryError as e:
        raise InputError(f"{name}: is a directory, expected a text file with a {what}") from e
    except PermissionError as e:
        raise InputError(f"{name}: permission denied") from e
    except OSError as e:  # a name too long, an I/O error, a dangling mount...
        raise InputError(f"{name}: cannot read ({e.strerror or type(e).__name__})") from e


def _too_large(name: str, what: str, limit: int, size: int | None = None) -> str:
    found = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    return f"{name}: {found} is too large for a {what} (limit {limit:,} bytes)"


def decode_text(raw: bytes, *, name: str, what: str = "post", limit: int = POST_LIMIT) -> str:
    """UTF-8 bytes → clean text; InputError (never anything else) for what is not a text."""
    if len(raw) > limit:
        raise InputError(_too_large(name, what, limit))
    if b"\x00" in raw[:8192]:
        raise InputError(f"{name}: looks like a binary file, expected text")
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{name}: not valid UTF-8 ({_where(raw, e.start)}); "
            "save the file as UTF-8 and try again"
        ) from e
    text = strip_control(text).strip()
    if not _visible(text):
        raise InputError(f"{name}: is empty, expected a {what}")
    return text


def _where(raw: bytes, start: int) -> str:
    """'byte 0xE9 at line 2, column 7' for the first byte that is not UTF-8."""
    line_start = raw.rfind(b"\n", 0, start) + 1
    line = raw.count(b"\n", 0, start) + 1
    column = len(raw[line_start:start].decode("utf-8", "replace")) + 1
    return f"byte 0x{raw[start]:02X} at line {line}, column {column}"


def _visible(text: str) -> bool:
    """Anything besides spaces and invisible format characters (zero-width spaces, BOMs)?"""
    return any(not c.isspace() and unicodedata.category(c) != "Cf" for c in text)
