"""`draft rewrite` as a library call: read posts, load the model once, run the playbooks.

Several files run in parallel against a server (`concurrency`); an in-process model runs one
post at a time (it already uses both cores). Finished results are kept when a later file fails.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import backends
from .config import Settings
from .critique import critique
from .errors import DraftError, InputError
from .inputs import read_input
from .pipeline import RewriteResult, rewrite
from .platforms import get_platform
from .playbooks import Playbook, load_playbooks, select

SERVER_CANDIDATE_PARALLELISM = 4  # candidates of one playbook requested at once from a server


@dataclass
class RewriteJob:
    paths: list[str]
    playbooks: list[str] = field(default_factory=list)
    thanks: list[dict] = field(default_factory=list)
    variants: int = 1
    seed: int = 0
    concurrency: int = 1


@dataclass
class Outcome:
    path: str
    result: RewriteResult | None = None
    error: DraftError | None = None


def parse_thanks(values: list[str]) -> list[dict]:
    """`--thank "Name: what they said"` → [{"name", "said"}]; names are never invented."""
    people = []
    for value in values:
        name, sep, said = value.partition(":")
        if not sep or not name.strip() or not said.strip():
            raise InputError(f'--thank {value!r}: use the form "Name: what they said or did"')
        people.append({"name": name.strip(), "said": said.strip()})
    return people


THANKS_KINDS = ("suggestion", "praise", "correction", "question")  # most thankable first
MAX_THANKED = 3  # a thank-you naming ten people reads as a list, not a conversation


def thanks_from_thread(source: str, *, post: str = "", stdin=None) -> list[dict]:
    """People worth thanking in a comment thread: real commenters (no spam, no injection
    attempts, not the brand itself), suggestions and praise first, at most MAX_THANKED."""
    from .replies.classify import classify_thread
    from .threads import read_thread

    items = [
        c
        for c in classify_thread(read_thread(source, stdin=stdin), post=post)
        if c.kind in THANKS_KINDS and not c.by_brand
    ]
    items.sort(key=lambda c: (THANKS_KINDS.index(c.kind), c.comment.index))
    people, seen = [], set()
    for item in items:
        name = item.comment.author.strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            people.append({"name": name, "said": _shorten(item.comment.text)})
        if len(people) == MAX_THANKED:
            break
    if not people:
        raise InputError(
            f"{source}: no comment in the thread worth thanking "
            "(only spam, injection attempts or the brand's own comments)"
        )
    return people


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def choose_playbooks(settings: Settings, names: list[str], thanks: list[dict]) -> list[Playbook]:
    books = load_playbooks(settings.playbooks_dir)
    if names:
        chosen = select(books, names)
    else:
        chosen = select(books, None)
        if thanks:
            chosen += [b for b in books.values() if "thanks" in b.needs]
    for book in chosen:
        if "thanks" in book.needs and not thanks:
            raise InputError(
                f"playbook {book.name!r} thanks people by name: "
                'give them with --thank "Name: what they said"'
            )
    return chosen


def run(
    job: RewriteJob,
    settings: Settings,
    *,
    progress: Callable[[str], None] | None = None,
    stdin=None,
) -> list[Outcome]:
    """Read every input first (bad input fails before the model loads), then rewrite."""
    if job.variants < 1:
        raise InputError("--variants must be 1 or more")
    if job.concurrency < 1:
        raise InputError("--concurrency must be 1 or more")
    texts = [(path, read_input(path, what="post", stdin=stdin)) for path in job.paths]
    books = choose_playbooks(settings, job.playbooks, job.thanks)
    platform = get_platform(settings.platform)
    preferred = {b.model for b in books if b.model}
    if settings.model == "embedded" and len(preferred) == 1 and not settings.model_path:
        settings = _with_model(settings, preferred.pop())  # a playbook may prefer a model
    critique_options = {"disable": settings.disable_rules, "rules_dir": settings.rules_dir}
    critique("check the rules", platform=platform.name, **critique_options)  # bad rules: fail now
    model = backends.get_chat_model(settings)
    label = getattr(model, "model_label", None) or settings.model
    local = backends.is_local(settings)

    def one(item: tuple[str, str]) -> Outcome:
        path, text = item
        try:
            result = rewrite(
                model,
                text,
                books,
                model_label=label,
                platform=platform,
                brand=settings.brand,
                thanks=job.thanks,
                variants=job.variants,
                seed=job.seed,
                concurrency=1 if local else SERVER_CANDIDATE_PARALLELISM,
                critique_options=critique_options,
                progress=(lambda msg: progress(f"{path}: {msg}")) if progress else None,
            )
            return Outcome(path, result=result)
        except DraftError as e:  # a later playbook failed: show what finished, then the error
            return Outcome(path, result=getattr(e, "partial", None), error=e)

    if local or job.concurrency == 1 or len(texts) == 1:
        return [one(item) for item in texts]
    with ThreadPoolExecutor(max_workers=job.concurrency) as pool:
        return list(pool.map(one, texts))


def _with_model(settings: Settings, model: str) -> Settings:
    from dataclasses import replace

    return replace(settings, model=model)
