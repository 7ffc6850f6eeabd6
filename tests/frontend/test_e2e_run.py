"""``tourbot run`` as deployed: a separate process configured only by environment variables."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.conftest import TOKEN
from tests.fake_discord import FakeDiscord
from tests.helpers import copy_shipped, model_cache_env

pytestmark = pytest.mark.e2e


async def test_tourbot_run_connects_through_env_and_answers(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        **model_cache_env(),
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DISCORD_GUILD_ID": fake.guild_id,
        "TOURBOT_KNOWLEDGE_DIR": str(copy_shipped(tmp_path / "knowledge")),
        "TOURBOT_DATABASE": str(tmp_path / "log.sqlite3"),
        "TOURBOT_LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await fake.wait_connected(timeout=30)
        await fake.wait_until(lambda: fake.commands or None, 10, "the guild commands to be synced")
        assert any(r.method == "PUT" and fake.guild_id in r.path for r in fake.requests)
        since = fake.mark()
        await fake.mention_bot("@everyone which countries took part?", mention_everyone=True)
        reply = await fake.wait_for_request(
            lambda r: r.method == "POST" and r.path.endswith("/messages"), 10, since=since
        )
        (embed,) = reply.json["embeds"]
        assert "Bhutan" in embed["description"] and embed["fields"]
        assert reply.json["allowed_mentions"]["parse"] == []
        async with asyncio.timeout(5):
            while not (tmp_path / "data" / "heartbeat").exists():
                await asyncio.sleep(0.05)
        health = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "health", cwd=tmp_path, env=env
        )
        assert await health.wait() == 0  # the Docker HEALTHCHECK command
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), 20)
    text = output.decode()
    assert TOKEN not in text and TOKEN.split(".")[2] not in text
    assert "Traceback" not in text
    assert (tmp_path / "log.sqlite3").exists()
