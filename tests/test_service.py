"""The answering service keeps one live snapshot and lets replaced ones go."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from bot.service import AnswerService
from tests.helpers import write_small_knowledge


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
    assert service.reload().ok
    assert old() is None
    assert service.snapshot.version == 2
