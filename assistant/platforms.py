"""Where a post goes decides how long it may be."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigError


@dataclass(frozen=True)
class Platform:
    name: str
    limit: int  # characters, as the platform counts them (we count code points)
    poll_option_limit: int = 25
    hashtags_ok: int = 2  # more than this reads as stuffing on this platform


PLATFORMS: dict[str, Platform] = {
    "x": Platform("x", 280),
    "linkedin": Platform("linkedin", 3000, poll_option_limit=30, hashtags_ok=3),
    "instagram": Platform("instagram", 2200, hashtags_ok=5),
    "facebook": Platform("facebook", 63206),
    "threads": Platform("threads", 500),
}
ALIASES = {"twitter": "x"}


def get_platform(name: str) -> Platform:
    key = ALIASES.get(name.lower(), name.lower())
    try:
        return PLATFORMS[key]
    except KeyError:
        raise ConfigError(
            f"unknown platform {name!r}; choose one of: {', '.join(PLATFORMS)}"
        ) from None
