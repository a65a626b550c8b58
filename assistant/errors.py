"""One small exception tree and the exit codes it maps to (see ExitCode)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED_CRITIQUE = 1  # the post (or every variant) is ad-like
    BAD_INPUT = 2  # bad input, usage or configuration
    MODEL_ERROR = 3  # the model or the network failed
    INTERRUPTED = 130


class DraftError(Exception):
    """Base of every error `draft` reports to the user as one line."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class InputError(DraftError):
    """A file or stdin that cannot be used as a post or a thread."""


class ConfigError(DraftError):
    """A bad config file, flag or environment variable."""


class RuleError(ConfigError):
    """A critique rule file that does not load: fail loudly, name the file."""


class PlaybookError(ConfigError):
    """A playbook file that does not load."""


class ModelError(DraftError):
    """The model backend failed (missing model, server down, bad key, bad output)."""

    exit_code = ExitCode.MODEL_ERROR


class InvalidOutputError(ModelError):
    """The model answered, but not in the asked-for shape (after bounded regeneration).

    Unlike other ModelErrors (server down, bad key) this concerns one sample: callers that
    draw several candidates skip it and carry on."""
