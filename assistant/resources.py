"""Where the built-in data folders (rules, prompts, playbooks) are.

In a wheel they are packed under assistant/_data/; in a source checkout (editable install,
tests) they are the top-level folders beside the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """The built-in folder `name` ("rules", "prompts" or "playbooks")."""
    packed = _PACKAGE / "_data" / name
    return packed if packed.is_dir() else _PACKAGE.parent / name
