"""What every front end accepts as a question (bot.matching.questions)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.matching.questions import (
    MAX_MESSAGE_CHARS,
    MAX_QUESTION_CHARS,
    QuestionError,
    clean_message,
    clean_question,
)


def test_a_message_keeps_its_line_breaks_and_folds_the_rest() -> None:
    assert clean_message("  when   was it \n\n\t where\twas it  \n") == "when was it\nwhere was it"


def test_a_question_is_one_line() -> None:
    assert clean_question("  when   was it \n where was it ") == "when was it where was it"


@pytest.mark.parametrize(
    ("clean", "limit"), [(clean_message, MAX_MESSAGE_CHARS), (clean_question, MAX_QUESTION_CHARS)]
)
def test_empty_and_overlong_questions_are_refused(clean: Callable[[str], str], limit: int) -> None:
    with pytest.raises(QuestionError) as empty:
        clean(" \n\t \n")
    assert empty.value.empty
    assert clean("w" * limit) == "w" * limit
    with pytest.raises(QuestionError, match=f"is {limit + 1} characters long.*under {limit}"):
        clean("w" * (limit + 1))


def test_a_message_may_be_as_long_as_discord_allows() -> None:
    """Discord sends up to 2,000 characters (4,000 with Nitro); a long message is mostly
    preamble around a question, and is read, not refused. A phrasing stays short."""
    assert MAX_MESSAGE_CHARS == 2000 and MAX_QUESTION_CHARS == 500
    preamble = "so i was reading about this study tour on my phone yesterday and " * 20
    assert len(clean_message(preamble + "who organised it?")) > MAX_QUESTION_CHARS
