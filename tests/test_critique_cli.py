"""`draft critique`: exit codes, text and JSON output, several files, stdin, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

AD = "BUY NOW!!! 50% off today only 🔥🔥🔥🔥 #sale #deals #shop\n"
ENGAGING = "Which flavour should we bring back for autumn: cardamom or pear? Tell us below.\n"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def posts(tmp_path):
    ad, ok = tmp_path / "ad.txt", tmp_path / "ok.txt"
    ad.write_text(AD, encoding="utf-8")
    ok.write_text(ENGAGING, encoding="utf-8")
    return ad, ok


def run(*args, stdin: str | None = None):
    return CliRunner().invoke(app, ["critique", *map(str, args)], input=stdin)


def test_an_engaging_post_exits_0(posts):
    result = run(posts[1])
    assert result.exit_code == 0, result.output
    assert "passes" in result.stdout and "score" in result.stdout


def test_an_ad_exits_1_and_lists_findings_like_a_linter(posts):
    result = run(posts[0])
    assert result.exit_code == 1
    assert "fails (ad-like)" in result.stdout
    assert "1:12    error      discount.percent-off" in result.stdout
    assert "→ " in result.stdout  # suggestions
    assert "score 0/100 · ad-like" in result.stdout


def test_json_for_one_file_is_one_object(posts):
    result = run("--json", posts[0])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["passed"] is False and isinstance(data["score"], float)
    finding = data["findings"][0]
    assert set(finding) >= {
        "rule",
        "severity",
        "message",
        "match",
        "start",
        "end",
        "line",
        "column",
        "suggestion",
    }
    assert AD[finding["start"] : finding["end"]] == finding["match"]


def test_json_for_several_files_is_a_list_with_file_keys(posts):
    ad, ok = posts
    result = run("--json", ok, ad)
    assert result.exit_code == 1  # one of them is an ad
    data = json.loads(result.stdout)
    assert [item["file"] for item in data] == [str(ok), str(ad)]
    assert [item["passed"] for item in data] == [True, False]


def test_several_files_in_text_get_one_block_each(posts):
    result = run(*posts)
    assert result.stdout.count("score ") == 2


def test_stdin(posts):
    result = run("--json", "-", stdin=ENGAGING)
    assert result.exit_code == 0 and json.loads(result.stdout)["passed"] is True


def test_options_platform_disable_severity_min_severity(posts):
    ad = posts[0]
    data = json.loads(run("--json", "--platform", "instagram", ad).stdout)
    assert "format.hashtags" not in {f["rule"] for f in data["findings"]}
    data = json.loads(
        run("--json", "--disable", "format.emoji", "--disable", "format.emoji-run", ad).stdout
    )
    assert not {"format.emoji", "format.emoji-run"} & {f["rule"] for f in data["findings"]}
    data = json.loads(run("--json", "--min-severity", "error", ad).stdout)
    assert {f["severity"] for f in data["findings"]} == {"error"}
    result = run("--json", "--severity", "voice.no-reader=error", posts[1])
    assert result.exit_code == 1


def test_source_turns_on_the_invented_facts_check(tmp_path):
    post, source = tmp_path / "post.txt", tmp_path / "source.txt"
    post.write_text("Spring sale: 40% off until March 3. Which colour would you pick?")
    source.write_text("Spring sale, 30% off, ends March 3.")
    data = json.loads(run("--json", "--source", source, post).stdout)
    assert [f["match"] for f in data["findings"] if f["rule"] == "facts.invented"] == ["40%"]


def test_a_user_rules_folder(tmp_path, posts):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "brand.flavour.toml").write_text(
        'id = "brand.flavour"\nkind = "existence"\nseverity = "error"\nweight = 5\n'
        'message = "say taste"\ntokens = ["flavour"]\n'
        '[examples]\ngood = ["taste"]\nbad = ["flavour"]\n'
    )
    result = run("--rules", rules, posts[1])
    assert result.exit_code == 1 and "brand.flavour" in result.stdout


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "missing.txt", "missing.txt: no such file"),
        (lambda d: _write(d / "empty.txt", b""), "is empty"),
        (lambda d: _write(d / "blob.bin", b"\x00\x01binary"), "looks like a binary file"),
        (lambda d: d, "is a directory"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, setup, message):
    result = run(setup(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--min-severity", "loud", "x.txt"],
        ["--platform", "myspace", "x.txt"],
        ["--severity", "nonsense", "x.txt"],
        ["--disable", "no.such-rule", "x.txt"],
    ],
)
def test_bad_usage_exits_2(tmp_path, args):
    (tmp_path / "x.txt").write_text(ENGAGING)
    args = [str(tmp_path / a) if a == "x.txt" else a for a in args]
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("draft: error:") and result.stderr.count("\n") == 1


def test_bad_rule_file_exits_2_naming_the_file(tmp_path, posts):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "broken.rule.toml").write_text('id = "broken.rule"\nkind = "existence"\n')
    result = run("--rules", rules, posts[1])
    assert result.exit_code == 2 and "broken.rule.toml" in result.stderr


def test_list_rules():
    result = run("--list-rules")
    assert result.exit_code == 0
    assert "cta.hard-sell" in result.stdout and "facts.invented" in result.stdout
    assert "classifier.adlike" in result.stdout


def test_draft_critique_imports_no_model_libraries(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text(ENGAGING)
    code = (
        "import sys, cli\n"
        "try:\n"
        f"    cli.app(['critique', {str(post)!r}])\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
        "heavy = ('langchain', 'langchain_core', 'langchain_openai', 'llama_cpp', 'openai',\n"
        "         'jinja2', 'tenacity')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_library_path_is_stdlib_only():
    code = (
        "import sys, assistant.critique as c\n"
        "c.critique('Shop now!', source='x')\n"
        "third = ('pydantic', 'rich', 'typer', 'click', 'jinja2', 'langchain', 'langchain_core',\n"
        "         'openai', 'llama_cpp', 'platformdirs')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in third))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_rich_rendering_underlines_matches_and_lists_findings():
    from io import StringIO

    from rich.console import Console

    from assistant.critique import critique
    from assistant.critique.files import FileReport
    from assistant.render.critique import render_rich

    out = StringIO()
    console = Console(file=out, width=100, force_terminal=True, color_system="standard")
    render_rich(console, [FileReport("ad.txt", critique(AD.strip()))])
    text = out.getvalue()
    assert "ad.txt: fails (ad-like)" in text
    assert "\x1b[4;31m50% off\x1b[0m" in text  # the error's words, underlined in red
    assert "discount.percent-off" in text and "score 0/100" in text
