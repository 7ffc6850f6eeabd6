"""Answer quality on the labelled question sets (evals/INDEX.yaml says who wrote each,
when, and whether it was read).

The matcher is one rule over two signals (bot.matching.matcher): meaning (all-MiniLM-L6-v2)
plus wording, with fixed thresholds chosen on the "fitted" sets with full phrasings and with
every entry cut to five (bot.matching.matcher.Thresholds). The figures of those sets are in-sample and
guard against regressions only; the "unread" sets (blind8 to blind39, chat-blind1 and 2)
are the estimate for unseen questions. No set's questions were added to the knowledge base.
The floors sit a few points under the figures measured with the shipped knowledge when
the meaning + wording matcher came in (2026-12-06):

    set          in scope  held back  wrong  small talk
    dev           98.2%    97.5%    2         -   (fitted)
    test          98.2%    95.0%    2         -   (fitted)
    holdout       99.2%    95.0%    1         -   (fitted)
    fresh         98.3%    95.0%    1         -   (fitted)
    blind         96.8%    92.0%    3         -   (fitted)
    blind2        99.2%    97.3%    0         -   (fitted)
    blind3        97.6%    98.7%    2         -   (fitted)
    blind4        98.4%    96.0%    1         -   (fitted)
    blind5        98.4%    93.3%    1         -   (fitted)
    blind6        99.2%    94.7%    0         -   (fitted)
    blind7        99.2%    93.3%    1         -   (fitted)
    blind8        96.8%    97.3%    1         -   (unread)
    blind9        96.0%    93.3%    3         -   (unread)
    blind10       97.6%    96.0%    1         -   (unread)
    blind11       95.2%    88.0%    2         -   (unread)
    blind12       97.6%    96.0%    1         -   (unread)
    blind13       95.2%    96.0%    3         -   (unread)
    blind14       99.2%    96.0%    0         -   (unread)
    blind15       97.6%    96.0%    1         -   (unread)
    blind16       97.6%    94.7%    2         -   (unread)
    blind17       97.6%    97.3%    0         -   (unread)
    blind18       95.2%    94.7%    2         -   (unread)
    blind19       97.6%    96.0%    1         -   (unread)
    blind20       94.4%    90.7%    4         -   (unread)
    blind21       96.8%    97.3%    0         -   (unread)
    blind22       96.0%    97.3%    3         -   (unread)
    blind23       93.6%    93.3%    4         -   (unread)
    blind24       98.4%    97.3%    0         -   (unread)
    blind25       94.4%    96.0%    3         -   (unread)
    blind26       98.4%    86.7%    2         -   (unread)
    blind27       96.0%    96.0%    0         -   (unread)
    blind28       96.0%    98.7%    1         -   (unread)
    blind29       95.2%    96.0%    2         -   (unread)
    blind30       97.6%    93.3%    0         -   (unread)
    blind31       96.8%    92.0%    1         -   (unread)
    blind32       95.2%    89.3%    2         -   (unread)
    blind33       97.6%    97.3%    0         -   (unread)
    blind34       98.4%    94.7%    1         -   (unread)
    blind35       99.2%    97.3%    0         -   (unread)
    blind36       97.6%    94.7%    0         -   (unread)
    blind37       96.8%    96.0%    0         -   (unread)
    blind38       97.6%    86.7%    2         -   (unread)
    blind39       96.0%    94.7%    2         -   (unread)
    diag1         94.4%    96.0%    2         -   (fitted)
    diag2         94.4%    97.3%    1         -   (fitted)
    diag3         96.8%    97.3%    0         -   (fitted)
    diag4         96.0%   100.0%    2         -   (fitted)
    diag5         96.0%    93.3%    2         -   (fitted)
    diag6         94.4%    89.3%    3         -   (fitted)
    chat-dev1     92.8%    92.0%    0     80.0%   (fitted)
    chat-dev2     91.6%    92.0%    4     80.0%   (fitted)
    chat-blind1   90.5%    90.0%    1     33.3%   (unread)
    chat-blind2   90.5%    94.0%    1     53.3%   (unread)

(in scope: answered with the right entry, both entries for a two-question message; held
back: near-miss and off-topic questions not answered; wrong: in-scope questions answered
with another entry; small talk: given the small-talk reply), so a regression in matching
fails here. The issue's target is 95% on both counts; docs/quality.md says where the gap is
on unseen questions.

Knowledge as a moderator writes it has a few phrasings per entry, not the shipped hundreds:
with every Q&A and gap cut to five (``cut_phrasings``), the pooled fitted sets measured
66.6% in scope answered correctly (full: 96.9%), 95.1% held back (full: 95.1%), 4.0% of
in-scope answered wrong (full: 1.2%) and 80% of small talk replied to.
"""

from __future__ import annotations

import pytest

from bot.knowledge.loader import Knowledge, load_knowledge
from bot.matching.evaluation import Report, cut_phrasings, evaluate, load_labelled
from bot.matching.matcher import Matcher
from evals import EvalSet, load_index, sets
from tests.helpers import SHIPPED

IN_SCOPE_FLOOR = {
    "dev": 0.95,
    "test": 0.95,
    "holdout": 0.96,
    "fresh": 0.95,
    "blind": 0.93,
    "blind2": 0.96,
    "blind3": 0.94,
    "blind4": 0.95,
    "blind5": 0.95,
    "blind6": 0.96,
    "blind7": 0.96,
    "blind8": 0.93,
    "blind9": 0.93,
    "blind10": 0.94,
    "blind11": 0.92,
    "blind12": 0.94,
    "blind13": 0.92,
    "blind14": 0.96,
    "blind15": 0.94,
    "blind16": 0.94,
    "blind17": 0.94,
    "blind18": 0.92,
    "blind19": 0.94,
    "blind20": 0.91,
    "blind21": 0.93,
    "blind22": 0.93,
    "blind23": 0.90,
    "blind24": 0.95,
    "blind25": 0.91,
    "blind26": 0.95,
    "blind27": 0.93,
    "blind28": 0.93,
    "blind29": 0.92,
    "blind30": 0.94,
    "blind31": 0.93,
    "blind32": 0.92,
    "blind33": 0.94,
    "blind34": 0.95,
    "blind35": 0.96,
    "blind36": 0.94,
    "blind37": 0.93,
    "blind38": 0.94,
    "blind39": 0.93,
    "diag1": 0.91,
    "diag2": 0.91,
    "diag3": 0.93,
    "diag4": 0.93,
    "diag5": 0.93,
    "diag6": 0.91,
    "chat-dev1": 0.89,
    "chat-dev2": 0.88,
    "chat-blind1": 0.87,
    "chat-blind2": 0.87,
}
HELD_BACK_FLOOR = {
    "dev": 0.94,
    "test": 0.92,
    "holdout": 0.92,
    "fresh": 0.92,
    "blind": 0.89,
    "blind2": 0.94,
    "blind3": 0.95,
    "blind4": 0.93,
    "blind5": 0.90,
    "blind6": 0.91,
    "blind7": 0.90,
    "blind8": 0.94,
    "blind9": 0.90,
    "blind10": 0.93,
    "blind11": 0.85,
    "blind12": 0.93,
    "blind13": 0.93,
    "blind14": 0.93,
    "blind15": 0.93,
    "blind16": 0.91,
    "blind17": 0.94,
    "blind18": 0.91,
    "blind19": 0.93,
    "blind20": 0.87,
    "blind21": 0.94,
    "blind22": 0.94,
    "blind23": 0.90,
    "blind24": 0.94,
    "blind25": 0.93,
    "blind26": 0.83,
    "blind27": 0.93,
    "blind28": 0.95,
    "blind29": 0.93,
    "blind30": 0.90,
    "blind31": 0.89,
    "blind32": 0.86,
    "blind33": 0.94,
    "blind34": 0.91,
    "blind35": 0.94,
    "blind36": 0.91,
    "blind37": 0.93,
    "blind38": 0.83,
    "blind39": 0.91,
    "diag1": 0.93,
    "diag2": 0.94,
    "diag3": 0.94,
    "diag4": 0.97,
    "diag5": 0.90,
    "diag6": 0.86,
    "chat-dev1": 0.89,
    "chat-dev2": 0.89,
    "chat-blind1": 0.87,
    "chat-blind2": 0.91,
}
# Small talk given the small-talk reply, for the sets that have any (15 each).
SMALL_TALK_FLOOR = {
    "chat-dev1": 0.70,
    "chat-dev2": 0.70,
    "chat-blind1": 0.23,
    "chat-blind2": 0.43,
}
# In-scope questions answered with the wrong entry, per set of 95-125 (measured: 0 to
# 4).
MAX_WRONG_PER_SET = 5

# Every Q&A and gap cut to this many phrasings, the fitted sets pooled.
CUT_TO = 5
CUT_IN_SCOPE_FLOOR = 0.63
CUT_HELD_BACK_FLOOR = 0.92
CUT_MAX_WRONG_RATE = 0.05  # of in-scope questions
CUT_SMALL_TALK_FLOOR = 0.70

INDEX = {s.name: s for s in load_index()}


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge(SHIPPED)


@pytest.fixture(scope="module")
def matcher(knowledge: Knowledge) -> Matcher:
    return Matcher(knowledge)


@pytest.fixture(scope="module")
def cut_knowledge(knowledge: Knowledge) -> Knowledge:
    return cut_phrasings(knowledge, CUT_TO)


@pytest.fixture(scope="module")
def cut_matcher(cut_knowledge: Knowledge) -> Matcher:
    return Matcher(cut_knowledge)


def pooled(reports: list[Report]) -> Report:
    total = Report()
    for report in reports:
        total.counts.update(report.counts)
        total.totals.update(report.totals)
    return total


def test_every_set_in_the_index_has_floors() -> None:
    assert set(IN_SCOPE_FLOOR) == set(INDEX) == set(HELD_BACK_FLOOR)
    assert set(SMALL_TALK_FLOOR) == {n for n, s in INDEX.items() if s.size.get("small_talk")}


@pytest.mark.parametrize("name", list(IN_SCOPE_FLOOR))
def test_labelled_set_meets_the_floors(name: str, knowledge: Knowledge, matcher: Matcher) -> None:
    labelled: EvalSet = INDEX[name]
    items = load_labelled(labelled.file)
    report = evaluate(matcher.ask, items, knowledge)
    for kind in ("in_scope", "near_miss", "out_of_scope", "small_talk"):
        assert report.totals[kind] == labelled.size.get(kind, 0), kind
    assert report.in_scope_accuracy >= IN_SCOPE_FLOOR[name], report.misses
    assert report.out_of_scope_held_back >= HELD_BACK_FLOOR[name], report.misses
    wrong = report.counts[("in_scope", "wrong")]
    assert wrong <= MAX_WRONG_PER_SET, report.confusion
    if name in SMALL_TALK_FLOOR:
        assert report.small_talk_replied >= SMALL_TALK_FLOOR[name], report.misses


def test_knowledge_cut_to_a_few_phrasings_stays_above_its_floors(
    cut_knowledge: Knowledge, cut_matcher: Matcher
) -> None:
    assert all(len(qa.phrasings) <= CUT_TO for qa in cut_knowledge.qas.values())
    assert all(len(gap.phrasings) <= CUT_TO for gap in cut_knowledge.gaps.values())
    fitted = sets("fitted")
    assert len(fitted) >= 10
    report = pooled(
        [evaluate(cut_matcher.ask, load_labelled(s.file), cut_knowledge) for s in fitted]
    )
    assert report.in_scope_accuracy >= CUT_IN_SCOPE_FLOOR
    assert report.out_of_scope_held_back >= CUT_HELD_BACK_FLOOR
    wrong = report.counts[("in_scope", "wrong")] / report.totals["in_scope"]
    assert wrong <= CUT_MAX_WRONG_RATE
    assert report.small_talk_replied >= CUT_SMALL_TALK_FLOOR


def test_every_cited_quote_is_verbatim_for_every_in_scope_question(
    knowledge: Knowledge, matcher: Matcher
) -> None:
    article = (SHIPPED / "article.txt").read_text(encoding="utf-8")
    for name in ("holdout", "chat-dev1"):
        for item in load_labelled(INDEX[name].file):
            answer = matcher.ask(item.question)
            for part in answer.parts or (answer,):
                for citation in part.citations:
                    assert citation.quote in article, item.question
