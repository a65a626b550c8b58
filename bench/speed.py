"""Speed: process start, critique throughput, rewrite wall time, where the time goes, memory.

Processes are the venv's real `draft` console script with an empty config dir, so a developer's
config cannot change the figures. Peak memory is the child's own ru_maxrss (os.wait4).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .report import Table, load_average, median, p95, share

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.txt") if p.name != "thread.txt")
EXTRA_POSTS = ("b14", "b47")  # broadcast posts beyond the examples (full run)
RAW_PROMPT = "Write a short, friendly social media post for a small bakery."


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    error: str = ""  # the last line on stderr: why a run failed


def draft_exe() -> str:
    """The `draft` next to this interpreter: the venv the bench runs in."""
    exe = Path(sys.executable).with_name("draft")
    return str(exe) if exe.exists() else "draft"


def clean_env(home: str) -> dict[str, str]:
    """Our environment minus settings that would redirect draft (model, server, key)."""
    drop = {
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "DRAFT_MODEL",
        "DRAFT_MODEL_PATH",
        "DRAFT_PLATFORM",
        "DRAFT_TRACEBACK",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["DRAFT_CONFIG_DIR"] = os.path.join(home, "config")
    env["DRAFT_DATA_DIR"] = os.path.join(home, "data")
    env["DRAFT_CACHE_DIR"] = os.path.join(home, "cache")  # the first rewrite fills it
    return env


# Started by a small launcher: Linux counts the memory of the process that forks a child in
# the child's ru_maxrss (until exec), so forking from the bench (model loaded, ~300 MB) would
# report ~300 MB for `draft --help`. The launcher also times the child without its own start.
LAUNCHER = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write(f"{seconds} {peak}")
sys.exit(code)
"""


def run_process(args: list[str], env: dict[str, str], timeout: float = 300) -> Run:
    """Wall time, peak memory (MB), exit code, stdout and the last stderr line of one command."""
    with tempfile.TemporaryDirectory() as tmp:
        figures, errors = Path(tmp) / "figures", Path(tmp) / "stderr"
        with open(errors, "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-S", "-c", LAUNCHER, str(figures), *args],
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
                cwd=ROOT,
                start_new_session=True,
            )
            try:
                out, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the launcher and the command it runs
                proc.communicate()
                raise
        seconds, peak_kb = figures.read_text().split()
        lines = errors.read_text("utf-8", "replace").strip().splitlines()
    return Run(
        float(seconds),
        int(peak_kb) / 1024,
        proc.returncode,
        out.decode("utf-8", "replace"),
        lines[-1] if lines else "",
    )


def process_times(args: list[str], env: dict[str, str], repeats: int) -> list[Run]:
    run_process(args, env)  # warm the page cache: users run a command more than once
    return [run_process(args, env) for _ in range(repeats)]


def critique_rate(seconds: float = 2.0) -> float:
    """Posts per second, in-process, in CPU time of this process (other load does not count)."""
    from assistant.critique import critique

    from .quality import DATA

    posts = [
        json.loads(line)["text"]
        for name in ("broadcast.jsonl", "engagement.jsonl")
        for line in (DATA / name).read_text("utf-8").splitlines()
        if line.strip()
    ]
    for post in posts:
        critique(post)  # load and compile the rules first
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for post in posts:
            critique(post)
        done += len(posts)
    return done / (time.process_time() - start)


def speed_posts(quick: bool) -> list[tuple[str, str]]:
    """(name, text): the examples, then a few broadcast posts (full run only)."""
    from .quality import load_posts

    posts = [(p.name, p.read_text("utf-8")) for p in EXAMPLES]
    if quick:  # the README's example, which the quick quality run also rewrites in-process
        return [p for p in posts if p[0] == "cloudsync_launch.txt"]
    by_id = {p["id"]: p["text"] for p in load_posts()}
    return posts + [(f"{i}.txt", by_id[i]) for i in EXTRA_POSTS if i in by_id]


def rewrite_processes(posts: list[tuple[str, str]], env: dict[str, str], home: str) -> list[dict]:
    rows = []
    for name, text in posts:
        path = Path(home) / name
        path.write_text(text, "utf-8")
        run = run_process([draft_exe(), "rewrite", str(path), "--json"], env)
        try:
            variants = json.loads(run.stdout)["variants"]
        except (ValueError, KeyError):
            variants = []
        rows.append(
            {
                "post": name,
                "seconds": round(run.seconds, 3),
                "max_rss_mb": round(run.max_rss_mb, 1),
                "exit": run.returncode,
                "error": run.error if run.returncode not in (0, 1) else "",
                "variants": len(variants),
                "passed": sum(v["passed"] for v in variants),
            }
        )
    return rows


def in_process(model, texts: list[str], known: dict[str, dict]) -> list[dict]:
    """Wall, time inside llama.cpp and tokens per post; reuses the quality run's figures for
    posts it already rewrote (same seed, same tokens)."""
    from .quality import run_draft

    missing = [{"id": f"speed{i}", "text": t} for i, t in enumerate(texts) if t not in known]
    fresh = dict(zip([p["text"] for p in missing], run_draft(model, missing), strict=True))
    return [known.get(t) or fresh[t] for t in texts]


def raw_generation(model_path: str, tokens: int, prompt_tokens: int) -> dict[str, Any]:
    """Plain llama_cpp.Llama, same model file: evaluating a prompt of `prompt_tokens` tokens,
    then making `tokens` tokens with end-of-text banned. The physical limit on this machine."""
    from llama_cpp import Llama

    llama = Llama(
        model_path=model_path, n_ctx=2048, n_threads=os.cpu_count() or 2, verbose=False, seed=0
    )
    text = (RAW_PROMPT + " ") * 200
    prompt = llama.tokenize(text.encode())[: max(1, min(prompt_tokens, 1900))]
    started = time.perf_counter()
    llama.create_completion(prompt, max_tokens=1, temperature=0.0)
    prefill = time.perf_counter() - started
    llama.reset()
    tokens = max(1, min(tokens, 2048 - 64))
    started = time.perf_counter()
    out = llama.create_completion(
        RAW_PROMPT,
        max_tokens=tokens,
        temperature=0.8,
        seed=0,
        logit_bias={llama.token_eos(): float("-inf")},
    )
    seconds = time.perf_counter() - started
    made = out["usage"]["completion_tokens"]
    return {
        "tokens": made,
        "seconds": round(seconds, 3),
        "tokens_per_second": made / seconds,
        "prompt_tokens": len(prompt),
        "prompt_tokens_per_second": len(prompt) / prefill,
    }


def evaluate(quick: bool = False, *, model=None, known: dict[str, dict] | None = None) -> dict:
    from assistant.backends.embedded import default_model_path, load_embedded

    repeats = 3 if quick else 10
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="draft-bench-") as home:
        env = clean_env(home)
        helps = process_times([draft_exe(), "--help"], env, repeats)
        post = str(ROOT / "examples" / "cloudsync_launch.txt")
        critiques = process_times([draft_exe(), "critique", post], env, repeats)
        posts = speed_posts(quick)
        # The first rewrite on a machine fills the prompt cache (assistant/backends/
        # prompt_cache.py); users run draft more than once, so the figures are for a warm one.
        cold = rewrite_processes(posts[:1], env, home)[0]
        processes = rewrite_processes(posts, env, home)
    model = model or load_embedded()
    inside = in_process(model, [t for _, t in posts], known or {})
    wall = sum(r["seconds"] for r in inside)
    tokens = [r["completion_tokens"] for r in inside]
    per_call = sum(r["prompt_tokens"] for r in inside) / max(1, sum(r["calls"] for r in inside))
    raw = raw_generation(str(default_model_path()), int(median(tokens) or 1), int(per_call))
    seconds = [r["seconds"] for r in processes]
    return {
        "load_average": {"start": load_before, "end": load_average()},
        "repeats": repeats,
        "help_seconds": median([r.seconds for r in helps]),
        "critique_seconds": median([r.seconds for r in critiques]),
        "critique_max_rss_mb": max(r.max_rss_mb for r in critiques),
        "critique_posts_per_second": critique_rate(1.0 if quick else 3.0),
        "rewrite_median_seconds": median(seconds),
        "rewrite_p95_seconds": p95(seconds),
        "rewrite_max_rss_mb": max(r["max_rss_mb"] for r in processes),
        "rewrite_cold_seconds": cold["seconds"],
        "rewrites": processes,
        "in_process": {
            "posts": len(inside),
            "median_seconds": median([r["seconds"] for r in inside]),
            "median_tokens": median(tokens),
            "prompt_tokens_per_post": sum(r["prompt_tokens"] for r in inside) / len(inside),
            "calls_per_post": sum(r["calls"] for r in inside) / len(inside),
            "llama_share": share(sum(r["llama_seconds"] for r in inside), wall),
            "tokens_per_second": sum(tokens) / wall if wall else None,
        },
        "raw_llama": raw,
        "bench_max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def tables(result: dict) -> list[Table]:
    r, i, raw = result, result["in_process"], result["raw_llama"]
    processes = Table(
        f"Speed: processes (median of {r['repeats']} runs; rewrite over {len(r['rewrites'])} posts)",
        ["command", "median s", "p95 s", "peak MB", "target"],
        [
            ["draft --help", r["help_seconds"], None, None, "< 0.3 s"],
            [
                "draft critique FILE",
                r["critique_seconds"],
                None,
                r["critique_max_rss_mb"],
                "< 0.5 s",
            ],
            [
                "draft rewrite FILE",
                r["rewrite_median_seconds"],
                r["rewrite_p95_seconds"],
                r["rewrite_max_rss_mb"],
                "median <= 6 s",
            ],
            [
                "draft rewrite FILE, first run (cold prompt cache)",
                r.get("rewrite_cold_seconds"),
                None,
                None,
                "-",
            ],
        ],
        [f"critique in-process: {r['critique_posts_per_second']:,.0f} posts/s (target >= 5,000)"],
    )
    decode = i["median_tokens"] / raw["tokens_per_second"]
    prefill = i["prompt_tokens_per_post"] / raw["prompt_tokens_per_second"]
    where = Table(
        "Speed: where one rewrite's time goes (in-process, model loaded once)",
        ["figure", "value"],
        [
            ["median wall per post", f"{i['median_seconds']:.2f} s"],
            ["median tokens generated per post", f"{i['median_tokens']:.0f}"],
            ["model calls per post", f"{i['calls_per_post']:.1f}"],
            ["prompt tokens per post", f"{i['prompt_tokens_per_post']:.0f}"],
            ["share of wall inside llama-cpp-python", f"{100 * (i['llama_share'] or 0):.1f}%"],
            ["our own overhead (wall outside it)", f"{100 * (1 - (i['llama_share'] or 0)):.1f}%"],
            ["draft: generated tokens/s of wall", f"{i['tokens_per_second']:.0f}"],
            ["raw llama_cpp: generated tokens/s", f"{raw['tokens_per_second']:.0f}"],
            ["raw llama_cpp: prompt tokens/s", f"{raw['prompt_tokens_per_second']:.0f}"],
            ["raw: the median post's tokens only", f"{decode:.2f} s"],
            ["raw: its prompts (no cache) + tokens", f"{prefill + decode:.2f} s"],
            ["peak memory of the bench process (model loaded)", f"{r['bench_max_rss_mb']:.0f} MB"],
        ],
        [
            "inside llama-cpp-python = create_chat_completion: prompt evaluation, generation, "
            "its Python sampler and the JSON grammar; raw = create_completion, no grammar, "
            "end-of-text banned so it makes exactly as many tokens"
        ],
    )
    return [processes, where]
