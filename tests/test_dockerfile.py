"""No Docker engine runs here, so check what the Dockerfile promises by reading it."""

from __future__ import annotations

import re

from tests.helpers import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.*)$", joined, re.MULTILINE)]


def test_slim_base_and_non_root_user() -> None:
    assert all("slim" in base for base in instructions("FROM"))
    users = instructions("USER")
    assert users and users[-1] not in ("root", "0")


def test_runs_tourbot_with_shipped_knowledge_and_healthcheck() -> None:
    assert instructions("ENTRYPOINT") == ['["tourbot"]']
    assert instructions("CMD") == ['["run"]']
    assert any("knowledge" in c for c in instructions("COPY"))
    assert "TOURBOT_KNOWLEDGE_DIR=/app/knowledge" in DOCKERFILE
    assert instructions("HEALTHCHECK")


def test_secrets_are_not_baked_in() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored
    assert "DISCORD_TOKEN" not in DOCKERFILE


def env_value(name: str) -> str | None:
    found = re.search(rf"\b{name}=(\S+)", DOCKERFILE.replace("\\\n", " "))
    return None if found is None else found.group(1)


def test_knowledge_lives_on_a_volume_seeded_from_the_shipped_files() -> None:
    """Baked-in knowledge lost every taught phrasing when the container was re-created."""
    live, shipped = env_value("TOURBOT_KNOWLEDGE_DIR"), env_value("TOURBOT_SHIPPED_KNOWLEDGE")
    assert live and shipped and live != shipped
    volumes = " ".join(instructions("VOLUME"))
    assert live in volumes, "the live knowledge must be a volume"
    copies = [c.split() for c in instructions("COPY")]
    assert any(c[-2:] == ["knowledge", f"./{shipped.rsplit('/', 1)[1]}"] for c in copies), copies
    assert not any(c[-1] in ("./knowledge", live) for c in copies), "knowledge is seeded, not baked"
    assert instructions("CMD") == ['["run"]']  # `tourbot run` seeds an empty volume first


def test_files_the_bot_writes_are_neither_committed_nor_baked_in() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for name in ("knowledge/.taught.lock", "knowledge/.*.tmp", "knowledge/audit.log"):
        assert name in ignored
    assert "knowledge/audit.log" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
