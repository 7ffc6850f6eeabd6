"""What counts as a question we are willing to look at, for every front end alike."""

from __future__ import annotations

MAX_QUESTION_CHARS = 500


class QuestionError(ValueError):
    """A question we refuse before matching; the message is shown to the user as is."""

    def __init__(self, message: str, *, empty: bool = False) -> None:
        super().__init__(message)
        self.empty = empty


def clean_question(text: str) -> str:
    question = " ".join(text.split())
    if not question:
        raise QuestionError("the question is empty", empty=True)
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(question)} characters long; "
            f"please keep it under {MAX_QUESTION_CHARS}"
        )
    return question
