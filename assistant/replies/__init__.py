"""`draft replies`: classify the comments of a pasted thread and suggest a reply to each.

classify.py, screening.py and language.py are stdlib only (they run before any model loads);
generation and checking import the model stack lazily.
"""

from __future__ import annotations

from .classify import KINDS, NO_REPLY_KINDS, WANTS, Classified, classify_text, classify_thread

__all__ = ["KINDS", "NO_REPLY_KINDS", "WANTS", "Classified", "classify_text", "classify_thread"]
