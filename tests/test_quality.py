"""Answer quality on the labelled question sets.

The dev set tuned the thresholds; the test set is only measured; both were written
without looking at the knowledge base's phrasings, and none of their questions were
added to it. The floors sit just under the figures measured when this was written (dev
85.5%, test 75.5% answered correctly; 98.8% / 100% of near-miss and off-topic questions
held back; no wrong answers), so a regression in matching fails here. The issue's
target is 95% answered correctly; README says where the gap is.
"""

from __future__ import annotations

import pytest

from bot.evaluation import evaluate, load_labelled
from bot.knowledge import load_knowledge
from bot.matcher import Matcher
from tests.helpers import DATA, SHIPPED

IN_SCOPE_FLOOR = {"eval-dev.yaml": 0.84, "eval-test.yaml": 0.74}
HELD_BACK_FLOOR = 0.97


@pytest.mark.parametrize("name", ["eval-dev.yaml", "eval-test.yaml"])
def test_labelled_set_meets_the_targets(name: str) -> None:
    knowledge = load_knowledge(SHIPPED)
    items = load_labelled(DATA / name)
    report = evaluate(Matcher(knowledge).ask, items, knowledge)
    assert report.totals["in_scope"] >= 100 and report.totals["near_miss"] >= 40
    assert report.in_scope_accuracy >= IN_SCOPE_FLOOR[name], report.misses
    assert report.out_of_scope_held_back >= HELD_BACK_FLOOR, report.misses
    wrong = report.counts[("in_scope", "wrong")]
    assert wrong <= 1, report.confusion


def test_every_cited_quote_is_verbatim_for_every_in_scope_question() -> None:
    knowledge = load_knowledge(SHIPPED)
    article = (SHIPPED / "article.txt").read_text(encoding="utf-8")
    matcher = Matcher(knowledge)
    for item in load_labelled(DATA / "eval-test.yaml"):
        answer = matcher.ask(item.question)
        for citation in answer.citations:
            assert citation.quote in article
