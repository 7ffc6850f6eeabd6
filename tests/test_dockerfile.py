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
