"""What every front end accepts as a question (bot.matching.questions)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.matching.questions import (
    MAX_QUESTION_CHARS,
    QuestionError,
    clean_message,
    clean_question,
)


def test_a_message_keeps_its_line_breaks_and_folds_the_rest() -> None:
    assert clean_message("  when   was it \n\n\t where\twas it  \n") == "when was it\nwhere was it"


def test_a_question_is_one_line() -> None:
    assert clean_question("  when   was it \n where was it ") == "when was it where was it"


@pytest.mark.parametrize("clean", [clean_message, clean_question])
def test_empty_and_overlong_questions_are_refused(clean: Callable[[str], str]) -> None:
    with pytest.raises(QuestionError) as empty:
        clean(" \n\t \n")
    assert empty.value.empty
    with pytest.raises(QuestionError, match=f"under {MAX_QUESTION_CHARS}"):
        clean("why " * 200)
