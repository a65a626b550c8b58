"""The stub server's own answers: what bench/stub_server.py sends for a schema."""

from __future__ import annotations

import json

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.backends.openai import as_json_object
from assistant.forms import assemble, check
from assistant.llm import parse_json, response_format
from assistant.platforms import get_platform
from assistant.playbooks import load_playbooks
from bench.stub_server import DEFAULT_SENTENCE, default_responder, sample_for_schema

_ROLES = {"system": "system", "human": "user"}  # message types as the OpenAI API names them


def test_patterns_get_a_question_or_a_statement_per_property():
    schema = {
        "type": "object",
        "properties": {
            "news": {"type": "string", "pattern": "^[A-Z].*[.]$"},
            "detail": {"type": "string", "pattern": "^[A-Z].*$"},
            "question": {"type": "string", "pattern": "^[A-Z].*\\?$"},
            "other_question": {"type": "string", "pattern": "^.*?$"},
            "text": {"type": "string"},
        },
    }
    sample = sample_for_schema(schema)
    assert sample["question"] == sample["other_question"] == sample["text"] == DEFAULT_SENTENCE
    assert sample["news"].endswith(".") and sample["detail"].endswith(".")
    assert sample["news"] != sample["detail"]


def test_the_built_in_question_playbook_gets_a_post_that_does_not_repeat_itself():
    book = load_playbooks()["question"]
    body = {"response_format": response_format(book.schema_), "messages": []}
    data = parse_json(default_responder(body), book.schema_)
    assert data is not None
    draft = assemble(book.form, data)
    assert draft.text.endswith(DEFAULT_SENTENCE) and draft.text.count("?") == 1
    problems = check(
        book.form, draft, platform=get_platform("x"), min_chars=0, max_chars=280, topic=""
    )
    assert "repeats itself" not in problems and "asks the reader no question" not in problems


def test_json_object_answers_the_schema_in_the_messages():
    book = load_playbooks()["poll"]
    messages = [SystemMessage(content="You write polls."), HumanMessage(content="post")]
    fmt = response_format(book.schema_)
    sent, kwargs = as_json_object(messages, {"response_format": fmt})
    body = {
        "response_format": kwargs["response_format"],
        "messages": [{"role": _ROLES[m.type], "content": m.content} for m in sent],
    }
    assert body["response_format"]["type"] == "json_object"
    answer = json.loads(default_responder(body))
    assert answer == sample_for_schema(book.schema_)
    assert parse_json(json.dumps(answer), book.schema_) is not None
    body["response_format"] = {"type": "json_object"}  # no schema beside it: the messages'
    assert json.loads(default_responder(body)) == answer


def test_json_object_without_a_schema_answers_text():
    body = {
        "response_format": {"type": "json_object"},
        "messages": [{"role": "user", "content": "Follow this JSON schema: {not json"}],
    }
    assert json.loads(default_responder(body)) == {"text": DEFAULT_SENTENCE}
    body["messages"] = [{"role": "user", "content": "hi"}]
    assert json.loads(default_responder(body)) == {"text": DEFAULT_SENTENCE}
