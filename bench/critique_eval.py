"""How well the critique separates ad-like posts from engagement posts, and how fast it is.

    python -m bench.critique_eval                 # the table
    python -m bench.critique_eval --show-misses   # also list dev-set mistakes (dev sets only)

Sets (JSON lines with a "text" field); ad-like posts are the positives, "flagged" means the
critique fails the post (it has an error finding):
  dev      bench/data/broadcast.jsonl (ad-like) and bench/data/engagement.jsonl
  holdout  bench/data/holdout/adlike.jsonl and bench/data/holdout/engagement.jsonl
The rules were tuned on the dev sets only; the holdout sets are never used for tuning.

The posts are not written for one platform, so the length limit (format.length) is switched
off; hashtags are judged by X's norm (two). Throughput is posts per second, in-process, on
one core (CPU time of this process), over the dev sets.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from assistant.critique import critique

DATA = Path(__file__).resolve().parent / "data"
SETS = {
    "dev": (DATA / "broadcast.jsonl", DATA / "engagement.jsonl"),
    "holdout": (DATA / "holdout" / "adlike.jsonl", DATA / "holdout" / "engagement.jsonl"),
}
OPTIONS = {"platform": "x", "disable": ("format.length",)}
TARGET_RECALL, TARGET_FPR, TARGET_RATE = 0.95, 0.05, 5000


def load(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def flagged(text: str) -> bool:
    return not critique(text, **OPTIONS).passed


def scores(adlike: list[str], engagement: list[str]) -> dict:
    true_pos = sum(map(flagged, adlike))
    false_pos = sum(map(flagged, engagement))
    return {
        "positives": len(adlike),
        "negatives": len(engagement),
        "true_positives": true_pos,
        "false_positives": false_pos,
        "precision": true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0,
        "recall": true_pos / len(adlike) if adlike else 0.0,
        "false_positive_rate": false_pos / len(engagement) if engagement else 0.0,
    }


def throughput(posts: list[str], *, seconds: float = 2.0, rounds: int = 5) -> float:
    """Posts per second on one core: the best of several rounds, timed in this process's CPU
    time so that other programs running on the machine do not distort it."""
    for post in posts:  # warm up: load and compile the rules
        critique(post, **OPTIONS)
    best = 0.0
    for _ in range(rounds):
        done, start = 0, time.process_time()
        while (elapsed := time.process_time() - start) < seconds / rounds:
            for post in posts:
                critique(post, **OPTIONS)
            done += len(posts)
        best = max(best, done / elapsed)
    return best


def evaluate(sets: tuple[str, ...] = ("dev", "holdout")) -> dict:
    """Precision, recall and false-positive rate per set, plus throughput on the dev posts."""
    result: dict = {}
    for name in sets:
        adlike_path, engagement_path = SETS[name]
        if adlike_path.exists() and engagement_path.exists():
            result[name] = scores(load(adlike_path), load(engagement_path))
    dev_posts = [p for path in SETS["dev"] if path.exists() for p in load(path)]
    result["posts_per_second"] = throughput(dev_posts) if dev_posts else 0.0
    return result


def table(result: dict) -> str:
    rows = [f"{'set':<9}{'ad-like':>9}{'engaging':>10}{'precision':>11}{'recall':>8}{'FPR':>7}"]
    for name in SETS:
        if name in result:
            r = result[name]
            rows.append(
                f"{name:<9}{r['positives']:>9}{r['negatives']:>10}"
                f"{r['precision']:>11.3f}{r['recall']:>8.3f}"
                f"{r['false_positive_rate']:>7.3f}"
            )
    rows.append(
        f"throughput: {result['posts_per_second']:,.0f} posts/s in-process "
        f"(target >= {TARGET_RATE:,})"
    )
    rows.append(f"targets: recall >= {TARGET_RECALL:.0%}, false-positive rate <= {TARGET_FPR:.0%}")
    return "\n".join(rows)


def dev_misses() -> list[str]:
    """Dev-set mistakes with the findings that decided them (never the holdout)."""
    adlike_path, engagement_path = SETS["dev"]
    out = []
    for label, path in (("missed ad", adlike_path), ("false alarm", engagement_path)):
        for text in load(path):
            report = critique(text, **OPTIONS)
            if report.passed == (label == "missed ad"):
                rules = sorted({f.rule for f in report.findings if f.severity == "error"})
                out.append(f"{label}: {text[:90]!r} {rules}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show-misses", action="store_true", help="list dev-set mistakes (dev sets only)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = evaluate()
    print(json.dumps(result, indent=2) if args.json else table(result))
    if args.show_misses:
        print("\n".join(dev_misses()) or "no dev-set mistakes")


if __name__ == "__main__":
    main()
