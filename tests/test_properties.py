"""Property-based tests: what must hold for any text at all, not just the examples we thought of.

500 examples per property (derandomized, so CI runs are reproducible); the whole file stays well
under a minute.
"""

from __future__ import annotations

import csv
import io
import json
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assistant.critique import critique
from assistant.errors import InputError
from assistant.facts import extract_facts, unsupported_facts
from assistant.inputs import decode_text, strip_control
from assistant.threads import parse_thread

FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Text as people paste it: any code point (surrogates aside, which a str from UTF-8 never holds),
# with the characters that matter to the parsers and rules made more likely.
SPECIAL = st.sampled_from(
    list("\n\r\t :@#$%€£.,!?'\"“”«»()[]{}-–—/\\*_|>↳└·•")
    + ["\u200b", "\u200d", "\u200f", "\u202e", "\ufeff", "\u0301", "\x1b", "\x00", "\x85"]
    + ["🚀", "👩🏽‍💻", "🇮🇱", "ß", "İ", "ﬁ", "Σ", "ǅ", "é", "ア", "ب", "ש"]
)
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
TEXT = st.lists(st.one_of(ANY_CHAR, SPECIAL), max_size=300).map("".join)
WORDS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "BUY",
                "NOW",
                "now!!!",
                "50%",
                "off",
                "$49",
                "FREE",
                "limited",
                "today",
                "only",
                "you",
                "What",
                "do",
                "think?",
                "CloudSync",
                "Pro",
                "#sale",
                "@maria",
                "http://x.io",
                "March",
                "14",
                "9am",
                "SAVE20",
                "code",
                "🔥",
                "‼️",
                "\n",
                "“quote”",
                "'",
            ]
        ),  # fmt: skip
        st.text(alphabet=ANY_CHAR, max_size=8),
    ),
    max_size=60,
).map(" ".join)
POSTS = st.one_of(TEXT, WORDS)


# --- critique ------------------------------------------------------------------------------------


def check_findings(text: str, report) -> None:
    for f in report.findings:
        assert 0 <= f.start <= f.end <= len(text), f
        assert text[f.start : f.end] == f.match, f
        line_start = text.rfind("\n", 0, f.start) + 1
        assert f.line == text.count("\n", 0, f.start) + 1, f
        assert f.column == f.start - line_start + 1, f
        assert f.severity in ("error", "warning", "suggestion")


@FUZZ
@given(POSTS, st.sampled_from(["x", "linkedin", "instagram", "facebook", "threads"]))
def test_critique_never_crashes_and_offsets_are_exact(text, platform):
    report = critique(text, platform=platform)
    check_findings(text, report)
    assert 0 <= report.score <= 100
    assert report.passed == (not any(f.severity == "error" for f in report.findings))


@FUZZ
@given(POSTS, POSTS)
def test_critique_with_a_source_never_crashes_and_offsets_are_exact(text, source):
    check_findings(text, critique(text, source=source))


# --- fact check ----------------------------------------------------------------------------------


@FUZZ
@given(POSTS)
def test_a_text_never_invents_facts_against_itself(text):
    assert unsupported_facts(text, text) == []


@FUZZ
@given(POSTS)
def test_facts_have_exact_offsets_in_order_without_overlap(text):
    end = 0
    for fact in extract_facts(text):
        assert 0 <= fact.start < fact.end <= len(text)
        assert text[fact.start : fact.end] == fact.value
        assert fact.start >= end
        end = fact.end


@FUZZ
@given(POSTS, st.integers(min_value=0, max_value=10**7))
def test_a_number_the_source_lacks_is_reported(source, number):
    digits = str(number)
    assume(digits not in re.sub(r"\D", "", source))
    candidate = f"{source} {digits}"
    reported = unsupported_facts(candidate, source)
    assert any(digits in f.value for f in reported), (candidate, reported)


# --- thread parser -------------------------------------------------------------------------------


@FUZZ
@given(st.one_of(TEXT, WORDS, st.just("[]"), st.just("{}"), st.just("[{}]")))
def test_the_thread_parser_only_ever_raises_input_error(text):
    try:
        thread = parse_thread(text)
    except InputError as e:
        assert "\n" not in str(e)
        return
    assert thread.comments
    for i, c in enumerate(thread.comments):
        assert c.index == i
        assert c.parent is None or 0 <= c.parent < i
        assert c.depth == (0 if c.parent is None else thread.comments[c.parent].depth + 1)
        assert c.text.strip() and c.author


FIRST = ["Priya", "Omar", "Maria", "Jo", "Li", "Zoë", "José", "Ngozi", "Anne-Marie", "O'Neil"]
LAST = ["Lopez", "Chen", "Smith", "Øst", "Nakamura", "Al-Farsi"]
NAMES = st.tuples(st.sampled_from(FIRST), st.none() | st.sampled_from(LAST)).map(
    lambda p: " ".join(x for x in p if x)
)
HANDLES = st.tuples(st.sampled_from(["@", "@the_"]), st.sampled_from(FIRST[:5] + LAST[:3])).map(
    lambda p: (p[0] + p[1]).lower()
)
SAY = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85"
        ),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)
COMMENTS = st.lists(st.tuples(NAMES, SAY), min_size=1, max_size=12)


@FUZZ
@given(COMMENTS)
def test_json_threads_keep_every_comment_in_order(comments):
    text = json.dumps([{"author": a, "text": t} for a, t in comments], ensure_ascii=False)
    thread = parse_thread(text)
    assert thread.format == "json"
    assert [(c.author, c.text) for c in thread.comments] == comments


@FUZZ
@given(COMMENTS, st.sampled_from([",", ";", "\t"]))
def test_csv_threads_keep_every_comment_in_order(comments, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows([("author", "text"), *comments])
    thread = parse_thread(out.getvalue())
    assert thread.format == "csv"
    assert [(c.author, c.text) for c in thread.comments] == comments


@FUZZ
@given(COMMENTS)
def test_name_colon_threads_keep_every_comment_in_order(comments):
    text = "\n".join(f"{author}: {said}" for author, said in comments)
    thread = parse_thread(text)
    assert thread.format == "name_colon"
    assert [c.author for c in thread.comments] == [a for a, _ in comments]
    assert [c.text for c in thread.comments] == [s for _, s in comments]


@FUZZ
@given(st.lists(st.tuples(HANDLES, SAY), min_size=1, max_size=12))
def test_handle_threads_keep_every_comment_in_order(comments):
    text = "\n".join(f"{handle}: {said}" for handle, said in comments)
    thread = parse_thread(text)
    assert [c.author for c in thread.comments] == [h for h, _ in comments]
    assert [c.text for c in thread.comments] == [s for _, s in comments]


# --- strip_control and decode_text -----------------------------------------------------------------

C0_C1 = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ESCAPE_HEAVY = st.lists(
    st.one_of(
        ANY_CHAR,
        st.sampled_from(
            [
                "\x1b[",
                "\x1b]",
                "\x1bP",
                "\x9b",
                "\x9d",
                "\x07",
                "\x1b\\",
                "\x9c",
                "\r\n",
                "\r",
                "31m",
                ";",
                "0",
                "\x1b",
            ]
        ),
    ),  # fmt: skip
    max_size=200,
).map("".join)


@FUZZ
@given(st.one_of(TEXT, ESCAPE_HEAVY, st.text()))
def test_strip_control_is_idempotent_and_leaves_no_controls(text):
    once = strip_control(text)
    assert strip_control(once) == once
    assert not C0_C1.search(once), repr(once)
    assert "\r" not in once and not re.search(r"[\ud800-\udfff]", once)


@FUZZ
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))))
def test_strip_control_keeps_ordinary_text(text):
    assert strip_control(text) == text


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=400),
        TEXT.map(lambda t: t.encode("utf-8")),
        st.tuples(TEXT, st.binary(max_size=4)).map(lambda p: p[0].encode("utf-8") + p[1]),
    ),
    st.integers(min_value=1, max_value=500),
)
def test_decode_text_returns_clean_text_or_raises_input_error(raw, limit):
    try:
        text = decode_text(raw, name="post.txt", limit=limit)
    except InputError as e:
        assert str(e).startswith("post.txt: ") and "\n" not in str(e)
        return
    assert text and text == text.strip() and strip_control(text) == text
    assert len(raw) <= limit
