"""Every built-in rule's good and bad examples, plus the strict rule loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.critique import critique, rule_set
from assistant.critique.rules import KINDS, load_rule_file, load_rules
from assistant.errors import RuleError

RULES = rule_set()


def _cases(which: str) -> list:
    return [
        pytest.param(rule.id, example, id=f"{rule.id}-{which}{i}")
        for rule in RULES
        for i, example in enumerate(getattr(rule, which))
    ]


@pytest.mark.parametrize(("rule_id", "example"), _cases("bad"))
def test_bad_example_triggers_its_rule(rule_id, example):
    report = critique(example.text, source=example.source, platform=example.platform)
    assert rule_id in {f.rule for f in report.findings}


@pytest.mark.parametrize(("rule_id", "example"), _cases("good"))
def test_good_example_does_not_trigger_its_rule(rule_id, example):
    report = critique(example.text, source=example.source, platform=example.platform)
    assert rule_id not in {f.rule for f in report.findings}


def test_at_least_35_signals_across_the_families():
    ids = {rule.id for rule in RULES}
    assert len(ids) >= 35
    families = {rule_id.split(".")[0] for rule_id in ids}
    assert {
        "cta",
        "urgency",
        "scarcity",
        "discount",
        "free",
        "claims",
        "brag",
        "hype",
        "buzz",
        "announce",
        "clickbait",
        "format",
        "voice",
        "facts",
    } <= families
    for required in (
        "cta.hard-sell",
        "hype.superlative",
        "format.exclamations",
        "format.all-caps",
        "format.hashtags",
        "voice.self-focus",
        "voice.no-question",
        "facts.invented",
        "format.length",
    ):
        assert required in ids


def test_every_kind_is_used_and_every_rule_has_examples():
    assert {rule.kind for rule in RULES} == set(KINDS)
    assert all(rule.good and rule.bad for rule in RULES)


def test_hard_ad_signals_are_errors_and_soft_ones_are_not():
    severity = {rule.id: rule.severity for rule in RULES}
    for rule_id in (
        "cta.hard-sell",
        "urgency.pressure",
        "discount.percent-off",
        "format.hashtags",
        "facts.invented",
        "format.length",
    ):
        assert severity[rule_id] == "error"
    # Shapes that ordinary excited comments share are warnings; the ad classifier judges words.
    for rule_id in (
        "hype.superlative",
        "voice.no-question",
        "voice.self-focus",
        "format.emoji",
        "format.caps-stuffing",
        "format.exclamation-stuffing",
    ):
        assert severity[rule_id] != "error"


# --- the loader -----------------------------------------------------------------------------

GOOD_RULE = """
id = "test.hurry"
kind = "existence"
severity = "error"
weight = 10
message = "'%s' rushes people."
tokens = ["hurry"]
[examples]
good = ["Take your time."]
bad = ["Hurry!"]
"""


def write_rule(folder: Path, text: str, name: str = "test.hurry.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_rule_file_loads(tmp_path):
    rule = load_rule_file(write_rule(tmp_path, GOOD_RULE))
    assert (rule.id, rule.kind, rule.severity, rule.weight) == (
        "test.hurry",
        "existence",
        "error",
        10.0,
    )
    assert rule.tokens == ("hurry",)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('severity = "error"', 'severity = "fatal"'), "severity"),
        (("weight = 10", 'weight = "ten"'), "weight"),
        (('tokens = ["hurry"]', "patterns = ['(unclosed']"), "patterns"),
        (('tokens = ["hurry"]', 'tokens = ["hurry"]\ncolour = "red"'), "colour"),
        (("message = \"'%s' rushes people.\"", 'message = "{nonsense}"'), "message"),
        (('kind = "existence"', 'kind = "magic"'), "kind"),
        (('good = ["Take your time."]', "good = []"), "examples.good"),
        (('bad = ["Hurry!"]\n', ""), "examples.bad"),
        (('id = "test.hurry"', 'id = "Hurry"'), "id"),
        (('id = "test.hurry"', 'id = "test.other"'), "id"),
        (('tokens = ["hurry"]', ""), "tokens"),
        (('severity = "error"\n', ""), "severity"),
        (('tokens = ["hurry"]', "patterns = ['x*']"), "patterns"),
        (('tokens = ["hurry"]', "patterns = ['(?P<name>x)']"), "patterns"),
        (('tokens = ["hurry"]', "tokens = [\"hurry\"]\nfollowed_by = '('"), "followed_by"),
    ],
)
def test_a_bad_rule_file_raises_rule_error_naming_file_and_field(tmp_path, change, field):
    old, new = change
    assert old in GOOD_RULE
    path = write_rule(tmp_path, GOOD_RULE.replace(old, new))
    with pytest.raises(RuleError) as raised:
        load_rule_file(path)
    assert "test.hurry.toml" in str(raised.value)
    assert f"{field}:" in str(raised.value)


def test_invalid_toml_raises_rule_error(tmp_path):
    path = write_rule(tmp_path, "id = [unclosed")
    with pytest.raises(RuleError, match="test.hurry.toml: not valid TOML"):
        load_rule_file(path)


def test_a_user_folder_adds_rules_and_overrides_built_ins(tmp_path):
    folder = tmp_path / "rules"
    write_rule(folder, GOOD_RULE)
    override = (Path(__file__).parents[1] / "rules" / "hype.superlative.toml").read_text()
    write_rule(
        folder,
        override.replace('severity = "warning"', 'severity = "error"'),
        "hype.superlative.toml",
    )
    rules = {rule.id: rule for rule in load_rules(str(folder))}
    assert "test.hurry" in rules
    assert rules["hype.superlative"].severity == "error"
    report = critique("Hurry, it's amazing.", rules_dir=str(folder))
    assert {"test.hurry", "hype.superlative"} <= {f.rule for f in report.errors}


def test_a_broken_user_rule_fails_loudly(tmp_path):
    folder = tmp_path / "rules"
    write_rule(folder, GOOD_RULE.replace('kind = "existence"', 'kind = "nope"'))
    with pytest.raises(RuleError, match="test.hurry.toml"):
        critique("hello", rules_dir=str(folder))


def test_a_missing_user_folder_is_a_rule_error(tmp_path):
    with pytest.raises(RuleError, match="does not exist"):
        critique("hello", rules_dir=str(tmp_path / "nowhere"))


AGGREGATE = """
id = "test.pile-up"
kind = "aggregate"
severity = "error"
weight = 10
message = "{count} kinds"
rules = ["hype.superlative", "brag.awards"]
max = 1
count = "rules"
[examples]
good = ["Amazing, incredible, awesome."]
bad = ["Amazing and award-winning."]
"""


def test_an_aggregate_counts_distinct_rules_or_places(tmp_path):
    folder = tmp_path / "rules"
    write_rule(folder, AGGREGATE, "test.pile-up.toml")
    three_hype = critique("Amazing, incredible, awesome.", rules_dir=str(folder))
    assert "test.pile-up" not in {f.rule for f in three_hype.findings}
    two_kinds = critique("Amazing and award-winning.", rules_dir=str(folder))
    assert "test.pile-up" in {f.rule for f in two_kinds.findings}
    other = tmp_path / "other"
    write_rule(
        other, AGGREGATE.replace('count = "rules"', 'count = "findings"'), "test.pile-up.toml"
    )
    places = critique("Amazing, incredible, awesome.", rules_dir=str(other))
    assert "test.pile-up" in {f.rule for f in places.findings}


def test_an_aggregate_must_count_known_plain_rules(tmp_path):
    folder = tmp_path / "rules"
    write_rule(folder, AGGREGATE.replace('"brag.awards"', '"no.such-rule"'), "test.pile-up.toml")
    with pytest.raises(RuleError, match="unknown rule id 'no.such-rule'"):
        load_rules(str(folder))


FOLLOWED = r"""
id = "test.order-now"
kind = "existence"
severity = "error"
weight = 10
message = "'%s'"
tokens = ["order", "book"]
followed_by = '\s+now\b'
clause_start = true
skip_questions = true
[examples]
good = ["Your order now ships."]
bad = ["Order now!"]
"""


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Order now!", True),
        ("Great news. Book now before Friday.", True),
        ("Come in and order now.", True),
        ("Your order now ships faster.", False),  # not where a clause starts
        ("Would you book now or later?", False),  # a question to the reader
        ("Order soon.", False),  # not followed by "now"
    ],
)
def test_followed_by_clause_start_and_skip_questions(tmp_path, text, flagged):
    folder = tmp_path / "rules"
    write_rule(folder, FOLLOWED, "test.order-now.toml")
    rules = {f.rule for f in critique(text, rules_dir=str(folder)).findings}
    assert ("test.order-now" in rules) is flagged
