"""The matcher's decisions on the small knowledge base, and its building blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import Outcome
from bot.knowledge import load_knowledge
from bot.matcher import Matcher, Thresholds, complete
from bot.textnorm import Normaliser
from tests.helpers import write_small_knowledge


@pytest.fixture
def matcher(tmp_path: Path) -> Matcher:
    return Matcher(load_knowledge(write_small_knowledge(tmp_path)))


def test_normalisation_folds_case_punctuation_accents_plurals_and_synonyms() -> None:
    normaliser = Normaliser({"EV": "electric vehicle", "2W": "two-wheeler"})
    assert normaliser.normalise("Which EV?! Café’s 2W batteries") == (
        "which electric vehicle cafe two wheeler battery"
    )


def test_answers_paraphrase_with_citation(matcher: Matcher) -> None:
    answer = matcher.ask("Who organized the tour?")
    assert answer.outcome is Outcome.ANSWERED
    assert answer.match is not None and answer.match.id == "who-organised"
    assert answer.citations and "Asia LEDS Partnership" in answer.citations[0].quote
    assert 0 <= answer.confidence <= 100


def test_typos_are_corrected(matcher: Matcher) -> None:
    answer = matcher.ask("wich companies did they vist")
    assert answer.answered and answer.match is not None and answer.match.id == "which-companies"


@pytest.mark.parametrize(
    "question",
    ["what is the price of a Tata Nexon", "hi", "thanks!", "how much did the tour cost", "???"],
)
def test_abstains_when_the_question_asks_about_unknown_things(
    matcher: Matcher, question: str
) -> None:
    answer = matcher.ask(question)
    assert answer.outcome is not Outcome.ANSWERED
    assert answer.text is None and answer.citations == () and answer.match is None


def test_unsure_offers_suggestions_instead_of_guessing(tmp_path: Path) -> None:
    knowledge = load_knowledge(write_small_knowledge(tmp_path))
    strict = Matcher(knowledge, Thresholds(answer=101, suggest=30))  # never sure enough
    answer = strict.ask("when was the tour")
    assert answer.outcome is Outcome.SUGGESTED
    assert 1 <= len(answer.suggestions) <= 3
    assert answer.suggestions[0].id == "when"
    assert len({s.id for s in answer.suggestions}) == len(answer.suggestions)


def test_answer_by_id_and_autocomplete(matcher: Matcher) -> None:
    answer = matcher.answer_id("which-companies")
    assert answer is not None and answer.text == "LOHUM and Omega Seiki Mobility."
    assert matcher.answer_id("nope") is None
    assert complete(matcher, "who org")[0].id == "who-organised"
    assert len(complete(matcher, "", limit=2)) == 2


def test_fact_can_answer_directly(matcher: Matcher) -> None:
    answer = matcher.ask("Participants visited LOHUM and Omega Seiki Mobility")
    assert answer.answered and answer.match is not None
    assert answer.match.id in ("companies", "which-companies")
