"""Warming an in-process model while the user types.

llama.cpp keeps the tokens of its last prompt and reuses the longest common prefix. Evaluating
the next turn's prompt (system, examples, history, current draft) in the background right
after a turn means Enter only costs the few tokens of the new request before the first token
streams: on 2 busy cores that is the difference between well under a second and several.
Servers are never warmed (it would cost a request).
"""

from __future__ import annotations

import threading


def warm(session) -> None:
    """Evaluate the prompt prefix of the next free-text turn; errors are left to that turn."""
    from assistant import backends

    if not backends.is_local(session.settings) or not session.state.post:
        return
    try:
        model = session.model
        model.invoke(session.messages(model, ""), max_tokens=1, temperature=0.0)
    except Exception:  # the real turn reports model failures
        pass


class Warmer:
    """One background warm-up at a time; `join` before exit so llama.cpp is never torn down
    under a running thread."""

    def __init__(self, session) -> None:
        self.session = session
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.join()
        self._thread = threading.Thread(target=warm, args=(self.session,), daemon=True)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
