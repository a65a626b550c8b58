"""Bad and hostile input through the real CLI, for every command that reads a file
(rewrite, critique, replies, chat).

Each bad case: one line on stderr, exit code 2, the model never asked, no traceback, and with
`--output` nothing written. Odd but valid text (right-to-left, emoji, long lines) is accepted and
kept exactly. Terminal escapes never reach the terminal, whether they come from a file, a file
name or the model. Tests invoke with color=True: click strips ANSI codes from output it thinks
is not a terminal, which would hide exactly the leaks these tests look for.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import assistant.backends
from assistant.errors import InputError
from assistant.inputs import POST_LIMIT, THREAD_LIMIT, decode_text, read_input, strip_control
from assistant.threads import read_thread
from cli import app
from tests.fakes import RecordingFakeModel, answers, poll_answer, question_answer

DRAFT = str(Path(sys.executable).with_name("draft"))
POST = "CloudSync Pro is out: sync is 50% faster. What will you sync first?"
THREAD = "Priya: When does offline mode ship? I sync on the train.\nOmar: Love the new app!\n"
QUESTION = question_answer("CloudSync Pro syncs 50% faster. What will you sync first?")
POLL = poll_answer("CloudSync Pro syncs 50% faster. What first?", ["Photos", "Work"])
REPLY = {"reply": "Thanks for asking, Priya! Offline mode is on the way. Where do you sync most?"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
# Whatever a terminal could act on: CSI, OSC (title) with BEL and ST, a bare ESC, BEL, C1 CSI.
ESCAPES = "\x1b[2J\x1b[31m\x1b]0;pwned\x07\x1b]8;;http://evil\x1b\\\x1bc\x07\x9b6n"
UNSAFE = ("\x1b", "\x07", "\x9b", "\x9d")
RTL_EMOJI = (
    "מבצע השקה: CloudSync Pro כבר כאן 🚀 ما رأيكم؟ 👩🏽‍💻🇮🇱 \u200fנשמח לשמוע: מה תסנכרנו קודם? 🙌"
)

runner = CliRunner()


@pytest.fixture
def fake(monkeypatch):
    """A model that records every call: bad input must fail before it is ever asked."""
    model = RecordingFakeModel(responses=answers(QUESTION, POLL, REPLY) * 30)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
    return model


def invoke(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input, color=True)


def assert_one_line_error(result, message: str, code: int = 2) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("draft: error: "), result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not any(c in result.stderr for c in UNSAFE)


def no_escapes(text: str) -> bool:
    return not any(c in text for c in UNSAFE)


def write(data: bytes | str):
    raw = data.encode("utf-8") if isinstance(data, str) else data

    def setup(folder: Path) -> Path:
        path = folder / "input.txt"
        path.write_bytes(raw)
        return path

    return setup


def not_a_folder(folder: Path) -> Path:
    (folder / "file.txt").write_text(POST, encoding="utf-8")
    return folder / "file.txt" / "child.txt"


def bad_inputs(limit: int) -> list:
    return [
        pytest.param(lambda d: d / "missing.txt", "missing.txt: no such file", id="missing"),
        pytest.param(not_a_folder, "no such file", id="under-a-file"),
        pytest.param(lambda d: d, "is a directory", id="directory"),
        pytest.param(write(b""), "is empty", id="empty"),
        pytest.param(write(b"  \n\t \r\n \xc2\xa0 "), "is empty", id="whitespace"),
        pytest.param(write(ESCAPES), "is empty", id="only-escapes"),
        pytest.param(write("\u200b\ufeff\u2060 \u200b"), "is empty", id="zero-width-only"),
        pytest.param(write(PNG), "looks like a binary file", id="binary"),
        pytest.param(
            write(b"Hello\ncaf\xe9 au lait"),
            "not valid UTF-8 (byte 0xE9 at line 2, column 4)",
            id="latin-1",
        ),
        pytest.param(write(b"ok " + b"\xff" * 3), "byte 0xFF at line 1, column 4", id="bad-byte"),
        pytest.param(write(b"word " * (limit // 5) + b"!"), "too large", id="over-limit"),
        pytest.param(lambda d: d / ("x" * 300), "cannot read (File name too long)", id="long-name"),
    ]


def _good(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# Where a command reads a file: (id, argv builder from the bad path and a folder, size limit).
ENTRY_POINTS = {
    "rewrite": (lambda bad, d: ["rewrite", bad, "-p", "question"], POST_LIMIT),
    "rewrite --thanks-from": (
        lambda bad, d: ["rewrite", _good(d, "post.txt", POST), "--thanks-from", bad],
        THREAD_LIMIT,
    ),
    "critique": (lambda bad, d: ["critique", bad], POST_LIMIT),
    "critique --source": (
        lambda bad, d: ["critique", _good(d, "post.txt", POST), "--source", bad],
        THREAD_LIMIT,
    ),
    "replies": (lambda bad, d: ["replies", bad], THREAD_LIMIT),
    "replies --post": (
        lambda bad, d: ["replies", _good(d, "thread.txt", THREAD), "--post", bad],
        POST_LIMIT,
    ),
    "chat": (lambda bad, d: ["chat", bad], POST_LIMIT),
}


def _matrix():
    for entry, (_, limit) in ENTRY_POINTS.items():
        for case in bad_inputs(limit):
            yield pytest.param(entry, *case.values, id=f"{entry}:{case.id}")


@pytest.mark.parametrize(("entry", "setup", "message"), list(_matrix()))
def test_bad_input_is_one_line_exit_2_and_the_model_is_never_asked(
    fake, tmp_path, entry, setup, message
):
    folder = tmp_path / "in"
    folder.mkdir()
    build, _ = ENTRY_POINTS[entry]
    result = invoke(*build(setup(folder), tmp_path))
    assert_one_line_error(result, message)
    assert result.stdout == ""
    assert fake.calls == []


@pytest.mark.parametrize(("setup", "message"), bad_inputs(POST_LIMIT))
@pytest.mark.parametrize("old", [None, "my earlier variants\n"], ids=["new-output", "old-output"])
def test_bad_input_writes_nothing(fake, tmp_path, setup, message, old):
    folder = tmp_path / "in"
    folder.mkdir()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "variants.txt"
    if old is not None:
        out.write_text(old, encoding="utf-8")
    result = invoke("rewrite", setup(folder), "--output", out)
    assert_one_line_error(result, message)
    assert (out.read_text(encoding="utf-8") if out.exists() else None) == old
    assert [p.name for p in out_dir.iterdir()] == ([] if old is None else ["variants.txt"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "stdin: is empty"),
        (b" \n \n", "stdin: is empty"),
        (PNG, "stdin: looks like a binary file"),
        (b"caf\xe9", "stdin: not valid UTF-8 (byte 0xE9 at line 1, column 4)"),
        (b"a" * (THREAD_LIMIT + 10), "stdin: more than"),
    ],
)
@pytest.mark.parametrize("command", ["rewrite", "critique", "replies"])
def test_bad_stdin(fake, command, data, message):
    result = invoke(command, "-", input=data)
    assert_one_line_error(result, message)
    assert fake.calls == []


def test_a_post_exactly_at_the_limit_is_read_and_one_byte_more_is_not(tmp_path):
    path = tmp_path / "post.txt"
    path.write_bytes(b"a" * POST_LIMIT)
    assert len(read_input(path)) == POST_LIMIT
    result = invoke("critique", path)  # accepted: it fails the platform's length, not exit 2
    assert result.exit_code == 1 and "format.length" in result.stdout
    path.write_bytes(b"a" * (POST_LIMIT + 1))
    assert_one_line_error(invoke("critique", path), "100,001 bytes is too large for a post")


def test_a_thread_exactly_at_the_limit_is_read(tmp_path):
    line = b"Priya: a comment\n"
    path = tmp_path / "thread.txt"
    path.write_bytes(line * (THREAD_LIMIT // len(line)) + b"x" * (THREAD_LIMIT % len(line)))
    assert path.stat().st_size == THREAD_LIMIT
    assert len(read_thread(str(path)).comments) == THREAD_LIMIT // len(line)
    with path.open("ab") as f:
        f.write(b"x")
    with pytest.raises(InputError, match="1,000,001 bytes is too large for a thread"):
        read_thread(str(path))


# --- through a real process: what a user's shell sees ------------------------------------------


def _limit_memory():  # a read that does not stop at the limit fails fast instead of eating RAM
    resource.setrlimit(resource.RLIMIT_DATA, (768 << 20, 768 << 20))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["critique", "/dev/zero"], "/dev/zero: more than 100,000 bytes is too large"),
        (["replies", "/dev/zero"], "/dev/zero: more than 1,000,000 bytes is too large"),
        (["rewrite", "{tmp}/missing.txt"], "missing.txt: no such file"),
        (["rewrite", "{tmp}"], "is a directory"),
        (["critique", "{tmp}/latin1.txt"], "not valid UTF-8 (byte 0xE9 at line 1, column 4)"),
        (["critique", "{tmp}/" + "x" * 300], "File name too long"),
        (["rewrite", "{tmp}/png.txt", "-o", "{tmp}/out.txt"], "looks like a binary file"),
    ],
)
def test_a_real_process_prints_one_line_and_no_traceback(tmp_path, isolated_dirs, args, message):
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9")
    (tmp_path / "png.txt").write_bytes(PNG)
    argv = [DRAFT, *(a.format(tmp=tmp_path) for a in args)]
    proc = subprocess.run(
        argv, capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("draft: error: ")
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out.txt").exists()


# --- odd but valid text is accepted and preserved ---------------------------------------------


def test_rtl_and_emoji_post_is_preserved_through_rewrite(fake, tmp_path):
    path = _good(tmp_path, "post.txt", RTL_EMOJI)
    result = invoke("rewrite", path, "-p", "question", "--json")
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["source"] == RTL_EMOJI
    prompt = fake.calls[0]["messages"][-1].content  # the brief: the words, not the emoji
    for piece in ("מבצע השקה", "CloudSync Pro כבר כאן", "ما رأيكم؟", "\u200fנשמח לשמוע"):
        assert piece in prompt


def test_rtl_and_emoji_post_is_critiqued(tmp_path):
    path = _good(tmp_path, "post.txt", RTL_EMOJI)
    result = invoke("critique", path, "--json")
    assert result.exit_code in (0, 1), result.stderr
    for finding in json.loads(result.stdout)["findings"]:
        assert RTL_EMOJI[finding["start"] : finding["end"]] == finding["match"]


def test_rtl_and_emoji_thread_is_preserved_through_replies(fake, tmp_path):
    thread = "דנה: מתי יוצא מצב לא מקוון? 🚆\nOmar: Love it 😍🔥\n"
    result = invoke("replies", _good(tmp_path, "thread.txt", thread), "--json")
    assert result.exit_code == 0, result.stderr
    comments = [r["comment"] for r in json.loads(result.stdout)["replies"]]
    assert sorted(comments) == sorted(["מתי יוצא מצב לא מקוון? 🚆", "Love it 😍🔥"])


def test_extremely_long_lines_are_handled(fake, tmp_path):
    words = ("CloudSync Pro syncs faster " * 4000)[: POST_LIMIT - 10]  # one line, ~100 KB
    result = invoke("critique", _good(tmp_path, "words.txt", words))
    assert result.exit_code == 1 and "format.length" in result.stdout
    blob = "x" * (POST_LIMIT - 1)  # one 100 KB "word"
    result = invoke("critique", _good(tmp_path, "blob.txt", blob), "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["findings"]
    result = invoke("rewrite", _good(tmp_path, "post.txt", words), "-p", "question", "--json")
    assert result.exit_code in (0, 1) and json.loads(result.stdout)["source"] == words.strip()


def test_crlf_and_a_bom_are_normalised(fake, tmp_path):
    path = tmp_path / "post.txt"
    path.write_bytes(b"\xef\xbb\xbfCloudSync Pro is out.\r\nWhat will you sync first?\r\n")
    assert read_input(path) == "CloudSync Pro is out.\nWhat will you sync first?"


# --- terminal escapes never reach the terminal ---------------------------------------------------


def test_escapes_in_a_post_are_stripped_before_anything_sees_it(fake, tmp_path):
    path = _good(tmp_path, "post.txt", f"CloudSync Pro{ESCAPES} is out.\x01 What first?\x1b[0m")
    result = invoke("rewrite", path, "-p", "question", "--json")
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["source"] == "CloudSync Pro is out. What first?"
    assert all(no_escapes(m.content) for m in fake.calls[0]["messages"])
    result = invoke("critique", path)
    assert result.exit_code in (0, 1) and no_escapes(result.stdout)


def test_escapes_in_a_file_name_are_not_echoed(fake, tmp_path):
    name = "post\x1b]0;pwned\x07\x1b[31m.txt"
    path = _good(tmp_path, name, POST)
    assert_one_line_error(invoke("critique", tmp_path / f"{name}.missing"), "no such file")
    result = invoke("critique", path)
    assert result.exit_code == 0 and "post.txt: passes" in result.stdout
    assert no_escapes(result.stdout)
    second = _good(tmp_path, "second.txt", POST)
    result = invoke("rewrite", path, second, "-p", "question")
    assert result.exit_code in (0, 1) and no_escapes(result.stdout)
    assert "== " + str(tmp_path / "post.txt") in result.stdout


HOSTILE_ANSWER = {  # escapes in both parts of the post
    "news": f"CloudSync Pro syncs 50% faster.{ESCAPES}",
    "question": "What will you sync\x7f first?\x1b[0m",
}


def test_escapes_from_the_model_never_reach_the_terminal_or_the_file(monkeypatch, tmp_path):
    model = RecordingFakeModel(responses=answers(HOSTILE_ANSWER) * 10)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
    post = _good(tmp_path, "post.txt", POST)
    out = tmp_path / "out.txt"
    plain = invoke("rewrite", post, "-p", "question", "-o", out)
    assert plain.exit_code == 0, plain.stdout
    assert "CloudSync Pro syncs 50% faster. What will you sync first?" in plain.stdout
    assert no_escapes(plain.stdout) and no_escapes(out.read_text(encoding="utf-8"))
    as_json = invoke("rewrite", post, "-p", "question", "--json")
    assert as_json.exit_code == 0 and no_escapes(as_json.stdout)
    text = json.loads(as_json.stdout)["variants"][0]["text"]
    assert text == "CloudSync Pro syncs 50% faster. What will you sync first?"


def test_escapes_from_the_model_in_poll_options_are_stripped(monkeypatch, tmp_path):
    poll = poll_answer(
        "CloudSync Pro syncs 50% faster. What first?", ["\x1b[2JPhotos\x1b]0;x\x07", "Work files"]
    )
    model = RecordingFakeModel(responses=answers(poll) * 10)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
    result = invoke("rewrite", _good(tmp_path, "post.txt", POST), "-p", "poll", "--json")
    assert no_escapes(result.stdout)
    assert json.loads(result.stdout)["variants"][0]["options"] == ["Photos", "Work files"]


def test_escapes_from_the_model_in_replies_never_reach_the_terminal(monkeypatch, tmp_path):
    hostile = {"reply": f"Thanks, Priya! Offline mode{ESCAPES} is on the way. Where do you sync?"}
    model = RecordingFakeModel(responses=answers(hostile) * 40)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
    thread = _good(tmp_path, "thread.txt", THREAD)
    for args in ([], ["--json"]):
        result = invoke("replies", thread, *args)
        assert result.exit_code == 0, result.stderr
        assert no_escapes(result.stdout) and "Offline mode is on the way" in result.stdout


def test_a_lone_surrogate_from_the_model_does_not_crash_the_output(monkeypatch, tmp_path):
    answer = (
        '{"news": "CloudSync Pro syncs 50% faster.", '
        '"question": "What will you sync first? \\ud83d"}'
    )
    model = RecordingFakeModel(responses=[answer] * 10)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
    post = _good(tmp_path, "post.txt", POST)
    out = tmp_path / "out.json"
    result = invoke("rewrite", post, "-p", "question", "--json", "-o", out)
    assert result.exit_code == 0, result.exception
    result.stdout.encode("utf-8")  # printable as UTF-8
    json.loads(out.read_text(encoding="utf-8"))


# --- the functions themselves ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[1;31mred\x1b[0m", "red"),
        ("a\x1b]0;title\x07b\x1b]8;;http://x\x1b\\c", "abc"),
        ("a\x9b31mb\x85c\x7fd", "abcd"),
        ("x\x1bcy\x1b7z\x1b(Bw\x1bPq#0;2\x1b\\v\x9d0;t\x9c!", "xyzwv!"),
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("\x00\x01\x02\x0b\x0c\x1a\x1f", ""),
        (RTL_EMOJI, RTL_EMOJI),
        ("\u202eevil\u202c \u200e", "\u202eevil\u202c \u200e"),  # bidi marks are text, not escapes
    ],
)
def test_strip_control(raw, clean):
    assert strip_control(raw) == clean


def test_stdin_that_is_closed_or_fails_is_one_line(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InputError, match="stdin: not available"):
        read_input("-")

    class Broken(io.RawIOBase):
        def read(self, size=-1):
            raise OSError(5, "Input/output error")

    with pytest.raises(InputError, match=r"stdin: cannot read \(Input/output error\)"):
        read_input("-", stdin=Broken())


def test_a_text_stream_as_stdin(monkeypatch):
    assert read_input("-", stdin=io.StringIO("  hello  ")) == "hello"
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_input("-", stdin=io.StringIO("bad \ud800 surrogate"))


def test_permission_denied_is_one_line(monkeypatch, tmp_path):
    path = _good(tmp_path, "post.txt", POST)

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    result = invoke("critique", path)
    assert_one_line_error(result, "post.txt: permission denied")


def test_decode_text_names_the_first_bad_byte_after_a_bom():
    with pytest.raises(InputError, match=r"byte 0xC3 at line 3, column 2"):
        decode_text(b"\xef\xbb\xbfone\ntwo\n\xc3\xa9\xc3(", name="x")


@pytest.mark.parametrize(
    "hostile",
    ["\x9d" * 100_000, "\x1b]" * 50_000, "\x1b[" + "0" * 100_000, "\x9b0" * 50_000],
    ids=["c1-osc", "osc", "csi-params", "c1-csi"],
)
def test_strip_control_is_linear_on_hostile_text(hostile):
    started = time.perf_counter()
    assert len(strip_control(hostile)) < len(hostile)
    assert time.perf_counter() - started < 1.0


def test_a_csv_thread_with_a_huge_field_is_one_line(fake, tmp_path):
    """The csv module refuses fields over 128 KB: that used to be a traceback."""
    path = _good(tmp_path, "thread.csv", "author,text\nAnn," + "x" * 200_000 + "\n")
    result = invoke("replies", path)
    assert_one_line_error(result, "thread.csv: cannot read it as CSV (field larger than")
    assert fake.calls == []
