"""Load and validate the knowledge files moderators edit.

The loader is the gate between hand-edited YAML and the live bot: it either returns a
complete, consistent :class:`Knowledge` or raises :class:`KnowledgeError` listing every
problem it found (file, line, reason), so a moderator fixes a broken edit in one pass and
the bot keeps serving the last good version meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rapidfuzz import process

from bot.knowledge.article import Article, load_article
from bot.knowledge.overlap import closest_pair
from bot.knowledge.sources import (
    ARTICLE_ID,
    SOURCES_DIR,
    Source,
    SourceError,
    article_source,
    load_source,
    source_files,
)
from bot.knowledge.yamlsource import Problem, YamlDoc, YamlProblem, load_yaml, parse_yaml
from bot.matching.textnorm import Normaliser, basic_normalise, shared_normaliser

ARTICLE_FILE = "article.txt"
FACTS_FILE = "facts.yaml"
GAPS_FILE = "gaps.yaml"
QA_FILE = "qa.yaml"
SYNONYMS_FILE = "synonyms.yaml"
TAUGHT_FILE = "taught.yaml"

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TEXT = 1500  # characters in any answer, fact, quote or gap reply (stated in the headers)


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim quote and where it is: the source's id, title and url, and the paragraph.

    ``source`` defaults to the article so code that only ever knew the article still
    builds citations the same way.
    """

    paragraph: int
    quote: str
    source: str = ARTICLE_ID
    title: str | None = None
    url: str | None = None


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
    """A phrasing a moderator taught through ``/kb teach``; kept apart from qa.yaml.

    ``qa`` is the id of what it teaches: a Q&A (``kind`` "qa") or a gap (``kind`` "gap"),
    so a question the sources cannot answer can be taught to say so.
    """

    qa: str
    phrasing: str
    by: str
    at: str
    kind: str = "qa"

    @property
    def target(self) -> str:
        return self.qa


@dataclass(frozen=True, slots=True)
class Knowledge:
    article: Article
    facts: dict[str, Fact]
    qas: dict[str, QA]
    synonyms: dict[str, str]  # variant -> canonical
    taught: tuple[TaughtPhrasing, ...] = ()
    gaps: dict[str, Gap] = field(default_factory=dict)
    # Every source by id, the article ("article") included; empty means the article only.
    sources: dict[str, Source] = field(default_factory=dict)
    # Things worth a moderator's look that do not stop the knowledge from loading.
    warnings: tuple[Problem, ...] = ()

    def citations(self, qa: QA) -> tuple[Citation, ...]:
        return tuple(self.facts[fact_id].citation for fact_id in qa.cites)

    def cited_sources(self, qa: QA) -> frozenset[str]:
        """The ids of the sources a Q&A's citations quote ("article" for the article)."""
        return frozenset(c.source for c in self.citations(qa))

    def phrasings(self, entry: QA | Gap) -> tuple[str, ...]:
        """Hand-written phrasings plus the ones moderators taught for this Q&A or gap."""
        taught = tuple(t.phrasing for t in self.taught if t.qa == entry.id)
        return entry.phrasings + taught

    def normaliser(self) -> Normaliser:
        return shared_normaliser(self.synonyms)

    def source(self, source_id: str) -> Source:
        found = self.sources.get(source_id)
        if found is None and source_id == ARTICLE_ID:
            return article_source(self.article, ARTICLE_FILE)
        if found is None:
            raise KeyError(source_id)
        return found

    @property
    def several_sources(self) -> bool:
        """True once a moderator added a source: replies then speak for all of them."""
        return len(self.sources) > 1


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


def _load_facts(
    doc: YamlDoc | None, sources: dict[str, Source], broken: set[str], checker: _Checker
) -> dict[str, Fact]:
    """Facts whose quote is word for word in their source.

    ``broken`` names source files that exist but could not be read (already reported):
    their facts are skipped quietly, so one bad source is one problem, not one per fact.
    """
    facts: dict[str, Fact] = {}
    if doc is None:
        return facts
    fields = {"id": str, "fact": str, "quote": str, "paragraph": int, "source": str}
    for index, item in checker.entries(doc, "facts", fields, optional=frozenset({"source"})):
        path = ("facts", index)
        source_id = item.get("source", ARTICLE_ID).strip()
        source = sources.get(source_id)
        if source is None:
            if source_id not in broken:
                checker.add(doc, (*path, "source"), _unknown_source(source_id, sources))
            continue
        document, paragraph = source.document, item["paragraph"]
        if document.paragraph(paragraph) is None:
            count = len(document.paragraphs)
            where = "the article" if source_id == ARTICLE_ID else f"the source {source_id!r}"
            checker.add(doc, (*path, "paragraph"), f"paragraph must be 1 to {count} in {where}")
            continue
        quote = document.find_quote(paragraph, item["quote"])
        if quote is None:
            checker.add(doc, (*path, "quote"), _quote_reason(source, item["quote"], paragraph))
            continue
        citation = Citation(paragraph, quote, source.id, source.title, source.url)
        fact = Fact(item["id"], item["fact"].strip(), citation)
        facts[fact.id] = fact
    return facts


def _unknown_source(source_id: str, sources: dict[str, Source]) -> str:
    known = ", ".join(sorted(sources))
    reason = (
        f"the source {source_id!r} does not exist (known: {known}); a source is a file "
        f"{SOURCES_DIR}/<id>.md"
    )
    guess = did_you_mean(source_id, list(sources))
    return reason + (f"; did you mean {guess!r}?" if guess else "")


def did_you_mean(typed: str, known: list[str]) -> str | None:
    """The known name closest to a mistyped one, if any is close enough to suggest."""
    found = process.extractOne(typed, known, score_cutoff=70)
    return None if found is None else str(found[0])


def _quote_reason(source: Source, quote: str, paragraph: int) -> str:
    name = "the article" if source.id == ARTICLE_ID else f"the source {source.id!r}"
    reason = f"the quote is not word for word in paragraph {paragraph} of {name}"
    closest = source.document.closest_passage(quote)
    if closest is not None:
        reason += f'; closest passage (paragraph {closest[0]}): "{closest[1]}"'
    return reason


def _load_qas(
    doc: YamlDoc | None,
    facts: dict[str, Fact],
    declared: set[str] | None,
    checker: _Checker,
) -> dict[str, QA]:
    """Q&As whose cited facts all loaded.

    ``declared`` is None when facts.yaml could not be read at all: then no citation can
    be judged, and reporting each one as missing would bury the one real problem.
    """
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
            if fact_id not in facts and (declared is None or fact_id in declared):
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
    doc: YamlDoc | None,
    targets: tuple[dict[str, QA], dict[str, Gap]],
    readable: bool,
    checker: _Checker,
) -> tuple[list[TaughtPhrasing], list[Problem]]:
    """Taught phrasings, and warnings for those whose Q&A or gap has been removed.

    Deleting a Q&A is a deliberate edit, so its leftover taught phrasings must not stop
    the rest of the knowledge from loading: each becomes one warning naming the phrasing
    and the missing id, and is left out. ``readable`` is False when qa.yaml or gaps.yaml
    could not be read; then no target can be judged missing.
    """
    taught: list[TaughtPhrasing] = []
    warnings: list[Problem] = []
    if doc is None or doc.data is None:
        return taught, warnings
    qas, gaps = targets
    fields = {"qa": str, "gap": str, "phrasing": str, "by": str, "at": str}
    optional = frozenset({"qa", "gap"})
    for index, item in checker.entries(doc, "taught", fields, optional=optional):
        path = ("taught", index)
        if ("qa" in item) == ("gap" in item):
            checker.add(doc, path, "each taught phrasing names exactly one 'qa:' or 'gap:'")
            continue
        kind = "qa" if "qa" in item else "gap"
        target, phrasing = item[kind].strip(), item["phrasing"].strip()
        if target not in (qas if kind == "qa" else gaps):
            if readable:
                where = "qa.yaml" if kind == "qa" else "gaps.yaml"
                reason = (
                    f"warning: the taught phrasing {phrasing!r} is for {target!r}, which is "
                    f"no longer in {where}; it is ignored. Remove it with: "
                    f"tourbot untaught {_shell_quote(phrasing)}"
                )
                warnings.append(Problem(doc.file, doc.line(*path, kind), reason))
            continue
        taught.append(TaughtPhrasing(target, phrasing, item["by"], item["at"], kind))
    return taught, warnings


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


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
        key = normaliser.normalise_known(text)
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
    for lesson in taught:
        index = _taught_index(taught_doc, lesson)
        key = normaliser.normalise_known(lesson.phrasing)
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


def _taught_index(doc: YamlDoc | None, lesson: TaughtPhrasing) -> int:
    """Where a taught phrasing is written, for its line number (entries may be skipped)."""
    for index, item in _entries_of(doc, "taught"):
        if str(item.get("phrasing", "")).strip() == lesson.phrasing and lesson.qa in (
            item.get("qa"),
            item.get("gap"),
        ):
            return index
    return 0


def _load_sources(
    directory: Path, article: Article, checker: _Checker
) -> tuple[dict[str, Source], set[str]]:
    """The article plus every readable ``sources/*.md``; the ids of unreadable ones."""
    sources = {ARTICLE_ID: article_source(article, str(directory / ARTICLE_FILE))}
    broken: set[str] = set()
    for path in source_files(directory):
        try:
            source = load_source(path)
        except SourceError as err:
            checker.problems.extend(err.problems)
            broken.add(path.stem)
            continue
        sources[source.id] = source
    return sources, broken


_GAP_ARTICLE = re.compile(r"^The article (doesn't|does not) ")


def speak_for_sources(says: str, several: bool) -> str:
    """A gap's reply, worded for every source once there is more than the article.

    gaps.yaml is written about the article ("The article doesn't say ..."); once a
    moderator adds a source, that sentence would wrongly suggest only the article was
    looked at, so it becomes "The sources here don't say ...". The file is not edited.
    """
    if not several:
        return says
    found = _GAP_ARTICLE.match(says)
    if found is None:
        return says
    verb = "don't" if found.group(1) == "doesn't" else "do not"
    return f"The sources here {verb} " + says[found.end() :]


def load_knowledge(
    directory: Path, taught_text: str | None = None, overrides: Mapping[str, str] | None = None
) -> Knowledge:
    """Load every knowledge file in ``directory``; raise KnowledgeError listing all problems.

    ``taught_text`` stands in for the overlay file, and ``overrides`` for any YAML file by
    name (``{"qa.yaml": text}``), so a teach or an add is validated before it is written.
    """
    overrides = dict(overrides or {})
    if taught_text is not None:
        overrides[TAUGHT_FILE] = taught_text
    checker = _Checker()
    article_path = directory / ARTICLE_FILE
    try:
        article = load_article(article_path)
    except (OSError, ValueError) as err:
        raise KnowledgeError(
            [Problem(str(article_path), 1, f"cannot read the article: {err}")]
        ) from err
    sources, broken_sources = _load_sources(directory, article, checker)

    def read(name: str, required: bool = True) -> YamlDoc | None:
        if name in overrides:
            return _parse(overrides[name], str(directory / name), checker)
        return _read(directory, name, checker, required)

    facts_doc = read(FACTS_FILE)
    qa_doc = read(QA_FILE)
    synonyms_doc = read(SYNONYMS_FILE, required=False)
    gaps_doc = read(GAPS_FILE, required=False)
    taught_doc = read(TAUGHT_FILE, required=False)

    synonyms = _load_synonyms(synonyms_doc, checker)
    _check_ids([facts_doc, qa_doc, gaps_doc], checker)
    facts = _load_facts(facts_doc, sources, broken_sources, checker)
    # A facts.yaml that is missing or unreadable is one problem, not one per citation.
    declared = _declared_ids(facts_doc, "facts") if facts_doc is not None else None
    qas = _load_qas(qa_doc, facts, declared, checker)
    gaps = _load_gaps(gaps_doc, checker)
    readable = qa_doc is not None and _readable(directory, GAPS_FILE, gaps_doc)
    taught, warnings = _load_taught(taught_doc, (qas, gaps), readable, checker)
    taught = _check_phrasings(
        (qas, gaps), taught, shared_normaliser(synonyms), (qa_doc, gaps_doc, taught_doc), checker
    )
    if checker.problems:
        raise KnowledgeError(checker.problems)
    several = len(sources) > 1
    gaps = {
        gap.id: replace(
            gap,
            says=speak_for_sources(gap.says, several),
            phrasings=gap.phrasings
            + tuple(t.phrasing for t in taught if t.kind == "gap" and t.qa == gap.id),
        )
        for gap in gaps.values()
    }
    knowledge = Knowledge(
        article, facts, qas, synonyms, tuple(taught), gaps, sources, tuple(warnings)
    )
    overlaps = gaps_answered_elsewhere(knowledge, gaps_doc, qa_doc)
    return replace(knowledge, warnings=knowledge.warnings + tuple(overlaps))


def _readable(directory: Path, name: str, doc: YamlDoc | None) -> bool:
    """False when the file exists but could not be parsed (its problem is reported)."""
    return doc is not None or not (directory / name).exists()


def gaps_answered_elsewhere(
    knowledge: Knowledge, gaps_doc: YamlDoc | None, qa_doc: YamlDoc | None
) -> list[Problem]:
    """Warn when a Q&A backed by another source answers what a gap says is unknown.

    A gap is written for the article ("The article doesn't say whether there will be
    another tour"); when a moderator adds an announcement that does say, the gap is now
    out of date. Each gap phrasing is compared with the question and phrasings of every
    Q&A citing a non-article source, by the share of the shorter one's words that the
    other also has (rapidfuzz ``token_set_ratio`` on normalised text); at 85 or more the
    gap is reported once, naming the closest pair so the moderator sees why.
    """
    fresh = [qa for qa in knowledge.qas.values() if knowledge.cited_sources(qa) - {ARTICLE_ID}]
    if not fresh or not knowledge.gaps:
        return []
    normalise = knowledge.normaliser().normalise
    warnings: list[Problem] = []
    gap_index = {
        item["id"]: index
        for index, item in _entries_of(gaps_doc, "gaps")
        if isinstance(item.get("id"), str)
    }
    qa_index = {
        item["id"]: index
        for index, item in _entries_of(qa_doc, "qa")
        if isinstance(item.get("id"), str)
    }
    for gap in knowledge.gaps.values():
        best = closest_pair(
            [normalise(p) for p in gap.phrasings],
            {
                qa.id: [normalise(p) for p in (qa.question, *knowledge.phrasings(qa))]
                for qa in fresh
            },
        )
        if best is None:
            continue
        qa_id, gap_no, qa_no, score = best
        qa = knowledge.qas[qa_id]
        sources = sorted(knowledge.cited_sources(qa) - {ARTICLE_ID})
        line = gaps_doc.line("gaps", gap_index.get(gap.id, 0), "id") if gaps_doc else 1
        qa_where = (
            f"{qa_doc.file}:{qa_doc.line('qa', qa_index[qa_id], 'id')}"
            if qa_doc is not None and qa_id in qa_index
            else qa_id
        )
        phrasings = (qa.question, *knowledge.phrasings(qa))
        reason = (
            f"warning: the gap {gap.id!r} says this is unknown, but the Q&A {qa_id!r} "
            f"({qa_where}, citing {', '.join(sources)}) may answer it: "
            f"{gap.phrasings[gap_no]!r} is close to {phrasings[qa_no]!r} ({score:.0f}/100). "
            "If the new source answers it, remove or narrow the gap"
        )
        warnings.append(Problem(gaps_doc.file if gaps_doc else GAPS_FILE, line, reason))
    return warnings
