"""Cutting a chatty message down to its question (the matcher's *focus*)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from bot.matching.focus import clauses, focus
from bot.matching.matcher import Matcher, Thresholds
from tests.helpers import GAPS, SHIPPED, write_small_knowledge


def about_the_tour(clause: str) -> bool:
    return "tour" in clause or "lohum" in clause


def test_clauses_break_at_commas_colons_and_dashes() -> None:
    assert clauses("lohum, never heard of it - what's that: a company?") == [
        "lohum",
        "never heard of it",
        "what's that",
        "a company?",
    ]


def test_unrelated_chatter_is_dropped_and_the_question_kept() -> None:
    message = "Hi all! Sorry if this was asked already, but when was it? I missed the news"
    assert focus(message, about_the_tour) == "but when was it?"


def test_related_clauses_stay_with_the_question() -> None:
    message = "lohum, never heard of it - what's that company?"
    assert focus(message, about_the_tour) == "lohum what's that company?"


def test_question_sentences_stay_together() -> None:
    """A bare follow-up ("where?") leans on the question before it."""
    assert focus("another tour next year? where?", about_the_tour) is None


def test_nothing_to_drop_means_no_focus() -> None:
    assert focus("when was the tour?", about_the_tour) is None
    assert focus("hello there", about_the_tour) is None  # nothing would be left
    assert focus("hi all, when was the tour", about_the_tour) is None  # no question mark


@pytest.fixture
def matcher(tmp_path: Path) -> Matcher:
    # With gaps, as shipped: "cost" is everyday English, and what the article doesn't say
    # about it is known from gaps.yaml rather than from the word being unknown. The
    # thresholds are pinned above the shipped ones: with three entries, a whole message
    # that half fits one of them must stay unsure, so that the focus is what decides here.
    strict = Thresholds(answer=52, suggest=40, cut_off=0.99)
    return Matcher(load_knowledge(write_small_knowledge(tmp_path, gaps=GAPS)), strict)


def test_a_question_wrapped_in_chat_is_answered(matcher: Matcher) -> None:
    message = "Hi everyone! I missed the announcement, sorry. When was the tour?"
    assert not matcher.ask(message.replace("When was the tour?", "")).answered
    answer = matcher.ask(message)
    assert answer.answered and answer.match is not None and answer.match.id == "when"


@pytest.mark.parametrize(
    "message",
    [
        "The tour. How much did it cost?",
        "about the tour - who paid for the flights?",
        "what did the tour cost? when?",
    ],
)
def test_focus_never_drops_the_question_itself(matcher: Matcher, message: str) -> None:
    assert not matcher.ask(message).answered


def test_chatter_that_the_shipped_knowledge_half_knows_is_still_dropped() -> None:
    """With thousands of phrasings, "everyone" or "news" is in some phrasing; a clause is
    kept only if it would be answered on its own, so such chatter still goes."""
    matcher = Matcher(load_knowledge(SHIPPED))
    answer = matcher.ask("Hi everyone! I missed the news, sorry. When was the tour?")
    assert answer.answered and answer.match is not None and answer.match.id == "when"


def test_a_vague_question_clause_does_not_overrule_the_message() -> None:
    """The focus of this message is its last clause, which on its own fits some other
    entry well (which one depends on the knowledge); but the message is about Omega Seiki,
    and the whole message does not point to that entry, so the focus must not decide."""
    matcher = Matcher(load_knowledge(SHIPPED))
    alone = matcher.rank("like what do they do?")[0]
    vague = matcher.index.targets[alone.target].id
    assert vague != "omega-seiki" and alone.confidence >= matcher.thresholds.answer
    message = "sorry newbie question but what is said about omega seiki, like what do they do?"
    found = matcher.ask(message)
    assert not found.answered
    assert all(s.id != vague for s in found.suggestions)
