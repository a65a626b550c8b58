"""`draft chat` driven in a real terminal (pexpect pty) against the OpenAI-compatible stub
server on loopback: deterministic answers, real prompt_toolkit input, real SIGINT."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from bench.stub_server import StubServer
from tests.fakes import poll_answer, question_answer

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent
DRAFT = Path(sys.executable).parent / "draft"
SEED = "examples/cloudsync_launch.txt"
PROMPT = "draft>"  # prompt_toolkit draws the trailing space as a cursor move
QUESTION = "CloudSync Pro is 50% faster now. What would you sync first?"
POLL = poll_answer(
    "CloudSync Pro is 50% faster. What will you sync first?", ["Photos", "Work files", "Music"]
)
SHORTER = "50% faster sync: what goes first?"
REPLY = "Hi Maya, yes: CloudSync Pro keeps working offline and syncs once you are back online."
THREAD = "Maya: Does CloudSync Pro work offline?\nSam: Love the new speed!\n."
LONGER = "CloudSync Pro now syncs your files 50% faster than before. Which folder goes first?"

pytestmark = pytest.mark.skipif(not DRAFT.exists(), reason="the draft script is not installed")


def responder(body: dict) -> str:
    """Playbook calls get schema-valid JSON; free-text turns get a revision of the draft."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        properties = fmt["json_schema"]["schema"].get("properties", {})
        if "reply" in properties:
            return json.dumps({"reply": REPLY})
        return json.dumps(POLL if "options" in properties else question_answer(QUESTION))
    request = body["messages"][-1]["content"]
    if "shorter" in request:
        options = "\n".join(f"- {o}" for o in POLL["options"]) if "Photos" in request else ""
        return f"{SHORTER}\n{options}".strip()
    return LONGER


@pytest.fixture
def stub():
    server = StubServer(responder=responder)
    server.start()
    yield server
    server.stop()


def spawn(stub: StubServer):
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")  # nobody answers cursor queries
    child = pexpect.spawn(
        str(DRAFT),
        ["chat", SEED, "--model", "openai/stub", "--base-url", stub.url],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 140),
        # a terminal delivers Ctrl-C; a test runner started in the background ignores SIGINT,
        # and the child would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    child.expect(PROMPT)
    return child


def ask(child, line: str, *expected: str) -> None:
    child.send(line if line.endswith("\r") else line + "\r")
    for text in expected:
        child.expect_exact(text)
    child.expect_exact(PROMPT)


def only_transcript(isolated_dirs) -> dict:
    [path] = (isolated_dirs[1] / "transcripts").glob("*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_broadcast_post_becomes_a_short_poll_saved_to_a_file(stub, isolated_dirs, tmp_path):
    out = tmp_path / "final.txt"
    child = spawn(stub)
    assert "FAILED · ad-like" in child.before  # the seed post is shown with its verdict first
    ask(child, "/question", "[question]", QUESTION, "passed")
    ask(child, "/poll", "[poll]", "Work files")
    ask(child, "make it shorter", SHORTER, "passed")
    ask(child, "/critique", "draft: passes")
    ask(child, f"/save {out}", "saved to")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert out.read_text(encoding="utf-8") == "\n".join([SHORTER, *POLL["options"]]) + "\n"
    saved = only_transcript(isolated_dirs)
    assert [t["user"] for t in saved["turns"]] == ["/question", "/poll", "make it shorter"]
    assert saved["turns"][-1]["draft"] == {
        **saved["draft"],
        "text": SHORTER,
        "options": POLL["options"],
    }


def test_ctrl_c_stops_generation_and_the_chat_goes_on(stub, isolated_dirs):
    child = spawn(stub)
    child.send("half a thought")
    child.sendintr()  # at the prompt: clears the line, does not quit
    child.expect_exact(PROMPT)
    ask(child, "/history", "no turns yet")

    stub.reset(responder=responder, script=[("hang", 20)])
    child.sendline("make it longer")
    deadline = time.monotonic() + 15
    while not stub.chat_requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stub.chat_requests, "the model was never called"
    child.sendintr()  # during generation: stops it and comes back to the prompt
    child.expect_exact("interrupted")
    child.expect_exact(PROMPT)

    ask(child, "/history", "1. you: make it longer", "(interrupted)")
    ask(child, "make it shorter", SHORTER, "passed")
    child.send(f"\x1b[200~/replies\n{THREAD}\x1b[201~")  # a bracketed paste: one message
    ask(child, "\r", "Suggested reply", "Maya", "offline")
    child.sendeof()  # Ctrl-D quits cleanly
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    turns = only_transcript(isolated_dirs)["turns"]
    assert turns[0]["interrupted"] is True and "draft" not in turns[0]
    assert turns[1]["draft"]["text"] == SHORTER
    assert turns[2]["kind"] == "replies"
    assert turns[2]["assistant"].splitlines()[0] == f"Maya: {REPLY}"  # both commenters, in order
    assert turns[2]["assistant"].splitlines()[1].startswith("Sam: ")
