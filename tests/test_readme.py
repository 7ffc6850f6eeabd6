"""Every command README.md shows works, and its example answer is what the bot says.

The two set-up commands are run by .ci/run (checked here to be the same lines); `tourbot
run` and the Docker commands need a token or a Docker engine (tests/frontend/test_e2e_run.py
and tests/test_dockerfile.py cover them); every other `tourbot` command is run below.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from bot.moderation.questionlog import QuestionLog
from tests.helpers import ROOT, copy_shipped

README = (ROOT / "README.md").read_text(encoding="utf-8")
TOURBOT = ".venv/bin/tourbot"


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, re.S | re.M)


def shell_lines() -> list[str]:
    return [line for block in code_blocks("sh") for line in block.splitlines() if line.strip()]


def inline_commands() -> list[str]:
    return re.findall(rf"`({re.escape(TOURBOT)} [^`]*)`", README)


def without_comment(line: str) -> str:
    return re.sub(r"\s+#\s.*$", "", line).strip()


def run(command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a README command line with this interpreter's tourbot, from the repository root."""
    command = command.replace(TOURBOT, f"{shlex.quote(sys.executable)} -m bot")
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def ci_lines() -> list[str]:
    """.ci/run's commands, one per line, without comments and the ``|| exit`` guard."""
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [line.removesuffix(" || exit") for line in lines if line and not line.startswith("#")]


def test_setup_commands_are_the_ones_ci_runs() -> None:
    setup = [line for line in shell_lines() if line.startswith("python3 -m venv")]
    assert len(setup) == 2
    first, second = setup
    ci = ci_lines()
    # Verbatim, as whole lines, and command 1 first: on a fresh checkout the bot's own lock
    # must be enough to answer, before the dev lock adds anything.
    assert first in ci and second in ci, "CI must run README's set-up commands as written"
    assert ci.index(first) < ci.index(second)
    assert first.endswith(' && .venv/bin/tourbot ask "When was the study tour?"')
    assert second.endswith(" && .venv/bin/python -m pytest")
    # A failure inside an && chain does not stop a `set -e` script: each must be guarded.
    raw = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert f"{first} || exit" in raw and f"{second} || exit" in raw
    # CI installs nothing else, so what passes in CI is what README's commands give.
    assert [line for line in ci if "pip install" in line] == [first, second]


def test_setup_commands_install_from_the_locks_without_resolving() -> None:
    first, second = [line for line in shell_lines() if line.startswith("python3 -m venv")]
    for command, lock in ((first, "bot.lock"), (second, "dev.lock")):
        installs = [part for part in command.split(" && ") if "pip install" in part]
        assert installs == [
            f".venv/bin/pip install --no-deps --require-hashes -r requirements/{lock}",
            ".venv/bin/pip install --no-deps --no-build-isolation -e .",
        ], command


def test_offline_commands_in_readme_exit_zero() -> None:
    commands = [without_comment(line) for line in shell_lines() if TOURBOT in line]
    commands += [c for c in inline_commands() if c.split()[1] in ("ask", "check", "eval")]
    offline = [c for c in commands if c.split()[1] in ("ask", "check", "eval") or "|" in c]
    assert len(offline) >= 5
    for command in offline:
        result = run(command)
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout.strip(), command


def test_moderator_shell_commands_work(tmp_path: Path) -> None:
    knowledge = copy_shipped(tmp_path / "knowledge")
    database = tmp_path / "questions.sqlite3"
    QuestionLog(database).close()
    env = {"PATH": "/usr/bin:/bin", "TOURBOT_DATABASE": str(database)}
    moderation = [c for c in inline_commands() if c.split()[1] in ("unanswered", "teach")]
    assert {c.split()[1] for c in moderation} == {"unanswered", "teach"}
    for command in moderation:
        result = run(f"{command} --knowledge {shlex.quote(str(knowledge))}", env=env)
        assert result.returncode == 0, (command, result.stderr)
    assert "who was behind the ev trip" in (knowledge / "taught.yaml").read_text(encoding="utf-8")


def test_the_example_answer_is_what_the_bot_says() -> None:
    (example,) = code_blocks("console")
    prompt, *shown = example.splitlines()
    assert prompt.startswith(f"$ {TOURBOT} ask ")
    result = run(prompt.removeprefix("$ "))
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n").splitlines() == shown, (
        "README's example answer is out of date; paste this:\n" + result.stdout
    )
