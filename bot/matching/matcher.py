"""Decide, for one question, whether to answer, suggest or abstain.

Two signals make the confidence. *Similarity*: how close the question's wording is to the
best phrasing of a target (rapidfuzz). *Coverage*: how much of what the question asks about
(its content words, weighted by rarity) the target knows at all. Coverage is what stops
"what is the price of a Tata Nexon" from being answered with the nearest EV fact: "price",
"tata" and "nexon" are words no entry covers, so confidence collapses however similar the
rest of the sentence is. A third signal, *usage* (how typical the question's words are of
each target's phrasings), moves close candidates apart. Gaps (knowledge/gaps.yaml: what
the article does not say) are scored like Q&As. Whether to answer, and with which of the
best candidates, is decided by boosted trees over these scores (bot.decision), fitted on
labelled question sets, never on single questions; a question asked exactly as a
phrasing is written is that phrasing's question.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.knowledge.loader import Knowledge
from bot.matching.answer import Answer, MatchRef, Outcome, Suggestion
from bot.matching.decision import LOOK_DOWN, Candidate, Trees, shipped_trees
from bot.matching.english import is_common_word
from bot.matching.focus import focus
from bot.matching.index import KnowledgeIndex, QueryTerms, targets_from_knowledge

# Partial credit for a word we only reached by typo correction.
CORRECTED_CREDIT = 0.8
# Partial credit for a word only one of the target's phrasings uses: the target knows it,
# but it is not what the target is about ("how many countries sent people" does not make
# "how many people came" a question about the number of countries).
RARE_CREDIT = 0.7
# Partial credit for a word only the cited quotes use, not any phrasing.
CONTEXT_CREDIT = 0.7
# Share of the similarity that comes from the shared words rather than the spelling.
OVERLAP_WEIGHT = 0.3
# What is left of the confidence when a question counts something the target never counts:
# "how many people came" is not answered by "how many countries came" (seven), however
# alike the sentences are (such a target is never answered); it may still be offered as a
# "did you mean", and 0.35 keeps it behind targets that fit the question about as well.
MISCOUNTED_CREDIT = 0.35
# The confidence the whole message must already give a target before its focus may decide
# for it: the focus of "what does the article say about omega seiki, like what do they
# do?" is "like what do they do?", a question that fits nearly anything.
FOCUS_SUPPORT = 40.0
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
class Thresholds:
    # A confidence at which a reading is a match by itself: the whole message is not
    # searched for its focus, and a clause counts as part of the question.
    answer: float = 40.0
    suggest: float = 30.0  # at or above, when not answering: "did you mean"
    # Answer when the trees give at least this chance of being right; None: the cut-off
    # fitted with them (bot.decision).
    cut_off: float | None = None
    max_suggestions: int = 3


@dataclass(frozen=True, slots=True)
class Scored:
    target: int
    confidence: float
    similarity: float
    coverage: float
    miscounted: bool = False  # the question counts something the target never counts


class Matcher:
    def __init__(
        self,
        knowledge: Knowledge,
        thresholds: Thresholds | None = None,
        trees: Trees | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self.trees = trees if trees is not None else shipped_trees()
        self.index = KnowledgeIndex(targets_from_knowledge(knowledge), knowledge.normaliser())
        self._first_citing: dict[str, str] = {}
        for qa in knowledge.qas.values():
            for fact_id in qa.cites:
                self._first_citing.setdefault(fact_id, qa.id)
        # Whose phrasings show a target's usage: a fact has one sentence, so the Q&A that
        # first cites it speaks for it.
        by_id = self.index.by_id
        self._usage_source = [
            by_id[self._first_citing.get(t.id, t.id)] if t.kind == "fact" else number
            for number, t in enumerate(self.index.targets)
        ]

    # -- scoring -------------------------------------------------------------------------

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

    def rank(self, question: str) -> list[Scored]:
        """Every shortlisted target with its confidence, best first.

        The message is read whole and, unless that already gives an answer, by its focus
        (see ``bot.focus``); whichever reading finds the more confident match decides, as
        long as the whole message already points to the focus's choice (FOCUS_SUPPORT). A
        focus that only drops words without content ("hey bot, ...") is not scored again:
        it would score the same.
        """
        terms = self.index.terms(question)
        whole = self._rank_terms(terms)
        if whole and whole[0].confidence >= self.thresholds.answer:
            return whole
        focused = focus(question, self._relates)
        if focused is None:
            return whole
        focused_terms = self.index.terms(focused)
        if (focused_terms.tokens, focused_terms.unknown) == (terms.tokens, terms.unknown):
            return whole
        ranked = self._rank_terms(focused_terms)
        if ranked and (not whole or ranked[0].confidence > whole[0].confidence):
            if not whole or whole[0].target == ranked[0].target:
                return ranked
            support = next((s.confidence for s in whole if s.target == ranked[0].target), 0.0)
            if support >= FOCUS_SUPPORT:
                return ranked
        return whole

    @staticmethod
    def _certain(target: int, ranked: list[Scored]) -> list[Scored]:
        """``ranked`` with ``target`` first at full confidence.

        A question asked exactly as a phrasing is written (say, one a moderator just taught)
        is that phrasing's question, however rare its words are among the target's other
        phrasings: it must be answered, not offered as "did you mean".
        """
        others = [scored for scored in ranked if scored.target != target]
        return [Scored(target, 100.0, 100.0, 1.0), *others]

    def _relates(self, clause: str) -> bool:
        """True if a clause on its own would be answered: weaker hits ("hi everyone!" has a
        phrasing with "everyone") would keep chatter in the focus."""
        ranked = self._rank_terms(self.index.terms(clause))
        return bool(ranked) and ranked[0].confidence >= self.thresholds.answer

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

    def _rank_terms(self, terms: QueryTerms) -> list[Scored]:
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

    # -- deciding ------------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        ranked = self.rank(question)
        if not ranked:
            return Answer(Outcome.ABSTAINED, 0.0)
        chosen = self._choose(ranked)
        if chosen is not None:
            return self.answer_target(chosen.target, chosen.confidence)
        best = ranked[0]
        found = self.index.targets[best.target]
        if best.confidence < self.thresholds.suggest:
            return Answer(Outcome.ABSTAINED, best.confidence)
        if found.kind == "gap":
            # Closer to something the article doesn't say than to anything it does.
            return Answer(Outcome.ABSTAINED, best.confidence, note=found.display)
        suggestions = self._suggestions(ranked)
        if not suggestions:
            return Answer(Outcome.ABSTAINED, best.confidence)
        return Answer(Outcome.SUGGESTED, best.confidence, suggestions=suggestions)

    def _choose(self, ranked: list[Scored]) -> Scored | None:
        """The candidate to answer with, if any: the trees decide (bot.decision), except
        for a question asked exactly as a phrasing is written (see ``_certain``), which
        is that phrasing's question, answerable or a gap."""
        best = ranked[0]
        if best.similarity >= 100.0 and best.confidence >= 100.0:
            return None if self.index.targets[best.target].kind == "gap" else best
        t = self.thresholds
        position = self.trees.choose(self.candidates(ranked), t.suggest, t.cut_off)
        if position is None or ranked[position].miscounted:
            return None
        return ranked[position]

    def candidates(self, ranked: list[Scored]) -> list[Candidate]:
        """What the trees see of the ranking (bot.decision)."""
        targets = self.index.targets
        return [
            Candidate(
                targets[s.target].kind,
                self._qa_for(s.target),
                s.confidence,
                s.similarity,
                s.coverage,
            )
            for s in ranked[:LOOK_DOWN]
        ]

    def _qa_for(self, target: int) -> str | None:
        """The Q&A a target stands for in a "did you mean": itself, one citing a fact, or
        none for a gap (there is nothing to offer)."""
        found = self.index.targets[target]
        if found.kind == "qa":
            return found.id
        return self._first_citing.get(found.id) if found.kind == "fact" else None

    def _suggestions(self, ranked: list[Scored]) -> tuple[Suggestion, ...]:
        t = self.thresholds
        chosen: list[Suggestion] = []
        for scored in ranked:
            if scored.confidence < t.suggest or len(chosen) == t.max_suggestions:
                break
            qa_id = self._qa_for(scored.target)
            if qa_id is not None and all(s.id != qa_id for s in chosen):
                chosen.append(Suggestion(qa_id, self.knowledge.qas[qa_id].question))
        return tuple(chosen)

    def answer_target(self, target: int, confidence: float = 100.0) -> Answer:
        found = self.index.targets[target]
        return cited_answer(self.knowledge, found.id, found.kind, confidence)

    def answer_id(self, target_id: str) -> Answer | None:
        """Answer a known Q&A or fact directly, e.g. when a "did you mean" button is pressed."""
        target = self.index.by_id.get(target_id)
        if target is None or self.index.targets[target].kind == "gap":
            return None
        return self.answer_target(target)


def cited_answer(knowledge: Knowledge, target_id: str, kind: str, confidence: float) -> Answer:
    """The answer a Q&A or a fact gives, with the quotes that back it."""
    if kind == "qa":
        qa = knowledge.qas[target_id]
        text, citations = qa.answer, knowledge.citations(qa)
    else:
        fact = knowledge.facts[target_id]
        text, citations = fact.text, (fact.citation,)
    return Answer(
        Outcome.ANSWERED,
        confidence,
        text=text,
        citations=citations,
        match=MatchRef(target_id, kind),
    )


def complete(matcher: Matcher, partial: str, limit: int = 25) -> list[Suggestion]:
    """Known questions for an autocomplete box, best first, one per Q&A.

    Typing is partial by nature, so this ranks phrasings with ``WRatio`` (which credits a
    prefix through its partial matching) instead of the answer/abstain decision. A Q&A
    ranks by its best phrasing, then by how many phrasings reach that score: "lohu" is a
    prefix in one phrasing of "who organised it" ("did lohum organise it?") but in dozens
    of "what is LOHUM".
    """
    knowledge, index = matcher.knowledge, matcher.index
    text = index.normaliser.normalise(partial)
    if not text:
        return [Suggestion(qa.id, qa.question) for qa in list(knowledge.qas.values())[:limit]]
    best: dict[str, tuple[float, int]] = {}
    found = process.extract(
        text, index.phrasing_text, scorer=fuzz.WRatio, limit=None, score_cutoff=50
    )
    for _, score, phrasing_no in found:
        target = index.targets[index.phrasing_target[phrasing_no]]
        if target.kind != "qa":
            continue
        top, hits = best.get(target.id, (score, 0))
        if score == top:
            best[target.id] = (top, hits + 1)
    ranked = sorted(best, key=best.__getitem__, reverse=True)[:limit]
    return [Suggestion(qa_id, knowledge.qas[qa_id].question) for qa_id in ranked]
