"""Reading a chat message as the questions it asks (bot.matching.message)."""

from __future__ import annotations

from bot.matching.message import (
    MAX_PARTS,
    coordinated_parts,
    looks_like_question,
    question_parts,
    readings,
)


def test_a_bare_question_is_read_once() -> None:
    assert readings("when was the tour") == ["when was the tour"]
    assert question_parts("when was the tour") == ["when was the tour"]


def test_the_whole_message_comes_first_with_its_spacing_folded() -> None:
    found = readings("  hey,   quick one:\n who organised it?  ")
    assert found[0] == "hey, quick one: who organised it?"


def test_a_preamble_is_dropped_from_the_question_part() -> None:
    assert question_parts("hey, quick one: who organised it?") == ["who organised it"]
    assert readings("hey, quick one: who organised it?") == [
        "hey, quick one: who organised it?",
        "who organised it",
    ]
    assert question_parts("thanks! and where was it?") == ["and where was it"]


def test_and_before_a_question_word_starts_a_second_question() -> None:
    assert question_parts("who organised it and when was it?") == [
        "who organised it",
        "when was it",
    ]
    assert readings("who organised it and when was it?") == [
        "who organised it and when was it?",
        "who organised it",
        "when was it",
    ]
    assert question_parts("where was it & how long did it last?") == [
        "where was it",
        "how long did it last",
    ]


def test_which_ones_after_a_count_asks_which_of_what_was_counted() -> None:
    """ "which ones" names nothing; after "how many countries" it asks which countries."""
    assert question_parts("how many countries went and which ones?") == [
        "how many countries went",
        "which countries",
    ]
    assert question_parts("how many nations took part, and which ones were they") == [
        "how many nations took part",
        "which nations were they",
    ]
    assert question_parts("how many companies did they visit? which ones?") == [
        "how many companies did they visit",
        "which companies",
    ]
    assert coordinated_parts("how many countries + which ones") == [
        "how many countries",
        "which countries",
    ]
    # Only after a count: "when" stays "when", and "which ones" alone is left as it is.
    assert question_parts("who organised it and when") == ["who organised it", "when"]
    assert question_parts("which ones?") == ["which ones"]


def test_and_inside_a_question_does_not_split_it() -> None:
    assert question_parts("which countries and companies took part?") == [
        "which countries and companies took part"
    ]


def test_a_question_is_also_cut_at_a_bare_and() -> None:
    """Chat asks two things without a second question word; the pieces are extra readings
    (the matcher decides whether they add an answer)."""
    assert coordinated_parts("date and venue?") == ["date", "venue"]
    assert coordinated_parts("tldr and also the dates pls") == ["tldr", "the dates pls"]
    assert readings("date and venue?") == ["date and venue?", "date", "venue"]
    # Not in chatter around a question, and not in a message with no "and".
    assert coordinated_parts("thanks and bye. when was it?") == []
    assert coordinated_parts("when was the tour?") == []


def test_chatter_alone_has_no_question_part() -> None:
    assert question_parts("ok cool") == []
    assert readings("ok cool") == ["ok cool"]
    assert question_parts("great article, cheers.") == []


def test_at_most_max_parts_are_read() -> None:
    message = " ".join(f"question number {n}?" for n in range(MAX_PARTS + 4))
    parts = question_parts(message)
    assert len(parts) == MAX_PARTS
    assert parts == [f"question number {n}" for n in range(MAX_PARTS)]
    assert len(readings(message)) == MAX_PARTS + 1


def test_a_part_equal_to_the_whole_is_not_read_twice() -> None:
    assert readings("who organised it") == ["who organised it"]


def test_what_looks_like_a_question() -> None:
    assert looks_like_question("for how many days")
    assert looks_like_question("the dates?")
    assert not looks_like_question("great article")


def test_a_line_break_ends_a_question() -> None:
    """Chat ends a question with Enter as often as with "?": each line is read on its own,
    and the whole message (first reading) is one line."""
    assert readings("when was the tour\nwhere was it") == [
        "when was the tour where was it",
        "when was the tour",
        "where was it",
    ]
    assert question_parts("hey all\nwhen was the tour\nwho organised it") == [
        "when was the tour",
        "who organised it",
    ]


def test_listed_questions_are_read_without_their_markers() -> None:
    assert question_parts("- which countries went\n- what companies did they visit") == [
        "which countries went",
        "what companies did they visit",
    ]
    assert question_parts("2 qs: 1) when 2) where") == ["when", "where"]
    assert question_parts("two things:\n1. when was it\n2. where was it") == [
        "when was it",
        "where was it",
    ]
    # A number in brackets inside a question does not cut it.
    assert readings("was it (2) days?") == ["was it (2) days?"]


def test_links_and_emoji_names_are_not_read_as_words() -> None:
    """A link's words ("…/ev-tour-india") and an emoji's name (":thinking:") say nothing
    about what is asked, and a "?" inside a link does not end a question."""
    assert readings("see https://example.org/ev-tour-india?ref=1, where was it?") == [
        "see where was it?"
    ]
    assert readings("www.example.org/news when was it") == ["when was it"]
    assert readings("what is lohum :thinking: :+1:") == ["what is lohum"]
    # Not a time of day, and not a message that is nothing but a link.
    assert readings("was it at 10:30:00") == ["was it at 10:30:00"]
    assert readings("https://example.org") == ["https://example.org"]
