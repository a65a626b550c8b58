"""The training sets of each judgment, read from bench/data and our own corpus.

Only datasets that SOURCES.md lists for training are opened here; the held-out ones
(YouTube videos 04 and 05, the airline tweets, Gandalf, JailbreakBench, corpus slice 7 and the
old critique holdout) are read only by bench/judgments.py.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ROOT / "bench" / "data" / "public"
CORPUS = ROOT / "tuning" / "data" / "raw"
TRAIN_SLICES = tuple(f"slice_{i}.jsonl" for i in range(1, 7))  # slice 7 is held out
TRAIN_VIDEOS = ("01-Psy", "02-KatyPerry", "03-LMFAO")  # 04 and 05 are held out
KIND_OF = {"hostile": "complaint"}  # an angry customer still needs an answer first

Example = tuple[str, str, float, str]  # text, label, weight, source


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def corpus(slices: tuple[str, ...] = TRAIN_SLICES) -> list[dict]:
    return [r for name in slices for r in jsonl(CORPUS / name)]


def corpus_comments(slices: tuple[str, ...] = TRAIN_SLICES) -> list[tuple[str, str]]:
    """(comment, kind) from the reply records."""
    out = []
    for r in corpus(slices):
        if r.get("task") == "reply" and r.get("comment_kind"):
            kind = r["comment_kind"]
            out.append((r["input"]["comment"], KIND_OF.get(kind, kind)))
    return out


def corpus_ordinary_posts(slices: tuple[str, ...] = TRAIN_SLICES) -> list[str]:
    """Posts and replies written to start a conversation, not to sell: the corpus outputs."""
    out = []
    for r in corpus(slices):
        output = r.get("output") or {}
        parts = [output.get(k) for k in ("text", "thanks", "news", "question", "reply")]
        text = " ".join(p for p in parts if isinstance(p, str))
        if text:
            out.append(text)
    return out


def _public(name: str) -> list[dict]:
    return jsonl(PUBLIC / name)


def own_comments() -> list[tuple[str, str]]:
    """Our own labelled comments to brands (bench/data/own/comments.jsonl): @handles, links."""
    return [
        (r["text"], r["label"]) for r in jsonl(ROOT / "bench" / "data" / "own" / "comments.jsonl")
    ]


def comments() -> list[tuple[str, str]]:
    return corpus_comments() + own_comments()


def _tag(source: str, weight: float, pairs) -> list[Example]:
    return [(text, label, weight, source) for text, label in pairs]


def adlike() -> list[Example]:
    promo = {"spam": "ad", "ham": "ordinary"}
    bench = ROOT / "bench" / "data"
    return [
        *_tag("sms", 1.0, ((r["text"], promo[r["label"]]) for r in _public("sms_spam.jsonl"))),
        *_tag("youtube", 1.0, ((r["text"], promo[r["label"]]) for r in _youtube())),
        *_tag("bench-dev", 2.0, ((r["text"], "ad") for r in jsonl(bench / "broadcast.jsonl"))),
        *_tag(
            "bench-dev", 2.0, ((r["text"], "ordinary") for r in jsonl(bench / "engagement.jsonl"))
        ),
        *_tag("corpus-posts", 1.0, ((t, "ordinary") for t in corpus_ordinary_posts())),
        *_tag("comments", 1.0, ((t, "ad" if k == "spam" else "ordinary") for t, k in comments())),
        *_tag("reviews", 1.0, ((r["text"], "ordinary") for r in _public("review_sentences.jsonl"))),
    ]


COMMENT_KINDS = ("question", "complaint", "praise", "correction", "suggestion", "other")


def comment_kind() -> list[Example]:
    sentiment = {"positive": "praise", "negative": "complaint"}
    return [
        *_tag("comments", 1.0, ((t, k) for t, k in comments() if k in COMMENT_KINDS)),
        *_tag(
            "reviews",
            0.5,
            ((r["text"], sentiment[r["label"]]) for r in _public("review_sentences.jsonl")),
        ),
    ]


def spam() -> list[Example]:
    return [
        *_tag("youtube", 1.0, ((r["text"], r["label"]) for r in _youtube())),
        *_tag("sms", 1.0, ((r["text"], r["label"]) for r in _public("sms_spam.jsonl"))),
        *_tag(
            "comments",
            2.0,
            ((t, "spam" if k == "spam" else "ham") for t, k in comments() if k != "injection"),
        ),
        *_tag("reviews", 0.5, ((r["text"], "ham") for r in _public("review_sentences.jsonl"))),
    ]


def injection() -> list[Example]:
    return [
        *_tag(
            "deepset", 1.0, ((r["text"], r["label"]) for r in _public("deepset_injections.jsonl"))
        ),
        *_tag(
            "giskard", 1.0, ((r["text"], "injection") for r in _public("giskard_injections.jsonl"))
        ),
        *_tag(
            "parapet", 1.0, ((r["text"], r["label"]) for r in _public("parapet_injections.jsonl"))
        ),
        *_tag(
            "comments",
            2.0,
            ((t, "injection" if k == "injection" else "benign") for t, k in comments()),
        ),
        *_tag("reviews", 0.5, ((r["text"], "benign") for r in _public("review_sentences.jsonl"))),
        *_tag("youtube", 0.5, ((r["text"], "benign") for r in _youtube() if r["label"] == "ham")),
        *_tag(
            "sms",
            0.5,
            ((r["text"], "benign") for r in _public("sms_spam.jsonl") if r["label"] == "ham"),
        ),
    ]


def _youtube() -> list[dict]:
    return [r for r in _public("youtube_spam.jsonl") if r["video"] in TRAIN_VIDEOS]
