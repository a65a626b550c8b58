"""What each comment is, how urgent it is and what the commenter wants. Stdlib only.

Explicit cues decide first (a question mark, "charged twice", "your post says ... but"); small
learned models (assistant/judgments, trained on public corpora) decide what plain words say.
The generative model is never asked. The signals that fired, or the model's probability and
the words behind it, are kept on each result, so the table can say why a comment was sorted
where it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import judgments
from assistant.config import Brand
from assistant.judgments.features import describe
from assistant.threads import Comment, Thread

from .language import detect_language
from .screening import injection_signals, is_spam, spam_signals

KINDS = (
    "question",
    "complaint",
    "praise",
    "correction",
    "suggestion",
    "spam",
    "injection",
    "other",
)
WANTS = ("information", "conversation", "help", "deal")
NO_REPLY_KINDS = frozenset({"spam", "injection"})

# 1 = answer first. Complaints and unanswered questions lead; what the brand already answered,
# praise and chatter follow; screened comments and the brand's own come last.
PRIORITY = {
    "complaint": 1,
    "question": 2,
    "correction": 3,
    "suggestion": 4,
    "praise": 5,
    "other": 6,
    "spam": 7,
    "injection": 7,
}
ANSWERED_DELAY = 2  # a complaint or question the brand already answered drops this far
BRAND_PRIORITY = 8
# How sure the comment model must be: a complaint outranks a "?" ("why is my bag still lost?"
# is a complaint first); other kinds only decide when no explicit cue did. Chosen on the
# set by hand before anything was measured on the held-out datasets, and not changed after.
LEARNED_COMPLAINT = 0.6
LEARNED_KIND = 0.5


def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


_DOCUMENT = (
    r"(?:post|caption|ad|advert|poster|flyer|website|site|web ?page|page|email|listing|"
    r"price list|sign-?up page|booking page|donate page|board|label|checkout|menu|"
    r"window|banner|graphic|image|video|story|bio)"
)
CORRECTION = _rx(
    rf"\bcorrection\b|\btypo\b|\bmisspel\w*|\bsmall thing\b|\bheads up\b|\bfyi\b|"
    rf"\bi think you mean\b|\bshould (?:read|say)\b|"
    rf"\bwrong (?:date|price|time|day|link|number|year|address)\b|"
    rf"\b(?:your|the) {_DOCUMENT}\b[^.?!]{{0,40}}\b(?:says?|said|shows?|lists?|reads?)\b|"
    r"\b(?:publicaci[oó]n|anuncio) dice\b|\b(?:publication|annonce|affiche) (?:dit|indique)\b|"
    r"\b(?:beitrag|post) (?:sagt|steht)\b"
)
COMPLAINT = _rx(
    r"\bcharged (?:\w+ )?(?:twice|two times|double)|\bdouble[- ]charged|\btwice for\b|"
    r"\b(?:still|been) waiting\b|\bno (?:reply|response|answer)\b|"
    r"\bnobody (?:answers|replied|replies|responds|got back)|"
    r"\bnever (?:arrived|came|received|got)\b|"
    r"\b(?:hasn'?t|has not|haven'?t|didn'?t|did not|still hasn'?t) (?:arrived|moved|come|shown|"
    r"been (?:delivered|refunded|sorted))|\bnot (?:arrived|delivered|impressed|happy|good enough|"
    r"what i expect\w*)\b|\brude\b|\bdisappoint\w*|\bterrible\b|\bawful\b|\bhorrible\b|\bworst\b|"
    r"\bunacceptable\b|\buseless\b|\bbroken\b|\bdamaged\b|\bfaulty\b|\bdefective\b|"
    r"\bovercharged\b|\bripped off\b|\brip-?off\b|\bscam\b|\brefund\w*|\bcancell?ed\b|"
    r"\bfor nothing\b|\bwaste of\b|\bwon'?t be back\b|\bnever again\b|\bhung up\b|"
    r"\b(?:doesn'?t|does not|don'?t|won'?t|didn'?t) work\b|\bstopped working\b|\bcrash\w*|"
    r"\blost my\b|\bsort this\b|\bfix this\b|\bcomplain\w*|\bfurious\b|\bangry\b|\bfrustrat\w*|"
    r"\bout of stock\b|\bsold out\b|"
    r"\bnunca lleg[oó]|\bno ha llegado\b|\breembolso\b|\bp[eé]simo\b|\bdecepcion\w*|\bqueja\b|"
    r"\bjamais re[çc]u\b|\bpas re[çc]u\b|\bremboursement\b|\bd[ée]cevant\b|\bd[ée][çc]ue?\b|"
    r"\binadmissible\b|\bnie angekommen\b|\bnicht angekommen\b|\benttäuscht\b|\bunversch[äa]mt\b|"
    r"\bschrecklich\b|\berstattung\b|\bbeschwerde\b|\bkaputt\b"
)
WEAK_COMPLAINT = _rx(  # only a complaint when the comment asks nothing
    r"\bbad experience\b|\bproblem\b|\bissue\b|\bannoying\b|\btoo slow\b|\blate\b|\bexpensive\b|"
    r"\bgone up\b|\bno notice\b|\bnot great\b|\bconfus\w*|\bmeh\b"
)
SUGGESTION = _rx(
    r"\bcould you (?!tell|let|confirm|check|explain|send|help|clarify|say|give me|dm|message|call|"
    r"email|please tell)\w+|\bwould you (?:think about|consider|ever)\b|\bany chance (?:of|you)\b|"
    r"\bwould love to see\b|\bplease (?:add|bring|make|do|consider|start|open|offer)\b|"
    r"\byou should\b|\bit would be (?:great|nice|good|amazing|cool)\b|"
    r"\bwould be (?:great|nice) if\b|\bhow about\b|\bwhat about adding\b|\bi wish you\b|"
    r"\bcan you (?:add|bring back|start|make a)\b|"
    r"\bfeature request\b|\bsuggestion\b|\bmaybe (?:a|an|add|do)\b|"
    r"\bpodr[ií]an\b|\bser[ií]a genial\b|\bvous pourriez\b|\bce serait (?:bien|top|génial)\b|"
    r"\bk[öo]nntet ihr\b|\bw[äa]re (?:toll|schön|super)\b"
)
QUESTION_START = _rx(  # a question someone forgot to mark with "?" ("what time do you open")
    r"^(?:who|what|when|where|why|how|which|any ?one know|anybody know|wondering|est-ce|qu'est|"
    r"quand|où|pourquoi|qué|cuándo|dónde|cómo|por qué|cuál|wann|warum|gibt es|habt ihr)"
    r"(?=[\s,])(?!\s+(?:a|an|lovely|great|amazing|beautiful|nice|cool|fun|good|awesome)\b)"
)
PRAISE = _rx(
    r"\blov(?:e|ed|es|ing|ely)\b|\bbest\b|\bamazing\b|\bawesome\b|\bgreat\b|\bfantastic\b|"
    r"\bbrilliant\b|\bexcellent\b|\bwonderful\b|\bperfect\b|\bgorgeous\b|\bbeautiful\b|"
    r"\bdelicious\b|\btasty\b|\byum\w*|\bnice(?:r|st)?\b|\bgenius\b|"
    r"\bwelcoming\b|\brecommend\w*|\bcompliments\b|\bkind\b|\bfriendly\b|\bsmooth\b|\bhelpful\b|"
    r"\bthank\w*|\bthx\b|\bcan'?t wait\b|\bcannot wait\b|\bobsessed\b|\bwell done\b|\bgood job\b|"
    r"\bbravo\b|\bcongrat\w*|\bsuperb\b|\bstunning\b|\bincredible\b|\bimpressed\b|\bfavou?rite\b|"
    r"\blegend\b|\bgracias\b|\bencant\w*|\bexcelente\b|\bgenial\b|\bincre[ií]ble\b|\bmerci\b|"
    r"\bg[ée]nial\b|\badore\b|\bmagnifique\b|\bdanke\b|\btoll\b|\blecker\b|\bgro[ßs]artig\b|"
    r"[😍❤♥💕🙌👏😊🥰😋💯✨🤩]"
)
AGREEMENT = _rx(r"^\W*(?:\+1|same here|me too|agreed|seconded|this!|yes please|i agree)\b")
DEAL = _rx(
    r"\bdiscount\w*|\bcoupon\w*|\bpromo\w*|\bdeals?\b|\bsale\b|\bcheaper\b|\bvoucher\w*|"
    r"\bloyalty\b|\bfree\b|\bprice match\b|\bbundle\b|\bcode\b|\bdescuento\b|\br[ée]duction\b|"
    r"\brabatt\b|\bgratis\b|\bgratuit\b"
)


@dataclass
class Classified:
    comment: Comment
    kind: str
    priority: int
    want: str | None  # None for spam and injection attempts: nothing to give them
    language: str
    signals: tuple[str, ...] = ()
    by_brand: bool = False  # the brand's own comment: nothing to reply to
    answered: bool = False  # the brand already replied to it in the thread

    @property
    def needs_reply(self) -> bool:
        return self.kind not in NO_REPLY_KINDS and not self.by_brand


def classify_text(text: str, *, post: str = "") -> tuple[str, list[str]]:
    """The kind of one comment on its own, and the signals that decided it.

    Explicit cues decide first (an injection tactic, spam signals, "your post says ... but",
    "charged twice", a suggestion); then the learned models (bench/data/SOURCES.md) for what
    plain words say: an injection attempt or spam the patterns missed, a complaint without a
    stock phrase ("I've waited 3 hours for my bag"), praise, a question with no "?".
    """
    injection = injection_signals(text)
    if injection:
        return "injection", [f"injection:{name}" for name in injection]
    learned = judgments.injection(text)
    if learned.label == "injection":
        return "injection", [_learned("injection", learned)]
    spam = spam_signals(text, post=post)
    if is_spam(spam):
        return "spam", spam
    learned = judgments.spam(text)
    if learned.label == "spam":
        return "spam", [*spam, _learned("spam", learned)]
    asks = "?" in text or bool(QUESTION_START.search(text.strip()))
    for kind, pattern in (
        ("correction", CORRECTION),
        ("complaint", COMPLAINT),
        ("suggestion", SUGGESTION),
    ):
        m = pattern.search(text)
        if m:
            return kind, [f"{kind}:{m.group().strip()}"]
    verdict = judgments.comment_kind(text)
    if verdict.label == "complaint" and verdict.probability >= LEARNED_COMPLAINT:
        return "complaint", [_learned("complaint", verdict)]
    if asks:
        return "question", ["question:?" if "?" in text else "question:opening word"]
    if verdict.probability >= LEARNED_KIND and verdict.label != "other":
        return verdict.label, [_learned(verdict.label, verdict)]
    for kind, pattern in (("complaint", WEAK_COMPLAINT), ("praise", PRAISE)):
        m = pattern.search(text)
        if m:
            return kind, [f"{kind}:{m.group().strip()}"]
    return "other", []


def _learned(kind: str, verdict: judgments.Verdict) -> str:
    """A learned decision as a signal: the probability and the words that weighed most."""
    words = ", ".join(describe(w) for w in verdict.because)
    return f"{kind}:model {verdict.probability:.2f}" + (f" ({words})" if words else "")


def classify_thread(
    thread: Thread, *, post: str = "", brand: Brand | None = None
) -> list[Classified]:
    """Classify every comment in the thread's order, using the thread for context."""
    brand_keys = _brand_keys(post, brand) | _addressed_handles(thread)
    own = [
        c.is_post_author or (_name_key(c.author) in brand_keys and not _mentions(c, brand_keys))
        for c in thread.comments
    ]
    results: list[Classified] = []
    for c in thread.comments:
        kind, signals = classify_text(c.text, post=post)
        parent_kind = results[c.parent].kind if c.parent is not None else None
        if AGREEMENT.search(c.text) and parent_kind in ("suggestion", "complaint", "question"):
            kind, signals = parent_kind, [f"{parent_kind}:agrees with the comment above"]
        conversing = _follows_brand(c, thread, own) or _addresses_earlier(c, thread, own)
        if conversing and kind in ("praise", "suggestion"):
            kind, signals = "other", [*signals, "other:part of a conversation"]
        if own[c.index]:
            kind, signals = "other", ["other:the brand's own comment"]
        answered = not own[c.index] and _brand_answered(c, thread, own)
        results.append(
            Classified(
                comment=c,
                kind=kind,
                priority=_priority(kind, own[c.index], answered),
                want=None if own[c.index] else _want(kind, c.text),
                language=detect_language(c.text),
                signals=tuple(signals),
                by_brand=own[c.index],
                answered=answered,
            )
        )
    return results


def _priority(kind: str, by_brand: bool, answered: bool) -> int:
    if by_brand:
        return BRAND_PRIORITY
    delay = ANSWERED_DELAY if answered and kind in ("complaint", "question") else 0
    return PRIORITY[kind] + delay


def _want(kind: str, text: str) -> str | None:
    if kind in NO_REPLY_KINDS:
        return None
    if kind == "complaint":
        return "help"
    if kind in ("question", "suggestion") and (DEAL.search(text) or _code_like(text)):
        return "deal"
    return "information" if kind == "question" else "conversation"


def _code_like(text: str) -> bool:
    return bool(re.search(r"\b(?=[A-Z0-9-]*\d)[A-Z][A-Z0-9-]{3,}\b", text))


# The brand in the thread ---------------------------------------------------------------------


def _name_key(name: str) -> str:
    return re.sub(r"[^\w]|_", "", name.casefold().replace("&", "and"))


def _brand_keys(post: str, brand: Brand | None) -> set[str]:
    """Spellings of the brand's account: its configured name, and names written in the post.

    "willowandthread" matches "Willow & Thread" in the post: runs of 1-4 consecutive words.
    """
    keys = {_name_key(brand.name)} if brand and brand.name else set()
    words = [_name_key(w) for w in re.findall(r"[\w'’&.-]+", post)]
    words = [w for w in words if w]
    for size in range(1, 5):
        for i in range(len(words) - size + 1):
            key = "".join(words[i : i + size])
            if len(key) >= 6 and any(ch.isalpha() for ch in key):
                keys.add(key)
    return keys


_HANDLE = re.compile(r"(?<![\w@])@(\w[\w.]*\w|\w)")


def _addressed_handles(thread: Thread) -> set[str]:
    """Handles that two or more different people open their comments with: the account the
    thread is talking to ("@NorthRail the 7:42 is late again"), so the brand's."""
    openers: dict[str, set[str]] = {}
    for c in thread.comments:
        m = _HANDLE.match(c.text.strip())
        if m:
            openers.setdefault(_name_key(m.group(1)), set()).add(_name_key(c.author))
    return {key for key, authors in openers.items() if len(authors - {key}) >= 2}


def _mentions(c: Comment, brand_keys: set[str]) -> bool:
    """A comment that @-mentions the brand is a customer's, whatever its author is called."""
    return any(_name_key(h) in brand_keys for h in _HANDLE.findall(c.text))


def _follows_brand(c: Comment, thread: Thread, own: list[bool]) -> bool:
    """A reply in a conversation the brand has already joined ("Perfect, thanks!")."""
    if c.parent is None:
        return False
    earlier = thread.comments[: c.index]
    return any(own[x.index] for x in earlier if x.parent == c.parent or x.index == c.parent)


def _addresses_earlier(c: Comment, thread: Thread, own: list[bool]) -> bool:
    """A comment opening with an earlier commenter's name answers them (Facebook reply tags)."""
    opening = c.text.casefold()[:40]
    for x in thread.comments[: c.index]:
        if own[x.index] or x.author == c.author:
            continue
        if re.match(rf"\W*@?{re.escape(_first_name(x.author).casefold())}\b", opening):
            return True
    return False


def _brand_answered(c: Comment, thread: Thread, own: list[bool]) -> bool:
    """Did the brand reply below this comment, or address the commenter by name later on?"""
    name = re.escape(_first_name(c.author).casefold())
    for x in thread.comments[c.index + 1 :]:
        if not own[x.index]:
            continue
        if x.parent == c.index or (
            c.parent is None
            and x.parent is not None
            and thread.comments[x.parent].author == c.author
        ):
            return True
        if re.search(rf"(?<![\w@])@?{name}\b", x.text.casefold()[:60]):
            return True
    return False


def _first_name(author: str) -> str:
    """How a reply addresses someone: the first name, or the handle as written."""
    author = author.strip()
    if author.startswith("@") or " " not in author:
        return author
    if "," in author:  # "Okafor, Chidi"
        return author.split(",", 1)[1].strip().split(" ")[0] or author
    return author.split(" ")[0]
