"""What a linear judgment sees in a text: words, word pairs and a few shapes. Stdlib only.

The same function runs at training time and at run time, so the two cannot drift apart.
Numbers, links, handles and emoji are replaced by placeholders: a classifier should learn
"a long number to text" or "a link", not one shop's phone number.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|io|co|uk|ly|biz|info|xyz|shop|"
    r"app|me|link)\b(?:/\S*)?)"
    r"|(?P<at>@\w+)|(?P<hash>#\w+)"
    r"|(?P<money>[£$€]\s?\d[\d,.]*|\d[\d,.]*\s?(?:£|\$|€|p\b|usd\b|gbp\b|eur\b))"
    r"|(?P<pct>\d+(?:\.\d+)?\s?%)"
    r"|(?P<num>\d[\d,.:/-]*)"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(?P<mark>[!?*]+)"
    r"|(?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF])",
    re.IGNORECASE,
)


_LEADING_MENTIONS = re.compile(r"^(?:\s*(?:\.|RT\s+)?@\w+[:,]?)+\s*")


def features(text: str) -> list[str]:
    """Unigrams, bigrams and shape features of `text` (repeats kept: counts matter little).

    Leading @handles are dropped: a reply opening with "@brand" says whom it is for, not what
    kind of comment it is.
    """
    text = _LEADING_MENTIONS.sub("", text)
    tokens: list[str] = []
    caps = words = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        value = m.group()
        if kind == "word":
            words += 1
            if len(value) > 1 and value.isupper():
                caps += 1
            tokens.append(value.lower().replace("’", "'"))
        elif kind == "num":
            digits = sum(ch.isdigit() for ch in value)
            tokens.append("<num5>" if digits >= 5 else "<num>")
        elif kind == "mark":
            tokens.append("!!" if value.count("!") > 1 else value[0])
        elif kind == "hash":
            tokens.append("<hash>")
            tokens.append(value[1:].lower())
        else:
            tokens.append(f"<{kind}>")
    out = list(tokens)
    out.extend(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    if tokens:
        out.append(f"^{tokens[0]}")
    if words >= 3 and caps * 3 >= words:
        out.append("<shouting>")
    if text.rstrip().endswith("?"):
        out.append("<ends?>")
    return out


_WORDS = {
    "<url>": "a link",
    "<at>": "an @mention",
    "<hash>": "a hashtag",
    "<money>": "a price",
    "<pct>": "a percentage",
    "<num>": "a number",
    "<num5>": "a long number",
    "<emoji>": "emoji",
    "<shouting>": "capitals",
    "<ends?>": "ending on a question",
}


def describe(feature: str) -> str:
    """A feature in words, for a reason shown to people: "'free'", "a long number"."""
    if feature.startswith("^"):
        return f"opening with {describe(feature[1:])}"
    parts = [_WORDS.get(p, p) for p in feature.split(" ")]
    if all(p.startswith("<") is False and p in _WORDS.values() for p in parts):
        return " + ".join(parts)
    return "'" + " ".join(parts) + "'"
