"""Answer quality on the labelled question sets.

The dev set tuned the thresholds and weights at first; the test set was measured and then
used to diagnose kinds of misses. Holdout, fresh and blind to blind5 were each written by
someone who saw only the article and the topic list, kept out of sight during a round of
work, measured after it, and only then read (blind6 and blind7, the newest, were measured
once and not yet read; see README).
The thresholds were last chosen on the sets read by then, pooled. No set's questions were
added to the knowledge base (new phrasings equal to one were dropped by a script). The
floors sit just under the figures measured when this was written:

    set       answered correctly (in scope)   held back (near miss + off topic)
    dev       99.1%                            96.2%
    test      94.5%                            98.8%
    holdout   97.5%                            96.2%
    fresh     94.2%                            98.8%
    blind     88.8%                            94.7%
    blind2    96.0%                            97.3%
    blind3    92.0%                            96.0%
    blind4    92.0%                            92.0%
    blind5    88.8%                            93.3%
    blind6    95.2%                            98.7%   (measured once, misses not read)
    blind7    88.8%                            94.7%   (measured once, misses not read)

so a regression in matching fails here. The issue's target is 95% on both counts; README
says where the gap is on unseen questions.
"""

from __future__ import annotations

import pytest

from bot.evaluation import evaluate, load_labelled
from bot.knowledge import load_knowledge
from bot.matcher import Matcher
from tests.helpers import DATA, SHIPPED

IN_SCOPE_FLOOR = {
    "eval-dev.yaml": 0.99,
    "eval-test.yaml": 0.94,
    "eval-holdout.yaml": 0.97,
    "eval-fresh.yaml": 0.94,
    "eval-blind.yaml": 0.88,
    "eval-blind2.yaml": 0.96,
    "eval-blind3.yaml": 0.92,
    "eval-blind4.yaml": 0.92,
    "eval-blind5.yaml": 0.88,
    "eval-blind6.yaml": 0.95,
    "eval-blind7.yaml": 0.88,
}
HELD_BACK_FLOOR = {
    "eval-dev.yaml": 0.96,
    "eval-test.yaml": 0.98,
    "eval-holdout.yaml": 0.96,
    "eval-fresh.yaml": 0.98,
    "eval-blind.yaml": 0.94,
    "eval-blind2.yaml": 0.97,
    "eval-blind3.yaml": 0.96,
    "eval-blind4.yaml": 0.92,
    "eval-blind5.yaml": 0.93,
    "eval-blind6.yaml": 0.98,
    "eval-blind7.yaml": 0.94,
}


@pytest.mark.parametrize("name", sorted(IN_SCOPE_FLOOR))
def test_labelled_set_meets_the_floors(name: str) -> None:
    knowledge = load_knowledge(SHIPPED)
    items = load_labelled(DATA / name)
    report = evaluate(Matcher(knowledge).ask, items, knowledge)
    assert report.totals["in_scope"] >= 100 and report.totals["near_miss"] >= 40
    assert report.in_scope_accuracy >= IN_SCOPE_FLOOR[name], report.misses
    assert report.out_of_scope_held_back >= HELD_BACK_FLOOR[name], report.misses
    wrong = report.counts[("in_scope", "wrong")]
    assert wrong <= 3, report.confusion


def test_every_cited_quote_is_verbatim_for_every_in_scope_question() -> None:
    knowledge = load_knowledge(SHIPPED)
    article = (SHIPPED / "article.txt").read_text(encoding="utf-8")
    matcher = Matcher(knowledge)
    for item in load_labelled(DATA / "eval-holdout.yaml"):
        answer = matcher.ask(item.question)
        for citation in answer.citations:
            assert citation.quote in article
