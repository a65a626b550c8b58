"""Scale: `draft rewrite posts/*.txt --concurrency N` against OpenAI-compatible servers.

(a) The stub server (bench/stub_server.py) answers every request after a fixed latency and
    serves requests in parallel, so the wall time shows how much concurrency the CLI gets out
    of a server. We run the real CLI as a subprocess: the measured path is the user's.
(b) llama-cpp-python's own server with the embedded model: the real end-to-end server path.
All servers listen on 127.0.0.1 only and are stopped when the section ends.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from .report import Table, load_average, median, pct, share
from .speed import ROOT, clean_env, draft_exe, run_process
from .stub_server import StubServer

STUB_LATENCY = 0.3  # seconds per request
STUB_FILES = 48  # "many files": the fixed start (~3 s, mostly importing langchain-openai) is shared
LEVELS = (1, 2, 4, 8)
SERVER_ALIAS = "smollm2"
SERVER_START_TIMEOUT = 60.0


def write_posts(folder: Path, count: int) -> list[str]:
    """`count` post files from the broadcast set (cycled if it is shorter)."""
    from .quality import load_posts

    texts = [p["text"] for p in load_posts()]
    paths = []
    for i in range(count):
        path = folder / f"post{i:02d}.txt"
        path.write_text(texts[i % len(texts)], "utf-8")
        paths.append(str(path))
    return paths


def rewrite_args(files: list[str], model: str, url: str, concurrency: int = 1) -> list[str]:
    return [
        draft_exe(),
        "rewrite",
        *files,
        "--json",
        "--concurrency",
        str(concurrency),
        "--model",
        model,
        "--base-url",
        url,
    ]


def passed_variants(stdout: str) -> tuple[int, int]:
    """(passed, total) variants in `draft rewrite --json` output (one object or a list)."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return 0, 0
    objects = data if isinstance(data, list) else [data]
    variants = [v for o in objects for v in o.get("variants", [])]
    return sum(bool(v.get("passed")) for v in variants), len(variants)


def stub_levels(
    files: list[str], env: dict[str, str], *, latency: float, levels=LEVELS
) -> dict[str, Any]:
    """Wall time per concurrency level, plus two figures that explain it: the command's fixed
    cost (one file, no latency) and how many request rounds one file waits for in sequence."""
    stub = StubServer(latency=0.0)
    url = stub.start()
    try:
        fixed = median(
            [
                run_process(rewrite_args(files[:1], "openai/stub", url), env).seconds
                for _ in range(2)
            ]
        )
        stub.reset(latency=latency)
        one_file = run_process(rewrite_args(files[:1], "openai/stub", url), env).seconds
        rows = []
        for n in levels:
            stub.reset(latency=latency)
            run = run_process(rewrite_args(files, "openai/stub", url, n), env)
            passed, total = passed_variants(run.stdout)
            rows.append(
                {
                    "concurrency": n,
                    "seconds": round(run.seconds, 3),
                    "requests": len(stub.chat_requests),
                    "max_in_flight": stub.max_in_flight,
                    "exit": run.returncode,
                    "passed": passed,
                    "variants": total,
                    "error": run.error if run.returncode not in (0, 1) else "",
                }
            )
    finally:
        stub.stop()
    base = rows[0]["seconds"]
    for row in rows:
        row["speedup"] = base / row["seconds"]
        row["efficiency"] = row["speedup"] / row["concurrency"]
        # what concurrency itself achieves, with the fixed cost of one command set aside
        row["speedup_after_start"] = (base - fixed) / max(1e-9, row["seconds"] - fixed)
    return {
        "latency": latency,
        "files": len(files),
        "rows": rows,
        "fixed_seconds": round(fixed, 3),
        "rounds_per_file": round((one_file - fixed) / latency, 1),
        "requests_per_file": rows[0]["requests"] / len(files),
        "min_efficiency": min(r["efficiency"] for r in rows),
        "min_efficiency_after_start": min(
            r["speedup_after_start"] / r["concurrency"] for r in rows
        ),
    }


def server_installed() -> bool:
    return all(importlib.util.find_spec(m) for m in ("uvicorn", "fastapi", "sse_starlette"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_llama_server(model_path: str, log) -> tuple[subprocess.Popen, str, float]:
    """llama-cpp-python's OpenAI-compatible server on loopback; waits until it answers."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        model_path,
        "--model_alias",
        SERVER_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--n_threads",
        str(os.cpu_count() or 2),
        "--verbose",
        "False",
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/v1"
    while time.perf_counter() - started < SERVER_START_TIMEOUT:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=1):
                return proc, url, time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"llama_cpp.server did not answer within {SERVER_START_TIMEOUT:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def server_rewrites(posts: list[Path], url: str, env: dict[str, str]) -> dict[str, Any]:
    rows = []
    for post in posts:
        run = run_process(rewrite_args([str(post)], f"openai/{SERVER_ALIAS}", url), env)
        passed, total = passed_variants(run.stdout)
        rows.append(
            {
                "post": post.name,
                "seconds": round(run.seconds, 3),
                "exit": run.returncode,
                "passed": passed,
                "variants": total,
            }
        )
    return {
        "rows": rows,
        "median_seconds": median([r["seconds"] for r in rows]),
        "passed_share": share(sum(r["passed"] for r in rows), sum(r["variants"] for r in rows)),
        "failed_runs": sum(r["exit"] not in (0, 1) for r in rows),
    }


def llama_server(posts: list[Path], env: dict[str, str], home: str) -> dict[str, Any]:
    """Each post through llama-cpp-python's server: the path a user with that server takes."""
    from assistant.backends.embedded import default_model_path

    with open(Path(home) / "llama_server.log", "wb") as log:
        proc, url, startup = start_llama_server(str(default_model_path()), log)
        try:
            direct = server_rewrites(posts, url, env)
        finally:
            stop(proc)
    return {"startup_seconds": round(startup, 2), "direct": direct}


def evaluate(quick: bool = False) -> dict[str, Any]:
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="draft-scale-") as home:
        env = clean_env(home)
        folder = Path(home) / "posts"
        folder.mkdir()
        files = write_posts(folder, 8 if quick else STUB_FILES)
        levels = (1, 4) if quick else LEVELS
        latency = 0.1 if quick else STUB_LATENCY
        stub = stub_levels(files, env, latency=latency, levels=levels)
        if quick:  # about a minute per post on 2 cores: the full run only
            server = {"skipped": "full run only"}
        elif not server_installed():
            server = {
                "skipped": "llama-cpp-python's server is not installed: pip install '.[bench]'"
            }
        else:
            server = llama_server([ROOT / "examples" / "cloudsync_launch.txt"], env, home)
    return {
        "load_average": {"start": load_before, "end": load_average()},
        "stub": stub,
        "llama_server": server,
    }


def tables(result: dict) -> list[Table]:
    stub, server = result["stub"], result["llama_server"]
    rows = [
        [
            r["concurrency"],
            r["seconds"],
            f"{r['speedup']:.2f}x",
            f"{r['efficiency']:.2f}",
            f"{r['speedup_after_start']:.2f}x",
            r["max_in_flight"],
            r["requests"],
            f"{r['passed']}/{r['variants']}",
        ]
        for r in stub["rows"]
    ]
    a = Table(
        f"Scale: draft rewrite {stub['files']} files --concurrency N, stub server "
        f"({stub['latency']} s per request)",
        [
            "N",
            "wall s",
            "speedup",
            "speedup/N",
            "w/o start",
            "max in flight",
            "requests",
            "variants passed",
        ],
        rows,
        [
            "target: speedup >= 0.8 x N up to N = 8, on the whole command's wall time",
            f"fixed cost of one command (start, imports, no latency): {stub['fixed_seconds']:.2f} s; "
            "'w/o start' sets it aside",
            f"{stub['requests_per_file']:.1f} requests per file, in {stub['rounds_per_file']:.0f} "
            "sequential rounds (the stub's answers fail the checks, so each playbook also revises)",
        ],
    )
    rows = [
        [r["post"], r["seconds"], r["exit"], f"{r['passed']}/{r['variants']}"]
        for r in server.get("direct", {}).get("rows", [])
    ]
    if "skipped" in server:
        a.notes.append(f"llama-cpp-python server: not measured ({server['skipped']})")
        return [a]
    d = server["direct"]
    b = Table(
        "Scale: draft rewrite against llama-cpp-python's server (embedded model, loopback)",
        ["post", "wall s", "exit", "variants passed"],
        rows,
        [
            f"server start {server['startup_seconds']} s; {d['failed_runs']} of "
            f"{len(d['rows'])} runs failed; median {d['median_seconds']:.1f} s per post, "
            f"variants passing {pct(d['passed_share'])}",
            "the server answers json_schema with HTTP 500: draft falls back to json_object "
            "with the schema, which this server turns into a grammar; it serves one request "
            "at a time and keeps no prompt cache across playbooks, hence slower than in-process",
        ],
    )
    return [a, b]
