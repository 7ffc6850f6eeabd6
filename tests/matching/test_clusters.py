"""The approximate search for very large knowledge bases (bot.matching.clusters), checked
against brute force on the shipped knowledge's real embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from bot.knowledge.loader import load_knowledge
from bot.matching import clusters, meaning
from bot.matching.clusters import Clusters
from bot.matching.index import targets_from_knowledge
from bot.matching.meaning import MeaningIndex, target_texts
from bot.matching.vectors import shared_store
from tests.helpers import SHIPPED

QUESTIONS = [
    "when was the study tour",
    "who organised it",
    "which countries sent delegates",
    "what does lohum do",
    "what did the indonesian participant say",
    "how much did the trip cost",
    "what is the asia leds partnership",
    "were electric buses discussed",
]


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, ...]]:
    knowledge = load_knowledge(SHIPPED)
    return [target_texts(knowledge, t) for t in targets_from_knowledge(knowledge)]


def test_every_row_is_in_exactly_one_cluster(texts: list[tuple[str, ...]]) -> None:
    matrix = shared_store().vectors([t for group in texts for t in group])
    clusters = Clusters(matrix)
    assert sorted(clusters.order.tolist()) == list(range(len(matrix)))
    assert clusters.starts[0] == 0 and clusters.starts[-1] == len(matrix)
    assert (np.diff(clusters.starts) >= 0).all()
    assert len(clusters.centroids) == round(np.sqrt(len(matrix)))


def test_the_shipped_knowledge_is_searched_exactly(texts: list[tuple[str, ...]]) -> None:
    assert MeaningIndex(texts, shared_store()).clusters is None


def test_the_approximate_search_finds_the_best_targets(
    texts: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced on for the shipped knowledge, with 2 of its ~90 clusters searched and its 3
    best targets rescored: a target's cosine is never more than its exact one (the best of
    its texts found; -1 when none is); the best it found, and the ones asked for (the
    wording signal's), are scored over all their texts."""
    store = shared_store()
    exact = MeaningIndex(texts, store)
    monkeypatch.setattr(meaning, "MIN_TEXTS", 1)
    monkeypatch.setattr(meaning, "RESCORED", 3)
    monkeypatch.setattr(clusters, "PROBES", 2)
    approximate = MeaningIndex(texts, store)
    assert approximate.clusters is not None
    questions = store.encode(QUESTIONS)
    want = exact.similarity(questions)
    # Each asked on its own (questions asked together are one message's readings, which
    # share their clusters: the test below).
    got = np.vstack([approximate.similarity(question[None, :]) for question in questions])
    assert (got <= want + 1e-5).all()
    assert (got < want - 1e-3).any(), "nothing was approximate: the test checks nothing"
    for question, wanted, have in zip(questions, want, got, strict=True):
        best = np.argsort(-have)[:3]  # the three it found best: scored over all their texts
        assert np.allclose(have[best], wanted[best], atol=1e-5)
        missed = int(np.argmin(have - wanted))
        (asked,) = approximate.similarity(question[None, :], also=[[missed]])
        assert abs(asked[missed] - wanted[missed]) < 1e-5


def test_a_messages_readings_search_the_same_clusters(
    texts: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readings of one message ("hey bot, when was it" and "when was it") search the
    PROBES clusters closest to any of them, each cluster read once: a long message reads
    no more than a short one."""
    monkeypatch.setattr(clusters, "PROBES", 3)
    matrix = shared_store().vectors([t for group in texts for t in group])
    found = Clusters(matrix)
    ordered = matrix[found.order]
    readings = shared_store().encode(["hey bot, when was the study tour?", "when was the tour"])
    (rows, first), (same_rows, second) = found.candidates(ordered, readings)
    assert np.array_equal(rows, same_rows)
    read = np.unique(np.searchsorted(found.starts, rows, side="right") - 1)
    assert len(read) == 3
    closest = np.argsort(-(readings @ found.centroids.T).max(axis=0))[:3]
    assert sorted(read.tolist()) == sorted(closest.tolist())
    assert np.allclose(first, ordered[rows] @ readings[0], atol=1e-5)
    assert np.allclose(second, ordered[rows] @ readings[1], atol=1e-5)
