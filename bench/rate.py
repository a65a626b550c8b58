"""Blind reading (../shared/RATING.md): a shuffled sheet of held-out inputs × systems, a key,
and the table that joins a reader's scores to the key.

    python -m bench.rate sheet     # generate outputs, write bench/rating/{sheet.md,key.json}
    python -m bench.rate table     # join bench/rating/scores.jsonl to the key, print the table

Held-out inputs only: the corpus's test split (businesses the adapter never saw) and the bench
posts (bench/data/broadcast.jsonl), which no training example, prompt or rule was written from.
Systems, each given the same posts, seeds and number of candidates:
  draft       the shipped pipeline: playbooks + the bundled adapter
  draft-base  the same pipeline on the bare base model (few-shot prompts)
  baseline    the same instructions, samples and selection on the base model, without the
              playbooks' structure: one free `text` field instead of news / question / options
Replies: draft and draft-base on the test split's comments (spam and injection attempts count
as right when the triage gives them no reply).
The sheet shows only the input and the output; `passed` (draft's own verdict) stays in the key.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from .report import Table, echo, render

HERE = Path(__file__).resolve().parent
OUT = HERE / "rating"
CORPUS_TEST = HERE.parent / "tuning" / "data" / "test.jsonl"
BENCH_POSTS = HERE / "data" / "broadcast.jsonl"
SHUFFLE_SEED = 20261204
PLAYBOOKS = ("question", "poll")
REWRITE_SYSTEMS = ["draft", "draft-base", "baseline"]


def held_out_posts(n_test: int, n_bench: int) -> list[dict]:
    """Distinct posts: the corpus test split first (spread over businesses), then bench posts."""
    seen, test = set(), []
    for record in _jsonl(CORPUS_TEST):
        post = record["input"]["post"]
        if record["task"] in PLAYBOOKS and post not in seen:
            seen.add(post)
            test.append({"id": f"test:{len(test)}", "text": post, "business": record["business"]})
    test = _spread(test, n_test)
    bench = [{"id": f"bench:{p['id']}", **p} for p in _jsonl(BENCH_POSTS)]
    return test + _spread(bench, n_bench)


def held_out_comments(n: int) -> list[dict]:
    comments = [r for r in _jsonl(CORPUS_TEST) if r["task"] == "reply"]
    return _spread(comments, n)


def _spread(items: list, n: int) -> list:
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _books(structured: bool):
    from assistant.playbooks import Example, load_playbooks

    books = load_playbooks()
    chosen = [books[name] for name in PLAYBOOKS]
    if structured:
        return chosen
    free = []
    for book in chosen:  # the same system message, samples and examples, one free text field
        examples = [
            Example(brief=e.brief, output={"text": _joined(e.output)}) for e in book.examples
        ]
        schema = {
            "type": "object",
            "required": ["text"],
            "properties": {"text": {"type": "string", "maxLength": book.length.max_chars}},
        }
        free.append(
            book.model_copy(
                update={"name": f"{book.name}-free", "form": "post", "schema_": schema}
                | {"examples": examples}
            )
        )
    return free


def _joined(output: dict) -> str:
    text = " ".join(str(output[k]) for k in ("thanks", "news", "question") if k in output)
    options = output.get("options")
    return text + ("".join(f" ( ) {o}" for o in options) if options else "")


def _cooler(books, temperature: float):
    return [b.model_copy(update={"temperature": temperature}) for b in books]


def rewrite_systems(names: list[str]) -> dict:
    """The systems a sheet compares; "draft-t0.3" is an experiment (cooler sampling)."""
    from assistant.backends.embedded import load_embedded

    known = {
        "draft": lambda: (load_embedded(adapter="bundled"), _books(True)),
        "draft-base": lambda: (load_embedded(adapter="none"), _books(True)),
        "baseline": lambda: (load_embedded(adapter="none"), _books(False)),
        "draft-t0.3": lambda: (load_embedded(adapter="bundled"), _cooler(_books(True), 0.3)),
    }
    return {name: known[name]() for name in names}


def generate_rewrites(posts: list[dict], names: list[str] = REWRITE_SYSTEMS) -> list[dict]:
    from assistant.config import Brand
    from assistant.pipeline import rewrite
    from assistant.platforms import get_platform

    systems = rewrite_systems(names)
    rows = []
    for post in posts:
        for system, (model, books) in systems.items():
            started = time.perf_counter()
            result = rewrite(
                model,
                post["text"],
                books,
                model_label=system,
                platform=get_platform("x"),
                brand=Brand(),
                seed=0,
            )
            print(
                f"{system:10} {post['id']:12} {time.perf_counter() - started:5.1f} s",
                file=sys.stderr,
            )
            for v in result.variants:
                rows.append(
                    {
                        "system": system,
                        "input": post["id"],
                        "kind": v.playbook.removesuffix("-free"),
                        "source": post["text"],
                        "output": v.text,
                        "options": v.options,
                        "passed": v.passed,
                        "repairs": v.repairs,
                        "problems": v.problems,
                        "revised": v.revised,
                        "seconds": round(result.seconds, 2),
                        "key_facts": post.get("key_facts"),
                        "invented": [
                            f.match for f in v.report.findings if f.rule == "facts.invented"
                        ],
                    }
                )
    return rows


def generate_replies(records: list[dict]) -> list[dict]:
    from assistant.backends.embedded import load_embedded
    from assistant.replies.classify import classify_thread
    from assistant.replies.generate import suggest_replies
    from assistant.threads import Comment, Thread

    rows = []
    for system, adapter in (("draft", "bundled"), ("draft-base", "none")):
        model = load_embedded(adapter=adapter)
        for i, record in enumerate(records):
            given = record["input"]
            comment = Comment(index=0, author=given["author"], text=given["comment"])
            thread = Thread(format="corpus", comments=[comment])
            items = classify_thread(thread, post=given["post"])
            (suggestion,) = suggest_replies(items, model, post=given["post"], seed=i)
            rows.append(
                {
                    "system": system,
                    "input": f"reply:{i}",
                    "kind": "reply",
                    "comment_kind": record["comment_kind"],
                    "triage": suggestion.item.kind,
                    "source": given["post"],
                    "author": given["author"],
                    "comment": given["comment"],
                    "output": suggestion.reply,
                    "passed": suggestion.passed,
                    "repairs": suggestion.repairs,
                }
            )
    return rows


def write_sheet(rows: list[dict], out: Path = OUT) -> None:
    """Shuffle with a fixed seed; the sheet shows input and output only. Comments that got no
    reply (screened as spam or injection) have nothing to read: they go in the key only."""
    unrated = [r for r in rows if not r["output"]]
    rows = [r for r in rows if r["output"]]
    order = list(range(len(rows)))
    random.Random(SHUFFLE_SEED).shuffle(order)
    lines = [
        "# Blind reading sheet",
        "",
        "Rate every item 1-5 with the rubric in RATING.md. Write one JSON line per item:",
        '`{"n": 1, "score": 4, "reason": "..."}`',
        "",
    ]
    key = []
    for n, index in enumerate(order, 1):
        row = rows[index]
        key.append({"n": n, **{k: v for k, v in row.items() if k not in ("source", "comment")}})
        lines.append(f"## {n}")
        if row["kind"] == "reply":
            lines += [
                f"Brand's post: {row['source']}",
                f"Comment by {row['author']}: {row['comment']}",
                f"Suggested reply: {row['output']}",
            ]
        else:
            lines += [f"Original post: {row['source']}", f"Rewrite: {row['output']}"]
            lines += [f"  ( ) {o}" for o in row.get("options") or []]
        lines.append("")
    out.mkdir(parents=True, exist_ok=True)
    (out / "sheet.md").write_text("\n".join(lines), "utf-8")
    unrated = [{k: v for k, v in r.items() if k not in ("source", "comment")} for r in unrated]
    data = {"items": key, "no_output": unrated}
    (out / "key.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    echo(f"wrote {out / 'sheet.md'} ({len(rows)} items) and {out / 'key.json'}")


def figures(key: dict, scores: dict[int, int]) -> dict[str, dict[str, Any]]:
    """Per system and kind (rewrite / reply), as RATING.md asks."""
    from .quality import fact_kept

    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for item in key["no_output"]:
        groups[(item["system"], "reply")].append({**item, "score": None})
    for item in key["items"]:
        if item["n"] in scores:
            kind = "reply" if item["kind"] == "reply" else "rewrite"
            groups[(item["system"], kind)].append({**item, "score": scores[item["n"]]})
    out: dict[str, dict[str, Any]] = {}
    for (system, kind), items in sorted(groups.items()):
        rated = [i for i in items if i["output"]]  # a screened comment has nothing to rate
        inputs = defaultdict(list)
        for i in rated:
            inputs[i["input"]].append(i["score"])
        passed = [i for i in rated if i["passed"]]
        with_facts = [i for i in passed if i.get("key_facts")]
        out[f"{system} {kind}"] = {
            "outputs": len(rated),
            "inputs": len(inputs),
            "postable_inputs": sum(max(s) >= 4 for s in inputs.values()) / max(1, len(inputs)),
            "postable_outputs": sum(i["score"] >= 4 for i in rated) / max(1, len(rated)),
            "mean": sum(i["score"] for i in rated) / max(1, len(rated)),
            "passed_but_1_2": sum(i["score"] <= 2 for i in passed) / max(1, len(passed)),
            "passed": len(passed),
            "key_facts_kept": (
                sum(all(fact_kept(f, i["output"]) for f in i["key_facts"]) for i in with_facts)
                / len(with_facts)
                if with_facts
                else None
            ),
            "invented": sum(bool(i.get("invented")) for i in passed),
            "no_reply": sum(not i["output"] for i in items),
            "no_reply_right": sum(
                not i["output"] and i.get("comment_kind") in ("spam", "injection") for i in items
            ),
            "spam_or_injection": sum(i.get("comment_kind") in ("spam", "injection") for i in items),
        }
    return out


def table(result: dict[str, dict[str, Any]]) -> Table:
    headers = [
        "system",
        "inputs",
        "≥1 postable",
        "postable outputs",
        "mean (1-5)",
        "passed but 1-2",
        "key facts kept (passed)",
        "invented (passed)",
        "spam/injection given no reply",
    ]
    rows = []
    for name, f in result.items():
        kept = f["key_facts_kept"]
        rows.append(
            [
                name,
                f["inputs"],
                f"{f['postable_inputs']:.0%}",
                f"{f['postable_outputs']:.0%}",
                f"{f['mean']:.2f}",
                f"{f['passed_but_1_2']:.0%} of {f['passed']}",
                "n/a" if kept is None else f"{kept:.0%}",
                f["invented"],
                f"{f['no_reply_right']} of {f['spam_or_injection']}" if "reply" in name else "",
            ]
        )
    return Table("Blind reading (held-out inputs, ../shared/RATING.md)", headers, rows, [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("command", choices=("sheet", "table"))
    parser.add_argument("--test-posts", type=int, default=15)
    parser.add_argument("--bench-posts", type=int, default=15)
    parser.add_argument("--comments", type=int, default=30)
    parser.add_argument("--systems", default=",".join(REWRITE_SYSTEMS), help="rewrite systems")
    parser.add_argument("--out", type=Path, default=OUT, help="folder of sheet, key and scores")
    args = parser.parse_args(argv)
    if args.command == "sheet":
        posts = held_out_posts(args.test_posts, args.bench_posts)
        rows = generate_rewrites(posts, args.systems.split(","))
        rows += generate_replies(held_out_comments(args.comments)) if args.comments else []
        write_sheet(rows, args.out)
        return 0
    key = json.loads((args.out / "key.json").read_text("utf-8"))
    scores = {s["n"]: int(s["score"]) for s in _jsonl(args.out / "scores.jsonl")}
    missing = [k["n"] for k in key["items"] if k["n"] not in scores]
    result = figures(key, scores)
    (args.out / "results.json").write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    echo(render(table(result)))
    if missing:
        echo(f"{len(missing)} item(s) have no score: {missing[:10]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
