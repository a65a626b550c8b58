"""A dependency-free OpenAI-compatible stub server for tests and benchmarks.

Why: the OpenAI backend is tested at the HTTP level (real client, real sockets, loopback only),
and concurrency benchmarks need a server with a fixed latency that serves requests in parallel.

    with StubServer(latency=0.2, script=[("status", 503)]) as url:   # http://127.0.0.1:PORT/v1
        ...

Script entries are consumed one per chat-completion request, in order; once the script is used
up every request gets the responder's answer:

    ("ok",)                                  answer normally (to place a fault later in the script)
    ("status", 503)                          an OpenAI-style error body with that status
    ("status", 429, {"Retry-After": "1"})    ... with extra headers
    ("status", 400, {}, "message")           ... with a given error message
    ("hang", seconds)                        wait that long before answering (client timeouts)
    ("close",)                               drop the connection without an answer
    ("invalid_json",)                        a 200 whose message content is not JSON
    ("truncated_stream",)                    an SSE stream cut after two chunks

A responder is `fn(body: dict) -> str | Reply`: the assistant's content, or a whole reply.
Run by hand: `python -m bench.stub_server --port 8000 --latency 0.5`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_SENTENCE = "What would you change about it?"
STATEMENT = "The {name} comes from the stub server."  # for a string whose pattern wants no "?"
NOT_JSON = "Sure! Here is the post you asked for: {not json"
MAX_BODY = 1 << 20  # bytes: bigger requests are refused, so a bad client cannot exhaust memory
MAX_REQUESTS_PER_CONNECTION = 1000
IDLE_TIMEOUT = 30.0  # seconds an idle keep-alive connection may hold a thread
MAX_SCHEMA_DEPTH = 16
_STATUS_TEXT = {
    400: "bad request",
    401: "Incorrect API key provided.",
    403: "forbidden",
    404: "not found",
    429: "Rate limit reached, please retry later.",
    500: "internal server error",
    502: "bad gateway",
    503: "The server is overloaded.",
}


@dataclass(frozen=True)
class Reply:
    """A whole answer from a responder: a status, a JSON body and extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """One logged request: header names in lower case, `authorization` redacted (no key in logs)."""

    method: str
    path: str
    body: dict[str, Any] | None
    headers: dict[str, str]


def error_reply(
    status: int, message: str = "", headers: dict[str, str] | None = None, code: str | None = None
) -> Reply:
    """An error in the shape OpenAI uses, which the openai client parses into its exceptions."""
    message = message or _STATUS_TEXT.get(status, "error")
    kind = "invalid_request_error" if status < 500 else "server_error"
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return Reply(status, body, dict(headers or {}))


def sample_for_schema(
    schema: dict[str, Any], root: dict[str, Any] | None = None, depth: int = 0, name: str = ""
) -> Any:
    """A minimal value valid for a JSON schema: every property filled, arrays at minItems.

    A string is DEFAULT_SENTENCE, a question, unless its pattern says how it must end: a
    pattern ending in `?$` still gets the question, any other a statement ending in "." that
    names its property, so that parts joined into one post (news, then question) differ.
    """
    root = schema if root is None else root
    if depth > MAX_SCHEMA_DEPTH:
        return None
    if "$ref" in schema:
        return sample_for_schema(_resolve_ref(root, schema["$ref"]), root, depth + 1, name)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return sample_for_schema(schema[key][0], root, depth + 1, name)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {key: sample_for_schema(sub, root, depth + 1, key) for key, sub in props.items()}
    if kind == "array":
        item = schema.get("items", {"type": "string"})
        count = schema.get("minItems", 0)
        return [sample_for_schema(item, root, depth + 1, name) for _ in range(count)]
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    pattern = schema.get("pattern")
    if not isinstance(pattern, str) or pattern.endswith("?$"):  # `?$` or `\?$`
        return DEFAULT_SENTENCE
    return STATEMENT.format(name=name.replace("_", " ").strip() or "answer")


def _resolve_ref(root: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


def default_responder(body: dict[str, Any]) -> str:
    """JSON valid for the requested schema when there is one (for json_object, the schema
    beside it or else the one the client put into its messages), else a short plain sentence."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
        return json.dumps(sample_for_schema(schema))
    if fmt.get("type") == "json_object":
        schema = fmt.get("schema")  # llama-cpp-python's server takes one here
        if not isinstance(schema, dict):
            schema = schema_in_messages(body.get("messages") or [])
        return json.dumps(
            {"text": DEFAULT_SENTENCE} if schema is None else sample_for_schema(schema)
        )
    return DEFAULT_SENTENCE


def schema_in_messages(messages: list[Any]) -> dict[str, Any] | None:
    """The JSON schema a client without json_schema support put into its messages, if any:
    the first JSON object after the words "JSON schema" (draft's json_object fallback writes
    "It must match this JSON schema:" and the schema into the system message)."""
    decoder = json.JSONDecoder()
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        if not isinstance(content, str):
            continue
        at = content.lower().find("json schema")
        start = content.find("{", at) if at >= 0 else -1
        if start < 0:
            continue
        try:
            schema, _ = decoder.raw_decode(content, start)
        except ValueError:
            continue
        if isinstance(schema, dict):
            return schema
    return None


def completion(content: str, model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": 10,
            "completion_tokens": len(content.split()),
            "total_tokens": 10 + len(content.split()),
        },
    }


def stream_chunks(content: str, model: str) -> list[dict[str, Any]]:
    """The SSE chunks of a streamed answer: role, one chunk per word, then finish_reason."""
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    words = content.split(" ")
    parts = [w if i == 0 else " " + w for i, w in enumerate(words)]
    return [
        chunk({"role": "assistant", "content": ""}),
        *(chunk({"content": p}) for p in parts),
        chunk({}, "stop"),
    ]


class StubServer:
    """An OpenAI-compatible server on 127.0.0.1 in a background thread; see the module doc."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        script: Iterable[tuple[Any, ...]] = (),
        responder: Callable[[dict[str, Any]], str | Reply] | None = None,
        models: Iterable[str] | None = None,
        port: int = 0,
    ) -> None:
        self.latency = latency
        self.responder = responder or default_responder
        self.models = list(models) if models is not None else None  # None: any model name works
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._script = deque(script)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the stub server is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def reset(
        self,
        *,
        latency: float = 0.0,
        script: Iterable[tuple[Any, ...]] = (),
        responder: Callable[[dict[str, Any]], str | Reply] | None = None,
        models: Iterable[str] | None = None,
    ) -> StubServer:
        """Reuse a running server (one port, warm client connections): new faults, empty log."""
        with self._lock:
            self.latency = latency
            self.responder = responder or default_responder
            self.models = list(models) if models is not None else None
            self._script = deque(script)
            self.requests = []
            self.max_in_flight = self.in_flight
        return self

    def start(self) -> str:
        handler = type("Handler", (_Handler,), {"stub": self})
        self._httpd = _Server(("127.0.0.1", self._port), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._stopping.set()  # ends any "hang" at once
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_fault(self) -> tuple[Any, ...]:
        with self._lock:
            return self._script.popleft() if self._script else ("ok",)

    def _log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, tests) are normal here: no tracebacks on stderr."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers; needs explicit lengths
    timeout = IDLE_TIMEOUT
    stub: StubServer

    def setup(self) -> None:
        """No Nagle delay: small writes go out at once, so latency is what was asked for."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        """Like the base class, but a bounded number of requests per connection."""
        self.close_connection = True
        self.handle_one_request()
        for _ in range(MAX_REQUESTS_PER_CONNECTION - 1):
            if self.close_connection:
                break
            self.handle_one_request()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base class name
        """Quiet: tests read `stub.requests` instead."""

    def do_GET(self) -> None:
        self._record(None)
        if self.path.rstrip("/").endswith("/models"):
            ids = self.stub.models or ["stub-model"]
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "stub"} for m in ids]
            self._send_json(Reply(200, {"object": "list", "data": data}))
        else:
            self._send_json(error_reply(404, f"no route {self.path}"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self._send_json(error_reply(413, "request too large"))
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._record(None)
            return self._send_json(error_reply(400, "request body is not JSON"))
        self._record(body)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self._send_json(error_reply(404, f"no route {self.path}"))
        self.stub._enter()
        try:
            self._chat(body)
        finally:
            self.stub._leave()

    def _record(self, body: dict[str, Any] | None) -> None:
        headers = {
            k.lower(): ("REDACTED" if k.lower() == "authorization" else v)
            for k, v in self.headers.items()
        }
        self.stub._log(Request(self.command, self.path, body, headers))

    def _chat(self, body: dict[str, Any]) -> None:
        fault = self.stub._next_fault()
        if self.stub.latency:
            self.stub._stopping.wait(self.stub.latency)
        kind, args = fault[0], fault[1:]
        if kind == "status":
            return self._send_json(error_reply(args[0], *args[2:3], headers=_get(args, 1)))
        if kind == "hang":
            self.stub._stopping.wait(args[0])
        if kind == "close":
            return self._drop()
        model = str(body.get("model", ""))
        if self.stub.models is not None and model not in self.stub.models:
            return self._send_json(
                error_reply(404, f"The model `{model}` does not exist.", code="model_not_found")
            )
        answer = NOT_JSON if kind == "invalid_json" else self.stub.responder(body)
        if isinstance(answer, Reply):
            return self._send_json(answer)
        if body.get("stream"):
            return self._stream(answer, model, truncate=kind == "truncated_stream")
        self._send_json(Reply(200, completion(answer, model)))

    def _send_json(self, reply: Reply) -> None:
        data = json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, content: str, model: str, *, truncate: bool) -> None:
        """Server-sent events in chunked encoding; a truncated stream stops mid-body."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        events = [f"data: {json.dumps(c)}\n\n" for c in stream_chunks(content, model)]
        events.append("data: [DONE]\n\n")
        for event in events[:2] if truncate else events:
            data = event.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        if truncate:
            return self._drop()
        self.wfile.write(b"0\r\n\r\n")

    def _drop(self) -> None:
        """Cut the connection as a crashed server or a broken network would."""
        self.close_connection = True
        self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _get(args: tuple[Any, ...], index: int) -> Any:
    return args[index] if len(args) > index else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="OpenAI-compatible stub server (127.0.0.1 only)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    args = parser.parse_args(argv)
    with StubServer(latency=args.latency, port=args.port) as url:
        print(f"stub OpenAI server at {url} (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
