"""Split the hand-written corpus into train / dev / test by business.

Usage: python -m tuning.split    (reads tuning/data/raw/*.jsonl, writes tuning/data/{train,dev,test}.jsonl)

Records whose output our own critique rejects (mostly poll options with numbers the post does
not have, which the fact check calls invented, and thank-yous longer than a post on X) are left
out, so the adapter is not taught to write what the product would then refuse to show.

A business never appears in two splits, so the test split measures posts about businesses the
adapter never saw. The split is a stable hash of the business name: adding slices later does not
move existing businesses between splits.
"""

from __future__ import annotations

import json
import sys
import zlib
from collections import Counter
from pathlib import Path

DATA = Path(__file__).parent / "data"
TEST_SHARE, DEV_SHARE = 12, 8  # percent of businesses


def split_of(business: str) -> str:
    bucket = zlib.crc32(business.strip().casefold().encode()) % 100
    if bucket < TEST_SHARE:
        return "test"
    return "dev" if bucket < TEST_SHARE + DEV_SHARE else "train"


def gate_errors(record: dict) -> list[str]:
    """The critique's error rules for a post-writing record's output (none for other tasks)."""
    from assistant.critique import critique
    from assistant.forms import assemble

    if record["task"] not in ("question", "poll", "acknowledgement"):
        return []
    draft = assemble(record["task"], record["output"])
    said = [f"{p['name']}: {p['said']}" for p in record["input"].get("thanks", [])]
    source = "\n".join([record["input"]["post"], *said])
    return [f.rule for f in critique(draft.full_text, source=source, platform="x").errors]


def main() -> int:
    from .validate import problems

    out: dict[str, list[str]] = {"train": [], "dev": [], "test": []}
    businesses: dict[str, set[str]] = {name: set() for name in out}
    rejected, gated = 0, Counter()
    for path in sorted((DATA / "raw").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                rejected += 1
                continue
            if any(True for _ in problems(record)):
                rejected += 1
                continue
            if errors := gate_errors(record):
                gated.update(set(errors))
                continue
            name = split_of(record["business"])
            out[name].append(json.dumps(record, ensure_ascii=False))
            businesses[name].add(record["business"].strip().casefold())
    for name, lines in out.items():
        (DATA / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        tasks = Counter(json.loads(line)["task"] for line in lines)
        print(
            f"{name:5}  {len(lines):5} examples  {len(businesses[name]):4} businesses  {dict(tasks)}"
        )
    print(f"rejected by tuning/validate.py: {rejected}")
    print(f"left out because the critique rejects the output: {sum(gated.values())} {dict(gated)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
