"""Fact extraction and the fact check: a rewrite may drop facts but never add one."""

from __future__ import annotations

import pytest

from assistant.brief import extract_brief
from assistant.facts import extract_facts, kept_share, unsupported_facts

SOURCE = (
    "We're thrilled to announce CloudSync Pro! 50% faster. Buy now with code LAUNCH20 "
    "at cloudsync.example.com before March 14. Only $49. Ask @cloudsync_help"
)


@pytest.mark.parametrize(
    "candidate",
    [
        "CloudSync Pro is 50 percent faster. What would you sync?",
        "Launching March 14: what will you sync first?",
        "Is $49.00 fair for 50% faster sync?",
        "Questions? @cloudsync_help is listening.",
        "Details at https://cloudsync.example.com — what do you think?",
        "Code LAUNCH20 still works. What will you try?",
        "14 March is the day. Ready?",
    ],
)
def test_supported_facts_pass(candidate):
    assert unsupported_facts(candidate, SOURCE) == []


@pytest.mark.parametrize(
    "candidate, invented",
    [
        ("CloudSync Pro is 70% faster!", "70%"),
        ("Now only $39. Ready?", "$39"),
        ("Use code SAVE30 today", "SAVE30"),
        ("Launching March 21. Ready?", "March 21"),
        ("Ask @cloudsync_sales", "@cloudsync_sales"),
        ("More at cloudsync.example.org", "cloudsync.example.org"),
        ("Call 555-123-4567 now", "555-123-4567"),
        ("Join 10,000 happy users", "10,000"),
    ],
)
def test_invented_facts_are_reported_with_offsets(candidate, invented):
    found = unsupported_facts(candidate, SOURCE)
    assert [f.value for f in found] == [invented]
    f = found[0]
    assert candidate[f.start : f.end] == invented


def test_offsets_are_code_points_with_emoji():
    text = "🎉🎉 Only $49 👩‍👩‍👧 on March 3"
    for fact in extract_facts(text):
        assert text[fact.start : fact.end] == fact.value


def test_weekday_words_are_not_dates():
    assert extract_facts("She sat in the sun on Wed and we wed") == []
    assert [f.value for f in extract_facts("Open Sat 3 May")] == ["Sat", "3 May"]


def test_brief_drops_the_hard_sell():
    brief = extract_brief(
        "We're thrilled to announce CloudSync Pro! 50% faster. "
        "Buy now with code LAUNCH20. Limited time!!! #cloud #sale #tech"
    )
    assert brief.product == "CloudSync Pro"
    assert "50% faster" in brief.news
    assert "Buy" not in brief.news and "Limited" not in brief.news and "#" not in brief.news
    assert brief.offer and "LAUNCH20" in brief.offer
    assert brief.hashtags == ["#cloud", "#sale", "#tech"]


def test_brief_keeps_urls_whole_and_quiets_shouting():
    brief = extract_brief("Rosie's Bakery is NOW OPEN on Elm Street. Menu at rosies.example.com")
    assert brief.product == "Rosie's Bakery"
    assert "now open" in brief.news
    assert brief.url == "rosies.example.com"


def test_kept_share_counts_the_news_facts_and_the_name():
    news = "CloudSync Pro syncs 50% faster from March 14, Friday at 4pm."
    full = "CloudSync Pro syncs 50% faster from March 14, Friday at 4pm. What would you sync first?"
    assert kept_share(full, news, ("CloudSync Pro",)) == 1.0
    vague = "Our new app syncs faster soon. What would you sync first?"
    assert kept_share(vague, news, ("CloudSync Pro",)) == 0.0
    half = "CloudSync Pro is 50% faster. What would you sync first?"
    assert 0 < kept_share(half, news, ("CloudSync Pro",)) < 1


def test_kept_share_ignores_the_ad_parts_and_empty_news():
    # a price and a URL are what a rewrite is asked to drop, not news it must keep
    assert kept_share("A new look. Thoughts?", "New look, only $49 at shop.example.com") == 1.0
    assert kept_share("Anything?", "", ("",)) == 1.0
