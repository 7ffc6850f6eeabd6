"""Builds matchers in a child process, so the answering process only loads them.

Building a matcher is Python holding the GIL for a tenth of a second to minutes (the
knowledge's size), and every answer the process gives meanwhile waits for it. The service
(``bot.service``) hands the build to one child process instead: ``python -m bot.builder``,
started on first use and kept, so its caches (normalised texts, vectors, the model) stay
warm from one reload to the next. The child validates the files, builds the matcher and
saves it in the cache (``bot.matching.compiled.build_and_save``); it answers with the
loader's problems, an empty tuple when the files are valid and the matcher is saved.

The child is a new interpreter, not ``multiprocessing``: a "spawn" or "forkserver"
process imports the parent's main script again, which runs any script without a
``__name__ == "__main__"`` guard a second time (a fork of a process with threads is not
safe either). Requests and answers are pickles over the child's stdin and stdout, between
two processes of the same program; the child writes its logs to stderr. When the parent
exits, the child reads the end of its stdin and exits too. The child runs at a lower
priority (``nice`` 10): on a machine with two cores, a build at the same priority took
CPU time from the answers it was meant to stop slowing down.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from bot.knowledge.yamlsource import Problem
from bot.matching.embedding import cache_dir
from bot.matching.matcher import Thresholds

log = logging.getLogger(__name__)

# How the child is started; tests replace it with a child that fails.
COMMAND: tuple[str, ...] = (sys.executable, "-m", "bot.builder")
# The child's scheduling priority, lowered by this much (Unix ``nice``).
NICENESS = 10


class BuildError(RuntimeError):
    """The child could not build (it died, could not start, or raised)."""


class ChildBuilder:
    """One child process that builds and saves matchers, one request at a time."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def build(self, directory: Path, thresholds: Thresholds | None) -> tuple[Problem, ...]:
        """The loader's problems with ``directory``; empty when its matcher is built and
        saved in the cache. Raises ``BuildError`` when the child fails; a child that
        died is replaced by a new one on the next call."""
        with self._lock:
            try:
                process = self._start()
                assert process.stdin is not None and process.stdout is not None
                request = (str(directory), thresholds, str(cache_dir()))
                pickle.dump(request, process.stdin, pickle.HIGHEST_PROTOCOL)
                process.stdin.flush()
                status, value = pickle.load(process.stdout)
            except Exception as err:
                self._stop()
                raise BuildError(f"the builder process failed: {err!r}") from err
        if status != "ok":
            raise BuildError(f"the builder process raised {value}")
        return tuple(value)

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True
            )
        return self._process

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        """Stop the child (it exits at the end of its input); a later build starts another."""
        with self._lock:
            self._stop()


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The child's loop: one build per request, until the parent closes the pipe."""
    from bot.matching.compiled import build_and_save

    while True:
        try:
            directory, thresholds, cache = pickle.load(requests)
        except EOFError:
            return
        answer: tuple[str, Any]
        try:
            answer = ("ok", build_and_save(Path(directory), thresholds, cache))
        except Exception as err:  # reported to the parent, which builds itself
            log.exception("building the matcher of %s failed", directory)
            answer = ("error", repr(err))
        pickle.dump(answer, answers, pickle.HIGHEST_PROTOCOL)
        answers.flush()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="tourbot builder: %(levelname)s %(message)s")
    with contextlib.suppress(OSError, AttributeError):  # not everywhere (Windows)
        # A build is background work: on a machine with few cores, answering comes first.
        os.nice(NICENESS)
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr  # stdout carries the answers: nothing else may print there
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
