"""Calling a chat model for structured output: JSON-schema constrained, parsed, regenerated
when broken (bounded), several samples at once where the backend allows it.

Works with any LangChain chat model: the embedded adapter, ChatOpenAI, or a fake in tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .errors import DraftError, InvalidOutputError, ModelError

Message = tuple[str, str]  # ("system" | "human" | "ai", text)
JSON_ATTEMPTS = 3  # a schema-violating answer is regenerated at most this many times


@dataclass
class Sample:
    data: dict[str, Any]
    raw: str
    seed: int | None


def is_tuned(model) -> bool:
    """Whether the model was tuned on draft's own prompt format (the bundled LoRA adapter):
    such a model gets no few-shot turns and no revise prompt it never saw in training."""
    return bool(getattr(model, "tuned", False))


def response_format(schema: dict, name: str = "draft") -> dict:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def parse_json(raw: str, schema: dict) -> dict[str, Any] | None:
    """The JSON object in `raw` if it has the schema's required keys with the right types."""
    text = raw.strip()
    fenced = re.search(r"\{.*\}", text, re.DOTALL)  # servers without grammars add prose/fences
    if fenced:
        text = fenced.group(0)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    return data if _conforms(data, schema) else None


def _conforms(value: Any, schema: dict) -> bool:
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            return False
        props = schema.get("properties", {})
        return all(
            k in value and _conforms(value[k], props.get(k, {})) for k in schema.get("required", [])
        )
    if kind == "array":
        if not isinstance(value, list):
            return False
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 10**9):
            return False
        return all(_conforms(v, schema.get("items", {})) for v in value)
    if kind == "string":
        return isinstance(value, str) and len(value.strip()) >= schema.get("minLength", 1)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return True


def complete_json(
    model,
    messages: Sequence[Message],
    schema: dict,
    *,
    temperature: float = 0.7,
    max_tokens: int = 200,
    seed: int | None = None,
    **options: Any,
) -> Sample:
    """One schema-valid object from the model, regenerating a broken answer a bounded number of times."""
    last = ""
    for attempt in range(JSON_ATTEMPTS):
        attempt_seed = None if seed is None else seed + 1000 * attempt
        try:
            message = model.invoke(
                list(messages),
                temperature=temperature,
                max_tokens=max_tokens,
                seed=attempt_seed,
                response_format=response_format(schema),
                **options,
            )
        except DraftError:
            raise
        except Exception as e:  # a backend error we did not map: report it as a model failure
            raise ModelError(f"model call failed: {type(e).__name__}: {e}") from e
        last = message.content if isinstance(message.content, str) else str(message.content)
        data = parse_json(last, schema)
        if data is not None:
            return Sample(data=data, raw=last, seed=attempt_seed)
    raise InvalidOutputError(
        f"the model gave no valid JSON after {JSON_ATTEMPTS} attempts (last answer: {last[:80]!r})"
    )


def sample_json(
    model,
    messages: Sequence[Message],
    schema: dict,
    *,
    n: int,
    temperature: float,
    max_tokens: int = 200,
    seed: int = 0,
    concurrency: int = 1,
    **options: Any,
) -> list[Sample]:
    """`n` independent samples (distinct seeds). Runs `concurrency` calls at once for servers;
    in-process models serialise anyway. Samples whose JSON stays broken are dropped; if all are,
    the last InvalidOutputError is raised. Any other model failure (server down, bad key) is
    raised at once: retrying it per candidate would only repeat the failure."""

    def one(i: int) -> Sample | InvalidOutputError:
        try:
            return complete_json(
                model,
                messages,
                schema,
                temperature=temperature,
                max_tokens=max_tokens,
                seed=seed + i,
                **options,
            )
        except InvalidOutputError as e:
            return e

    if concurrency > 1 and n > 1:
        with ThreadPoolExecutor(max_workers=min(concurrency, n)) as pool:
            results = list(pool.map(one, range(n)))
    else:
        results = [one(i) for i in range(n)]
    samples = [r for r in results if isinstance(r, Sample)]
    if not samples:
        errors = [r for r in results if isinstance(r, InvalidOutputError)]
        raise errors[-1]
    return samples


def stream_text(model, messages: Sequence[Message], **options: Any) -> Iterator[str]:
    """Text chunks as the model produces them (for `draft chat`)."""
    for chunk in model.stream(list(messages), **options):
        content = chunk.content
        if isinstance(content, str) and content:
            yield content
