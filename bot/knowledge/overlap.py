"""Does a Q&A say what a gap claims nobody knows? A simple, explainable word overlap.

Used by ``tourbot check`` to warn that a gap written for the article has been overtaken by
a newer source. The score is rapidfuzz's ``token_set_ratio`` on normalised text, counted
only when the two share at least two content words (words of four letters or more that
are not question filler), so "when is it" does not match every question with "when".
"""

from __future__ import annotations

from rapidfuzz import fuzz

THRESHOLD = 85.0
MIN_SHARED = 2
_FILLER = frozenset(
    "what when where which who whom whose why how does there will would could should "
    "about this that with from have been they them their tour article".split()
)


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in text.split() if len(w) >= 4 and w not in _FILLER)


def closest_pair(
    gap_texts: list[str], qa_texts: dict[str, list[str]], threshold: float = THRESHOLD
) -> tuple[str, int, int, float] | None:
    """The (Q&A id, gap text no., Q&A text no., score) that overlap most, if any does."""
    best: tuple[str, int, int, float] | None = None
    gap_words = [content_words(t) for t in gap_texts]
    for qa_id, texts in qa_texts.items():
        for qa_no, text in enumerate(texts):
            words = content_words(text)
            for gap_no, gap_text in enumerate(gap_texts):
                if len(words & gap_words[gap_no]) < MIN_SHARED:
                    continue
                score = fuzz.token_set_ratio(gap_text, text)
                if score >= threshold and (best is None or score > best[3]):
                    best = (qa_id, gap_no, qa_no, score)
    return best
