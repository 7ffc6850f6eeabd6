"""The answering service keeps one live snapshot and lets replaced ones go."""

from __future__ import annotations

import gc
import json
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import builder
from bot import service as service_module
from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.matching.compiled import load_saved
from bot.matching.matcher import Matcher
from bot.service import AnswerService, ReloadResult
from tests.helpers import QA, write_small_knowledge


def test_the_live_snapshot_is_kept_out_of_garbage_collection(tmp_path: Path) -> None:
    """Frozen objects sit in a permanent generation that ``gc.get_objects()`` leaves out."""
    service = AnswerService(write_small_knowledge(tmp_path))
    targets = service.snapshot.matcher.index.targets  # a container, so tracked
    assert gc.is_tracked(targets)
    assert all(found is not targets for found in gc.get_objects())
    assert service.ask("when was the tour").answered


def test_a_replaced_snapshot_is_freed(tmp_path: Path) -> None:
    """Frozen objects are never collected, so a reload must unfreeze before it freezes the
    new snapshot: otherwise every reload would keep the old index (it is cyclic) forever."""
    directory = write_small_knowledge(tmp_path)
    service = AnswerService(directory)
    old = weakref.ref(service.snapshot.matcher.index)
    with (directory / "qa.yaml").open("a", encoding="utf-8") as qa:
        qa.write("# an edit\n")
    assert service.reload().ok
    assert old() is None
    assert service.snapshot.version == 2


def test_a_reload_of_unchanged_files_keeps_the_live_snapshot(tmp_path: Path) -> None:
    """Nothing to load when the content is what the live matcher was built from, even if
    a file was written again (its time changed, its bytes did not)."""
    directory = write_small_knowledge(tmp_path)
    service = AnswerService(directory)
    live = service.snapshot
    qa = directory / "qa.yaml"
    qa.write_text(qa.read_text(encoding="utf-8"), encoding="utf-8")
    assert service.reload() == ReloadResult(True, 1)
    assert service.reload() == ReloadResult(True, 1)  # now not even hashed: same times
    assert service.snapshot.matcher is live.matcher
    qa.write_text(qa.read_text(encoding="utf-8") + "# an edit\n", encoding="utf-8")
    assert service.reload() == ReloadResult(True, 2)
    assert service.snapshot.matcher is not live.matcher


# -- reloads that build: in a child process, and here when the child cannot ----------------

EDITED_ANSWER = "On January 30 and 31, in the edited version."


def _edit_answer(directory: Path) -> None:
    qa = directory / "qa.yaml"
    text = qa.read_text(encoding="utf-8")
    qa.write_text(text.replace("On January 30 and 31.", EDITED_ANSWER), encoding="utf-8")


def _answer_text(service: AnswerService) -> str:
    return json.dumps(service.ask("when was the tour").to_json())


def _no_build_here(*args: object, **kwargs: object) -> Matcher:
    raise AssertionError("the reload built the matcher in the answering process")


# Children that stand in for ``python -m bot.builder``: one dies at once, one answers
# every request with "no problems" but saves nothing, as a child whose cache directory is
# not writable does.
DYING_CHILD = (sys.executable, "-c", "import os; os._exit(3)")
CHILD_SAVING_NOTHING = (
    sys.executable,
    "-c",
    "import pickle, sys\n"
    "while True:\n"
    "    try:\n"
    "        pickle.load(sys.stdin.buffer)\n"
    "    except EOFError:\n"
    "        break\n"
    "    pickle.dump(('ok', ()), sys.stdout.buffer)\n"
    "    sys.stdout.buffer.flush()\n",
)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[AnswerService]:
    running = AnswerService(write_small_knowledge(tmp_path / "k"))
    yield running
    running.close()


def test_an_edit_is_built_in_the_child_and_answers(
    service: AnswerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process only loads what the child saved: it never builds."""
    monkeypatch.setattr(service_module, "load_matcher", _no_build_here)
    assert EDITED_ANSWER not in _answer_text(service)
    _edit_answer(service.directory)
    result = service.reload()
    assert result.ok, result.problems
    assert result.version == 2 == service.snapshot.version
    assert EDITED_ANSWER in _answer_text(service)
    assert load_saved(service.directory) is not None  # what the child saved


def test_an_invalid_edit_keeps_the_last_good_version_and_reports_where(
    service: AnswerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child's problems are the loader's, file, line and reason, as if loaded here."""
    monkeypatch.setattr(service_module, "load_matcher", _no_build_here)
    before = service.snapshot
    qa = service.directory / "qa.yaml"
    qa.write_text(QA.replace("    cites: [companies]\n", ""), encoding="utf-8")
    with pytest.raises(KnowledgeError) as here:
        load_knowledge(service.directory)
    result = service.reload()
    assert not result.ok
    assert result.version == 1
    assert result.problems == tuple(here.value.problems)
    assert [p.file for p in result.problems] == [str(qa)]
    assert service.snapshot is before
    assert "January 30 and 31" in _answer_text(service)


@pytest.mark.parametrize(
    "command", [DYING_CHILD, CHILD_SAVING_NOTHING], ids=["dies", "saves nothing"]
)
def test_a_failing_child_is_replaced_by_a_build_here(
    service: AnswerService, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setattr(builder, "COMMAND", command)
    _edit_answer(service.directory)
    assert service.reload().ok
    assert EDITED_ANSWER in _answer_text(service)


def test_after_a_child_died_the_next_reload_starts_a_new_one(
    service: AnswerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builder, "COMMAND", DYING_CHILD)
    _edit_answer(service.directory)
    assert service.reload().ok
    monkeypatch.undo()
    monkeypatch.setattr(service_module, "load_matcher", _no_build_here)
    again = QA.replace("On January 30 and 31.", "Built by the next child.")
    (service.directory / "qa.yaml").write_text(again, encoding="utf-8")
    assert service.reload().ok
    assert "Built by the next child." in _answer_text(service)


def test_without_a_child_a_reload_builds_here(tmp_path: Path) -> None:
    service = AnswerService(write_small_knowledge(tmp_path / "k"), build_in_child=False)
    _edit_answer(service.directory)
    assert service.reload().ok
    assert EDITED_ANSWER in _answer_text(service)
