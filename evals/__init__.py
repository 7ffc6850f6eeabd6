"""The labelled question sets (evals/sets/) and their index (evals/INDEX.yaml).

    from evals import path, sets
    sets("unread")          # the sets only ever measured: the estimate for unseen questions
    sets("fitted")          # the sets the decision trees were fitted on (in-sample figures)
    path("blind8")          # evals/sets/blind8.yaml

Importable from the repository root (pytest and ``python -m benchmarks...`` run there); it
is not part of the installed package.
"""

from __future__ import annotations

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
