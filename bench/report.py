"""The benchmark's output: the machine it ran on, plain-text tables, targets, results.json.

Plain text rather than rich: the tables go into a terminal, a CI log and the README alike.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def load_average() -> list[float]:
    """1, 5 and 15-minute load: other work on a 2-core box slows the model down."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine() -> dict[str, Any]:
    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "llama_cpp_python": version("llama-cpp-python"),
        "draft": version("draft-assistant"),
    }


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def p95(values: Sequence[float]) -> float | None:
    """Nearest-rank 95th percentile: with a handful of runs it is the slowest but one or two."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))  # ceil without floats
    return ordered[rank - 1]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ---- tables -------------------------------------------------------------------------------


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def render(table: Table) -> str:
    cells = [[cell(v) for v in row] for row in table.rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
        for i, h in enumerate(table.headers)
    ]

    def line(values: list[str]) -> str:
        first, *rest = values
        parts = [first.ljust(widths[0])] + [
            v.rjust(w) for v, w in zip(rest, widths[1:], strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [table.title, line(table.headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out += [f"  {note}" for note in table.notes]
    return "\n".join(out)


def markdown(table: Table) -> str:
    """The same table for the README."""
    out = [f"**{table.title}**", "", "| " + " | ".join(table.headers) + " |"]
    out.append("|" + "|".join("---" for _ in table.headers) + "|")
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.rows]
    if table.notes:
        out += [""] + [f"{note}  " for note in table.notes]
    return "\n".join(out)


# ---- targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str  # what is measured, as the issue words it
    issue: int
    path: tuple[str, ...]  # where the figure sits in results["sections"]
    goal: float
    higher_is_better: bool
    unit: str = ""  # "share", "s", "/s" or "" (a count)

    def measured(self, results: dict) -> float | None:
        node: Any = results.get("sections", {})
        for key in self.path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node if isinstance(node, int | float) and not isinstance(node, bool) else None

    def check(self, results: dict) -> dict[str, Any]:
        value = self.measured(results)
        met = None
        if value is not None:
            met = value >= self.goal if self.higher_is_better else value <= self.goal
        sign = ">=" if self.higher_is_better else "<="
        return {
            "name": self.name,
            "issue": self.issue,
            "target": f"{sign} {fmt(self.goal, self.unit)}",
            "measured": value,
            "shown": fmt(value, self.unit),
            "met": met,
        }


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    if unit == "share":
        return f"{100 * value:.1f}%"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "/s":
        return f"{value:,.0f}/s"
    return f"{value:g}"


TARGETS = [
    Target(
        "posts with a passing question AND poll", 3, ("quality", "both_pass"), 0.9, True, "share"
    ),
    Target("critique recall, dev", 2, ("critique", "dev", "recall"), 0.95, True, "share"),
    Target("critique recall, holdout", 2, ("critique", "holdout", "recall"), 0.95, True, "share"),
    Target(
        "critique false positives, dev",
        2,
        ("critique", "dev", "false_positive_rate"),
        0.05,
        False,
        "share",
    ),
    Target(
        "critique false positives, holdout",
        2,
        ("critique", "holdout", "false_positive_rate"),
        0.05,
        False,
        "share",
    ),
    Target("critique in-process", 2, ("speed", "critique_posts_per_second"), 5000, True, "/s"),
    Target("draft --help process", 3, ("speed", "help_seconds"), 0.3, False, "s"),
    Target("draft critique FILE process", 2, ("speed", "critique_seconds"), 0.5, False, "s"),
    Target("draft rewrite median wall", 3, ("speed", "rewrite_median_seconds"), 6, False, "s"),
    Target("replies using the name", 4, ("replies", "name_share"), 1.0, True, "share"),
    Target("replies passing the critique", 4, ("replies", "critique_share"), 1.0, True, "share"),
    Target("replies with leaks/refunds/discounts", 4, ("replies", "violations"), 0, False),
    Target("replies: 10-comment thread", 4, ("replies", "ten_comments_seconds"), 20, False, "s"),
    Target("chat first token", 5, ("chat", "first_token_seconds"), 1.5, False, "s"),
    Target("concurrency: worst speedup/N, N<=8", 6, ("scale", "stub", "min_efficiency"), 0.8, True),
]


def check_targets(results: dict) -> list[dict[str, Any]]:
    return [t.check(results) for t in TARGETS]


def targets_table(checks: list[dict[str, Any]]) -> Table:
    status = {True: "met", False: "MISSED", None: "-"}
    rows = [[c["name"], c["issue"], c["target"], c["shown"], status[c["met"]]] for c in checks]
    return Table("Targets", ["target", "issue", "goal", "measured", "status"], rows)


# ---- sections written by others: figures the targets read, and their tables ---------------


def replies_figures(raw: dict) -> dict[str, Any]:
    """bench.replies_eval's result plus the shares issue 4's targets are stated in."""
    t = raw.get("totals", {})
    replies = t.get("replies", 0)
    return {
        **raw,
        "name_share": share(t.get("name", 0), replies),
        "passed_share": share(t.get("passed", 0), replies),
        "critique_share": share(t.get("critique", 0), replies),
        "coverage": share(replies, t.get("needed", 0)),
        "violations": t.get("leaks", 0) + t.get("refunds", 0) + t.get("discounts", 0),
    }


def chat_figures(raw: dict) -> dict[str, Any]:
    """bench.chat_latency's result; its median first-token time under one name for the target."""
    numbers = {k: v for k, v in raw.items() if "first_token" in k and isinstance(v, int | float)}
    preferred = [k for k in numbers if k.startswith("median")] or list(numbers)
    return {**raw, "first_token_seconds": numbers[preferred[0]]} if preferred else raw


def critique_tables(r: dict) -> list[Table]:
    rows = [
        [
            name,
            s["positives"],
            s["negatives"],
            pct(s["precision"]),
            pct(s["recall"]),
            pct(s["false_positive_rate"]),
        ]
        for name in ("dev", "holdout")
        if (s := r.get(name))
    ]
    return [
        Table(
            "Critique: ad-like posts flagged (positives) vs engagement posts",
            ["set", "ad-like", "engaging", "precision", "recall", "false positives"],
            rows,
            [
                "targets: recall >= 95%, false positives <= 5%; "
                "holdout = hard-sell copy nobody tuned the rules on"
            ],
        )
    ]


def replies_tables(r: dict) -> list[Table]:
    rows = [
        [
            x["thread"],
            x["comments"],
            x["replies"],
            f"{x['name']}/{x['replies']}",
            f"{x.get('critique', '-')}/{x['replies']}",
            f"{x['passed']}/{x['replies']}",
            x["leaks"] + x["refunds"] + x["discounts"],
            x["seconds"],
        ]
        for x in r.get("rows", [])
    ]
    t = r.get("totals", {})
    notes = [
        f"name used {pct(r.get('name_share'))}, passing the critique "
        f"{pct(r.get('critique_share'))}, passing every reply check {pct(r.get('passed_share'))}, "
        f"replies for {pct(r.get('coverage'))} of comments needing one; "
        f"leaks + refund promises + invented discounts: {r.get('violations')}; "
        f"{t.get('seconds', '-')} s in all"
    ]
    return [
        Table(
            "Replies on the sample threads (embedded model)",
            ["thread", "comments", "replies", "name", "critique", "all checks", "violations", "s"],
            rows,
            notes,
        )
    ]


def chat_tables(r: dict) -> list[Table]:
    rows = [[k, v] for k, v in r.items() if isinstance(v, int | float | str)]
    return [
        Table(
            "Chat first-token latency (embedded model)",
            ["figure", "value"],
            rows,
            ["target: first streamed token within 1.5 s of Enter"],
        )
    ]


# ---- writing ------------------------------------------------------------------------------


def write_results(results: dict, path: Path) -> None:
    """Atomically: an interrupted run never leaves half a results.json behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def echo(text: str = "", *, stream=None) -> None:
    print(text, file=stream or sys.stdout, flush=True)


TableMaker = Callable[[dict], list[Table]]
