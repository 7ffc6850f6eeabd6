"""Answer quality on the labelled question sets.

The dev set tuned the thresholds and weights at first; the test set was measured and then
used to diagnose kinds of misses. Holdout, fresh and blind to blind35 were each written by
someone who saw only the article and the topic list, kept out of sight during a round of
work and measured after it; up to blind5 they were then read. blind6 to blind35 have been
measured, not read (see README for when). diag1 to diag6 were written in hard styles to be
read: their misses were studied for kinds of errors (the chat-register changes of
2026-12-01 came from diag1 and diag2; diag5 and diag6, quiz and fact-check styles, led to
a change that its final check did not confirm, so it was not kept). The thresholds were
the best balance (the higher of the two figures' minimum) pooled over all the sets after
gaps round 3, checked on blind24 and blind25; the usage rerank and margin 1 were chosen on
the read sets and checked on blind26 and blind27 before those were added
(tests/data/DECISIONS.md). No set's questions were added to the knowledge base (new
phrasings and gap phrasings equal to one were dropped by a script).
The floors sit just under the figures measured when this was written:

    set       answered correctly (in scope)   held back (near miss + off topic)
    dev        98.2%                             95.0%
    test       99.1%                             92.5%
    holdout    99.2%                             98.8%
    fresh      96.7%                             96.2%
    blind      96.8%                             93.3%
    blind2     98.4%                             96.0%
    blind3     98.4%                             96.0%
    blind4     97.6%                             96.0%
    blind5     96.8%                             96.0%
    blind6     98.4%                             97.3%   (unread)
    blind7     96.0%                             93.3%   (unread)
    blind8     95.2%                             98.7%   (unread)
    blind9     92.8%                             94.7%   (unread)
    blind10    98.4%                             96.0%   (unread)
    blind11    91.2%                             96.0%   (unread)
    blind12    93.6%                             94.7%   (unread)
    blind13    92.8%                            100.0%   (unread)
    blind14    99.2%                             97.3%   (unread)
    blind15    90.4%                             97.3%   (unread)
    blind16    97.6%                             97.3%   (unread)
    blind17    96.0%                             98.7%   (unread)
    blind18    93.6%                             94.7%   (unread)
    blind19    94.4%                             94.7%   (unread)
    blind20    95.2%                             93.3%   (unread)
    blind21    96.0%                             92.0%   (unread)
    blind22    94.4%                             94.7%   (unread)
    blind23    90.4%                             97.3%   (unread)
    blind24    96.0%                             98.7%   (unread)
    blind25    91.2%                             97.3%   (unread)
    blind26    93.6%                             96.0%   (unread)
    blind27    91.2%                             96.0%   (unread)
    blind28    95.2%                            100.0%   (unread)
    blind29    88.0%                             93.3%   (unread)
    blind30    96.0%                             93.3%   (unread)
    blind31    96.0%                             96.0%   (unread)
    blind32    96.8%                             96.0%   (unread)
    blind33    94.4%                             97.3%   (unread)
    blind34    95.2%                             97.3%   (unread)
    blind35    94.4%                             98.7%   (unread)
    diag1      91.2%                             98.7%   (read: diagnosis)
    diag2      88.8%                            100.0%   (read: diagnosis)
    diag3      96.8%                            100.0%   (read: diagnosis)
    diag4      93.6%                             98.7%   (read: diagnosis)
    diag5      88.0%                             96.0%   (read: diagnosis)
    diag6      88.0%                             94.7%   (read: diagnosis)

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
    "eval-dev.yaml": 0.97,
    "eval-test.yaml": 0.98,
    "eval-holdout.yaml": 0.98,
    "eval-fresh.yaml": 0.96,
    "eval-blind.yaml": 0.96,
    "eval-blind2.yaml": 0.97,
    "eval-blind3.yaml": 0.97,
    "eval-blind4.yaml": 0.97,
    "eval-blind5.yaml": 0.96,
    "eval-blind6.yaml": 0.97,
    "eval-blind7.yaml": 0.95,
    "eval-blind8.yaml": 0.94,
    "eval-blind9.yaml": 0.92,
    "eval-blind10.yaml": 0.97,
    "eval-blind11.yaml": 0.90,
    "eval-blind12.yaml": 0.93,
    "eval-blind13.yaml": 0.92,
    "eval-blind14.yaml": 0.98,
    "eval-blind15.yaml": 0.89,
    "eval-blind16.yaml": 0.97,
    "eval-blind17.yaml": 0.95,
    "eval-blind18.yaml": 0.93,
    "eval-blind19.yaml": 0.93,
    "eval-blind20.yaml": 0.94,
    "eval-blind21.yaml": 0.95,
    "eval-blind22.yaml": 0.93,
    "eval-blind23.yaml": 0.89,
    "eval-blind24.yaml": 0.95,
    "eval-blind25.yaml": 0.90,
    "eval-blind26.yaml": 0.93,
    "eval-blind27.yaml": 0.90,
    "eval-blind28.yaml": 0.94,
    "eval-blind29.yaml": 0.87,
    "eval-blind30.yaml": 0.95,
    "eval-blind31.yaml": 0.95,
    "eval-blind32.yaml": 0.96,
    "eval-blind33.yaml": 0.93,
    "eval-blind34.yaml": 0.94,
    "eval-blind35.yaml": 0.93,
    "eval-diag1.yaml": 0.90,
    "eval-diag2.yaml": 0.88,
    "eval-diag3.yaml": 0.96,
    "eval-diag4.yaml": 0.93,
    "eval-diag5.yaml": 0.87,
    "eval-diag6.yaml": 0.87,
}
# In-scope questions answered with the wrong entry, per set of 100-125: at most 6 since the
# margin went to 1 with the usage rerank (measured: 0 to 6, 88 in 5,335 pooled; 5 before),
# except in diag6, written to check claims the way fact-checkers do (8: "Confirm: it was a
# two-day visit" reads as "when" to the matcher; kept as found, see README).
MAX_WRONG_PER_SET = 6
MAX_WRONG = {"eval-diag6.yaml": 8}
HELD_BACK_FLOOR = {
    "eval-dev.yaml": 0.94,
    "eval-test.yaml": 0.92,
    "eval-holdout.yaml": 0.98,
    "eval-fresh.yaml": 0.95,
    "eval-blind.yaml": 0.92,
    "eval-blind2.yaml": 0.95,
    "eval-blind3.yaml": 0.95,
    "eval-blind4.yaml": 0.95,
    "eval-blind5.yaml": 0.95,
    "eval-blind6.yaml": 0.96,
    "eval-blind7.yaml": 0.92,
    "eval-blind8.yaml": 0.98,
    "eval-blind9.yaml": 0.94,
    "eval-blind10.yaml": 0.95,
    "eval-blind11.yaml": 0.95,
    "eval-blind12.yaml": 0.94,
    "eval-blind13.yaml": 0.99,
    "eval-blind14.yaml": 0.96,
    "eval-blind15.yaml": 0.96,
    "eval-blind16.yaml": 0.96,
    "eval-blind17.yaml": 0.98,
    "eval-blind18.yaml": 0.94,
    "eval-blind19.yaml": 0.94,
    "eval-blind20.yaml": 0.92,
    "eval-blind21.yaml": 0.91,
    "eval-blind22.yaml": 0.94,
    "eval-blind23.yaml": 0.96,
    "eval-blind24.yaml": 0.98,
    "eval-blind25.yaml": 0.96,
    "eval-blind26.yaml": 0.95,
    "eval-blind27.yaml": 0.95,
    "eval-blind28.yaml": 0.99,
    "eval-blind29.yaml": 0.92,
    "eval-blind30.yaml": 0.92,
    "eval-blind31.yaml": 0.95,
    "eval-blind32.yaml": 0.95,
    "eval-blind33.yaml": 0.96,
    "eval-blind34.yaml": 0.96,
    "eval-blind35.yaml": 0.98,
    "eval-diag1.yaml": 0.98,
    "eval-diag2.yaml": 0.99,
    "eval-diag3.yaml": 0.99,
    "eval-diag4.yaml": 0.98,
    "eval-diag5.yaml": 0.95,
    "eval-diag6.yaml": 0.94,
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
    assert wrong <= MAX_WRONG.get(name, MAX_WRONG_PER_SET), report.confusion


def test_every_cited_quote_is_verbatim_for_every_in_scope_question() -> None:
    knowledge = load_knowledge(SHIPPED)
    article = (SHIPPED / "article.txt").read_text(encoding="utf-8")
    matcher = Matcher(knowledge)
    for item in load_labelled(DATA / "eval-holdout.yaml"):
        answer = matcher.ask(item.question)
        for citation in answer.citations:
            assert citation.quote in article
