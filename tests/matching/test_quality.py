"""Answer quality on the labelled question sets (evals/INDEX.yaml says who wrote each,
when, and whether it was read).

The matcher is one rule over two signals (bot.matching.matcher): meaning (all-MiniLM-L6-v2)
plus wording, with fixed thresholds chosen on the "fitted" sets with full phrasings and with
every entry cut to five (docs/matching.md). The figures of those sets are in-sample and
guard against regressions only; the "unread" sets (blind8 to blind39, chat-blind1, 2, 4, 5)
are the estimate for unseen questions. No set's questions were added to the knowledge base.
The floors sit three points under the figures measured with the shipped knowledge (small
talk: one message of fifteen under), last on 2026-12-06 after two-question messages
without a second question word and answer words as context came in (commit 903bba8); the
small-talk figures since a message naming nothing the knowledge knows but chat words is
small talk:

    set          in scope  held back  wrong  small talk
    dev            98.2%    98.8%    1          -   (fitted)
    test           96.4%    97.5%    2          -   (fitted)
    holdout        99.2%    95.0%    1          -   (fitted)
    fresh          95.8%    97.5%    1          -   (fitted)
    blind          95.2%    96.0%    3          -   (fitted)
    blind2         99.2%    98.7%    0          -   (fitted)
    blind3         96.8%    98.7%    1          -   (fitted)
    blind4         96.8%    96.0%    0          -   (fitted)
    blind5         98.4%    97.3%    1          -   (fitted)
    blind6         99.2%    94.7%    0          -   (fitted)
    blind7        100.0%    92.0%    0          -   (fitted)
    blind8         96.0%   100.0%    1          -   (unread)
    blind9         95.2%    92.0%    2          -   (unread)
    blind10        97.6%    98.7%    1          -   (unread)
    blind11        95.2%    86.7%    2          -   (unread)
    blind12        96.0%    97.3%    1          -   (unread)
    blind13        94.4%    96.0%    3          -   (unread)
    blind14        97.6%    98.7%    0          -   (unread)
    blind15        96.0%    97.3%    1          -   (unread)
    blind16        96.8%    94.7%    0          -   (unread)
    blind17        96.0%    98.7%    0          -   (unread)
    blind18        93.6%    94.7%    2          -   (unread)
    blind19        97.6%    97.3%    0          -   (unread)
    blind20        94.4%    94.7%    3          -   (unread)
    blind21        93.6%    98.7%    0          -   (unread)
    blind22        96.8%    97.3%    2          -   (unread)
    blind23        93.6%    98.7%    2          -   (unread)
    blind24        98.4%    98.7%    0          -   (unread)
    blind25        95.2%    96.0%    2          -   (unread)
    blind26        95.2%    94.7%    2          -   (unread)
    blind27        95.2%    96.0%    0          -   (unread)
    blind28        96.0%    98.7%    0          -   (unread)
    blind29        92.8%    94.7%    2          -   (unread)
    blind30        97.6%    98.7%    0          -   (unread)
    blind31        96.0%    96.0%    0          -   (unread)
    blind32        95.2%    94.7%    2          -   (unread)
    blind33        96.0%    98.7%    0          -   (unread)
    blind34        95.2%    97.3%    1          -   (unread)
    blind35        98.4%    98.7%    0          -   (unread)
    blind36        96.8%    96.0%    0          -   (unread)
    blind37        94.4%    98.7%    0          -   (unread)
    blind38        96.8%    94.7%    1          -   (unread)
    blind39        96.0%    96.0%    1          -   (unread)
    diag1          93.6%    98.7%    2          -   (fitted)
    diag2          92.8%    98.7%    1          -   (fitted)
    diag3          97.6%    98.7%    1          -   (fitted)
    diag4          95.2%   100.0%    1          -   (fitted)
    diag5          93.6%   100.0%    1          -   (fitted)
    diag6          93.6%    97.3%    3          -   (fitted)
    chat-dev1      96.9%    96.0%    0     100.0%   (fitted)
    chat-dev2      94.7%    98.0%    3      93.3%   (fitted)
    chat-blind1    95.8%    96.0%    1      93.3%   (unread)
    chat-blind2    93.7%    96.0%    2      86.7%   (unread)
    chat-blind3    95.0%   100.0%    0      85.0%   (read; 80 small talk)
    chat-blind4    97.5%   100.0%    1      77.1%   (unread; 70 small talk)
    chat-blind5    96.7%    95.0%    0      85.0%   (unread; Discord formatting)
    chat-blind6    94.4%    92.5%    1     100.0%   (read; as an unseen check is written)

(in scope: answered with the right entry, both entries for a two-question message; held
back: near-miss and off-topic questions not answered; wrong: in-scope questions answered
with another entry; small talk: given the small-talk reply), so a regression in matching
fails here. The issue's target is 95% on both counts; docs/quality.md says where the gap is
on unseen questions.

Knowledge as a moderator writes it has a few phrasings per entry, not the shipped hundreds:
with every Q&A and gap cut to five (``cut_phrasings``), the pooled fitted sets measured
68.9% in scope answered correctly (full: 96.5%), 96.7% held back (full: 97.4%), 3.9% of
in-scope answered wrong (full: 1.0%) and 93.3% of small talk replied to.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.quality import ceiling, with_typos
from bot.knowledge.loader import Knowledge, load_knowledge
from bot.matching.evaluation import (
    Labelled,
    cut_phrasings,
    evaluate,
    is_correct,
    load_labelled,
    pooled,
)
from bot.matching.matcher import Matcher
from evals import NEWTOPICS, EvalSet, add_new_topic, load_index, sets
from tests.helpers import SHIPPED, copy_shipped

IN_SCOPE_FLOOR = {
    "dev": 0.95,
    "test": 0.93,
    "holdout": 0.96,
    "fresh": 0.92,
    "blind": 0.92,
    "blind2": 0.96,
    "blind3": 0.93,
    "blind4": 0.93,
    "blind5": 0.95,
    "blind6": 0.96,
    "blind7": 0.97,
    "blind8": 0.93,
    "blind9": 0.92,
    "blind10": 0.94,
    "blind11": 0.92,
    "blind12": 0.93,
    "blind13": 0.91,
    "blind14": 0.94,
    "blind15": 0.93,
    "blind16": 0.93,
    "blind17": 0.93,
    "blind18": 0.90,
    "blind19": 0.94,
    "blind20": 0.91,
    "blind21": 0.90,
    "blind22": 0.93,
    "blind23": 0.90,
    "blind24": 0.95,
    "blind25": 0.92,
    "blind26": 0.92,
    "blind27": 0.92,
    "blind28": 0.93,
    "blind29": 0.89,
    "blind30": 0.94,
    "blind31": 0.93,
    "blind32": 0.92,
    "blind33": 0.93,
    "blind34": 0.92,
    "blind35": 0.95,
    "blind36": 0.93,
    "blind37": 0.91,
    "blind38": 0.93,
    "blind39": 0.93,
    "diag1": 0.90,
    "diag2": 0.89,
    "diag3": 0.94,
    "diag4": 0.92,
    "diag5": 0.90,
    "diag6": 0.90,
    "chat-dev1": 0.93,
    "chat-dev2": 0.91,
    "chat-blind1": 0.92,
    "chat-blind2": 0.90,
    "chat-blind3": 0.92,
    "chat-blind4": 0.94,
    "chat-blind5": 0.93,
    "chat-blind6": 0.91,
}
HELD_BACK_FLOOR = {
    "dev": 0.95,
    "test": 0.94,
    "holdout": 0.92,
    "fresh": 0.94,
    "blind": 0.93,
    "blind2": 0.95,
    "blind3": 0.95,
    "blind4": 0.93,
    "blind5": 0.94,
    "blind6": 0.91,
    "blind7": 0.89,
    "blind8": 0.97,
    "blind9": 0.89,
    "blind10": 0.95,
    "blind11": 0.83,
    "blind12": 0.94,
    "blind13": 0.93,
    "blind14": 0.95,
    "blind15": 0.94,
    "blind16": 0.91,
    "blind17": 0.95,
    "blind18": 0.91,
    "blind19": 0.94,
    "blind20": 0.91,
    "blind21": 0.95,
    "blind22": 0.94,
    "blind23": 0.95,
    "blind24": 0.95,
    "blind25": 0.93,
    "blind26": 0.91,
    "blind27": 0.93,
    "blind28": 0.95,
    "blind29": 0.91,
    "blind30": 0.95,
    "blind31": 0.93,
    "blind32": 0.91,
    "blind33": 0.95,
    "blind34": 0.94,
    "blind35": 0.95,
    "blind36": 0.93,
    "blind37": 0.95,
    "blind38": 0.91,
    "blind39": 0.93,
    "diag1": 0.95,
    "diag2": 0.95,
    "diag3": 0.95,
    "diag4": 0.97,
    "diag5": 0.97,
    "diag6": 0.94,
    "chat-dev1": 0.93,
    "chat-dev2": 0.95,
    "chat-blind1": 0.93,
    "chat-blind2": 0.93,
    "chat-blind3": 0.97,
    "chat-blind4": 0.97,
    "chat-blind5": 0.92,
    "chat-blind6": 0.89,
}
# Small talk given the small-talk reply, for the sets that have any (15 each; chat-blind3
# and 4: 80 and 70, three points under).
SMALL_TALK_FLOOR = {
    "chat-dev1": 0.93,
    "chat-dev2": 0.86,
    "chat-blind1": 0.86,
    "chat-blind2": 0.80,
    "chat-blind3": 0.82,
    "chat-blind4": 0.74,
    "chat-blind5": 0.80,
    "chat-blind6": 0.95,
}
# In-scope questions answered with the wrong entry, per set of 95-125 (measured: 0 to
# 5).
MAX_WRONG_PER_SET = 6

# Every Q&A and gap cut to this many phrasings, the fitted sets pooled.
CUT_TO = 5
CUT_IN_SCOPE_FLOOR = 0.66
CUT_HELD_BACK_FLOOR = 0.93
CUT_MAX_WRONG_RATE = 0.06  # of in-scope questions
CUT_SMALL_TALK_FLOOR = 0.86

# The fitted sets pooled, each question typed with one or two typos
# (``benchmarks.quality.with_typos``, seeded): 93.1% in scope at the seventh session's
# end, 90.5% before its spelling rules (slips, synonyms' typos, shorthand).
TYPOS_IN_SCOPE_FLOOR = 0.92
HELD_BACK_FLOOR_POOLED_TYPOS = 0.94  # 95.9% at the end, 95.8% before

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


def test_the_ranking_ceiling_bounds_what_the_decision_answers(
    cut_knowledge: Knowledge, cut_matcher: Matcher
) -> None:
    """The benchmark's ceiling counts a question when its right entry is the best target
    that answers anything, gaps passed over: never fewer than the decision answers rightly,
    and two-question messages are left out (no single target is their answer)."""
    items = load_labelled(sets("fitted")[0].file)
    right, asked = ceiling(cut_matcher, items, cut_knowledge)
    report = evaluate(cut_matcher.ask, items, cut_knowledge)
    one_question = [i for i in items if i.kind == "in_scope" and isinstance(i.expect, str)]
    assert asked == len(one_question)
    assert report.counts[("in_scope", "correct")] <= right < asked
    # A gap's own phrasing is held back, yet the ceiling asks which answer ranks first.
    question = next(iter(cut_knowledge.gaps.values())).phrasings[0]
    targets = cut_matcher.index.targets
    first = next(s for s in cut_matcher.rank(question) if targets[s.target].kind != "gap")
    answer = cut_matcher.answer_target(first.target)
    right_ids = [q for q in cut_knowledge.qas if is_correct(answer, q, cut_knowledge)]
    wrong_id = next(q for q in cut_knowledge.qas if q not in right_ids)
    assert ceiling(cut_matcher, [Labelled(question, right_ids[0], "in_scope")], cut_knowledge) == (
        1,
        1,
    )
    assert ceiling(cut_matcher, [Labelled(question, wrong_id, "in_scope")], cut_knowledge) == (
        0,
        1,
    )


def test_questions_typed_with_typos_stay_above_their_floor(
    knowledge: Knowledge, matcher: Matcher
) -> None:
    """People type with slips ("naions", "elctric", "whr"); the sets are mostly typed
    cleanly, so each question is asked again with one or two letters dropped or swapped."""
    reports = [
        evaluate(matcher.ask, with_typos(load_labelled(s.file), s.name), knowledge)
        for s in sets("fitted")
    ]
    report = pooled(reports)
    assert report.in_scope_accuracy >= TYPOS_IN_SCOPE_FLOOR
    assert report.out_of_scope_held_back >= HELD_BACK_FLOOR_POOLED_TYPOS


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


# A topic a moderator adds (evals/newtopic*: a source, its facts, four Q&As of three
# phrasings), asked in other words: measured 52.5% (newtopic), 52.5% (newtopic2) and 62.5%
# (newtopic3) of forty questions answered with the right entry (sixth session); the floor
# is one question under the lowest.
NEW_TOPIC_FLOOR = 0.5


@pytest.mark.parametrize("topic", NEWTOPICS, ids=lambda t: t.name)
def test_a_new_topic_is_answered_from_its_own_source(topic: Path, tmp_path: Path) -> None:
    """Every right answer to a question about the new topic cites the new source."""
    knowledge = load_knowledge(add_new_topic(copy_shipped(tmp_path / "knowledge"), topic))
    matcher = Matcher(knowledge)
    items = load_labelled(topic / "questions.yaml")
    assert evaluate(matcher.ask, items, knowledge).in_scope_accuracy >= NEW_TOPIC_FLOOR
    (source,) = [path.stem for path in (topic / "sources").glob("*.md")]
    for item in items:
        answer = matcher.ask(item.question)
        if isinstance(item.expect, str) and is_correct(answer, item.expect, knowledge):
            assert {c.source for c in answer.citations} == {source}, item.question
