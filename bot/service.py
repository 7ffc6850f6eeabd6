"""The live answering service: current knowledge, reloads, and nothing about Discord.

A reload builds a complete new snapshot (validated knowledge plus its index) off to the
side and swaps one reference, so a question is always answered from one consistent
version and a broken edit never replaces the last good one.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.loader import Knowledge, KnowledgeError, load_knowledge
from bot.knowledge.yamlsource import Problem
from bot.matching.answer import Answer, Suggestion
from bot.matching.compiled import load_matcher
from bot.matching.matcher import Matcher, Thresholds, complete

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Snapshot:
    knowledge: Knowledge
    matcher: Matcher
    version: int
    loaded_at: float


def fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector for the knowledge files (name, mtime, size), the sources in
    ``sources/`` included."""
    found = []
    candidates = [*directory.glob("*"), *directory.glob("sources/*.md")]
    for path in sorted(candidates):
        if path.suffix in (".yaml", ".yml", ".txt", ".md") and path.is_file():
            stat = path.stat()
            found.append((str(path.relative_to(directory)), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class ReloadResult:
    ok: bool
    version: int
    problems: tuple[Problem, ...] = ()


class AnswerService:
    def __init__(self, directory: Path, thresholds: Thresholds | None = None) -> None:
        self.directory = directory
        self.thresholds = thresholds
        self._seen = fingerprint(directory)
        self._reloading = threading.Lock()  # the watcher and /kb reload may race
        self._snapshot = self._build(version=1)
        self._settle()

    def _build(self, version: int) -> Snapshot:
        """The knowledge on disk and its matcher, loaded whole when this version of the
        files was built before (``bot.matching.compiled``); raises ``KnowledgeError``."""
        matcher = load_matcher(self.directory, self.thresholds)
        return Snapshot(matcher.knowledge, matcher, version, time.time())

    @staticmethod
    def _settle() -> None:
        """Take the live snapshot out of the cyclic garbage collector's scans.

        An index is hundreds of thousands of long-lived objects, and every full collection
        walks all of them: freezing them raised the bot's throughput in ``benchmarks/e2e.py``
        by about a quarter. The snapshot just replaced holds no reference cycle, so
        reference counting frees it, frozen or not; the collection here only clears the
        garbage of the build before it would be frozen for good. It no longer unfreezes
        everything first: a full collection over both snapshots held the GIL for 30-45 ms,
        stalling every answer a reload overlapped (``benchmarks/startup.py``).
        """
        gc.collect()
        gc.freeze()

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def knowledge(self) -> Knowledge:
        return self._snapshot.knowledge

    def ask(self, question: str) -> Answer:
        return self._snapshot.matcher.ask(question)

    def answer_id(self, target_id: str) -> Answer | None:
        return self._snapshot.matcher.answer_id(target_id)

    def complete(self, partial: str, limit: int = 25) -> list[Suggestion]:
        return complete(self._snapshot.matcher, partial, limit)

    def check(self) -> tuple[Problem, ...]:
        """Validate the files on disk without swapping anything."""
        try:
            load_knowledge(self.directory)
        except KnowledgeError as err:
            return tuple(err.problems)
        return ()

    def reload_if_changed(self) -> ReloadResult | None:
        """Reload when the files changed since the last look; None when nothing changed."""
        current = fingerprint(self.directory)
        if current == self._seen:
            return None
        return self.reload()

    def reload(self) -> ReloadResult:
        """Validate the files on disk and swap them in; on problems keep the current ones."""
        with self._reloading:
            self._seen = fingerprint(self.directory)
            try:
                snapshot = self._build(self._snapshot.version + 1)
            except KnowledgeError as err:
                log.warning("knowledge reload rejected: %d problem(s)", len(err.problems))
                return ReloadResult(False, self._snapshot.version, tuple(err.problems))
            self._snapshot = snapshot
            self._settle()
            log.info("knowledge reloaded: version %d", self._snapshot.version)
            return ReloadResult(True, self._snapshot.version)
