"""Playbooks as data, and prompts rendered in a sandbox with user text only as variables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.errors import PlaybookError
from assistant.forms import OPTION_CAP, assemble
from assistant.playbooks import load_playbooks, select
from assistant.prompts import render, render_string


def _conforms(value, schema: dict) -> bool:
    """Enough of JSON schema for the built-in playbooks: types, required, sizes, patterns."""
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return isinstance(value, dict) and all(
            k in value and _conforms(value[k], props.get(k, {})) for k in schema["required"]
        )
    if kind == "array":
        sized = schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value))
        return sized and all(_conforms(v, schema.get("items", {})) for v in value)
    if kind == "string":
        sized = schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
        return sized and re.search(schema.get("pattern", ""), value) is not None
    return True


def test_builtins_load_with_valid_schemas():
    books = load_playbooks()
    assert {"question", "poll", "acknowledgement"} <= set(books)
    question = books["question"].schema_
    assert question["required"] == ["news", "question"]  # the schema makes the model ask
    assert question["properties"]["news"]["pattern"].endswith("[.]$")
    assert question["properties"]["question"]["pattern"].endswith("\\?$")
    poll = books["poll"].schema_
    assert poll["required"] == ["news", "question", "options"]
    assert poll["properties"]["question"]["pattern"].endswith("\\?$")
    options = poll["properties"]["options"]
    assert options["minItems"] == 2 and options["maxItems"] == 4
    items = re.compile(options["items"]["pattern"])  # one to four words, no sentences
    assert items.search("Not a latte fan") and not items.search("Photos from my phone camera")
    assert OPTION_CAP == 25  # X polls cap options at 25 characters: forms.check enforces it
    for book in books.values():  # every few-shot example is valid for its own schema
        for example in book.examples:
            assert _conforms(example.output, book.schema_), (book.name, example.output)
            draft = assemble(book.form, example.output)
            assert draft.text.endswith("?") and all(len(o) <= OPTION_CAP for o in draft.options)
    assert books["acknowledgement"].needs == ["thanks"]


def test_default_selection_is_question_then_poll():
    assert [b.name for b in select(load_playbooks(), None)] == ["question", "poll"]


def test_unknown_playbook_names_the_available_ones():
    with pytest.raises(PlaybookError, match="unknown playbook 'nope'.*question"):
        select(load_playbooks(), ["nope"])


def test_user_folder_adds_and_overrides(tmp_path):
    source = load_playbooks()["question"].source
    text = Path(source).read_text(encoding="utf-8")
    (tmp_path / "question.toml").write_text(text.replace("temperature = 0.7", "temperature = 0.3"))
    (tmp_path / "teaser.toml").write_text(text.replace('form = "question"', 'form = "post"'))
    books = load_playbooks(tmp_path)
    assert books["question"].temperature == 0.3
    assert books["teaser"].form == "post"


@pytest.mark.parametrize(
    "bad, field",
    [
        ('form = "banner"', "form"),
        ('temperature = "hot"', "temperature"),
        ("unknown_key = 1", "unknown_key"),
    ],
)
def test_bad_playbook_fails_loudly_with_field(tmp_path, bad, field):
    text = Path(load_playbooks()["question"].source).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith(bad.split(" = ")[0] + " ")]
    (tmp_path / "broken.toml").write_text(bad + "\n" + "\n".join(lines))
    with pytest.raises(PlaybookError, match=f"broken.toml.*{field}"):
        load_playbooks(tmp_path)


def test_post_text_is_never_template():
    hostile = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} $HOME ${PATH}"
    out = render("question.j2", {"post": hostile})
    assert out.count(hostile) == 1
    assert "49" not in out


def test_sandbox_blocks_escapes_in_user_templates():
    with pytest.raises(PlaybookError):
        render_string("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_missing_variable_is_an_error_not_silence():
    with pytest.raises(PlaybookError, match="Undefined"):
        render_string("Hello {{ brand_name }}", {})
