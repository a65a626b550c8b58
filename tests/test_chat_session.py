"""`draft chat` in-process: turns, memory, slash commands and transcripts with fake models."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pydantic import PrivateAttr

import assistant.backends
from assistant.chat import memory, store
from assistant.chat.loop import _turn
from assistant.chat.session import ChatSession
from assistant.chat.state import ChatState
from assistant.chat.warmup import warm
from assistant.config import Settings
from assistant.errors import InputError, ModelError
from assistant.render.chat import PlainChatView
from tests.fakes import poll_answer, question_answer, thanks_answer

ROOT = Path(__file__).resolve().parent.parent
POST = (ROOT / "examples" / "cloudsync_launch.txt").read_text(encoding="utf-8").strip()
SHORT = "CloudSync Pro syncs 50% faster. What will you sync first?"
QUESTION = question_answer("CloudSync Pro is 50% faster now. What would you sync first with it?")
POLL_TEXT = "CloudSync Pro is 50% faster. What will you sync first?"
POLL = poll_answer(POLL_TEXT, ["Photos", "Work files", "Music"])


class ChatFake(FakeListChatModel):
    """Answers in order; records every call (invoke or stream) with its messages and options;
    can stop a stream after `interrupt_after` chunks as Ctrl-C would, or fail it."""

    interrupt_after: int | None = None
    fail_with: str | None = None
    _calls: list[dict] = PrivateAttr(default_factory=list)

    def _call(self, messages, stop=None, run_manager=None, **kwargs):
        self._calls.append({"messages": messages, "kwargs": kwargs, "stream": False})
        return super()._call(messages, stop, run_manager, **kwargs)

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        self._calls.append(
            {"messages": messages, "kwargs": {**kwargs, "stop": stop}, "stream": True}
        )
        if self.fail_with:
            raise ModelError(self.fail_with)
        for n, chunk in enumerate(super()._stream(messages, stop, run_manager, **kwargs)):
            if self.interrupt_after is not None and n == self.interrupt_after:
                raise KeyboardInterrupt
            yield chunk

    @property
    def calls(self) -> list[dict]:
        return self._calls


class Recorder(PlainChatView):
    def __init__(self) -> None:
        super().__init__(io.StringIO(), io.StringIO())
        self.tokens: list[str] = []

    def stream_token(self, text: str) -> None:
        self.tokens.append(text)
        super().stream_token(text)

    @property
    def text(self) -> str:
        return self.out.getvalue()

    @property
    def errors(self) -> str:
        return self.err.getvalue()


def answers(*items) -> list[str]:
    return [i if isinstance(i, str) else json.dumps(i) for i in items]


@pytest.fixture
def use_model(monkeypatch):
    def install(*responses, **options) -> ChatFake:
        model = ChatFake(responses=answers(*responses), **options)
        monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **kw: model)
        return model

    return install


@pytest.fixture
def chat(tmp_path):
    def start(post: str = POST, settings: Settings | None = None, lines: list[str] | None = None):
        settings = settings or Settings()
        state = ChatState(post=post, platform=settings.platform, model=settings.model)
        pending = iter(lines or [])
        session = ChatSession(
            settings,
            Recorder(),
            state=state,
            transcript=store.new_path(),
            read_line=lambda: next(pending, None),
        )
        return session

    return start


def saved(session) -> dict:
    return json.loads(session.transcript.read_text(encoding="utf-8"))


# free-text turns ----------------------------------------------------------------------------


def test_a_request_streams_and_the_answer_becomes_the_checked_draft(use_model, chat):
    use_model(f"Sure! Here's a shorter one:\n{SHORT}")
    session = chat()
    assert session.handle("make it shorter") is True
    assert len(session.view.tokens) > 10  # streamed piece by piece, not printed at the end
    draft = session.state.draft
    assert draft.text == SHORT and draft.playbook == "chat"
    assert draft.report is not None and draft.passed
    assert "check: passed" in session.view.text
    assert saved(session)["turns"][0]["draft"]["text"] == SHORT


def test_an_ad_like_answer_is_shown_failing_with_its_worst_findings(use_model, chat):
    use_model("Buy CloudSync Pro now with code LAUNCH20!!! #cloud #sale")
    session = chat()
    session.handle("make it punchier")
    assert "check: FAILED" in session.view.text
    assert "  - error discount.code" in session.view.text  # the worst findings, named
    assert "tip: /question or /poll" in session.view.text


def test_the_model_sees_system_examples_history_and_the_current_draft(use_model, chat):
    model = use_model(SHORT, "CloudSync Pro is 50% quicker. So, what goes first?")
    session = chat()
    session.handle("make it shorter")
    session.handle("more playful")
    messages = model.calls[-1]["messages"]
    assert messages[0].type == "system" and "CloudSync Pro" in messages[0].content
    contents = [m.content for m in messages]
    assert "make it shorter" in contents and SHORT in contents  # the earlier exchange
    assert contents[-1] == f"Post: {SHORT}\nRequest: more playful"
    assert any("Oat latte" in c for c in contents)  # the worked examples
    assert model.calls[-1]["kwargs"]["max_tokens"] <= 120


def test_an_ad_like_seed_is_shown_to_the_model_as_its_brief(use_model, chat):
    model = use_model(SHORT, SHORT)
    session = chat()
    session.handle("make it shorter")
    # the sales copy stays out of the prompt: a small model copies what it is shown
    assert model.calls[0]["messages"][-1].content == (
        "Post: CloudSync Pro. 50% faster\nRequest: make it shorter"
    )
    engaging = "CloudSync Pro is 50% faster. What will you sync first?"
    session = chat(post=engaging)
    session.handle("make it shorter")
    assert model.calls[1]["messages"][-1].content == f"Post: {engaging}\nRequest: make it shorter"


def test_free_text_drafts_get_the_pipelines_form_checks(use_model, chat):
    use_model(
        "Oat latte lands Monday. What should we pair it with?", "CloudSync Pro is 50% faster."
    )
    session = chat()
    session.handle("make it shorter")
    assert session.state.draft.problems[0].startswith("does not mention the product")
    assert any("copies a name" in p for p in session.state.draft.problems)
    session.handle("make it shorter")
    assert session.state.draft.problems == ["asks the reader no question"]
    assert not session.state.draft.passed and "problem: asks the reader no question" in (
        session.view.text
    )


def test_a_question_gets_an_answer_and_keeps_the_draft(use_model, chat):
    use_model("- Say thanks\n- Ask what they sync")
    session = chat()
    session.handle("what would you reply to a happy customer?")
    assert session.state.draft.text == POST
    assert session.state.turns[-1].answer.startswith("- Say thanks")


def test_ctrl_c_while_streaming_keeps_the_partial_answer_and_the_session(use_model, chat):
    model = use_model(SHORT, interrupt_after=8)
    session = chat()
    assert _turn(session, "make it shorter") is True
    turn = session.state.turns[-1]
    assert turn.interrupted and turn.answer == SHORT[:8]
    assert session.state.draft.text == POST  # a partial answer never becomes the draft
    assert saved(session)["turns"][0]["interrupted"] is True
    assert "interrupted" in session.view.text
    model.interrupt_after = None
    session.handle("make it shorter")
    assert session.state.draft.text == SHORT


def test_a_model_error_is_one_line_and_the_chat_goes_on(use_model, chat):
    model = use_model(SHORT, fail_with="server at http://localhost:1 is down\nsecond line")
    session = chat()
    assert _turn(session, "make it shorter") is True
    assert session.view.errors == "error: server at http://localhost:1 is down\n"
    assert session.state.turns[-1].error
    model.fail_with = None
    session.handle("make it shorter")
    assert session.state.draft.text == SHORT


def test_the_first_message_of_an_unseeded_chat_is_the_post(use_model, chat):
    model = use_model(SHORT)
    session = chat(post="")
    session.handle(POST)
    assert session.state.post == POST and not session.state.turns
    assert "FAILED" in session.view.text  # the broadcast post is checked at once
    assert model.calls == []  # no model needed for that


def test_model_output_cannot_send_terminal_escapes(use_model, chat):
    use_model("\x1b]0;pwned\x07\x1b[31mCloudSync Pro is 50% faster.\x1b[0m What first?")
    session = chat()
    session.handle("make it shorter")
    assert "\x1b" not in session.view.text and "\x07" not in session.view.text
    assert session.state.draft.text == "CloudSync Pro is 50% faster. What first?"


def test_warm_up_evaluates_the_next_prompt_only_for_in_process_models(use_model, chat, monkeypatch):
    model = use_model(SHORT)
    session = chat()
    monkeypatch.setattr(assistant.backends, "is_local", lambda settings: False)
    warm(session)
    assert model.calls == []  # a server would be charged for it
    monkeypatch.setattr(assistant.backends, "is_local", lambda settings: True)
    warm(session)
    [call] = model.calls
    assert call["kwargs"]["max_tokens"] == 1
    # the same prefix the next real turn sends, up to its request
    assert call["messages"][-1].content == "Post: CloudSync Pro. 50% faster\nRequest:"
    session.handle("make it shorter")
    warmed, real = model.calls[0]["messages"], model.calls[1]["messages"]
    assert [m.content for m in warmed[:-1]] == [m.content for m in real[:-1]]


# memory -------------------------------------------------------------------------------------


def _long_chat(n: int) -> ChatState:
    from assistant.chat.state import ChatDraft, Turn

    turns = [
        Turn(
            user=f"request {i} " + "x" * 200,
            kind="chat",
            answer=f"answer {i} " + "y" * 200,
            draft=ChatDraft(f"draft {i}?", playbook="chat"),
        )
        for i in range(n)
    ]
    return ChatState(post=POST, turns=turns)


def test_history_is_trimmed_oldest_first_but_draft_and_request_stay():
    state = _long_chat(6)
    count = memory.token_counter(object())
    messages = memory.build_messages(state, "shorter", system="S", count=count, budget=700)
    contents = [text for _, text in messages]
    assert contents[0] == "S" and contents[-1] == "Post: draft 5?\nRequest: shorter"
    assert any(c.startswith("answer 5") for c in contents)  # the newest exchange is kept
    assert not any(c.startswith("request 0") for c in contents)  # the oldest went first
    assert sum(count(c) + memory.MESSAGE_OVERHEAD for c in contents) <= 700
    tiny = memory.build_messages(state, "shorter", system="S", count=count, budget=10)
    assert [text for _, text in tiny] == ["S", "Post: draft 5?\nRequest: shorter"]


def test_interrupted_and_failed_turns_stay_out_of_the_models_history():
    state = _long_chat(2)
    state.turns[0].interrupted = True
    state.turns[1].error = "down"
    assert memory.history(state.turns) == []


def test_token_counter_prefers_the_models_own_tokenizer():
    class Llama:
        def tokenize(self, data: bytes, add_bos: bool, special: bool) -> list[int]:
            return list(data)  # one token per byte

    class Model:
        llama = Llama()
        n_ctx = 2048

    assert memory.token_counter(Model())("abcdef") == 6
    assert memory.token_counter(object())("abcdefgh") == 3  # chars/4 + 1
    assert memory.context_window(Model()) == 2048


# playbooks through the real pipeline --------------------------------------------------------


def test_question_and_poll_run_the_pipeline_on_the_original_post(use_model, chat):
    model = use_model(QUESTION, POLL)
    session = chat()
    session.handle("/question")
    assert session.state.draft.playbook == "question" and session.state.draft.passed
    assert "[question]" in session.view.text and "check: passed" in session.view.text
    session.handle("/poll")
    assert session.state.draft.options == POLL["options"]
    assert not model.calls[-1]["stream"]  # JSON-constrained, not free text
    assert "response_format" in model.calls[-1]["kwargs"]


def test_thanks_add_up_and_undo_forgets_them(use_model, chat):
    model = use_model(
        thanks_answer(
            "Thanks, Priya, for asking for faster sync. CloudSync Pro is 50% faster. What next?"
        ),
        thanks_answer(
            "Thanks, Priya and Sam, for the ideas. CloudSync Pro is 50% faster. What next?"
        ),
    )
    session = chat()
    session.handle("/thank Priya: asked for faster sync")
    session.handle("/thank Sam: wanted photo backup")
    assert [p["name"] for p in session.state.thanks] == ["Priya", "Sam"]
    last_prompt = model.calls[-1]["messages"][-1].content
    assert "Priya" in last_prompt and "Sam" in last_prompt
    session.handle("/undo")
    assert [p["name"] for p in session.state.thanks] == ["Priya"]
    assert "Priya" in session.state.draft.text and "Sam" not in session.state.draft.text


def test_thank_needs_a_name_and_what_they_said(use_model, chat):
    use_model(QUESTION)
    session = chat()
    with pytest.raises(InputError, match="/thank Priya"):
        session.handle("/thank Priya")


def test_variants_shows_several_and_keeps_the_best(use_model, chat):
    use_model(QUESTION, question_answer("CloudSync Pro got 50% faster. Which folder goes first?"))
    session = chat()
    session.handle("/variants 2")
    session.handle("/question")
    assert session.view.text.count("[question]") == 2
    assert "(current draft)" in session.view.text
    with pytest.raises(InputError, match="1 to 5"):
        session.handle("/variants 9")


# other commands ------------------------------------------------------------------------------


def test_unknown_commands_get_the_closest_one_as_a_hint(chat):
    session = chat()
    assert session.handle("/critque") is True
    assert "did you mean /critique?" in session.view.text
    session.handle("/zzzz")
    assert "/help lists them" in session.view.text


def test_help_lists_every_command(chat):
    session = chat()
    session.handle("/help")
    for name in (
        "/rewrite",
        "/poll",
        "/question",
        "/thank",
        "/critique",
        "/replies",
        "/platform",
        "/variants",
        "/model",
        "/undo",
        "/fork",
        "/history",
        "/save",
        "/copy",
        "/reset",
        "/quit",
    ):
        assert name in session.view.text


def test_critique_shows_every_finding_of_the_current_draft(chat):
    session = chat()
    session.handle("/critique")
    assert "draft: fails (ad-like)" in session.view.text
    assert "cta.buy-now" in session.view.text and "discount.code" in session.view.text


def test_save_writes_the_current_draft_atomically(use_model, chat, tmp_path):
    use_model(POLL)
    session = chat()
    session.handle("/poll")
    target = tmp_path / "out" / "post.txt"
    target.parent.mkdir()
    session.handle(f"/save {target}")
    assert target.read_text(encoding="utf-8") == "\n".join([POLL_TEXT, *POLL["options"]]) + "\n"
    assert [p.name for p in target.parent.iterdir()] == ["post.txt"]
    assert _turn(session, "/save") is True
    assert "error: /save FILE" in session.view.errors


def test_platform_is_checked_and_rechecks_the_draft(chat):
    session = chat()
    session.handle("/platform linkedin")
    assert session.state.platform == "linkedin" and "/3000 chars" in session.view.text
    assert _turn(session, "/platform myspace") is True
    assert "unknown platform" in session.view.errors and session.state.platform == "linkedin"


def test_model_shows_and_switches_keeping_the_old_one_on_failure(use_model, chat):
    use_model(SHORT)
    session = chat()
    session.handle("/model")
    assert "model: embedded" in session.view.text
    session.handle("/model openai/gpt-4o-mini")
    assert (
        session.settings.model == "openai/gpt-4o-mini"
        and session.state.model == session.settings.model
    )
    assert _turn(session, "/model nonsense") is True
    assert "bad model" in session.view.errors and session.settings.model == "openai/gpt-4o-mini"


def test_undo_and_history(use_model, chat):
    use_model(SHORT, "CloudSync Pro: 50% faster. What first?")
    session = chat()
    session.handle("/undo")
    assert "nothing to undo" in session.view.text
    session.handle("make it shorter")
    session.handle("shorter still")
    session.handle("/history")
    assert (
        "1. you: make it shorter" in session.view.text
        and "2. you: shorter still" in session.view.text
    )
    session.handle("/undo")
    assert session.state.draft.text == SHORT and len(saved(session)["turns"]) == 1


def test_fork_branches_into_a_new_transcript_and_keeps_the_old(use_model, chat):
    use_model(SHORT, "Two?", "Three?", "Branch?")
    session = chat()
    for request in ("make it shorter", "again", "once more"):
        session.handle(request)
    old = session.transcript
    session.handle("/fork 1")
    assert session.transcript != old and len(session.state.turns) == 1
    assert session.state.draft.text == SHORT
    session.handle("go another way")
    assert len(saved(session)["turns"]) == 2
    assert saved(session)["forked_from"] == {"transcript": str(old), "turn": 1}
    assert len(json.loads(old.read_text(encoding="utf-8"))["turns"]) == 3
    assert _turn(session, "/fork 9") is True and "between 0 and 2" in session.view.errors


def test_reset_starts_a_new_transcript_with_the_same_post(use_model, chat):
    use_model(SHORT)
    session = chat()
    session.handle("make it shorter")
    old = session.transcript
    session.handle("/reset")
    assert session.state.turns == [] and session.state.draft.text == POST
    assert session.transcript != old and old.exists()


def test_copy_uses_a_clipboard_tool_or_says_there_is_none(chat, tmp_path, monkeypatch):
    session = chat()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    session.handle("/copy")
    assert "no clipboard here" in session.view.text
    bin_dir, copied = tmp_path / "bin", tmp_path / "copied.txt"
    bin_dir.mkdir()
    tool = bin_dir / "xclip"
    tool.write_text(f"#!/bin/sh\n/bin/cat > {copied}\n", encoding="utf-8")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    session.handle("/copy")
    assert "copied (xclip)" in session.view.text
    assert copied.read_text(encoding="utf-8") == POST


def test_replies_reads_a_pasted_thread_until_a_lone_dot(use_model, chat):
    reply = {"reply": "Hi Maya, yes: CloudSync Pro syncs offline and catches up once you are back."}
    use_model(reply)
    session = chat(lines=["Maya: Does CloudSync Pro work offline?", ".", "make it shorter"])
    session.handle("/replies")
    turn = session.state.turns[-1]
    assert turn.kind == "replies" and turn.answer.startswith("Maya: ")
    assert "Maya" in session.view.text and "reply:" in session.view.text
    assert session.read_line() == "make it shorter"  # the paste ended at the dot


# transcripts ---------------------------------------------------------------------------------


def test_transcripts_never_hold_the_api_key_or_url_credentials(use_model, chat):
    use_model(SHORT)
    settings = Settings(api_key="sk-secret-123", base_url="http://user:hunter2@example.com/v1")
    session = chat(settings=settings)
    session.handle("make it shorter")
    raw = session.transcript.read_text(encoding="utf-8")
    assert "sk-secret-123" not in raw and "hunter2" not in raw
    assert json.loads(raw)["settings"]["api_key"] == "set"


def test_a_transcript_loads_back_into_the_same_state(use_model, chat):
    use_model(QUESTION, SHORT)
    session = chat()
    session.handle("/question")
    session.handle("make it shorter")
    state = store.load(session.transcript)
    assert [t.user for t in state.turns] == ["/question", "make it shorter"]
    assert state.draft.text == SHORT and state.post == POST
    assert store.latest() == session.transcript


def test_loading_a_bad_transcript_is_a_one_line_input_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not a chat transcript"):
        store.load(bad)
    with pytest.raises(InputError, match="no transcripts to resume"):
        store.latest()


# the terminal view --------------------------------------------------------------------------


def _terminal_view():
    from rich.console import Console

    from assistant.render.chat import RichChatView

    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=False, markup=False, highlight=False)
    return RichChatView(console), out


def test_the_terminal_view_renders_answers_as_markdown_and_drafts_as_text():
    view, out = _terminal_view()
    view.stream_start()
    for token in ("- Say", " thanks\n", "- Ask what", " they sync"):
        view.stream_token(token)
    view.stream_end("- Say thanks\n- Ask what they sync", markdown=True)
    assert "• Say thanks" in out.getvalue() and "- Say" not in out.getvalue()
    view, out = _terminal_view()
    view.stream_start()
    view.stream_end("**Bold** move? #launch", markdown=False)
    assert "**Bold** move? #launch" in out.getvalue()


def test_only_answers_to_questions_are_rendered_as_markdown(use_model, chat, monkeypatch):
    use_model("- Say thanks\n- Ask what they sync", "- Photos\n- Music")
    session = chat()
    seen = []
    monkeypatch.setattr(session.view, "stream_end", lambda text, markdown: seen.append(markdown))
    session.handle("what should I reply to a fan?")
    session.handle("turn it into a poll")
    assert seen == [True, False]


# streaming ------------------------------------------------------------------------------------


def test_ctrl_c_reaches_the_main_thread_while_the_model_is_inside_c_code():
    import hashlib
    import os
    import signal
    import threading
    import time

    from assistant.chat.streaming import Stream

    closed = threading.Event()

    def slow_model():
        try:
            yield "Cloud"
            # C code that holds off signal handlers, as llama.cpp evaluating a prompt does
            hashlib.pbkdf2_hmac("sha256", b"post", b"salt", 3_000_000)
            yield "Sync"
            yield "never read"
        finally:
            closed.set()

    stream, got = Stream(slow_model()), []
    # as in a terminal, even when the test runner was started in the background (SIGINT ignored)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            timer.start()
            for chunk in stream:
                got.append(chunk)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < 1.0  # not after the C call (about 2 s)
    assert got == ["Cloud"]
    stream.join(timeout=30)
    assert closed.is_set()  # the model's stream was closed, freeing it for the next turn


def test_errors_from_the_stream_reach_the_caller():
    from assistant.chat.streaming import Stream

    def failing():
        yield "a"
        raise ModelError("down")

    with pytest.raises(ModelError, match="down"):
        list(Stream(failing()))
