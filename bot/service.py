"""The live answering service: current knowledge, reloads, and nothing about Discord.

A reload builds a complete new snapshot (validated knowledge plus its index) off to the
side and swaps one reference, so a question is always answered from one consistent
version and a broken edit never replaces the last good one.

A reload that must build (the files changed since their matcher was saved) builds in a
child process (``bot.builder``): building is Python holding the GIL, which in the bot's
own process stalled every answer given meanwhile (their p99 grew 2.5-3x in
``benchmarks/startup.py``). The child validates the files, builds the matcher and saves
it (``bot.matching.compiled``); this process then only loads the saved matcher and swaps
it in. The child's answer is the loader's problems, reported exactly as if the files had
been loaded here. If the child cannot be started, dies, or saves nothing (a cache
directory that is not writable), the reload builds here as before. The child is started
on the first such reload (not at start-up, where nothing is answered yet and the build
runs here) and kept for the next ones. A reload of files whose content is what the live
snapshot was built from (``/kb reload`` with nothing edited, a file touched but not
changed) keeps that snapshot: comparing the files' times and sizes (or, when a file was
written again, hashing them) is all it costs.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.builder import ChildBuilder
from bot.knowledge.loader import Knowledge, KnowledgeError, load_knowledge
from bot.knowledge.yamlsource import Problem
from bot.matching.answer import Answer, Suggestion
from bot.matching.compiled import knowledge_key, load_matcher, load_saved
from bot.matching.matcher import Matcher, Thresholds, complete

log = logging.getLogger(__name__)

# Each knowledge file's name, modification time (ns) and size: see fingerprint().
Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    knowledge: Knowledge
    matcher: Matcher
    version: int
    loaded_at: float
    key: str = ""  # the files' content it was built from (bot.matching.compiled)
    seen: Fingerprint = ()  # their fingerprint() when it was built


def fingerprint(directory: Path) -> Fingerprint:
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
    def __init__(
        self,
        directory: Path,
        thresholds: Thresholds | None = None,
        *,
        build_in_child: bool = True,
    ) -> None:
        self.directory = directory
        self.thresholds = thresholds
        self._seen = fingerprint(directory)
        key = self._key()
        self._reloading = threading.Lock()  # the watcher and /kb reload may race
        self._child = ChildBuilder() if build_in_child else None
        snapshot, built_here = self._build(1, self._seen, key, in_child=False)
        self._snapshot = snapshot
        self._settle(collect=built_here)

    def _key(self) -> str:
        """The files' content hash (``bot.matching.compiled``): what a snapshot is of."""
        return knowledge_key(self.directory, self.thresholds or Thresholds())

    def _build(
        self, version: int, seen: Fingerprint, key: str, in_child: bool = True
    ) -> tuple[Snapshot, bool]:
        """The knowledge on disk (``seen``, ``key``) and its matcher, loaded whole when
        this version of the files was built before (``bot.matching.compiled``), else built
        in the child process (``in_child``) or here, and whether it was built here; raises
        ``KnowledgeError``."""
        matcher = load_saved(self.directory, self.thresholds, key)
        if matcher is None and in_child and self._child is not None:
            matcher = self._build_in_child(self._child, key)
        built_here = matcher is None
        if matcher is None:  # the files were hashed into ``key`` already: not again
            matcher = load_matcher(self.directory, self.thresholds, key=key)
        return Snapshot(matcher.knowledge, matcher, version, time.time(), key, seen), built_here

    def _build_in_child(self, child: ChildBuilder, key: str) -> Matcher | None:
        """The matcher the child built and saved, None when this process must build it;
        raises ``KnowledgeError`` with the problems the child found."""
        try:
            problems = child.build(self.directory, self.thresholds)
        except Exception as err:  # the build is only moved: do it here instead
            log.warning("building the matcher in a child process failed (%r); building here", err)
            return None
        if problems:
            raise KnowledgeError(list(problems))
        matcher = load_saved(self.directory, self.thresholds, key)
        if matcher is None:  # an unwritable cache, or the files changed meanwhile
            log.warning("the child process saved no matcher for %s; building here", self.directory)
        return matcher

    def close(self) -> None:
        """Stop the child process that builds matchers (a later reload starts another)."""
        if self._child is not None:
            self._child.close()

    @staticmethod
    def _settle(collect: bool = True) -> None:
        """Take the live snapshot out of the cyclic garbage collector's scans.

        An index is hundreds of thousands of long-lived objects, and every full collection
        walks all of them: freezing them raised the bot's throughput in ``benchmarks/e2e.py``
        by about a quarter. The snapshot just replaced holds no reference cycle, so
        reference counting frees it, frozen or not; the collection here only clears the
        garbage of the build before it would be frozen for good. It no longer unfreezes
        everything first: a full collection over both snapshots held the GIL for 30-45 ms,
        stalling every answer a reload overlapped (``benchmarks/startup.py``).

        A matcher loaded from its saved copy (not ``collect``) leaves no garbage to clear,
        so it is frozen without a collection (about 7 ms with the GIL held for the shipped
        knowledge, the cost of walking the new snapshot). Cyclic garbage that answering
        happens to leave in the young generations at that moment is frozen with it: a few
        objects per reload at most.
        """
        if collect:
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
            seen = self._seen = fingerprint(self.directory)
            live = self._snapshot
            # Unchanged: the files' names, times and sizes, or (a file written again)
            # their content, are what the live snapshot was built from.
            if seen == live.seen:
                return ReloadResult(True, live.version)
            key = self._key()
            if key == live.key:
                self._snapshot = dataclasses.replace(live, seen=seen)
                return ReloadResult(True, live.version)
            try:
                snapshot, built_here = self._build(live.version + 1, seen, key)
            except KnowledgeError as err:
                log.warning("knowledge reload rejected: %d problem(s)", len(err.problems))
                return ReloadResult(False, self._snapshot.version, tuple(err.problems))
            self._snapshot = snapshot
            self._settle(collect=built_here)
            log.info("knowledge reloaded: version %d", self._snapshot.version)
            return ReloadResult(True, self._snapshot.version)
