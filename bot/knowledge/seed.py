"""Seed an empty knowledge directory (a fresh Docker volume) from the shipped files.

The image keeps ``knowledge/`` on a volume so what moderators teach, add and edit survives
the container being re-created. A new volume starts empty; on first start the shipped
knowledge is copied in. A directory that already holds knowledge is never touched: the
moderators' version wins over the image's, also after an image upgrade.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bot.knowledge.loader import ARTICLE_FILE
from bot.knowledge.sources import SOURCES_DIR

SHIPPED_ENV = "TOURBOT_SHIPPED_KNOWLEDGE"
# Written by a running bot, never shipped: the overlay, the audit trail, locks, temp files.
_NOT_SHIPPED = ("taught.yaml", "audit.log")


class SeedError(Exception):
    pass


def shipped_dir() -> Path:
    """``$TOURBOT_SHIPPED_KNOWLEDGE``, else the knowledge beside the package (a checkout)."""
    configured = os.environ.get(SHIPPED_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "knowledge"


def _shipped_files(origin: Path) -> list[Path]:
    files = [
        p
        for p in origin.iterdir()
        if p.is_file() and p.suffix in (".txt", ".yaml") and p.name not in _NOT_SHIPPED
    ]
    sources = origin / SOURCES_DIR
    if sources.is_dir():
        files += [p for p in sources.glob("*.md") if p.is_file()]
    return sorted(files)


def has_knowledge(directory: Path) -> bool:
    return (directory / ARTICLE_FILE).is_file()


def seed_knowledge(target: Path, origin: Path | None = None) -> list[Path]:
    """Copy the shipped files into ``target`` unless it already has knowledge.

    Returns the files written (empty when ``target`` was left alone). The article is
    copied last: it is what marks a directory as seeded, so a seed cut short is simply
    done again on the next start.
    """
    origin = origin or shipped_dir()
    if has_knowledge(target):
        return []
    if not has_knowledge(origin):
        raise SeedError(f"no shipped knowledge at {origin} (it has no {ARTICLE_FILE})")
    if target.resolve() == origin.resolve():
        return []
    try:
        target.mkdir(parents=True, exist_ok=True)
        files = _shipped_files(origin)
        files.sort(key=lambda p: p.name == ARTICLE_FILE)
        written: list[Path] = []
        for path in files:
            destination = target / path.relative_to(origin)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            written.append(destination)
    except OSError as err:
        raise SeedError(f"cannot seed {target}: {err.strerror or err}") from err
    return written
