"""Backend faults as the user meets them: `draft rewrite --model openai/stub --base-url URL`
against bench/stub_server.py on loopback, and the embedded backend with a missing or corrupt
model file. Each failure is exit code 3 with one clear line; finished work is never lost.

The retry count and timeout come from the config file (`max_retries`, `timeout`), as a user
would set them. tests/test_openai_backend.py covers the same faults at the backend level.
"""

from __future__ import annotations

import json
import os
import random
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import assistant.backends
import assistant.outputs
from assistant.errors import InputError
from assistant.llm import JSON_ATTEMPTS
from assistant.outputs import write_atomic
from assistant.playbooks import load_playbooks
from bench.stub_server import Reply, error_reply
from cli import app
from tests.fakes import question_answer

DRAFT = str(Path(sys.executable).with_name("draft"))
KEY = "sk-test-SECRET-123"
POST = "We're thrilled to announce CloudSync Pro! 50% faster sync. Buy now!!!"
OTHER = "Big news: Rosie's Bakery opens on Elm Street this Saturday. Come by!"
QUESTION = "CloudSync Pro syncs 50% faster. What will you sync first?"
BAKERY = "Rosie's Bakery opens on Elm Street this Saturday. What should we bake first?"
CANDIDATES = load_playbooks()["question"].candidates  # requests one rewrite makes when all pass

runner = CliRunner()


def answer_for(body: dict) -> str:
    """A passing question about whichever post the request is about."""
    prompt = body["messages"][-1]["content"]
    return json.dumps(question_answer(BAKERY if "Bakery" in prompt else QUESTION))


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("OPENAI_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy",
                 "https_proxy", "all_proxy", "OPENAI_PROXY"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


@pytest.fixture
def stub(_server):
    return _server.reset(responder=answer_for)


@pytest.fixture
def settings_file(isolated_dirs):
    """Write the user's config file: retries and timeouts as a user would set them."""

    def write(max_retries: int = 0, timeout: float = 5.0) -> None:
        text = f"max_retries = {max_retries}\ntimeout = {timeout}\n"
        (isolated_dirs[0] / "config.toml").write_text(text, encoding="utf-8")

    write()
    return write


@pytest.fixture
def post(tmp_path):
    path = tmp_path / "post.txt"
    path.write_text(POST, encoding="utf-8")
    return path


def rewrite(url: str, *args, playbook: str = "question"):
    argv = ["rewrite", *map(str, args), "--model", "openai/stub", "--base-url", url]
    return runner.invoke(app, [*argv, "-p", playbook], color=True)


def assert_fails(result, code: int, *messages: str) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("draft: error: ")
    for message in messages:
        assert message in result.stderr
    assert "Traceback" not in result.stderr and KEY not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# --- the happy path, so every failure below is a failure of its fault alone -------------------


def test_the_stub_server_answer_passes(stub, post):
    result = rewrite(stub.url, post, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["variants"][0]["text"] == QUESTION
    assert len(stub.chat_requests) == CANDIDATES


# --- network and server faults -----------------------------------------------------------------


@pytest.mark.parametrize(("retries", "attempts"), [(0, "1 attempt"), (1, "2 attempts")])
def test_connection_refused(settings_file, post, retries, attempts):
    settings_file(max_retries=retries)
    url = closed_port_url()
    result = rewrite(url, post)
    assert_fails(result, 3, f"could not reach the model server at {url} after {attempts}")
    assert "(connection refused); is it running?" in result.stderr


def test_timeout(stub, settings_file, post):
    settings_file(max_retries=0, timeout=0.3)
    stub.reset(script=[("hang", 2)] * 50)
    started = time.monotonic()
    result = rewrite(stub.url, post)
    assert_fails(result, 3, f"the model server at {stub.url} did not answer within 0.3 s")
    assert time.monotonic() - started < 5  # given up, not waited out


def test_429_waits_for_retry_after_then_succeeds(stub, settings_file, post):
    settings_file(max_retries=1)
    stub.reset(responder=answer_for, script=[("status", 429, {"Retry-After": "1"})])
    started = time.monotonic()
    result = rewrite(stub.url, post)
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started >= 1.0  # the server's Retry-After was honoured
    assert len(stub.chat_requests) == CANDIDATES + 1


def test_429_that_persists_is_one_line(stub, settings_file, post):
    settings_file(max_retries=1)
    stub.reset(script=[("status", 429, {"Retry-After": "0"})] * 50)
    result = rewrite(stub.url, post)
    assert_fails(result, 3, "is rate limiting requests (429) after 2 attempts; try later")


@pytest.mark.parametrize("statuses", [[503], [500, 503], [502]])
def test_5xx_then_success(stub, settings_file, post, statuses):
    settings_file(max_retries=2)
    stub.reset(responder=answer_for, script=[("status", s) for s in statuses])
    result = rewrite(stub.url, post, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["variants"][0]["text"] == QUESTION
    assert len(stub.chat_requests) == CANDIDATES + len(statuses)  # each fault cost one retry


def test_5xx_that_persists_is_one_line(stub, settings_file, post):
    settings_file(max_retries=1)
    stub.reset(script=[("status", 503)] * 50)
    result = rewrite(stub.url, post)
    assert_fails(result, 3, f"the model server at {stub.url} failed with HTTP 503 after 2 attempts")


def test_dropped_connections(stub, settings_file, post):
    settings_file(max_retries=1)
    stub.reset(script=[("close",)] * 50)
    result = rewrite(stub.url, post)
    assert_fails(result, 3, f"could not reach the model server at {stub.url} after 2 attempts")


def test_401_is_not_retried_and_says_which_key(stub, settings_file, post):
    settings_file(max_retries=3)
    stub.reset(script=[("status", 401)] * 50)
    result = rewrite(stub.url, post)
    assert_fails(result, 3, "the server rejected the API key (401); check OPENAI_API_KEY")
    assert len(stub.chat_requests) <= CANDIDATES  # no call was retried


def test_404_model_names_the_model(stub, settings_file, post):
    stub.reset(responder=answer_for, models=["llama3.1"])
    result = rewrite(stub.url, post)
    assert_fails(result, 3, "model 'stub' not found", f"{stub.url}/models")


# --- what the model says -----------------------------------------------------------------------


def test_invalid_json_is_regenerated(stub, settings_file, post):
    stub.reset(responder=answer_for, script=[("invalid_json",), ("invalid_json",)])
    result = rewrite(stub.url, post, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["variants"][0]["text"] == QUESTION
    assert len(stub.chat_requests) == CANDIDATES + 2


def test_invalid_json_forever_is_bounded_and_one_line(stub, settings_file, post):
    stub.reset(script=[("invalid_json",)] * 200)
    result = rewrite(stub.url, post)
    assert_fails(result, 3, f"the model gave no valid JSON after {JSON_ATTEMPTS} attempts")
    assert len(stub.chat_requests) == CANDIDATES * JSON_ATTEMPTS  # bounded: no more than this


@pytest.mark.parametrize(
    "wrong",
    [
        json.dumps({"txt": QUESTION}),  # a key the schema does not have
        json.dumps({**question_answer(QUESTION), "question": 42}),  # the wrong type
        json.dumps({**question_answer(QUESTION), "question": ""}),  # too short
        json.dumps({"text": QUESTION}),  # a single-text shape, as in a user playbook
    ],
)
def test_schema_violations_are_regenerated_boundedly(stub, settings_file, post, wrong):
    stub.reset(responder=lambda body: wrong)
    result = rewrite(stub.url, post)
    assert_fails(result, 3, f"no valid JSON after {JSON_ATTEMPTS} attempts")
    assert len(stub.chat_requests) == CANDIDATES * JSON_ATTEMPTS
    calls = iter([wrong])
    stub.reset(responder=lambda body: next(calls, None) or answer_for(body))
    result = rewrite(stub.url, post)
    assert result.exit_code == 0, result.stderr
    assert len(stub.chat_requests) == CANDIDATES + 1


def test_json_in_prose_or_a_fence_is_repaired_without_asking_again(stub, settings_file, post):
    answer = json.dumps(question_answer(QUESTION))
    fenced = f"Sure! Here it is:\n```json\n{answer}\n```\nHope that helps."
    stub.reset(responder=lambda body: fenced)
    result = rewrite(stub.url, post, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["variants"][0]["text"] == QUESTION
    assert len(stub.chat_requests) == CANDIDATES


def test_a_server_error_body_with_escapes_is_one_clean_line(stub, settings_file, post):
    hostile = "bad request\n\x1b]0;pwned\x07\x1b[2J second line"
    stub.reset(responder=lambda body: error_reply(400, hostile))
    result = rewrite(stub.url, post)
    assert_fails(result, 3, "refused the request with HTTP 400: bad request")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_a_truncated_stream_in_chat_is_one_line_and_the_chat_goes_on(stub, settings_file, tmp_path):
    settings_file(max_retries=2)
    stub.reset(script=[("truncated_stream",)])
    seed = tmp_path / "post.txt"
    seed.write_text(POST, encoding="utf-8")
    argv = ["chat", str(seed), "--model", "openai/stub", "--base-url", stub.url]
    result = runner.invoke(app, argv, input="make it shorter\n/platform\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("\n") == 1 and "stream truncated" in result.stderr
    assert f"model server at {stub.url} stopped after" in result.stderr
    assert "Traceback" not in result.output and "platform: x" in result.stdout
    assert len(stub.chat_requests) == 1  # a stream cut after it started is not retried


# --- the embedded backend ----------------------------------------------------------------------


def _corrupt_gguf(folder: Path) -> Path:
    path = folder / "x.gguf"
    path.write_bytes(random.Random(7).randbytes(64_000))
    return path


@pytest.mark.parametrize("command", ["rewrite", "replies"])
@pytest.mark.parametrize("where", ["/nonexistent.gguf", "{tmp}"], ids=["missing", "directory"])
def test_embedded_model_file_missing_is_exit_3(tmp_path, command, where):
    path = tmp_path / "input.txt"
    path.write_text(POST if command == "rewrite" else "Priya: When does it ship?\n", "utf-8")
    model_path = where.format(tmp=tmp_path)
    result = runner.invoke(app, [command, str(path), "--model-path", model_path])
    assert_fails(result, 3, f"model file not found: {model_path}")


@pytest.mark.parametrize("command", ["rewrite", "replies"])
def test_embedded_model_file_corrupt_is_exit_3_in_a_real_process(tmp_path, isolated_dirs, command):
    """A subprocess: llama.cpp could write to the C-level stderr, which CliRunner cannot see."""
    path = tmp_path / "input.txt"
    path.write_text(POST if command == "rewrite" else "Priya: When does it ship?\n", "utf-8")
    corrupt = tmp_path / "x.gguf"
    corrupt.write_bytes(random.Random(7).randbytes(64_000))
    out = tmp_path / "out.txt"
    argv = [DRAFT, command, str(path), "--model-path", str(corrupt)]
    argv += ["-o", str(out)] if command == "rewrite" else []
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr == "draft: error: cannot load model x.gguf: the file is missing or corrupt\n"
    assert proc.stdout == "" and not out.exists()


# --- finished work is kept ---------------------------------------------------------------------


def failing_for(marker: str, reply: Reply):
    def responder(body: dict):
        return reply if marker in body["messages"][-1]["content"] else answer_for(body)

    return responder


@pytest.fixture
def two_posts(tmp_path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(POST, encoding="utf-8")
    second.write_text(OTHER, encoding="utf-8")
    return first, second


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("old", [None, "yesterday's variants\n"], ids=["new", "existing"])
def test_a_later_file_failing_keeps_the_finished_variants(stub, two_posts, tmp_path, jobs, old):
    stub.reset(responder=failing_for("Bakery", error_reply(401)))
    first, second = two_posts
    out = tmp_path / "out" / "variants.json"
    out.parent.mkdir()
    if old:
        out.write_text(old, encoding="utf-8")
    result = rewrite(stub.url, first, second, "-o", out, "-j", jobs)
    assert_fails(result, 3, f"{second}: the server rejected the API key (401)")
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert [d["file"] for d in saved] == [str(first)]
    assert saved[0]["variants"][0]["text"] == QUESTION
    assert json.loads(result.stdout) == saved  # shown as well as written
    assert [p.name for p in out.parent.iterdir()] == ["variants.json"]  # no temporary file
    assert first.read_text(encoding="utf-8") == POST  # the inputs are untouched
    assert second.read_text(encoding="utf-8") == OTHER


def test_an_earlier_file_failing_keeps_the_later_ones(stub, two_posts, tmp_path):
    stub.reset(responder=failing_for("CloudSync", error_reply(401)))
    first, second = two_posts
    out = tmp_path / "variants.txt"
    result = rewrite(stub.url, first, second, "-o", out)
    assert_fails(result, 3, f"{first}: the server rejected the API key (401)")
    saved = out.read_text(encoding="utf-8")
    assert f"== {second}" in saved and BAKERY in saved and f"== {first}" not in saved


def test_when_nothing_finishes_the_old_output_is_kept(stub, two_posts, tmp_path):
    stub.reset(script=[("status", 401)] * 100)
    out = tmp_path / "variants.txt"
    out.write_text("yesterday's variants\n", encoding="utf-8")
    result = rewrite(stub.url, *two_posts, "-o", out)
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 2  # one line per failed file
    assert out.read_text(encoding="utf-8") == "yesterday's variants\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_model_that_cannot_load_writes_nothing(post, tmp_path):
    out = tmp_path / "variants.txt"
    out.write_text("old\n", encoding="utf-8")
    result = runner.invoke(app, ["rewrite", str(post), "--model-path", "/nonexistent.gguf",
                                 "-o", str(out)])  # fmt: skip
    assert_fails(result, 3, "model file not found: /nonexistent.gguf")
    assert out.read_text(encoding="utf-8") == "old\n"


@pytest.mark.parametrize(
    ("target", "message"),
    [("missing-folder/out.txt", "does not exist"), (".", "is a directory")],
)
def test_an_unwritable_output_fails_before_the_model_runs(stub, post, tmp_path, target, message):
    result = rewrite(stub.url, post, "-o", tmp_path / target)
    assert_fails(result, 2, message)
    assert stub.chat_requests == []  # no model time was spent on results that could not be kept


def test_ctrl_c_exits_130_and_writes_nothing(monkeypatch, post, tmp_path):
    def interrupted(settings, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(assistant.backends, "get_chat_model", interrupted)
    out = tmp_path / "variants.txt"
    result = runner.invoke(app, ["rewrite", str(post), "-o", str(out)])
    assert result.exit_code == 130 and result.stderr == "draft: interrupted\n"
    assert not out.exists()


# --- write_atomic itself -----------------------------------------------------------------------


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(monkeypatch, tmp_path, failure):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "out.txt"
    out.write_text("old\n", encoding="utf-8")

    def broken_replace(src, dst):
        raise failure

    monkeypatch.setattr(assistant.outputs.os, "replace", broken_replace)
    with pytest.raises(InputError if isinstance(failure, OSError) else KeyboardInterrupt):
        write_atomic(out, "new\n")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in folder.iterdir()] == ["out.txt"]


def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    write_atomic(out, "new\n")
    assert out.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_new_file_gets_the_usual_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.txt", "x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_write_atomic_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new\n"


def test_write_atomic_writes_into_a_pipe_rather_than_replacing_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_atomic(fifo, "through the pipe\n")
    reader.join(timeout=5)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not replaced by a regular file


def test_write_atomic_errors_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "no" / "out.txt", "x")
