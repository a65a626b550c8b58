"""Playbooks as data: one TOML file per playbook in playbooks/ (built in) or a user folder.

A playbook names its form (how its JSON output becomes a post and what a valid one needs),
its Jinja2 prompt, the JSON schema the model must fill, few-shot examples, length rules,
temperature and how many candidates to try. A user folder overrides built-ins by name.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import PlaybookError
from .resources import data_path

FORMS = ("question", "poll", "acknowledgement", "post")


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")
    brief: dict[str, Any]  # the prompt variables of the example (product, news, thanks...)
    output: dict[str, Any]  # what the model should answer, as JSON


class Length(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_chars: int = 20
    max_chars: int = 280


class Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    form: Literal["question", "poll", "acknowledgement", "post"]
    description: str
    system: str  # the system message (a Jinja2 template over brand variables)
    prompt: str  # template file in prompts/ that renders the user turn from the brief
    schema_: dict[str, Any] = Field(alias="schema")
    examples: list[Example] = Field(min_length=1)
    temperature: float = Field(0.8, ge=0, le=2)
    candidates: int = Field(6, ge=1, le=32)  # at most this many samples per round
    enough: int = Field(2, ge=1)  # stop sampling early once this many candidates pass
    max_tokens: int = Field(120, ge=8, le=2048)
    length: Length = Length()
    needs: list[Literal["thanks"]] = []  # inputs without which the playbook cannot run
    model: str | None = None  # a preferred model ("openai/gpt-4o-mini"), used when none is given
    options: dict[str, Any] = {}  # extra sampling options passed to the model (top_p, min_p...)
    source: str = ""  # the file it came from

    @model_validator(mode="after")
    def _schema_is_object(self) -> Playbook:
        if self.schema_.get("type") != "object" or not self.schema_.get("required"):
            raise ValueError("schema must be a JSON schema object with required fields")
        return self


def _load_file(path: Path) -> Playbook:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
        raise PlaybookError(f"{path}: cannot read playbook ({e})") from e
    data.setdefault("name", path.stem)
    try:
        return Playbook(**data, source=str(path))
    except ValidationError as e:
        lines = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        raise PlaybookError(f"{path}: {lines}") from e


def load_playbooks(user_dir: str | Path | None = None) -> dict[str, Playbook]:
    """Built-in playbooks, then the user's folder (same name overrides)."""
    books: dict[str, Playbook] = {}
    folders = [data_path("playbooks")]
    if user_dir:
        folder = Path(user_dir).expanduser()
        if not folder.is_dir():
            raise PlaybookError(f"playbooks folder not found: {folder}")
        folders.append(folder)
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            book = _load_file(path)
            books[book.name] = book
    return books


def select(books: dict[str, Playbook], names: list[str] | None) -> list[Playbook]:
    """The playbooks asked for by name, or the default set (those whose inputs are there)."""
    if not names:  # built-in forms first, in a natural reading order
        defaults = [b for b in books.values() if not b.needs]
        return sorted(defaults, key=lambda b: (FORMS.index(b.form), b.name))
    missing = [n for n in names if n not in books]
    if missing:
        raise PlaybookError(f"unknown playbook {missing[0]!r}; available: {', '.join(books)}")
    return [books[n] for n in names]
