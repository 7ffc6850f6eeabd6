"""No Docker engine runs here, so check what the Dockerfile promises by reading it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, SHIPPED

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


def final_stage() -> str:
    """The runtime stage's instructions, continuations joined, one per line."""
    joined = DOCKERFILE.replace("\\\n", " ")
    return joined.rsplit("\nFROM ", 1)[1]


def warm_up_steps() -> list[str]:
    """RUN steps of the runtime stage that answer a question with `tourbot ask`."""
    return [
        m.group(1).strip()
        for m in re.finditer(r"^RUN\s+(.*)$", final_stage(), re.MULTILINE)
        if re.match(r"tourbot ask\b", m.group(1).strip())
    ]


def test_the_model_cache_is_built_into_the_image_as_the_runtime_user() -> None:
    """Without it a new container spent its first question (~10 s) building the model."""
    cache, shipped = env_value("TOURBOT_CACHE_DIR"), env_value("TOURBOT_SHIPPED_KNOWLEDGE")
    assert cache and cache.startswith("/app/"), "the cache must be a path inside the image"
    assert shipped
    volumes = " ".join(instructions("VOLUME"))
    assert cache not in volumes, "a volume over the cache would hide what the build wrote"
    (warm_up,) = warm_up_steps()
    # It reads the shipped knowledge: the live knowledge volume is empty until `run` seeds it.
    assert f"--knowledge {shipped} " in warm_up
    stage = final_stage()
    at = stage.index(f"RUN {warm_up}")
    before = stage[:at]
    assert f"TOURBOT_CACHE_DIR={cache}" in before, "set in the image, so `run` uses it too"
    assert "COPY knowledge ./shipped-knowledge" in before
    user = instructions("USER")[-1]
    assert re.findall(r"^USER\s+(\S+)", before, re.MULTILINE)[-1] == user, (
        "build the cache as the user that runs the bot, so it can read and extend it"
    )
    chown = re.search(rf"chown {user}:{user} ([^\n&]*)", before)
    assert chown and cache in chown.group(1).split()


def test_the_warm_up_step_fills_an_empty_cache(tmp_path: Path) -> None:
    """Run the Dockerfile's own warm-up command here, its image paths mapped to temp ones."""
    (warm_up,) = warm_up_steps()
    cache, shipped = tmp_path / "cache", tmp_path / "shipped-knowledge"
    shutil.copytree(SHIPPED, shipped, ignore=shutil.ignore_patterns("taught.yaml", "audit.log"))
    command = (
        warm_up.replace(str(env_value("TOURBOT_SHIPPED_KNOWLEDGE")), str(shipped))
        .replace(str(env_value("TOURBOT_CACHE_DIR")), str(cache))
        .replace("tourbot ask", f"{sys.executable} -m bot ask", 1)
    )
    result = subprocess.run(
        ["sh", "-c", command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TOURBOT_CACHE_DIR": str(cache)},
    )
    assert result.returncode == 0, result.stderr
    assert "January 30 and 31" in result.stdout
    assert list(cache.glob("*-int8.onnx")) and list(cache.glob("vectors-*.npy"))
