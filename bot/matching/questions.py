"""What counts as a question we are willing to look at, for every front end alike."""

from __future__ import annotations

# A phrasing, or a question a moderator adds: one question, worded once.
MAX_QUESTION_CHARS = 500
# A message asked in chat: Discord's own limit for a message (Nitro's 4,000 is refused
# with a reason). Long messages are mostly preamble around a question or two, and one at
# the limit is read in under 30 ms (benchmarks/long_messages.py, docs/benchmarks.md).
MAX_MESSAGE_CHARS = 2000


class QuestionError(ValueError):
    """A question we refuse before matching; the message is shown to the user as is."""

    def __init__(self, message: str, *, empty: bool = False) -> None:
        super().__init__(message)
        self.empty = empty


def clean_question(text: str) -> str:
    """One line of text (a phrasing, a question typed on a command line): its whitespace
    folded to single spaces, refused if empty or too long."""
    return _checked(" ".join(text.split()), MAX_QUESTION_CHARS)


def clean_message(text: str) -> str:
    """A chat message as asked: each line's whitespace folded and blank lines dropped, but
    its line breaks kept. In Discord a line break ends a sentence as a question mark does
    ("when was the tour⏎where was it" asks two things), and ``bot.matching.message``
    reads it so; folded into one line, it would be one question no entry answers."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return _checked("\n".join(line for line in lines if line), MAX_MESSAGE_CHARS)


def _checked(question: str, limit: int) -> str:
    if not question:
        raise QuestionError("the question is empty", empty=True)
    if len(question) > limit:
        raise QuestionError(
            f"the question is {len(question)} characters long; please keep it under {limit}"
        )
    return question
