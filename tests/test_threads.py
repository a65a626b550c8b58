"""Parsing pasted threads: every format, nesting, and one-line errors for unusable input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.errors import InputError
from assistant.threads import parse_thread, read_thread

THREADS = Path(__file__).parent / "data" / "threads"
SAMPLES = sorted(p.name.removesuffix(".expected.json") for p in THREADS.glob("*.expected.json"))


def sample(name: str) -> tuple[Path, dict]:
    expected = THREADS / f"{name}.expected.json"
    source = next(p for p in THREADS.glob(f"{name}.*") if p != expected)
    return source, json.loads(expected.read_text(encoding="utf-8"))


def test_there_are_enough_sample_threads():
    assert len(SAMPLES) >= 8
    formats = {sample(name)[1]["format"] for name in SAMPLES}
    assert {"json", "csv", "name_colon", "handle_colon", "facebook", "instagram"} <= formats


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_thread_parses_as_expected(name):
    source, expected = sample(name)
    thread = read_thread(str(source))
    assert thread.format == expected["format"]
    assert [c.author for c in thread.comments] == [e["author"] for e in expected["comments"]]
    for comment, want in zip(thread.comments, expected["comments"], strict=True):
        assert want["text_contains"] in comment.text
    assert [c.index for c in thread.comments] == list(range(len(thread.comments)))


def test_facebook_paste_keeps_indented_replies_and_badges():
    thread = read_thread(str(THREADS / "dentist_facebook.txt"))
    by_index = {c.index: c for c in thread.comments}
    rachel_reply = by_index[2]
    assert rachel_reply.author == "Rachel Nguyen" and rachel_reply.depth == 1
    assert by_index[rachel_reply.parent].author == "Parkview Smiles"
    assert by_index[1].is_post_author and "Top fan" in by_index[4].badges
    carlos = [c for c in thread.comments if c.author == "Carlos Mendes"]
    assert carlos[1].parent == carlos[0].index  # "Reply to Parkview Smiles" stays in the thread
    assert "Reply to" not in carlos[1].text and "Like" not in carlos[1].text


def test_instagram_shown_replies_nest_under_the_comment_above():
    thread = read_thread(str(THREADS / "salon_instagram.txt"))
    lucy, brand, lucy_again, amelie = thread.comments[:4]
    assert (brand.parent, brand.depth) == (lucy.index, 1)
    assert (lucy_again.parent, lucy_again.depth) == (lucy.index, 1)
    assert (amelie.parent, amelie.depth) == (None, 0)  # no @mention: a new top-level comment


def test_json_replies_nest():
    thread = read_thread(str(THREADS / "saas_replies.json"))
    assert [(c.author, c.parent, c.depth) for c in thread.comments[:3]] == [
        ("Priya Shah", None, 0),
        ("CloudSync", 0, 1),
        ("Priya Shah", 0, 1),
    ]


def test_name_colon_lines_with_continuations_and_indented_replies():
    thread = parse_thread(
        "Ann Lee: Love the new mugs!\n"
        "They keep coffee hot for ages.\n"
        "  ↳ Bob: Same here\n"
        "Update: not a name, a continuation\n"
        "Cara Diaz: Do you ship to Ireland?\n"
    )
    assert thread.format == "name_colon"
    assert [(c.author, c.parent, c.depth) for c in thread.comments] == [
        ("Ann Lee", None, 0),
        ("Bob", 0, 1),
        ("Cara Diaz", None, 0),
    ]
    assert thread.comments[0].text == "Love the new mugs!\nThey keep coffee hot for ages."
    assert thread.comments[1].text.endswith("Update: not a name, a continuation")


def test_handle_lines():
    thread = parse_thread("@ann_lee: love it\n@bob.k: where do you ship?\n")
    assert thread.format == "handle_colon"
    assert [c.author for c in thread.comments] == ["@ann_lee", "@bob.k"]


def test_json_variants_wrapper_object_nested_author_and_other_keys():
    thread = parse_thread(
        json.dumps(
            {
                "comments": [
                    {
                        "user": {"name": "Ann"},
                        "message": "Hi!",
                        "children": [{"name": "Bob", "body": "Yo"}],
                    },
                    {"author": "Empty", "text": "   "},
                ]
            }
        )
    )
    assert [(c.author, c.text, c.depth) for c in thread.comments] == [
        ("Ann", "Hi!", 0),
        ("Bob", "Yo", 1),
    ]


def test_csv_with_semicolons_quotes_and_depth():
    thread = parse_thread('name;comment;depth\nAnn;"Hi; there";0\nBob;Hello back;1\n')
    assert thread.format == "csv"
    assert [(c.author, c.text, c.parent) for c in thread.comments] == [
        ("Ann", "Hi; there", None),
        ("Bob", "Hello back", 0),
    ]


def test_facebook_noise_is_dropped():
    thread = parse_thread(
        "Most relevant\n\nAnn Lee\nTop fan\nLove this!\nLike · Reply · 3h\n12\n"
        "View 2 replies\nBob Stone\nWhere is it made?\n2d Like Reply\nWrite a comment…\n"
    )
    assert thread.format == "facebook"
    assert [(c.author, c.text) for c in thread.comments] == [
        ("Ann Lee", "Love this!"),
        ("Bob Stone", "Where is it made?"),
    ]


def test_reads_stdin_bytes_and_text():
    assert read_thread("-", stdin=io.BytesIO(b"Ann: hi there\n")).comments[0].author == "Ann"
    assert read_thread("-", stdin=io.StringIO("@ann: hi\n")).comments[0].author == "@ann"


@pytest.mark.parametrize(
    "text",
    [
        "just a sentence with no structure at all",
        "[1, 2, 3]",
        '{"comments": []}',
        "author,text\n",
        "Like Reply 2h\nLike Reply 3h\n",
    ],
)
def test_no_comments_is_an_input_error(text):
    with pytest.raises(InputError):
        parse_thread(text)


def test_broken_json_says_where():
    with pytest.raises(InputError, match=r"not valid JSON \(line 1"):
        parse_thread('[{"author": "Ann", "text": }]')


@pytest.mark.parametrize(
    "content", [b"", b"   \n\n", b"\x00\x01binary\x00junk", b"\xff\xfe\xfa", b"nothing to see here"]
)
def test_cli_malformed_input_is_one_line_and_exit_2(tmp_path, content):
    from cli import app

    path = tmp_path / "thread.txt"
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["replies", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("draft: error:")


def test_cli_missing_file_and_directory_exit_2(tmp_path):
    from cli import app

    for target in (str(tmp_path / "nope.txt"), str(tmp_path)):
        result = CliRunner().invoke(app, ["replies", target])
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
