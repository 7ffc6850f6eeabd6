"""Measuring answer quality (bot.matching.evaluation): two-question messages, small talk,
and knowledge cut the way a moderator would write it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge.loader import Knowledge, TaughtPhrasing, load_knowledge
from bot.matching.answer import Answer, MatchRef, Outcome
from bot.matching.evaluation import (
    Labelled,
    all_correct,
    cut_phrasings,
    evaluate,
    load_labelled,
)
from tests.helpers import GAPS, SHIPPED, write_small_knowledge


@pytest.fixture
def knowledge(tmp_path: Path) -> Knowledge:
    return load_knowledge(write_small_knowledge(tmp_path, gaps=GAPS))


def answered(*ids: str) -> Answer:
    """An answer of one part per id (one id: a plain answer)."""
    parts = tuple(Answer(Outcome.ANSWERED, 80.0, text=i, match=MatchRef(i, "qa")) for i in ids)
    if len(parts) == 1:
        return parts[0]
    return Answer(Outcome.ANSWERED, 80.0, text=ids[0], match=parts[0].match, parts=parts)


def always(reply: Answer) -> Callable[[str], Answer]:
    return lambda _question: reply


def test_two_ids_are_correct_only_when_both_are_answered(knowledge: Knowledge) -> None:
    expect = ("when", "who-organised")
    items = [Labelled("who organised it and when was it?", expect, "in_scope")]
    replies = {
        "both": answered("who-organised", "when"),
        "one": answered("when"),
        "one-and-wrong": answered("when", "which-companies"),
        "wrong": answered("which-companies"),
        "none": Answer(Outcome.ABSTAINED, 10.0),
    }
    verdicts = {}
    for name, reply in replies.items():
        report = evaluate(always(reply), items, knowledge)
        assert report.totals["in_scope"] == 1
        (verdict,) = [v for (kind, v), n in report.counts.items() if kind == "in_scope" and n]
        verdicts[name] = verdict
    assert verdicts == {
        "both": "correct",
        "one": "partial",
        "one-and-wrong": "wrong",
        "wrong": "wrong",
        "none": "abstained",
    }
    assert all_correct(replies["both"], expect, knowledge)
    assert not all_correct(replies["one"], expect, knowledge)


def test_a_partial_answer_is_a_miss_and_not_counted_wrong(knowledge: Knowledge) -> None:
    items = [Labelled("who organised it and when was it?", ("when", "who-organised"), "in_scope")]
    report = evaluate(lambda _q: answered("when"), items, knowledge)
    assert report.in_scope_accuracy == 0.0
    assert report.counts[("in_scope", "wrong")] == 0
    assert len(report.misses) == 1 and report.confusion == {}


def test_a_fact_the_expected_entry_cites_is_correct(knowledge: Knowledge) -> None:
    fact = Answer(Outcome.ANSWERED, 80.0, text="x", match=MatchRef("tour-dates", "fact"))
    items = [Labelled("when was it", "when", "in_scope")]
    assert evaluate(lambda _q: fact, items, knowledge).in_scope_accuracy == 1.0


def test_small_talk_is_counted_as_its_own_kind(knowledge: Knowledge) -> None:
    items = [
        Labelled("hi", None, "small_talk"),
        Labelled("thanks!", None, "small_talk"),
        Labelled("lol", None, "small_talk"),
        Labelled("what is the weather", None, "out_of_scope"),
    ]
    replies = {
        "hi": Answer(Outcome.SMALL_TALK, 0.0, reply="Hi!"),
        "thanks!": Answer(Outcome.SMALL_TALK, 0.0, reply="Hi!"),
        "lol": answered("when"),  # a fact for small talk: a miss
        "what is the weather": Answer(Outcome.ABSTAINED, 5.0),
    }
    report = evaluate(replies.__getitem__, items, knowledge)
    assert report.totals["small_talk"] == 3
    assert report.counts[("small_talk", "small_talk")] == 2
    assert report.counts[("small_talk", "answered")] == 1
    assert report.small_talk_replied == pytest.approx(2 / 3)
    # Small talk is not near-miss or off-topic: held back counts only those.
    assert report.out_of_scope_held_back == 1.0
    assert [m.question for m in report.misses] == ["lol"]
    assert report.to_json()["totals"]["small_talk"] == 3


def test_a_labelled_set_takes_two_ids_and_small_talk(tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        "- {q: 'who organised it and when?', expect: [who-organised, when], kind: in_scope}\n"
        "- {q: hi, kind: small_talk}\n"
        "- {q: when was it, expect: when}\n"
        "- {q: what is the weather}\n",
        encoding="utf-8",
    )
    items = load_labelled(labelled)
    assert [i.expect for i in items] == [("who-organised", "when"), None, "when", None]
    assert [i.kind for i in items] == ["in_scope", "small_talk", "in_scope", "out_of_scope"]


def test_cut_phrasings_keeps_at_most_n_per_entry_and_drops_taught_ones() -> None:
    shipped = load_knowledge(SHIPPED)
    lesson = TaughtPhrasing("when", "a taught way to ask when", "mod", "2026-12-06")
    taught = dataclasses.replace(shipped, taught=(lesson,))
    assert "a taught way to ask when" in taught.phrasings(taught.qas["when"])
    cut = cut_phrasings(taught, 5)
    assert cut.taught == ()
    assert any(len(qa.phrasings) > 5 for qa in shipped.qas.values())
    assert any(len(gap.phrasings) > 5 for gap in shipped.gaps.values())
    for qa_id, qa in cut.qas.items():
        assert qa.phrasings == shipped.qas[qa_id].phrasings[:5]
        assert len(cut.phrasings(qa)) <= 5
        assert (qa.question, qa.answer, qa.cites) == (
            shipped.qas[qa_id].question,
            shipped.qas[qa_id].answer,
            shipped.qas[qa_id].cites,
        )
    for gap_id, gap in cut.gaps.items():
        assert gap.phrasings == shipped.gaps[gap_id].phrasings[:5]
        assert gap.says == shipped.gaps[gap_id].says
    assert cut.facts == shipped.facts
    # The original is untouched.
    assert taught.taught == (lesson,)
    assert cut_phrasings(shipped, 1).qas["when"].phrasings == shipped.qas["when"].phrasings[:1]
