"""Playbooks as data, and prompts rendered in a sandbox with user text only as variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import PlaybookError
from assistant.playbooks import load_playbooks, select
from assistant.prompts import render, render_string


def test_builtins_load_with_valid_schemas():
    books = load_playbooks()
    assert {"question", "poll", "acknowledgement"} <= set(books)
    poll = books["poll"].schema_["properties"]["options"]
    assert poll["minItems"] == 2 and poll["maxItems"] == 4
    assert poll["items"]["maxLength"] == 25  # X polls cap options at 25 characters
    assert books["acknowledgement"].needs == ["thanks"]


def test_default_selection_is_question_then_poll():
    assert [b.name for b in select(load_playbooks(), None)] == ["question", "poll"]


def test_unknown_playbook_names_the_available_ones():
    with pytest.raises(PlaybookError, match="unknown playbook 'nope'.*question"):
        select(load_playbooks(), ["nope"])


def test_user_folder_adds_and_overrides(tmp_path):
    source = load_playbooks()["question"].source
    text = Path(source).read_text(encoding="utf-8")
    (tmp_path / "question.toml").write_text(text.replace("temperature = 0.8", "temperature = 0.3"))
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
    out = render("question.j2", {"product": hostile, "news": hostile})
    assert out.count(hostile) == 2
    assert "49" not in out


def test_sandbox_blocks_escapes_in_user_templates():
    with pytest.raises(PlaybookError):
        render_string("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_missing_variable_is_an_error_not_silence():
    with pytest.raises(PlaybookError, match="Undefined"):
        render_string("Hello {{ brand_name }}", {})
