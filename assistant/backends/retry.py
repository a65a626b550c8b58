"""Retry policy for calls to OpenAI-compatible servers: the only module that uses tenacity.

Transient faults (timeouts, refused or dropped connections, 429, 5xx) are retried with
exponential backoff and jitter, honouring Retry-After; anything else fails at once. Every
failure ends as one `ModelError` line saying what failed, where and after how many attempts,
with the API key scrubbed out.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import openai
from tenacity import AsyncRetrying, Retrying, retry_if_exception, stop_after_attempt

from assistant.errors import DraftError, ModelError

T = TypeVar("T")
C = TypeVar("C")
_END: Any = object()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry; `sleep`/`async_sleep` are injectable so tests don't wait."""

    max_retries: int = 4  # retries after the first attempt
    base_delay: float = 0.5  # seconds before the first retry; doubles each time
    max_delay: float = 8.0
    retry_after_cap: float = 30.0  # never wait longer than this on a server's Retry-After
    sleep: Callable[[float], None] = time.sleep
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    @property
    def attempts(self) -> int:
        return self.max_retries + 1

    def wait(self, attempt: int, error: BaseException | None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        hinted = retry_after(error)
        if hinted is not None:
            return min(hinted, self.retry_after_cap)
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class Endpoint:
    """Where calls go, for error messages; the key is held only to scrub it from them."""

    base_url: str
    model: str
    timeout: float
    api_key: str | None = field(default=None, repr=False)


class StreamTruncatedError(ModelError):
    """A stream cut after it started; `partial` keeps the text received before the cut."""

    def __init__(self, message: str, partial: str) -> None:
        super().__init__(message)
        self.partial = partial


def is_transient(error: BaseException) -> bool:
    """Worth another try: the network or an overloaded server, never a 4xx about the request."""
    if isinstance(error, openai.RateLimitError):
        return getattr(error, "code", None) != "insufficient_quota"
    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(error, openai.APIStatusError) and error.status_code >= 500:
        return not refuses_format(error)
    return False


def refuses_format(error: BaseException) -> bool:
    """The server rejects `response_format` itself: a 400, or the 500 that llama-cpp-python's
    server answers for json_schema. Retrying cannot help; falling back to json_object can."""
    if not isinstance(error, openai.APIStatusError) or error.status_code not in (400, 500):
        return False
    text = f"{error.message} {error.body}".lower()
    return "response_format" in text or "json_schema" in text


def retry_after(error: BaseException | None) -> float | None:
    """The server's Retry-After (or retry-after-ms) in seconds, if it sent one we can read."""
    headers = getattr(getattr(error, "response", None), "headers", None)
    if not headers:
        return None
    if (ms := _number(headers.get("retry-after-ms"))) is not None:
        return max(0.0, ms / 1000)
    value = headers.get("retry-after")
    if value is None:
        return None
    if (seconds := _number(value)) is not None:
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _number(value: str | None) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def call(fn: Callable[[], T], policy: RetryPolicy, endpoint: Endpoint) -> T:
    """Run `fn` under the policy; give up with a ModelError."""
    attempts = 0

    def attempt() -> T:
        nonlocal attempts
        attempts += 1
        return fn()

    retrying = Retrying(sleep=policy.sleep, **_tenacity_args(policy))
    try:
        return retrying(attempt)
    except DraftError:
        raise
    except _FAILURES as e:
        raise to_model_error(e, endpoint, attempts) from e


async def acall(fn: Callable[[], Awaitable[T]], policy: RetryPolicy, endpoint: Endpoint) -> T:
    """`call` for coroutines."""
    attempts = 0

    async def attempt() -> T:
        nonlocal attempts
        attempts += 1
        return await fn()

    retrying = AsyncRetrying(sleep=policy.async_sleep, **_tenacity_args(policy))
    try:
        return await retrying(attempt)
    except DraftError:
        raise
    except _FAILURES as e:
        raise to_model_error(e, endpoint, attempts) from e


def stream(
    start: Callable[[], Iterator[C]],
    policy: RetryPolicy,
    endpoint: Endpoint,
    finished: Callable[[C], bool],
) -> Iterator[C]:
    """Retry a stream until its first chunk arrives; after that a cut is final.

    `finished` marks the chunk that ends a complete answer: a stream that stops without one
    was cut too, even if the transport ended cleanly.
    """
    it, head = call(lambda: _first(start()), policy, endpoint)
    if head is _END:  # a 200 and then nothing: no answer at all
        raise _truncated(endpoint, [], None)
    received = [head]
    try:
        yield head
        for chunk in it:
            received.append(chunk)
            yield chunk
    except Exception as e:
        raise _truncated(endpoint, received, e) from e
    finally:
        getattr(it, "close", lambda: None)()
    if not any(finished(c) for c in received):
        raise _truncated(endpoint, received, None)


async def astream(
    start: Callable[[], AsyncIterator[C]],
    policy: RetryPolicy,
    endpoint: Endpoint,
    finished: Callable[[C], bool],
) -> AsyncIterator[C]:
    """`stream` for async iterators."""
    it, head = await acall(lambda: _afirst(start()), policy, endpoint)
    if head is _END:  # a 200 and then nothing: no answer at all
        raise _truncated(endpoint, [], None)
    received = [head]
    try:
        yield head
        async for chunk in it:
            received.append(chunk)
            yield chunk
    except Exception as e:
        raise _truncated(endpoint, received, e) from e
    finally:
        await getattr(it, "aclose", _noop)()
    if not any(finished(c) for c in received):
        raise _truncated(endpoint, received, None)


def _first(it: Iterator[C]) -> tuple[Iterator[C], C]:
    return it, next(it, _END)


async def _afirst(it: AsyncIterator[C]) -> tuple[AsyncIterator[C], C]:
    try:
        return it, await it.__anext__()
    except StopAsyncIteration:
        return it, _END


async def _noop() -> None:
    return None


def _truncated(
    endpoint: Endpoint, received: list[Any], cause: BaseException | None
) -> StreamTruncatedError:
    partial = "".join(str(getattr(c, "text", "")) for c in received)
    why = f" ({_root_cause(cause)})" if cause is not None else ""
    message = (
        f"stream truncated: the model server at {endpoint.base_url} stopped after "
        f"{len(partial)} characters{why}"
    )
    return StreamTruncatedError(_scrub(message, endpoint.api_key), partial)


def _tenacity_args(policy: RetryPolicy) -> dict[str, Any]:
    return {
        "stop": stop_after_attempt(policy.attempts),
        "wait": lambda state: policy.wait(state.attempt_number, state.outcome.exception()),
        "retry": retry_if_exception(is_transient),
        "reraise": True,
    }


# What a call may fail with that is the server's fault, not ours: openai's errors and the
# ValueError/KeyError langchain-openai raises on malformed answers.
_FAILURES = (openai.OpenAIError, ValueError, KeyError)


def to_model_error(error: BaseException, endpoint: Endpoint, attempts: int) -> ModelError:
    """One line that says what failed, where and after how many attempts; never the key."""
    where = endpoint.base_url
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(error, openai.APITimeoutError):
        message = (
            f"the model server at {where} did not answer within {endpoint.timeout:g} s ({tries})"
        )
    elif isinstance(error, openai.APIConnectionError):
        message = (
            f"could not reach the model server at {where} after {tries} "
            f"({_root_cause(error)}); is it running?"
        )
    elif isinstance(error, openai.AuthenticationError):
        message = f"the server rejected the API key (401); check OPENAI_API_KEY (server: {where})"
    elif isinstance(error, openai.NotFoundError):
        message = _not_found(error, endpoint)
    elif isinstance(error, openai.RateLimitError):
        message = _rate_limited(error, where, tries)
    elif isinstance(error, openai.APIStatusError) and error.status_code >= 500:
        message = f"the model server at {where} failed with HTTP {error.status_code} after {tries}"
    elif isinstance(error, openai.APIStatusError):
        message = (
            f"the model server at {where} refused the request with HTTP "
            f"{error.status_code}: {_server_message(error)}"
        )
    elif isinstance(error, openai.LengthFinishReasonError):
        return cut_off(endpoint)
    else:
        message = f"the model server at {where} failed: {_short(str(error))} ({tries})"
    return ModelError(_scrub(message, endpoint.api_key))


def cut_off(endpoint: Endpoint) -> ModelError:
    """A structured answer that stopped at max_tokens: not JSON, and not worth retrying."""
    where = endpoint.base_url
    message = (
        f"model {endpoint.model!r} at {where} hit max_tokens before finishing its "
        "answer; allow more tokens"
    )
    return ModelError(_scrub(message, endpoint.api_key))


def _not_found(error: openai.NotFoundError, endpoint: Endpoint) -> str:
    text = f"{getattr(error, 'code', '')} {error.message}".lower()
    if "model" in text:
        return (
            f"model {endpoint.model!r} not found at {endpoint.base_url} (404); check the "
            f"model name (the server lists its models at {endpoint.base_url}/models)"
        )
    return (
        f"{endpoint.base_url} answered 404 not found; check the base URL "
        "(OpenAI-compatible servers usually end in /v1)"
    )


def _server_message(error: openai.APIStatusError) -> str:
    """What the server said, without the SDK's 'Error code: NNN - ' prefix."""
    body = error.body
    said = body.get("message") if isinstance(body, dict) else None
    return _short(str(said or re.sub(r"^Error code: \d+ - ", "", error.message)))


def _rate_limited(error: openai.RateLimitError, where: str, tries: str) -> str:
    if getattr(error, "code", None) == "insufficient_quota":
        return f"the account behind the API key has no quota left at {where} (429)"
    return f"the model server at {where} is rate limiting requests (429) after {tries}; try later"


def _root_cause(error: BaseException) -> str:
    """The innermost reason, e.g. 'connection refused', as a short phrase."""
    seen = error
    for _ in range(20):  # chains are short; the bound only guards against a cycle
        inner = seen.__cause__ or seen.__context__
        if inner is None:
            break
        seen = inner
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
    return _short(str(seen) or type(seen).__name__, 120)


def _short(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _scrub(message: str, secret: str | None) -> str:
    """The message without the key, also as an escaped repr shows it (b'Bearer sk-...\\n')."""
    message = " ".join(message.split())
    if not secret or not secret.strip():
        return message
    escaped = repr(secret.encode("utf-8", "backslashreplace"))[2:-1]
    for form in sorted({secret, escaped, secret.strip(), " ".join(secret.split())}, key=len)[::-1]:
        message = message.replace(form, "***")
    return message
