"""What the critique pass returns: findings with exact offsets, a score and a verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITIES = ("suggestion", "warning", "error")  # ascending
NOT_AD_LIKE = frozenset({"format.length", "facts.invented"})  # failing these is another verdict


@dataclass(frozen=True)
class Finding:
    rule: str  # dotted id, e.g. "cta.hard-sell"
    severity: str  # "error" | "warning" | "suggestion"
    message: str
    match: str  # text[start:end]
    start: int  # 0-based code-point offsets into the critiqued text
    end: int
    line: int  # 1-based
    column: int  # 1-based, in code points
    suggestion: str | None = None
    origin: str = "rules"  # "rules", "facts", "classifier" or "model" (the optional LLM judge)
    probability: float | None = None  # the classifier's, for origin "classifier"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    text: str
    findings: list[Finding] = field(default_factory=list)
    score: float = 100.0  # 0-100 engagement score
    passed: bool = True  # no error findings

    @property
    def verdict(self) -> str:
        """Why a post fails, or how well it passes: a post that is only too long is not an ad."""
        if not self.passed:
            failing = {f.rule for f in self.errors} or {f.rule for f in self.findings}
            if failing - NOT_AD_LIKE:
                return "ad-like"
            if "format.length" in failing:
                return "too long"
            if "facts.invented" in failing:
                return "unsupported facts"
            return "failed"
        return "engaging" if self.score >= 80 else "ok"

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def to_dict(self) -> dict:
        return {
            "passed": self.passed,
            "score": round(self.score, 1),
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
        }
