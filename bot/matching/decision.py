"""Whether to answer, and with which candidate: boosted trees over the matcher's scores.

Fixed rules (answer at a confidence of 40, only with a lead of one point, never when a gap
ranks first) look at the confidence alone, not at how it was made. Yet a gap that wins by
a point on a question whose words the runner-up knows as well is usually the runner-up's
question, and a lead of a point means more when coverage is full than when it is half.
Small gradient-boosted trees, fitted offline on the read question sets
(``tools/train_decision.py``; docs/decisions.md, 12), weigh all of it: for each of
the best few candidates, the chance that answering with it is right. The trees ship as
data (``decision_trees.json``) and are compiled to plain Python once, so the bot needs
nothing beyond the standard library to use them.

The features are scores, never words or entry ids, so the trees keep working when
moderators edit the knowledge.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TREES_FILE = Path(__file__).with_name("decision_trees.json")

# How far down the ranking the features look (for gaps and rivals), and how many of the
# answerable candidates there are scored.
LOOK_DOWN = 8
CANDIDATES = 3

FEATURES = (
    "confidence",
    "similarity",
    "coverage",
    "usage",  # what the usage rerank (and a miscount) took off similarity x coverage
    "lead",  # over the best candidate that gives another answer
    "gap_lead",  # of the best gap over this candidate
    "gap_first",
    "is_fact",
    "first",
    "second",
    "exact",  # a phrasing written exactly as asked
    "behind_top",  # how far below whatever ranks first, gaps included
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the trees see of one ranked target."""

    kind: str  # "qa", "fact" or "gap"
    answer: str | None  # the Q&A it answers with (a fact's first citing Q&A); None for a gap
    confidence: float
    similarity: float
    coverage: float


def features(ranked: Sequence[Candidate]) -> list[tuple[int, list[float]]]:
    """The feature vectors of the best few answerable candidates, with their positions.

    Candidates that give the same answer (a Q&A and a fact it cites) count once, at the
    better-ranked of them.
    """
    ranked = ranked[:LOOK_DOWN]
    answerable: list[tuple[int, Candidate]] = []
    seen: set[str | None] = set()
    for position, candidate in enumerate(ranked):
        if candidate.kind != "gap" and candidate.answer not in seen:
            seen.add(candidate.answer)
            answerable.append((position, candidate))
    gap = max((c.confidence for c in ranked if c.kind == "gap"), default=0.0)
    gap_first = 1.0 if ranked and ranked[0].kind == "gap" else 0.0
    top = ranked[0].confidence if ranked else 0.0
    vectors = []
    for order, (position, c) in enumerate(answerable[:CANDIDATES]):
        rival = max((o.confidence for _, o in answerable if o.answer != c.answer), default=0.0)
        vectors.append(
            (
                position,
                [
                    c.confidence / 100,
                    c.similarity / 100,
                    c.coverage,
                    (c.confidence - c.similarity * c.coverage) / 100,
                    (c.confidence - rival) / 100,
                    (gap - c.confidence) / 100,
                    gap_first,
                    1.0 if c.kind == "fact" else 0.0,
                    1.0 if order == 0 else 0.0,
                    1.0 if order == 1 else 0.0,
                    1.0 if c.confidence >= 99.99 else 0.0,
                    (top - c.confidence) / 100,
                ],
            )
        )
    return vectors


class TreesError(ValueError):
    """The trees file is not what ``tools/train_decision.py`` writes."""


@dataclass(frozen=True)
class Trees:
    """A boosted model: the chance that answering with a candidate is right."""

    score: Callable[[Sequence[float]], float]  # log-odds
    cut_off: float  # the probability at which to answer, fitted with the trees

    def probability(self, vector: Sequence[float]) -> float:
        return 1.0 / (1.0 + math.exp(min(-self.score(vector), 700.0)))  # no overflow

    def choose(
        self, ranked: Sequence[Candidate], floor: float, cut_off: float | None = None
    ) -> int | None:
        """The position in ``ranked`` to answer with, or None to not answer.

        A candidate under ``floor`` (the confidence under which the matcher would not
        even offer it as a "did you mean") is never answered, whatever the trees make of
        it: they learned from the shipped knowledge, and a much smaller or gapless one
        shows them rankings they have not seen.
        """
        best, chance = None, cut_off if cut_off is not None else self.cut_off
        for position, vector in features(ranked):
            if ranked[position].confidence < floor:
                continue
            p = self.probability(vector)
            if p >= chance and (best is None or p > best[1]):
                best = (position, p)
        return None if best is None else best[0]


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TreesError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _tree_source(tree: Any, number: int) -> list[str]:
    """One tree as nested ifs that add its leaf's value to ``s``."""
    try:
        feature, threshold = tree["feature"], tree["threshold"]
        left, right, value = tree["left"], tree["right"], tree["value"]
    except (TypeError, KeyError) as error:
        raise TreesError(f"tree {number}: missing {error}") from None
    size = len(feature)
    if not all(len(column) == size for column in (threshold, left, right, value)) or not size:
        raise TreesError(f"tree {number}: its columns differ in length")
    lines: list[str] = []

    def emit(node: int, depth: int) -> None:
        indent = "    " * depth
        if not isinstance(node, int) or not 0 <= node < size or depth > 64:
            raise TreesError(f"tree {number}: bad node {node!r}")
        f = feature[node]
        if f == -1:
            lines.append(f"{indent}s += {_number(value[node], f'tree {number}')!r}")
            return
        if not isinstance(f, int) or not 0 <= f < len(FEATURES):
            raise TreesError(f"tree {number}: bad feature {f!r}")
        lines.append(f"{indent}if x[{f}] <= {_number(threshold[node], f'tree {number}')!r}:")
        emit(left[node], depth + 1)
        lines.append(f"{indent}else:")
        emit(right[node], depth + 1)

    emit(0, 1)
    return lines


def compile_trees(data: Any) -> Trees:
    """Trees from the JSON that ``tools/train_decision.py`` writes, checked and compiled.

    As one function of nested ifs, a candidate is scored in about 40 µs, against 100 µs
    walking the nodes in a loop (README, Benchmarks). Only numbers from the file reach
    the source, each checked to be one.
    """
    if not isinstance(data, dict) or list(data.get("features", ())) != list(FEATURES):
        raise TreesError("the trees were fitted on other features than bot.decision computes")
    source = ["def score(x):", f"    s = {_number(data.get('baseline'), 'baseline')!r}"]
    trees = data.get("trees")
    if not isinstance(trees, list) or not trees:
        raise TreesError("no trees")
    for number, tree in enumerate(trees):
        source += _tree_source(tree, number)
    source.append("    return s")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(source), str(TREES_FILE), "exec"), namespace)
    cut_off = _number(data.get("cut_off"), "cut_off")
    return Trees(namespace["score"], cut_off)


@functools.cache
def shipped_trees() -> Trees:
    """The trees that ship with the bot, read and compiled once per process."""
    return compile_trees(json.loads(TREES_FILE.read_text(encoding="utf-8")))
