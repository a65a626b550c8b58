"""The judgments on held-out public data: ad-like copy, comment kind, comment spam, injection.

    python -m bench.judgments           # figures and confusion tables
    python -m bench.judgments --json

Reads only the held-out datasets of bench/data/SOURCES.md (none of them was used for training,
rules or thresholds) and runs the product's own code paths: `critique()` for copy (rules and
classifier together; the length rule off, as the posts come from no one platform) and the
reply triage's `classify_text()` for comments.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from assistant.critique import critique
from assistant.replies import classify_text

DATA = Path(__file__).resolve().parent / "data"
PUBLIC = DATA / "public"
CORPUS = Path(__file__).resolve().parents[1] / "tuning" / "data" / "raw"
HELD_OUT_VIDEOS = ("04-Eminem", "05-Shakira")
TARGETS = {
    "promo_recall": 0.90,
    "promo_fpr": 0.05,
    "handwritten_recall": 0.95,
    "negative_complaint_or_question": 0.85,
    "positive_praise": 0.90,
    "spam_recall": 0.90,
    "spam_fpr": 0.02,
    "injection_recall": 0.90,
    "injection_fpr": 0.02,
}
KIND_COLUMNS = (
    "complaint",
    "question",
    "correction",
    "suggestion",
    "praise",
    "other",
    "spam",
    "injection",
)


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def flagged(text: str, *, classifier: bool = True, rules: bool = True) -> bool:
    report = critique(text, platform="x", disable=("format.length",))
    errors = [f for f in report.findings if f.severity == "error"]
    return any(
        (f.origin == "classifier" and classifier) or (f.origin != "classifier" and rules)
        for f in errors
    )


def binary(positives: list[str], negatives: list[str], test) -> dict:
    tp = sum(map(test, positives))
    fp = sum(map(test, negatives))
    return {
        "positives": len(positives),
        "negatives": len(negatives),
        "caught": tp,
        "false_alarms": fp,
        "recall": tp / len(positives) if positives else 0.0,
        "false_positive_rate": fp / len(negatives) if negatives else 0.0,
    }


def copy_figures() -> dict:
    youtube = [r for r in jsonl(PUBLIC / "youtube_spam.jsonl") if r["video"] in HELD_OUT_VIDEOS]
    promo = [r["text"] for r in youtube if r["label"] == "spam"]
    ordinary = [r["text"] for r in youtube if r["label"] == "ham"]
    hand_ads = [r["text"] for r in jsonl(DATA / "holdout" / "adlike.jsonl")]
    hand_ok = [r["text"] for r in jsonl(DATA / "holdout" / "engagement.jsonl")]
    out = {}
    for name, kwargs in {
        "combined": {},
        "rules only": {"classifier": False},
        "classifier only": {"rules": False},
    }.items():
        out[name] = {
            "youtube 04+05": binary(promo, ordinary, lambda t, k=kwargs: flagged(t, **k)),
            "hand-written holdout": binary(hand_ads, hand_ok, lambda t, k=kwargs: flagged(t, **k)),
        }
    return out


def kinds(texts: list[str]) -> Counter:
    return Counter(classify_text(t)[0] for t in texts)


def comment_figures() -> dict:
    tweets = jsonl(PUBLIC / "airline_tweets.jsonl")
    by_sentiment = {
        s: [r["text"] for r in tweets if r["label"] == s]
        for s in ("negative", "neutral", "positive")
    }
    table = {s: kinds(texts) for s, texts in by_sentiment.items()}
    negative, positive = table["negative"], table["positive"]
    slice7 = [
        (r["input"]["comment"], {"hostile": "complaint"}.get(r["comment_kind"], r["comment_kind"]))
        for r in jsonl(CORPUS / "slice_7.jsonl")
        if r.get("task") == "reply" and r.get("comment_kind")
    ]
    corpus_table: dict[str, Counter] = {}
    for text, gold in slice7:
        corpus_table.setdefault(gold, Counter())[classify_text(text)[0]] += 1
    return {
        "airline": {s: dict(c) for s, c in table.items()},
        "negative_complaint_or_question": (negative["complaint"] + negative["question"])
        / sum(negative.values()),
        "positive_praise": positive["praise"] / sum(positive.values()),
        "slice7": {g: dict(c) for g, c in sorted(corpus_table.items())},
        "slice7_accuracy": sum(c[g] for g, c in corpus_table.items()) / len(slice7),
    }


def screening_figures() -> dict:
    youtube = [r for r in jsonl(PUBLIC / "youtube_spam.jsonl") if r["video"] in HELD_OUT_VIDEOS]
    spam = [r["text"] for r in youtube if r["label"] == "spam"]
    ham = [r["text"] for r in youtube if r["label"] == "ham"]
    gandalf = [r["text"] for r in jsonl(PUBLIC / "gandalf_injections.jsonl")]
    jbb = [r["text"] for r in jsonl(PUBLIC / "jbb_benign.jsonl")]
    questions = [r["text"] for r in jsonl(PUBLIC / "airline_tweets.jsonl") if "?" in r["text"]]

    def screened(t: str) -> bool:
        return classify_text(t)[0] in ("spam", "injection")

    def is_spam(t: str) -> bool:
        return classify_text(t)[0] == "spam"

    def is_injection(t: str) -> bool:
        return classify_text(t)[0] == "injection"

    return {
        "spam youtube 04+05": binary(spam, ham, screened),
        "spam youtube 04+05 (kind spam exactly)": binary(spam, ham, is_spam),
        "injection gandalf / jbb benign": binary(gandalf, jbb, is_injection),
        "injection gandalf / airline questions": binary(gandalf, questions, is_injection),
    }


def speed() -> dict:
    tweets = [r["text"] for r in jsonl(PUBLIC / "airline_tweets.jsonl")][:2000]
    posts = [r["text"] for r in jsonl(DATA / "broadcast.jsonl") + jsonl(DATA / "engagement.jsonl")]
    for p in posts:
        critique(p)
    start = time.process_time()
    rounds = 0
    while time.process_time() - start < 1.0:
        for p in posts:
            critique(p)
        rounds += 1
    critique_rate = rounds * len(posts) / (time.process_time() - start)
    start = time.process_time()
    for t in tweets:
        classify_text(t)
    triage_rate = len(tweets) / (time.process_time() - start)
    return {"critique_posts_per_second": critique_rate, "triage_comments_per_second": triage_rate}


def evaluate() -> dict:
    return {
        "copy": copy_figures(),
        "comments": comment_figures(),
        "screening": screening_figures(),
        "speed": speed(),
        "targets": TARGETS,
    }


def _row(name: str, r: dict) -> str:
    return (
        f"{name:<44}{r['caught']:>5}/{r['positives']:<5} {r['recall']:>6.1%}"
        f"{r['false_alarms']:>6}/{r['negatives']:<5} {r['false_positive_rate']:>6.1%}"
    )


def table(result: dict) -> str:
    lines = [
        f"{'ad-like copy (flagged = fails the critique)':<44}{'caught':>11} {'recall':>6}{'false alarms':>13} {'rate':>6}"
    ]
    for mode, sets in result["copy"].items():
        for name, r in sets.items():
            lines.append(_row(f"  {name}, {mode}", r))
    lines.append("")
    lines.append(
        f"{'screening (triage kind)':<44}{'caught':>11} {'recall':>6}{'false alarms':>13} {'rate':>6}"
    )
    for name, r in result["screening"].items():
        lines.append(_row(f"  {name}", r))
    c = result["comments"]
    lines.append("")
    lines.append("airline tweets (rows: labelled sentiment, columns: triage kind)")
    lines.append(f"{'':<10}" + "".join(f"{k:>11}" for k in KIND_COLUMNS))
    for sentiment, counts in c["airline"].items():
        lines.append(f"{sentiment:<10}" + "".join(f"{counts.get(k, 0):>11}" for k in KIND_COLUMNS))
    lines.append(
        f"negative as complaint or question: {c['negative_complaint_or_question']:.1%} (target >= 85%); "
        f"positive as praise: {c['positive_praise']:.1%} (target >= 90%)"
    )
    lines.append("")
    lines.append("corpus slice 7 (rows: labelled kind, columns: triage kind)")
    lines.append(f"{'':<12}" + "".join(f"{k:>11}" for k in KIND_COLUMNS))
    for gold, counts in c["slice7"].items():
        lines.append(f"{gold:<12}" + "".join(f"{counts.get(k, 0):>11}" for k in KIND_COLUMNS))
    lines.append(f"accuracy {c['slice7_accuracy']:.1%}")
    s = result["speed"]
    lines.append("")
    lines.append(
        f"critique {s['critique_posts_per_second']:,.0f} posts/s, triage "
        f"{s['triage_comments_per_second']:,.0f} comments/s (in-process, CPU time)"
    )
    return "\n".join(lines)


def tables(result: dict) -> list:
    """The figures as `python -m bench` tables (bench/report.py)."""
    from .report import Table

    def row(label: str, r: dict) -> list:
        keys = ("caught", "positives", "recall", "false_alarms", "negatives", "false_positive_rate")
        return [label, *(r[k] for k in keys)]

    rows = [
        row(f"ad-like: {name}, {mode}", r)
        for mode, sets in result["copy"].items()
        for name, r in sets.items()
    ]
    rows += [row(name, r) for name, r in result["screening"].items()]
    headers = ["held-out set", "caught", "of", "recall", "false alarms", "of", "rate"]
    c = result["comments"]
    kinds = [[s, *(counts.get(k, 0) for k in KIND_COLUMNS)] for s, counts in c["airline"].items()]
    notes = [
        f"negative as complaint or question {c['negative_complaint_or_question']:.1%} (>= 85%), "
        f"positive as praise {c['positive_praise']:.1%} (>= 90%)"
    ]
    return [
        Table("judgments on held-out public data", headers, rows),
        Table("airline tweets: sentiment x triage kind", ["", *KIND_COLUMNS], kinds, notes),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = evaluate()
    print(json.dumps(result, indent=2) if args.json else table(result))


if __name__ == "__main__":
    main()
