"""What the model sees on a free-text turn: the system prompt, a few worked examples, as much
of the conversation as fits its context window (newest first), and the current draft with
the latest request, which are never dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant import prompts
from assistant.llm import Message

from .state import ChatState, Turn

CHARS_PER_TOKEN = 4  # a fair estimate for English when no tokenizer is at hand
MESSAGE_OVERHEAD = 6  # role markers and separators of the chat template, per message
SERVER_CONTEXT = 8192  # assumed window of an OpenAI-compatible model (most have more)
MAX_HISTORY_TURNS = 8  # a 135M model loses the thread long before its window is full

# Worked examples of the edit the model is asked for; a tiny model copies the format it sees.
EXAMPLES: list[tuple[str, str, str]] = [
    (
        "Our oat latte joins the menu on Monday. What should we pair it with?",
        "make it shorter",
        "Oat latte lands Monday. What should we pair it with?",
    ),
    (
        "FitTrack now tracks your sleep offline. What would you like to learn about your sleep?",
        "more playful",
        "FitTrack now counts your sheep offline. What do you want to know about your sleep?",
    ),
    (
        "Green Paws Shelter holds an adoption day this Saturday. Who are you hoping to meet?",
        "thank Ana for the idea",
        "Thanks, Ana, for the idea: Green Paws Shelter holds an adoption day this Saturday. "
        "Who are you hoping to meet?",
    ),
]


def token_counter(model) -> Callable[[str], int]:
    """The model's own tokenizer when it has one (the embedded llama.cpp model), else chars/4."""
    llama = getattr(model, "llama", None)
    tokenize = getattr(llama, "tokenize", None)
    if callable(tokenize):
        return lambda text: len(tokenize(text.encode("utf-8"), add_bos=False, special=True))
    return lambda text: len(text) // CHARS_PER_TOKEN + 1


def context_window(model) -> int:
    return int(getattr(model, "n_ctx", 0) or SERVER_CONTEXT)


def describe(turn: Turn) -> str:
    """A turn as a request in words: the model understands "Write a poll" better than /poll."""
    if turn.kind == "rewrite":
        return f"Write a new {turn.playbook} post about the news."
    if turn.kind == "thank":
        names = ", ".join(p["name"] for p in turn.thanks) or "them"
        return f"Thank {names} for what they said."
    return turn.user


def history(turns: list[Turn]) -> list[Message]:
    """Past exchanges worth showing the model: finished ones, without thread replies."""
    out: list[Message] = []
    for turn in turns[-MAX_HISTORY_TURNS:]:
        if turn.interrupted or turn.error or not turn.answer or turn.kind in ("replies", "post"):
            continue
        out += [("human", describe(turn)), ("ai", turn.answer)]
    return out


def final_message(draft_text: str, request: str, *, question: bool) -> str:
    return prompts.render(
        "chat_turn.j2", {"draft": draft_text, "request": request, "question": question}
    )


def build_messages(
    state: ChatState,
    request: str,
    *,
    system: str,
    count: Callable[[str], int],
    budget: int,
    question: bool = False,
    shown_draft: str | None = None,
    tuned: bool = False,
) -> list[Message]:
    """System, examples, history and the final request, trimmed to `budget` tokens: the oldest
    history goes first; the examples go when nothing else fits (the tiny model needs them more
    than old turns); the system prompt, the current draft (or `shown_draft`, what the model is
    shown in its place) and the request always stay."""
    if shown_draft is None:
        shown_draft = state.draft.full_text if state.draft else ""
    final = ("human", final_message(shown_draft, request, question=question))
    examples: list[Message] = []
    for before, ask, after in [] if tuned else EXAMPLES:  # a tuned model learned the task
        examples += [("human", final_message(before, ask, question=False)), ("ai", after)]
    past = history(state.turns)

    def cost(messages: list[Message]) -> int:
        return sum(count(text) + MESSAGE_OVERHEAD for _, text in messages)

    left = budget - cost([("system", system), final])
    if cost(examples) > left:
        examples = []
    left -= cost(examples)
    kept: list[Message] = []
    for i in range(len(past) - 2, -1, -2):  # newest exchange first, human+ai pairs
        pair = past[i : i + 2]
        if cost(pair) > left:
            break
        kept = pair + kept
        left -= cost(pair)
    return [("system", system), *examples, *kept, final]
