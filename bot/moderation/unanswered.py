"""Group what the bot could not answer, so moderators see the biggest gaps first."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.moderation.questionlog import LoggedQuestion

SAME_QUESTION = 80
# Answers below this confidence are listed too: right or not, the bot was unsure.
LOW_CONFIDENCE = 80.0


def one_line(question: str) -> str:
    """A logged question as a list shows it: a message asked on several lines, on one."""
    return " ".join(question.split())


@dataclass(slots=True)
class Group:
    example: str  # the first wording seen, on one line
    questions: list[LoggedQuestion] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def wordings(self) -> list[str]:
        return list(dict.fromkeys(one_line(q.question) for q in self.questions))

    @property
    def best_confidence(self) -> float:
        return max(q.confidence for q in self.questions)


def group_similar(
    questions: Iterable[LoggedQuestion], normalise: Callable[[str], str] = str.lower
) -> list[Group]:
    """Greedy clustering by wording; most frequent groups first."""
    groups: list[tuple[str, Group]] = []
    for question in questions:
        key = normalise(question.question)
        for group_key, group in groups:
            if fuzz.token_sort_ratio(key, group_key) >= SAME_QUESTION:
                group.questions.append(question)
                break
        else:
            groups.append((key, Group(one_line(question.question), [question])))
    ordered = [group for _, group in groups]
    ordered.sort(key=lambda g: (-g.count, g.example))
    return ordered
