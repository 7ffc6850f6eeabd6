"""What the matcher decides, in a shape every front end (CLI, Discord) can render."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from bot.knowledge.loader import Citation

# Follows a gap's note ("The article doesn't say who runs LOHUM.") in every front end.
NO_GUESS = "I only answer from the article, so I won't guess."
NO_GUESS_SOURCES = "I only answer from the sources here, so I won't guess."


def no_guess(several_sources: bool) -> str:
    """The sentence after a gap's note, for the article alone or for several sources."""
    return NO_GUESS_SOURCES if several_sources else NO_GUESS


def citation_json(citation: Citation) -> dict[str, Any]:
    """A citation as JSON: the original paragraph and quote, then where it comes from."""
    return {
        "paragraph": citation.paragraph,
        "quote": citation.quote,
        "source": citation.source,
        "title": citation.title,
        "url": citation.url,
    }


class Outcome(enum.Enum):
    ANSWERED = "answered"
    SUGGESTED = "suggested"
    ABSTAINED = "abstained"
    # Greetings, thanks, "how are you": a short friendly reply about what the bot does,
    # never a fact (a fact would answer a question nobody asked).
    SMALL_TALK = "small_talk"


@dataclass(frozen=True, slots=True)
class MatchRef:
    id: str
    kind: str  # "qa" or "fact"


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: str
    question: str


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    confidence: float
    text: str | None = None
    citations: tuple[Citation, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    match: MatchRef | None = None
    # Why the bot does not answer, when it knows: "The article doesn't say who runs LOHUM."
    note: str | None = None
    # A message that asks two things gets one answer per part, in the order asked; the
    # fields above are then the first part's, so a reader of one answer still gets one.
    parts: tuple[Answer, ...] = ()
    # The friendly reply to small talk (outcome SMALL_TALK).
    reply: str | None = None

    @property
    def answered(self) -> bool:
        return self.outcome is Outcome.ANSWERED

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "answered": self.answered,
            "answer": self.text,
            "confidence": round(self.confidence, 1),
            "citations": [citation_json(c) for c in self.citations],
            "suggestions": [s.question for s in self.suggestions],
            "match": None if self.match is None else {"id": self.match.id, "kind": self.match.kind},
        }
        if self.note is not None:
            payload["note"] = self.note
        if self.reply is not None:
            payload["reply"] = self.reply
        if len(self.parts) > 1:
            payload["parts"] = [part.to_json() for part in self.parts]
        return payload
