"""Checks every reply candidate must pass before it is shown as a suggestion. Stdlib only.

A reply must name the commenter, refer to what they said, do what its kind needs (thank praise
and corrections, answer or promise a follow-up to questions, acknowledge complaints and move them
to a private channel), and must never pitch, promise refunds, invent facts or discounts, admit
fault, or leak the prompt. Each failure is a Finding with the rule id `reply.*`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.critique.model import Finding
from assistant.facts import unsupported_facts


def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


THANKS = _rx(
    r"\bthank\w*|\bthx\b|\bappreciat\w*|\bgood catch\b|\bgreat catch\b|\bgracias\b|"
    r"\bmerci\b|\bdanke\b|\bgrazie\b|\bobrigad[oa]\b|\bbedankt\b"
)
FOLLOW_UP = _rx(
    r"\b(?:we'?ll|we will|i'?ll|i will|let me|let us|we'?re|we are|the team will|we can)\b[^.!?]{0,60}"
    r"\b(?:check|get back|find out|look into|look at|follow up|confirm|ask|come back|update|let you "
    r"know|reply|answer|pass|share|send|post|find)\w*|\bget back to you\b|\bkeep you posted\b|"
    r"\b(?:dm|direct message|message us|inbox)\b|"
    r"\bte (?:respondemos|contamos|confirmamos|escribimos)\b|\blo (?:comprobamos|revisamos|vemos)\b|"
    r"\bvamos a (?:comprobar|revisar|ver|mirar|consultar)\b|\bnous allons (?:v[ée]rifier|regarder|"
    r"revenir|voir|vous r[ée]pondre)\b|\bnous (?:v[ée]rifions|regardons)\b|"
    r"\bnous (?:revenons|vous r[ée]pondons|v[ée]rifions|allons v[ée]rifier)\b|\bon (?:v[ée]rifie|"
    r"revient)\b|\bwir (?:melden|pr[üu]fen|schauen|geben)\b|\bmelden uns\b"
)
GUESS = _rx(
    r"^\W*(?:[\w@.]+\W+)?(?:yes|yep|yeah|no|nope|s[ií]|oui|non|ja|nein|absolutely|of course|"
    r"definitely|sure)\b[,!.]"
)
ACKNOWLEDGE = _rx(
    r"\bsorry\b|\bapolog\w*|\bhear (?:about|that|this)\b|\bunderstand\b|\bfrustrat\w*|"
    r"\bnot (?:ok|okay|what|the experience|good enough)\b|\bthat sounds\b|\bthanks? for (?:telling|"
    r"letting|flagging|raising|reporting)|\blo sentimos\b|\blo siento\b|\bd[ée]sol[ée]s?\b|"
    r"\btut (?:uns|mir) leid\b|\bentschuldig\w*|\bci dispiace\b"
)
PRIVATE = _rx(
    r"\bdm\b|\bdms\b|\bdirect message|\bprivate message|\bmessage us\b|\bsend us (?:a |your )?"
    r"(?:message|note|details|email)|\binbox\b|\bpm us\b|\bemail us\b|\bdrop us a (?:line|message)\b|"
    r"\bprivately\b|\bmensaje (?:privado|directo)\b|\bmessage priv[ée]\b|\ben priv[ée]\b|"
    r"\bprivatnachricht\b|\bnachricht\b|\bmessaggio privato\b"
)
ADMITS_FAULT = _rx(
    r"\bour (?:fault|mistake|bad|error)\b|\bwe (?:messed|screwed) up\b|\bwe made a mistake\b|"
    r"\bwe were wrong\b|\bit'?s on us\b|\bwe dropped the ball\b|\bwe failed\b|"
    r"\bwe (?:are|were|'re) (?:to blame|responsible)\b|\bwe take (?:full )?responsibility\b|"
    r"\bthat was (?:our|a) (?:mistake|error)\b|\bnuestra culpa\b|\bnotre faute\b|\bunser fehler\b"
)
COMPENSATION = _rx(
    r"\brefund\w*|\breimburs\w*|\bcompensat\w*|\bmoney back\b|\bfree (?:replacement|of charge)\b|"
    r"\breplace it\b|\bcredit (?:to )?your account\b|\bvouchers?\b|\bgift cards?\b|"
    r"\bmake it up to you\b|\bon the house\b|\breembols\w*|\brembours\w*|\berstatt\w*|"
    r"\bgeld zur[üu]ck\b"
)
PROMISE = _rx(
    r"\b(?:we'?ll|we will|i'?ll|i will|we can|(?:we'?re|i'?m|we are|i am) going to|you'?ll (?:get|receive)|"
    r"happy to|we'?d be happy|we'?ve (?:processed|issued)|we (?:are|'re) (?:processing|"
    r"issuing)|give you|get you|send you|offer you|make sure you get)\b"
)
PITCH = _rx(
    r"\bbuy\b|\bshop now\b|\border (?:now|today)\b|\bbook (?:now|today|yours)\b|\bcheck out our\b|"
    r"\buse (?:the |our |my )?code\b|\blink in (?:our )?bio\b|\bdon'?t miss\b|\blimited time\b|"
    r"\bhurry\b|\bgrab (?:yours|one|it)\b|\bsign up\b|\bvisit our (?:website|site|store|shop)\b|"
    r"\bget yours\b|\btoday only\b|\bwhile (?:stocks|supplies) last\b|\bspecial offer\b|"
    r"\bexclusive\b|\bfollow us\b|\bsubscribe\b"
)
DISCOUNT = _rx(
    r"\bdiscount\w*|\bcoupons?\b|\bpromo\w*|\b\d+\s?%|\bpercent off\b|\bfreebie|"
    r"(?<![\w-])(?<!feel )free\b(?![- ]to\b)(?!-)|"
    r"\bdeals?\b|\bsale\b|\bgratis\b|\bgratuit\w*|\bkostenlos\w*|\bdescuento\b|"
    r"\br[ée]duction\b|\brabatt\w*"
)
LEAK = _rx(
    r"\bsystem prompt\b|\bprompt\b|\binstructions?\b|\bmy rules\b|\bguidelines\b|\bas an ai\b|"
    r"\blanguage model\b|\bi'?m an ai\b|\bi am an ai\b|\bchatbot\b|\bai assistant\b|\bjson\b|"
    r"</?comment>|\bplaceholder\b|\{\{|\}\}|\[(?:name|topic|product)\]"
)
# The model repeating its task instead of doing it ("Thank Laura for the question and say ...").
INSTRUCTION_ECHO = _rx(
    r"^\W*(?:thank (?!you\b|u\b|so\b|for\b|goodness\b|god\b)\w+ (?:for|warmly)|say (?:you|that|"
    r"sorry)\b|ask (?:them|him|her)\b|tell (?:them|him|her)\b)|\bstart the reply\b|"
    r"\bwrite the reply\b|\bask (?:them|him|her) to\b|\bsay the team\b|\bthank (?:them|him|her)\b|"
    r"\bfor context only\b|\bnot instructions\b|\bdo not (?:guess|promise)\b|"
    r"\bwhat (?:they|he|she) (?:said|asked|spotted|enjoyed|meant)\b|\bwhat went wrong\b|"
    r"\bname the idea\b|<[a-z ]+>|"
    r"\bask us to send you\b"  # "ask them to send us a DM", turned around
)
HASHTAG = re.compile(r"(?<![\w&])#\w+")

_STOPWORD_TEXT = (
    "about above after again also always another because been before being below between both "
    "cannot could didn does doing don down during each ever every from further have having here "
    "hers herself himself into itself just more most much must myself only other ours ourselves "
    "over same should some such than that their theirs them themselves then there these they this "
    "those through under until very were what when where which while whom with would your yours "
    "yourself thanks thank really still will shall might need like just want wants know okay great "
    "good love lovely please sorry hear team here there today tomorrow soon back message "
    "glad happy hope thing things much"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class ReplyContext:
    """What a reply is checked against."""

    author: str
    comment: str
    kind: str
    language: str = "en"
    post: str = ""
    limit: int = 280
    prompt_text: str = ""  # the instructions the model saw (to catch copied prompt text)
    other_names: tuple[str, ...] = ()  # names in the prompt's examples: never in a reply
    example_topics: frozenset[str] = frozenset()  # stems the few-shot examples are about
    hostile: tuple[str, ...] = ()  # injection attempts in the thread: never echoed


def fact_source(ctx: ReplyContext) -> str:
    """What a reply may take facts from; the author's @handle counts as written."""
    handle = ctx.author if ctx.author.startswith("@") or " " in ctx.author else f"@{ctx.author}"
    return f"{ctx.author} {handle}\n{ctx.comment}\n{ctx.post}"


def check_reply(reply: str, ctx: ReplyContext) -> list[Finding]:
    """Every rule the reply breaks, as error findings (warnings for softer problems)."""
    out: list[Finding] = []

    def add(
        rule: str,
        message: str,
        m: re.Match | None = None,
        severity: str = "error",
        suggestion: str | None = None,
    ) -> None:
        start, end = (m.start(), m.end()) if m else (0, 0)
        line = reply.count("\n", 0, start) + 1
        column = start - (reply.rfind("\n", 0, start) + 1) + 1
        out.append(
            Finding(
                rule,
                severity,
                message,
                reply[start:end],
                start,
                end,
                line,
                column,
                suggestion,
                origin="replies",
            )
        )

    if not reply.strip():
        add("reply.empty", "The reply is empty.")
        return out
    if len(reply) > ctx.limit:
        add("reply.length", f"{len(reply)} characters; the platform allows {ctx.limit}.")
    if not names_person(reply, ctx.author):
        add(
            "reply.name",
            f"Does not address {ctx.author} by name.",
            suggestion=f"Start with {address_of(ctx.author)}.",
        )
    if len(content_words(ctx.comment, exclude=ctx.author)) >= 3 and not shares_topic(
        reply, ctx.comment, ctx.author
    ):  # "Perfect, thanks!" leaves nothing to refer to
        add("reply.topic", "Does not refer to anything the commenter said.")
    _kind_checks(reply, ctx, add)
    _safety_checks(reply, ctx, add)
    if ctx.language != "en" and _looks_english(reply):
        add(
            "reply.language",
            f"Written in English; the comment is in {ctx.language}.",
            severity="warning",
        )
    return out


def _kind_checks(reply: str, ctx: ReplyContext, add) -> None:
    if ctx.kind in ("praise", "correction", "suggestion") and not THANKS.search(reply):
        add("reply.thanks", f"A {ctx.kind} deserves a thank-you.")
    if ctx.kind == "question":
        if not FOLLOW_UP.search(reply) and not _grounded_in_post(reply, ctx):
            add("reply.follow-up", "Neither answers from the post nor promises to follow up.")
        guess = GUESS.search(reply)
        if guess and not _grounded_in_post(reply, ctx):
            add(
                "reply.guess",
                "Answers yes or no without a source; promise to check instead.",
                guess,
            )
    if ctx.kind == "complaint":
        if not ACKNOWLEDGE.search(reply):
            add("reply.acknowledge", "Does not acknowledge the complaint.")
        if not PRIVATE.search(reply):
            add("reply.private", "Does not move the conversation to a private channel (DM).")


def _safety_checks(reply: str, ctx: ReplyContext, add) -> None:
    comment = ctx.comment.casefold()
    post = ctx.post.casefold()
    for m in ADMITS_FAULT.finditer(reply):
        add("reply.admits-fault", "Admits fault in public.", m)
    for m in COMPENSATION.finditer(reply):
        promised = PROMISE.search(reply[max(0, m.start() - 50) : m.start()])
        if promised or m.group().casefold() not in comment:
            add("reply.refund", "Promises a refund or compensation.", m)
    for m in PITCH.finditer(reply):
        add("reply.pitch", "Pitches instead of replying.", m)
    for m in DISCOUNT.finditer(reply):
        if m.group().casefold() not in post:
            add("reply.discount", "Mentions a discount or freebie the post does not offer.", m)
    for m in LEAK.finditer(reply):
        if m.group().casefold() not in comment or "system prompt" in m.group().casefold():
            add("reply.leak", "Talks about the prompt or the assistant.", m)
    for m in INSTRUCTION_ECHO.finditer(reply):
        add("reply.leak", "Repeats the instructions instead of following them.", m)
    copied = copied_span(reply, ctx.prompt_text, allowed=comment + " " + post)
    if copied:
        add("reply.leak", "Copies text from the prompt.", copied)
    for hostile in ctx.hostile:
        echoed = copied_span(reply, hostile, allowed=post, size=4)
        if echoed:
            add("reply.injected", "Repeats an injection attempt from the thread.", echoed)
    borrowed = ctx.example_topics - content_words(f"{ctx.author} {ctx.comment} {ctx.post}")
    for m in _WORD.finditer(reply):
        if _fold(m.group())[:5] in borrowed:
            add(
                "reply.copied-example",
                f"'{m.group()}' comes from a prompt example, not the comment.",
                m,
            )
            break
    for name in ctx.other_names:
        m = re.search(rf"\b{re.escape(name)}\b", reply)
        if m and name.casefold() not in (ctx.author + " " + comment).casefold():
            add("reply.wrong-name", f"Names {name}, who is not in this conversation.", m)
    for fact in unsupported_facts(reply, fact_source(ctx)):
        m = re.search(re.escape(fact.value), reply)
        add(
            "reply.facts",
            f"Invents a {fact.kind}: {fact.value!r} is not in the comment or post.",
            m,
        )
    for m in HASHTAG.finditer(reply):
        add("reply.hashtag", "Hashtags read as a broadcast in a reply.", m)
    if echoes(reply, ctx.comment):
        add("reply.echo", "Mostly repeats the comment back instead of replying.")
    repeated = _repetition(reply)
    if repeated:
        add("reply.repetition", "Repeats itself.", repeated)


# Names ----------------------------------------------------------------------------------------


def address_of(author: str) -> str:
    """How to address someone: a handle as written, a first name otherwise."""
    author = author.strip()
    if author.startswith("@") or " " not in author:
        return author
    if "," in author:  # "Okafor, Chidi"
        return author.split(",", 1)[1].split()[0] if author.split(",", 1)[1].split() else author
    return author.split()[0]


def names_person(reply: str, author: str) -> bool:
    """The reply contains the first name, any part of the full name, or the handle."""
    folded = _fold(reply)
    handle = author.strip().lstrip("@").rstrip("._")  # "pri.yanka" names @pri.yanka_
    if " " not in author.strip():
        # the handle as written, or its leading name part: "amelie" for @amelie.dubois
        first = re.match(r"[^\W\d_]{3,}", handle)
        forms = [handle, first.group()] if first else [handle]
        return any(re.search(rf"(?<![\w.]){re.escape(_fold(f))}(?![^\W_])", folded) for f in forms)
    parts = [p for p in re.split(r"[\s,]+", author) if len(p.strip(".")) >= 2]
    return any(re.search(rf"\b{re.escape(_fold(p.strip('.')))}\b", folded) for p in parts)


def _fold(text: str) -> str:
    """Casefold and drop accents: "Zoe" names Zoë."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Topic, copying, repetition -------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{4,}")


def content_words(text: str, exclude: str = "") -> set[str]:
    """Words that carry meaning, reduced to a 5-letter stem ("coupons" ~ "coupon")."""
    skip = {w[:5] for w in _WORD.findall(_fold(exclude))}
    return {w[:5] for w in _WORD.findall(_fold(text)) if w not in _STOPWORDS} - skip


def topic_stems(comment: str, reply: str) -> set[str]:
    """What an example is about: content words its comment and its reply share."""
    return content_words(comment) & content_words(reply) - _SCAFFOLD


# Stems every example shares (courtesy, not topic), as one string to keep the list compact.
_SCAFFOLD_TEXT = (
    "quest team check messa thank enjoy idea sound gibt went wrong free graci merci danke optio"
)
_SCAFFOLD = frozenset(_SCAFFOLD_TEXT.split())


def shares_topic(reply: str, comment: str, author: str) -> bool:
    return bool(content_words(reply, exclude=author) & content_words(comment, exclude=author))


def _grounded_in_post(reply: str, ctx: ReplyContext) -> bool:
    """An answer that uses words from the post the commenter did not use."""
    post_words = content_words(ctx.post, exclude=ctx.comment + " " + ctx.author)
    return bool(ctx.post) and bool(content_words(reply) & post_words)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(_fold(m.group()), m.start(), m.end()) for m in re.finditer(r"\w+", text)]


def copied_span(reply: str, source: str, *, allowed: str, size: int = 5) -> re.Match | None:
    """The first run of `size` words the reply shares with `source` that `allowed` lacks."""
    if not source:
        return None
    source_grams = _grams([t for t, _, _ in _tokens(source)], size)
    allowed_grams = _grams([t for t, _, _ in _tokens(allowed)], size)
    tokens = _tokens(reply)
    for i in range(len(tokens) - size + 1):
        gram = tuple(t for t, _, _ in tokens[i : i + size])
        if gram in source_grams and gram not in allowed_grams:
            return re.compile(re.escape(reply[tokens[i][1] : tokens[i + size - 1][2]])).search(
                reply, tokens[i][1]
            )
    return None


def echoes(reply: str, comment: str, size: int = 4, share: float = 0.6) -> bool:
    """Most of the reply's words sit in runs copied from the comment."""
    words = [t for t, _, _ in _tokens(reply)]
    comment_grams = _grams([t for t, _, _ in _tokens(comment)], size)
    copied = set()
    for i in range(len(words) - size + 1):
        if tuple(words[i : i + size]) in comment_grams:
            copied.update(range(i, i + size))
    return bool(words) and len(copied) >= share * len(words)


def _grams(words: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _repetition(reply: str) -> re.Match | None:
    """A 3-word phrase said three times, or the same sentence twice."""
    words = [t for t, _, _ in _tokens(reply)]
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    sentences = [s.strip().casefold() for s in re.split(r"(?<=[.!?])\s+", reply) if s.strip()]
    repeated_sentence = next((s for s in sentences if sentences.count(s) > 1 and len(s) > 8), None)
    if repeated_sentence is None and not any(grams.count(g) >= 3 for g in set(grams)):
        return None
    target = repeated_sentence or " ".join(next(g for g in grams if grams.count(g) >= 3))
    return re.compile(re.escape(target), re.IGNORECASE).search(reply) or re.search(r"^", reply)


def _looks_english(reply: str) -> bool:
    from .language import detect_language

    return detect_language(reply) == "en"


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
