"""Read a chat message as the questions it asks.

People rarely type a bare question in chat: "hey, quick one, I was reading about this
India trip ... can you remind me who organised it?", "who organised it and when was it?".
The matcher scores the whole message and each of its question parts, so a question after
a preamble is judged on its own words, and a message asking two things can get two
answers. Chat also asks two things without a second question word ("date and venue?",
"tldr and also the dates pls"), so a question is also cut at a bare "and". Such pieces are
weak evidence ("did they visit LOHUM and Omega Seiki?" is one question), so the matcher
lets such pieces add to what the whole message answers but never overrule it; questions
asked in their own words may (``separate_questions``). This module only cuts text; which
reading wins is the matcher's call.
"""

from __future__ import annotations

import re

from bot.matching.textnorm import word_key

# A sentence runs up to its end mark or a line break (chat ends sentences with Enter more
# often than with a full stop); the last may have neither.
_SENTENCE = re.compile(r"[^.!?;\n]*[.!?;\n]+|[^.!?;\n]+$")
# Clauses inside a sentence: after a comma or colon, around a dash, at a "+"/"&", or
# before a number that lists questions ("1) when 2) where").
_CLAUSE_BREAK = re.compile(r"[,:]\s|\s[-\u2013\u2014+&]+\s|\s(?=\d{1,2}\)\s)")
# What starts a list item: a bullet or a number ("- when", "• where", "2) who").
_LIST_MARKER = re.compile(r"^(?:[-*\u2022]+|\(?\d{1,2}[.)])\s+")
# Words a question starts with; "and" followed by one of these starts a second question
# ("who organised it and when was it").
QUESTION_WORDS = "who whom whose what whats what's which when where why how".split()
# The question words as the index keys them: what a question names besides them is what it
# is about.
ASKING = frozenset(word_key(w) for w in QUESTION_WORDS)
# Words that start a question only as its first word ("was it in delhi?"; not "I was
# reading about ...").
OPENING_WORDS = (
    "is are was were do does did can could will would should has have had tell list name"
).split()
_SECOND_QUESTION = re.compile(
    r"\s(?:and|also|plus|n)\s+(?=(?:\w+\s+){0,2}(?:"
    + "|".join(re.escape(w) for w in QUESTION_WORDS + OPENING_WORDS)
    + r")\b)",
    re.IGNORECASE,
)
# A bare coordination inside a question: "date and venue", "summary + the organisers".
_COORDINATION = re.compile(r"\s(?:and|also|plus|&|\+)\s+(?:also\s+)?", re.IGNORECASE)
# What a message holds that is not words of its question: links ("saw this
# https://…/ev-tour-india, where was it?" is not about India as a model) and emoji typed
# as names (":thinking:", ":+1:"; not a time such as 10:30:00).
_NOT_WORDS = re.compile(
    r"\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+|:(?:[a-z0-9_+-]*[a-z][a-z0-9_+-]*|[+-]1|100):",
    re.IGNORECASE,
)
# More readings than this are not worth their cost: a message of 2,000 characters has few
# real questions, and every reading costs an embedding and a wording pass.
MAX_PARTS = 6


# "... and which ones?": an elliptic question whose only noun stands for what the question
# before it counted ("how many countries went and which ones").
_WHICH_ONES = re.compile(r"^(?:(?:and|also|plus|n|&|\+)\s+)?(which|what)\s+ones?\b", re.IGNORECASE)
_COUNTED = re.compile(r"\bhow\s+many\s+([a-z][\w-]*)", re.IGNORECASE)


def _with_antecedent(pieces: list[str]) -> list[str]:
    """Each "which ones" after a "how many X" read as "which X": alone it names nothing,
    and would get any answer or none."""
    resolved: list[str] = []
    for piece in pieces:
        counted = _COUNTED.search(resolved[-1]) if resolved else None
        elliptic = _WHICH_ONES.match(piece)
        if counted is not None and elliptic is not None:
            piece = f"{elliptic.group(1)} {counted.group(1)}{piece[elliptic.end() :]}"
        resolved.append(piece)
    return resolved


def looks_like_question(text: str) -> bool:
    """Ends with a question mark, or has a question word among its first three words
    ("for how many days", "and who organised it")."""
    words = text.lower().split()[:3]
    return (
        text.rstrip().endswith("?")
        or any(word in QUESTION_WORDS for word in words)
        or bool(words and words[0] in OPENING_WORDS)
    )


def question_parts(message: str) -> list[str]:
    """The message's clauses that look like questions, in order, at most MAX_PARTS.

    A message of one question gives that question (possibly the whole message); chatter
    ("hey, quick one") is left out, so it cannot be answered on its own.
    """
    parts: list[str] = []
    for sentence in _SENTENCE.findall(message):
        asks = "?" in sentence
        clauses = [_LIST_MARKER.sub("", c.strip(" .!?;\n")) for c in _CLAUSE_BREAK.split(sentence)]
        pieces = [p.strip() for c in clauses for p in _SECOND_QUESTION.split(c)]
        for piece in pieces:
            if piece and (looks_like_question(piece) or (asks and piece is pieces[-1])):
                parts.append(piece)
    return _with_antecedent(parts)[:MAX_PARTS]


def coordinated_parts(message: str) -> list[str]:
    """The pieces of each question in the message cut at a bare "and" ("date and venue?"
    gives "date" and "venue"): a sentence with a question mark, one that looks like a
    question, or a message of one sentence (chat often drops the question mark)."""
    sentences = _SENTENCE.findall(message)
    pieces: list[str] = []
    for sentence in sentences:
        text = sentence.strip(" .!?;\n")
        if "?" in sentence or len(sentences) == 1 or looks_like_question(text):
            cut = [p.strip(" .!?;,:\n") for p in _COORDINATION.split(text)]
            if len(cut) > 1:
                pieces += _with_antecedent([p for p in cut if p])
    return pieces


def _words(message: str) -> str:
    """The message's lines, each with its spacing folded, without links and emoji names
    (unless they are all there is)."""
    words = _NOT_WORDS.sub(" ", message)
    kept = words if words.strip() else message
    return "\n".join(" ".join(line.split()) for line in kept.splitlines())


def separate_questions(message: str) -> list[str]:
    """The message's question parts as ``readings`` gives them: the questions it asks in
    their own words ("what's lohum and what's omega seiki"), not the pieces of one
    question cut at a bare "and"."""
    return question_parts(_words(message))


def readings(message: str) -> list[str]:
    """The whole message first (on one line), then its question parts that differ from it,
    then its coordinated pieces (at most MAX_PARTS readings besides the whole). Links and
    emoji names are left out, unless they are all there is."""
    lines = _words(message)
    whole = " ".join(lines.split())
    found = [whole]
    seen = {whole.strip(" ?!.").lower()}
    for part in question_parts(lines) + coordinated_parts(lines):
        key = part.strip(" ?!.").lower()
        if key not in seen and len(found) <= MAX_PARTS:  # "ev?" and "ev" are one reading
            seen.add(key)
            found.append(part)
    return found
