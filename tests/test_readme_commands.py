"""Every README command that needs no token runs on a fresh copy of the repository.

The README is read at test time, whatever it says then: each line of its ```sh blocks is
run in a copy of the tracked files (the venv linked in), except commands that need a
token, a network or Docker, or that install or run the whole test suite."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT

SKIP = re.compile(
    r"tourbot run\b|docker|pip install|python3 -m venv|pytest|DISCORD_TOKEN|git clone|\bcd\b"
)


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands: list[str] = []
    for block in re.findall(r"```(?:sh|bash|shell)\n(.*?)```", text, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and not SKIP.search(line):
                commands.append(line)
    return commands


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("clone")
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    return copy


def test_the_readme_has_commands_to_run() -> None:
    assert any("tourbot ask" in c for c in readme_commands())


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs_on_a_fresh_copy(command: str, fresh_copy: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOURBOT_", "DISCORD_"))}
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=fresh_copy,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-500:]}\n{result.stderr[-1500:]}"
