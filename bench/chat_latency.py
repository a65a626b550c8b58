"""First-token latency of `draft chat` on the embedded model.

Measures the time from Enter (the chat loop handing the line to `ChatSession.handle`, as the
CLI does) to the first streamed token reaching the view, over a few free-text turns of one
conversation seeded with examples/cloudsync_launch.txt. Target: a median under 1.5 s on 2 cores.

Between turns the terminal chat warms the model's prompt cache while the user types
(chat/warmup.py); the benchmark does the same, untimed, as a user who takes a few seconds to
type. `--no-warm-up` measures without it (a user who types faster than the warm-up).

    python -m bench.chat_latency [--turns 5] [--no-warm-up]

`measure()` returns a dict so the main benchmark can include it.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from pathlib import Path

from assistant.chat import memory
from assistant.chat.session import ChatSession
from assistant.chat.state import ChatState
from assistant.chat.warmup import warm
from assistant.config import Settings
from assistant.render.chat import PlainChatView

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "cloudsync_launch.txt"
TARGET_S = 1.5
REQUESTS = [
    "make it shorter",
    "more playful",
    "thank Priya and Sam too",
    "make it friendlier",
    "ask what they would sync first",
    "drop the numbers",
]


class TimingView(PlainChatView):
    """Discards output; notes when the first token of each answer arrives."""

    def __init__(self) -> None:
        super().__init__(io.StringIO(), io.StringIO())
        self.first_token: float | None = None
        self.tokens = 0

    def start_turn(self) -> None:
        self.first_token, self.tokens = None, 0
        self.out.seek(0)
        self.out.truncate()

    def stream_token(self, text: str) -> None:
        if self.first_token is None:
            self.first_token = time.perf_counter()
        self.tokens += 1


def _prompt_tokens(session: ChatSession, request: str) -> int:
    count = memory.token_counter(session.model)
    return sum(count(text) for _, text in session.messages(session.model, request))


def measure(turns: int = 5, settings: Settings | None = None, *, warm_up: bool = True) -> dict:
    """Run `turns` free-text turns; first-token and full-answer times per turn, and the median."""
    view = TimingView()
    state = ChatState(post=SEED.read_text(encoding="utf-8").strip())
    session = ChatSession(settings or Settings(), view, state=state)  # no transcript written
    started = time.perf_counter()
    session.model  # noqa: B018 - the CLI loads it on the first turn; timed apart here
    load_s = time.perf_counter() - started
    rows = []
    for request in (REQUESTS * (turns // len(REQUESTS) + 1))[:turns]:
        prompt = _prompt_tokens(session, request)
        if warm_up:
            warm(session)  # what the terminal loop runs in the background while you type
        view.start_turn()
        enter = time.perf_counter()
        session.handle(request)
        done = time.perf_counter()
        first = (view.first_token - enter) if view.first_token else None
        rows.append(
            {
                "request": request,
                "prompt_tokens": prompt,
                "first_token_s": round(first, 3) if first is not None else None,
                "answer_s": round(done - enter, 3),
                "chunks": view.tokens,
            }
        )
    firsts = [r["first_token_s"] for r in rows if r["first_token_s"] is not None]
    median = statistics.median(firsts) if firsts else None
    return {
        "model": session.model_label,
        "model_load_s": round(load_s, 3),
        "warm_up": warm_up,
        "turns": rows,
        "median_first_token_s": round(median, 3) if median is not None else None,
        "max_first_token_s": max(firsts) if firsts else None,
        "target_s": TARGET_S,
        "passed": median is not None and median < TARGET_S,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def print_table(result: dict) -> None:
    print(
        f"draft chat first-token latency · {result['model']} · {result['cpus']} CPUs · "
        f"load average {result['load_average'][0]} · model load {result['model_load_s']} s"
    )
    print(f"{'turn':<34} {'prompt tok':>10} {'first token':>12} {'answer':>8} {'chunks':>7}")
    for row in result["turns"]:
        first = "-" if row["first_token_s"] is None else f"{row['first_token_s']:.2f} s"
        print(
            f"{row['request']:<34} {row['prompt_tokens']:>10} {first:>12} "
            f"{row['answer_s']:>6.2f} s {row['chunks']:>7}"
        )
    verdict = "ok" if result["passed"] else "over target"
    print(
        f"median first token {result['median_first_token_s']} s "
        f"(target < {result['target_s']} s): {verdict}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false")
    args = parser.parse_args(argv)
    print_table(measure(args.turns, warm_up=args.warm_up))


if __name__ == "__main__":
    main()
