"""The naive baseline the project matcher is measured against.

For a question: normalise it like the matcher does, score it against every phrasing (and
every fact sentence) with ``rapidfuzz.fuzz.WRatio`` in a plain Python loop, keep the best,
and answer if its score reaches a threshold tuned on the labelled dev set, else abstain. No
index, no coverage signal, no suggestions: this is what "just fuzzy-match everything"
costs and gets right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.knowledge.loader import Knowledge
from bot.matching.answer import Answer, Outcome
from bot.matching.evaluation import Labelled, is_correct
from bot.matching.index import targets_from_knowledge
from bot.matching.matcher import cited_answer

# Used when there is no labelled dev set to tune on.
DEFAULT_THRESHOLD = 85.0
# Candidate thresholds for tuning: every whole score from 50 to 100.
CANDIDATES = tuple(float(t) for t in range(50, 101))


class NaiveBaseline:
    def __init__(self, knowledge: Knowledge, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.knowledge = knowledge
        self.threshold = threshold
        self.normaliser = knowledge.normaliser()
        self.targets = targets_from_knowledge(knowledge)
        self.texts: list[str] = []
        self.owners: list[int] = []
        for target_no, target in enumerate(self.targets):
            for phrasing in target.phrasings:
                text = self.normaliser.normalise(phrasing)
                if text:
                    self.texts.append(text)
                    self.owners.append(target_no)

    def best(self, question: str) -> tuple[float, int]:
        """The best WRatio over every phrasing and the target it belongs to (-1 if none)."""
        query = self.normaliser.normalise(question)
        best_score, best_target = 0.0, -1
        if not query:
            return best_score, best_target
        for text, owner in zip(self.texts, self.owners, strict=True):
            score = fuzz.WRatio(query, text)
            if score > best_score:
                best_score, best_target = score, owner
        return best_score, best_target

    def ask(self, question: str) -> Answer:
        score, target_no = self.best(question)
        if target_no < 0 or score < self.threshold:
            return Answer(Outcome.ABSTAINED, score)
        return self._answer(target_no, score)

    def _answer(self, target_no: int, score: float) -> Answer:
        target = self.targets[target_no]
        if target.kind == "gap":  # closest to something the article doesn't say
            return Answer(Outcome.ABSTAINED, score, note=target.display)
        return cited_answer(self.knowledge, target.id, target.kind, score)


@dataclass(frozen=True, slots=True)
class Tuning:
    threshold: float
    in_scope_accuracy: float
    held_back: float
    objective: float  # in-scope accuracy + share of near-miss/out-of-scope held back


def tune_threshold(baseline: NaiveBaseline, items: Sequence[Labelled]) -> Tuning:
    """The answer threshold that maximises accuracy + abstention on a labelled set.

    Same objective for both halves of the job: in-scope questions answered correctly, and
    near-miss / out-of-scope questions held back. Ties go to the higher (safer) threshold.
    Each question is scored once; the sweep only moves the cut.
    """
    scored = []
    for item in items:
        score, target_no = baseline.best(item.question)
        correct = False
        if item.kind == "in_scope" and item.expect is not None and target_no >= 0:
            correct = is_correct(
                baseline._answer(target_no, score), item.expect, baseline.knowledge
            )
        scored.append((item, score, target_no, correct))
    in_scope = sum(1 for item, *_ in scored if item.kind == "in_scope")
    others = len(scored) - in_scope
    best: Tuning | None = None
    for threshold in CANDIDATES:
        right = held = 0
        for item, score, target_no, correct in scored:
            answered = target_no >= 0 and score >= threshold
            if item.kind == "in_scope":
                right += answered and correct
            else:
                held += not answered
        accuracy = right / in_scope if in_scope else 0.0
        held_back = held / others if others else 1.0
        tuning = Tuning(threshold, accuracy, held_back, accuracy + held_back)
        if best is None or tuning.objective >= best.objective:
            best = tuning
    assert best is not None
    return best
