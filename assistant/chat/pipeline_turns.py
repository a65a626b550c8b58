"""Turns that run the other features on the chat's post: the rewrite pipeline's playbooks
(`/rewrite`, `/question`, `/poll`, `/thank`) and `draft replies` (`/replies`). Same code as the
commands, so a chat draft is exactly what `draft rewrite` would have produced.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import replace
from pathlib import Path

from assistant.errors import InputError

from .state import ChatDraft, Turn


def rewrite(session, user: str, names: list[str], *, thanks: list[dict] | None = None) -> Turn:
    """Run playbooks of the real pipeline on the original post; the best variant wins."""
    from assistant.pipeline import run_playbook
    from assistant.rewrite import choose_playbooks

    if not session.state.post:
        raise InputError("no post yet: paste one first, or start with `draft chat FILE`")
    ctx = session.context(extra_thanks=thanks)
    books = choose_playbooks(session.settings, names, ctx.thanks)
    model = session.model
    variants = []
    with session.view.working("writing") as progress:
        for book in books:
            variants += run_playbook(
                model, book, ctx, variants=session.state.variants, progress=progress
            )
    best = max(variants, key=lambda v: (v.passed, v.report.score))
    draft = ChatDraft.from_variant(best)
    turn = Turn(
        user=user,
        kind="thank" if thanks else "rewrite",
        answer=draft.full_text,
        draft=draft,
        thanks=list(thanks or []),
        playbook=best.playbook,
    )
    session.state.turns.append(turn)
    session.view.variants(variants, session.limit, chosen=variants.index(best))
    session.save()
    return turn


def replies(session, user: str, thread: str | None = None, path: str | None = None) -> Turn:
    """Suggest replies to a pasted thread (or a thread file) with `draft replies`' code."""
    from assistant.replies.run import run

    settings = replace(session.settings, platform=session.state.platform)
    with tempfile.TemporaryDirectory() as folder, session.view.working("reading the thread") as p:
        post_path = None
        if session.state.post:  # run() takes the post as a file: it gives the replies context
            post_path = Path(folder) / "post.txt"
            post_path.write_text(session.state.post, encoding="utf-8")
        result = run(
            path or "-",
            settings,
            post_path=str(post_path) if post_path else None,
            seed=len(session.state.turns),
            progress=p,
            stdin=io.StringIO(thread or ""),
        )
    lines = [f"{s.item.comment.author}: {s.reply}" for s in result.suggestions if s.reply]
    turn = Turn(user=user, kind="replies", answer="\n".join(lines))
    session.state.turns.append(turn)
    session.view.replies(result)
    session.save()
    return turn
