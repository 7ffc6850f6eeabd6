"""What people asked and how it went, for moderators deciding what to teach next.

Only the question text and the outcome are stored: no user ids, names or other message
content. SQLite (stdlib) keeps it a single file; the schema migrates forward on open.

Writing is best effort: the log serves moderators, and answering must never depend on
it. A write that fails (a full disk, a locked or damaged file) is dropped, counted and
logged, and the count is shown in ``/kb stats``.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.matching.answer import Answer, Outcome

log = logging.getLogger(__name__)

# After the first dropped write, one warning per this many more: a full disk fails every
# write, and a line per question would flood the log on the same full disk. 100 is about
# a busy minute's questions in the load probes (200 users at once).
DROP_WARN_EVERY = 100

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at REAL NOT NULL,
        question TEXT NOT NULL,
        source TEXT NOT NULL,
        outcome TEXT NOT NULL,
        match_id TEXT,
        confidence REAL NOT NULL,
        knowledge_version INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX questions_asked_at ON questions(asked_at);
    """,
    """
    ALTER TABLE questions ADD COLUMN feedback INTEGER;
    ALTER TABLE questions ADD COLUMN picked TEXT;
    """,
)


@dataclass(frozen=True, slots=True)
class LoggedQuestion:
    id: int
    asked_at: float
    question: str
    outcome: str
    match_id: str | None
    confidence: float


@dataclass(frozen=True, slots=True)
class Stats:
    total: int
    by_outcome: dict[str, int]
    thumbs_up: int
    thumbs_down: int
    picked: int
    top_matches: list[tuple[str, int]]
    dropped: int = 0  # writes that failed since the bot started (not stored: it may be full)


class QuestionLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()
        self.dropped = 0

    def close(self) -> None:
        self._db.close()

    def _dropped(self, what: str, err: sqlite3.Error) -> None:
        self.dropped += 1
        if self.dropped == 1 or self.dropped % DROP_WARN_EVERY == 0:
            log.warning(
                "question log: could not store a %s (%s); %d write(s) dropped so far",
                what,
                err,
                self.dropped,
            )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._transaction() as db:
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def record(self, question: str, answer: Answer, source: str, version: int = 0) -> int:
        """Store one question; its row id, or 0 when the write failed (it is dropped)."""
        match_id = answer.match.id if answer.match else None
        try:
            cursor = self._db.execute(
                "INSERT INTO questions (asked_at, question, source, outcome, match_id,"
                " confidence, knowledge_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    question,
                    source,
                    answer.outcome.value,
                    match_id,
                    answer.confidence,
                    version,
                ),
            )
        except sqlite3.Error as err:
            self._dropped("question", err)
            return 0
        return int(cursor.lastrowid or 0)

    def feedback(self, row_id: int, vote: int) -> bool:
        """Store a 👍/👎 on a logged question; False when it was not stored."""
        return self._update("UPDATE questions SET feedback = ? WHERE id = ?", vote, row_id)

    def picked(self, row_id: int, qa_id: str) -> bool:
        """Store which "did you mean" choice was pressed; False when it was not stored."""
        return self._update("UPDATE questions SET picked = ? WHERE id = ?", qa_id, row_id)

    def _update(self, sql: str, value: int | str, row_id: int) -> bool:
        try:
            cursor = self._db.execute(sql, (value, row_id))
        except sqlite3.Error as err:
            self._dropped("feedback" if "feedback" in sql else "pick", err)
            return False
        return cursor.rowcount > 0

    def unanswered(self, since: float, max_confidence: float) -> list[LoggedQuestion]:
        """Questions not answered, or answered with low confidence, since ``since``.

        Small talk ("hi", "thanks") is left out: it is not a gap in the knowledge, and
        its confidence of 0 would otherwise put every greeting at the top of the list.
        """
        rows = self._db.execute(
            "SELECT id, asked_at, question, outcome, match_id, confidence FROM questions"
            " WHERE asked_at >= ? AND outcome != ?"
            " AND (outcome != 'answered' OR confidence < ? OR feedback < 0)"
            " ORDER BY asked_at",
            (since, Outcome.SMALL_TALK.value, max_confidence),
        ).fetchall()
        return [LoggedQuestion(*row) for row in rows]

    def stats(self, since: float = 0.0) -> Stats:
        db = self._db
        total = int(
            db.execute("SELECT COUNT(*) FROM questions WHERE asked_at >= ?", (since,)).fetchone()[0]
        )
        by_outcome = dict(
            db.execute(
                "SELECT outcome, COUNT(*) FROM questions WHERE asked_at >= ? GROUP BY outcome",
                (since,),
            ).fetchall()
        )
        up, down, picked = db.execute(
            "SELECT COALESCE(SUM(feedback > 0), 0), COALESCE(SUM(feedback < 0), 0),"
            " COUNT(picked) FROM questions WHERE asked_at >= ?",
            (since,),
        ).fetchone()
        top = db.execute(
            "SELECT match_id, COUNT(*) AS n FROM questions"
            " WHERE asked_at >= ? AND match_id IS NOT NULL"
            " GROUP BY match_id ORDER BY n DESC, match_id"
            " LIMIT 5",
            (since,),
        ).fetchall()
        return Stats(
            total,
            by_outcome,
            int(up),
            int(down),
            int(picked),
            [(m, int(n)) for m, n in top],
            self.dropped,
        )
