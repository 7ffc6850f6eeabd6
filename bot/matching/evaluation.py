"""Measure answer quality on a labelled question set.

A labelled set is a YAML list of ``{q, expect, kind}``: ``expect`` is the Q&A id that
should answer (``kind: in_scope``), or a list of two ids for a message that asks two
things (both must be answered), or null when the bot must not answer (``near_miss``:
about the article's subject but not in it; ``out_of_scope``: unrelated; ``small_talk``:
greetings and thanks, which get the small-talk reply).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.loader import Knowledge
from bot.matching.answer import Answer, Outcome

KINDS = ("in_scope", "near_miss", "out_of_scope", "small_talk")


@dataclass(frozen=True, slots=True)
class Labelled:
    question: str
    expect: str | tuple[str, ...] | None
    kind: str


@dataclass(frozen=True, slots=True)
class Miss:
    question: str
    expect: str | tuple[str, ...] | None
    got: str | None
    outcome: str
    confidence: float


@dataclass(slots=True)
class Report:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, verdict)
    totals: Counter[str] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (expected, got)

    def rate(self, kind: str, verdict: str) -> float:
        total = self.totals[kind]
        return self.counts[(kind, verdict)] / total if total else 0.0

    @property
    def in_scope_accuracy(self) -> float:
        return self.rate("in_scope", "correct")

    @property
    def in_scope_reachable(self) -> float:
        """Share answered correctly or offered as a "did you mean": one click away."""
        return self.in_scope_accuracy + self.rate("in_scope", "offered")

    @property
    def small_talk_replied(self) -> float:
        """Share of small talk that got the small-talk reply (never a fact)."""
        return self.rate("small_talk", "small_talk")

    @property
    def out_of_scope_held_back(self) -> float:
        """Share of near-miss and out-of-scope questions the bot did not answer."""
        total = self.totals["near_miss"] + self.totals["out_of_scope"]
        answered = (
            self.counts[("near_miss", "answered")] + self.counts[("out_of_scope", "answered")]
        )
        return 1 - answered / total if total else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "totals": dict(self.totals),
            "in_scope": {
                v: self.counts[("in_scope", v)]
                for v in ("correct", "wrong", "partial", "suggested", "abstained")
            },
            "in_scope_accuracy": round(self.in_scope_accuracy, 4),
            "in_scope_offered": self.counts[("in_scope", "offered")],
            "in_scope_reachable": round(self.in_scope_reachable, 4),
            "not_answered_out_of_scope_and_near_miss": round(self.out_of_scope_held_back, 4),
            "near_miss": {
                v: self.counts[("near_miss", v)] for v in ("answered", "suggested", "abstained")
            },
            "out_of_scope": {
                v: self.counts[("out_of_scope", v)] for v in ("answered", "suggested", "abstained")
            },
            "confusion": [
                {"expected": e, "got": g, "count": n} for (e, g), n in self.confusion.most_common()
            ],
        }


class LabelledSetError(ValueError):
    pass


def load_labelled(path: Path) -> list[Labelled]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise LabelledSetError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, list):
        raise LabelledSetError(f"{path}: expected a list of {{q, expect, kind}} entries")
    items = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
            raise LabelledSetError(f"{path}: entry {number} needs a 'q' text")
        kind = entry.get("kind", "in_scope" if entry.get("expect") else "out_of_scope")
        if kind not in KINDS:
            raise LabelledSetError(f"{path}: entry {number}: kind must be one of {KINDS}")
        expect = entry.get("expect")
        if isinstance(expect, list):
            expect = tuple(str(e) for e in expect)
        items.append(Labelled(entry["q"], expect, kind))
    return items


def is_correct(answer: Answer, expect: str, knowledge: Knowledge) -> bool:
    """Right Q&A, or a fact that the expected Q&A itself cites (same evidence)."""
    if answer.match is None:
        return False
    if answer.match.id == expect:
        return True
    qa = knowledge.qas.get(expect)
    return answer.match.kind == "fact" and qa is not None and answer.match.id in qa.cites


def pooled(reports: Sequence[Report]) -> Report:
    """Several sets' reports as one (counts and totals added; misses left out)."""
    total = Report()
    for report in reports:
        total.counts.update(report.counts)
        total.totals.update(report.totals)
    return total


def all_correct(answer: Answer, expect: tuple[str, ...], knowledge: Knowledge) -> bool:
    """Every expected id is answered by one of the answer's parts."""
    parts = answer.parts or (answer,)
    return all(any(is_correct(part, one, knowledge) for part in parts) for one in expect)


def _some_correct(answer: Answer, expect: tuple[str, ...], knowledge: Knowledge) -> bool:
    parts = answer.parts or (answer,)
    return all(any(is_correct(part, one, knowledge) for one in expect) for part in parts)


def cut_phrasings(knowledge: Knowledge, keep: int) -> Knowledge:
    """The knowledge as a moderator would write it: every Q&A and gap cut to its first
    ``keep`` phrasings (taught ones included in the count)."""
    return dataclasses.replace(
        knowledge,
        qas={
            i: dataclasses.replace(q, phrasings=q.phrasings[:keep])
            for i, q in knowledge.qas.items()
        },
        gaps={
            i: dataclasses.replace(g, phrasings=g.phrasings[:keep])
            for i, g in knowledge.gaps.items()
        },
        taught=(),
    )


def evaluate(
    ask: Callable[[str], Answer], items: Sequence[Labelled], knowledge: Knowledge
) -> Report:
    report = Report()
    for item in items:
        answer = ask(item.question)
        report.totals[item.kind] += 1
        got = answer.match.id if answer.match else None
        if item.kind == "in_scope" and item.expect is not None:
            expect = item.expect if isinstance(item.expect, tuple) else (item.expect,)
            if answer.outcome is Outcome.ANSWERED:
                verdict = "correct" if all_correct(answer, expect, knowledge) else "wrong"
                if verdict == "wrong" and _some_correct(answer, expect, knowledge):
                    verdict = "partial"  # one of two questions answered, and rightly
            else:
                verdict = answer.outcome.value
            # Offered: not answered, but the right entry is one press away (a "did you
            # mean", or a related question under what the sources lack).
            if not answer.answered and any(s.id in expect for s in answer.suggestions):
                report.counts[("in_scope", "offered")] += 1
            if verdict == "wrong":
                report.confusion[("+".join(expect), got or "?")] += 1
            ok = verdict == "correct"
        else:
            verdict = "answered" if answer.answered else answer.outcome.value
            ok = not answer.answered
        report.counts[(item.kind, verdict)] += 1
        if not ok:
            miss = Miss(item.question, item.expect, got, answer.outcome.value, answer.confidence)
            report.misses.append(miss)
    return report
