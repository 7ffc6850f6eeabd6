"""Decide, for one message, whether to answer, offer "did you mean", or hold back.

The rule fits in a sentence. Every target (a Q&A, a fact, or a gap: something the sources
do not say) gets a *score*: its **meaning** similarity to the question (the best cosine
between the question and anything the target says, ``bot.matching.meaning``; -1 to 1)
plus its **wording** similarity (closest phrasing by spelling and shared words, times the
share of the question's words the target knows, ``bot.matching.wording``; 0 to 1). The
best answerable target is answered when its score reaches ``answer`` and its meaning
alone reaches ``meaning``, it leads every target with a different answer by ``margin``,
and no gap scores higher; a gap that scores higher means "the sources don't say" (with
the Q&As that reached ``answer`` offered beside it). Below that, "did you mean" from
``suggest``.

Neither signal counts an entry's phrasings: meaning takes the single closest text, and the
thresholds are fixed numbers, chosen once on the read question sets with every entry cut
to five phrasings and with full phrasings alike (docs/matching.md), never on entry ids.

A message is read whole and by its question parts (``bot.matching.message``): a question
after a preamble is judged on its own words, two questions get two answers, and small talk
gets a friendly reply instead of a fact (``bot.matching.smalltalk``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.loader import Knowledge
from bot.knowledge.sources import ARTICLE_ID
from bot.matching import smalltalk
from bot.matching.answer import Answer, MatchRef, Outcome, Suggestion
from bot.matching.embedding import Vectors
from bot.matching.index import KnowledgeIndex, QueryTerms, Target, targets_from_knowledge
from bot.matching.meaning import MeaningIndex, fact_owners, target_texts
from bot.matching.message import ASKING, readings, separate_questions
from bot.matching.vectors import VectorStore, shared_store
from bot.matching.wording import Scored as WordingScored
from bot.matching.wording import Wording

# How many of the best targets a reading keeps (see Matcher._rank); "did you mean" shows 3.
TOP = 32
# Past this many targets, the TOP best are picked before they are sorted (sorting them all
# costs milliseconds at 100,000 Q&As); below it, every target is sorted as it always was.
LARGE = 4096


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores are meaning + wording (-1 to 2). Chosen once on the read sets, with full
    phrasings and with every entry cut to five (docs/matching.md): the most in-scope
    answers, pooled over both, that keep at least 95% (full) and 93% (cut) of near-miss
    and off-topic questions unanswered and at most 1.2% of in-scope ones answered wrong;
    the margin was then raised from 0.02 so one-word questions ("ev?") get "did you
    mean" (docs/matching.md)."""

    answer: float = 0.45
    # The meaning alone must reach this: a question that shares words with an entry but
    # means something else ("what time is it" and "what time was the tour") is not it.
    meaning: float = 0.1
    margin: float = 0.05  # lead over the best target with a different answer
    suggest: float = 0.35  # at or above, when not answering: "did you mean"
    max_suggestions: int = 3


@dataclass(frozen=True, slots=True)
class Scored:
    target: int
    score: float
    meaning: float  # the best cosine less what chance gives (bot.matching.meaning)
    wording: float  # 0-1
    closest: float = 0.0  # the best cosine itself
    miscounted: bool = False  # the question counts something the target never counts

    @property
    def confidence(self) -> float:
        """The score as the 0-100 figure users see: 1.5 (a question asked as an entry with
        a few phrasings says it) and above is 100."""
        return max(0.0, min(100.0, 100.0 * self.score / 1.5))


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a message (the whole, or a question part) and what it decides."""

    text: str
    terms: QueryTerms
    ranked: list[Scored]
    answer: Answer


def _names(reading: Reading) -> bool:
    """Whether a reading names something besides its question words: "when", alone or
    after another question, is about whatever the rest of the message is about."""
    return bool(set(reading.terms.tokens) - ASKING)


class Matcher:
    def __init__(
        self,
        knowledge: Knowledge,
        thresholds: Thresholds | None = None,
        store: VectorStore | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self.store = store or shared_store()
        self.index = KnowledgeIndex(targets_from_knowledge(knowledge), knowledge.normaliser())
        self._owner = fact_owners(knowledge, self.store)
        self.wording = Wording(self.index, self._owner)
        targets = self.index.targets
        self.meaning = MeaningIndex([target_texts(knowledge, t) for t in targets], self.store)
        self._small_talk = self.store.vectors(smalltalk.EXAMPLES)
        self._reply = smalltalk.reply(knowledge)
        # Gaps say what the article lacks; they cannot veto what a newer source says
        # (a moderator's announcement of a follow-up workshop answers "is there another
        # event?", whatever gaps.yaml says of the article).
        self._newer = [self._cites_newer_source(t) for t in targets]

    # -- scoring -------------------------------------------------------------------------

    def rank(self, question: str) -> list[Scored]:
        """The best targets (up to TOP) for the message read whole, best first."""
        (ranked,) = self._rank([self.index.terms(question)], self._encode([question]))
        return ranked

    def _encode(self, texts: Sequence[str]) -> Vectors:
        """The sentence model's vectors of the texts, typos corrected (``respell``)."""
        return self.store.encode([self.index.respell(text) for text in texts])

    def _rank(self, terms: Sequence[QueryTerms], vectors: Vectors) -> list[list[Scored]]:
        """The TOP best targets for each reading: all the decision looks at (the best
        answerable target, its best rival, the best gap; a target below TOP others can
        change none of it). The readings' meaning is one product: the knowledge's vectors
        are read once, however many readings a message has."""
        worded = [{s.target: s for s in self.wording.rank(t)} for t in terms]
        closest = self.meaning.similarity(vectors, also=[list(w) for w in worded])
        return [self._top(w, c) for w, c in zip(worded, closest, strict=True)]

    def _top(self, worded: dict[int, WordingScored], closest: Vectors) -> list[Scored]:
        if len(closest) > LARGE:
            # Only what a search found can be among the best: the approximate meaning
            # search leaves every target it did not find at -1, the lowest cosine there is,
            # so at 100,000 Q&As a few thousand targets are scored instead of all of them.
            found = closest > -1.0
            found[list(worded)] = True
            candidates = np.flatnonzero(found)
        else:
            candidates = np.arange(len(closest))
        meaning = closest[candidates] - self.meaning.chance[candidates]
        wording = np.zeros_like(meaning)
        if worded:
            targets = np.fromiter(worded, dtype=np.intp, count=len(worded))
            confidence = [scored.confidence / 100 for scored in worded.values()]
            wording[np.searchsorted(candidates, targets)] = confidence
        scores = meaning + wording
        if len(scores) > LARGE:  # the TOP best without sorting thousands of scores
            best = np.argpartition(-scores, TOP)[:TOP]
            top = best[np.argsort(-scores[best], kind="stable")]
        else:
            top = np.argsort(-scores, kind="stable")[:TOP]
        ranked = []
        for at in top:
            target = int(candidates[at])
            ranked.append(
                Scored(
                    target,
                    float(scores[at]),
                    float(meaning[at]),
                    float(wording[at]),
                    closest=float(closest[target]),
                    miscounted=target in worded and worded[target].miscounted,
                )
            )
        return ranked

    # -- deciding ------------------------------------------------------------------------

    def ask(self, message: str) -> Answer:
        texts = readings(message)
        terms = [self.index.terms(text) for text in texts]
        vectors = self._encode(texts)
        found = [
            Reading(text, read, ranked, self._decide(ranked))
            for text, read, ranked in zip(texts, terms, self._rank(terms, vectors), strict=True)
        ]
        chat = [self._is_small_talk(v, r) for v, r in zip(vectors, found, strict=True)]
        answered = self._past_gap(
            [r for r, small in zip(found, chat, strict=True) if r.answer.answered and not small],
            found[0],
        )
        if not answered and self._chatting(chat, found[0].answer):
            return Answer(Outcome.SMALL_TALK, 0.0, reply=self._reply)
        answered_parts = [r for r in answered if r is not found[0]]
        parts = self._parts(answered_parts)
        if len(parts) > 1 and (
            self._agrees(found[0], parts) or self._asked_apart(message, answered_parts, found[0])
        ):
            first = parts[0]
            return Answer(
                Outcome.ANSWERED,
                min(p.confidence for p in parts),
                text=first.text,
                citations=first.citations,
                match=first.match,
                parts=tuple(parts),
            )
        if answered:
            # The whole message has all the context; a part answers when it does not.
            return answered[0].answer
        whole = found[0].answer
        if whole.outcome is Outcome.SUGGESTED or whole.note is not None:
            return whole
        return max(found, key=lambda r: r.ranked[0].score if r.ranked else -1.0).answer

    def _parts(self, found: Sequence[Reading]) -> list[Answer]:
        """The answers of a message's question parts, one per different answer, in order."""
        answers: list[Answer] = []
        seen: set[str] = set()
        for reading in found:
            answer = reading.answer
            if answer.answered and answer.match is not None:
                key = self._answer_key(answer.match.id)
                if key not in seen:
                    seen.add(key)
                    answers.append(answer)
        return answers

    def _past_gap(self, answered: list[Reading], whole: Reading) -> list[Reading]:
        """The answered readings that may answer although the whole message was held back
        by a gap: the parts surer of their answer than the whole is of the gap, when one of
        them names something besides its question word (the bare ones, "when was it?",
        are about what that one is about) or the whole names nothing else either. "was
        the tour actually useful tho? what do u think" asks what the sources lack (whether
        it was a success), whatever its first sentence alone comes near; the "when" of
        "who founded iclei and when" is the founding's, not the tour's; but "when and
        where" and "who organised the tour? when was it?" ask about the tour."""
        gap = self._first(whole.ranked, gap=True)
        if whole.answer.note is None or gap is None:
            return answered
        surer = [
            r
            for r in answered
            if (best := self._first(r.ranked, gap=False)) is not None and best.score > gap.score
        ]
        return surer if any(_names(r) for r in surer) or not _names(whole) else []

    def _asked_apart(self, message: str, found: Sequence[Reading], whole: Reading) -> bool:
        """Whether two questions asked in their own words get different answers, each
        surer than the whole message's: then the parts are the answer, whatever the whole
        leans to ("what's lohum and what's omega seiki" is two questions, however close
        the whole is to a third). A part must name something besides its question word:
        "tell me when and in which city the trial began" asks about one trial, and its
        "tell me when" alone would be any "when". An elliptic part ("... countries working
        together? why is that important") is less sure than the whole, which keeps it."""
        apart = set(separate_questions(message))
        named = [r for r in found if r.text in apart and _names(r)]
        asked = self._parts(named)
        sure = whole.answer.confidence if whole.answer.answered else 0.0
        return len(asked) > 1 and all(a.confidence > sure for a in asked)

    def _agrees(self, whole: Reading, parts: Sequence[Answer]) -> bool:
        """Pieces add to what the whole message answers; they never overrule it. "did they
        visit LOHUM and Omega Seiki?" is one question, answered whole (the companies
        visited); cut at its "and", its pieces would answer two others (each company)."""
        match = whole.answer.match
        if not whole.answer.answered or match is None:
            return True
        key = self._answer_key(match.id)
        return any(p.match is not None and self._answer_key(p.match.id) == key for p in parts)

    @staticmethod
    def _chatting(chat: Sequence[bool], whole: Answer) -> bool:
        """Small talk is the reply when the whole message is small talk, or when a part of
        it is and the whole found nothing to say. A chatty tail does not silence what the
        whole message named: "i heard lohum does recycling, is that right?" gets what the
        sources lack about LOHUM's recycling, not a greeting for its "is that right"."""
        if chat[0]:
            return True
        return any(chat) and whole.note is None and whole.outcome is not Outcome.SUGGESTED

    def _is_small_talk(self, vector: Vectors, reading: Reading) -> bool:
        """Names nothing the knowledge knows but chat acts, or is close to an everyday
        opener and clearly closer than to anything the knowledge says."""
        if smalltalk.names_nothing(reading.terms) or smalltalk.about_the_bot(
            reading.text, reading.terms
        ):
            return True
        if not len(self._small_talk):
            return False
        chat = float(np.max(self._small_talk @ vector))
        nearest = max((s.closest for s in reading.ranked), default=-1.0)
        return chat >= smalltalk.SIMILARITY and chat >= nearest + smalltalk.LEAD

    def _first(self, ranked: list[Scored], gap: bool) -> Scored | None:
        """The best gap in ``ranked``, or the best target that is not one."""
        targets = self.index.targets
        return next((s for s in ranked if (targets[s.target].kind == "gap") == gap), None)

    def _decide(self, ranked: list[Scored]) -> Answer:
        t = self.thresholds
        targets = self.index.targets
        best = self._first(ranked, gap=False)
        gap = self._first(ranked, gap=True)
        if best is None:
            return self._hold(gap, ranked)
        if gap is not None and gap.score > best.score and not self._newer[best.target]:
            return self._hold(gap, ranked)
        key = self._answer_key(targets[best.target].id)
        rival = next(
            (
                s.score
                for s in ranked
                if targets[s.target].kind != "gap" and self._answer_key(targets[s.target].id) != key
            ),
            -1.0,
        )
        if (
            best.score >= t.answer
            and best.meaning >= t.meaning
            and best.score - rival >= t.margin
            and not best.miscounted
        ):
            return self.answer_target(best.target, best.confidence)
        suggestions = self._suggestions(ranked)
        if best.score >= t.suggest and suggestions:
            return Answer(Outcome.SUGGESTED, best.confidence, suggestions=suggestions)
        return Answer(Outcome.ABSTAINED, best.confidence)

    def _hold(self, gap: Scored | None, ranked: list[Scored]) -> Answer:
        """Closer to something the sources don't say than to anything they do. The reply
        says what they lack and offers the questions they do answer that the bot would
        have answered but for the gap (their score reaches ``answer``; not every loose
        relative a "did you mean" lists): a near miss ("who runs Omega Seiki?") is often
        asked by someone who would like what is known ("what is Omega Seiki?"), and a
        question a gap took by mistake keeps its answer one press away."""
        if gap is None or gap.score < self.thresholds.suggest:
            return Answer(Outcome.ABSTAINED, 0.0 if gap is None else gap.confidence)
        note = self.index.targets[gap.target].display
        related = self._suggestions(ranked, self.thresholds.answer)
        return Answer(Outcome.ABSTAINED, gap.confidence, suggestions=related, note=note)

    def _cites_newer_source(self, target: Target) -> bool:
        if target.kind == "qa":
            return bool(self.knowledge.cited_sources(self.knowledge.qas[target.id]) - {ARTICLE_ID})
        if target.kind == "fact":
            return self.knowledge.facts[target.id].citation.source != ARTICLE_ID
        return False

    def _answer_key(self, target_id: str) -> str:
        """What a target answers with: a fact speaks for its owner (``fact_owners``)."""
        return self._owner.get(target_id, target_id)

    def _qa_for(self, target: int) -> str | None:
        """The Q&A a target stands for in a "did you mean": itself, one citing a fact, or
        none for a gap (there is nothing to offer)."""
        found = self.index.targets[target]
        if found.kind == "qa":
            return found.id
        return self._owner.get(found.id) if found.kind == "fact" else None

    def _suggestions(
        self, ranked: list[Scored], floor: float | None = None
    ) -> tuple[Suggestion, ...]:
        t = self.thresholds
        floor = t.suggest if floor is None else floor
        chosen: list[Suggestion] = []
        for scored in ranked:
            if scored.score < floor or len(chosen) == t.max_suggestions:
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
