"""Fixtures that run the real tourbot client against the loopback fake Discord."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.frontend.client import TourBot, apply_endpoints
from bot.moderation.questionlog import QuestionLog
from bot.service import AnswerService
from bot.settings import Settings
from tests.fake_discord import FakeDiscord, RecordedRequest
from tests.helpers import copy_shipped

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class Harness:
    """A running bot, the fake it talks to, and the files it uses."""

    bot: TourBot
    fake: FakeDiscord
    knowledge_dir: Path
    task: asyncio.Task[None]

    async def reply_to(
        self, trigger: Callable[[], Awaitable[Any]], timeout: float = 5
    ) -> RecordedRequest:
        """Run ``trigger`` and return the first message the bot posts to a channel after it."""
        since = self.fake.mark()
        await trigger()
        return await self.fake.wait_for_request(
            lambda r: (
                r.method == "POST"
                and r.path.startswith("/channels/")
                and r.path.endswith("/messages")
                and r.status == 200
            ),
            timeout,
            since=since,
        )

    def bot_posts(self) -> list[RecordedRequest]:
        """Every message-creating call the bot made (channel messages and interaction answers)."""
        return [
            r
            for r in self.fake.requests
            if r.method in ("POST", "PATCH")
            and (
                r.path.endswith("/messages")
                or r.path.endswith("/callback")
                or "/webhooks/" in r.path
            )
        ]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def start_bot(
    fake: FakeDiscord, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[Harness]]]:
    """Start the bot with settings overridden per test; everything is torn down after."""
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    running: list[Harness] = []

    async def start(**overrides: Any) -> Harness:
        knowledge_dir = copy_shipped(tmp_path / "knowledge")
        settings = Settings(
            token=TOKEN,
            knowledge_dir=knowledge_dir,
            api_base=fake.api_base,
            gateway_url=fake.gateway_url,
            database=tmp_path / "questions.sqlite3",
            answer_channels=frozenset({int(fake.other_channel_id)}),
            watch_interval=0.1,
        )
        settings = dataclasses.replace(settings, **overrides)
        apply_endpoints(settings)
        log = QuestionLog(settings.database) if settings.database else None
        bot = TourBot(settings, AnswerService(knowledge_dir), log, guild_ready_timeout=0.1)
        task = asyncio.create_task(bot.start(settings.token))
        await fake.wait_connected()
        await fake.wait_until(lambda: fake.commands or None, 5, "the commands to be synced")
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        harness = Harness(bot, fake, knowledge_dir, task)
        running.append(harness)
        return harness

    yield start
    for harness in running:
        await harness.bot.close()
        with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
            await asyncio.wait_for(harness.task, 5)
        if harness.bot.question_log is not None:
            harness.bot.question_log.close()
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


@pytest.fixture(autouse=True)
def _quiet_discord_logs() -> None:
    logging.getLogger("discord").setLevel(logging.WARNING)
