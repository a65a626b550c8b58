"""Comment threads as people paste them: detect the format, keep the order and the nesting.

Formats: JSON (`[{"author", "text", "replies"}]`), CSV with author/text columns, `@handle: text`
lines, `Name: text` lines, and Facebook or Instagram web pastes (a name line, the comment, then
noise such as "Like Reply 3h", "Top fan", "View 2 replies"). Stdlib only: this runs before any
model is loaded, and a bad paste must fail fast with one line (InputError, exit code 2).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

from .errors import InputError
from .inputs import THREAD_LIMIT, read_input

FORMATS = ("json", "csv", "handle_colon", "name_colon", "facebook", "instagram")


@dataclass
class Comment:
    index: int  # position in the paste, 0-based
    author: str  # as written: "Maria Lopez", "@maria_l", "maria.lopez"
    text: str
    parent: int | None = None  # index of the comment this one replies to
    depth: int = 0
    badges: tuple[str, ...] = ()  # what the platform showed beside the name: "Author", "Top fan"

    @property
    def is_post_author(self) -> bool:
        """Facebook marks the page's own comments with an "Author" badge."""
        return "author" in (b.casefold() for b in self.badges)


@dataclass
class Thread:
    format: str
    comments: list[Comment] = field(default_factory=list)

    def children(self, index: int) -> list[Comment]:
        return [c for c in self.comments if c.parent == index]


def read_thread(source: str, *, stdin=None) -> Thread:
    """Read and parse a thread from a path, or stdin when `source` is "-"."""
    text = read_input(source, what="thread", limit=THREAD_LIMIT, stdin=stdin)
    return parse_thread(text, name="stdin" if source == "-" else str(source))


def parse_thread(text: str, *, name: str = "thread") -> Thread:
    """Detect the format of `text` and parse it; InputError if no comment is found."""
    stripped = text.strip()
    if re.match(r"[\[{]", stripped):
        thread = _parse_json(stripped, name)
    else:
        try:
            thread = _parse_csv(stripped) or _parse_lines(stripped) or _parse_web(stripped)
        except csv.Error as e:  # a field over 128 KB, a stray carriage return
            raise InputError(f"{name}: cannot read it as CSV ({e})") from e
    if thread is None or not thread.comments:
        raise InputError(
            f"{name}: no comments found; paste them as 'Name: comment' lines, "
            "'@handle: comment' lines, JSON, CSV with author,text columns, or a web page copy"
        )
    return thread


# JSON ---------------------------------------------------------------------------------------

_AUTHOR_KEYS = ("author", "name", "user", "username", "handle", "from")
_TEXT_KEYS = ("text", "comment", "message", "body", "content")
_REPLY_KEYS = ("replies", "children", "comments")


def _parse_json(text: str, name: str) -> Thread:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(
            f"{name}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        ) from e
    if isinstance(data, dict):
        data = next((data[k] for k in _REPLY_KEYS if isinstance(data.get(k), list)), None)
    if not isinstance(data, list):
        raise InputError(
            f"{name}: JSON must be a list of comments like "
            '[{"author": "Maria", "text": "Love it!"}]'
        )
    thread = Thread("json")
    _add_json_items(thread, data, parent=None, depth=0, name=name)
    return thread


def _add_json_items(
    thread: Thread, items: list, *, parent: int | None, depth: int, name: str
) -> None:
    for item in items:
        if not isinstance(item, dict):
            raise InputError(f"{name}: each comment must be an object with author and text")
        author = _first(item, _AUTHOR_KEYS)
        if isinstance(author, dict):  # {"author": {"name": ...}}
            author = _first(author, ("name", "username", "handle"))
        body = _first(item, _TEXT_KEYS)
        if not isinstance(body, str) or not body.strip():
            continue
        comment = Comment(
            len(thread.comments), _clean_name(str(author or "unknown")), body.strip(), parent, depth
        )
        thread.comments.append(comment)
        replies = next((item[k] for k in _REPLY_KEYS if isinstance(item.get(k), list)), [])
        _add_json_items(thread, replies, parent=comment.index, depth=depth + 1, name=name)


def _first(item: dict, keys: tuple[str, ...]):
    lowered = {str(k).casefold(): v for k, v in item.items()}
    return next((lowered[k] for k in keys if lowered.get(k) not in (None, "")), None)


# CSV ----------------------------------------------------------------------------------------


def _parse_csv(text: str) -> Thread | None:
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    if first.count(delimiter) == 0:
        return None
    header = [h.strip().casefold() for h in next(csv.reader([first], delimiter=delimiter))]
    author_col = next((header.index(k) for k in _AUTHOR_KEYS if k in header), None)
    text_col = next((header.index(k) for k in _TEXT_KEYS if k in header), None)
    if author_col is None or text_col is None:
        return None
    depth_col = header.index("depth") if "depth" in header else None
    thread = Thread("csv")
    for row in list(csv.reader(io.StringIO(text), delimiter=delimiter))[1:]:
        if len(row) <= max(author_col, text_col) or not row[text_col].strip():
            continue
        depth = _int(row[depth_col]) if depth_col is not None and depth_col < len(row) else 0
        _append_nested(thread, _clean_name(row[author_col]), row[text_col].strip(), depth)
    return thread


def _int(value: str) -> int:
    return int(value) if value.strip().isdigit() else 0


def _append_nested(
    thread: Thread, author: str, text: str, depth: int, badges: tuple[str, ...] = ()
) -> Comment:
    """Append a comment whose parent is the latest comment one level up."""
    parent = None
    if depth > 0:
        parent = next((c.index for c in reversed(thread.comments) if c.depth < depth), None)
        depth = 0 if parent is None else thread.comments[parent].depth + 1
    comment = Comment(len(thread.comments), author, text, parent, depth, badges)
    thread.comments.append(comment)
    return comment


# `@handle: text` and `Name: text` lines -----------------------------------------------------

_NEST = r"(?P<nest>[ \t]*(?:[↳└>]|-{1,2}>?)?[ \t]*)"
_HANDLE_LINE = re.compile(_NEST + r"(?P<author>@[\w.]{1,40}):[ \t]+(?P<text>\S.*)$")
_NAME_LINE = re.compile(
    _NEST + r"(?P<author>[^\W\d_][\w.'’,-]*(?: [\w.'’,-]+){0,4}):[ \t]+"
    r"(?P<text>\S.*)$"
)
# Words that start ordinary sentences with a colon ("Update: ...") are not names.
_NOT_NAMES = re.compile(r"(?:update|edit|p\.?s\.?|note|fyi|also|btw|q|a|re|tl;?dr|https?|answer)$")


def _parse_lines(text: str) -> Thread | None:
    lines = [line for line in text.split("\n") if line.strip()]
    for fmt, pattern in (("handle_colon", _HANDLE_LINE), ("name_colon", _NAME_LINE)):
        matches = [_line_match(pattern, line) for line in lines]
        starts = sum(m is not None for m in matches)
        # Most lines start a comment; the rest continue the one above.
        if matches and matches[0] is not None and starts >= max(1, len(lines) // 2):
            return _thread_from_lines(fmt, lines, matches)
    return None


def _line_match(pattern: re.Pattern, line: str) -> re.Match | None:
    m = pattern.match(line)
    if m is None or _NOT_NAMES.match(m.group("author").casefold()):
        return None
    return m


def _thread_from_lines(fmt: str, lines: list[str], matches: list) -> Thread:
    thread = Thread(fmt)
    for line, m in zip(lines, matches, strict=True):
        if m is None:
            thread.comments[-1].text += "\n" + line.strip()
            continue
        nest = m.group("nest")
        depth = 1 if nest.strip() or len(nest.expandtabs(4)) >= 2 else 0
        _append_nested(thread, _clean_name(m.group("author")), m.group("text").strip(), depth)
    return thread


# Facebook / Instagram web pastes --------------------------------------------------------------

_TIME = (
    r"(?:\d+\s?(?:s|m|min|mins|h|hr|hrs|d|w|wk|wks|y|yr|yrs)|just now|yesterday|"
    r"\d+\s+(?:second|minute|hour|day|week|month|year)s?(?:\s+ago)?)"
)
_ACTION = (
    r"(?:like|liked|reply|replies|share|edited|hide|report|translate|see translation|"
    r"\d+\s+(?:likes?|reactions?|repl(?:y|ies)))"
)
_FOOTER = re.compile(rf"^(?:(?:{_TIME}|{_ACTION})[\s·•|]*)+$", re.IGNORECASE)
_REACTIONS = re.compile(r"^[\W\d_]*\d[\W\d_]*$|^[^\w\s]{1,6}\s*\d*$")  # "12", "👍❤️ 5"
_NOISE = re.compile(
    r"^(?:most relevant|all comments|newest|top comments|write a comment.*|"
    r"view (?:all |more |previous )?(?:\d+ )?(?:more )?(?:comments?|repl(?:y|ies)).*|"
    r"[—–-]*\s*(?:view|hide) (?:all |\d+ )?repl(?:y|ies)(?:\s*\(\d+\))?|"
    r"see more|load more comments|.+'s profile picture|follow|verified|see translation)$",
    re.IGNORECASE,
)
_BADGES = re.compile(
    r"^(?:author|top fan|rising fan|admin|moderator|top contributor|"
    r"valued commenter|verified|creator)$",
    re.IGNORECASE,
)
_REPLY_TO = re.compile(r"^reply to (?P<name>.+)$", re.IGNORECASE)
_SHOWN_REPLIES = re.compile(r"^[—–-]*\s*hide repl(?:y|ies)", re.IGNORECASE)
_INSTAGRAM = re.compile(
    r"'s profile picture$|^\S+\s+\d+\s+likes?\s+reply$|repl(?:y|ies) \(\d+\)", re.IGNORECASE
)


def _parse_web(text: str) -> Thread | None:
    lines = text.split("\n")
    if not any(_FOOTER.match(line.strip()) for line in lines):
        return None  # no "Like Reply 2h" anywhere: not a web paste
    instagram = sum(bool(_INSTAGRAM.search(line.strip())) for line in lines)
    thread = Thread("instagram" if instagram >= 2 else "facebook")
    block: list[str] = []
    state = _WebState()
    for line in lines:
        stripped = line.strip()
        if _FOOTER.match(stripped):
            state.flush(thread, block)
            block = []
        elif _SHOWN_REPLIES.match(stripped):
            state.flush(thread, block)
            block = []
            state.open_replies = _last_top_level(thread)
        elif _NOISE.match(stripped) or (not block and _REACTIONS.match(stripped)):
            continue
        elif stripped or block:
            block.append(line)
    state.flush(thread, block)
    return thread


def _last_top_level(thread: Thread) -> int | None:
    return next((c.index for c in reversed(thread.comments) if c.depth == 0), None)


class _WebState:
    """What a web paste tells us between comments: whose replies are shown below."""

    def __init__(self) -> None:
        self.open_replies: int | None = None

    def flush(self, thread: Thread, block: list[str]) -> None:
        content = [line for line in block if line.strip()]
        badges = tuple(line.strip() for line in content if _BADGES.match(line.strip()))
        reply_to = [m.group("name") for line in content if (m := _REPLY_TO.match(line.strip()))]
        body = [
            line
            for line in content
            if not _BADGES.match(line.strip()) and not _REPLY_TO.match(line.strip())
        ]
        if len(body) < 2:
            return  # a name with no text (a sticker or a photo): nothing to reply to
        author, text = _clean_name(body[0].strip()), "\n".join(x.strip() for x in body[1:])
        indent = len(body[0].expandtabs(4)) - len(body[0].expandtabs(4).lstrip())
        depth = 1 if indent >= 2 or reply_to else 0
        if self.open_replies is not None and text.startswith("@"):
            # Instagram prefixes a shown reply with the @handle it answers
            thread.comments.append(
                Comment(len(thread.comments), author, text, self.open_replies, 1, badges)
            )
            return
        self.open_replies = None
        _append_nested(thread, author, text, depth, badges)


def _clean_name(name: str) -> str:
    name = re.sub(r"\s*[·•]\s*(?:follow|author|top fan)\s*$", "", name.strip(), flags=re.I)
    return re.sub(r"\s+", " ", name).strip() or "unknown"
