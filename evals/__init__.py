"""The labelled question sets (evals/sets/) and their index (evals/INDEX.yaml).

    from evals import path, sets
    sets("unread")          # the sets only ever measured: the estimate for unseen questions
    sets("fitted")          # the sets the decision trees were fitted on (in-sample figures)
    path("blind8")          # evals/sets/blind8.yaml

Importable from the repository root (pytest and ``python -m benchmarks...`` run there); it
is not part of the installed package.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

EVALS = Path(__file__).resolve().parent
SETS = EVALS / "sets"
INDEX = EVALS / "INDEX.yaml"
STATUSES = ("fitted", "read", "unread")


@dataclass(frozen=True)
class EvalSet:
    """One labelled set as INDEX.yaml describes it."""

    name: str
    file: Path
    written_by: str
    written: str
    style: str
    size: dict[str, int]
    status: str
    read: bool
    notes: tuple[str, ...] = ()


def load_index(index: Path = INDEX) -> list[EvalSet]:
    """Every set in INDEX.yaml, in its order."""
    data: dict[str, Any] = yaml.safe_load(index.read_text(encoding="utf-8"))
    found = []
    for entry in data["sets"]:
        if entry["status"] not in STATUSES:
            raise ValueError(f"{index}: {entry['name']}: unknown status {entry['status']!r}")
        found.append(
            EvalSet(
                name=entry["name"],
                file=index.parent / entry["file"],
                written_by=entry["written_by"],
                written=str(entry["written"]),
                style=entry["style"],
                size=dict(entry["size"]),
                status=entry["status"],
                read=bool(entry["read"]),
                notes=tuple(entry.get("notes") or ()),
            )
        )
    return found


def sets(*statuses: str) -> list[EvalSet]:
    """The sets with any of these statuses (all sets when none is given)."""
    return [s for s in load_index() if not statuses or s.status in statuses]


def path(name: str) -> Path:
    """The file of the set with this name, e.g. ``path("dev")``."""
    return SETS / f"{name}.yaml"


NEWTOPIC = EVALS / "newtopic"
# Every new-topic fixture: newtopic (written with the rule), newtopic2 (written after its
# constants were chosen) and newtopic3 (sixth session, only measured; docs/quality.md).
NEWTOPICS = (NEWTOPIC, EVALS / "newtopic2", EVALS / "newtopic3")


def add_new_topic(knowledge: Path, topic: Path = NEWTOPIC) -> Path:
    """Add a topic fixture (a source, its facts and Q&As) to the knowledge directory
    ``knowledge`` as a moderator would: the source into ``sources/``, the entries appended
    at the end of facts.yaml and qa.yaml. Returns ``knowledge``."""
    (knowledge / "sources").mkdir(exist_ok=True)
    for source in (topic / "sources").glob("*.md"):
        shutil.copy(source, knowledge / "sources")
    for name, key in (("facts.yaml", "facts"), ("qa.yaml", "qa")):
        body = [
            line
            for line in (topic / name).read_text(encoding="utf-8").splitlines()
            if not line.startswith("#") and line.strip() != f"{key}:"
        ]
        with (knowledge / name).open("a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(body) + "\n")
    return knowledge
