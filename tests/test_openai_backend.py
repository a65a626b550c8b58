"""The openai backend at the HTTP level, against bench/stub_server.py on loopback only."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from assistant.backends import get_chat_model, retry
from assistant.backends.openai import DraftChatOpenAI, display_url, load_openai
from assistant.backends.retry import Endpoint, RetryPolicy, StreamTruncatedError, retry_after
from assistant.config import Settings
from assistant.errors import ConfigError, ModelError
from bench.stub_server import (
    DEFAULT_SENTENCE,
    Reply,
    StubServer,
    completion,
    error_reply,
    sample_for_schema,
)

KEY = "sk-test-SECRET123"
SCHEMA = {
    "type": "object",
    "properties": {
        "question": {"type": "string"},
        "options": {"type": "array", "items": {"type": "string"}, "minItems": 2},
    },
    "required": ["question", "options"],
    "additionalProperties": False,
}
JSON_SCHEMA = {
    "type": "json_schema",
    "json_schema": {"name": "poll", "schema": SCHEMA, "strict": True},
}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """No key, base URL or proxy from the developer's shell may reach these tests."""
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_API_BASE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stub(_server):
    """The module's stub server, reset: one port keeps the tests fast (clients are cached)."""
    return _server.reset()


@pytest.fixture
def waits():
    """The waits the retry policy asked for, instead of sleeping through them."""
    return []


@pytest.fixture
def policy(waits):
    async def async_sleep(seconds):
        waits.append(seconds)

    return RetryPolicy(max_retries=2, base_delay=0.01, sleep=waits.append, async_sleep=async_sleep)


def make_model(url, policy, *, model="stub-model", key=KEY, timeout=5.0, **options):
    settings = Settings(model=f"openai/{model}", base_url=url, api_key=key, timeout=timeout)
    return load_openai(settings, retry_policy=policy, **options)


def run_async(model, use):
    """Run `use(model)` in a fresh event loop, closing the model's async client inside it."""

    async def main():
        try:
            return await use(model)
        finally:
            await model.root_async_client.close()

    return asyncio.run(main())


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_invoke_kwargs_reach_the_request(stub, policy):
    model = make_model(stub.url, policy, top_p=0.5, repeat_penalty=1.1)
    answer = model.invoke(
        "Big news: we launched!",
        temperature=0.2,
        max_tokens=64,
        seed=7,
        response_format=JSON_SCHEMA,
    )
    (request,) = stub.chat_requests
    body = request.body
    assert body["model"] == "stub-model"
    assert (body["temperature"], body["max_tokens"], body["seed"], body["top_p"]) == (
        0.2,
        64,
        7,
        0.5,
    )
    assert body["response_format"] == JSON_SCHEMA
    assert body["repeat_penalty"] == 1.1  # server-specific options pass through as they are
    assert body["messages"][-1] == {"role": "user", "content": "Big news: we launched!"}
    assert request.headers["authorization"] == "REDACTED"
    assert json.loads(answer.content) == {
        "question": DEFAULT_SENTENCE,
        "options": [DEFAULT_SENTENCE, DEFAULT_SENTENCE],
    }


def test_get_chat_model_builds_the_openai_backend():
    model = get_chat_model(Settings(model="openai/llama3.1", base_url="http://127.0.0.1:9/v1"))
    assert isinstance(model, DraftChatOpenAI)
    assert model.model_name == "llama3.1"


def test_base_url_without_key_uses_a_placeholder(stub, policy):
    assert make_model(stub.url, policy, key=None).invoke("hi").content == DEFAULT_SENTENCE


def test_neither_key_nor_base_url_is_a_config_error():
    with pytest.raises(ConfigError, match="OPENAI_API_KEY.*--base-url"):
        load_openai(Settings(model="openai/gpt-4o-mini"))


def json_object_only(body):
    """A server like older Ollama: json_schema is refused, json_object works."""
    if body.get("response_format", {}).get("type") == "json_schema":
        return error_reply(400, "response_format type json_schema is not supported")
    return json.dumps({"question": "Which one?", "options": ["a", "b"]})


def test_json_schema_falls_back_to_json_object_once_and_remembers(stub, policy, waits):
    stub.reset(responder=json_object_only)
    model = make_model(stub.url, policy)
    first = model.invoke(
        [("system", "You write polls."), ("user", "post")], response_format=JSON_SCHEMA
    )
    second = model.invoke("again", response_format=JSON_SCHEMA)
    kinds = [r.body["response_format"]["type"] for r in stub.chat_requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert json.loads(first.content)["options"] == ["a", "b"]
    assert json.loads(second.content)["question"] == "Which one?"
    fallback = stub.chat_requests[1].body["messages"]
    assert [m["role"] for m in fallback] == ["system", "user"]  # merged, not a 2nd system
    assert fallback[0]["content"].startswith("You write polls.")
    assert json.dumps(SCHEMA) in fallback[0]["content"]
    assert waits == []  # a fallback is not a retry


def test_llama_cpp_servers_500_on_json_schema_falls_back_without_retrying(stub, policy, waits):
    """llama-cpp-python's server answers json_schema with HTTP 500, not 400."""

    def llama_cpp_server(body):
        if body.get("response_format", {}).get("type") == "json_schema":
            return error_reply(
                500,
                "1 validation error: response_format.type: Input should be 'text' or 'json_object'",
            )
        return json.dumps({"question": "Which one?", "options": ["a", "b"]})

    stub.reset(responder=llama_cpp_server)
    answer = make_model(stub.url, policy).invoke("post", response_format=JSON_SCHEMA)
    assert json.loads(answer.content)["options"] == ["a", "b"]
    kinds = [r.body["response_format"]["type"] for r in stub.chat_requests]
    assert kinds == ["json_schema", "json_object"]
    assert waits == []


def test_other_500_is_still_retried(stub, policy, waits):
    stub.reset(script=[("status", 500, {}, "CUDA out of memory")])
    assert make_model(stub.url, policy).invoke("hi", response_format=JSON_SCHEMA).content
    assert len(waits) == 1


def test_other_400_is_neither_retried_nor_a_fallback(stub, policy):
    stub.reset(script=[("status", 400, {}, "messages must not be empty")])
    with pytest.raises(ModelError, match="HTTP 400: messages must not be empty$"):
        make_model(stub.url, policy).invoke("hi", response_format=JSON_SCHEMA)
    assert len(stub.chat_requests) == 1


def test_503_is_retried_then_succeeds(stub, policy, waits):
    stub.reset(script=[("status", 503), ("status", 502)])
    assert make_model(stub.url, policy).invoke("hi").content == DEFAULT_SENTENCE
    assert len(stub.chat_requests) == 3
    assert len(waits) == 2


def test_dropped_connection_is_retried(stub, policy):
    stub.reset(script=[("close",)])
    assert make_model(stub.url, policy).invoke("hi").content == DEFAULT_SENTENCE
    assert len(stub.chat_requests) == 2


def test_5xx_gives_up_after_all_attempts(stub, policy):
    stub.reset(script=[("status", 500)] * 3)
    with pytest.raises(ModelError) as info:
        make_model(stub.url, policy).invoke("hi")
    assert (
        str(info.value) == f"the model server at {stub.url} failed with HTTP 500 after 3 attempts"
    )


@pytest.mark.parametrize(("header", "expected"), [("3", 3.0), ("120", 30.0)])
def test_429_honours_retry_after_up_to_the_cap(stub, policy, waits, header, expected):
    stub.reset(script=[("status", 429, {"Retry-After": header})])
    assert make_model(stub.url, policy).invoke("hi").content == DEFAULT_SENTENCE
    assert waits == [expected]


def test_exhausted_quota_is_not_retried(stub, policy, waits):
    no_quota = error_reply(429, "You exceeded your current quota", code="insufficient_quota")
    stub.reset(responder=lambda body: no_quota)
    with pytest.raises(ModelError, match="no quota left"):
        make_model(stub.url, policy).invoke("hi")
    assert len(stub.chat_requests) == 1 and waits == []


def test_retry_after_reads_http_dates():
    class Response:
        def __init__(self, value):
            self.headers = {"retry-after": value}

    class Error(Exception):
        def __init__(self, value):
            self.response = Response(value)

    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=20), usegmt=True)
    assert 17 < retry_after(Error(soon)) <= 20
    assert retry_after(Error(past)) == 0
    assert retry_after(Error("soon-ish")) is None
    assert RetryPolicy().wait(1, Error(soon)) <= 20


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling():
    policy = RetryPolicy(base_delay=0.1, max_delay=0.4)
    for attempt, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (6, 0.4)]:
        waits = [policy.wait(attempt, None) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(set(waits)) > 1


def test_connection_refused_gives_up_naming_the_url(policy, waits):
    url = closed_port_url()
    with pytest.raises(ModelError) as info:
        make_model(url, policy).invoke("hi")
    message = str(info.value)
    assert url in message
    assert "after 3 attempts" in message
    assert "connection refused" in message
    assert len(waits) == 2


def test_timeout_gives_up():
    policy = RetryPolicy(max_retries=1, sleep=lambda seconds: None)
    stub = StubServer(script=[("hang", 3), ("hang", 3)])  # its own: stopping it ends the hangs
    with stub as url, pytest.raises(ModelError, match=r"within 0.2 s \(2 attempts\)$") as info:
        make_model(url, policy, timeout=0.2).invoke("hi")
    assert str(info.value).startswith(f"the model server at {url} did not answer")
    assert len(stub.chat_requests) == 2


def test_401_is_not_retried_and_never_shows_the_key(stub, policy, waits, caplog):
    caplog.set_level("DEBUG")
    stub.reset(script=[("status", 401)])
    model = make_model(stub.url, policy)
    with pytest.raises(ModelError) as info:
        model.invoke("hi")
    message = str(info.value)
    assert message.startswith("the server rejected the API key (401); check OPENAI_API_KEY")
    assert len(stub.chat_requests) == 1 and waits == []
    for text in (message, repr(stub.requests), caplog.text, repr(model), repr(model._endpoint)):
        assert "SECRET123" not in text


def test_server_echoing_the_key_is_scrubbed(stub, policy):
    stub.reset(script=[("status", 400, {}, f"bad key {KEY} in request")])
    with pytest.raises(ModelError) as info:
        make_model(stub.url, policy).invoke("hi")
    assert "SECRET123" not in str(info.value)
    assert "bad key *** in request" in str(info.value)


def test_404_names_the_missing_model(stub, policy):
    stub.reset(models=["llama3.1"])
    with pytest.raises(ModelError) as info:
        make_model(stub.url, policy, model="llama9").invoke("hi")
    assert "model 'llama9' not found" in str(info.value)
    assert stub.url in str(info.value)
    assert len(stub.chat_requests) == 1


def test_answer_cut_at_max_tokens_says_so(stub, policy):
    cut = completion('{"question": "Wh', "stub-model")
    cut["choices"][0]["finish_reason"] = "length"
    stub.reset(responder=lambda body: Reply(200, cut))
    with pytest.raises(ModelError, match="hit max_tokens before finishing"):
        make_model(stub.url, policy).invoke("hi", max_tokens=3, response_format=JSON_SCHEMA)


def test_streaming(stub, policy):
    stub.reset(script=[("status", 503)])
    chunks = [c.content for c in make_model(stub.url, policy).stream("hi", temperature=0)]
    assert "".join(chunks) == DEFAULT_SENTENCE
    assert len([c for c in chunks if c]) == len(DEFAULT_SENTENCE.split())
    assert len(stub.chat_requests) == 2  # the 503 came before the first chunk: retried
    last = stub.chat_requests[-1].body
    assert last["stream"] is True and last["temperature"] == 0


def test_async_streaming_retries_before_the_first_chunk(stub, policy, waits):
    async def collect(model):
        return [chunk.content async for chunk in model.astream("hi")]

    stub.reset(script=[("close",)])
    chunks = run_async(make_model(stub.url, policy), collect)
    assert "".join(chunks) == DEFAULT_SENTENCE
    assert len(stub.chat_requests) == 2 and len(waits) == 1


def test_streaming_falls_back_to_json_object(stub, policy):
    stub.reset(responder=json_object_only)
    model = make_model(stub.url, policy)
    chunks = [c.content for c in model.stream("hi", response_format=JSON_SCHEMA)]
    assert json.loads("".join(chunks))["options"] == ["a", "b"]
    kinds = [r.body["response_format"]["type"] for r in stub.chat_requests]
    assert kinds == ["json_schema", "json_object"]


def test_truncated_stream_is_a_model_error_keeping_the_partial_text(stub, policy, waits):
    stub.reset(script=[("truncated_stream",)])
    received = []
    with pytest.raises(StreamTruncatedError, match="stream truncated") as info:
        for chunk in make_model(stub.url, policy).stream("hi"):
            received.append(chunk.content)
    assert isinstance(info.value, ModelError)
    assert "".join(received) == info.value.partial == DEFAULT_SENTENCE.split()[0]
    assert len(stub.chat_requests) == 1 and waits == []


def test_stream_ending_without_finish_reason_is_truncated(policy):
    class Chunk:
        def __init__(self, text):
            self.text = text

    endpoint = Endpoint("http://127.0.0.1:1/v1", "m", 1.0)
    chunks = [Chunk("Hi"), Chunk(" you")]
    received = []
    with pytest.raises(StreamTruncatedError, match="after 6 characters") as info:
        for chunk in retry.stream(lambda: iter(chunks), policy, endpoint, lambda c: False):
            received.append(chunk.text)
    assert received == ["Hi", " you"] and info.value.partial == "Hi you"


def test_async_invoke_retries_with_the_async_sleep(stub, policy, waits):
    stub.reset(script=[("status", 503)])
    answer = run_async(make_model(stub.url, policy), lambda m: m.ainvoke("hi", max_tokens=5))
    assert answer.content == DEFAULT_SENTENCE
    assert len(waits) == 1
    assert stub.chat_requests[-1].body["max_tokens"] == 5


def test_stub_serves_requests_in_parallel(stub, policy):
    stub.reset(latency=0.3)
    model = make_model(stub.url, policy)
    answers = model.batch(["a", "b", "c", "d"], config={"max_concurrency": 4})
    assert [a.content for a in answers] == [DEFAULT_SENTENCE] * 4
    assert stub.max_in_flight == 4


def test_sample_for_schema_follows_refs_and_min_items():
    schema = {
        "type": "object",
        "properties": {
            "variants": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/Variant"}},
            "score": {"type": "integer", "minimum": 1},
            "kind": {"enum": ["question", "poll"]},
        },
        "$defs": {"Variant": {"type": "object", "properties": {"text": {"type": "string"}}}},
    }
    assert sample_for_schema(schema) == {
        "variants": [{"text": DEFAULT_SENTENCE}] * 2,
        "score": 1,
        "kind": "question",
    }
    assert DEFAULT_SENTENCE.endswith("?")


def test_stub_invalid_json_fault_reaches_the_caller_untouched(stub, policy):
    stub.reset(script=[("invalid_json",)])
    content = make_model(stub.url, policy).invoke("hi", response_format=JSON_SCHEMA).content
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)


def test_stub_responder_may_return_a_whole_reply(stub, policy):
    stub.reset(responder=lambda body: Reply(503, {"error": {"message": "busy"}}))
    with pytest.raises(ModelError, match="HTTP 503 after 3 attempts"):
        make_model(stub.url, policy).invoke("hi")
    assert len(stub.chat_requests) == 3


def test_api_key_never_in_settings_output():
    settings = Settings(model="openai/gpt-4o-mini", api_key=KEY)
    assert KEY not in repr(settings)
    assert settings.public()["api_key"] == "set"
    assert KEY not in str(settings.public())


def test_display_url_drops_credentials_and_query():
    assert display_url("https://user:pw@host:8080/v1/?token=x") == "https://host:8080/v1"


def test_stub_binds_loopback_only(stub):
    assert stub._httpd.server_address[0] == "127.0.0.1"
    assert stub.url == f"http://127.0.0.1:{stub._httpd.server_address[1]}/v1"
