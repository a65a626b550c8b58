"""Forms: how a playbook's JSON output becomes a post, and what a valid one must have.

Code, not data, because each form has its own checks (a poll needs 2-4 short distinct options,
an acknowledgement must name exactly the people it thanks). Playbooks choose a form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .inputs import strip_control
from .platforms import Platform

OPTION_CAP = 25  # X's poll option limit
_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]+", re.IGNORECASE)
_STOP = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "our",
        "your",
        "their",
        "we",
        "you",
        "they",
        "new",
        "now",
        "just",
        "more",
        "most",
        "very",
        "all",
        "any",
        "so",
        "as",
        "into",
        "about",
        "than",
        "then",
        "there",
        "here",
        "has",
        "have",
        "had",
        "will",
        "can",
        "get",
        "got",
        "out",
        "up",
        "off",
    ]
)


@dataclass
class Draft:
    """A candidate post assembled from the model's JSON."""

    text: str
    options: list[str] = field(default_factory=list)  # poll options, shown under the question

    @property
    def full_text(self) -> str:
        """What the critique reads: the post plus any poll options."""
        return "\n".join([self.text, *self.options]) if self.options else self.text


TEXT_PARTS = ("text", "thanks", "news", "question")  # joined in this order into the post


def assemble(form: str, data: dict) -> Draft:
    """The post from the model's JSON. A playbook may split the post into parts ("news", then
    "question") so that the schema can require each: a small model often forgets the question."""
    parts = [strip_control(data[k]).strip() for k in TEXT_PARTS if isinstance(data.get(k), str)]
    text = " ".join(p for p in parts if p)
    if form == "poll":
        options = [strip_control(str(o)).strip() for o in data.get("options", [])]
        return Draft(text=text, options=[o for o in options if o])
    return Draft(text=text)


def content_words(text: str) -> set[str]:
    return {w.casefold().strip("'’") for w in _WORD.findall(text)} - _STOP


def check(
    form: str,
    draft: Draft,
    *,
    platform: Platform,
    min_chars: int,
    max_chars: int,
    topic: str,
    thanks: list[dict] | None = None,
    borrowed: set[str] = frozenset(),
) -> list[str]:
    """Problems that make a candidate unusable whatever the critique says, as short sentences."""
    problems: list[str] = []
    text = draft.text
    limit = min(max_chars, platform.limit)
    if len(draft.full_text if form != "poll" else text) > limit:
        problems.append(f"too long: {len(text)} characters, the limit is {limit}")
    if len(text) < min_chars:
        problems.append(f"too short: {len(text)} characters")
    if "?" not in text:
        problems.append("asks the reader no question")
    if topic and not (content_words(topic) & content_words(draft.full_text)):
        problems.append("does not mention the product or the news")
    if _repeats(draft.full_text):
        problems.append("repeats itself")
    cut = cut_sentence(text)
    if cut:  # a length cap in the schema ended the sentence for the model
        problems.append(f"a sentence looks cut off: {cut!r}")
    copied = sorted(borrowed & content_words(draft.full_text))
    if copied:  # a small model happily reuses the few-shot examples' names
        problems.append(f"copies a name from the playbook's examples: {copied[0]!r}")
    if form == "poll":
        problems += _poll_problems(draft, platform)
    if form == "acknowledgement":
        problems += _thanks_problems(text, thanks or [])
    return problems


# Stop words that cannot close a statement; the others can ("We love it.", "It's here.").
_CAN_END = {"all", "any", "been", "get", "got", "here", "it", "its", "just", "more", "most"}
_CAN_END |= {"new", "now", "off", "out", "then", "there", "these", "they", "those", "up"}
_CAN_END |= {"very", "we", "you"}
_DANGLING = frozenset(_STOP - _CAN_END | {"if"})


def cut_sentence(text: str) -> str:
    """A statement that stops on a function word or a lone letter ("a new S.", "If it."),
    which is what a schema's length cap leaves when it forces the full stop."""
    for sentence in re.findall(r"[^.?!]+\.", text):
        words = sentence.rstrip(". ").split()
        if not words:
            continue
        last = words[-1]
        if (
            last.casefold() in _DANGLING
            or (len(last) == 1 and last.isalpha() and last != "I")
            or len(words) <= 1
        ):
            return sentence.strip()
    return ""


def borrowed_names(examples_text: str, source: str) -> set[str]:
    """Capitalised words of the few-shot examples that the source post does not use."""
    names = {w.casefold() for w in re.findall(r"\b[A-Z][a-z]{2,}\b", examples_text)}
    return {n for n in names - content_words(source) - _STOP if n not in _COMMON}


_COMMON = {
    "what",
    "which",
    "who",
    "how",
    "when",
    "where",
    "why",
    "thanks",
    "thank",
    "our",
    "your",
    "new",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "hot",
    "iced",
    "never",
    "weekly",
    "right",
    "over",
    "just",
    "not",
    "extra",
    "product",
    "news",
    "the",
    "use",
    "sleep",
    "adoption",
    "day",
    "more",
}


def _repeats(text: str) -> bool:
    words = [w.casefold() for w in _WORD.findall(text)]
    grams = [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]
    return len(grams) != len(set(grams))


def looks_cut(option: str) -> bool:
    """True for an option that stops mid-phrase or fills the cap (see _poll_problems)."""
    last = option.split()[-1].casefold().strip(".,") if option.split() else ""
    return last in _STOP or len(option) >= OPTION_CAP


def _poll_problems(draft: Draft, platform: Platform) -> list[str]:
    problems = []
    options = draft.options
    if not 2 <= len(options) <= 4:
        problems.append(f"a poll needs 2 to 4 options, not {len(options)}")
    long = [o for o in options if len(o) > platform.poll_option_limit]
    if long:
        problems.append(f"poll option over {platform.poll_option_limit} characters: {long[0]!r}")
    if len({o.casefold() for o in options}) != len(options):
        problems.append("poll options repeat")
    if any(o.casefold() in draft.text.casefold() and len(o) > 12 for o in options):
        problems.append("a poll option repeats the question")
    # A length or word cap in a schema stops the model mid-phrase: an option that ends on a
    # function word or fills the cap exactly was almost always cut ("A review of how CloudSync").
    cut = [o for o in options if looks_cut(o)]
    if cut:
        problems.append(f"poll option looks cut off: {cut[0]!r}")
    return problems


def _thanks_problems(text: str, thanks: list[dict]) -> list[str]:
    problems = []
    lowered = text.casefold()
    for person in thanks:
        name = person["name"]
        first = name.lstrip("@").split()[0].casefold() if name.strip() else ""
        if name.casefold() not in lowered and (not first or first not in lowered):
            problems.append(f"does not thank {name} by name")
    allowed = {p["name"].lstrip("@").split()[0].casefold() for p in thanks if p["name"].strip()}
    for m in re.finditer(r"\b(?:thanks?|thank you),?\s+(@?[A-Z][\w-]*)", text):
        if m.group(1).lstrip("@").casefold() not in allowed | {"you", "everyone", "all"}:
            problems.append(f"thanks someone not given: {m.group(1)}")
    return problems
