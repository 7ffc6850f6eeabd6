"""Text normalisation shared by the knowledge checks and the matcher.

Both sides must normalise identically, otherwise "EV's" in a question and "electric
vehicle" in a phrasing would never meet. The steps are deliberately simple and
predictable so a moderator can reason about why two phrasings count as the same.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from bot.matching.chat import (
    CHAT_ACTS,
    FILLER_PHRASES,
    FILLER_WORDS,
    SHORTHAND,
    expand_contractions,
)

_POSSESSIVE = re.compile(r"(\w)'s\b")
# A letter typed three or more times running is chat's stretch ("whennnn", "sooo",
# "pleaseee"): no English word has one, so it is read as two ("whenn", then a known word
# one edit away, as any typo is).
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
_NON_WORD = re.compile(r"[^\w]+")
# Symbols that ask something: "what % of sales" asks for a percentage, which the article
# never gives; stripped as punctuation, the question would lose the very thing it asks.
_SYMBOL_WORDS = str.maketrans(
    {"%": " percent ", "$": " dollar ", "\u20b9": " rupee ", "\u20ac": " euro "}
)

# Words that carry no topic of their own. Kept short on purpose: "how", "when", "who" and
# "where" are NOT here, because they decide which question is being asked.
_CORE_STOPWORDS = frozenset(
    """
    a an the of in on at to for from by with about into and or but is are was were be been
    being do does did done has have had having it its this that these those there their them
    they he she his her we our us you your i me my mine am not so as than then too very can
    could would should will shall may might must just also any some such please pls tell know
    if whether
    hey hi hello bot tourbot ok okay thanks thank s
    lol lmao haha um uh hmm btw guys bro yo ya
    everyone everybody anyone anybody someone somebody all folks yall morning evening
    sorry quick question curious wondering wonder really actually basically exactly again
    already anyway anyways still even yeah yep yes sure right correct like maybe etc
    stuff thing something anything tbh ngl tho imo idk
    list give show explain describe info information detail details
    """.split()
)


def fold_plural(token: str) -> str:
    """Fold plurals so "batteries" meets "battery"; nothing cleverer, to stay predictable."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if (
        len(token) > 3
        and token.endswith("s")
        and not token.endswith(("ss", "us", "is"))
        and token != "does"  # a verb, not the plural of "doe"
    ):
        return token[:-1]
    return token


# Plus chat filler (bot.chat). Tokens are compared after plurals are folded, so a plural
# stopword ("guys", "folks") is also listed as its folded form ("guy", "folk").
STOPWORDS = frozenset(
    form for word in _CORE_STOPWORDS | FILLER_WORDS for form in (word, fold_plural(word))
)


def basic_normalise(text: str) -> str:
    """Lowercase, strip accents and punctuation, fold plurals; no synonyms."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = expand_contractions(text.casefold().replace("’", "'").replace("‘", "'"))
    text = _STRETCHED.sub(r"\1\1", text)
    text = _POSSESSIVE.sub(r"\1", text).translate(_SYMBOL_WORDS)
    words = _NON_WORD.sub(" ", text).replace("_", " ").split()
    return " ".join(fold_plural(w) for word in words for w in expand_shorthand(word).split())


def expand_shorthand(word: str) -> str:
    """A chat short form spelled out, also when it carries a plural "s" ("wats")."""
    return SHORTHAND.get(word) or SHORTHAND.get(fold_plural(word)) or word


def _filler_pattern() -> re.Pattern[str]:
    phrases = sorted({basic_normalise(p) for p in FILLER_PHRASES}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b")


# Filler phrases, written as people type them and matched after basic normalisation.
_FILLER = _filler_pattern()


@dataclass(frozen=True, slots=True)
class Normaliser:
    """Normalises text and rewrites known variants ("2w", "e.v.") to one canonical form."""

    synonyms: Mapping[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _table: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Knowledge texts already normalised (``normalise_known``): the loader's checks and the
    # index read the same phrasings, and a reload reads them all again.
    _known: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, str] = {}
        for variant, canonical in self.synonyms.items():
            key = basic_normalise(variant)
            value = basic_normalise(canonical)
            if key and key != value:
                table[key] = value
        object.__setattr__(self, "_table", table)
        if table:
            alternatives = sorted(table, key=len, reverse=True)
            pattern = r"\b(" + "|".join(re.escape(a) for a in alternatives) + r")\b"
            object.__setattr__(self, "_pattern", re.compile(pattern))

    def word_variants(self) -> dict[str, str]:
        """The one-word variants and what they are rewritten to ("nation" -> "country"):
        typo correction reads "naions" as "nation", a word no normalised text has."""
        return {word: canonical for word, canonical in self._table.items() if " " not in word}

    def normalise(self, text: str) -> str:
        text = " ".join(_FILLER.sub(" ", basic_normalise(text)).split())
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: self._table[m.group(1)], text)
        return text

    def normalise_known(self, text: str) -> str:
        """``normalise``, remembered: for the knowledge's own texts, which the loader's
        checks and the index both read, on every load and reload (normalising was most of
        a reload's time). Not for questions: those never repeat enough to be worth it, and
        remembering them would grow without bound in a running bot."""
        found = self._known.get(text)
        if found is None:
            found = self._known[text] = self.normalise(text)
        return found

    def known(self) -> dict[str, str]:
        """The texts ``normalise_known`` has seen and their forms (to persist them)."""
        return dict(self._known)

    def remember(self, known: Mapping[str, str]) -> None:
        """Take forms normalised earlier by this same table and code (a cache on disk)."""
        self._known.update(known)

    def __reduce__(self) -> tuple[object, tuple[dict[str, str]]]:
        # Pickled (in a cached index) as its synonyms: the process's shared normaliser for
        # them is used on loading, with whatever it already remembers.
        return shared_normaliser, (dict(self.synonyms),)

    def tokens(self, text: str) -> list[str]:
        return self.normalise(text).split()


# The normalisers of the last few synonym tables, so every load and reload of the same
# knowledge shares one (and with it what ``normalise_known`` remembers).
_SHARED: dict[tuple[tuple[str, str], ...], Normaliser] = {}
_SHARED_KEEP = 4
_shared_lock = threading.Lock()


def shared_normaliser(synonyms: Mapping[str, str]) -> Normaliser:
    """The process's normaliser for this synonyms table (built on first use).

    A reload after editing one entry then normalises only that entry's texts; the oldest
    table's normaliser is dropped once more than a few are kept, so a long-running bot whose
    synonyms keep changing does not keep every old one.
    """
    key = tuple(synonyms.items())
    with _shared_lock:
        found = _SHARED.pop(key, None)
        if found is None:
            found = Normaliser(dict(synonyms))
        _SHARED[key] = found  # most recently used last
        while len(_SHARED) > _SHARED_KEEP:
            del _SHARED[next(iter(_SHARED))]
        return found


_ENGLISH = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def word_key(token: str) -> str:
    """The form a content word is indexed under: its Porter2 stem.

    People ask with whatever form of a word comes to mind ("participating countries",
    "who participated", "the participants"); matching stems lets one phrasing stand for
    all of them. Phrasings themselves keep their surface form for the fuzzy comparison.
    """
    return str(_ENGLISH.stemWord(token))


def content_tokens(tokens: Iterable[str]) -> list[str]:
    """Tokens that say what a question is about (stopwords dropped, order kept)."""
    return [t for t in tokens if t not in STOPWORDS]


# "how many X", "number of X": what a counting question counts is the first content word
# after the cue.
_COUNT_CUE = re.compile(r"\b(?:how many|how much|number of|count of)\b(.*)")


def counted_words(normalised: str, counted: Container[str] = ()) -> frozenset[str]:
    """The things a counting question counts ("how many country" -> {"country"}).

    "how much does it cost" counts "cost" ("does" and "it" are not content words), which
    no entry counts, so no entry answers it outright. A first word nothing in ``counted``
    counts is often a modifier ("how many asian country", "number of participating
    country"), so the word after it counts too.
    """
    match = _COUNT_CUE.search(normalised)
    words = content_tokens(match.group(1).split()) if match else []
    if words and counted and words[0] not in counted:
        return frozenset(words[:2])
    return frozenset(words[:1])


# The chat-act words (``bot.matching.chat.CHAT_ACTS``) as the index keys words, so a
# question's terms can be looked up directly.
CHAT_WORDS = frozenset(word_key(w) for w in basic_normalise(CHAT_ACTS).split())
