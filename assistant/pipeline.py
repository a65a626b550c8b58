"""The rewrite pipeline: brief → candidates → critique + fact check → best, revise, repair.

Every word of a variant comes from the model. Code extracts the brief, checks, selects, and
may make mechanical repairs (drop a hard-sell sentence, trim hashtags), which it records in
`Variant.repairs`. A variant that still fails is returned with passed=False and its findings:
we never pass off a failing variant as good.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import llm, prompts
from .brief import Brief, extract_brief, sentences
from .config import Brand
from .critique import critique
from .critique.model import Report
from .errors import DraftError
from .facts import kept_share
from .forms import Draft, assemble, borrowed_names, check, looks_cut
from .platforms import Platform
from .playbooks import Playbook

REVISE_CANDIDATES = 4
Progress = Callable[[str], None]


@dataclass
class Candidate:
    draft: Draft
    report: Report
    problems: list[str]
    seed: int | None = None
    repairs: list[str] = field(default_factory=list)
    revised: bool = False
    kept: float = 1.0  # share of the news's facts the draft repeats (facts.kept_share)

    @property
    def passed(self) -> bool:
        return self.report.passed and not self.problems

    @property
    def complete(self) -> bool:
        """Passes and keeps every fact of the news: no reason to sample further."""
        return self.passed and self.kept >= 1.0

    @property
    def rank(self) -> float:
        """Higher is better: passing first, then the news's facts kept, critique score,
        fewer problems, on-topic."""
        return (
            (1000 if self.passed else 0)
            + 50 * self.kept
            + self.report.score
            - 15 * len(self.problems)
            - 20 * len(self.report.errors)
            - 2 * max(0, self.draft.text.count("?") - 1)
        )


@dataclass
class Variant:
    playbook: str
    form: str
    text: str
    options: list[str]
    passed: bool
    report: Report
    problems: list[str]
    repairs: list[str]
    revised: bool
    candidates: int  # how many the model produced for this playbook
    seed: int | None
    kept: float = 1.0  # share of the news's dates, times, numbers and product name repeated

    def to_dict(self) -> dict:
        return {
            "playbook": self.playbook,
            "form": self.form,
            "text": self.text,
            **({"options": self.options} if self.options else {}),
            "chars": len(self.text),
            "passed": self.passed,
            "score": round(self.report.score, 1),
            "verdict": self.report.verdict if not self.problems else "failed checks",
            "findings": [f.to_dict() for f in self.report.findings],
            "problems": self.problems,
            "repairs": self.repairs,
            "revised": self.revised,
            "candidates": self.candidates,
            "facts_kept": round(self.kept, 2),
        }


@dataclass
class Context:
    """What every playbook run of one post shares."""

    source: str
    brief: Brief
    platform: Platform
    brand: Brand
    thanks: list[dict]
    seed: int
    concurrency: int = 1
    critique_options: dict = field(default_factory=dict)
    _borrowed: dict[str, set[str]] = field(default_factory=dict)

    @property
    def fact_source(self) -> str:
        """The text facts may come from: the post and what the thanked people said."""
        extra = "\n".join(f"{p['name']}: {p['said']}" for p in self.thanks)
        return f"{self.source}\n{extra}" if extra else self.source

    def borrowed(self, book: Playbook) -> set[str]:
        """Names from the playbook's examples that this post does not use (computed once)."""
        if book.name not in self._borrowed:
            examples = " ".join(
                json.dumps([e.brief, e.output], ensure_ascii=False) for e in book.examples
            )
            self._borrowed[book.name] = borrowed_names(examples, self.fact_source)
        return self._borrowed[book.name]

    @property
    def topic(self) -> str:
        return f"{self.brief.product} {self.brief.news}"


def make_context(
    source: str,
    *,
    platform: Platform,
    brand: Brand,
    thanks: list[dict] | None = None,
    seed: int = 0,
    concurrency: int = 1,
    critique_options: dict | None = None,
) -> Context:
    return Context(
        source=source,
        brief=extract_brief(source, brand.vocabulary),
        platform=platform,
        brand=brand,
        thanks=thanks or [],
        seed=seed,
        concurrency=concurrency,
        critique_options=critique_options or {},
    )


def build_messages(book: Playbook, ctx: Context, *, tuned: bool = False) -> list[llm.Message]:
    """System, few-shot turns, then the post. A model tuned on this format (the bundled
    adapter) gets no few-shot turns: it was trained on system + post alone (tuning/format.py)."""
    system = prompts.render_string(book.system, {"brand": ctx.brand.name, "voice": ctx.brand.voice})
    messages: list[llm.Message] = [("system", system)]
    for example in [] if tuned else book.examples:
        variables = {"post": "", "thanks": [], **example.brief}
        messages.append(("human", prompts.render(book.prompt, variables)))
        messages.append(("ai", json.dumps(example.output, ensure_ascii=False)))
    variables = {"post": ctx.source, "thanks": ctx.thanks}
    messages.append(("human", prompts.render(book.prompt, variables)))
    return messages


def evaluate(book: Playbook, draft: Draft, ctx: Context, seed: int | None = None) -> Candidate:
    report = critique(
        draft.full_text,
        source=ctx.fact_source,
        platform=ctx.platform.name,
        brand=ctx.brand,
        **ctx.critique_options,
    )
    problems = check(
        book.form,
        draft,
        platform=ctx.platform,
        min_chars=book.length.min_chars,
        max_chars=book.length.max_chars,
        topic=ctx.topic,
        thanks=ctx.thanks,
        borrowed=ctx.borrowed(book),
    )
    shouted = [f.match for f in report.findings if f.rule == "format.all-caps" and f.match]
    if shouted:  # a warning for the lint, but a variant shown as final should not shout
        problems.append(f"shouts in capitals: {shouted[0]!r}")
    kept = kept_share(draft.full_text, ctx.brief.news, (ctx.brief.product,))
    return Candidate(draft=draft, report=report, problems=problems, seed=seed, kept=kept)


def _generate(
    model,
    book: Playbook,
    messages: list[llm.Message],
    ctx: Context,
    *,
    n: int,
    seed: int,
    enough: int,
) -> list[Candidate]:
    """Sample up to `n` candidates, each followed by its mechanical repair when it fails.
    In-process models go one at a time and stop once `enough` pass keeping every fact of the
    news (each extra sample costs real seconds); servers get all `n` at once."""
    kwargs = dict(temperature=book.temperature, max_tokens=book.max_tokens, **book.options)
    if ctx.concurrency > 1:
        samples = llm.sample_json(
            model, messages, book.schema_, n=n, seed=seed, concurrency=ctx.concurrency, **kwargs
        )
        return [c for s in samples for c in _scored(book, s, ctx)]
    out: list[Candidate] = []
    for i in range(n):
        try:
            sample = llm.complete_json(model, messages, book.schema_, seed=seed + i, **kwargs)
        except llm.InvalidOutputError:  # one broken sample; a dead server raises through
            if i == n - 1 and not out:
                raise
            continue
        out += _scored(book, sample, ctx)
        if sum(c.complete for c in out) >= enough:
            break
    return out


def _scored(book: Playbook, sample: llm.Sample, ctx: Context) -> list[Candidate]:
    """The sample as a candidate, plus its repaired version when it fails and repair helps."""
    candidate = evaluate(book, assemble(book.form, sample.data), ctx, sample.seed)
    fixed = None if candidate.passed else repair(book, candidate, ctx)
    return [candidate, fixed] if fixed else [candidate]


def _revise(model, book: Playbook, best: Candidate, ctx: Context, seed: int) -> list[Candidate]:
    """Ask for a rewrite of the best failing candidate with its problems as feedback. A tuned
    model never saw a revise prompt, so it gets fresh samples of its own prompt instead."""
    tuned = llm.is_tuned(model)
    messages = build_messages(book, ctx, tuned=tuned)
    if not tuned:
        problems = [f.message for f in best.report.errors][:4] + best.problems[:3]
        messages[-1] = (
            "human",
            prompts.render(
                "revise.j2",
                {**ctx.brief.as_vars(), "draft": best.draft.full_text, "problems": problems},
            ),
        )
    revised = _generate(model, book, messages, ctx, n=REVISE_CANDIDATES, seed=seed + 500, enough=1)
    for c in revised:
        c.revised = True
    return revised


_TRAILING_TAGS = re.compile(r"(?:\s*#\w+)+\s*$")
# "…is 50% faster, with code LAUNCH20." The tuned model still copies a post's discount code
# into its news sentence now and then; cutting the clause keeps the news, dropping the
# sentence would lose it.
_CODE_CLAUSE = re.compile(
    r",?\s+(?:with|using|use|via)\s+(?:the\s+)?(?:promo\s+|discount\s+)?code\s+[A-Z0-9][A-Z0-9-]{2,}\b"
)


def repair(book: Playbook, cand: Candidate, ctx: Context) -> Candidate | None:
    """Mechanical fixes that keep the model's words: drop sentences with hard-sell errors,
    trailing hashtag walls and exclamation storms. Returns the repaired candidate, or None."""
    text, repairs = cand.draft.text, []
    if any(f.rule == "discount.code" for f in cand.report.errors) and _CODE_CLAUSE.search(text):
        text = _CODE_CLAUSE.sub("", text)
        repairs.append("cut the discount-code clause")
    bad = [f for f in cand.report.errors if f.start < len(text)]
    if bad:
        kept = [s for s in sentences(text) if not any(f.match and f.match in s for f in bad)]
        if kept and len(kept) < len(sentences(text)):
            dropped = len(sentences(text)) - len(kept)
            text = " ".join(kept)
            repairs.append(f"dropped {dropped} sentence(s) with hard-sell copy")
    shouted = {f.match for f in cand.report.findings if f.rule == "format.all-caps" and f.match}
    if shouted:
        text = re.sub(
            r"\b[A-Z]{2,}\b",
            lambda m: m.group().lower() if m.group() in shouted else m.group(),
            text,
        )
        text = re.sub(r"(^|[.?!]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
        repairs.append(f"lowercased shouted words: {', '.join(sorted(shouted))}")
    if _TRAILING_TAGS.search(text):
        text = _TRAILING_TAGS.sub("", text)
        repairs.append("removed trailing hashtags")
    if re.search(r"!{2,}", text):
        text = re.sub(r"!{2,}", "!", text)
        repairs.append("collapsed repeated exclamation marks")
    options = cand.draft.options
    whole = [o for o in options if not looks_cut(o)]
    if len(whole) < len(options) and len(whole) >= 2:
        options = whole
        repairs.append(f"dropped {len(cand.draft.options) - len(whole)} cut-off poll option(s)")
    distinct = [o for i, o in enumerate(options) if o.casefold() not in _folded(options[:i])]
    if len(distinct) < len(options) and len(distinct) >= 2:
        repairs.append(f"dropped {len(options) - len(distinct)} repeated poll option(s)")
        options = distinct
    if not repairs:
        return None
    fixed = evaluate(book, Draft(text=text, options=options), ctx, cand.seed)
    fixed.repairs = cand.repairs + repairs
    fixed.revised = cand.revised
    return fixed


def _folded(items: list[str]) -> set[str]:
    return {i.casefold() for i in items}


def run_playbook(
    model, book: Playbook, ctx: Context, *, variants: int = 1, progress: Progress | None = None
) -> list[Variant]:
    seed = ctx.seed * 7919 + sum(map(ord, book.name))  # distinct, reproducible per playbook
    if progress:
        progress(f"{book.name}: generating candidates")
    messages = build_messages(book, ctx, tuned=llm.is_tuned(model))
    pool = _generate(
        model,
        book,
        messages,
        ctx,
        n=max(book.candidates, variants),
        seed=seed,
        enough=max(book.enough, variants),
    )
    if sum(c.passed for c in pool) < variants:
        if progress:
            progress(f"{book.name}: revising with the critique's findings")
        best = max(pool, key=lambda c: c.rank)
        pool += _revise(model, book, best, ctx, seed)
    produced = sum(not c.repairs for c in pool)  # samples from the model, not repaired copies
    chosen = _distinct(sorted(pool, key=lambda c: c.rank, reverse=True), variants)
    return [
        Variant(
            playbook=book.name,
            form=book.form,
            text=c.draft.text,
            options=c.draft.options,
            passed=c.passed,
            report=c.report,
            problems=c.problems,
            repairs=c.repairs,
            revised=c.revised,
            candidates=produced,
            seed=c.seed,
            kept=c.kept,
        )
        for c in chosen
    ]


def _distinct(ranked: list[Candidate], k: int) -> list[Candidate]:
    seen, out = set(), []
    for c in ranked:
        key = c.draft.full_text.casefold()
        if key not in seen:
            seen.add(key)
            out.append(c)
        if len(out) == k:
            break
    return out


@dataclass
class RewriteResult:
    source: str
    platform: str
    model: str
    brief: Brief
    variants: list[Variant]
    seconds: float

    @property
    def passed(self) -> bool:
        return bool(self.variants) and all(v.passed for v in self.variants)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "platform": self.platform,
            "model": self.model,
            "brief": {
                "product": self.brief.product,
                "news": self.brief.news,
                "offer": self.brief.offer,
                "dropped": self.brief.dropped,
            },
            "variants": [v.to_dict() for v in self.variants],
            "seconds": round(self.seconds, 2),
        }


def rewrite(
    model,
    source: str,
    books: list[Playbook],
    *,
    model_label: str,
    platform: Platform,
    brand: Brand,
    thanks: list[dict] | None = None,
    variants: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    critique_options: dict | None = None,
    progress: Progress | None = None,
) -> RewriteResult:
    started = time.perf_counter()
    ctx = make_context(
        source,
        platform=platform,
        brand=brand,
        thanks=thanks,
        seed=seed,
        concurrency=concurrency,
        critique_options=critique_options,
    )
    out: list[Variant] = []

    def result() -> RewriteResult:
        return RewriteResult(
            source=source,
            platform=platform.name,
            model=model_label,
            brief=ctx.brief,
            variants=out,
            seconds=time.perf_counter() - started,
        )

    for book in books:
        try:
            out += run_playbook(model, book, ctx, variants=variants, progress=progress)
        except DraftError as e:
            e.partial = result() if out else None  # keep the variants that did finish
            raise
    return result()
