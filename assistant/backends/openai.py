"""The `openai/<model>` backend: any OpenAI-compatible server through langchain-openai.

`DraftChatOpenAI` is ChatOpenAI plus three things `draft` needs from every server:
our retry policy (backends/retry.py), one-line `ModelError`s, and a fallback from
`response_format` json_schema to json_object for servers that only know the latter
(older Ollama, llama.cpp server), remembered per model instance.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import openai
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import BaseMessage, SystemMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import PrivateAttr

from assistant.backends import retry
from assistant.backends.retry import Endpoint, RetryPolicy
from assistant.config import Settings
from assistant.errors import ConfigError, ModelError

OPENAI_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "not-needed"  # local servers (Ollama, vLLM, LM Studio) ignore the key
# Playbook options ChatOpenAI takes as fields; any others go into the request body as they are.
_MODEL_FIELDS = {
    "temperature",
    "top_p",
    "seed",
    "max_tokens",
    "frequency_penalty",
    "presence_penalty",
    "n",
    "stop",
}

# langchain-openai warns (and advises `with_structured_output` options we don't use) when a
# server rejects json_schema; we handle that case ourselves, so the advice is noise.
warnings.filterwarnings(
    "ignore",
    message=r"(This model does not support|Invalid schema for) "
    r"OpenAI's structured output",
    category=UserWarning,
)


def load_openai(
    settings: Settings, *, retry_policy: RetryPolicy | None = None, **options: Any
) -> BaseChatModel:
    """Build the chat model for `openai/<model>`; `retry_policy` is for tests and benchmarks."""
    key = settings.api_key or (PLACEHOLDER_KEY if settings.base_url else None)
    if key is None:
        raise ConfigError(
            f"no API key for {settings.model}: set OPENAI_API_KEY, or point --base-url at a "
            "local OpenAI-compatible server (e.g. Ollama at http://localhost:11434/v1)"
        )
    fields = {k: v for k, v in options.items() if k in _MODEL_FIELDS}
    extra = {k: v for k, v in options.items() if k not in _MODEL_FIELDS}
    model = DraftChatOpenAI(
        model=settings.model_name,
        base_url=settings.base_url,
        api_key=key,
        timeout=settings.timeout,
        max_retries=0,  # tenacity retries, in backends/retry.py
        use_responses_api=False,  # compatible servers speak chat completions
        extra_body=extra or None,  # server-specific options, e.g. Ollama's repeat_penalty
        http_async_client=_own_async_client(),
        **fields,
    )
    model._policy = retry_policy or RetryPolicy(max_retries=settings.max_retries)
    model._endpoint = Endpoint(
        display_url(settings.base_url or OPENAI_URL),
        settings.model_name,
        settings.timeout,
        settings.api_key,
    )
    return model


class DraftChatOpenAI(ChatOpenAI):
    """ChatOpenAI whose calls run under our retry policy and fail as one-line ModelErrors."""

    _policy: RetryPolicy = PrivateAttr(default_factory=RetryPolicy)
    _endpoint: Endpoint = PrivateAttr(default_factory=lambda: Endpoint(OPENAI_URL, "", 60.0))
    _json_object_only: bool = PrivateAttr(default=False)

    def _get_request_payload(
        self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict:
        """Send `max_tokens` to compatible servers: not all know `max_completion_tokens`."""
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if self.openai_api_base and "max_completion_tokens" in payload:
            payload["max_tokens"] = payload.pop("max_completion_tokens")
        if "response_format" in payload:
            # Sent as is: as a typed parameter the openai client walks the whole JSON schema
            # (a third of a request's CPU time, which caps concurrency on a small machine) and
            # langchain-openai takes its slower `parse` path. We parse the JSON ourselves.
            extra = dict(payload.get("extra_body") or {})
            extra["response_format"] = payload.pop("response_format")
            payload["extra_body"] = extra
        return payload

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        def once() -> ChatResult:
            msgs, kw = self._prepare(messages, kwargs)
            return self._whole(ChatOpenAI._generate(self, msgs, stop, run_manager, **kw), kw)

        try:
            return retry.call(once, self._policy, self._endpoint)
        except ModelError as e:
            if not self._fall_back(e, kwargs):
                raise
            return retry.call(once, self._policy, self._endpoint)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        async def once() -> ChatResult:
            msgs, kw = self._prepare(messages, kwargs)
            result = await ChatOpenAI._agenerate(self, msgs, stop, run_manager, **kw)
            return self._whole(result, kw)

        try:
            return await retry.acall(once, self._policy, self._endpoint)
        except ModelError as e:
            if not self._fall_back(e, kwargs):
                raise
            return await retry.acall(once, self._policy, self._endpoint)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        def start() -> Iterator[ChatGenerationChunk]:
            msgs, kw = self._prepare(messages, kwargs)
            return ChatOpenAI._stream(self, msgs, stop, run_manager, **kw)

        try:
            yield from retry.stream(start, self._policy, self._endpoint, _finished)
        except ModelError as e:  # a 400 comes before the first chunk: nothing was yielded yet
            if not self._fall_back(e, kwargs):
                raise
            yield from retry.stream(start, self._policy, self._endpoint, _finished)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        def start() -> AsyncIterator[ChatGenerationChunk]:
            msgs, kw = self._prepare(messages, kwargs)
            return ChatOpenAI._astream(self, msgs, stop, run_manager, **kw)

        try:
            async for chunk in retry.astream(start, self._policy, self._endpoint, _finished):
                yield chunk
        except ModelError as e:
            if not self._fall_back(e, kwargs):
                raise
            async for chunk in retry.astream(start, self._policy, self._endpoint, _finished):
                yield chunk

    def _whole(self, result: ChatResult, kwargs: dict[str, Any]) -> ChatResult:
        """A structured answer cut at max_tokens is an error, as openai's `parse` made it."""
        if kwargs.get("response_format") and any(
            (g.generation_info or {}).get("finish_reason") == "length" for g in result.generations
        ):
            raise retry.cut_off(self._endpoint)
        return result

    def _prepare(
        self, messages: list[BaseMessage], kwargs: dict[str, Any]
    ) -> tuple[list[BaseMessage], dict[str, Any]]:
        """The request as this server takes it: json_object once json_schema was refused."""
        if self._json_object_only and _schema_of(kwargs) is not None:
            return as_json_object(messages, kwargs)
        return messages, kwargs

    def _fall_back(self, error: ModelError, kwargs: dict[str, Any]) -> bool:
        """Switch to json_object for good if `error` is a 400 (or llama-cpp-python's 500) refusing json_schema.

        Not conditional on the flag: a concurrent call may have switched it already.
        """
        if _schema_of(kwargs) is None or not retry.refuses_format(error.__cause__):
            return False
        self._json_object_only = True
        return True


def as_json_object(
    messages: list[BaseMessage], kwargs: dict[str, Any]
) -> tuple[list[BaseMessage], dict[str, Any]]:
    """The same request for json_object-only servers: the schema moves into the system message."""
    schema = _schema_of(kwargs)
    note = (
        "Reply with one JSON object and nothing else. It must match this JSON schema:\n"
        + json.dumps(schema, ensure_ascii=False)
    )
    # "schema" beside json_object is llama-cpp-python's server's way to still get a grammar;
    # other servers ignore it.
    kw = {**kwargs, "response_format": {"type": "json_object", "schema": schema}}
    first = messages[0] if messages else None
    if isinstance(first, SystemMessage) and isinstance(first.content, str):
        return [SystemMessage(content=f"{first.content}\n\n{note}"), *messages[1:]], kw
    return [SystemMessage(content=note), *messages], kw


def _own_async_client() -> Any:
    """A fresh async HTTP client per model, not langchain-openai's process-wide cached one,
    whose pooled connections stay bound to the first event loop: a new model then works
    under a new `asyncio.run` (a benchmark per concurrency level, say). OPENAI_PROXY makes
    langchain-openai build its own, and it refuses ours alongside."""
    return None if os.environ.get("OPENAI_PROXY") else openai.DefaultAsyncHttpxClient()


def display_url(url: str) -> str:
    """The base URL as shown in messages: no credentials, query or trailing slash."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def _schema_of(kwargs: dict[str, Any]) -> dict[str, Any] | None:
    fmt = kwargs.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        return (fmt.get("json_schema") or {}).get("schema") or {}
    return None


def _finished(chunk: ChatGenerationChunk) -> bool:
    return bool((chunk.generation_info or {}).get("finish_reason"))
