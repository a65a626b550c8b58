"""Prompt templates: Jinja2 files in prompts/, rendered in a sandbox.

User text (posts, comments, names) only ever enters as a variable, so a post containing
`{{ ... }}`, `{%` or `$var` is just text. The sandbox stops a malicious user template
(from a user playbook folder) from reaching Python internals.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import PlaybookError
from .resources import data_path


@lru_cache(maxsize=8)
def _environment(search_path: tuple[str, ...]):
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader(list(search_path)),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, variables: dict, *, extra_dirs: tuple[Path, ...] = ()) -> str:
    """Render prompts/<template> (user folders first, so they can override built-ins)."""
    search = tuple(str(p) for p in (*extra_dirs, data_path("prompts")))
    try:
        return _environment(search).get_template(template).render(**variables).strip()
    except Exception as e:  # a user template may raise anything: 1/0, range(10**9)
        raise PlaybookError(f"prompt {template}: {type(e).__name__}: {e}") from e


def render_string(source: str, variables: dict) -> str:
    """Render a short inline template (a playbook's system message) in the same sandbox."""
    try:
        return _environment(()).from_string(source).render(**variables).strip()
    except Exception as e:  # a user template may raise anything: 1/0, range(10**9)
        raise PlaybookError(f"template: {type(e).__name__}: {e}") from e
