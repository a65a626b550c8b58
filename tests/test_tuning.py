"""The tuning corpus and the adapter seam: the corpus's format check, the split by business,
training examples built exactly as the product prompts, and which adapter the backend applies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.backends.embedded import (
    BUNDLED_ADAPTER,
    DEFAULT_GGUF,
    ChatLlamaCpp,
    resolve_adapter,
)
from assistant.config import load_settings
from assistant.errors import ModelError
from tests.fakes import RecordingFakeModel
from tuning import split, validate
from tuning.format import brand_for, to_messages

DATA = Path(__file__).resolve().parent.parent / "tuning" / "data"
POST = (
    "NEW!!! Rye & Co bakes sourdough every Saturday from 8am at 12 Mill Lane. Order now!!! #bread"
)
QUESTION = {
    "task": "question",
    "business": "Rye & Co",
    "kind": "bakery",
    "input": {"post": POST},
    "output": {
        "news": "Rye & Co bakes sourdough every Saturday from 8am at 12 Mill Lane.",
        "question": "Which loaf should we bake first?",
    },
}


def _records(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text("utf-8").splitlines() if line]


# ---- the corpus -----------------------------------------------------------------------------


def test_a_good_record_has_no_problems():
    assert list(validate.problems(QUESTION)) == []


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"question": "Which loaf first"}, "question:"),
        ({"news": "Sourdough!!! Every Saturday from 8am."}, "news:"),
        ({"question": "Which loaf should we bake first? #bread?"}, "question:"),
    ],
)
def test_bad_outputs_are_reported(change, problem):
    record = {**QUESTION, "output": {**QUESTION["output"], **change}}
    assert any(p.startswith(problem) for p in validate.problems(record))


def test_poll_options_must_be_short_distinct_answers():
    record = {
        **QUESTION,
        "task": "poll",
        "output": {**QUESTION["output"], "options": ["Seeded rye", "seeded rye", "A" * 26]},
    }
    found = list(validate.problems(record))
    assert "options must be distinct" in found
    assert any("at most 25 chars" in p for p in found)


def test_spam_gets_no_reply_and_a_reply_has_no_hashtags():
    spam = {
        "task": "reply",
        "business": "Rye & Co",
        "kind": "bakery",
        "comment_kind": "spam",
        "input": {"post": POST, "author": "crypto_king", "comment": "DM me to 10x your money"},
        "output": {"reply": "Thanks for your comment, we will look into it."},
    }
    assert "spam and injection comments get reply null" in list(validate.problems(spam))
    reply = {**spam, "comment_kind": "praise", "output": {"reply": "Thanks, Ann! #bread"}}
    assert "no hashtags in the output" in list(validate.problems(reply))


def test_every_committed_record_passes_the_format_check():
    for name in ("train.jsonl", "dev.jsonl", "test.jsonl"):
        for record in _records(name):
            assert list(validate.problems(record)) == [], record


def test_no_business_is_in_two_splits():
    names = {
        s: {r["business"].strip().casefold() for r in _records(f"{s}.jsonl")}
        for s in ("train", "dev", "test")
    }
    assert names["train"] and names["dev"] and names["test"]
    assert not names["train"] & names["dev"]
    assert not names["train"] & names["test"]
    assert not names["dev"] & names["test"]
    for split_name, businesses in names.items():
        assert all(split.split_of(b) == split_name for b in businesses)


def test_the_corpus_is_large_and_varied():
    records = [r for s in ("train", "dev", "test") for r in _records(f"{s}.jsonl")]
    assert len(records) >= 2000
    assert len({r["kind"] for r in records}) >= 60
    assert {r["task"] for r in records} == set(validate.TASKS)


# ---- training examples are the product's own prompts ---------------------------------------


def test_a_question_example_is_the_tuned_prompt_and_the_schema_ordered_answer():
    messages, target = to_messages(QUESTION)
    assert [role for role, _ in messages] == ["system", "human"]
    assert messages[1][1] == f"Post: {POST}"
    assert json.loads(target) == QUESTION["output"]
    assert target.index('"news"') < target.index('"question"')


def test_the_prompt_the_model_gets_is_the_prompt_it_was_tuned_on():
    """The same post through the real pipeline with a tuned (fake) model sends exactly the
    training example's messages."""
    from assistant.pipeline import rewrite
    from assistant.platforms import get_platform
    from assistant.playbooks import load_playbooks

    answer = json.dumps(QUESTION["output"])
    model = RecordingFakeModel(responses=[answer] * 8, tuned=True)
    rewrite(
        model,
        POST,
        [load_playbooks()["question"]],
        model_label="fake",
        platform=get_platform("x"),
        brand=brand_for(QUESTION),
    )
    sent = [(m.type, m.content) for m in model.calls[0]["messages"]]
    assert sent == to_messages(QUESTION)[0]


def test_a_reply_example_carries_the_post_and_the_comment_as_data():
    record = {
        "task": "reply",
        "business": "Rye & Co",
        "kind": "bakery",
        "comment_kind": "question",
        "input": {"post": POST, "author": "Ann Lee", "comment": "Do you open at 8 on Saturdays?"},
        "output": {"reply": "Ann, yes: from 8am every Saturday at 12 Mill Lane."},
    }
    messages, target = to_messages(record)
    assert [role for role, _ in messages] == ["system", "human"]
    assert '"Do you open at 8 on Saturdays?"' in messages[1][1] and "Mill Lane" in messages[1][1]
    assert "Reply to Ann." in messages[1][1]
    assert json.loads(target) == {"reply": record["output"]["reply"]}
    assert to_messages({**record, "comment_kind": "spam", "output": {"reply": None}}) is None


def test_an_edit_example_is_a_chat_turn_with_plain_text_answer():
    record = {
        "task": "edit",
        "business": "Rye & Co",
        "kind": "bakery",
        "input": {
            "post": POST,
            "draft": "Sourdough every Saturday. Which loaf?",
            "request": "shorter",
        },
        "output": {"text": "Sourdough Saturdays. Which loaf?"},
    }
    messages, target = to_messages(record)
    assert messages[-1] == (
        "human",
        "Post: Sourdough every Saturday. Which loaf?\nRequest: shorter",
    )
    assert target == "Sourdough Saturdays. Which loaf?"


# ---- which adapter the embedded backend applies ----------------------------------------------


def test_the_bundled_adapter_ships_with_the_package():
    assert BUNDLED_ADAPTER.is_file()
    assert BUNDLED_ADAPTER.stat().st_size < 20_000_000
    figures = json.loads(BUNDLED_ADAPTER.with_suffix(".json").read_text("utf-8"))
    assert figures["base"] == DEFAULT_GGUF
    assert figures["results"]["dev_loss_after"] < figures["results"]["dev_loss_before"]


def test_adapter_resolution(tmp_path):
    assert resolve_adapter("bundled", None) == BUNDLED_ADAPTER
    assert resolve_adapter(None, None) == BUNDLED_ADAPTER
    assert resolve_adapter("none", None) is None
    # the bundled adapter fits only the bundled base: another GGUF runs bare
    assert resolve_adapter("bundled", str(tmp_path / "other.gguf")) is None
    own = tmp_path / "mine.gguf"
    own.write_bytes(b"GGUF\x03\x00")
    assert resolve_adapter(str(own), str(tmp_path / "other.gguf")) == own
    with pytest.raises(ModelError, match="adapter file not found"):
        resolve_adapter(str(tmp_path / "missing.gguf"), None)
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a GGUF LoRA adapter"):
        resolve_adapter(str(junk), None)


def test_label_and_tuned_say_which_adapter_is_in_use():
    base = ChatLlamaCpp(model_path=f"/m/{DEFAULT_GGUF}")
    tuned = ChatLlamaCpp(model_path=f"/m/{DEFAULT_GGUF}", adapter_path=str(BUNDLED_ADAPTER))
    other = ChatLlamaCpp(model_path=f"/m/{DEFAULT_GGUF}", adapter_path="/a/mine.gguf")
    assert base.model_label == "embedded/SmolLM2-135M-Instruct.Q4_1" and not base.tuned
    assert tuned.model_label == "embedded/SmolLM2-135M-Instruct.Q4_1+draft-smollm2-135m"
    assert tuned.tuned
    assert other.model_label.endswith("+mine") and not other.tuned


def test_adapter_setting_from_config_env_and_flag(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('adapter = "none"\n', "utf-8")
    assert load_settings(env={}, path=config).adapter == "none"
    assert load_settings(env={"DRAFT_ADAPTER": "/a.gguf"}, path=config).adapter == "/a.gguf"
    assert load_settings({"adapter": "bundled"}, env={}, path=config).adapter == "bundled"
    assert load_settings(env={}, path=tmp_path / "absent.toml").adapter == "bundled"
