"""Find the question inside a chatty message.

People rarely type a bare question in chat: "hi! missed the news. when was the tour?",
"sorry if this was asked already, but who organised it?". The greeting and the apology are
words no entry knows, and the matcher rightly reads unknown words as a sign the question is
about something the article does not cover. So when a message has a question mark, the
matcher also scores its *focus*: the message without the clauses that neither relate to
something the knowledge base knows nor end a question sentence ("lohum, never heard of it -
what's that company?" keeps "lohum" and the question). A focus never drops the clause a
question ends on, so "LOHUM. what is its revenue?" is still judged on "revenue", and stays
unanswered. Without a question mark we cannot tell the question from the chatter; only the
whole message is read, which also keeps the extra work to the few messages that need it.

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
    if "?" not in message:
        return None  # no question mark: we cannot tell the question from the chatter
    sentences = [(clauses(sentence), "?" in sentence) for sentence in _SENTENCE.findall(message)]
    if sum(len(parts) for parts, _ in sentences) < 2:
        return None  # one clause: nothing to drop, and no need to ask ``relates``
    kept: list[str] = []
    dropped = False
    for parts, is_question in sentences:
        last = len(parts) - 1 if is_question else -1
        for number, part in enumerate(parts):
            if number == last or relates(part):
                kept.append(part)
            else:
                dropped = True
    return " ".join(kept) if dropped and kept else None
