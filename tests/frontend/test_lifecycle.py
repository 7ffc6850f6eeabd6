"""``tourbot run`` as a process: graceful shutdown on signals, and one-line startup failures.

The bot runs exactly as deployed (``python -m bot run``, configured by environment
variables) against the fake Discord over loopback, so the signals, exit codes, stderr and
gateway close codes checked here are the real ones.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.frontend.runner import EXIT_DATABASE, EXIT_OK, EXIT_TOKEN
from tests.conftest import TOKEN
from tests.fake_discord import FakeDiscord, RecordedRequest
from tests.helpers import copy_shipped, model_cache_env

pytestmark = pytest.mark.e2e

MESSAGES = r"/channels/\d+/messages"


@dataclass
class Finished:
    code: int
    output: str


def bot_env(fake: FakeDiscord, tmp_path: Path, **overrides: str) -> dict[str, str]:
    knowledge = tmp_path / "knowledge"
    if not knowledge.exists():
        copy_shipped(knowledge)
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        **model_cache_env(),
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DISCORD_GUILD_ID": fake.guild_id,
        "TOURBOT_KNOWLEDGE_DIR": str(knowledge),
        "TOURBOT_DATABASE": str(tmp_path / "log.sqlite3"),
        "TOURBOT_WATCH_INTERVAL": "0",
        **overrides,
    }


async def start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def finish(process: asyncio.subprocess.Process, timeout: float = 30) -> Finished:
    output, _ = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return Finished(process.returncode, output.decode())


def reply_to(message_id: str, request: RecordedRequest) -> bool:
    if request.method != "POST" or not isinstance(request.json, dict):
        return False
    reference = request.json.get("message_reference") or {}
    return str(reference.get("message_id")) == message_id


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_finishes_the_reply_in_flight_and_closes_cleanly(
    fake: FakeDiscord, tmp_path: Path, signum: signal.Signals
) -> None:
    knowledge = copy_shipped(tmp_path / "knowledge")
    stale = knowledge / ".taught.yaml.k1ll3d.tmp"  # what a kill during teach leaves
    stale.write_text("taught: []\n", encoding="utf-8")
    process = await start(bot_env(fake, tmp_path), tmp_path)
    try:
        await fake.wait_connected(timeout=30)
        await fake.wait_until(lambda: fake.commands or None, 10, "the commands to be synced")
        assert not stale.exists(), "a stale temp file is removed at start"

        # The answer's first POST gets a 429: the reply waits 2 s, in flight, then retries.
        fake.fail_next("POST", MESSAGES, 429, retry_after=2)
        since = fake.mark()
        asked = await fake.mention_bot("when was the study tour?")
        await fake.wait_for_request(lambda r: r.status == 429, 10, since=since)
        process.send_signal(signum)
        await asyncio.sleep(0.3)
        late = await fake.mention_bot("where was the tour?")  # after the signal: not taken
    except BaseException:
        process.kill()
        raise
    finished = await finish(process)

    assert finished.code == EXIT_OK, finished.output
    answered = [r for r in fake.requests if reply_to(asked["id"], r)]
    assert [r.status for r in answered] == [429, 200], "the reply in flight was sent"
    assert not any(reply_to(late["id"], r) for r in fake.requests), "no new question taken"
    assert fake.close_codes[-1] == 1000, "Discord sees a normal close, not 1006"
    assert "shutting down" in finished.output and "Traceback" not in finished.output
    # The question log was closed: its write-ahead log folded into the file, row kept.
    assert not (tmp_path / "log.sqlite3-wal").exists()
    with sqlite3.connect(tmp_path / "log.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 1


async def test_an_unwritable_question_log_is_one_line_and_its_own_exit_code(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    # Its folder is a regular file: unwritable even for root, who ignores permission bits.
    (tmp_path / "data").write_text("not a folder\n", encoding="utf-8")
    env = bot_env(fake, tmp_path, TOURBOT_DATABASE=str(tmp_path / "data" / "log.sqlite3"))
    finished = await finish(await start(env, tmp_path))
    assert finished.code == EXIT_DATABASE
    lines = finished.output.strip().splitlines()
    assert len(lines) == 1, finished.output
    assert lines[0].startswith("tourbot run: cannot open the question log")
    assert "TOURBOT_DATABASE" in lines[0]


async def test_a_token_rejected_by_the_gateway_is_one_line_and_its_own_exit_code(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    fake.reject_identify = 4004  # Discord: "Authentication failed"
    finished = await finish(await start(bot_env(fake, tmp_path), tmp_path))
    assert finished.code == EXIT_TOKEN
    assert "Traceback" not in finished.output
    errors = [line for line in finished.output.splitlines() if line.startswith("tourbot run:")]
    assert errors == [
        "tourbot run: Discord rejected DISCORD_TOKEN at the gateway (close code 4004)"
    ]
    assert TOKEN not in finished.output
