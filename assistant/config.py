"""Settings: flags > environment > TOML config file > defaults.

The config file lives in the user's config dir (`DRAFT_CONFIG_DIR` overrides it):

    model = "openai/gpt-4o-mini"      # or "embedded" (default)
    base_url = "http://localhost:11434/v1"
    platform = "x"
    playbooks_dir = "~/my-playbooks"
    rules_dir = "~/my-rules"
    disable_rules = ["voice.no-question"]

    [brand]
    name = "CloudSync"
    voice = "Friendly, plain-spoken, a little nerdy."
    avoid = ["synergy", "game-changer"]
    vocabulary = ["CloudSync Pro", "#CloudSync"]
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigError
from .platforms import get_platform

DEFAULT_MODEL = "embedded"


def config_dir() -> Path:
    env = os.environ.get("DRAFT_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("draft", appauthor=False))


def data_dir() -> Path:
    env = os.environ.get("DRAFT_DATA_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("draft", appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


@dataclass(frozen=True)
class Brand:
    name: str = ""
    voice: str = ""
    avoid: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] = ()  # may be capitalised or hashtagged: never flagged


@dataclass(frozen=True)
class Settings:
    model: str = DEFAULT_MODEL  # "embedded" or "openai/<model name>"
    model_path: str | None = None  # any GGUF for the embedded backend
    adapter: str = "bundled"  # LoRA for the embedded model: "bundled", "none" or a GGUF path
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    max_retries: int = 4
    platform: str = "x"
    playbooks_dir: str | None = None
    rules_dir: str | None = None
    disable_rules: tuple[str, ...] = ()
    brand: Brand = Brand()

    @property
    def provider(self) -> str:
        return self.model.split("/", 1)[0]

    @property
    def model_name(self) -> str:
        return self.model.split("/", 1)[1] if "/" in self.model else ""

    def public(self) -> dict[str, Any]:
        """Settings safe to show: the key is reduced to whether it is set, and a password in
        the base URL (https://user:token@host/v1) to ***."""
        data = asdict(self)
        data["api_key"] = "set" if self.api_key else "not set"
        if self.base_url:
            data["base_url"] = _hide_password(self.base_url)
        return data


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    user, _, host = parts.netloc.rpartition("@")
    hidden = f"{user.partition(':')[0]}:***@{host}" if ":" in user else f"***@{host}"
    return urlunsplit(parts._replace(netloc=hidden))


_SCALARS = {
    "model": str,
    "model_path": str,
    "adapter": str,
    "base_url": str,
    "api_key": str,
    "timeout": (int, float),
    "max_retries": int,
    "platform": str,
    "playbooks_dir": str,
    "rules_dir": str,
}


def _check_model(model: str) -> str:
    provider, _, name = model.partition("/")
    if provider == "embedded" or (provider == "openai" and name):
        return model
    raise ConfigError(
        f"bad model {model!r}: use 'embedded' or 'openai/<model>', "
        "e.g. 'openai/gpt-4o-mini' or 'openai/llama3.1' with --base-url"
    )


def _from_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e
    except OSError as e:  # a folder named config.toml, no permission...
        raise ConfigError(f"{path}: cannot read the config file ({e.strerror or e})") from e
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SCALARS:
            if not isinstance(value, _SCALARS[key]) or isinstance(value, bool):
                raise ConfigError(
                    f"{path}: {key} must be {_type_name(_SCALARS[key])}, not {value!r}"
                )
            out[key] = value
            if problem := _check_value(key, value):
                raise ConfigError(f"{path}: {problem}")
        elif key == "disable_rules":
            out[key] = tuple(_str_list(path, key, value))
        elif key == "brand":
            out[key] = _brand(path, value)
        else:
            raise ConfigError(_unknown(path, "setting", key, [*_SCALARS, "disable_rules", "brand"]))
    return out


def _check_value(key: str, value: Any) -> str | None:
    """What is wrong with a setting of the right type, or None."""
    try:
        if key == "model":
            _check_model(value)
        elif key == "platform":
            get_platform(value)
    except ConfigError as e:
        return str(e)
    if key == "timeout" and not (math.isfinite(value) and value > 0):
        return f"timeout must be a positive number of seconds, not {value}"
    if key == "max_retries" and value < 0:
        return f"max_retries must be 0 or more, not {value}"
    return None


def _type_name(t) -> str:
    return "a number" if isinstance(t, tuple) else {str: "a string", int: "an integer"}[t]


def _unknown(path: Path, what: str, key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{path}: unknown {what} {key!r} ({hint}known: {', '.join(known)})"


def _str_list(path: Path, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return value


def _brand(path: Path, value: Any) -> Brand:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [brand] must be a table")
    allowed = [f.name for f in fields(Brand)]
    for key in value:
        if key not in allowed:
            raise ConfigError(_unknown(path, "brand setting", key, allowed))
    kwargs: dict[str, Any] = {}
    for key in ("name", "voice"):
        if key in value:
            if not isinstance(value[key], str):
                raise ConfigError(f"{path}: brand.{key} must be a string")
            kwargs[key] = value[key]
    for key in ("avoid", "vocabulary"):
        if key in value:
            kwargs[key] = tuple(_str_list(path, f"brand.{key}", value[key]))
    return Brand(**kwargs)


def _from_env(env: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if env.get("OPENAI_API_KEY"):
        out["api_key"] = env["OPENAI_API_KEY"]
    if env.get("OPENAI_BASE_URL"):
        out["base_url"] = env["OPENAI_BASE_URL"]
    if env.get("DRAFT_MODEL"):
        out["model"] = env["DRAFT_MODEL"]
    if env.get("DRAFT_MODEL_PATH"):
        out["model_path"] = env["DRAFT_MODEL_PATH"]
    if env.get("DRAFT_ADAPTER"):
        out["adapter"] = env["DRAFT_ADAPTER"]
    if env.get("DRAFT_PLATFORM"):
        out["platform"] = env["DRAFT_PLATFORM"]
    return out


def load_settings(
    overrides: dict[str, Any] | None = None,
    *,
    env: dict[str, str] | None = None,
    path: Path | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and flags (in that order)."""
    env = dict(os.environ) if env is None else env
    merged: dict[str, Any] = {}
    merged.update(_from_file(path or config_path()))
    merged.update(_from_env(env))
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
    if "disable_rules" in merged:
        merged["disable_rules"] = tuple(merged["disable_rules"])
    if merged.get("api_key"):  # a key pasted with its newline: keys never hold whitespace
        merged["api_key"] = merged["api_key"].strip() or None
    settings = replace(Settings(), **merged)
    for key in ("model", "platform", "timeout", "max_retries"):
        if problem := _check_value(key, getattr(settings, key)):
            raise ConfigError(problem)
    return settings
