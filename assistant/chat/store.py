"""Transcripts: one JSON file per conversation in `data_dir()/transcripts/`, rewritten
atomically after every turn so a crash or Ctrl-C never loses more than the turn in flight.

Only `Settings.public()` goes in (the API key reduced to "set"/"not set"), and a base URL
loses any user:password part.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from assistant.config import Settings, data_dir
from assistant.errors import InputError
from assistant.outputs import write_atomic

from .state import ChatState, now


def transcripts_dir() -> Path:
    return data_dir() / "transcripts"


def new_path() -> Path:
    """A fresh file named by the local time; sortable, so the newest is the last name."""
    folder = transcripts_dir()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = folder / f"{stamp}.json", 1
    while path.exists():
        n += 1
        path = folder / f"{stamp}-{n}.json"
    return path


def latest() -> Path:
    paths = sorted(transcripts_dir().glob("*.json"))
    if not paths:
        raise InputError(
            f"no transcripts to resume in {transcripts_dir()}; start with `draft chat`"
        )
    return paths[-1]


def public_settings(settings: Settings) -> dict[str, Any]:
    data = settings.public()
    if data.get("base_url"):
        parts = urlsplit(data["base_url"])
        netloc = parts.netloc.rsplit("@", 1)[-1]
        data["base_url"] = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return data


def save(path: Path, state: ChatState, settings: Settings) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**state.to_dict(), "saved": now(), "settings": public_settings(settings)}
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def load(path: str | Path) -> ChatState:
    path = Path(path).expanduser()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such transcript") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: not a chat transcript ({e})") from e
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise InputError(f"{path}: not a chat transcript (no turns)")
    try:
        return ChatState.from_dict(data)
    except (TypeError, ValueError, KeyError) as e:
        raise InputError(f"{path}: damaged transcript ({e})") from e
