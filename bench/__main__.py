"""`python -m bench`: quality and speed of `draft`, beside a naive baseline and raw llama.cpp.

    python -m bench                       # everything (< 15 min on 2 cores), bench/results.json
    python -m bench --quick               # about a minute: a few posts, one thread, fewer runs
    python -m bench --only speed,scale    # some sections (merged into the results file)
    python -m bench --markdown            # the README tables from the results file

Sections: quality (rewrite vs naive prompt), critique (precision/recall, bench/critique_eval.py),
replies (bench/replies_eval.py), judgments (held-out public data, bench/judgments.py), speed,
chat (bench/chat_latency.py), scale. A section whose
module is not there yet is skipped with a note; one that crashes is recorded and the others run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import report
from .report import Table, echo

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
QUICK_RESULTS = HERE / "results-quick.json"  # a quick run never overwrites the full figures


@dataclass
class Run:
    """What sections share in one run: the mode, the model loaded once, this run's results."""

    quick: bool
    results: dict[str, Any] = field(default_factory=dict)  # sections measured in this run
    _model: Any = None

    @property
    def model(self):
        if self._model is None:
            from assistant.backends.embedded import load_embedded

            self._model = load_embedded()
        return self._model

    def rewritten(self) -> dict[str, dict]:
        """Posts the quality section already rewrote in-process, by text, for speed to reuse."""
        records = self.results.get("quality", {}).get("records", {}).get("draft", [])
        return {r["source"]: r for r in records}


def _optional(module: str, func: str) -> Callable[..., dict] | None:
    """A benchmark another engineer owns, if it exists yet."""
    try:
        return getattr(importlib.import_module(f"bench.{module}"), func)
    except (ImportError, AttributeError):
        return None


def run_quality(run: Run) -> dict:
    from . import quality

    return quality.evaluate(run.quick, model=run.model)


def run_critique(run: Run) -> dict:
    evaluate = _optional("critique_eval", "evaluate")
    return evaluate() if evaluate else {"skipped": "bench/critique_eval.py is not there yet"}


def run_replies(run: Run) -> dict:
    evaluate = _optional("replies_eval", "evaluate")
    if not evaluate:
        return {"skipped": "bench/replies_eval.py is not there yet"}
    return report.replies_figures(evaluate(run.quick))


def run_judgments(run: Run) -> dict:
    from . import judgments

    return judgments.evaluate()


def run_speed(run: Run) -> dict:
    from . import speed

    return speed.evaluate(run.quick, model=run.model, known=run.rewritten())


def run_chat(run: Run) -> dict:
    measure = _optional("chat_latency", "measure")
    if not measure:
        return {"skipped": "bench/chat_latency.py is not there yet"}
    return report.chat_figures(measure(turns=2) if run.quick else measure())


def run_scale(run: Run) -> dict:
    from . import scale

    return scale.evaluate(run.quick)


def _tables(module: str, name: str = "tables") -> Callable[[dict], list[Table]]:
    return lambda result: getattr(importlib.import_module(f"bench.{module}"), name)(result)


SECTIONS: dict[str, tuple[Callable[[Run], dict], Callable[[dict], list[Table]]]] = {
    "quality": (run_quality, _tables("quality")),
    "critique": (run_critique, report.critique_tables),
    "replies": (run_replies, report.replies_tables),
    "judgments": (run_judgments, _tables("judgments")),
    "speed": (run_speed, _tables("speed")),
    "chat": (run_chat, report.chat_tables),
    "scale": (run_scale, _tables("scale")),
}


def run_section(name: str, run: Run) -> dict:
    started, load = time.perf_counter(), report.load_average()
    try:
        result = SECTIONS[name][0](run)
    except Exception as e:  # one broken section must not lose the others' figures
        traceback.print_exc()
        result = {"error": f"{type(e).__name__}: {e}"}
    result["date"] = report.now()
    result["seconds"] = round(time.perf_counter() - started, 1)
    result.setdefault("load_average", {"start": load, "end": report.load_average()})
    return result


def section_tables(name: str, result: dict) -> list[Table]:
    if "skipped" in result or "error" in result:
        note = result.get("skipped") or f"failed: {result['error']}"
        return [Table(f"{name}: not measured", ["note"], [[note]])]
    return SECTIONS[name][1](result)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a minute: fewer posts and runs")
    parser.add_argument("--only", help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument(
        "--out",
        type=Path,
        help="results file (default bench/results.json, or bench/results-quick.json with --quick)",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the README tables from the results file and exit",
    )
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}")
    args.out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    return args


def all_tables(results: dict) -> list[Table]:
    tables = []
    for name, result in results["sections"].items():
        tables += section_tables(name, result)
    return tables + [report.targets_table(results["targets"])]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.markdown:
        results = json.loads(args.out.read_text("utf-8"))
        echo("\n\n".join(report.markdown(t) for t in all_tables(results)))
        return 0
    previous = {}
    if args.only and args.out.exists():  # keep the sections this run does not redo
        previous = json.loads(args.out.read_text("utf-8")).get("sections", {})
    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": report.now(),
        "quick": args.quick,
        "machine": report.machine(),
        "load_average": {"start": report.load_average()},
        "sections": previous,
    }
    run = Run(args.quick)
    for name in args.sections:
        echo(f"== {name} ...", stream=sys.stderr)
        run.results[name] = results["sections"][name] = result = run_section(name, run)
        for table in section_tables(name, result):
            echo(report.render(table) + "\n")
    results["load_average"]["end"] = report.load_average()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = report.check_targets(results)
    echo(report.render(report.targets_table(results["targets"])))
    echo(f"\nload average {results['load_average']}; {results['seconds']} s; wrote {args.out}")
    report.write_results(results, args.out)
    failed = [n for n in args.sections if "error" in results["sections"][n]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
