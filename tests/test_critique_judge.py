"""The optional LLM judge, with a fake chat model in place of the configured one."""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from typer.testing import CliRunner

import assistant.backends
from assistant.config import Settings
from assistant.critique import critique
from assistant.critique.judge import judge
from cli import app

POST = 'We "really love" our customers. Our new blend is a total game changer for mornings.'


@pytest.fixture
def fake_model(monkeypatch):
    """Install a fake model answering with the given JSON strings; returns the call list."""
    calls = []

    def install(*answers: dict):
        model = FakeListChatModel(responses=[json.dumps(a) for a in answers])

        def get_chat_model(settings, **options):
            calls.append(settings)
            return model

        monkeypatch.setattr(assistant.backends, "get_chat_model", get_chat_model)
        return calls

    return install


def test_judge_findings_are_kept_only_when_the_quote_occurs(fake_model):
    fake_model(
        {
            "findings": [
                {"quote": "total game changer", "reason": "launch hype"},
                {"quote": "best coffee in the world", "reason": "invented: not in the post"},
                {"quote": "really love", "reason": "inside a customer's quotation"},
                {"quote": "OUR NEW BLEND", "reason": "case differs, still there"},
            ]
        }
    )
    before = critique(POST)
    after = judge(before, Settings())
    model = [f for f in after.findings if f.origin == "model"]
    assert [f.match for f in model] == ["Our new blend", "total game changer"]
    for f in model:
        assert (f.rule, f.severity) == ("judge.model", "warning")
        assert POST[f.start : f.end] == f.match
    assert after.score < before.score
    assert after.passed == before.passed  # the judge only warns


def test_judge_is_off_by_default_and_on_with_the_flag(fake_model, tmp_path):
    calls = fake_model({"findings": [{"quote": "game changer", "reason": "hype"}]})
    post = tmp_path / "post.txt"
    post.write_text(POST)
    plain = json.loads(CliRunner().invoke(app, ["critique", "--json", str(post)]).stdout)
    assert calls == [] and all(f["origin"] == "rules" for f in plain["findings"])
    judged = json.loads(
        CliRunner().invoke(app, ["critique", "--json", "--judge", str(post)]).stdout
    )
    assert len(calls) == 1
    assert [f["match"] for f in judged["findings"] if f["origin"] == "model"] == ["game changer"]


def test_a_model_that_never_gives_json_is_a_model_error_exit_3(monkeypatch, tmp_path):
    model = FakeListChatModel(responses=["not json"] * 5)
    monkeypatch.setattr(assistant.backends, "get_chat_model", lambda settings, **o: model)
    post = tmp_path / "post.txt"
    post.write_text(POST)
    result = CliRunner().invoke(app, ["critique", "--judge", str(post)])
    assert result.exit_code == 3
    assert result.stderr.startswith("draft: error:")
