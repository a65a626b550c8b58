"""Rebuild bench/data/public/*.jsonl from snapshots of the public repositories in SOURCES.md.

    python -m bench.data.import_public MIRRORS_DIR

MIRRORS_DIR holds bare git snapshots named `owner+name/repo` (as the project's fetch tool
leaves them); each file is read at the commit recorded in SOURCES.md. Only text and label are
kept, one JSON object a line, in the source's order, so the files stay small and diffable.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent / "public"

SMS = ("hamzaaacodes+sms-spam-collection", "f3e73e1e74e6330b62d1ee1983bba2a063184c26")
YOUTUBE = (
    "arshikachauhan+youtube-spam-comment-detector",
    "a53277236d9dfca4f12c82f424aa757edc99b94f",
)
AIRLINE = ("AyushDhatwalia+Twitter-Airline-Sentiment", "97f2cfe60c6d87fd2211c2975ea29817e972ceed")
SENTENCES = ("Nanofication+TWC-Naive-Bayes", "5bc4715169b40c627e082a27321215a2719a0347")
AMAZON = ("AnishaThakur+Sentiment-me", "2f98842205fd86b0a3d508d7fdab26f2c87f08bf")
PARAPET = ("Parapet-Tech+parapet", "17394b7ef07d93cd480f8a2b1609ba251f8c4629")
VIDEOS = ("01-Psy", "02-KatyPerry", "03-LMFAO", "04-Eminem", "05-Shakira")


def show(mirrors: Path, repo: tuple[str, str] | str, path: str) -> str:
    name = repo[0] if isinstance(repo, tuple) else repo
    commit = repo[1] if isinstance(repo, tuple) else "HEAD"
    git = mirrors / name / "repo"
    raw = subprocess.run(
        ["git", f"--git-dir={git}", "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout
    return raw.decode("utf-8", errors="replace")


def write(name: str, rows: list[dict]) -> None:
    OUT.mkdir(exist_ok=True)
    seen, out = set(), []
    for row in rows:
        text = " ".join(row["text"].replace("\ufeff", "").split())
        if text and text not in seen:
            seen.add(text)
            out.append({**row, "text": text})
    lines = (json.dumps(r, ensure_ascii=False) for r in out)
    (OUT / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{name}: {len(out)} rows")


def main(mirrors: Path) -> None:
    sms = show(mirrors, SMS, "SMSSpamCollection")
    write(
        "sms_spam.jsonl",
        [
            {"text": text, "label": label}
            for label, _, text in (line.partition("\t") for line in sms.splitlines())
            if label in ("ham", "spam")
        ],
    )
    rows = []
    for video in VIDEOS:
        data = show(mirrors, YOUTUBE, f"data/Youtube{video}.csv")
        for r in csv.DictReader(io.StringIO(data)):
            label = "spam" if r["CLASS"].strip() == "1" else "ham"
            rows.append({"text": r["CONTENT"], "label": label, "video": video})
    write("youtube_spam.jsonl", rows)
    tweets = csv.DictReader(io.StringIO(show(mirrors, AIRLINE, "Tweets.csv")))
    write(
        "airline_tweets.jsonl",
        [
            {"text": r["text"], "label": r["airline_sentiment"], "reason": r["negativereason"]}
            for r in tweets
        ],
    )
    rows = []
    for site, repo, folder in (
        ("yelp", SENTENCES, "Datasets/"),
        ("imdb", SENTENCES, "Datasets/"),
        ("amazon_cells", AMAZON, ""),
    ):
        for line in show(mirrors, repo, f"{folder}{site}_labelled.txt").splitlines():
            text, _, score = line.rpartition("\t")
            if score.strip() in ("0", "1"):
                label = "positive" if score.strip() == "1" else "negative"
                rows.append({"text": text, "label": label, "site": site})
    write("review_sentences.jsonl", rows)
    for name, files in {
        "deepset_injections.jsonl": ["opensource_deepset_attacks", "opensource_deepset_benign"],
        "giskard_injections.jsonl": ["opensource_giskard_attacks"],
        "gandalf_injections.jsonl": ["opensource_gandalf_attacks"],
        "jbb_benign.jsonl": ["opensource_jbb_benign"],
        "parapet_injections.jsonl": [
            "l1_attacks",
            "l3_inbound_attacks",
            "l1_benign",
            "l3_inbound_benign",
        ],
    }.items():
        rows = []
        for file in files:
            cases = yaml.safe_load(show(mirrors, PARAPET, f"schema/eval/{file}.yaml"))
            for case in cases:
                label = "injection" if case["label"] == "malicious" else "benign"
                rows.append({"text": str(case["content"]), "label": label})
        write(name, rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
