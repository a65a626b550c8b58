"""The rewrite pipeline with a fake model: selection, revision, repairs, honest failure."""

from __future__ import annotations

import json

import pytest

from assistant.config import Brand
from assistant.pipeline import rewrite
from assistant.platforms import get_platform
from assistant.playbooks import load_playbooks
from assistant.render.rewrite import render_plain
from tests.fakes import RecordingFakeModel, answers, poll_answer, question_answer, thanks_answer

POST = (
    "We're thrilled to announce CloudSync Pro! 50% faster. Buy now with code LAUNCH20. "
    "Limited time!!! #cloud #sale #tech"
)


@pytest.fixture
def books():
    return load_playbooks()


def run(model, books, names, **kw):
    return rewrite(
        model,
        POST,
        [books[n] for n in names],
        model_label="fake",
        platform=get_platform(kw.pop("platform", "x")),
        brand=Brand(),
        **kw,
    )


def test_picks_first_passing_candidate_and_stops_early(books):
    model = RecordingFakeModel(
        responses=answers(
            question_answer("CloudSync Pro is here! Buy now, limited time!!! #cloud #sale #tech"),
            question_answer("CloudSync Pro now syncs 50% faster. What would you sync first?"),
            question_answer("never used"),
        )
    )
    result = run(model, books, ["question"])
    [variant] = result.variants
    assert variant.passed
    assert variant.text == "CloudSync Pro now syncs 50% faster. What would you sync first?"
    assert variant.candidates == 2  # stopped once one passed: the third answer was never asked
    assert len(model.calls) == 2


def test_keeps_sampling_past_a_pass_that_drops_the_news(books):
    model = RecordingFakeModel(
        responses=answers(
            question_answer("CloudSync Pro is faster now. What would you sync first?"),
            question_answer("CloudSync Pro now syncs 50% faster. What would you sync first?"),
            question_answer("never used"),
        )
    )
    [variant] = run(model, books, ["question"]).variants
    # both pass the critique; the one that keeps "50%" wins and ends the sampling
    assert variant.text == "CloudSync Pro now syncs 50% faster. What would you sync first?"
    assert variant.kept == 1.0 and variant.to_dict()["facts_kept"] == 1.0
    assert len(model.calls) == 2


def test_a_pass_that_drops_facts_is_shown_and_says_so(books):
    vague = question_answer("CloudSync Pro is faster now. What would you sync first?")
    model = RecordingFakeModel(responses=answers(*[vague] * 20))
    result = run(model, books, ["question"])
    [variant] = result.variants
    assert variant.passed and variant.kept == 0.5  # the name kept, "50%" dropped
    assert variant.candidates == books["question"].candidates  # sampled them all looking for one
    assert "keeps 50% of the news's facts" in render_plain(result, 280)


def test_invented_discount_fails_fact_check(books):
    bad = question_answer("Is CloudSync Pro really 70% faster for what you sync?")
    model = RecordingFakeModel(responses=answers(*[bad] * 20))
    [variant] = run(model, books, ["question"]).variants
    assert not variant.passed
    assert any(f.rule == "facts.invented" for f in variant.report.findings)


def test_never_passes_off_a_failing_variant(books):
    model = RecordingFakeModel(
        responses=answers(*[question_answer("Buy CloudSync Pro now!!!")] * 20)
    )
    result = run(model, books, ["question"])
    [variant] = result.variants
    assert not variant.passed
    assert not result.passed
    # a revision round ran with the findings as feedback, on top of the first round
    assert variant.candidates > books["question"].candidates
    assert variant.to_dict()["findings"] or variant.problems


def test_revision_prompt_carries_the_findings(books):
    responses = [question_answer("Buy CloudSync Pro now!!! Limited time!")] * 6
    responses += [question_answer("CloudSync Pro got 50% faster. What will you sync first?")]
    model = RecordingFakeModel(responses=answers(*responses))
    [variant] = run(model, books, ["question"]).variants
    assert variant.passed and variant.revised
    revise_prompt = model.calls[-1]["messages"][-1].content
    assert "Draft: Buy CloudSync Pro now" in revise_prompt
    assert "Problems:" in revise_prompt


def test_mechanical_repair_is_recorded(books):
    text = "CloudSync Pro is 50% faster. What will you sync first? Buy now!"
    model = RecordingFakeModel(responses=answers(*[question_answer(text)] * 20))
    [variant] = run(model, books, ["question"]).variants
    assert variant.passed
    assert variant.text == "CloudSync Pro is 50% faster. What will you sync first?"
    assert any("hard-sell" in r for r in variant.repairs)


def test_shouted_words_are_lowercased_and_recorded(books):
    text = "CloudSync Pro is 50% FASTER NOW. What will you sync first?"
    model = RecordingFakeModel(responses=answers(*[question_answer(text)] * 20))
    [variant] = run(model, books, ["question"]).variants
    assert variant.passed
    assert variant.text == "CloudSync Pro is 50% faster now. What will you sync first?"
    assert any("lowercased shouted words" in r for r in variant.repairs)


@pytest.mark.parametrize(
    "text",
    [
        "You can expect a new S. What do you think?",
        "Tallyroo is a company that is. What do you think?",
        "The festival is back with a new series on. Who is coming?",
    ],
)
def test_a_sentence_cut_by_the_schema_fails(books, text):
    model = RecordingFakeModel(responses=answers(*[question_answer(text)] * 20))
    [variant] = run(model, books, ["question"]).variants
    assert not variant.passed
    assert any("looks cut off" in p for p in variant.problems)


def test_whole_short_sentences_are_not_cut():
    from assistant.forms import cut_sentence

    assert cut_sentence("CloudSync Pro. 50% faster. What will you sync?") == ""
    assert cut_sentence("We love it. FitPulse 3.0 is here. Who is it for?") == ""


def test_poll_options_are_checked(books):
    too_long = poll_answer(
        "CloudSync Pro is 50% faster. What will you sync?", ["Photos from my phone camera", "Work"]
    )
    good = poll_answer(
        "CloudSync Pro is 50% faster. What will you sync first?",
        ["Photos", "Work files", "Music", "Everything"],
    )
    model = RecordingFakeModel(responses=answers(too_long, good))
    [variant] = run(model, books, ["poll"]).variants
    assert variant.passed
    assert variant.options == ["Photos", "Work files", "Music", "Everything"]
    assert variant.to_dict()["options"] == variant.options


def test_acknowledgement_must_name_the_people_given(books):
    thanks = [{"name": "Priya", "said": "asked for faster sync"}]
    wrong = thanks_answer("Thanks, Maria, for asking for faster sync. CloudSync Pro. What next?")
    right = thanks_answer("Thanks, Priya, for asking for faster sync. CloudSync Pro. What next?")
    model = RecordingFakeModel(responses=answers(wrong, right))
    [variant] = run(model, books, ["acknowledgement"], thanks=thanks).variants
    assert variant.passed
    assert "Priya" in variant.text


def test_copying_a_few_shot_example_name_is_rejected(books):
    copied = question_answer(
        "Green Paws Shelter says CloudSync Pro is 50% faster. What do you think?"
    )
    model = RecordingFakeModel(responses=answers(*[copied] * 20))
    [variant] = run(model, books, ["question"]).variants
    assert not variant.passed
    assert any("copies a name" in p for p in variant.problems)


@pytest.mark.parametrize("tuned", [False, True])
def test_prompt_is_the_post_after_few_shot_turns_unless_tuned(books, tuned):
    """The post goes in whole (a tuned model learned to drop the hard sell itself); only an
    untuned model gets the playbook's few-shot turns, and a tuned one exactly what it was tuned
    on: the system message, then the post."""
    model = RecordingFakeModel(
        responses=answers(
            question_answer("CloudSync Pro is 50% faster. What will you sync first?")
        ),
        tuned=tuned,
    )
    run(model, books, ["question"])
    messages = model.calls[0]["messages"]
    assert messages[-1].content == f"Post: {POST}"
    examples = len(books["question"].examples)
    assert len(messages) == (2 if tuned else 2 + 2 * examples)
    assert [m.type for m in messages[:2]] == ["system", "human"]


def test_json_output_shape(books):
    model = RecordingFakeModel(
        responses=answers(question_answer("CloudSync Pro is 50% faster. What will you sync first?"))
    )
    data = run(model, books, ["question"]).to_dict()
    assert set(data) >= {"source", "platform", "model", "variants"}
    assert data["source"] == POST and data["platform"] == "x" and data["model"] == "fake"
    v = data["variants"][0]
    assert set(v) >= {"playbook", "text", "passed", "findings", "chars", "repairs"}


def test_broken_json_is_regenerated(books):
    model = RecordingFakeModel(
        responses=[
            "not json at all",
            '{"wrong": 1}',
            json.dumps(question_answer("CloudSync Pro is 50% faster. What will you sync first?")),
        ]
    )
    [variant] = run(model, books, ["question"]).variants
    assert variant.passed


def test_poll_option_cut_at_the_cap_is_rejected(books):
    cut = poll_answer(
        "CloudSync Pro is 50% faster. What will you sync first?",
        ["A review of how CloudSync", "Photos"],
    )
    model = RecordingFakeModel(responses=answers(*[cut] * 20))
    [variant] = run(model, books, ["poll"]).variants
    assert not variant.passed
    assert any("cut off" in p for p in variant.problems)


def test_cut_off_option_is_dropped_when_two_remain(books):
    cut = poll_answer(
        "CloudSync Pro is 50% faster. What will you sync first?",
        ["Photos", "A review of how CloudSync", "Work files"],
    )
    model = RecordingFakeModel(responses=answers(*[cut] * 20))
    [variant] = run(model, books, ["poll"]).variants
    assert variant.passed
    assert variant.options == ["Photos", "Work files"]
    assert variant.repairs == ["dropped 1 cut-off poll option(s)"]
