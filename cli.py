"""`draft` command line: a thin typer app that parses flags, calls assistant/, renders, exits.

Heavy libraries (LangChain, llama.cpp, rich) are imported inside the commands that need them,
so `draft --help` and `draft critique` start fast.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant import __version__
from assistant.errors import DraftError, ExitCode

app = typer.Typer(
    name="draft",
    help="Turn broadcast posts into conversations: questions, polls, thank-yous and replies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# Options that several commands share, declared once.
PlatformOption = Annotated[
    str | None, typer.Option(help="x, linkedin, instagram, facebook, threads.")
]
ModelOption = Annotated[
    str | None, typer.Option("--model", "-m", help="'embedded' or 'openai/<model>'.")
]
ModelPathOption = Annotated[str | None, typer.Option(help="A GGUF file for the embedded backend.")]
AdapterOption = Annotated[
    str | None,
    typer.Option(help="LoRA for the embedded model: 'bundled' (default), 'none', or a GGUF file."),
]
BaseUrlOption = Annotated[str | None, typer.Option(help="OpenAI-compatible server URL.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
SeedOption = Annotated[int, typer.Option(help="Seed for reproducible sampling.")]

playbooks_app = typer.Typer(
    help="List and show playbooks.", invoke_without_command=True, no_args_is_help=False
)
app.add_typer(playbooks_app, name="playbooks")


def one_line(message: object) -> str:
    """The first non-blank line of a message, terminal escapes removed: safe to echo."""
    from assistant.inputs import strip_control

    return next((s for s in strip_control(str(message)).splitlines() if s.strip()), "").strip()


def fail(message: str, code: int = ExitCode.BAD_INPUT) -> typer.Exit:
    """Print a one-line error on stderr and return the Exit to raise."""
    typer.echo(f"draft: error: {one_line(message)}", err=True)
    return typer.Exit(int(code))


def dump_json(data) -> str:
    """Indented JSON that is safe on a terminal: json.dumps(ensure_ascii=False) escapes C0
    controls but not DEL, C1 (0x9B starts an escape sequence) or lone surrogates (which crash
    the write); escaping them too gives the same JSON value."""
    import json
    import re

    text = json.dumps(data, indent=2, ensure_ascii=False)
    return re.sub(r"[\x7f-\x9f\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def handle_errors(func):
    """Turn DraftError into a one-line message and its exit code; Ctrl-C into 130.

    Set DRAFT_TRACEBACK=1 to see the full traceback instead (for debugging).
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DraftError as e:
            if os.environ.get("DRAFT_TRACEBACK"):
                raise
            raise fail(str(e), e.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("draft: interrupted", err=True)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"draft {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """Turn broadcast posts into conversations: questions, polls, thank-yous and replies."""


@app.command()
@handle_errors
def rewrite(
    files: Annotated[list[str], typer.Argument(help="Post files to rewrite, or - for stdin.")],
    playbook: Annotated[
        list[str],
        typer.Option(
            "--playbook",
            "-p",
            help="Playbook to run (repeatable). Default: question and poll, plus "
            "acknowledgement when --thank is given.",
        ),
    ] = None,
    thank: Annotated[
        list[str],
        typer.Option(
            "--thank", help='Person to thank: "Name: what they said or did" (repeatable).'
        ),
    ] = None,
    thanks_from: Annotated[
        str | None,
        typer.Option(
            "--thanks-from",
            help="A pasted comment thread: thank its commenters "
            "(suggestions and praise first, spam and injection attempts never).",
        ),
    ] = None,
    variants: Annotated[int, typer.Option("--variants", "-n", help="Variants per playbook.")] = 1,
    platform: PlatformOption = None,
    json_out: JsonOption = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the result to FILE (atomically)."),
    ] = None,
    seed: SeedOption = 0,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-j", help="Files in parallel (server backends).")
    ] = 1,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    adapter: AdapterOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Rewrite broadcast posts as questions, polls and thank-yous that invite replies."""
    from assistant.config import load_settings
    from assistant.rewrite import RewriteJob, parse_thanks, run

    settings = load_settings(
        {
            "platform": platform,
            "model": model,
            "model_path": model_path,
            "adapter": adapter,
            "base_url": base_url,
        }
    )
    if output:
        from assistant.outputs import check_writable

        check_writable(output, inputs=tuple(files))  # before the model runs, not after
    people = parse_thanks(thank or [])
    if thanks_from:
        from assistant.inputs import read_input
        from assistant.rewrite import thanks_from_thread

        post_text = read_input(files[0]) if len(files) == 1 and files[0] != "-" else ""
        people += thanks_from_thread(thanks_from, post=post_text)
    job = RewriteJob(
        paths=files,
        playbooks=playbook or [],
        thanks=people,
        variants=variants,
        seed=seed,
        concurrency=concurrency,
    )
    outcomes = _with_spinner(
        "loading the model", lambda status: run(job, settings, progress=status)
    )
    _show_rewrites(outcomes, settings, json_out=json_out, output=output)


def _with_spinner(message: str, work):
    """Run work(status) with a spinner on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return work(lambda _msg: None)
    from assistant.render import make_console

    console = make_console(stderr=True)
    with console.status(message) as status:
        return work(lambda msg: status.update(msg))


def _show_rewrites(outcomes, settings, *, json_out: bool, output: Path | None) -> None:
    from assistant.outputs import write_atomic
    from assistant.platforms import get_platform
    from assistant.render import make_console
    from assistant.render.rewrite import render_plain, render_rich

    limit = get_platform(settings.platform).limit
    done = [o for o in outcomes if o.result]
    several = len(outcomes) > 1
    if json_out or (output and output.suffix == ".json"):
        objs = [
            {**o.result.to_dict(), "file": o.path} if several else o.result.to_dict() for o in done
        ]
        text = dump_json(objs if several else (objs[0] if objs else {}))
    else:
        text = "\n".join(
            render_plain(o.result, limit, path=o.path if several else None) for o in done
        )
    if output and done:  # nothing finished: keep what the file held
        write_atomic(output, text + "\n")
    if json_out:
        typer.echo(text)
    elif sys.stdout.isatty():
        console = make_console()
        for o in done:
            render_rich(console, o.result, limit, path=o.path if several else None)
    else:
        typer.echo(text)
    errors = [o for o in outcomes if o.error]
    for o in errors:
        typer.echo(f"draft: error: {one_line(o.path)}: {one_line(o.error)}", err=True)
    if errors:
        raise typer.Exit(int(max(o.error.exit_code for o in errors)))
    if any(not v.passed for o in done for v in o.result.variants):
        raise typer.Exit(int(ExitCode.FAILED_CRITIQUE))


@playbooks_app.callback()
@handle_errors
def playbooks(ctx: typer.Context) -> None:
    """List the playbooks (built-in and from your playbooks folder)."""
    if ctx.invoked_subcommand:
        return
    from assistant.config import load_settings
    from assistant.playbooks import load_playbooks

    for book in load_playbooks(load_settings().playbooks_dir).values():
        needs = f" (needs --{book.needs[0].rstrip('s')})" if book.needs else ""
        typer.echo(f"{book.name:<16} {book.form:<16} {book.description}{needs}")


@playbooks_app.command("show")
@handle_errors
def playbooks_show(name: Annotated[str, typer.Argument(help="Playbook name.")]) -> None:
    """Print one playbook file."""
    from assistant.config import load_settings
    from assistant.errors import PlaybookError
    from assistant.playbooks import load_playbooks

    books = load_playbooks(load_settings().playbooks_dir)
    if name not in books:
        raise PlaybookError(f"unknown playbook {name!r}; available: {', '.join(books)}")
    typer.echo(f"# {books[name].source}")
    typer.echo(Path(books[name].source).read_text(encoding="utf-8").rstrip())


@app.command("config")
@handle_errors
def show_config(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the effective settings (flags > environment > config file > defaults); never the key."""
    import json

    from assistant.config import config_path, load_settings

    settings = load_settings()
    public = settings.public()
    if settings.provider == "embedded":  # which LoRA file the embedded model will run with
        from assistant.backends.embedded import resolve_adapter

        adapter = resolve_adapter(settings.adapter, settings.model_path)
        public["adapter_file"] = str(adapter) if adapter else "none (the bare model)"
    if json_out:
        typer.echo(json.dumps({"config_file": str(config_path()), **public}, indent=2))
        return
    typer.echo(f"config_file = {config_path()}")
    for key, value in public.items():
        typer.echo(f"{key} = {value}")


@app.command()
@handle_errors
def replies(
    source: Annotated[str, typer.Argument(help="The pasted comments (file), or - for stdin.")],
    post: Annotated[
        str | None,
        typer.Option("--post", help="The post the comments are under, for context (file)."),
    ] = None,
    platform: PlatformOption = None,
    json_out: JsonOption = False,
    only: Annotated[
        list[str],
        typer.Option(
            "--only",
            help="Only comments of this kind "
            "(repeatable): question, complaint, praise, "
            "correction, suggestion, spam, injection, "
            "other.",
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            min=1,
            max=20,
            help="Most candidates for one comment; the thread's budget is 3 per reply.",
        ),
    ] = 8,
    seed: SeedOption = 0,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    adapter: AdapterOption = None,
    triage: Annotated[
        bool,
        typer.Option(
            "--triage",
            help="Only classify the thread, most urgent first (kind, priority, want, language, "
            "answered, reason); no model is loaded.",
        ),
    ] = False,
) -> None:
    """Suggest a reply to each comment in a pasted thread, most urgent first."""

    from assistant.config import load_settings

    if only is None:
        only = []
    settings = load_settings(
        {"platform": platform, "model": model, "model_path": model_path, "adapter": adapter}
    )
    if triage:
        from assistant.render.replies import render_triage_plain
        from assistant.replies.run import triage as triage_thread

        sorted_thread = triage_thread(source, settings, post_path=post, only=only)
        if json_out:
            typer.echo(dump_json(sorted_thread.to_dict()))
        else:
            typer.echo(render_triage_plain(sorted_thread))
        return

    from assistant.render import make_console
    from assistant.render.replies import render_plain, render_rich, spinner
    from assistant.replies.run import run

    with spinner(make_console(stderr=True), "reading the thread") as progress:
        result = run(
            source,
            settings,
            post_path=post,
            only=only,
            seed=seed,
            max_samples=samples,
            progress=progress,
        )
    if json_out:
        typer.echo(dump_json(result.to_dict()))
    elif sys.stdout.isatty():
        render_rich(make_console(), result)
    else:
        typer.echo(render_plain(result))


@app.command()
@handle_errors
def chat(
    file: Annotated[
        str | None,
        typer.Argument(help="A post to start from; with --resume, a transcript to continue."),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue the latest transcript, or the one given as FILE."),
    ] = False,
    platform: PlatformOption = None,
    variants: Annotated[
        int | None, typer.Option("--variants", "-n", min=1, max=5, help="Variants per playbook.")
    ] = None,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    adapter: AdapterOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Draft in a conversation: ask for changes in plain words, /help for commands.

    Without a terminal, reads one message per line from stdin and prints plain answers."""
    from assistant.chat.loop import open_chat, run_chat

    overrides = {
        "platform": platform,
        "model": model,
        "model_path": model_path,
        "adapter": adapter,
        "base_url": base_url,
    }
    settings, state, transcript = open_chat(overrides, file=file, resume=resume, variants=variants)
    run_chat(settings, overrides=overrides, state=state, transcript=transcript)


@app.command()
@handle_errors
def critique(
    files: Annotated[
        list[str] | None, typer.Argument(help="Post files to check, or - for stdin.")
    ] = None,
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help='Print JSON: one object for one file; for several, a list of objects with a "file" '
            "key.",
        ),
    ] = False,
    platform: Annotated[
        str | None,
        typer.Option(help="x, linkedin, instagram, facebook, threads (length and hashtag norms)."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="The brand's source text: flags numbers, prices, dates, links and codes it "
            "does not contain.",
        ),
    ] = None,
    rules: Annotated[
        str | None,
        typer.Option(
            "--rules", help="A folder of extra rule files (same id overrides a built-in)."
        ),
    ] = None,
    disable: Annotated[
        list[str] | None, typer.Option("--disable", help="Rule id to turn off (repeatable).")
    ] = None,
    severity: Annotated[
        list[str] | None,
        typer.Option(
            "--severity", help="RULE=LEVEL: error, warning, suggestion or off (repeatable)."
        ),
    ] = None,
    min_severity: Annotated[
        str,
        typer.Option("--min-severity", help="Hide milder findings: suggestion, warning or error."),
    ] = "suggestion",
    judge: Annotated[
        bool,
        typer.Option(
            "--judge",
            help="Also ask the configured model for ad-like phrases (slower; off by default).",
        ),
    ] = False,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the rules and exit.")
    ] = False,
) -> None:
    """Lint posts for ad copy: exit 0 when every post passes, 1 when any reads as an ad, 2 on
    bad input. With --json: one object for one file; for several, a list of objects, each with
    a "file" key."""

    from assistant.config import load_settings
    from assistant.critique.files import critique_files, parse_severity

    settings = load_settings({"platform": platform})
    if list_rules:
        from assistant.critique import rule_set

        for rule in rule_set(rules or settings.rules_dir):
            typer.echo(f"{rule.id:<28} {rule.severity:<10} {rule.kind:<12} {rule.description}")
        learned = "the learned ad-copy classifier's verdict on the whole post"
        typer.echo(f"{'classifier.adlike':<28} {'error':<10} {'classifier':<12} {learned}")
        return
    if not files:
        raise fail("give one or more post files, or - to read stdin (e.g. draft critique post.txt)")
    results = critique_files(
        files,
        settings,
        source=source,
        rules_dir=rules,
        disable=disable or (),
        severity=parse_severity(severity or ()),
        min_severity=min_severity,
        judge=judge,
    )
    for r in results:
        if r.error:
            typer.echo(f"draft: error: {one_line(r.error)}", err=True)
    if json_out:
        data = [r.to_dict() for r in results] if len(results) > 1 else results[0].report.to_dict()
        typer.echo(dump_json(data))
    elif sys.stdout.isatty():
        from assistant.render import make_console
        from assistant.render.critique import render_rich

        render_rich(make_console(), results)
    else:
        from assistant.render.critique import render_plain

        typer.echo(render_plain(results))
    if any(r.error for r in results):
        raise typer.Exit(int(ExitCode.BAD_INPUT))
    if not all(r.report.passed for r in results):
        raise typer.Exit(int(ExitCode.FAILED_CRITIQUE))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
