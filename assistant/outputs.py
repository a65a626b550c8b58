"""Writing results without ever leaving a half-written file behind.

A regular file is replaced atomically: the text goes to a temporary file beside it, is flushed
to disk, then renamed over it, so a crash or Ctrl-C leaves the old content or the new, never
half of it, and no temporary file. A symlink is written through (the link stays a link), and a
device or pipe (`-o /dev/stdout`) is written to directly: there is nothing there to replace.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from .errors import InputError


def check_writable(path: Path, *, inputs: tuple[str, ...] = ()) -> None:
    """Fail now, before minutes of model work, if `path` can never be written, or if it is
    one of the inputs: the results must never overwrite the user's own post."""
    target = Path(path)
    for source in inputs:
        if source != "-" and _same_file(source, target):
            raise InputError(
                f"{source}: --output is the input file; "
                "refusing to overwrite your post, choose another file"
            )
    _plan(target)


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # missing, unreadable or unnameable: reading reports it
        return False


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (see the module docstring)."""
    path = Path(path)
    mode, target = _plan(path)
    data = text.encode("utf-8", "backslashreplace")  # a lone surrogate is kept as \udXXX
    if mode is not None and not stat.S_ISREG(mode):
        _write_in_place(path, data)
        return
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        # 0o666 minus the umask for a new file, like the shell's `>`; an old file keeps its mode
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as e:
        raise _write_error(path, e) from e
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))
        os.replace(tmp, target)
    except BaseException as e:  # also Ctrl-C: never leave the temporary file behind
        tmp.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise _write_error(path, e) from e
        raise


def _plan(path: Path) -> tuple[int | None, Path]:
    """The mode of what is at `path` now (None: nothing) and the file to replace."""
    try:
        mode = path.stat().st_mode  # follows symlinks
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise _write_error(path, e) from e
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, expected a file to write")
    target = Path(os.path.realpath(path))
    if mode is None and not target.parent.is_dir():
        raise InputError(f"{path}: folder {target.parent} does not exist")
    return mode, target


def _write_in_place(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as e:
        raise _write_error(path, e) from e


def _write_error(path: Path, e: OSError) -> InputError:
    if isinstance(e, FileNotFoundError):
        return InputError(f"{path}: folder does not exist")
    return InputError(f"{path}: cannot write ({e.strerror or type(e).__name__})")
