"""A search index over everything the bot can answer, built once per knowledge version.

Scoring every phrasing with a fuzzy scorer is accurate but grows linearly with the
knowledge base. The index keeps that accuracy and stays fast by shortlisting: an inverted
index of content words (weighted by rarity) picks the few phrasings that share words with
the question, and only those are fuzzy-scored by the matcher.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .knowledge import Knowledge
from .textnorm import Normaliser, content_tokens

# How many phrasings reach the fuzzy scorer; plenty for a curated base, and it bounds the
# cost per question whatever the size of the knowledge base.
SHORTLIST = 48
# A word in more than this many phrasings says little about the topic on its own; it is
# scored but not used to gather candidates unless nothing rarer matched.
COMMON_POSTINGS = 4000


@dataclass(frozen=True, slots=True)
class Target:
    """One thing the bot can answer: a Q&A (by any phrasing) or a single fact."""

    id: str
    kind: str  # "qa" or "fact"
    display: str  # the canonical question (Q&A) or the fact sentence
    phrasings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueryTerms:
    normalised: str
    tokens: tuple[str, ...]  # content tokens after typo correction
    corrected: frozenset[str]  # tokens that were typo-corrected (earn less credit)
    unknown: tuple[str, ...]  # content tokens the knowledge base has never seen


def targets_from_knowledge(knowledge: Knowledge) -> list[Target]:
    targets = [
        Target(qa.id, "qa", qa.question, (qa.question, *knowledge.phrasings(qa)))
        for qa in knowledge.qas.values()
    ]
    targets += [Target(f.id, "fact", f.text, (f.text,)) for f in knowledge.facts.values()]
    return targets


class KnowledgeIndex:
    def __init__(self, targets: Iterable[Target], normaliser: Normaliser) -> None:
        self.normaliser = normaliser
        self.targets: list[Target] = list(targets)
        self.by_id: dict[str, int] = {t.id: i for i, t in enumerate(self.targets)}
        self.phrasing_text: list[str] = []
        self.phrasing_target: list[int] = []
        self.target_vocab: list[frozenset[str]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        document_frequency: dict[str, int] = defaultdict(int)
        for target_no, target in enumerate(self.targets):
            vocab: set[str] = set()
            for phrasing in target.phrasings:
                text = normaliser.normalise(phrasing)
                if not text:
                    continue
                phrasing_no = len(self.phrasing_text)
                self.phrasing_text.append(text)
                self.phrasing_target.append(target_no)
                words = set(content_tokens(text.split()))
                vocab |= words
                for word in words:
                    postings[word].append(phrasing_no)
            self.target_vocab.append(frozenset(vocab))
            for word in vocab:
                document_frequency[word] += 1
        total = max(1, len(self.targets))
        self.idf: dict[str, float] = {
            word: math.log(1 + total / df) for word, df in document_frequency.items()
        }
        self.unknown_idf = math.log(1 + total) + 1.0
        self.postings: dict[str, tuple[int, ...]] = {w: tuple(p) for w, p in postings.items()}
        self._vocabulary = sorted(self.idf)
        self._correct = lru_cache(maxsize=4096)(self._correct_uncached)

    def _correct_uncached(self, word: str) -> str | None:
        """The known word a typo most likely meant ("recyling" -> "recycling"), if any."""
        if len(word) < 3 or word.isdigit():
            return None
        allowed = 1 if len(word) < 7 else 2
        found = process.extractOne(
            word, self._vocabulary, scorer=OSA.distance, score_cutoff=allowed
        )
        return None if found is None else found[0]

    def terms(self, question: str) -> QueryTerms:
        normalised = self.normaliser.normalise(question)
        tokens: list[str] = []
        corrected: set[str] = set()
        unknown: list[str] = []
        for word in content_tokens(normalised.split()):
            if word in self.idf:
                tokens.append(word)
                continue
            fixed = self._correct(word)
            if fixed is None:
                unknown.append(word)
            else:
                tokens.append(fixed)
                corrected.add(fixed)
        if corrected:
            fixed_words = {w: self._correct(w) for w in normalised.split() if w not in self.idf}
            normalised = " ".join(fixed_words.get(w) or w for w in normalised.split())
        return QueryTerms(normalised, tuple(tokens), frozenset(corrected), tuple(unknown))

    def shortlist(self, terms: QueryTerms) -> list[int]:
        """Phrasings sharing the rarest, most telling words with the question."""
        scores: dict[int, float] = defaultdict(float)
        words = sorted(set(terms.tokens), key=lambda w: -self.idf[w])
        for word in words:
            posting = self.postings.get(word, ())
            if len(posting) > COMMON_POSTINGS and scores:
                continue
            weight = self.idf[word]
            for phrasing_no in posting:
                scores[phrasing_no] += weight
        return heapq.nlargest(SHORTLIST, scores, key=scores.__getitem__)
