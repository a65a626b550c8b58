"""Secrets and hostile text.

The API key goes to the server in the Authorization header and nowhere else: not on stdout or
stderr, not in logs, not in any file under DRAFT_CONFIG_DIR/DRAFT_DATA_DIR or --output, not in
the error the user sees, even when the server echoes it back. User playbook templates run in
Jinja's sandbox and fail as one-line PlaybookErrors; posts, names, brand settings and comments
that look like templates or shell variables are sent to the model as plain text.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import assistant.backends
from assistant.errors import DraftError, PlaybookError
from assistant.prompts import render_string
from bench.stub_server import default_responder, error_reply
from cli import app
from tests.fakes import RecordingFakeModel, answers, question_answer, thanks_answer

KEY = "sk-test-SECRET-123"
LEAKS = (KEY, "SECRET-123", "sk-test-SECRET")  # the key, or enough of it to matter
POST = "We're thrilled to announce CloudSync Pro! 50% faster sync. Buy now!!!"
QUESTION = "CloudSync Pro syncs 50% faster. What will you sync first?"
THREAD = "Priya: When does offline mode ship? I sync on the train.\nOmar: Love the new app!\n"

runner = CliRunner()


def stub_answer(body: dict) -> str:
    schema = body.get("response_format", {}).get("json_schema", {}).get("schema", {})
    if "reply" in schema.get("properties", {}):
        return json.dumps(
            {"reply": "Thanks, Priya! Offline mode is on the way. Where do you sync?"}
        )
    if "text" in schema.get("properties", {}):  # the acknowledgement playbook
        return json.dumps({"text": QUESTION})
    if schema.get("required") == ["news", "question"]:  # the question playbook
        return json.dumps(question_answer(QUESTION))
    return default_responder(body)  # the judge: a minimal valid answer to its schema


@pytest.fixture(autouse=True)
def _key_in_the_environment(monkeypatch, isolated_dirs):
    for name in ("OPENAI_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy",
                 "https_proxy", "all_proxy", "OPENAI_PROXY", "DRAFT_TRACEBACK"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    (isolated_dirs[0] / "config.toml").write_text("max_retries = 0\ntimeout = 5\n", "utf-8")


@pytest.fixture
def stub(_server):
    return _server.reset(responder=stub_answer)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "post.txt").write_text(POST, encoding="utf-8")
    (tmp_path / "thread.txt").write_text(THREAD, encoding="utf-8")
    return tmp_path


def everything_written(*folders: Path) -> dict[str, bytes]:
    out = {}
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                path = Path(root) / name
                out[str(path)] = path.read_bytes()
    return out


def assert_no_key(result, *folders: Path) -> None:
    assert "Traceback" not in result.output
    for leak in LEAKS:
        assert leak not in result.stdout and leak not in result.stderr
        for path, data in everything_written(*folders).items():
            assert leak not in path and leak.encode() not in data, path


def echoing(status: int):
    """A server that repeats the key it was sent in its error message (some proxies do)."""
    return lambda body: error_reply(status, f"Incorrect API key provided: {KEY}. Bearer {KEY}")


SERVER_CASES = [
    pytest.param(None, 0, id="ok"),
    pytest.param(echoing(401), 3, id="401-echoing-the-key"),
    pytest.param(echoing(400), 3, id="400-echoing-the-key"),
    pytest.param(echoing(403), 3, id="403-echoing-the-key"),
    pytest.param(echoing(500), 3, id="500-echoing-the-key"),
    pytest.param(lambda body: "not json at all", 3, id="invalid-json"),
]


@pytest.mark.parametrize(("responder", "code"), SERVER_CASES)
def test_rewrite_never_shows_or_writes_the_key(stub, files, isolated_dirs, caplog, responder, code):
    stub.reset(responder=responder or stub_answer)
    caplog.set_level(logging.DEBUG)  # every logger, the openai client's and httpx's included
    out = files / "out.json"
    argv = ["rewrite", files / "post.txt", "-p", "question", "-o", out, "--json"]
    argv += ["--model", "openai/stub", "--base-url", stub.url]
    result = runner.invoke(app, list(map(str, argv)))
    assert result.exit_code == code, result.output
    assert_no_key(result, *isolated_dirs, files)
    assert caplog.records, "logging was not captured: this test would prove nothing"
    assert not any(leak in caplog.text for leak in LEAKS)
    assert all(r.headers.get("authorization") == "REDACTED" for r in stub.chat_requests)


def test_a_refused_connection_never_shows_the_key(files, isolated_dirs):
    argv = ["rewrite", str(files / "post.txt"), "--model", "openai/stub"]
    result = runner.invoke(app, [*argv, "--base-url", "http://127.0.0.1:9/v1"])
    assert result.exit_code == 3
    assert_no_key(result, *isolated_dirs, files)


@pytest.mark.parametrize("pasted", [f"{KEY}\n", f"{KEY}\r\n", f"  {KEY} "])
def test_a_key_pasted_with_its_newline_works_and_never_shows(
    stub, files, isolated_dirs, monkeypatch, pasted
):
    """An Authorization header cannot hold a newline: httpx used to refuse it with a message
    that showed the key (the scrubber looked for the key with its newline)."""
    monkeypatch.setenv("OPENAI_API_KEY", pasted)
    argv = ["rewrite", str(files / "post.txt"), "-p", "question", "--model", "openai/stub"]
    result = runner.invoke(app, [*argv, "--base-url", stub.url])
    assert result.exit_code == 0, result.stderr
    assert_no_key(result, *isolated_dirs, files)


def test_the_user_sees_no_key_in_the_exception_either(stub, files, monkeypatch):
    """With DRAFT_TRACEBACK=1 the DraftError itself comes out: its message is scrubbed too."""
    monkeypatch.setenv("DRAFT_TRACEBACK", "1")
    stub.reset(responder=echoing(401))
    argv = ["rewrite", str(files / "post.txt"), "--model", "openai/stub", "--base-url", stub.url]
    result = runner.invoke(app, argv)
    assert result.exit_code == 3
    assert "the server rejected the API key (401)" in result.stderr
    stub.reset(responder=echoing(400))
    monkeypatch.setenv("DRAFT_MODEL", "openai/stub")
    monkeypatch.setenv("OPENAI_BASE_URL", stub.url)
    from assistant.config import load_settings
    from assistant.llm import complete_json

    model = assistant.backends.get_chat_model(load_settings())
    with pytest.raises(DraftError) as caught:
        complete_json(model, [("human", "hi")], {"type": "object", "required": ["text"]})
    assert not any(leak in str(caught.value) for leak in LEAKS)
    assert "Incorrect API key provided: ***" in str(caught.value)


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_draft_config_never_shows_the_key_from_env_or_file(isolated_dirs, monkeypatch, json_flag):
    (isolated_dirs[0] / "config.toml").write_text(
        f'api_key = "{KEY}"\nbase_url = "https://me:{KEY}@llm.example.com/v1"\n', "utf-8"
    )
    for env in (KEY, None):
        if env is None:
            monkeypatch.delenv("OPENAI_API_KEY")
        result = runner.invoke(app, ["config", *json_flag])
        assert result.exit_code == 0, result.stderr
        assert not any(leak in result.output for leak in LEAKS)
        assert "https://me:***@llm.example.com/v1" in result.stdout
        if json_flag:
            assert json.loads(result.stdout)["api_key"] == "set"
        else:
            assert "api_key = set" in result.stdout


def test_replies_never_show_or_write_the_key(stub, files, isolated_dirs, caplog):
    caplog.set_level(logging.DEBUG)
    argv = ["replies", str(files / "thread.txt"), "--json", "--model", "openai/stub"]
    result = runner.invoke(app, argv, env={"OPENAI_BASE_URL": stub.url})
    assert result.exit_code == 0, result.output
    assert stub.chat_requests  # the model was really asked
    assert_no_key(result, *isolated_dirs, files)
    assert not any(leak in caplog.text for leak in LEAKS)


def test_critique_judge_never_shows_the_key(stub, files, isolated_dirs):
    env = {"DRAFT_MODEL": "openai/stub", "OPENAI_BASE_URL": stub.url}
    result = runner.invoke(app, ["critique", str(files / "post.txt"), "--judge"], env=env)
    assert result.exit_code in (0, 1), result.output
    assert stub.chat_requests
    assert_no_key(result, *isolated_dirs, files)
    stub.reset(responder=echoing(401))
    result = runner.invoke(app, ["critique", str(files / "post.txt"), "--judge"], env=env)
    assert result.exit_code == 3
    assert_no_key(result, *isolated_dirs, files)


def test_chat_transcripts_never_hold_the_key(stub, files, isolated_dirs):
    argv = ["chat", str(files / "post.txt"), "--model", "openai/stub", "--base-url", stub.url]
    result = runner.invoke(app, argv, input="/question\nmake it shorter\n/quit\n")
    assert result.exit_code == 0, result.output
    transcripts = list((isolated_dirs[1] / "transcripts").glob("*.json"))
    assert transcripts  # there is something to look in
    saved = json.loads(transcripts[0].read_text(encoding="utf-8"))
    assert saved["settings"]["api_key"] == "set"
    assert_no_key(result, *isolated_dirs, files)
    stub.reset(responder=echoing(401))
    result = runner.invoke(app, argv, input="make it shorter\n/quit\n")
    assert "rejected the API key" in result.stderr
    assert_no_key(result, *isolated_dirs, files)


# --- the Jinja sandbox -------------------------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ self._TemplateReference__context }}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "{{ 1 / 0 }}",
    "{{ '%d' % 'x' }}",
    "{{ undefined_variable }}",
    "{% include '/etc/passwd' %}",
    "{% extends '../../../../etc/passwd' %}",
]


def evil_playbook(folder: Path, *, system: str = "Hi", prompt: str = "question.j2") -> Path:
    folder.mkdir(exist_ok=True)
    builtin = (Path(__file__).parent.parent / "playbooks" / "question.toml").read_text("utf-8")
    lines = []
    for line in builtin.splitlines():
        if line.startswith("system = "):
            line = f"system = {json.dumps(system)}"
        elif line.startswith("prompt = "):
            line = f"prompt = {json.dumps(prompt)}"
        lines.append(line)
    (folder / "evil.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def fake(monkeypatch):
    model = RecordingFakeModel(responses=answers(question_answer(QUESTION)) * 20)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
    return model


@pytest.mark.parametrize("payload", ESCAPES)
def test_a_malicious_user_system_template_fails_safely(fake, files, isolated_dirs, payload):
    books = evil_playbook(files / "books", system=f"You write posts. {payload}")
    config = isolated_dirs[0] / "config.toml"
    config.write_text(f"playbooks_dir = {json.dumps(str(books))}\n", "utf-8")
    result = runner.invoke(app, ["rewrite", str(files / "post.txt"), "-p", "evil"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "template: " in result.stderr
    assert "Traceback" not in result.stderr and "<class" not in result.output
    assert fake.calls == []  # nothing rendered by the attack reached the model
    with pytest.raises(PlaybookError):
        render_string(payload, {"brand": "x", "voice": ""})


@pytest.mark.parametrize("prompt", ["../../../../etc/passwd", "/etc/passwd", "question.j2/../x"])
def test_a_user_playbook_cannot_read_files_outside_the_prompts(fake, files, isolated_dirs, prompt):
    books = evil_playbook(files / "books", prompt=prompt)
    (isolated_dirs[0] / "config.toml").write_text(f"playbooks_dir = {json.dumps(str(books))}\n")
    result = runner.invoke(app, ["rewrite", str(files / "post.txt"), "-p", "evil"])
    assert result.exit_code == 2, result.output
    assert "TemplateNotFound" in result.stderr and "root:" not in result.output
    assert fake.calls == []


# --- text that looks like a template is text ---------------------------------------------------

HOSTILE = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} {# hidden #} $HOME ${PWD} $(id) `id`"


def test_a_post_that_looks_like_a_template_reaches_the_model_as_text(fake, files):
    post = files / "hostile.txt"
    post.write_text(f"CloudSync Pro is out: {HOSTILE}", encoding="utf-8")
    result = runner.invoke(app, ["rewrite", str(post), "-p", "question", "--json"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["source"] == f"CloudSync Pro is out: {HOSTILE}"
    prompt = fake.calls[0]["messages"][-1].content
    # verbatim, except that the brief quiets SHOUTING words of four letters or more ($HOME)
    for piece in ("{{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}", "{# hidden #}", "$(id)"):
        assert piece in prompt
    assert "${PWD}" in prompt and "`id`" in prompt and "$home" in prompt.lower()
    assert "49" not in prompt and "xxx" not in prompt and os.environ["HOME"] not in prompt


def test_names_and_brand_settings_that_look_like_templates_are_text(
    monkeypatch, files, isolated_dirs
):
    fake = RecordingFakeModel(responses=answers(thanks_answer(f"Thanks. {QUESTION}")) * 20)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: fake)
    (isolated_dirs[0] / "config.toml").write_text(
        '[brand]\nname = "{{ 7*7 }} Corp"\nvoice = "{% raw %}calm{% endraw %} $USER"\n', "utf-8"
    )
    thank = "{{ config }}: asked for {% if true %}offline{% endif %} mode"
    argv = ["rewrite", str(files / "post.txt"), "-p", "acknowledgement", "--thank", thank]
    result = runner.invoke(app, argv)
    assert result.exit_code in (0, 1), result.output
    system, prompt = fake.calls[0]["messages"][0].content, fake.calls[0]["messages"][-1].content
    assert "{{ 7*7 }} Corp" in system and "{% raw %}calm{% endraw %} $USER" in system
    assert "Thank {{ config }}: asked for {% if true %}offline{% endif %} mode" in prompt


def test_comments_that_look_like_templates_reach_the_model_as_text(monkeypatch, files):
    reply = {"reply": "Thanks, Priya! Offline mode is on the way. Where do you sync most?"}
    model = RecordingFakeModel(responses=answers(reply) * 20)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
    thread = files / "hostile_thread.txt"
    thread.write_text(f"Priya: When does offline mode ship? {HOSTILE}\n", encoding="utf-8")
    result = runner.invoke(app, ["replies", str(thread), "--json"])
    assert result.exit_code == 0, result.output
    sent = model.calls[0]["messages"][-1].content
    for piece in ("{{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}", "$HOME", "$(id)"):
        assert piece in sent
