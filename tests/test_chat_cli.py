"""`draft chat` without a terminal: one message per line on stdin, plain answers, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from typer.testing import CliRunner

import assistant.backends
from cli import app
from tests.fakes import question_answer

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "examples" / "cloudsync_launch.txt")
SHORT = "CloudSync Pro syncs 50% faster. What will you sync first?"
QUESTION = json.dumps(
    question_answer("CloudSync Pro is 50% faster now. What would you sync first?")
)

runner = CliRunner()


@pytest.fixture
def fake(monkeypatch):
    model = FakeListChatModel(responses=[QUESTION, SHORT])
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
    return model


def transcripts(isolated_dirs) -> list[dict]:
    folder = isolated_dirs[1] / "transcripts"
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def test_a_piped_session_prints_plain_answers_and_saves_the_turns(fake, isolated_dirs):
    result = runner.invoke(app, ["chat", SEED], input="/question\nmake it shorter\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout  # no colours, no spinner
    assert result.stdout.splitlines()[:3] == [
        "[question]",
        "CloudSync Pro is 50% faster now. What would you sync first?",
        "check: passed · score 100 · engaging · 59/280 chars",
    ]
    assert f"{SHORT}\ncheck: passed" in result.stdout
    [saved] = transcripts(isolated_dirs)
    assert [t["user"] for t in saved["turns"]] == ["/question", "make it shorter"]
    assert saved["draft"]["text"] == SHORT and saved["settings"]["api_key"] == "not set"


def test_the_end_of_input_ends_the_chat_cleanly(fake):
    result = runner.invoke(app, ["chat", SEED], input="/question\nmake it shorter\n")
    assert result.exit_code == 0
    assert result.stdout.endswith(f"{SHORT}\ncheck: passed · score 100 · engaging · 57/280 chars\n")


def test_a_chat_can_start_without_a_post(fake, isolated_dirs):
    post = "Big news: CloudSync Pro is 50% faster. Buy now!"
    result = runner.invoke(app, ["chat"], input=f"{post}\n")
    assert result.exit_code == 0
    assert "Working on this post" in result.stdout and "check: FAILED" in result.stdout
    assert transcripts(isolated_dirs)[0]["post"] == post


def test_resume_continues_the_latest_transcript(fake, isolated_dirs):
    runner.invoke(app, ["chat", SEED], input="/question\n")
    result = runner.invoke(app, ["chat", "--resume"], input="/history\n/undo\n")
    assert result.exit_code == 0
    assert "1. you: /question" in result.stdout
    [saved] = transcripts(isolated_dirs)  # the same file, continued
    assert saved["turns"] == []


def test_resume_a_given_transcript_and_override_the_platform(fake, isolated_dirs):
    runner.invoke(app, ["chat", SEED], input="/question\n")
    [path] = sorted((isolated_dirs[1] / "transcripts").glob("*.json"))
    result = runner.invoke(
        app, ["chat", "--resume", str(path), "--platform", "linkedin"], input="/platform\n"
    )
    assert result.exit_code == 0
    assert "platform: linkedin" in result.stdout


def test_a_model_error_in_a_turn_is_one_line_and_the_chat_continues(monkeypatch):
    from assistant.errors import ModelError

    def broken(settings, **kw):
        raise ModelError("cannot reach http://localhost:1/v1: connection refused")

    monkeypatch.setattr(assistant.backends, "get_chat_model", broken)
    result = runner.invoke(app, ["chat", SEED], input="make it shorter\n/platform\n")
    assert result.exit_code == 0
    assert result.stderr == "error: cannot reach http://localhost:1/v1: connection refused\n"
    assert "platform: x" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["chat", "--variants", "0"], "Invalid value"),
        (["chat", "--platform", "myspace"], "unknown platform"),
        (["chat", "--model", "gpt"], "bad model"),
        (["chat", "missing.txt"], "missing.txt: no such file"),
        (["chat", "-"], "stdin carries the messages"),
        (["chat", "--resume"], "no transcripts to resume"),
    ],
)
def test_bad_flags_and_inputs_exit_2(args, message):
    result = runner.invoke(app, args, input="")
    assert result.exit_code == 2
    assert message in result.stderr


def test_draft_help_does_not_import_the_chat_stack():
    code = (
        "import sys, cli; heavy = [m for m in ('prompt_toolkit', 'langchain_core', 'llama_cpp',"
        " 'assistant.chat.session') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr
