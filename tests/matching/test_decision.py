"""The boosted trees that decide whether to answer, and with which candidate."""

from __future__ import annotations

import copy
import json
import math
import tomllib
from typing import Any

import pytest

from bot.knowledge.loader import load_knowledge
from bot.matching.decision import (
    FEATURES,
    TREES_FILE,
    Candidate,
    Trees,
    TreesError,
    compile_trees,
    features,
    shipped_trees,
)
from bot.matching.matcher import Matcher
from tests.helpers import ROOT, SHIPPED

CONFIDENCE = FEATURES.index("confidence")
GAP_FIRST = FEATURES.index("gap_first")


def stump(cut_off: float = 0.5) -> dict[str, Any]:
    """One split: log-odds +2 at a confidence over 0.5, -2 at or under it, then -1 more
    when a gap ranks first."""
    return {
        "features": list(FEATURES),
        "cut_off": cut_off,
        "baseline": 0.0,
        "trees": [
            {
                "feature": [CONFIDENCE, -1, -1],
                "threshold": [0.5, 0.0, 0.0],
                "left": [1, 0, 0],
                "right": [2, 0, 0],
                "value": [0.0, -2.0, 2.0],
            },
            {
                "feature": [GAP_FIRST, -1, -1],
                "threshold": [0.5, 0.0, 0.0],
                "left": [1, 0, 0],
                "right": [2, 0, 0],
                "value": [0.0, 0.0, -1.0],
            },
        ],
    }


def qa(answer: str, confidence: float) -> Candidate:
    return Candidate("qa", answer, confidence, confidence, 1.0)


def gap(confidence: float) -> Candidate:
    return Candidate("gap", None, confidence, confidence, 1.0)


def test_compiled_trees_add_up_the_leaves_they_reach() -> None:
    trees = compile_trees(stump())
    vector = [0.0] * len(FEATURES)
    vector[CONFIDENCE] = 0.7
    assert trees.score(vector) == 2.0
    vector[GAP_FIRST] = 1.0
    assert trees.score(vector) == 1.0
    assert trees.probability(vector) == pytest.approx(1 / (1 + math.exp(-1.0)))
    vector[CONFIDENCE] = 0.5  # at the threshold: left
    assert trees.score(vector) == -3.0
    assert Trees(lambda v: -1e6, 0.5).probability(vector) == pytest.approx(0.0)


def test_features_count_one_answer_once_and_see_the_gap() -> None:
    fact = Candidate("fact", "when", 70.0, 75.0, 0.9)  # cites the "when" Q&A
    ranked = [gap(80.0), qa("when", 72.0), fact, qa("where", 60.0)]
    found = features(ranked)
    assert [position for position, _ in found] == [1, 3]
    first = dict(zip(FEATURES, found[0][1], strict=True))
    assert first["confidence"] == 0.72 and first["lead"] == pytest.approx(0.12)
    assert first["gap_lead"] == pytest.approx(0.08) and first["gap_first"] == 1.0
    assert first["first"] == 1.0 and first["behind_top"] == pytest.approx(0.08)
    second = dict(zip(FEATURES, found[1][1], strict=True))
    assert second["second"] == 1.0 and second["lead"] == pytest.approx(-0.12)
    assert features([gap(50.0)]) == []


def test_choose_takes_the_likeliest_candidate_over_the_cut_off_and_floor() -> None:
    trees = compile_trees(stump(cut_off=0.8))
    ranked = [qa("when", 90.0), qa("where", 30.0)]
    assert trees.choose(ranked, floor=30.0) == 0
    assert trees.choose(ranked, floor=95.0) is None  # under the floor, never answered
    assert trees.choose([gap(95.0), qa("when", 90.0)], floor=30.0) is None  # 1.0 -> 0.73
    assert trees.choose([gap(95.0), qa("when", 90.0)], floor=30.0, cut_off=0.7) == 1
    assert trees.choose([qa("when", 40.0)], floor=30.0) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(features=["confidence"]), "other features"),
        (lambda d: d["trees"][0]["threshold"].__setitem__(0, "__import__('os')"), "a number"),
        (lambda d: d["trees"][0]["value"].__setitem__(1, float("nan")), "a number"),
        (lambda d: d["trees"][0]["left"].__setitem__(0, 7), "bad node"),
        (lambda d: d["trees"][0]["feature"].__setitem__(0, 99), "bad feature"),
        (lambda d: d["trees"][1].pop("right"), "missing"),
        (lambda d: d["trees"][1]["value"].pop(), "differ in length"),
        (lambda d: d.update(trees=[]), "no trees"),
        (lambda d: d.pop("cut_off"), "cut_off"),
    ],
)
def test_a_broken_trees_file_is_refused_with_the_reason(change: Any, reason: str) -> None:
    data = copy.deepcopy(stump())
    change(data)
    with pytest.raises(TreesError, match=reason):
        compile_trees(data)


def test_the_shipped_trees_are_the_features_the_bot_computes() -> None:
    data = json.loads(TREES_FILE.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and 0 < data["cut_off"] < 1
    assert shipped_trees() is shipped_trees()  # compiled once per process
    # A wheel (the Docker image installs one) carries them as package data.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert TREES_FILE.name in project["tool"]["setuptools"]["package-data"]["bot.matching"]


def test_a_gap_edging_ahead_does_not_stop_an_entry_that_knows_the_question() -> None:
    """Under the old rule a gap ranked first always meant "the article doesn't say"; the
    trees weigh how far ahead it is and how well the runner-up covers the question."""
    matcher = Matcher(load_knowledge(SHIPPED))
    question = "is omega seiki a scooter maker or what"
    ranked = matcher.rank(question)
    assert matcher.index.targets[ranked[0].target].kind == "gap"  # precondition
    found = matcher.ask(question)
    assert found.answered and found.match is not None and found.match.id == "omega-seiki"
    # Far behind a gap, the trees do not answer: the article does not say the cost.
    cost = matcher.ask("how much did the tour cost?")
    assert not cost.answered and cost.note is not None
