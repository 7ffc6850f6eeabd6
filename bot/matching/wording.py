"""The wording signal: how close a question's words are to a target's phrasings.

Two measures make it. *Similarity*: how close the question's wording is to the best
phrasing of a target (rapidfuzz). *Coverage*: how much of what the question asks about
(its content words, weighted by rarity) the target knows at all. Coverage is what stops
"what is the price of a Tata Nexon" from being answered with the nearest EV fact: "price",
"tata" and "nexon" are words no entry covers, so the score collapses however similar the
rest of the sentence is. A third measure, *usage* (how typical the question's words are of
each target's phrasings, per phrasing), moves close candidates apart.

The wording signal is strong on names, typos, counting questions and the exact words of
what the sources do not say ("what *year*"); it knows nothing of paraphrase, which is
what the meaning signal (``bot.matching.meaning``) brings. ``bot.matching.matcher``
adds the two.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.matching.english import is_common_word
from bot.matching.index import KnowledgeIndex, QueryTerms

# Partial credit for a word we only reached by typo correction.
CORRECTED_CREDIT = 0.8
# Partial credit for a word only one of the target's phrasings uses: the target knows it,
# but it is not what the target is about ("how many countries sent people" does not make
# "how many people came" a question about the number of countries).
RARE_CREDIT = 0.7
# Partial credit for a word only what the target says uses (a Q&A's answer, cited facts and
# quotes; ``Target.context``), not any phrasing.
CONTEXT_CREDIT = 0.7
# Share of the similarity that comes from the shared words rather than the spelling.
OVERLAP_WEIGHT = 0.3
# What is left of the confidence when a question counts something the target never counts:
# "how many people came" is not answered by "how many countries came" (seven), however
# alike the sentences are (such a target is never answered); it may still be offered as a
# "did you mean", and 0.35 keeps it behind targets that fit the question about as well.
MISCOUNTED_CREDIT = 0.35
# The share of an unknown word's weight that counts when the word is everyday English
# ("colleague", "lunch", "uncle"): in a chatty message it is more often talk around the
# question than what the question asks about. A rare unknown word ("nexon", "byd") names
# something the article doesn't cover and counts in full; everyday words that do (the
# "price", the "year") are known to knowledge/gaps.yaml, so they are not unknown.
COMMON_UNKNOWN_SHARE = 0.6
# Usage: how typical the question's words are of a target's phrasings, as a naive Bayes
# log-likelihood per word (USAGE_SMOOTHING added to every count). Similarity comes from the
# single closest phrasing, so a word that one phrasing of a neighbouring entry happens to
# share can carry it; usage weighs every phrasing: "what segment is india strongest in"
# uses words typical of the two-wheelers entry more than of india-model. It is added to the
# confidence as USAGE_WEIGHT points per unit of per-word log-likelihood below the most
# typical candidate's, so it decides between close candidates and barely moves distant
# ones. Chosen on the read question sets (docs/decisions.md, 7).
USAGE_WEIGHT = 1.0
USAGE_SMOOTHING = 0.1


@dataclass(frozen=True, slots=True)
class Scored:
    target: int
    confidence: float
    similarity: float
    coverage: float
    miscounted: bool = False  # the question counts something the target never counts


class Wording:
    """Scores a question's words against every shortlisted target of an index."""

    def __init__(self, index: KnowledgeIndex, owners: Mapping[str, str]) -> None:
        self.index = index
        # Whose phrasings show a target's usage: a fact has one sentence, so the Q&A it
        # speaks for (``owners``, ``bot.matching.meaning.fact_owners``) shows it.
        by_id = index.by_id
        self._usage_source = [
            by_id[owners.get(t.id, t.id)] if t.kind == "fact" else number
            for number, t in enumerate(index.targets)
        ]

    def _similarity(
        self, question: str, asked: set[int], asked_weight: float, phrasing_no: int
    ) -> float:
        """How close the question is to one phrasing, 0-100.

        ``WRatio`` forgives typos and word order, but it scores 85.5 whenever one text's
        words are a subset of the other's, so "list the participating countries" looks
        equally like "how many countries participated" and "which countries participated".
        Blending in the overlap of their words (an F1 weighted by rarity) breaks such ties:
        a phrasing loses for every telling word it has that the question lacks.
        """
        index = self.index
        spelling = fuzz.WRatio(question, index.phrasing_text[phrasing_no])
        start, end = index.phrasing_start[phrasing_no], index.phrasing_start[phrasing_no + 1]
        idf = index.word_idf
        shared = sum(idf[w] for w in index.phrasing_words[start:end] if w in asked)
        # F1 of the shared weight: 2pr / (p + r) with p = shared / phrasing, r = shared / asked.
        overlap = (
            2 * shared / (index.phrasing_weight[phrasing_no] + asked_weight) if shared else 0.0
        )
        return (1 - OVERLAP_WEIGHT) * spelling + OVERLAP_WEIGHT * 100 * overlap

    def _question_weight(self, terms: QueryTerms) -> float:
        """What coverage is a share of: the question's words by rarity, once per question.

        A word nothing knows counts in full if it is rare and by COMMON_UNKNOWN_SHARE if it
        is everyday English.
        """
        idf, unknown = self.index.idf, self.index.unknown_idf
        return sum(idf[word] for word in terms.tokens) + sum(
            unknown * (COMMON_UNKNOWN_SHARE if is_common_word(word) else 1.0)
            for word in terms.unknown
        )

    def _uses(self, target: int, words: Iterable[str]) -> dict[str, int]:
        """How many of the target's phrasings use each word: looked up once per question."""
        return {word: self.index.uses(target, word) for word in words}

    def _coverage(
        self, terms: QueryTerms, target: int, uses: dict[str, int], asked: float
    ) -> float:
        index = self.index
        # "Only one phrasing uses it" says nothing for a fact's single sentence.
        several = len(index.targets[target].phrasings) > 1
        context = index.context_vocab[target]
        idf = index.idf
        covered = 0.0
        for word in terms.tokens:
            weight = idf[word]
            if used := uses[word]:
                credit = RARE_CREDIT if used == 1 and several else 1.0
            else:
                credit = CONTEXT_CREDIT if word in context else 0.0
            if word in terms.corrected:
                credit *= CORRECTED_CREDIT
            covered += weight * credit
        return covered / asked if asked else 0.0

    @staticmethod
    def _certain(target: int, ranked: list[Scored]) -> list[Scored]:
        """``ranked`` with ``target`` first at full confidence.

        A question asked exactly as a phrasing is written (say, one a moderator just taught)
        is that phrasing's question, however rare its words are among the target's other
        phrasings: it must be answered, not offered as "did you mean".
        """
        others = [scored for scored in ranked if scored.target != target]
        return [Scored(target, 100.0, 100.0, 1.0), *others]

    def _usage(self, target: int, uses: dict[str, int], words: list[str]) -> float:
        """Mean log-likelihood of the question's words under the target's phrasings."""
        source = self._usage_source[target]
        if source != target:
            uses = self._uses(source, words)
        total = sum(math.log(uses[word] + USAGE_SMOOTHING) for word in words)
        phrasings = len(self.index.targets[source].phrasings)
        return total / len(words) - math.log(phrasings + 2 * USAGE_SMOOTHING)

    @staticmethod
    def _weigh_usage(ranked: list[Scored], usage: list[float]) -> list[Scored]:
        most = max(usage, default=0.0)
        return [
            dataclasses.replace(s, confidence=max(0.0, s.confidence + USAGE_WEIGHT * (u - most)))
            for s, u in zip(ranked, usage, strict=True)
        ]

    def rank(self, terms: QueryTerms) -> list[Scored]:
        if not terms.tokens:
            return []
        best_similarity: dict[int, float] = {}
        numbers, idf = self.index.word_number, self.index.word_idf
        asked = {numbers[word] for word in terms.tokens if word in numbers}
        asked_weight = sum(idf[number] for number in asked)
        exact: int | None = None  # the first phrasing written exactly as asked
        for phrasing_no in self.index.shortlist(terms):
            target = self.index.phrasing_target[phrasing_no]
            if self.index.phrasing_text[phrasing_no] == terms.normalised:
                exact = phrasing_no if exact is None else min(exact, phrasing_no)
            similarity = self._similarity(terms.normalised, asked, asked_weight, phrasing_no)
            if similarity > best_similarity.get(target, -1.0):
                best_similarity[target] = similarity
        ranked = []
        usage = []
        counts = self.index.target_counts
        question_weight = self._question_weight(terms)
        distinct = dict.fromkeys(terms.tokens)  # in order: the same sums every run
        words = [word for word in distinct if word in numbers]  # what phrasings may use
        for target, similarity in best_similarity.items():
            uses = self._uses(target, distinct)
            coverage = self._coverage(terms, target, uses, question_weight)
            confidence = similarity * coverage
            miscounted = bool(terms.counted) and terms.counted.isdisjoint(counts.get(target, ()))
            if miscounted:
                confidence *= MISCOUNTED_CREDIT
            ranked.append(Scored(target, confidence, similarity, coverage, miscounted))
            if words:
                usage.append(self._usage(target, uses, words))
        if words:
            ranked = self._weigh_usage(ranked, usage)
        ranked.sort(key=lambda s: -s.confidence)
        if exact is not None:
            return self._certain(self.index.phrasing_target[exact], ranked)
        return ranked
