"""The optional LLM judge (`draft critique --judge`): a model lists phrases it reads as ad-like.

Its findings are marked origin="model", rule "judge.model", severity warning, and kept only
when the quoted phrase really occurs in the post (offsets come from that occurrence), so a
model that paraphrases or invents cannot put words in the brand's mouth. Heavy imports
(LangChain, the backends) happen only when the judge is asked for.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.critique.model import Finding, Report
from assistant.critique.scoring import engagement_score
from assistant.critique.text import lowercase, quoted_spans

if TYPE_CHECKING:
    from assistant.config import Settings

RULE = "judge.model"
SCHEMA = {
    "type": "object",
    "properties": {
        "findings": {
            "type": "array",
            "maxItems": 10,
            "items": {
                "type": "object",
                "properties": {"quote": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["quote", "reason"],
            },
        }
    },
    "required": ["findings"],
}
SYSTEM = (
    "You review social media posts written by a brand. List the phrases that read like an "
    "advert instead of a conversation: hard sells, pressure, hype, bragging, corporate-speak. "
    "Copy each phrase exactly as it is written in the post. Ignore words inside quotation "
    'marks: those are customers speaking. Answer only with JSON: {"findings": [{"quote": '
    '"...", "reason": "..."}]}. If nothing reads like an advert, answer {"findings": []}.'
)


def judge(report: Report, settings: Settings, *, show: bool = True) -> Report:
    """The report plus the model's findings, with the score lowered for each. `show=False`
    (--min-severity error) counts them in the score without listing them."""
    from assistant import backends

    model = backends.get_chat_model(settings)
    return add_findings(report, ask_model(report.text, model), show=show)


def ask_model(text: str, model) -> list[Finding]:
    from assistant.llm import complete_json

    sample = complete_json(
        model,
        [("system", SYSTEM), ("human", f"Post:\n{text}")],
        SCHEMA,
        temperature=0.0,
        max_tokens=400,
        seed=0,
    )
    findings: dict[tuple[int, int], Finding] = {}
    for item in sample.data["findings"]:
        quote = item["quote"].strip().strip("\"'“”‘’«»")
        span = locate(text, quote) if quote else None
        if span is not None and span not in findings:
            reason = " ".join(item["reason"].split())
            findings[span] = _finding(text, *span, reason)
    return sorted(findings.values(), key=lambda f: f.start)


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` occurs in the brand's own words (exactly, else ignoring case)."""
    quotations = quoted_spans(text)
    for haystack, needle in ((text, quote), (lowercase(text), lowercase(quote))):
        start = haystack.find(needle)
        while start >= 0:
            end = start + len(needle)
            if not any(a <= start < b for a, b in quotations):
                return start, end
            start = haystack.find(needle, start + 1)
    return None


def add_findings(report: Report, extra: list[Finding], *, show: bool = True) -> Report:
    if not extra:
        return report
    penalty = 100.0 - engagement_score(extra, {})
    findings = report.findings
    if show:
        findings = sorted([*findings, *extra], key=lambda f: (f.start, f.end, f.rule))
    return replace(report, findings=findings, score=max(0.0, report.score - penalty))


def _finding(text: str, start: int, end: int, reason: str) -> Finding:
    match = text[start:end]
    line_start = text.rfind("\n", 0, start) + 1
    message = f"The model reads '{match}' as ad-like" + (f": {reason}" if reason else ".")
    return Finding(
        RULE,
        "warning",
        message,
        match,
        start,
        end,
        text.count("\n", 0, start) + 1,
        start - line_start + 1,
        None,
        "model",
    )
