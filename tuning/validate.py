"""Check corpus files against the format in tuning/CORPUS_SPEC.md.

Usage: python tuning/validate.py FILE.jsonl...   (prints one line per problem, exits 1 if any)

The limits mirror the playbooks' JSON schemas, so every training target is an answer the
grammar-constrained sampler could also produce.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

TASKS = {"question", "poll", "acknowledgement", "reply", "edit"}
COMMENT_KINDS = {
    "complaint",
    "question",
    "praise",
    "correction",
    "suggestion",
    "hostile",
    "spam",
    "injection",
    "other",
}
SENTENCE = re.compile(r'^[A-Z0-9@][^?!"\\\n]{18,150}[.]$')
QUESTION = re.compile(r'^[A-Z0-9][^?!"\\\n]{8,100}\?$')
OPTION = re.compile(r"^[A-Z0-9][A-Za-z0-9'&-]*( [A-Za-z0-9'&-]+){0,3}$")
HASHTAG = re.compile(r"(?<!\w)#\w")
# Pictographs and dingbats: an output carries none of them.
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")


def problems(record: dict) -> Iterator[str]:
    """Yield what is wrong with one corpus record."""
    task = record.get("task")
    if task not in TASKS:
        yield f"task must be one of {sorted(TASKS)}"
        return
    for key in ("business", "kind"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            yield f"{key} must be a non-empty string"
    given, output = record.get("input"), record.get("output")
    if not isinstance(given, dict) or not isinstance(given.get("post"), str):
        yield "input.post must be a string"
        return
    if not isinstance(output, dict):
        yield "output must be an object"
        return
    if task in {"question", "poll", "acknowledgement"}:
        yield from _post_problems(task, given, output)
    elif task == "reply":
        yield from _reply_problems(record, given, output)
    else:
        yield from _edit_problems(given, output)


def _post_problems(task: str, given: dict, output: dict) -> Iterator[str]:
    expected = {"question": {"news", "question"}, "poll": {"news", "question", "options"}}
    keys = expected.get(task, {"thanks", "news", "question"})
    if set(output) != keys:
        yield f"output keys must be {sorted(keys)}"
        return
    if not SENTENCE.match(output["news"]):
        yield "news: 20-150 chars, starts with a capital, ends with '.', no ? ! or double quote"
    if not QUESTION.match(output["question"]):
        yield "question: 10-100 chars, starts with a capital, ends with '?', no other ? or !"
    if task == "poll":
        options = output["options"]
        if not isinstance(options, list) or not 2 <= len(options) <= 4:
            yield "options: a list of 2-4 strings"
            return
        for option in options:
            if not isinstance(option, str) or len(option) > 25 or not OPTION.match(option):
                yield f"option {option!r}: 1-4 words, at most 25 chars, letters/digits/' & - only"
        if len({str(o).lower() for o in options}) != len(options):
            yield "options must be distinct"
    if task == "acknowledgement":
        thanks = given.get("thanks")
        if not isinstance(thanks, list) or not thanks:
            yield "input.thanks must be a non-empty list of {name, said}"
            return
        if not SENTENCE.match(output["thanks"]):
            yield "thanks: one sentence ending with '.', no ? ! or double quote"
        for person in thanks:
            if person.get("name") not in output["thanks"]:
                yield f"thanks must name {person.get('name')!r} exactly as given"
    yield from _style_problems(" ".join(str(v) for v in output.values()))


def _reply_problems(record: dict, given: dict, output: dict) -> Iterator[str]:
    if record.get("comment_kind") not in COMMENT_KINDS:
        yield f"comment_kind must be one of {sorted(COMMENT_KINDS)}"
    for key in ("author", "comment"):
        if not isinstance(given.get(key), str) or not given[key].strip():
            yield f"input.{key} must be a non-empty string"
    reply = output.get("reply", "missing")
    if record.get("comment_kind") in {"spam", "injection"}:
        if reply is not None:
            yield "spam and injection comments get reply null"
        return
    if not isinstance(reply, str) or not 10 <= len(reply) <= 240:
        yield "reply must be a string of 10-240 characters"
        return
    yield from _style_problems(reply, exclamations=1)


def _edit_problems(given: dict, output: dict) -> Iterator[str]:
    for key in ("draft", "request"):
        if not isinstance(given.get(key), str) or not given[key].strip():
            yield f"input.{key} must be a non-empty string"
    text = output.get("text")
    if set(output) != {"text"} or not isinstance(text, str) or not 10 <= len(text) <= 300:
        yield "output must be {text: 10-300 characters}"
        return
    # A request may ask for a hashtag; nothing else earns one.
    wants_hashtag = bool(re.search(r"\badd\b.*hashtag", given.get("request", ""), re.IGNORECASE))
    yield from _style_problems(text, exclamations=1, hashtags_ok=wants_hashtag)


def _style_problems(text: str, exclamations: int = 0, hashtags_ok: bool = False) -> Iterator[str]:
    if text.count("!") > exclamations:
        yield "too many '!' in the output"
    if not hashtags_ok and HASHTAG.search(text):
        yield "no hashtags in the output"
    if EMOJI.search(text):
        yield "no emoji in the output"


def main(paths: list[str]) -> int:
    bad = 0
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                print(f"{path}:{number}: not JSON: {error}")
                bad += 1
                continue
            for problem in problems(record):
                print(f"{path}:{number}: {problem}")
                bad += 1
    print(f"{bad} problem(s)" if bad else "ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
