"""A search index over everything the bot can answer, built once per knowledge version.

Scoring every phrasing with a fuzzy scorer is accurate but grows linearly with the
knowledge base. The index keeps that accuracy and stays fast by shortlisting: an inverted
index of content words (weighted by rarity) picks the few phrasings that share words with
the question, and only those are fuzzy-scored by the matcher.

It is built to stay fast and small at 100,000 entries (see ``benchmarks/match.py``):
postings are compact arrays, each word string is stored once, typo correction looks up a
deletion index instead of comparing against the whole vocabulary, and the shortlist stops
gathering new candidates from mid-frequency words once it has enough (they still add to the
scores of the candidates already gathered). On a curated base of a few thousand phrasings
(up to SMALL_BASE) none of those limits is reached and the shortlist is exactly the plain
inverted-index one.
"""

from __future__ import annotations

import math
import re
import sys
import threading
import zlib
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.knowledge.loader import QA, Knowledge
from bot.matching.english import is_common_word
from bot.matching.textnorm import (
    CHAT_WORDS,
    Normaliser,
    content_tokens,
    counted_words,
    expand_shorthand,
    fold_plural,
    word_key,
)

# How many phrasings reach the fuzzy scorer; plenty for a curated base, and it bounds the
# cost per question whatever the size of the knowledge base.
SHORTLIST = 48
# A word in more than this many phrasings says little about the topic on its own; it is
# scored but not used to gather candidates unless nothing rarer matched (and then only its
# first budget's worth of phrasings is gathered).
COMMON_POSTINGS = 4000
# Words (rarest first) gather candidates while the candidates plus the word's phrasings stay
# within this budget; past it a word only adds its weight to candidates already gathered.
GATHER_BUDGET = 800
# A base of up to this many phrasings gets a budget it can never reach (twice its size), so
# its shortlist is exactly the plain one: every word gathers.
SMALL_BASE = 5000
# Past the budget, at most this many set lookups are spent adding weight to candidates.
RESCORE_WORK = 2000
# Words in more phrasings than this also keep their postings as a set, for those lookups.
POSTING_SET_MIN = 100
# Below this vocabulary size a typo is corrected by comparing it with every known word;
# above it, through the deletion index (same result, found faster).
SCAN_VOCABULARY = 500
# A known word shorter than this is never read as a slip of another (``_english``): three-
# and four-letter words and acronyms are one edit from many English words ("EPR", "per").
SLIP_LETTERS = 5
# Typo corrections remembered per index (then forgotten all at once and remembered anew).
CORRECTIONS_KEPT = 4096
# Deletion-index keys: 256 buckets by hash, then 35 more bits of the hash above 28 bits of
# word number (63 bits: a signed 64-bit integer).
_BUCKETS = 256
_WORD_BITS = 28
_HASH_MASK = (1 << 35) - 1
# A word as ``KnowledgeIndex.respell`` reads it in a message as typed.
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
# "when??", "what!?!": a run of question and exclamation marks is emphasis, one mark to
# the sentence model ("when??" read as typed fell below the meaning floor that "when?"
# clears).
_EMPHASIS = re.compile(r"([?!])[?!]+")


@dataclass(frozen=True, slots=True)
class Target:
    """One thing a question can be about: a Q&A (by any phrasing), a single fact, or a gap
    (something the article does not say)."""

    id: str
    kind: str  # "qa", "fact" or "gap"
    display: str  # the canonical question (Q&A), the fact sentence, or what a gap says
    phrasings: tuple[str, ...]
    # What it says beyond its phrasings (a Q&A: its answer, cited facts and their quotes; a
    # fact: its quote; a gap: the whole article): words it knows, as weaker evidence.
    context: str = ""


@dataclass(frozen=True, slots=True)
class QueryTerms:
    normalised: str
    tokens: tuple[str, ...]  # content tokens after typo correction
    corrected: frozenset[str]  # tokens that were typo-corrected (earn less credit)
    unknown: tuple[str, ...]  # content tokens the knowledge base has never seen
    counted: frozenset[str] = frozenset()  # what a "how many" question counts


def qa_says(knowledge: Knowledge, qa: QA) -> tuple[str, ...]:
    """What a Q&A says beyond how it is asked: its answer, then its cited facts and their
    quotes, each text once. The wording signal counts its words (``Target.context``) and
    the meaning signal its sentences (``bot.matching.meaning``)."""
    facts = [knowledge.facts[fact_id] for fact_id in qa.cites]
    return (qa.answer, *dict.fromkeys([f.text for f in facts] + [f.citation.quote for f in facts]))


def targets_from_knowledge(knowledge: Knowledge) -> list[Target]:
    # A Q&A knows the words of what it says, not only of how it is asked: a moderator's
    # entry with three phrasings still knows "deadline" when its answer gives the date
    # registration closes.
    targets = [
        Target(
            qa.id,
            "qa",
            qa.question,
            (qa.question, *knowledge.phrasings(qa)),
            " ".join(qa_says(knowledge, qa)),
        )
        for qa in knowledge.qas.values()
    ]
    targets += [
        Target(f.id, "fact", f.text, (f.text,), f.citation.quote) for f in knowledge.facts.values()
    ]
    # A gap is about the article's subject ("who runs LOHUM", "what % of two-wheelers"):
    # the article's words are its context, so naming them does not count against it.
    article = knowledge.article.full_text()
    targets += [
        Target(g.id, "gap", g.says, knowledge.phrasings(g), article)
        for g in knowledge.gaps.values()
    ]
    return targets


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` characters."""
    found = {word}
    layer = {word}
    for _ in range(depth):
        layer = {w[:i] + w[i + 1 :] for w in layer for i in range(len(w))}
        found |= layer
    return found


def _digest(form: str) -> int:
    """A hash of a deleted form that is the same in every process (``hash`` of a str is
    salted per process), so a deletion index saved on disk still finds its words."""
    return zlib.crc32(form.encode("utf-8"))


class _DeletionIndex:
    """Every known word within a few edits of a typo, without scanning the vocabulary.

    If two words are within k edits (insert, delete, substitute, swap neighbours), deleting
    at most k characters from each gives a common string. So each word is filed under its
    deleted forms (2 deletions for words of 5+ letters, since only typos of 7+ letters may
    have 2 edits, else 1) and a typo's own deleted forms find every candidate; the exact
    distance then decides. Keys are 64-bit integers (40 bits of the deleted form's hash,
    then the word number) in 256 sorted arrays, so a million keys take 8 MB and are
    sorted a bucket at a time.
    """

    def __init__(self, vocabulary: list[str]) -> None:
        buckets = [array("q") for _ in range(_BUCKETS)]
        for number, word in enumerate(vocabulary):
            for form in _deletions(word, 2 if len(word) >= 5 else 1):
                digest = _digest(form)
                buckets[digest % _BUCKETS].append(
                    (digest // _BUCKETS & _HASH_MASK) << _WORD_BITS | number
                )
        self.buckets = [array("q", sorted(bucket)) for bucket in buckets]

    def candidates(self, word: str, depth: int) -> set[int]:
        found: set[int] = set()
        mask = (1 << _WORD_BITS) - 1
        for form in _deletions(word, depth):
            digest = _digest(form)
            keys = self.buckets[digest % _BUCKETS]
            first = (digest // _BUCKETS & _HASH_MASK) << _WORD_BITS
            last = first | mask
            position = bisect_left(keys, first)
            while position < len(keys) and keys[position] <= last:
                found.add(keys[position] & mask)
                position += 1
        return found


# The last deletion index built and its vocabulary: a reload after an edit that brings no
# new word (most edits) reuses it instead of filing every word's deleted forms again.
_last_deletions: tuple[list[str], _DeletionIndex] | None = None
_deletions_lock = threading.Lock()


def _plural(word: str) -> str | None:
    """The regular plural of a word of four letters or more ("factory" -> "factories",
    "tour" -> "tours") that ``fold_plural`` folds back to it; None for any other word."""
    if len(word) < 4 or not word.isalpha():
        return None
    plural = word[:-1] + "ies" if word[-1] == "y" and word[-2] not in "aeiou" else word + "s"
    return plural if fold_plural(plural) == word else None


def _plurals(words: set[str]) -> dict[str, str]:
    """The plural of each word that has one and is no word itself, and its word."""
    return {
        plural: word
        for word in words
        if (plural := _plural(word)) is not None and plural not in words
    }


def _deletion_index(vocabulary: list[str]) -> _DeletionIndex:
    global _last_deletions
    with _deletions_lock:
        if _last_deletions is not None and _last_deletions[0] == vocabulary:
            return _last_deletions[1]
    built = _DeletionIndex(vocabulary)
    with _deletions_lock:
        _last_deletions = (vocabulary, built)
    return built


class KnowledgeIndex:
    def __init__(self, targets: Iterable[Target], normaliser: Normaliser) -> None:
        self.normaliser = normaliser
        self.targets: list[Target] = list(targets)
        self.by_id: dict[str, int] = {t.id: i for i, t in enumerate(self.targets)}
        self.phrasing_text: list[str] = []
        self.phrasing_target = array("I")
        # Each phrasing's content words, as word numbers: phrasing n's are
        # phrasing_words[phrasing_start[n]:phrasing_start[n + 1]]. Flat arrays, because at
        # 600,000 phrasings a tuple each would cost 50 MB.
        self.word_number: dict[str, int] = {}
        self.phrasing_words = array("I")
        self.phrasing_start = array("I", [0])
        # The content words each target knows: a tuple is a third of a frozenset's size.
        self.target_vocab: list[tuple[str, ...]] = []
        # How many of the target's phrasings use each of those words, in the same order,
        # flat: target t's are vocab_uses[vocab_start[t]:vocab_start[t + 1]]. (A dict per
        # target is some 460 bytes for 20 words, against 80 here: 40 MB at 100,000 entries.)
        self.vocab_uses = array("I")
        self.vocab_start = array("I", [0])
        # Words only the answer and its quotes use: weaker evidence than a phrasing's.
        self.context_vocab: list[tuple[str, ...]] = []
        # What each target's phrasings count ("how many country"), for targets that count.
        # (A few words per target, as tuples of shared strings: at 100,000 entries a frozenset
        # each would cost tens of MB.)
        self.target_counts: dict[int, tuple[str, ...]] = {}
        postings: dict[str, array[int]] = {}
        canonical: dict[str, str] = {}  # each word's one shared string
        numbers = self.word_number
        document_frequency: dict[str, int] = defaultdict(int)
        surface: set[str] = set()  # words as written, for typo correction
        # The last context read and its word keys: the gaps, listed together, all share the
        # whole article as context, which is then normalised once instead of once per gap.
        last_context: tuple[str, tuple[str, ...]] = ("", ())
        for target_no, target in enumerate(self.targets):
            vocab: dict[str, int] = {}  # word -> how many phrasings use it
            for phrasing in target.phrasings:
                text = normaliser.normalise_known(phrasing)
                if not text:
                    continue
                phrasing_no = len(self.phrasing_text)
                self.phrasing_text.append(text)
                self.phrasing_target.append(target_no)
                if counts := counted_words(text):
                    known = self.target_counts.get(target_no, ())
                    new = tuple(sys.intern(w) for w in counts if w not in known)
                    if new:
                        self.target_counts[target_no] = known + new
                keys: dict[str, None] = {}
                for token in content_tokens(text.split()):
                    surface.add(token)
                    key = word_key(token)
                    word = canonical.setdefault(key, key)
                    if word in keys:
                        continue
                    keys[word] = None
                    posting = postings.get(word)
                    if posting is None:
                        posting = postings[word] = array("I")
                    posting.append(phrasing_no)
                    vocab[word] = vocab.get(word, 0) + 1
                self.phrasing_words.extend(numbers.setdefault(w, len(numbers)) for w in keys)
                self.phrasing_start.append(len(self.phrasing_words))
            self.target_vocab.append(tuple(vocab))
            self.vocab_uses.extend(vocab.values())
            self.vocab_start.append(len(self.vocab_uses))
            if target.context != last_context[0]:
                context = content_tokens(normaliser.normalise_known(target.context).split())
                last_context = (target.context, tuple(dict.fromkeys(map(word_key, context))))
                if target.kind != "gap":
                    # Typo correction may lead to a word only a gap's context (the whole
                    # article) has, and no target knows: "cemter" read as "center".
                    surface.update(context)
            only_context = tuple(
                canonical.setdefault(k, k) for k in last_context[1] if k not in vocab
            )
            self.context_vocab.append(only_context)
            # A gap's context (the whole article) is not evidence of what it is about, and
            # counting it would make every article word common.
            for word in (*vocab, *(only_context if target.kind != "gap" else ())):
                document_frequency[word] += 1
        total = max(1, len(self.targets))
        self.idf: dict[str, float] = {
            word: math.log(1 + total / df) for word, df in document_frequency.items()
        }
        self.unknown_idf = math.log(1 + total) + 1.0
        # The same weights by word number, and each phrasing's total, for the overlap score.
        self.word_idf = array("d", [0.0] * len(numbers))
        for word, number in numbers.items():
            self.word_idf[number] = self.idf[word]
        self.phrasing_weight = array(
            "d",
            (
                sum(self.word_idf[w] for w in self.phrasing_words[start:end])
                for start, end in zip(self.phrasing_start, self.phrasing_start[1:], strict=False)
            ),
        )
        self.postings: dict[str, array[int]] = postings
        phrasings = len(self.phrasing_text)
        self._gather_budget = (
            max(GATHER_BUDGET, 2 * phrasings) if phrasings <= SMALL_BASE else GATHER_BUDGET
        )
        self._posting_sets: dict[str, frozenset[int]] = {
            word: frozenset(posting)
            for word, posting in postings.items()
            if POSTING_SET_MIN < len(posting) <= COMMON_POSTINGS
        }
        # Whatever some phrasing counts: a counting question's first word that is none of
        # them is taken for a modifier of what it counts ("how many asian countries").
        self._counted = frozenset(w for words in self.target_counts.values() for w in words)
        # Typo correction also reaches the synonyms' one-word variants, read as what they
        # stand for ("naions" -> "nation" -> "country"), when some target knows that, and
        # the plurals of the words phrasings use, read as the word: texts are known with
        # plurals folded, and a typo in a plural's ending ("factoreis", "cnutries") is far
        # from the folded "factory" or "country" but one or two edits from "factories".
        self._variants = _plurals(surface) | {
            variant: canonical
            for variant, canonical in normaliser.word_variants().items()
            if (words := [word_key(w) for w in content_tokens(canonical.split())])
            and all(w in self.idf for w in words)
        }
        self._vocabulary = sorted(surface | self._variants.keys())
        self._deletion_index = (
            _deletion_index(self._vocabulary) if len(self._vocabulary) > SCAN_VOCABULARY else None
        )
        # Typo corrections already made. A plain dict, not an lru_cache of a bound method:
        # that made every index a reference cycle, which only a full garbage collection
        # (30-45 ms holding the GIL, stalling answers) could free after a reload.
        self._corrections: dict[str, str | None] = {}

    def __getstate__(self) -> dict[str, object]:
        """Everything but the typo cache (rebuilt, empty): what an index saved on disk
        keeps (``bot.matching.compiled``)."""
        state = dict(self.__dict__)
        del state["_corrections"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._corrections = {}

    def _correct(self, word: str) -> str | None:
        """``_correct_uncached``, remembered."""
        return self._remembered(word, self._correct_uncached)

    def _english(self, word: str) -> str | None:
        """``_english_uncached``, remembered."""
        # "=" is in no word, so the two kinds of answer never share a key.
        return self._remembered("=" + word, lambda key: self._english_uncached(key[1:]))

    def _remembered(self, key: str, find: Callable[[str], str | None]) -> str | None:
        """``find(key)``, remembered (up to CORRECTIONS_KEPT keys, then anew)."""
        try:
            return self._corrections[key]
        except KeyError:
            pass
        if len(self._corrections) >= CORRECTIONS_KEPT:
            self._corrections.clear()
        found = self._corrections[key] = find(key)
        return found

    def uses(self, target: int, word: str) -> int:
        """How many of the target's phrasings use ``word`` (0: none)."""
        try:
            position = self.target_vocab[target].index(word)
        except ValueError:
            return 0
        return self.vocab_uses[self.vocab_start[target] + position]

    def _correct_uncached(self, word: str) -> str | None:
        """The known word a typo most likely meant ("recyling" -> "recycling"), if any.

        Among equally close words the most common one wins, as in classic spelling
        correction: "wat" is far more likely "what" than "way". A short word that is
        common English is not a typo (see ``bot.english``): "buy" stays "buy", an unknown
        word. A long one close to a known word is usually its other spelling ("practise").
        """
        if len(word) < 3 or word.isdigit():
            return None
        short = len(word) < 7
        common = is_common_word(word)
        if short and common:
            return None
        # An English word is read as another spelling at most one edit away ("practise"):
        # two edits make it a different word ("commands" is not "company").
        allowed = 1 if short or common else 2
        close = self._near(word, allowed)
        if not close:
            return None
        return min(close, key=lambda f: (f[1], self._rarity(f[0]), f[0]))[0]

    def _near(self, word: str, allowed: int) -> list[tuple[str, float]]:
        """The known words at most ``allowed`` edits from ``word``, with their distance."""
        if self._deletion_index is None:
            found = process.extract(
                word, self._vocabulary, scorer=OSA.distance, score_cutoff=allowed, limit=None
            )
            return [(choice, distance) for choice, distance, _ in found]
        # The same words the scan above finds, looked up instead of scanned for.
        close: list[tuple[str, float]] = []
        for number in self._deletion_index.candidates(word, allowed):
            choice = self._vocabulary[number]
            distance = OSA.distance(word, choice, score_cutoff=allowed)
            if distance <= allowed:
                close.append((choice, distance))
        return close

    def _english_uncached(self, word: str) -> str | None:
        """The English word a known word that is none stands for, if any: a variant's
        one-word canonical form ("recylcing" -> "recycling"), or a slip in some phrasing
        ("elctric"): a known English word one edit away (two for long words) that more
        targets use. Names ("lohum", "agusti") have no such neighbour; short words and
        acronyms have many ("EPR" is one edit from "per"), so they are taken as written."""
        canonical = self._variants.get(word)
        if canonical is not None:
            return None if " " in canonical or is_common_word(word) else canonical
        if len(word) < SLIP_LETTERS:
            return None
        rarity = self._rarity(word)
        close = [
            (choice, distance)
            for choice, distance in self._near(word, 1 if len(word) < 7 else 2)
            if choice not in self._variants and self._rarity(choice) < rarity
        ]
        # English last: wordfreq's import and lists cost a cold start 0.1-0.2 s, and most
        # known words have no more common neighbour to ask about.
        if not close or is_common_word(word):
            return None
        close = [(choice, distance) for choice, distance in close if is_common_word(choice)]
        return min(close, key=lambda f: (f[1], self._rarity(f[0]), f[0]))[0] if close else None

    def _rarity(self, word: str) -> float:
        """How rare a known word (or what a variant stands for) is in the knowledge."""
        canonical = self._variants.get(word, word)
        return max(self.idf[word_key(w)] for w in content_tokens(canonical.split()))

    def respell(self, text: str) -> str:
        """``text`` as typed, but each content word the knowledge does not know that is a
        typo of one it does written as that word ("wher wuz the tuor" -> "where wuz the
        tour", "recyling" -> "recycling"): what the sentence model reads. It has never
        seen the typo, and the whole sentence means something else to it; the wording
        signal already reads the corrected word (``terms``). So are the knowledge's own
        slips ("elctric", ``_english``), rare shorthand ("whr" -> "where"), typos in
        plurals ("factoreis" -> "factories") and a run of question marks ("when??" ->
        "when?"). On the unread sets with one or two typos made in each question
        (``python -m benchmarks.quality --typos``), in scope 84.7 -> 90.6% (misspelt words
        corrected), then 93.2% (with slips, variants' typos and shorthand), then 93.8%
        (plurals; docs/quality.md)."""

        def spelled(match: re.Match[str]) -> str:
            word = match.group(0)
            low = word.lower()
            key = word_key(low)
            spelled_out = expand_shorthand(low)
            if spelled_out != low and not is_common_word(low):
                # "whr" is "where", as the wording signal reads it; shorthand common on
                # the web ("u", "im", "ppl") the model has seen often enough.
                return spelled_out
            if not content_tokens([low]) or key in CHAT_WORDS:
                return word
            if key in self.idf:
                return self._english(low) or word
            found = self._correct(low)
            if found is None and not is_common_word(low):
                # The plural folded as the wording signal folds it: "naions" is one edit
                # from "nation" only as "naion".
                found = self._correct(fold_plural(low))
            return (self._english(found) or found) if found else word

        return _WORD.sub(spelled, _EMPHASIS.sub(r"\1", text))

    def terms(self, question: str) -> QueryTerms:
        normalised = self.normaliser.normalise(question)
        tokens: list[str] = []
        corrected: set[str] = set()
        unknown: list[str] = []
        rewritten: dict[str, str] = {}
        for word in content_tokens(normalised.split()):
            key = word_key(word)
            if key in self.idf:
                # A slip some phrasing makes ("elctric") is read as the word it is.
                fixed = self._english(word)
                if fixed is None:
                    tokens.append(key)
                    continue
            elif key in CHAT_WORDS:
                continue  # "perfect, thanks!": chat as typed, not a slip for "percent"
            else:
                found = self._correct(word)
                plural = _plural(word) if found is None else None
                if plural is not None and re.search(rf"\b{plural}\b", question, re.IGNORECASE):
                    # Folded, a typo in a plural may be far from every folded word
                    # ("cnutries" -> "cnutry", two edits from "country"); as typed it is not.
                    found = self._correct(plural)
                if found is None:
                    unknown.append(word)
                    continue
                fixed = self._variants.get(found, found)
            rewritten[word] = fixed
            for key in map(word_key, content_tokens(fixed.split())):
                tokens.append(key)
                corrected.add(key)
        if rewritten:
            normalised = " ".join(rewritten.get(w, w) for w in normalised.split())
        return QueryTerms(
            normalised,
            tuple(tokens),
            frozenset(corrected),
            tuple(unknown),
            counted_words(normalised, self._counted),
        )

    def shortlist(self, terms: QueryTerms) -> list[int]:
        """Phrasings sharing the rarest, most telling words with the question.

        Words are taken rarest first. While the candidates stay within the budget, each
        word adds its phrasings (and its weight to those already there); after that, words
        only add weight to the candidates gathered, rarest first, until RESCORE_WORK set
        lookups are spent. Ties keep the order in which candidates were gathered.
        """
        scores: dict[int, float] = {}
        gathered: frozenset[int] | None = None  # set once candidates stop being added
        work = 0
        # Rarest first; ties by spelling, so the same question always gets the same shortlist.
        for word in sorted(set(terms.tokens), key=lambda w: (-self.idf[w], w)):
            posting = self.postings.get(word, ())
            weight = self.idf[word]
            if not scores:
                # Nothing rarer matched: gather from this word however common it is.
                scores = dict.fromkeys(posting[: self._gather_budget], weight)
            elif len(posting) > COMMON_POSTINGS:
                continue
            elif gathered is None and len(scores) + len(posting) <= self._gather_budget:
                for phrasing_no in posting:
                    scores[phrasing_no] = scores.get(phrasing_no, 0.0) + weight
            else:
                if gathered is None:
                    gathered = frozenset(scores)
                work += min(len(gathered), len(posting))
                if work > RESCORE_WORK:
                    break
                members = self._posting_sets.get(word)
                hits = gathered.intersection(posting) if members is None else gathered & members
                for phrasing_no in hits:
                    scores[phrasing_no] += weight
        # Rank by the shared weight's share of both texts (as the matcher's overlap does):
        # raw shared weight would tie every phrasing that shares only a common word, and
        # cut them off in file order. sorted() is stable, like heapq.nlargest but faster.
        asked = sum(self.idf[word] for word in dict.fromkeys(terms.tokens))
        totals = self.phrasing_weight
        return sorted(
            scores,
            key=lambda phrasing_no: scores[phrasing_no] / (totals[phrasing_no] + asked),
            reverse=True,
        )[:SHORTLIST]
