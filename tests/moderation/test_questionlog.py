from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bot.matching.answer import Answer, MatchRef, Outcome
from bot.moderation.questionlog import MIGRATIONS, QuestionLog
from bot.moderation.unanswered import LOW_CONFIDENCE, group_similar

ANSWERED = Answer(Outcome.ANSWERED, 95.0, text="x", match=MatchRef("when", "qa"))
ABSTAINED = Answer(Outcome.ABSTAINED, 10.0)


def test_schema_is_created_and_migrated_from_an_old_file(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    old.execute(
        "INSERT INTO questions (asked_at, question, source, outcome, confidence)"
        " VALUES (1, 'old one', 'cli', 'abstained', 0)"
    )
    old.commit()
    old.close()

    log = QuestionLog(path)
    assert log.schema_version == len(MIGRATIONS)
    row = log.record("new one", ABSTAINED, "slash")
    assert log.feedback(row, -1)
    assert [q.question for q in log.unanswered(0, LOW_CONFIDENCE)] == ["old one", "new one"]


def test_outcomes_feedback_and_picks_are_counted(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "log.sqlite3")
    first = log.record("when was it", ANSWERED, "mention")
    log.record("price of a nexon", ABSTAINED, "slash")
    log.feedback(first, 1)
    log.picked(first, "when")
    stats = log.stats()
    assert stats.total == 2
    assert stats.by_outcome == {"answered": 1, "abstained": 1}
    assert (stats.thumbs_up, stats.thumbs_down, stats.picked) == (1, 0, 1)
    assert stats.top_matches == [("when", 1)]


def test_unanswered_groups_similar_wordings(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "log.sqlite3")
    for text in ["how much did the tour cost", "How much did the tour cost?", "who is lohum ceo"]:
        log.record(text, ABSTAINED, "slash")
    groups = group_similar(log.unanswered(time.time() - 60, LOW_CONFIDENCE))
    assert [(g.count, g.example) for g in groups] == [
        (2, "how much did the tour cost"),
        (1, "who is lohum ceo"),
    ]


def test_a_message_of_several_lines_is_listed_on_one(tmp_path: Path) -> None:
    """The log keeps what was asked, line breaks and all; a moderator's list shows each
    question on one line, so one cannot pose as several entries."""
    log = QuestionLog(tmp_path / "log.sqlite3")
    log.record("price of a nexon\nand its range", ABSTAINED, "mention")
    assert [q.question for q in log.unanswered(0, LOW_CONFIDENCE)] == [
        "price of a nexon\nand its range"
    ]
    (group,) = group_similar(log.unanswered(0, LOW_CONFIDENCE))
    assert group.example == "price of a nexon and its range"
    assert group.wordings == ["price of a nexon and its range"]
