"""Corpus records → the exact chat messages `draft` sends at run time, plus the target answer.

Training calls the same message builders as the product (pipeline.build_messages,
replies.generate.build_messages, chat.memory.build_messages, all with tuned=True), so the
adapter learns the format it is served with; a prompt change is a retraining change.
"""

from __future__ import annotations

import json
import zlib

from assistant.chat import memory
from assistant.config import Brand
from assistant.pipeline import build_messages, make_context
from assistant.platforms import get_platform
from assistant.playbooks import load_playbooks
from assistant.replies.classify import Classified
from assistant.replies.generate import build_messages as reply_messages
from assistant.replies.language import detect_language
from assistant.threads import Comment

Message = tuple[str, str]
PLAYBOOK_TASKS = ("question", "poll", "acknowledgement")
NO_REPLY = {"spam", "injection"}  # screened before any model call: nothing to learn


def brand_for(record: dict) -> Brand:
    """Half the records name the brand in the system prompt, half leave it out (most users
    never configure one), chosen by a stable hash so every run builds the same corpus."""
    named = zlib.crc32(record["business"].encode()) % 2 == 0
    return Brand(name=record["business"] if named else "")


def target_json(task: str, output: dict, schema: dict) -> str:
    """The answer as the grammar-constrained sampler writes it: schema key order, compact."""
    ordered = {key: output[key] for key in schema.get("properties", output) if key in output}
    return json.dumps(ordered, ensure_ascii=False)


def to_messages(record: dict) -> tuple[list[Message], str] | None:
    """(messages, target) for one record, or None when the record trains nothing."""
    task, given, output = record["task"], record["input"], record["output"]
    brand = brand_for(record)
    if task in PLAYBOOK_TASKS:
        book = _playbooks()[task]
        ctx = make_context(
            given["post"],
            platform=get_platform("x"),
            brand=brand,
            thanks=given.get("thanks") or [],
        )
        return build_messages(book, ctx, tuned=True), target_json(task, output, book.schema_)
    if task == "reply":
        if record.get("comment_kind") in NO_REPLY or output.get("reply") is None:
            return None
        comment = Comment(index=0, author=given["author"], text=given["comment"])
        item = Classified(
            comment=comment,
            kind=record.get("comment_kind", "other"),
            priority=0,
            want=None,
            language=detect_language(given["comment"]),
        )
        messages, _ = reply_messages(item, post=given["post"], brand=brand, tuned=True)
        return messages, json.dumps({"reply": output["reply"]}, ensure_ascii=False)
    if task == "edit":
        system = _chat_system(brand, given["post"])
        final = memory.final_message(given["draft"], given["request"], question=False)
        return [("system", system), ("human", final)], output["text"]
    raise ValueError(f"unknown task {task!r}")


def _chat_system(brand: Brand, post: str) -> str:
    from assistant import prompts

    brief = make_context(post, platform=get_platform("x"), brand=brand).brief
    return prompts.render(
        "chat_system.j2",
        {"brand": brand.name, "voice": brand.voice, "product": brief.product, "news": brief.news},
    )


_BOOKS: dict = {}


def _playbooks() -> dict:
    if not _BOOKS:
        _BOOKS.update(load_playbooks())
    return _BOOKS
