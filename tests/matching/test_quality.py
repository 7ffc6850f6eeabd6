"""Answer quality on the labelled question sets.

The dev set tuned the thresholds and weights at first; the test set was measured and then
used to diagnose kinds of misses. Holdout, fresh and blind to blind39 were each written by
someone who saw only the article and the topic list, kept out of sight during a round of
work and measured after it; up to blind5 they were then read. blind6 to blind39 have been
measured, not read (evals/INDEX.yaml says when). diag1 to diag6 were written in hard styles to be
read: their misses were studied for kinds of errors (the chat-register changes of
2026-12-01 came from diag1 and diag2). The decision to answer is made by boosted trees
(bot/decision.py) fitted on the seventeen sets up to blind7 and diag1 to diag6, so their
figures below are in-sample and guard against regressions only; blind8 to blind39 are the
estimate for unseen questions. The trees were chosen by leaving out one of those seventeen
at a time, checked on blind8 to blind35, and adopted on blind36 and blind37, written for
that check (docs/decisions.md, 12); blind38 and blind39 measured it once more. No
set's questions were added to the knowledge base (new phrasings and gap phrasings equal to
one were dropped by a script).
The floors sit just under the figures measured when this was written:

    set       answered correctly (in scope)   held back (near miss + off topic)
    dev       100.0%                            100.0%   (read; trees fitted on it)
    test      100.0%                            100.0%   (read; trees fitted on it)
    holdout   100.0%                            100.0%   (read; trees fitted on it)
    fresh     100.0%                            100.0%   (read; trees fitted on it)
    blind      99.2%                            100.0%   (read; trees fitted on it)
    blind2     99.2%                             98.7%   (read; trees fitted on it)
    blind3    100.0%                            100.0%   (read; trees fitted on it)
    blind4    100.0%                            100.0%   (read; trees fitted on it)
    blind5    100.0%                            100.0%   (read; trees fitted on it)
    blind6    100.0%                            100.0%   (unread; trees fitted on it)
    blind7     99.2%                            100.0%   (unread; trees fitted on it)
    blind8     96.0%                            100.0%   (unread)
    blind9     94.4%                             96.0%   (unread)
    blind10    98.4%                             94.7%   (unread)
    blind11    96.0%                             90.7%   (unread)
    blind12    96.0%                             94.7%   (unread)
    blind13    93.6%                            100.0%   (unread)
    blind14    99.2%                             97.3%   (unread)
    blind15    92.8%                             96.0%   (unread)
    blind16    98.4%                             94.7%   (unread)
    blind17    97.6%                            100.0%   (unread)
    blind18    95.2%                             94.7%   (unread)
    blind19    95.2%                             94.7%   (unread)
    blind20    96.0%                             90.7%   (unread)
    blind21    98.4%                             97.3%   (unread)
    blind22    94.4%                             94.7%   (unread)
    blind23    93.6%                             98.7%   (unread)
    blind24    97.6%                             97.3%   (unread)
    blind25    95.2%                             97.3%   (unread)
    blind26    93.6%                             97.3%   (unread)
    blind27    89.6%                             97.3%   (unread)
    blind28    96.0%                            100.0%   (unread)
    blind29    89.6%                             93.3%   (unread)
    blind30    96.0%                             94.7%   (unread)
    blind31    96.8%                             97.3%   (unread)
    blind32    97.6%                             92.0%   (unread)
    blind33    96.0%                            100.0%   (unread)
    blind34    94.4%                             97.3%   (unread)
    blind35    96.0%                             97.3%   (unread)
    blind36    94.4%                            100.0%   (unread)
    blind37    95.2%                            100.0%   (unread)
    blind38    97.6%                             93.3%   (unread)
    blind39    95.2%                             96.0%   (unread)
    diag1      98.4%                            100.0%   (read: diagnosis; trees fitted on it)
    diag2      93.6%                            100.0%   (read: diagnosis; trees fitted on it)
    diag3      99.2%                            100.0%   (read: diagnosis; trees fitted on it)
    diag4      98.4%                            100.0%   (read: diagnosis; trees fitted on it)
    diag5      96.8%                            100.0%   (read: diagnosis; trees fitted on it)
    diag6      98.4%                            100.0%   (read: diagnosis; trees fitted on it)

so a regression in matching fails here. The issue's target is 95% on both counts;
docs/quality.md says where the gap is on unseen questions.
"""

from __future__ import annotations

import pytest

from bot.knowledge.loader import load_knowledge
from bot.matching.evaluation import evaluate, load_labelled
from bot.matching.matcher import Matcher
from tests.helpers import EVAL_SETS, SHIPPED

IN_SCOPE_FLOOR = {
    "dev.yaml": 0.99,
    "test.yaml": 0.99,
    "holdout.yaml": 0.99,
    "fresh.yaml": 0.99,
    "blind.yaml": 0.98,
    "blind2.yaml": 0.98,
    "blind3.yaml": 0.99,
    "blind4.yaml": 0.99,
    "blind5.yaml": 0.99,
    "blind6.yaml": 0.99,
    "blind7.yaml": 0.98,
    "blind8.yaml": 0.95,
    "blind9.yaml": 0.93,
    "blind10.yaml": 0.97,
    "blind11.yaml": 0.95,
    "blind12.yaml": 0.95,
    "blind13.yaml": 0.93,
    "blind14.yaml": 0.98,
    "blind15.yaml": 0.92,
    "blind16.yaml": 0.97,
    "blind17.yaml": 0.97,
    "blind18.yaml": 0.94,
    "blind19.yaml": 0.94,
    "blind20.yaml": 0.95,
    "blind21.yaml": 0.97,
    "blind22.yaml": 0.93,
    "blind23.yaml": 0.93,
    "blind24.yaml": 0.97,
    "blind25.yaml": 0.94,
    "blind26.yaml": 0.93,
    "blind27.yaml": 0.89,
    "blind28.yaml": 0.95,
    "blind29.yaml": 0.89,
    "blind30.yaml": 0.95,
    "blind31.yaml": 0.96,
    "blind32.yaml": 0.97,
    "blind33.yaml": 0.95,
    "blind34.yaml": 0.93,
    "blind35.yaml": 0.95,
    "blind36.yaml": 0.93,
    "blind37.yaml": 0.94,
    "blind38.yaml": 0.97,
    "blind39.yaml": 0.94,
    "diag1.yaml": 0.97,
    "diag2.yaml": 0.93,
    "diag3.yaml": 0.98,
    "diag4.yaml": 0.97,
    "diag5.yaml": 0.96,
    "diag6.yaml": 0.97,
}
# In-scope questions answered with the wrong entry, per set of 100-125: at most 3 since
# the trees decide (measured: 0 to 3, 52 in 6,085 pooled; 6 and 99 in 5,585 before).
MAX_WRONG_PER_SET = 3
HELD_BACK_FLOOR = {
    "dev.yaml": 0.99,
    "test.yaml": 0.99,
    "holdout.yaml": 0.99,
    "fresh.yaml": 0.99,
    "blind.yaml": 0.99,
    "blind2.yaml": 0.98,
    "blind3.yaml": 0.99,
    "blind4.yaml": 0.99,
    "blind5.yaml": 0.99,
    "blind6.yaml": 0.99,
    "blind7.yaml": 0.99,
    "blind8.yaml": 0.99,
    "blind9.yaml": 0.95,
    "blind10.yaml": 0.94,
    "blind11.yaml": 0.90,
    "blind12.yaml": 0.94,
    "blind13.yaml": 0.99,
    "blind14.yaml": 0.96,
    "blind15.yaml": 0.95,
    "blind16.yaml": 0.94,
    "blind17.yaml": 0.99,
    "blind18.yaml": 0.94,
    "blind19.yaml": 0.94,
    "blind20.yaml": 0.90,
    "blind21.yaml": 0.96,
    "blind22.yaml": 0.94,
    "blind23.yaml": 0.98,
    "blind24.yaml": 0.96,
    "blind25.yaml": 0.96,
    "blind26.yaml": 0.96,
    "blind27.yaml": 0.96,
    "blind28.yaml": 0.99,
    "blind29.yaml": 0.92,
    "blind30.yaml": 0.94,
    "blind31.yaml": 0.96,
    "blind32.yaml": 0.91,
    "blind33.yaml": 0.99,
    "blind34.yaml": 0.96,
    "blind35.yaml": 0.96,
    "blind36.yaml": 0.99,
    "blind37.yaml": 0.99,
    "blind38.yaml": 0.92,
    "blind39.yaml": 0.95,
    "diag1.yaml": 0.99,
    "diag2.yaml": 0.99,
    "diag3.yaml": 0.99,
    "diag4.yaml": 0.99,
    "diag5.yaml": 0.99,
    "diag6.yaml": 0.99,
}


@pytest.mark.parametrize("name", sorted(IN_SCOPE_FLOOR))
def test_labelled_set_meets_the_floors(name: str) -> None:
    knowledge = load_knowledge(SHIPPED)
    items = load_labelled(EVAL_SETS / name)
    report = evaluate(Matcher(knowledge).ask, items, knowledge)
    assert report.totals["in_scope"] >= 100 and report.totals["near_miss"] >= 40
    assert report.in_scope_accuracy >= IN_SCOPE_FLOOR[name], report.misses
    assert report.out_of_scope_held_back >= HELD_BACK_FLOOR[name], report.misses
    wrong = report.counts[("in_scope", "wrong")]
    assert wrong <= MAX_WRONG_PER_SET, report.confusion


def test_every_cited_quote_is_verbatim_for_every_in_scope_question() -> None:
    knowledge = load_knowledge(SHIPPED)
    article = (SHIPPED / "article.txt").read_text(encoding="utf-8")
    matcher = Matcher(knowledge)
    for item in load_labelled(EVAL_SETS / "holdout.yaml"):
        answer = matcher.ask(item.question)
        for citation in answer.citations:
            assert citation.quote in article
