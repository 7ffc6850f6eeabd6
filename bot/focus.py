"""Find the question inside a chatty message.

People rarely type a bare question in chat: "hi! missed the news. when was the tour?",
"sorry if this was asked already, but who organised it?". The greeting and the apology are
words no entry knows, and the matcher rightly reads unknown words as a sign the question is
about something the article does not cover. So besides the whole message, the matcher also
scores its *focus*: each question sentence cut down to its question clause plus the clauses
that are about something the knowledge base knows ("lohum, never heard of it - what's that
company?" keeps "lohum"). A focus never drops a clause of the question itself, so "LOHUM.
what is its revenue?" is still judged on "revenue", and stays unanswered.

This module only cuts text; whether a clause "relates" is the caller's judgement.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A sentence runs up to its end mark (or a line break); the last may have none.
_SENTENCE = re.compile(r"[^.!?;\n]*[.!?;\n]+|[^.!?;\n]+$")
# Clauses inside a sentence: after a comma or colon, or around a dash.
_CLAUSE_BREAK = re.compile(r"[,:]\s|\s[-\u2013\u2014]+\s")


def clauses(sentence: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_BREAK.split(sentence) if c.strip()]


def focus(message: str, relates: Callable[[str], bool]) -> str | None:
    """The message without its unrelated clauses, or None if it has none to drop.

    A clause stays if it relates to something known, or if it is what a question sentence
    ends on (the question itself, which may be new to us: that is the point of asking).
    Question sentences stay together, so "another tour next year? where?" is not read as
    a bare "where?".
    """
    kept: list[str] = []
    dropped = False
    for sentence in _SENTENCE.findall(message):
        parts = clauses(sentence)
        last = len(parts) - 1 if "?" in sentence else -1
        for number, part in enumerate(parts):
            if number == last or relates(part):
                kept.append(part)
            else:
                dropped = True
    return " ".join(kept) if dropped and kept else None
