"""A chat session: the state, the model (loaded on first use) and what each turn does.

Free text asks the model to revise the current draft, streamed through the view; slash
commands (commands.py) run the same pipeline, playbooks, critique and replies code as
`draft rewrite` and `draft replies` (pipeline_turns.py). Every change is saved to the
transcript at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant import llm, prompts
from assistant.brief import Brief
from assistant.config import Settings
from assistant.critique import critique
from assistant.critique.model import Report
from assistant.errors import DraftError, InputError
from assistant.inputs import strip_control
from assistant.pipeline import Context, make_context
from assistant.platforms import get_platform

from . import answers, memory, store
from .state import ChatDraft, ChatState, Turn
from .streaming import Stream

SERVER_EXIT_WAIT = 1.0  # seconds: an abandoned HTTP read is safe to leave behind at exit
MIN_CHARS = 15  # shorter is not a post
MAX_TOKENS = 110  # a post, not an essay: keeps a turn to a couple of seconds on 2 cores
TEMPERATURE = 0.7
STOP = ["\nPost:", "\nRequest:", "\nQuestion:"]  # the model starting the next example
REPLY_MARGIN = 32  # tokens kept free besides the answer (template tokens we did not count)


class ChatSession:
    def __init__(
        self,
        settings: Settings,
        view,
        *,
        state: ChatState | None = None,
        overrides: dict[str, Any] | None = None,
        transcript: Path | None = None,
        read_line: Callable[[], str | None] | None = None,
    ) -> None:
        self.settings = settings
        self.overrides = dict(overrides or {})  # the command-line flags, kept for /model
        self.view = view
        self.state = state or ChatState(platform=settings.platform, model=settings.model)
        self.transcript = transcript  # None: nothing is saved (benchmarks)
        self.read_line = read_line or (lambda: None)  # more input, for /replies
        self._model = None
        self._model_lock = threading.Lock()  # the warm-up thread may load it at the same time
        self._stream_worker: Stream | None = None

    # model ---------------------------------------------------------------------------------

    @property
    def model(self):
        with self._model_lock:
            if self._model is None:
                from assistant import backends

                self._model = backends.get_chat_model(self.settings)
            return self._model

    @property
    def model_label(self) -> str:
        return getattr(self._model, "model_label", None) or self.settings.model

    def switch_model(self, name: str) -> None:
        """Load the new model first: if it fails, the old one stays."""
        from assistant import backends
        from assistant.config import load_settings

        settings = load_settings({**self.overrides, "model": name})
        model = backends.get_chat_model(settings)
        self.settings, self._model = settings, model
        self.state.model = settings.model
        self.save()

    # turns ---------------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """Run one input (a message or a /command). False means the user asked to quit."""
        text = line.strip()
        if not text:
            return True
        if text.startswith("/"):
            from .commands import dispatch

            return dispatch(self, text)
        if self.state.post:
            self.revise(text)
        else:
            self.set_post(text)
        return True

    def set_post(self, text: str) -> None:
        """The first message of an unseeded chat is the post to work on."""
        self.state.post = strip_control(text).strip()
        self.view.notice("Working on this post. Try /question or /poll, or ask for a change.")
        self.show_draft()
        self.save()

    def revise(self, request: str) -> Turn:
        """Stream the model's answer to a free-text request; a draft answer becomes current."""
        question = answers.is_question(request)
        model = self.model
        messages = self.messages(model, request, question=question)
        turn = Turn(user=request, kind="chat")
        self.state.turns.append(turn)
        self._stream(turn, model, messages, markdown_ok=question)
        if turn.interrupted:
            self.view.notice(
                "interrupted: the partial answer is kept in the transcript; the draft is unchanged"
            )
        elif turn.error:
            self.view.error(turn.error)
        elif not question:
            self._adopt(turn, request)
        self.save()
        return turn

    def messages(self, model, request: str, *, question: bool = False) -> list[llm.Message]:
        """What the model sees for `request` (see memory.py), fitted to its context window."""
        return memory.build_messages(
            self.state,
            request,
            system=self.system_prompt,
            count=memory.token_counter(model),
            budget=memory.context_window(model) - MAX_TOKENS - REPLY_MARGIN,
            question=question,
            shown_draft=self.shown_draft(),
            tuned=llm.is_tuned(model),
        )

    def shown_draft(self) -> str:
        """The draft as the model sees it. An ad-like seed post is shown as its brief (the news
        without the sales copy): the small model copies whatever tone it is shown."""
        current = self.current_report()
        if current is None:
            return ""
        draft, report = current
        if draft.playbook == "post" and not report.passed and self.brief.news:
            return self.brief.news
        return draft.full_text

    def _stream(self, turn: Turn, model, messages: list[llm.Message], *, markdown_ok: bool) -> None:
        parts: list[str] = []
        self.view.stream_start()
        self._stream_worker = Stream(
            llm.stream_text(
                model,
                messages,
                temperature=TEMPERATURE,
                max_tokens=MAX_TOKENS,
                seed=len(self.state.turns),
                stop=STOP,
            )
        )
        try:
            for chunk in self._stream_worker:
                parts.append(chunk)
                # no escape character reaches the terminal, even one split across chunks
                self.view.stream_token(strip_control(chunk))
        except KeyboardInterrupt:
            turn.interrupted = True
        except DraftError as e:
            turn.error = str(e)
        except Exception as e:  # a backend failure we did not map: one line, session kept
            turn.error = f"model call failed: {type(e).__name__}: {e}"
        finally:
            turn.answer = strip_control("".join(parts)).strip()
            # drafts stay plain (they are posts); an answer to a question may be a list
            markdown = (
                markdown_ok and not turn.interrupted and answers.looks_like_markdown(turn.answer)
            )
            self.view.stream_end(turn.answer, markdown=markdown)

    def _adopt(self, turn: Turn, request: str) -> None:
        text = answers.clean(turn.answer)
        if not text:
            self.view.notice("no draft in that answer; the current draft is unchanged")
            return
        current = self.state.draft
        options: list[str] = []
        if (current and current.options) or "poll" in request.lower():
            text, options = answers.split_options(text)
        turn.draft = ChatDraft(text, options, playbook="chat")
        turn.draft.problems = self.problems(turn.draft)
        turn.draft.report = self.critique(turn.draft)
        self.view.verdict(turn.draft, self.limit)
        if not turn.draft.passed:  # free text is one unchecked sample; playbooks pick among many
            self.view.notice(
                "tip: /question or /poll rewrite the post from its facts and keep "
                "only candidates that pass"
            )

    # drafts and critique ------------------------------------------------------------------

    @property
    def limit(self) -> int:
        return get_platform(self.state.platform).limit

    @property
    def critique_options(self) -> dict[str, Any]:
        return {"disable": self.settings.disable_rules, "rules_dir": self.settings.rules_dir}

    def context(self, extra_thanks: list[dict] | None = None) -> Context:
        """The pipeline's view of the post (brief, fact source, topic, platform, brand): one
        definition for playbook turns and free-text drafts alike."""
        from assistant import backends
        from assistant.rewrite import SERVER_CANDIDATE_PARALLELISM

        local = backends.is_local(self.settings)
        return make_context(
            self.state.post,
            platform=get_platform(self.state.platform),
            brand=self.settings.brand,
            thanks=self.state.thanks + (extra_thanks or []),
            seed=len(self.state.turns),
            concurrency=1 if local else SERVER_CANDIDATE_PARALLELISM,
            critique_options=self.critique_options,
        )

    def critique(self, draft: ChatDraft) -> Report:
        ctx = self.context()
        return critique(
            draft.full_text,
            source=ctx.fact_source,
            platform=ctx.platform.name,
            brand=ctx.brand,
            **ctx.critique_options,
        )

    def current_report(self) -> tuple[ChatDraft, Report] | None:
        draft = self.state.draft
        if draft is None:
            return None
        if draft.report is None:  # resumed transcripts and seed posts: check with today's rules
            draft.report = self.critique(draft)
        return draft, draft.report

    def show_draft(self) -> None:
        current = self.current_report()
        if current:
            self.view.draft(current[0], self.limit)

    def problems(self, draft: ChatDraft) -> list[str]:
        """The pipeline's form checks: no question, off topic, repeating itself, names copied
        from the worked examples, poll options that do not work."""
        from assistant.forms import borrowed_names, check

        ctx = self.context()
        examples = " ".join(" ".join(example) for example in memory.EXAMPLES)
        return check(
            "poll" if draft.options else "post",
            draft,
            platform=ctx.platform,
            min_chars=MIN_CHARS,
            max_chars=ctx.platform.limit,
            topic=ctx.topic,
            borrowed=borrowed_names(examples, ctx.fact_source),
        )

    @cached_property
    def brief(self) -> Brief:
        return self.context().brief

    @cached_property
    def system_prompt(self) -> str:
        brief = self.brief
        brand = self.settings.brand
        return prompts.render(
            "chat_system.j2",
            {
                "brand": brand.name,
                "voice": brand.voice,
                "product": brief.product,
                "news": brief.news,
            },
        )

    def set_platform(self, name: str) -> None:
        self.state.platform = get_platform(name).name
        draft = self.state.draft
        if draft is not None:  # length and hashtag norms changed: check again
            draft.report = None
            if draft.playbook == "chat":
                draft.problems = self.problems(draft)
        self.show_draft()
        self.save()

    # history -------------------------------------------------------------------------------

    def undo(self) -> Turn | None:
        if not self.state.turns:
            return None
        turn = self.state.turns.pop()
        self.save()
        return turn

    def fork(self, n: int) -> None:
        """Keep turns 1..n and continue in a new transcript; the old one stays as it was."""
        if not 0 <= n <= len(self.state.turns):
            raise InputError(f"/fork N: N must be between 0 and {len(self.state.turns)}")
        old = self.transcript
        self.state.turns = self.state.turns[:n]
        self.state.forked_from = {"transcript": str(old) if old else None, "turn": n}
        self.transcript = store.new_path() if old else None
        self.save()

    def reset(self) -> None:
        """A fresh conversation about the same post, in a new transcript."""
        self.state.turns, self.state.forked_from = [], None
        if self.transcript:
            self.transcript = store.new_path()
        self.save()

    def close(self) -> None:
        """Before exit: let a stream stopped by Ctrl-C finish its current step. llama.cpp must
        not be freed under it; a server read may be left behind."""
        if self._stream_worker is not None:
            from assistant import backends

            local = backends.is_local(self.settings)
            self._stream_worker.join(None if local else SERVER_EXIT_WAIT)

    def save(self) -> None:
        if self.transcript is not None and (self.state.turns or self.state.post):
            store.save(self.transcript, self.state, self.settings)
