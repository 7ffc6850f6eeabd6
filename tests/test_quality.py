"""Answer quality on the labelled question sets.

The dev set tuned the thresholds and weights at first; the test set was measured and then
used to diagnose kinds of misses. Holdout, fresh and blind to blind7 were each written by
someone who saw only the article and the topic list, kept out of sight during a round of
work, measured after it, and only then read (blind6 and blind7 were measured and not read;
blind8 and blind9, the newest, were measured before and after knowledge/gaps.yaml and not
read; see README). The thresholds were last chosen on the eleven older sets, pooled. No
set's questions were added to the knowledge base (new phrasings equal to one were dropped
by a script). The floors sit just under the figures measured when this was written:

    set       answered correctly (in scope)   held back (near miss + off topic)
    dev       98.2%                            92.5%
    test      96.4%                           100.0%
    holdout   99.2%                            98.8%
    fresh     96.7%                            97.5%
    blind     90.4%                            96.0%
    blind2    97.6%                            96.0%
    blind3    94.4%                            97.3%
    blind4    93.6%                            94.7%
    blind5    91.2%                            96.0%
    blind6    97.6%                            97.3%
    blind7    92.0%                            97.3%
    blind8    89.6%                            97.3%   (unread)
    blind9    76.0%                            96.0%   (unread)

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
    "eval-dev.yaml": 0.98,
    "eval-test.yaml": 0.96,
    "eval-holdout.yaml": 0.99,
    "eval-fresh.yaml": 0.96,
    "eval-blind.yaml": 0.90,
    "eval-blind2.yaml": 0.97,
    "eval-blind3.yaml": 0.94,
    "eval-blind4.yaml": 0.93,
    "eval-blind5.yaml": 0.91,
    "eval-blind6.yaml": 0.97,
    "eval-blind7.yaml": 0.92,
    "eval-blind8.yaml": 0.89,
    "eval-blind9.yaml": 0.76,
}
HELD_BACK_FLOOR = {
    "eval-dev.yaml": 0.92,
    "eval-test.yaml": 0.99,
    "eval-holdout.yaml": 0.98,
    "eval-fresh.yaml": 0.97,
    "eval-blind.yaml": 0.96,
    "eval-blind2.yaml": 0.96,
    "eval-blind3.yaml": 0.97,
    "eval-blind4.yaml": 0.94,
    "eval-blind5.yaml": 0.96,
    "eval-blind6.yaml": 0.97,
    "eval-blind7.yaml": 0.97,
    "eval-blind8.yaml": 0.97,
    "eval-blind9.yaml": 0.96,
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
