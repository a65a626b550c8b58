"""Extract the brief of a broadcast post: what it is about, stripped of the ad.

The small model copies whatever tone it is shown, so playbook prompts see this brief
(product, the news in plain words, audience, dates) instead of "Buy now!!! Limited time".
The full post is still the source for the fact check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .facts import extract_facts

# A sentence ends at .!? followed by a space or the end, so "example.com" stays whole.
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=\S))+(?:[.!?]+|$)")
_ANNOUNCE = re.compile(
    r"^\s*(?:(?:we(?:'re| are)|i'm|i am)\s+(?:so\s+|very\s+|super\s+)?"
    r"(?:thrilled|excited|proud|pleased|delighted|happy|stoked)\s+(?:to\s+(?:announce|share|introduce|"
    r"launch|unveil|present|welcome)|that)\s*|introducing\s+|say hello to\s+|meet\s+|presenting\s+|"
    r"announcing\s+|big news[:,]?\s*|breaking[:,]?\s*|attention[:,]?\s*)",
    re.IGNORECASE,
)
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]+")
_NAME = re.compile(r"\b[A-Z][\w'’&.-]*(?:\s+(?:[A-Z0-9][\w'’&.-]*|of|the|&|and|de|du)){0,4}")
_SELL = re.compile(
    r"\b(?:buy|shop|order|book|grab|get|claim|use|apply|sign up|register|donate|subscribe|"
    r"download|visit|call|click|tap|swipe|dm)\b.*\b(?:now|today|here|code|link|bio|online|"
    r"while|before|tonight|asap)\b|\blimited time\b|\bhurry\b|\bdon'?t miss\b|\bact now\b|"
    r"\bonly \d+ (?:left|spots|seats)\b|\bwhile (?:supplies|stocks) last\b|\b\d+% off\b|"
    r"\bcode\s+[A-Z0-9]{3,}|\b(?:sign up|join now|register|apply now|book now|order now)\b|"
    r"\bfirst \d+ (?:customers|people|visitors|callers)\b|\bfree\b|\blast chance\b|\bends (?:soon|tonight|today|sunday|friday)\b|"
    r"\blink in (?:bio|comments)\b|\bfree\b.*\bwith\b|\bsale\b|\bdeal\b|\bgiveaway\b",
    re.IGNORECASE,
)
_COMMON_CAPS = {
    "We",
    "Our",
    "The",
    "This",
    "That",
    "It",
    "Its",
    "It's",
    "You",
    "Your",
    "Buy",
    "Shop",
    "Get",
    "Now",
    "New",
    "Limited",
    "Don't",
    "Hurry",
    "Today",
    "Only",
    "Just",
    "Big",
    "Huge",
    "Come",
    "Join",
    "Check",
    "Use",
    "Order",
    "Book",
    "Grab",
    "Free",
    "All",
    "Every",
    "Don’t",
    "A",
    "An",
    "And",
    "Click",
    "Tap",
    "Visit",
    "Sign",
    "Register",
    "Apply",
    "Donate",
    "Help",
    "Meet",
    "Say",
    "Introducing",
    "Announcing",
    "Thanks",
    "Thank",
    "Happy",
    "Celebrate",
    "Last",
    "Final",
    "Best",
    "Amazing",
    "Incredible",
    "Exciting",
    "Great",
    "Special",
    "Sale",
    "Deal",
    "Offer",
    "Save",
    "Win",
    "Enter",
    "Tag",
    "Share",
    "Follow",
    "Like",
    "Comment",
    "DM",
    "Link",
    "Call",
    "Available",
    "Coming",
    "Starting",
    "From",
    "With",
    "At",
    "In",
    "On",
    "For",
    "To",
    "Is",
    "Are",
    "I",
    "I'm",
    "We're",
    "Who",
    "What",
    "When",
    "Where",
    "Why",
    "How",
}


@dataclass
class Brief:
    """The facts a rewrite may use. Empty fields are simply not mentioned in prompts."""

    product: str = ""
    news: str = ""
    offer: str = ""
    url: str = ""
    dates: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # hard-sell sentences left out of the news

    def as_vars(self) -> dict:
        return {
            "product": self.product,
            "news": self.news,
            "offer": self.offer,
            "url": self.url,
            "dates": self.dates,
            "numbers": self.numbers,
        }


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip(" .!?")]


def _clean(sentence: str) -> str:
    s = _EMOJI.sub("", _HASHTAG.sub("", sentence))
    s = _ANNOUNCE.sub("", s)
    s = re.sub(r"[!]+", ".", s)
    s = re.sub(r"\.{2,}", ".", s)
    s = re.sub(r"\s{2,}", " ", s).strip(" .,:;-–—")
    # SHOUTING ("NOW OPEN", "GRAND OPENING"): keep the words, drop the volume. One capitalised
    # word alone is more likely an acronym or a name (NASA, $HOME) and stays as written.
    shout = re.compile(r"\b[A-Z]{4,}\b|\b(?:YOU|NOW|NEW|ALL|OFF|GET|BUY|OUR)\b")
    if len(shout.findall(s)) >= 2:
        s = shout.sub(lambda m: m.group().lower(), s)
    return s[:1].upper() + s[1:]


def find_product(text: str, vocabulary: tuple[str, ...] = ()) -> str:
    for term in vocabulary:
        if term.casefold() in text.casefold() and not term.startswith("#"):
            return term
    for sentence in sentences(text):
        m = _ANNOUNCE.match(sentence)
        if m:
            rest = _HASHTAG.sub("", sentence[m.end() :])
            name = _NAME.match(rest.strip())
            if name:
                return _trim_name(name.group())
    for m in _NAME.finditer(_HASHTAG.sub("", text)):
        name = _trim_name(m.group())
        if name and name.split()[0] not in _COMMON_CAPS and not name.isupper():
            return name
    return ""


def _trim_name(name: str) -> str:
    words = name.strip(" .,'’").split()
    while words and words[-1].lower() in {"of", "the", "&", "and", "de", "du"}:
        words.pop()
    while words and words[0] in _COMMON_CAPS:
        words.pop(0)
    return " ".join(words)


def extract_brief(text: str, vocabulary: tuple[str, ...] = ()) -> Brief:
    brief = Brief(product=find_product(text, vocabulary))
    news: list[str] = []
    for sentence in sentences(_EMOJI.sub(". ", text)):  # an emoji run ends a thought
        cleaned = _clean(sentence)
        if not cleaned:
            continue
        if _SELL.search(sentence):
            brief.dropped.append(sentence)
            if not brief.offer and re.search(r"\d|code|free|off\b", sentence, re.IGNORECASE):
                brief.offer = cleaned
            continue
        news.append(cleaned)
    brief.news = ". ".join(news)[:300]
    for fact in extract_facts(text):
        if fact.kind == "url" and not brief.url:
            brief.url = fact.value
        elif fact.kind in ("date", "weekday", "time"):
            brief.dates.append(fact.value)
        elif fact.kind in ("number", "percent", "price"):
            brief.numbers.append(fact.value)
    brief.hashtags = _HASHTAG.findall(text)
    return brief
