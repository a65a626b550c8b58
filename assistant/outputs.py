"""Writing results without ever leaving a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file to write")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except FileNotFoundError as e:
        raise InputError(f"{path}: folder does not exist") from e
    except OSError as e:
        raise InputError(f"{path}: cannot write ({e.strerror or e})") from e
