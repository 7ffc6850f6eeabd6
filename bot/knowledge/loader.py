"""Load and validate the knowledge files moderators edit.

The loader is the gate between hand-edited YAML and the live bot: it either returns a
complete, consistent :class:`Knowledge` or raises :class:`KnowledgeError` listing every
problem it found (file, line, reason), so a moderator fixes a broken edit in one pass and
the bot keeps serving the last good version meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge.article import Article, load_article
from bot.knowledge.yamlsource import Problem, YamlDoc, YamlProblem, load_yaml, parse_yaml
from bot.matching.textnorm import Normaliser, basic_normalise

ARTICLE_FILE = "article.txt"
FACTS_FILE = "facts.yaml"
GAPS_FILE = "gaps.yaml"
QA_FILE = "qa.yaml"
SYNONYMS_FILE = "synonyms.yaml"
TAUGHT_FILE = "taught.yaml"

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TEXT = 1500


@dataclass(frozen=True, slots=True)
class Citation:
    paragraph: int
    quote: str


@dataclass(frozen=True, slots=True)
class Fact:
    id: str
    text: str
    citation: Citation


@dataclass(frozen=True, slots=True)
class QA:
    id: str
    question: str
    phrasings: tuple[str, ...]
    answer: str
    cites: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    """Something readers ask about that the article does not say (the CEO, the year...).

    Matching such a question to a gap, rather than to the nearest Q&A, is what lets the bot
    say plainly that the article doesn't say, instead of answering something next to it.
    """

    id: str
    says: str  # the reply, e.g. "The article doesn't say who runs LOHUM."
    phrasings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TaughtPhrasing:
    """A phrasing a moderator taught through ``/kb teach``; kept apart from qa.yaml."""

    qa: str
    phrasing: str
    by: str
    at: str


@dataclass(frozen=True, slots=True)
class Knowledge:
    article: Article
    facts: dict[str, Fact]
    qas: dict[str, QA]
    synonyms: dict[str, str]  # variant -> canonical
    taught: tuple[TaughtPhrasing, ...] = ()
    gaps: dict[str, Gap] = field(default_factory=dict)

    def citations(self, qa: QA) -> tuple[Citation, ...]:
        return tuple(self.facts[fact_id].citation for fact_id in qa.cites)

    def phrasings(self, qa: QA) -> tuple[str, ...]:
        """Hand-written phrasings plus the ones moderators taught for this Q&A."""
        taught = tuple(t.phrasing for t in self.taught if t.qa == qa.id)
        return qa.phrasings + taught

    def normaliser(self) -> Normaliser:
        return Normaliser(self.synonyms)


class KnowledgeError(Exception):
    """Every problem found in one pass over the knowledge directory."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(slots=True)
class _Checker:
    """Collects problems instead of stopping at the first one."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, doc: YamlDoc, path: tuple[str | int, ...], reason: str) -> None:
        self.problems.append(Problem(doc.file, doc.line(*path), reason))

    def entries(
        self,
        doc: YamlDoc,
        key: str,
        fields: Mapping[str, type],
        optional: frozenset[str] = frozenset(),
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield the well-formed entries of the list under ``key``; report the others."""
        data = doc.data
        if data is None:
            return
        if not isinstance(data, dict) or key not in data:
            self.add(doc, (), f"the file must start with '{key}:' followed by a list")
            return
        extra = sorted(str(k) for k in data if k != key)
        if extra:
            self.add(doc, (extra[0],), f"unknown top-level key {extra[0]!r}; expected only '{key}'")
        items = data[key]
        if items is None:
            return
        if not isinstance(items, list):
            self.add(doc, (key,), f"'{key}' must be a list of entries, each starting with '- '")
            return
        for index, item in enumerate(items):
            path = (key, index)
            if not isinstance(item, dict):
                self.add(doc, path, "each entry must be a block of 'field: value' lines")
                continue
            ok = True
            for name in sorted(set(item) - set(fields)):
                known = ", ".join(fields)
                self.add(doc, (*path, name), f"unknown field {name!r} (known fields: {known})")
                ok = False
            for name, kind in fields.items():
                if name not in item:
                    if name not in optional:
                        self.add(doc, path, f"missing field '{name}'")
                        ok = False
                    continue
                value = item[name]
                if not isinstance(value, kind) or isinstance(value, bool):
                    wanted = {str: "text", int: "a whole number", list: "a list"}[kind]
                    self.add(doc, (*path, name), f"'{name}' must be {wanted}")
                    ok = False
                elif isinstance(value, str) and not value.strip():
                    self.add(doc, (*path, name), f"'{name}' is empty")
                    ok = False
                elif isinstance(value, str) and len(value) > MAX_TEXT:
                    self.add(doc, (*path, name), f"'{name}' is longer than {MAX_TEXT} characters")
                    ok = False
            if ok:
                yield index, item


def _read(directory: Path, name: str, checker: _Checker, required: bool = True) -> YamlDoc | None:
    path = directory / name
    if not path.exists():
        if required:
            checker.problems.append(Problem(str(path), 1, "this file is missing"))
        return None
    try:
        return load_yaml(path, display_name=str(path))
    except YamlProblem as err:
        checker.problems.append(err.problem)
        return None


def _parse(text: str, name: str, checker: _Checker) -> YamlDoc | None:
    try:
        return parse_yaml(text, name)
    except YamlProblem as err:
        checker.problems.append(err.problem)
        return None


def _load_synonyms(doc: YamlDoc | None, checker: _Checker) -> dict[str, str]:
    synonyms: dict[str, str] = {}
    if doc is None or doc.data is None:
        return synonyms
    table = doc.data.get("synonyms") if isinstance(doc.data, dict) else None
    if not isinstance(table, dict):
        checker.add(doc, (), "the file must start with 'synonyms:' followed by 'word: [variants]'")
        return synonyms
    seen: dict[str, str] = {}
    for canonical, variants in table.items():
        path = ("synonyms", str(canonical))
        if not isinstance(canonical, str) or not canonical.strip():
            checker.add(doc, path, "a synonym's canonical form must be text")
            continue
        if not isinstance(variants, list) or not variants:
            checker.add(doc, path, f"'{canonical}' needs a list of variants, e.g. [ev, e.v.]")
            continue
        for i, variant in enumerate(variants):
            if not isinstance(variant, str | int) or not str(variant).strip():
                checker.add(doc, (*path, i), "a variant must be text")
                continue
            key = basic_normalise(str(variant))
            if key in seen and seen[key] != canonical:
                reason = f"variant {variant!r} is already a variant of {seen[key]!r}"
                checker.add(doc, (*path, i), reason)
                continue
            seen[key] = canonical
            synonyms[str(variant)] = canonical
    return synonyms


def _load_facts(doc: YamlDoc | None, article: Article, checker: _Checker) -> dict[str, Fact]:
    facts: dict[str, Fact] = {}
    if doc is None:
        return facts
    fields = {"id": str, "fact": str, "quote": str, "paragraph": int}
    for index, item in checker.entries(doc, "facts", fields):
        path = ("facts", index)
        paragraph = item["paragraph"]
        if article.paragraph(paragraph) is None:
            count = len(article.paragraphs)
            checker.add(doc, (*path, "paragraph"), f"paragraph must be 1 to {count}")
            continue
        quote = article.find_quote(paragraph, item["quote"])
        if quote is None:
            checker.add(doc, (*path, "quote"), _quote_reason(article, item["quote"], paragraph))
            continue
        fact = Fact(item["id"], item["fact"].strip(), Citation(paragraph, quote))
        facts[fact.id] = fact
    return facts


def _quote_reason(article: Article, quote: str, paragraph: int) -> str:
    reason = f"the quote is not word for word in paragraph {paragraph} of the article"
    closest = article.closest_passage(quote)
    if closest is not None:
        reason += f'; closest passage (paragraph {closest[0]}): "{closest[1]}"'
    return reason


def _load_qas(
    doc: YamlDoc | None, facts: dict[str, Fact], declared: set[str], checker: _Checker
) -> dict[str, QA]:
    qas: dict[str, QA] = {}
    if doc is None:
        return qas
    fields = {"id": str, "question": str, "phrasings": list, "answer": str, "cites": list}
    for index, item in checker.entries(doc, "qa", fields, optional=frozenset({"phrasings"})):
        path = ("qa", index)
        phrasings = _phrasing_list(doc, path, item.get("phrasings") or [], checker)
        ok = phrasings is not None
        cites: list[str] = []
        if not item["cites"]:
            checker.add(doc, (*path, "cites"), "an answer must cite at least one fact")
            ok = False
        for i, fact_id in enumerate(item["cites"]):
            if fact_id not in facts and fact_id in declared:
                ok = False  # the fact itself is broken and already reported
            elif fact_id not in facts:
                checker.add(
                    doc, (*path, "cites", i), f"cites the fact {fact_id!r}, which does not exist"
                )
                ok = False
            else:
                cites.append(str(fact_id))
        if ok and phrasings is not None:
            qa = QA(
                item["id"],
                item["question"].strip(),
                tuple(phrasings),
                item["answer"].strip(),
                tuple(cites),
            )
            qas[qa.id] = qa
    return qas


def _phrasing_list(
    doc: YamlDoc, path: tuple[str | int, ...], values: list[Any], checker: _Checker
) -> list[str] | None:
    """The phrasings of one entry, or None (reported) if any is not text."""
    phrasings: list[str] = []
    ok = True
    for i, phrasing in enumerate(values):
        if not isinstance(phrasing, str | int | float) or not str(phrasing).strip():
            checker.add(doc, (*path, "phrasings", i), "a phrasing must be non-empty text")
            ok = False
        else:
            phrasings.append(str(phrasing).strip())
    return phrasings if ok else None


def _load_gaps(doc: YamlDoc | None, checker: _Checker) -> dict[str, Gap]:
    gaps: dict[str, Gap] = {}
    if doc is None or doc.data is None:
        return gaps
    fields = {"id": str, "says": str, "phrasings": list}
    for index, item in checker.entries(doc, "gaps", fields):
        path = ("gaps", index)
        if not item["phrasings"]:
            checker.add(doc, (*path, "phrasings"), "a gap needs at least one phrasing")
            continue
        phrasings = _phrasing_list(doc, path, item["phrasings"], checker)
        if phrasings is not None:
            gaps[item["id"]] = Gap(item["id"], item["says"].strip(), tuple(phrasings))
    return gaps


def _load_taught(
    doc: YamlDoc | None, qas: dict[str, QA], checker: _Checker
) -> list[TaughtPhrasing]:
    taught: list[TaughtPhrasing] = []
    if doc is None or doc.data is None:
        return taught
    fields = {"qa": str, "phrasing": str, "by": str, "at": str}
    for index, item in checker.entries(doc, "taught", fields):
        if item["qa"] not in qas:
            checker.add(
                doc,
                ("taught", index, "qa"),
                f"teaches the Q&A {item['qa']!r}, which does not exist",
            )
            continue
        taught.append(TaughtPhrasing(item["qa"], item["phrasing"].strip(), item["by"], item["at"]))
    return taught


def _entries_of(doc: YamlDoc | None, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The (index, entry) pairs of a file's list, as written, valid or not."""
    if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get(key), list):
        return []
    return [(i, item) for i, item in enumerate(doc.data[key]) if isinstance(item, dict)]


def _declared_ids(doc: YamlDoc | None, key: str) -> set[str]:
    """Ids written in a file, valid or not, so one broken fact is reported only once."""
    return {item["id"] for _, item in _entries_of(doc, key) if isinstance(item.get("id"), str)}


def _check_ids(docs: list[YamlDoc | None], checker: _Checker) -> None:
    """Ids are shared by facts, Q&As and gaps: a citation or a button names exactly one thing."""
    first_seen: dict[str, str] = {}
    for doc, key in zip(docs, ("facts", "qa", "gaps"), strict=True):
        for index, item in _entries_of(doc, key):
            if doc is None or not isinstance(item.get("id"), str):
                continue
            ident, where = item["id"], f"{doc.file}:{doc.line(key, index, 'id')}"
            if not _ID.match(ident):
                reason = (
                    f"id {ident!r} must be lowercase letters, digits and dashes, e.g. 'tour-dates'"
                )
                checker.add(doc, (key, index, "id"), reason)
            elif ident in first_seen:
                checker.add(
                    doc,
                    (key, index, "id"),
                    f"duplicate id {ident!r} (first used at {first_seen[ident]})",
                )
            else:
                first_seen[ident] = where


def _check_phrasings(
    knowledge: tuple[dict[str, QA], dict[str, Gap]],
    taught: list[TaughtPhrasing],
    normaliser: Normaliser,
    docs: tuple[YamlDoc | None, YamlDoc | None, YamlDoc | None],
    checker: _Checker,
) -> list[TaughtPhrasing]:
    """A phrasing under two Q&As (or a Q&A and a gap) makes the answer a coin toss; report
    where both are.

    Returns the taught phrasings that survived, so one bad overlay entry cannot block the
    rest of the knowledge from loading.
    """
    qas, gaps = knowledge
    qa_doc, gaps_doc, taught_doc = docs
    owner: dict[str, tuple[str, str]] = {}

    def place(doc: YamlDoc | None, path: tuple[str | int, ...]) -> str:
        return f"{doc.file}:{doc.line(*path)}" if doc is not None else "?"

    def claim(doc: YamlDoc, path: tuple[str | int, ...], text: str, entry: str) -> None:
        key = normaliser.normalise(text)
        if not key:
            checker.add(doc, path, f"{text!r} has no words left after normalisation")
            return
        if key in owner and owner[key][0] != entry:
            other_id, other_place = owner[key]
            reason = (
                f"the phrasing {text!r} is also under {other_id!r} ({other_place}); "
                "keep it under one entry"
            )
            checker.add(doc, path, reason)
        owner.setdefault(key, (entry, place(doc, path)))

    if qa_doc is not None:
        for index, item in _entries_of(qa_doc, "qa"):
            if item.get("id") not in qas:
                continue
            qa = qas[item["id"]]
            claim(qa_doc, ("qa", index, "question"), qa.question, qa.id)
            for i, phrasing in enumerate(qa.phrasings):
                claim(qa_doc, ("qa", index, "phrasings", i), phrasing, qa.id)
    if gaps_doc is not None:
        for index, item in _entries_of(gaps_doc, "gaps"):
            if item.get("id") not in gaps:
                continue
            gap = gaps[item["id"]]
            for i, phrasing in enumerate(gap.phrasings):
                claim(gaps_doc, ("gaps", index, "phrasings", i), phrasing, gap.id)
    kept: list[TaughtPhrasing] = []
    for index, lesson in enumerate(taught):
        key = normaliser.normalise(lesson.phrasing)
        if key in owner and owner[key][0] != lesson.qa:
            assert taught_doc is not None
            other_id, other_place = owner[key]
            reason = (
                f"the phrasing {lesson.phrasing!r} is already under {other_id!r} ({other_place})"
            )
            checker.add(taught_doc, ("taught", index, "phrasing"), reason)
            continue
        owner.setdefault(key, (lesson.qa, place(taught_doc, ("taught", index))))
        kept.append(lesson)
    return kept


def load_knowledge(directory: Path, taught_text: str | None = None) -> Knowledge:
    """Load every knowledge file in ``directory``; raise KnowledgeError listing all problems.

    ``taught_text`` stands in for the overlay file, so a teach is validated before it is
    written.
    """
    checker = _Checker()
    article_path = directory / ARTICLE_FILE
    try:
        article = load_article(article_path)
    except (OSError, ValueError) as err:
        raise KnowledgeError(
            [Problem(str(article_path), 1, f"cannot read the article: {err}")]
        ) from err
    facts_doc = _read(directory, FACTS_FILE, checker)
    qa_doc = _read(directory, QA_FILE, checker)
    synonyms_doc = _read(directory, SYNONYMS_FILE, checker, required=False)
    gaps_doc = _read(directory, GAPS_FILE, checker, required=False)
    if taught_text is None:
        taught_doc = _read(directory, TAUGHT_FILE, checker, required=False)
    else:
        taught_doc = _parse(taught_text, str(directory / TAUGHT_FILE), checker)

    synonyms = _load_synonyms(synonyms_doc, checker)
    _check_ids([facts_doc, qa_doc, gaps_doc], checker)
    facts = _load_facts(facts_doc, article, checker)
    qas = _load_qas(qa_doc, facts, _declared_ids(facts_doc, "facts"), checker)
    gaps = _load_gaps(gaps_doc, checker)
    taught = _load_taught(taught_doc, qas, checker)
    taught = _check_phrasings(
        (qas, gaps), taught, Normaliser(synonyms), (qa_doc, gaps_doc, taught_doc), checker
    )
    if checker.problems:
        raise KnowledgeError(checker.problems)
    return Knowledge(article, facts, qas, synonyms, tuple(taught), gaps)
