"""Rewrite quality: `draft rewrite`'s pipeline against a naive prompt to the same model.

Both are judged by the same checks, per variant:
  critique   the critique pass finds no error (the post does not read as an ad)
  no_invented  `unsupported_facts(text, post)` is empty (no number, date, URL, code... made up)
  fits       the platform's length limit (and, for polls, 2-4 options of allowed length)
  key_facts  the annotated key facts of the post that the variant keeps (see `fact_kept`)
A variant *passes* when it passes the critique, invents no fact and fits the platform; for
`draft` it must also pass the product's own verdict (which adds form checks such as "asks a
question"). Key facts are reported beside the pass rate, not inside it: the playbooks drop
offers and prices on purpose, which counts against them here.

The baseline is what a user gets by prompting the model directly: one plain instruction, one
sample at temperature 0.7, no playbooks, no critique loop.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from .report import Table, load_average, pct, share

DATA = Path(__file__).resolve().parent / "data"
PLATFORM = "x"
QUICK_POSTS = 4
BASELINE_PROMPT = "Rewrite this post to be more engaging for social media: {post}"
BASELINE_TEMPERATURE = 0.7
BASELINE_MAX_TOKENS = 120  # a little more room than the playbooks' 70-80 tokens
CHECKS = ("critique", "no_invented", "fits", "all_key_facts")


def load_posts(quick: bool = False, path: Path = DATA / "broadcast.jsonl") -> list[dict]:
    posts = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    if quick:  # spread over the file, so several industries show up
        step = max(1, len(posts) // QUICK_POSTS)
        posts = posts[::step][:QUICK_POSTS]
    return posts


# ---- judging ------------------------------------------------------------------------------

_STOP = {
    "the",
    "and",
    "for",
    "with",
    "only",
    "off",
    "from",
    "at",
    "of",
    "on",
    "a",
    "an",
    "in",
    "there",
    "this",
    "that",
    "our",
    "your",
    "new",
    "all",
    "up",
    "to",
    "over",
    "per",
}
_TOKEN = re.compile(r"[^\s,;:!?()]+")


def _fold(text: str) -> str:
    """Case and typography that should not decide a match: ’ vs ', – vs -."""
    return text.casefold().replace("’", "'").replace("–", "-").replace("—", "-")


def main_word(fact: str) -> str:
    """The word that carries a fact: its first number ("$4.50" in "only $4.50"), else its
    longest word ("CloudSync" in "CloudSync Pro")."""
    tokens = [t.strip(".'\"") for t in _TOKEN.findall(_fold(fact))]
    tokens = [t for t in tokens if t]
    numbers = [t for t in tokens if any(c.isdigit() for c in t)]
    if numbers:
        return numbers[0]
    words = [t for t in tokens if t not in _STOP] or tokens
    return max(words, key=len) if words else ""


def fact_kept(fact: str, text: str) -> bool:
    """A key fact is kept if it, or its main word, appears (case-insensitive, whole words)."""
    folded = _fold(text)
    return any(
        needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", folded)
        for needle in (_fold(fact), main_word(fact))
    )


def judge(text: str, options: list[str], post: dict, platform_name: str = PLATFORM) -> dict:
    """The same checks for a `draft` variant and a baseline answer."""
    from assistant.critique import critique
    from assistant.facts import unsupported_facts
    from assistant.platforms import get_platform

    platform = get_platform(platform_name)
    full = "\n".join([text, *options]) if options else text
    report = critique(full, source=post["text"], platform=platform.name)
    fits = len(full) <= platform.limit
    if options:
        fits = fits and 2 <= len(options) <= 4
        fits = fits and all(len(o) <= platform.poll_option_limit for o in options)
    kept = [fact_kept(f, full) for f in post.get("key_facts", [])]
    return {
        "critique": report.passed,
        "no_invented": not unsupported_facts(full, post["text"]),
        "fits": fits,
        "key_facts_kept": share(sum(kept), len(kept)),
        "all_key_facts": all(kept),
        "errors": sorted({f.rule for f in report.errors}),
    }


def passes(checks: dict) -> bool:
    return checks["critique"] and checks["no_invented"] and checks["fits"]


# ---- running ------------------------------------------------------------------------------


def progress(message: str) -> None:
    """One line per post on stderr: a 10-minute run should show it is alive."""
    print(f"  {message}", file=sys.stderr, flush=True)


def run_draft(model, posts: list[dict], *, seed: int = 0) -> list[dict]:
    """One `draft rewrite` per post with the default playbooks, the model loaded once."""
    from assistant.backends.embedded import GenerationStats
    from assistant.config import Brand, Settings
    from assistant.pipeline import rewrite
    from assistant.platforms import get_platform
    from assistant.rewrite import choose_playbooks

    books = choose_playbooks(Settings(), [], [])
    platform = get_platform(PLATFORM)
    records = []
    for post in posts:
        GenerationStats.reset()
        started, cpu = time.perf_counter(), time.process_time()
        result = rewrite(
            model,
            post["text"],
            books,
            model_label="embedded",
            platform=platform,
            brand=Brand(),
            seed=seed,
        )
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        progress(f"draft {post.get('id')}: {wall:.1f} s")
        variants = []
        for v in result.variants:
            checks = judge(v.text, v.options, post)
            checks["passed"] = v.passed and passes(checks)
            checks["product_verdict"] = v.passed
            variants.append(
                {
                    "playbook": v.playbook,
                    "text": v.text,
                    "options": v.options,
                    "candidates": v.candidates,
                    **checks,
                }
            )
        records.append(_record(post, wall, cpu, GenerationStats, variants))
    return records


def run_baseline(model, posts: list[dict], *, seed: int = 0) -> list[dict]:
    """The naive prompt: one sample per post, judged like a `draft` variant."""
    from assistant.backends.embedded import GenerationStats

    records = []
    for i, post in enumerate(posts):
        GenerationStats.reset()
        started, cpu = time.perf_counter(), time.process_time()
        answer = model.invoke(
            [("human", BASELINE_PROMPT.format(post=post["text"]))],
            temperature=BASELINE_TEMPERATURE,
            max_tokens=BASELINE_MAX_TOKENS,
            seed=seed + i,
        )
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        progress(f"baseline {post.get('id')}: {wall:.1f} s")
        text = str(answer.content).strip()
        checks = judge(text, [], post)
        checks["passed"] = passes(checks)
        variant = {"playbook": "baseline", "text": text, "options": [], **checks}
        records.append(_record(post, wall, cpu, GenerationStats, [variant]))
    return records


def _record(post: dict, wall: float, cpu: float, stats, variants: list[dict]) -> dict:
    """Wall time and CPU time of this process (the latter moves less with other load)."""
    return {
        "id": post.get("id"),
        "industry": post.get("industry"),
        "source": post["text"],
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "llama_seconds": round(stats.seconds, 3),
        "completion_tokens": stats.completion_tokens,
        "prompt_tokens": stats.prompt_tokens,
        "calls": stats.calls,
        "variants": variants,
    }


# ---- figures ------------------------------------------------------------------------------


def figures(records: list[dict], playbook: str | None = None) -> dict[str, Any]:
    """Per playbook (or overall when None): posts with a passing variant, variant shares."""
    posts = [[v for v in r["variants"] if playbook in (None, v["playbook"])] for r in records]
    posts = [vs for vs in posts if vs]
    variants = [v for vs in posts for v in vs]
    out: dict[str, Any] = {
        "posts": len(posts),
        "variants": len(variants),
        "posts_with_pass": share(sum(any(v["passed"] for v in vs) for vs in posts), len(posts)),
        "passed": share(sum(v["passed"] for v in variants), len(variants)),
    }
    for check in CHECKS:
        out[check] = share(sum(bool(v[check]) for v in variants), len(variants))
    kept = [v["key_facts_kept"] for v in variants if v["key_facts_kept"] is not None]
    out["key_facts_kept"] = sum(kept) / len(kept) if kept else None
    return out


def both_pass(records: list[dict], playbooks=("question", "poll")) -> float | None:
    """Issue 3's target: posts where a question AND a poll variant pass."""
    ok = [
        all(any(v["passed"] for v in r["variants"] if v["playbook"] == p) for p in playbooks)
        for r in records
    ]
    return share(sum(ok), len(ok))


def timing(records: list[dict]) -> dict[str, Any]:
    from .report import median, p95

    seconds = [r["seconds"] for r in records]
    wall, inside = sum(seconds), sum(r["llama_seconds"] for r in records)
    return {
        "median_seconds": median(seconds),
        "p95_seconds": p95(seconds),
        "median_cpu_seconds": median([r.get("cpu_seconds", 0.0) for r in records]),
        "llama_share": share(inside, wall) if wall else None,
        "tokens_per_post": sum(r["completion_tokens"] for r in records) / len(records)
        if records
        else None,
    }


def evaluate(quick: bool = False, *, model=None) -> dict[str, Any]:
    from assistant.backends.embedded import load_embedded

    model = model or load_embedded()
    posts = load_posts(quick)
    load_before = load_average()
    draft = run_draft(model, posts)
    baseline = run_baseline(model, posts)
    playbooks = list(dict.fromkeys(v["playbook"] for r in draft for v in r["variants"]))
    return {
        "posts": len(posts),
        "platform": PLATFORM,
        "load_average": {"start": load_before, "end": load_average()},
        "draft": {p: figures(draft, p) for p in playbooks} | {"overall": figures(draft)},
        "baseline": {"overall": figures(baseline)},
        "both_pass": both_pass(draft),
        "draft_timing": timing(draft),
        "baseline_timing": timing(baseline),
        "records": {"draft": draft, "baseline": baseline},
    }


def tables(result: dict) -> list[Table]:
    headers = [
        "system / playbook",
        "posts w/ pass",
        "variants pass",
        "critique",
        "no invented",
        "fits",
        "key facts kept",
        "all key facts",
    ]
    rows = []
    for system in ("draft", "baseline"):
        for name, f in result[system].items():
            rows.append(
                [
                    f"{system} / {name}",
                    pct(f["posts_with_pass"]),
                    pct(f["passed"]),
                    pct(f["critique"]),
                    pct(f["no_invented"]),
                    pct(f["fits"]),
                    pct(f["key_facts_kept"]),
                    pct(f["all_key_facts"]),
                ]
            )
    d, b = result["draft_timing"], result["baseline_timing"]
    notes = [
        f"{result['posts']} broadcast posts, platform {result['platform']}; "
        f"posts where a question AND a poll pass: {pct(result['both_pass'])} (target >= 90%)",
        f"draft: median {d['median_seconds']:.1f} s/post (p95 {d['p95_seconds']:.1f} s, CPU "
        f"{d['median_cpu_seconds']:.1f} s), {d['tokens_per_post']:.0f} tokens/post; "
        f"baseline: median {b['median_seconds']:.1f} s/post, "
        f"{b['tokens_per_post']:.0f} tokens/post",
        "pass = critique + no invented fact + fits the platform (+ draft's own verdict for draft)",
    ]
    return [Table("Rewrite quality: draft vs naive prompt (same model)", headers, rows, notes)]
