"""The meaning signal: how close a question is to anything an entry says.

Each target is represented by everything it says, not only by how it is asked: a Q&A by
its question, its phrasings, its answer and the facts it cites; a fact by its sentence; a
gap by its phrasings and what it says is missing ("The article doesn't name any Indian
hosts, ministers or officials"), which tells what the gap is about as a Q&A's answer does:
a moderator's gap with two phrasings is found by its statement (eighth session; on the
unread sets cut to five phrasings, in scope 68.8 -> 69.1% and held back 95.3 -> 95.0%,
full knowledge 96.1 -> 96.2% in scope). A question's meaning similarity to a target is the
highest cosine between the question's vector and any of the target's texts: a moderator's
three phrasings and a well-written answer are enough for paraphrases to land, where the
wording signal needs the question's own words.

The best of many texts is high by chance alone: an entry with 180 phrasings has a text
close to almost any question about the tour, one with five does not. So the signal is
the best cosine *minus what chance gives the best of n texts*: sigma * sqrt(2 ln n), the
expected maximum of n draws from a spread of sigma (a standard extreme-value estimate).
SPREAD is sigma as measured: the standard deviation of a question's cosines to the
knowledge texts, 0.127 (median over the read sets, full or cut to five phrasings alike).
With it, an entry a moderator wrote with three phrasings competes on what it says, not
on how much of it there is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.knowledge.loader import Knowledge
from bot.matching.clusters import MIN_TEXTS, Clusters
from bot.matching.embedding import Vectors
from bot.matching.index import Target, qa_says
from bot.matching.vectors import VectorStore

SPREAD = 0.127
# With the approximate search, about how many of the targets it found best are then scored
# over all their texts (so a target the clusters found by a lesser text can still rise):
# the TOP the matcher keeps (bot.matching.matcher). Measured on real embeddings (112,644
# texts, 812 questions): 8, 32, 64 and 256 all give the same answer as the exact search
# for 98.9% of questions, and each target gathered costs its texts' rows from a matrix
# of a gigabyte and more (256: 11.3 ms a question; 32: 8.0 ms; docs/benchmarks.md).
RESCORED = 32


def target_texts(knowledge: Knowledge, target: Target) -> tuple[str, ...]:
    """What a target says, for the meaning signal (see the module docstring)."""
    if target.kind == "qa":
        return (*target.phrasings, *qa_says(knowledge, knowledge.qas[target.id]))
    if target.kind == "fact":
        fact = knowledge.facts[target.id]
        return tuple(dict.fromkeys((fact.text, fact.citation.quote)))
    return (*target.phrasings, target.display)  # a gap: its phrasings and its statement


def fact_owners(knowledge: Knowledge, store: VectorStore) -> dict[str, str]:
    """The Q&A each cited fact speaks for: of the Q&As citing it, the one whose answer is
    closest to the fact's sentence. A fact answers for that Q&A (the matcher weighs it as
    that Q&A's answer, "did you mean" offers that Q&A, and the wording signal reads its
    phrasings for the fact). Prillya Agusti's role is cited by the countries, their count
    and who she is; it is what the last one's answer says. (It went to the first Q&A in the
    file, and "which ministry is prillya from" to the count of countries. Unread sets: in
    scope 95.9 -> 96.1% full, 68.2 -> 68.8% cut to five phrasings; docs/quality.md.)"""
    citing: dict[str, list[str]] = {}
    for qa in knowledge.qas.values():
        for fact_id in qa.cites:
            citing.setdefault(fact_id, []).append(qa.id)
    shared = {fact_id: qa_ids for fact_id, qa_ids in citing.items() if len(qa_ids) > 1}
    texts = [
        text
        for fact_id, qa_ids in shared.items()
        for text in (knowledge.facts[fact_id].text, *(knowledge.qas[q].answer for q in qa_ids))
    ]
    vectors = store.vectors(texts) if texts else np.zeros((0, 0), np.float32)
    owners = {fact_id: qa_ids[0] for fact_id, qa_ids in citing.items()}
    row = 0
    for fact_id, qa_ids in shared.items():
        fact, answers = vectors[row], vectors[row + 1 : row + 1 + len(qa_ids)]
        owners[fact_id] = qa_ids[int(np.argmax(answers @ fact))]
        row += 1 + len(qa_ids)
    return owners


class MeaningIndex:
    """Every target's texts as unit vectors, one matrix, rows grouped by target."""

    def __init__(self, texts: Sequence[Sequence[str]], store: VectorStore) -> None:
        flat = [text for group in texts for text in group]
        sizes = np.array([len(group) for group in texts], dtype=np.intp)
        if (sizes == 0).any():
            raise ValueError("every target needs at least one text")
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        self.ends = self.starts + sizes
        self.chance = (SPREAD * np.sqrt(2 * np.log(np.maximum(sizes, 1)))).astype(np.float32)
        self.matrix: Vectors = store.vectors(flat) if flat else np.zeros((0, 0), np.float32)
        self.targets = len(texts)
        # Past MIN_TEXTS, an approximate search (bot.matching.clusters): the rows are then
        # kept cluster by cluster, each with the number of its target.
        self.clusters: Clusters | None = None
        if len(flat) >= MIN_TEXTS:
            self.clusters = Clusters(self.matrix)
            self.matrix = self.matrix[self.clusters.order]
            self.owner = np.repeat(np.arange(self.targets, dtype=np.int32), sizes)
            self.owner = self.owner[self.clusters.order]
            # Where each target's rows went: target t's are positions[starts[t]:ends[t]].
            self.positions = np.argsort(self.clusters.order).astype(np.intp)

    def similarity(self, questions: Vectors, also: Sequence[Sequence[int]] = ()) -> Vectors:
        """``[question, target]``: the best cosine between the question and the target's
        texts (subtract ``chance`` for the meaning signal). With the approximate search,
        exact for the targets it ranks best and for ``also[question]`` (those the wording
        signal found for it), approximate for the rest."""
        if not self.targets:
            return np.zeros((len(questions), 0), dtype=np.float32)
        if self.clusters is not None:
            return self._approximate(questions, self.clusters, also)
        # matrix @ questions.T, not questions @ matrix.T: BLAS then reads the big matrix in
        # its own row order (five times faster for one question, measured).
        cosines = (self.matrix @ questions.T).T
        return np.maximum.reduceat(cosines, self.starts, axis=1)

    def _approximate(
        self, questions: Vectors, clusters: Clusters, also: Sequence[Sequence[int]]
    ) -> Vectors:
        """As ``similarity``, from the texts of the clusters nearest the questions (one
        message's readings; a target none of whose texts is among them gets -1, the
        lowest cosine there is); then the RESCORED best of those targets, and the
        question's ``also``, over all their texts: a target found by one text is scored
        by its best."""
        found = np.full((len(questions), self.targets), -1.0, dtype=np.float32)
        candidates = clusters.candidates(self.matrix, questions)
        for number, (row, question) in enumerate(zip(found, questions, strict=True)):
            rows, cosines = candidates[number]
            np.maximum.at(row, self.owner[rows], cosines)
            # The targets of the 4 * RESCORED best texts found (picked among the texts, not
            # among all the targets): RESCORED or more, unless a target owns several.
            keep = min(4 * RESCORED, len(cosines))
            top = np.argpartition(cosines, len(cosines) - keep)[-keep:] if keep else rows[:0]
            best = self.owner[rows[top]]
            wording = np.asarray(also[number] if also else (), dtype=np.intp)
            chosen = np.unique(np.concatenate([best, wording]))
            if not len(chosen):
                continue
            begin, end = self.starts[chosen], self.ends[chosen]
            sizes = end - begin
            # Every chosen target's rows, target after target.
            offsets = np.repeat(begin - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
            texts = self.positions[np.arange(sizes.sum()) + offsets]
            exact = self.matrix[texts] @ question
            row[chosen] = np.maximum.reduceat(exact, np.concatenate([[0], np.cumsum(sizes)[:-1]]))
        return found
