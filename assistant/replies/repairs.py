"""Mechanical repairs to a sampled reply. They only remove or trim the model's words, never add
any, and each one is described so the output can list it under "repairs"."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.critique.model import Finding
from assistant.inputs import strip_control

_HASHTAG = re.compile(r"\s*(?<![\w&])#\w+")
_LABEL = re.compile(r"^\s*(?:reply|response|answer)\s*:\s*", re.IGNORECASE)
_SENTENCES = re.compile(r"[^.!?…]+(?:[.!?…]+[\"'”»)]*|$)\s*")


def tidy(raw: str) -> tuple[str, list[str]]:
    """Strip labels, wrapping quotes, hashtags and a cut-off last fragment."""
    repairs = []
    text = re.sub(r"\s+", " ", strip_control(raw)).strip()  # no terminal escapes in a reply
    if text[:1] in '"“' and text.count(text[0]) % 2 == 1 and text[-1:] not in '"”':
        text = text[1:].lstrip()
        repairs.append("removed a stray opening quote")
    if _LABEL.match(text):
        text = _LABEL.sub("", text)
        repairs.append("removed a 'Reply:' label")
    if len(text) > 2 and text[0] in "\"'“" and text[-1] in "\"'”":
        text = text[1:-1].strip()
        repairs.append("removed wrapping quotes")
    if re.search(r"[{}\[\]]", text):  # JSON debris from the schema; a reply never needs it
        text = re.sub(r"\s*[{}\[\]]+\s*", " ", text).strip()
        repairs.append("removed stray brackets")
    tags = _HASHTAG.findall(text)
    if tags:
        text = _HASHTAG.sub("", text).strip()
        repairs.append(f"removed hashtags: {' '.join(t.strip() for t in tags)}")
    parts = sentences(text)
    unique = list(dict.fromkeys(p.strip() for p in parts))
    if len(unique) < len(parts):
        text = " ".join(unique)
        repairs.append("dropped repeated sentences")
    cut = _cut_off_fragment(text)
    if cut:
        text = text[: len(text) - len(cut)].rstrip()
        repairs.append(f"dropped an unfinished ending: {cut.strip()!r}")
    return text, repairs


def _cut_off_fragment(text: str) -> str:
    """The trailing words after the last sentence end, when the sample stopped mid-sentence."""
    if not text or _ends_cleanly(text):
        return ""
    last_end = max(text.rfind(p) for p in ".!?…")
    if last_end < len(text) * 0.4:  # most of the reply is one sentence: keep it whole
        return ""
    return text[last_end + 1 :]


def _ends_cleanly(text: str) -> bool:
    last = text.rstrip()[-1]
    return last in ".!?…)\"'”»" or not (last.isalnum() or last in ",;:-–")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCES.findall(text) if s.strip()]


def drop_failing_sentences(
    text: str, findings_of: Callable[[str], list[Finding]]
) -> tuple[str, list[str]]:
    """Drop sentences that carry an error the rest of the reply does not (a pitch, a refund
    promise, a leak). The first sentence stays: it usually holds the name."""
    parts = sentences(text)
    if len(parts) < 2:
        return text, []
    kept, dropped = [parts[0]], []
    for part in parts[1:]:
        bad = [
            f
            for f in findings_of(part.strip())
            if f.severity == "error" and (f.rule in _DROPPABLE or f.origin != "replies")
        ]
        if bad:
            dropped.append(f"dropped a sentence ({bad[0].rule}): {part.strip()!r}")
        else:
            kept.append(part)
    return "".join(kept).strip(), dropped


# Errors a whole sentence can be removed for; missing things (name, thanks) cannot be fixed so.
_DROPPABLE = frozenset(
    {
        "reply.pitch",
        "reply.refund",
        "reply.discount",
        "reply.leak",
        "reply.injected",
        "reply.facts",
        "reply.wrong-name",
        "reply.admits-fault",
        "reply.guess",
        "reply.copied-example",
        "facts.invented",
    }
)
