"""Reading a free-text answer: is it a new draft or a reply to a question, and what is the
post inside it once the chatter a small model adds ("Sure! Here's a shorter version:") is gone.
"""

from __future__ import annotations

import re

_QUESTION_START = re.compile(
    r"^\s*(?:what|why|how|which|who|whom|whose|when|where|is|are|does|do|did|would|should|"
    r"could|was|were|explain|tell me)\b",
    re.IGNORECASE,
)
# Words that ask for a change even when phrased as a question ("can you make it shorter?").
_EDIT_WORDS = re.compile(
    r"\b(?:make|rewrite|write|turn|change|shorten|shorter|longer|add|remove|drop|cut|use|"
    r"thank|mention|replace|rephrase|reword|fix|tweak|try|more|less|keep|start|end|ask|"
    r"include|swap|simplify)\b",
    re.IGNORECASE,
)
_CHATTER = re.compile(r"^\s*(?:sure|okay|ok|of course|certainly|got it|absolutely)\W*$", re.I)
_LABEL = re.compile(r"^\s*(?:post|draft|answer|revised post|new post|edited post)\s*:\s*", re.I)
_ECHO = re.compile(r"\n\s*(?:post|request|question)\s*:.*", re.IGNORECASE | re.DOTALL)
_OPTION = re.compile(r"^\s*(?:[-*•◯]|\( ?\)|\d+[.)])\s+(.+?)\s*$")
_QUOTES = "\"'“”‘’"


def is_question(request: str) -> bool:
    """True when the user asks the assistant something rather than asking for an edit."""
    text = request.strip()
    if _EDIT_WORDS.search(text):
        return False
    return text.endswith("?") or bool(_QUESTION_START.match(text))


def clean(answer: str) -> str:
    """The post inside an answer: no preamble, label, surrounding quotes or echoed prompt."""
    lines = _ECHO.sub("", answer.strip()).splitlines()
    # "Sure!" alone, or "Here's a shorter version:" introducing the post on the next lines
    while len(lines) > 1 and (_CHATTER.match(lines[0]) or lines[0].rstrip().endswith(":")):
        lines.pop(0)
    text = _LABEL.sub("", "\n".join(lines)).strip()
    if len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


def split_options(text: str) -> tuple[str, list[str]]:
    """A poll written out as a question followed by bullet lines → (question, options)."""
    lines = text.splitlines()
    options: list[str] = []
    while lines and (m := _OPTION.match(lines[-1])):
        options.insert(0, m.group(1))
        lines.pop()
    if len(options) < 2 or not lines:
        return text, []
    return "\n".join(lines).strip(), options


def looks_like_markdown(text: str) -> bool:
    """Worth rendering as Markdown: lists, headings, emphasis or code (drafts never are)."""
    return bool(re.search(r"(?m)^\s*(?:#{1,6} |[-*] |\d+\. )|\*\*[^*]+\*\*|`[^`]+`", text))
