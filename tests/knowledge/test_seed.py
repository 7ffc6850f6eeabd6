"""Seeding an empty knowledge volume, and `tourbot run` doing it before it starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge.loader import load_knowledge
from bot.knowledge.seed import SHIPPED_ENV, seed_knowledge
from bot.knowledge.teach import teach
from tests.helpers import SHIPPED, copy_shipped


def test_an_empty_volume_is_seeded_and_a_seeded_one_is_kept(tmp_path: Path) -> None:
    shipped = copy_shipped(tmp_path / "shipped")
    (shipped / "sources").mkdir()
    (shipped / "sources" / "note.md").write_text(
        "---\ntitle: A note\ndate: 2026-12-05\n---\nOne paragraph.\n", encoding="utf-8"
    )
    (shipped / "audit.log").write_text("{}\n", encoding="utf-8")
    volume = tmp_path / "volume"
    volume.mkdir()

    written = seed_knowledge(volume, shipped)

    assert {p.name for p in written} >= {"article.txt", "qa.yaml", "facts.yaml", "note.md"}
    assert not (volume / "audit.log").exists()
    assert set(load_knowledge(volume).sources) == {"article", "note"}
    teach(volume, "organisers", "whose brainchild was the whole jaunt", by="mod")
    before = (volume / "taught.yaml").read_bytes()
    assert seed_knowledge(volume, shipped) == []  # a re-created container keeps the edits
    assert (volume / "taught.yaml").read_bytes() == before


def test_run_seeds_before_it_needs_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    volume = tmp_path / "volume"
    monkeypatch.setenv(SHIPPED_ENV, str(SHIPPED))
    monkeypatch.setenv("TOURBOT_KNOWLEDGE_DIR", str(volume))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    main(["run"])  # fails for want of a token, after seeding
    assert (volume / "article.txt").read_bytes() == (SHIPPED / "article.txt").read_bytes()
    load_knowledge(volume)
