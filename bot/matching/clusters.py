"""Approximate nearest texts for a very large knowledge base: an inverted file of clusters.

Brute force (every text's cosine with the question) costs about 44 ns a text here: nothing
for the shipped knowledge's few thousand texts, 40 ms and more for the million texts of
100,000 Q&As, past the 30 ms a question may take at that size. So past ``MIN_TEXTS`` the
texts are grouped around centroids (spherical k-means, the textbook "IVF" index) and a
question is compared with the centroids first, then only with the texts of its
``PROBES`` closest clusters. The texts are stored cluster by cluster, so each probed
cluster is one contiguous slice of the matrix: no copying per question. A message's
readings (its whole and its question parts) share one search: the clusters closest to any
of them.

Constants, and where they come from:

- ``MIN_TEXTS`` = 100,000: below it brute force takes under about 4 ms, less than the rest
  of a question (the embedding and the wording), and the exact answer costs nothing.
- the number of clusters, ``round(sqrt(n))``: the usual rule for an inverted file, which
  balances comparing with centroids against comparing with the texts of a cluster.
- ``PROBES`` = 32: measured on real embeddings (the shipped knowledge plus 11,000
  synthetic Q&As, 112,644 texts; docs/benchmarks.md): the same answer as the exact search
  for 98.9% of 812 questions (16 probes: 97.8%, and no time saved that the shared
  machine's noise did not hide at 100,000 entries). ``TRAINING_PER_CLUSTER`` = 40 and
  ``ROUNDS`` = 8 are common k-means settings, not tuned.
"""

from __future__ import annotations

import math

import numpy as np

from bot.matching.embedding import Vectors

MIN_TEXTS = 100_000
PROBES = 32
TRAINING_PER_CLUSTER = 40
ROUNDS = 8
# Rows assigned to clusters per matrix product while building (bounds its memory).
_CHUNK = 65_536


def _nearest(rows: Vectors, centroids: Vectors) -> np.ndarray:
    """The closest centroid of each row (by cosine; all vectors are unit length)."""
    found = np.empty(len(rows), dtype=np.int32)
    for start in range(0, len(rows), _CHUNK):
        found[start : start + _CHUNK] = np.argmax(rows[start : start + _CHUNK] @ centroids.T, 1)
    return found


class Clusters:
    """The texts' rows in cluster order, the clusters' centroids and where each starts."""

    def __init__(self, matrix: Vectors, seed: int = 0) -> None:
        count = max(1, round(math.sqrt(len(matrix))))
        rng = np.random.default_rng(seed)
        sample = matrix[
            rng.choice(len(matrix), min(len(matrix), count * TRAINING_PER_CLUSTER), replace=False)
        ]
        centroids = sample[rng.choice(len(sample), count, replace=False)].copy()
        for _ in range(ROUNDS):
            assigned = _nearest(sample, centroids)
            sums = np.zeros_like(centroids)
            np.add.at(sums, assigned, sample)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            # A cluster that lost every row keeps its centroid (it stays empty or refills).
            centroids = np.where(norms > 0, sums / np.maximum(norms, 1e-12), centroids)
        assigned = _nearest(matrix, centroids)
        self.order = np.argsort(assigned, kind="stable").astype(np.intp)  # row -> original
        self.starts = np.searchsorted(assigned[self.order], np.arange(count + 1)).astype(np.intp)
        self.centroids: Vectors = centroids.astype(np.float32)

    def candidates(self, matrix: Vectors, questions: Vectors) -> list[tuple[np.ndarray, Vectors]]:
        """For each question, the rows (in cluster order) of the ``PROBES`` clusters closest
        to any of the questions, and their cosines with it. The questions are one message's
        readings, one question asked several ways: they search the same clusters, those
        closest to any of them, so a long message reads no more than a short one."""
        probes = min(PROBES, len(self.centroids))
        closeness = (questions @ self.centroids.T).max(axis=0)
        near = np.argpartition(-closeness, probes - 1)[:probes]
        rows = np.concatenate([np.arange(self.starts[c], self.starts[c + 1]) for c in near])
        cosines = np.concatenate(
            [matrix[self.starts[c] : self.starts[c + 1]] @ questions.T for c in near]
        )
        return [(rows, cosines[:, number]) for number in range(len(questions))]
