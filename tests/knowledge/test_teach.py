"""Teaching: validated, atomic, concurrent-safe, audited; hand-written files untouched."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from bot.knowledge import teach as teach_module
from bot.knowledge.loader import load_knowledge
from bot.knowledge.teach import TeachError, teach
from bot.matching.matcher import Matcher
from tests.helpers import write_small_knowledge


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_small_knowledge(tmp_path / "knowledge")


def test_teach_makes_the_question_answer_and_keeps_hand_written_files(kb: Path) -> None:
    qa_before = (kb / "qa.yaml").read_bytes()
    question = "whose brainchild was the whole jaunt"
    assert not Matcher(load_knowledge(kb)).ask(question).answered

    entry = teach(kb, "who-organised", question, by="mod (1)")

    assert entry.qa == "who-organised"
    assert (kb / "qa.yaml").read_bytes() == qa_before
    reloaded = load_knowledge(kb)  # a "restart": everything comes from disk again
    answer = Matcher(reloaded).ask(question)
    assert answer.answered and answer.match is not None and answer.match.id == "who-organised"
    audit = [json.loads(line) for line in (kb / "audit.log").read_text().splitlines()]
    assert audit[-1]["by"] == "mod (1)" and audit[-1]["phrasing"] == question


def test_teach_rejects_unknown_target_and_conflicts_without_writing(kb: Path) -> None:
    with pytest.raises(TeachError, match="no Q&A or gap with the id 'nope'"):
        teach(kb, "nope", "anything at all", by="mod")
    with pytest.raises(TeachError, match="already under 'when'"):
        teach(kb, "who-organised", "When was the tour?", by="mod")
    with pytest.raises(TeachError, match="already knows"):
        teach(kb, "when", "when was the tour", by="mod")
    assert not (kb / "taught.yaml").exists()


def test_concurrent_teaches_both_persist(kb: Path) -> None:
    questions = [f"question number {n} about the trip dates" for n in range(8)]
    threads = [
        threading.Thread(target=teach, args=(kb, "when", q, f"mod{n}"))
        for n, q in enumerate(questions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taught = {t.phrasing for t in load_knowledge(kb).taught}
    assert taught == set(questions)


def test_crash_between_write_and_rename_keeps_previous_file(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    teach(kb, "when", "first taught question about dates", by="mod")
    before = (kb / "taught.yaml").read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(teach_module.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        teach(kb, "when", "second taught question about dates", by="mod")
    monkeypatch.undo()

    assert (kb / "taught.yaml").read_bytes() == before
    assert [p.name for p in kb.iterdir() if p.name.endswith(".tmp")] == []
    assert [t.phrasing for t in load_knowledge(kb).taught] == ["first taught question about dates"]


def test_a_removed_qa_with_taught_phrasings_is_one_warning_naming_both(kb: Path) -> None:
    """Deleting a Q&A used to stop everything loading, with the error at taught.yaml:1."""
    teach(kb, "which-companies", "which firms did the group go and see", by="mod")
    qa = (kb / "qa.yaml").read_text(encoding="utf-8")
    (kb / "qa.yaml").write_text(qa[: qa.index("  - id: which-companies")], encoding="utf-8")

    knowledge = load_knowledge(kb)  # the rest still loads

    assert "which-companies" not in knowledge.qas and knowledge.taught == ()
    (warning,) = knowledge.warnings
    assert warning.file.endswith("taught.yaml") and warning.line > 1
    assert "'which firms did the group go and see'" in warning.reason
    assert "'which-companies'" in warning.reason and "untaught" in warning.reason


def test_lock_file_is_not_a_knowledge_file(kb: Path) -> None:
    teach(kb, "when", "yet another way to ask the dates", by="mod")
    assert os.path.exists(kb / ".taught.lock")
    load_knowledge(kb)
