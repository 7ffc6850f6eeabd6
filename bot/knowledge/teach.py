"""Teaching: add a phrasing to a Q&A without touching the hand-written files.

Taught phrasings go to a machine-written overlay (``taught.yaml``). A teach is validated
against the whole knowledge base before anything is written, the file is replaced
atomically (temp file, fsync, rename), writers are serialised with a lock file so two
moderators teaching at once both land, and every change is appended to an audit log.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from bot.knowledge.loader import TAUGHT_FILE, KnowledgeError, TaughtPhrasing, load_knowledge
from bot.knowledge.yamlsource import Problem
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
# more way of asking an existing Q&A (qa: its id). `tourbot check` validates this file
# with the others; audit.log records who taught what and when.
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
        "taught": [{"qa": e.qa, "phrasing": e.phrasing, "by": e.by, "at": e.at} for e in entries]
    }
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


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


def _audit(directory: Path, entry: dict[str, str]) -> None:
    with open(directory / AUDIT_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def teach(directory: Path, qa_id: str, phrasing: str, by: str) -> TaughtPhrasing:
    """Add ``phrasing`` to the Q&A ``qa_id``; raise TeachError if it would break anything."""
    phrasing = clean_question(phrasing)
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    entry = TaughtPhrasing(qa_id, phrasing, by, at)
    where = str(directory / TAUGHT_FILE)
    with _locked(directory):
        current = load_knowledge(directory)  # the base must be valid before we add to it
        if qa_id not in current.qas:
            raise TeachError([Problem(where, 1, f"there is no Q&A with the id {qa_id!r}")])
        normalise = current.normaliser().normalise
        if normalise(phrasing) in {normalise(p) for p in current.phrasings(current.qas[qa_id])}:
            raise TeachError([Problem(where, 1, f"{qa_id!r} already knows that phrasing")])
        text = render_overlay([*current.taught, entry])
        try:
            load_knowledge(directory, taught_text=text)
        except KnowledgeError as err:
            raise TeachError(err.problems) from err
        write_atomically(directory / TAUGHT_FILE, text)
        _audit(
            directory, {"at": at, "by": by, "action": "teach", "qa": qa_id, "phrasing": phrasing}
        )
    return entry
