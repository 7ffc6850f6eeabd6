"""evals/INDEX.yaml describes exactly the labelled sets in evals/sets/, and correctly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.knowledge.loader import load_knowledge
from bot.matching.evaluation import KINDS, load_labelled
from evals import NEWTOPICS, SETS, STATUSES, add_new_topic, load_index, path, sets
from tests.helpers import copy_shipped


def test_index_lists_every_set_file_once() -> None:
    index = load_index()
    names = [s.name for s in index]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(p.stem for p in SETS.glob("*.yaml"))
    for entry in index:
        assert entry.file == path(entry.name) and entry.file.exists()


def test_index_fields_are_filled_in() -> None:
    for entry in load_index():
        assert entry.status in STATUSES
        assert entry.written_by and entry.style and entry.written.startswith("20")
        # A fitted or unread set may have been read or not; a "read" status means read.
        assert entry.read or entry.status != "read"


def test_index_sizes_match_the_files() -> None:
    for entry in load_index():
        kinds = Counter(item.kind for item in load_labelled(entry.file))
        size = {kind: kinds[kind] for kind in KINDS if kinds[kind] or kind != "small_talk"}
        assert entry.size == size | {"total": sum(size.values())}, entry.name


def test_the_rule_was_chosen_on_the_read_sets_and_the_rest_are_unread() -> None:
    fitted = {s.name for s in sets("fitted")}
    older = {"dev", "test", "holdout", "fresh", "blind"} | {f"blind{n}" for n in range(2, 8)}
    chat = {"chat-dev1", "chat-dev2"}
    assert fitted == older | {f"diag{n}" for n in range(1, 7)} | chat
    unread = {f"blind{n}" for n in range(8, 40)}
    unread |= {"chat-blind1", "chat-blind2", "chat-blind4", "chat-blind5"}
    assert {s.name for s in sets("unread")} == unread
    assert {s.name for s in sets("read")} == {"chat-blind3", "chat-blind6"}


@pytest.mark.parametrize("topic", NEWTOPICS, ids=lambda t: t.name)
def test_each_new_topic_fixture_loads_and_its_questions_name_its_entries(
    topic: Path, tmp_path: Path
) -> None:
    """A new-topic fixture is what a moderator would add: it loads with the shipped
    knowledge, and its labelled questions expect only its own Q&As (or nothing)."""
    knowledge = load_knowledge(add_new_topic(copy_shipped(tmp_path / "knowledge"), topic))
    added = yaml.safe_load((topic / "qa.yaml").read_text(encoding="utf-8"))["qa"]
    own = {qa["id"] for qa in added}
    assert own <= set(knowledge.qas) and len(own) == 4
    assert all(len(qa.get("phrasings", [])) <= 3 for qa in added)
    items = load_labelled(topic / "questions.yaml")
    assert {item.expect for item in items if item.kind == "in_scope"} == own
    assert all(item.expect is None for item in items if item.kind != "in_scope")
