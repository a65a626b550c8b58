"""Copying a draft to the system clipboard with whichever tool the machine has."""

from __future__ import annotations

import os
import shutil
import subprocess

# (tool, arguments, environment variable the tool needs: a display server to talk to)
TOOLS = [
    ("pbcopy", [], None),
    ("wl-copy", [], "WAYLAND_DISPLAY"),
    ("xclip", ["-selection", "clipboard"], "DISPLAY"),
    ("xsel", ["--clipboard", "--input"], "DISPLAY"),
]


def find_tool() -> list[str] | None:
    for name, args, needs in TOOLS:
        path = shutil.which(name)
        if path and (needs is None or os.environ.get(needs)):
            return [path, *args]
    return None


def copy(text: str) -> str | None:
    """Copy `text`; the tool's name, or None when there is no clipboard to copy to."""
    command = find_tool()
    if command is None:
        return None
    try:
        subprocess.run(
            command,
            input=text.encode("utf-8"),
            check=True,
            timeout=5,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return os.path.basename(command[0])
