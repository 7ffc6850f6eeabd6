"""Teaching and adding: moderators' writes to the knowledge, each validated first.

Taught phrasings go to a machine-written overlay (``taught.yaml``); a phrasing can teach a
Q&A or a gap, and ``untaught`` takes one back. ``add`` appends a new fact and Q&A to the
hand-written facts.yaml and qa.yaml (their comments and layout are kept: the entries are
appended as text). Every write is validated against the whole knowledge base before
anything is written, each file is replaced atomically (temp file, fsync, rename), writers
are serialised with a lock file so two moderators at once both land, and every change is
appended to an audit log (``audit.log``, one JSON object a line; it is the deployment's
record, kept beside the knowledge and git-ignored).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from bot.knowledge.loader import (
    FACTS_FILE,
    MAX_TEXT,
    QA_FILE,
    TAUGHT_FILE,
    Knowledge,
    KnowledgeError,
    TaughtPhrasing,
    did_you_mean,
    load_knowledge,
)
from bot.knowledge.sources import ARTICLE_ID
from bot.knowledge.yamlsource import Problem, parse_yaml
from bot.matching.questions import clean_question

log = logging.getLogger(__name__)

AUDIT_FILE = "audit.log"
LOCK_FILE = ".taught.lock"
# write_atomically's temp files are ".<name>.<random>.tmp" (its mkstemp prefix and suffix).
TEMP_GLOB = ".*.tmp"
# A new file's mode before the umask: what open() uses, so a new taught.yaml gets the
# same mode as a file the user created by hand.
NEW_FILE_MODE = 0o666

HEADER = """\
# Phrasings taught by moderators with /kb teach or `tourbot teach`.
# This file is written by the bot: edit qa.yaml by hand instead. Each entry adds one
# more way of asking an existing Q&A (qa: its id) or a gap (gap: its id). Remove one
# with `tourbot untaught "the phrasing"` or /kb untaught. `tourbot check` validates this
# file with the others; audit.log records who taught what and when.
"""


class TeachError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.reason for p in problems))


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with open(directory / LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def render_overlay(entries: list[TaughtPhrasing]) -> str:
    data = {
        "taught": [{e.kind: e.qa, "phrasing": e.phrasing, "by": e.by, "at": e.at} for e in entries]
    }
    # One line per value: a wrapped phrasing could read like a merged list item when loaded.
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)


def _umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask must set
    one to read it, which would race with other threads creating files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The replaced file's permission bits, or a new file's: mkstemp's 0600 must not stick
    (a bot running as another user could then no longer read taught.yaml)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return NEW_FILE_MODE & ~_umask()


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so a crash leaves either the old or the new file.

    The new file keeps the old one's permission bits (and, when allowed, its owner and
    group), as an in-place edit would.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, _mode_for(path))
        try:
            old = path.stat()
            os.fchown(fd, old.st_uid, old.st_gid)
        except (FileNotFoundError, PermissionError):
            pass  # a new file, or not ours to give away: the writer's owner stands
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    directory_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)


def remove_stale_temp_files(directory: Path) -> list[Path]:
    """Delete temp files that a killed writer left behind; the paths removed.

    A kill between write_atomically's write and its rename leaves ``.taught.yaml.*.tmp``.
    Under the teach lock, so a teach running at the same time keeps its own.
    """
    removed: list[Path] = []
    try:
        with _locked(directory):
            for path in directory.glob(TEMP_GLOB):
                if path.is_file():
                    path.unlink(missing_ok=True)
                    removed.append(path)
    except OSError as err:  # a read-only folder: nothing was written there to clean up
        log.warning("could not look for stale temp files in %s: %s", directory, err)
    for path in removed:
        log.info("removed a stale temp file: %s", path)
    return removed


def _audit(directory: Path, entry: dict[str, Any]) -> None:
    with open(directory / AUDIT_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _no_target(where: str, target: str, current: Knowledge) -> TeachError:
    """ "No such target", with the closest id (or the id of the closest question)."""
    reason = f"there is no Q&A or gap with the id {target!r}"
    guess = did_you_mean(target, [*current.qas, *current.gaps])
    if guess is None:
        by_question = {qa.question: qa.id for qa in current.qas.values()}
        found = did_you_mean(target, list(by_question))
        guess = by_question[found] if found is not None else None
    if guess is not None:
        reason += f"; did you mean {guess!r}?"
    return TeachError([Problem("", 0, reason)])


def teach(directory: Path, qa_id: str, phrasing: str, by: str) -> TaughtPhrasing:
    """Add ``phrasing`` to the Q&A or gap ``qa_id``; raise TeachError if it would break
    anything. A mistyped id gets a "did you mean"."""
    phrasing = clean_question(phrasing)
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    where = str(directory / TAUGHT_FILE)
    with _locked(directory):
        current = load_knowledge(directory)  # the base must be valid before we add to it
        if qa_id in current.qas:
            kind, known = "qa", current.phrasings(current.qas[qa_id])
        elif qa_id in current.gaps:
            kind, known = "gap", current.gaps[qa_id].phrasings
        else:
            raise _no_target(where, qa_id, current)
        entry = TaughtPhrasing(qa_id, phrasing, by, at, kind)
        normalise = current.normaliser().normalise
        if normalise(phrasing) in {normalise(p) for p in known}:
            raise TeachError([Problem("", 0, f"{qa_id!r} already knows that phrasing")])
        text = render_overlay([*current.taught, entry])
        try:
            load_knowledge(directory, taught_text=text)
        except KnowledgeError as err:
            raise TeachError(err.problems) from err
        write_atomically(directory / TAUGHT_FILE, text)
        _audit(
            directory,
            {"at": at, "by": by, "action": "teach", kind: qa_id, "phrasing": phrasing},
        )
    return entry


def untaught(
    directory: Path, phrasing: str, by: str, target: str | None = None
) -> list[TaughtPhrasing]:
    """Remove a taught phrasing (from ``target`` only, if given); return what was removed.

    Phrasings compare as the matcher sees them (case, spacing and synonyms folded), so
    the moderator need not retype it exactly. Nothing matching is a TeachError that names
    the closest taught phrasing.
    """
    with _locked(directory):
        current = load_knowledge(directory)
        normalise = current.normaliser().normalise
        wanted = normalise(phrasing)
        removed = [
            t
            for t in current.taught
            if normalise(t.phrasing) == wanted and (target is None or t.qa == target)
        ]
        if not removed:
            reason = f"no taught phrasing {phrasing!r}" + (f" for {target!r}" if target else "")
            guess = did_you_mean(phrasing, [t.phrasing for t in current.taught])
            if guess is not None:
                reason += f"; did you mean {guess!r}?"
            raise TeachError([Problem("", 0, reason)])
        kept = [t for t in current.taught if t not in removed]
        text = render_overlay(kept)
        try:
            load_knowledge(directory, taught_text=text)
        except KnowledgeError as err:
            raise TeachError(err.problems) from err
        write_atomically(directory / TAUGHT_FILE, text)
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for entry in removed:
            record = {"at": at, "by": by, "action": "untaught", entry.kind: entry.qa}
            _audit(directory, record | {"phrasing": entry.phrasing})
    return removed


@dataclass(frozen=True, slots=True)
class NewEntry:
    """What ``tourbot add`` and ``/kb add`` ask for: one Q&A backed by one quote."""

    question: str
    answer: str
    quote: str
    source: str = ARTICLE_ID
    phrasings: tuple[str, ...] = ()
    id: str | None = None  # made from the question when not given
    paragraph: int | None = None  # found from the quote when not given
    fact: str | None = None  # the fact's sentence; the answer when not given


@dataclass(frozen=True, slots=True)
class Added:
    qa_id: str
    fact_id: str
    source: str
    paragraph: int


_WORD = re.compile(r"[a-z0-9]+")
_SKIP = frozenset("the a an is are was were what when where who how which do does did of".split())


def make_id(question: str, taken: set[str]) -> str:
    """A readable id from the question's first content words, unique among ``taken``."""
    words = [w for w in _WORD.findall(question.lower()) if w not in _SKIP][:4] or ["entry"]
    base = "-".join(words)
    ident, n = base, 2
    while ident in taken or f"{ident}-fact" in taken:
        ident, n = f"{base}-{n}", n + 1
    return ident


def _append_entry(text: str, key: str, entry: dict[str, Any], file: str) -> str:
    """``text`` with ``entry`` appended to its ``key:`` list, at the list's own indent.

    Appending as text keeps the moderators' comments and layout; the result is validated
    by the caller before it is written.
    """
    doc = parse_yaml(text, file)
    items = doc.data.get(key) if isinstance(doc.data, dict) else None
    indent = 2
    if isinstance(items, list) and items:
        first = doc.text_lines[doc.line(key, 0) - 1]
        indent = len(first) - len(first.lstrip(" "))
    elif items is not None:
        raise TeachError([Problem(file, doc.line(key), f"'{key}:' must be a block list")])
    # One line per value: a wrapped plain value could look like a merged line to the loader.
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=10**6, indent=2)
    lines = [(" " * indent + line) if line else line for line in block.splitlines()]
    return text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"


def _find_paragraph(knowledge: Knowledge, new: NewEntry, quote: str, where: str) -> int:
    """The paragraph of ``new.source`` holding the quote; a TeachError saying why not."""
    if new.source not in knowledge.sources:
        guess = did_you_mean(new.source, list(knowledge.sources))
        reason = f"there is no source {new.source!r} (known: {', '.join(knowledge.sources)})"
        reason += f"; did you mean {guess!r}?" if guess else ""
        raise TeachError([Problem("", 0, reason)])
    document = knowledge.sources[new.source].document
    numbers = [new.paragraph] if new.paragraph else [p.number for p in document.paragraphs]
    for number in numbers:
        if document.find_quote(number, quote) is not None:
            return number
    reason = f"the quote is not word for word in {new.source!r}"
    closest = document.closest_passage(quote)
    if closest is not None:
        reason += f'; closest passage (paragraph {closest[0]}): "{closest[1]}"'
    raise TeachError([Problem("", 0, reason)])


def add(directory: Path, new: NewEntry, by: str) -> Added:
    """Append a fact quoting ``new.source`` and a Q&A citing it; validated, atomic, audited.

    facts.yaml is written before qa.yaml: a crash between the two leaves an unused fact,
    which still loads, never a Q&A citing a fact that is not there.
    """
    question = clean_question(new.question)
    phrasings = [clean_question(p) for p in new.phrasings if p.strip()]
    answer, quote = " ".join(new.answer.split()), " ".join(new.quote.split())
    where = str(directory / QA_FILE)
    for name, value in (("answer", answer), ("quote", quote)):
        if not value:
            raise TeachError([Problem("", 0, f"the {name} is empty")])
        if len(value) > MAX_TEXT:
            reason = f"the {name} is {len(value)} characters; the limit is {MAX_TEXT}"
            raise TeachError([Problem("", 0, reason)])
    with _locked(directory):
        current = load_knowledge(directory)
        paragraph = _find_paragraph(current, new, quote, where)
        taken = {*current.qas, *current.facts, *current.gaps}
        qa_id = new.id or make_id(question, taken)
        fact_id = f"{qa_id}-fact"
        if qa_id in taken or fact_id in taken:
            raise TeachError([Problem("", 0, f"the id {qa_id!r} is already used")])
        fact: dict[str, Any] = {
            "id": fact_id,
            "fact": " ".join((new.fact or answer).split()),
            "quote": quote,
            "paragraph": paragraph,
        }
        if new.source != ARTICLE_ID:
            fact["source"] = new.source
        qa: dict[str, Any] = {"id": qa_id, "question": question}
        if phrasings:
            qa["phrasings"] = phrasings
        qa |= {"answer": answer, "cites": [fact_id]}
        facts_path, qa_path = directory / FACTS_FILE, directory / QA_FILE
        facts_text = _append_entry(
            facts_path.read_text(encoding="utf-8"), "facts", fact, str(facts_path)
        )
        qa_text = _append_entry(qa_path.read_text(encoding="utf-8"), "qa", qa, str(qa_path))
        try:
            load_knowledge(directory, overrides={FACTS_FILE: facts_text, QA_FILE: qa_text})
        except KnowledgeError as err:
            raise TeachError(err.problems) from err
        write_atomically(facts_path, facts_text)
        write_atomically(qa_path, qa_text)
        _audit(
            directory,
            {
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "by": by,
                "action": "add",
                "qa": qa_id,
                "fact": fact_id,
                "source": new.source,
                "question": question,
            },
        )
    return Added(qa_id, fact_id, new.source, paragraph)


def teach_targets(knowledge: Knowledge, partial: str, limit: int = 25) -> list[tuple[str, str]]:
    """(id, label) of the Q&As and gaps a phrasing can be taught to, best match first.

    For an autocomplete box: what a moderator types may be part of an id ("lohum") or of
    the question ("who ran"), so both are matched, with rapidfuzz's ``WRatio``.
    """
    labels = {qa.id: f"{qa.id}: {qa.question}" for qa in knowledge.qas.values()}
    labels |= {gap.id: f"{gap.id}: {gap.says}" for gap in knowledge.gaps.values()}
    if not partial.strip():
        return list(labels.items())[:limit]
    typed = partial.strip().lower()
    ranked = [key for key, label in labels.items() if typed in label.lower()]
    found = process.extract(partial, labels, scorer=fuzz.WRatio, limit=limit, score_cutoff=40)
    ranked += [str(key) for _, _, key in found if key not in ranked]
    return [(key, labels[key]) for key in ranked[:limit]]
