"""The Discord client: wires settings, the answering service and the cogs together."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.frontend.components import FeedbackButton, PickButton, view_for
from bot.frontend.cooldown import Cooldown
from bot.frontend.replies import embed_for
from bot.matching.answer import Answer
from bot.moderation.questionlog import QuestionLog
from bot.service import AnswerService
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.frontend.cogs.ask", "bot.frontend.cogs.info", "bot.frontend.cogs.kb")
EXAMPLE_QAS = ("when", "where", "organisers", "countries", "companies", "next-steps")
HEARTBEAT_SECONDS = 20
APOLOGY = "Sorry, something went wrong on my side while answering. Please try again in a moment."


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py at a REST/gateway proxy (or the test suite's fake Discord)."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class TourBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        service: AnswerService,
        question_log: QuestionLog | None = None,
        **options: Any,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        options.setdefault("chunk_guilds_at_startup", False)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.settings = settings
        self.service = service
        self.question_log = question_log
        self.cooldown = Cooldown(settings.cooldown_rate, settings.cooldown_seconds)
        self._heartbeat: asyncio.Task[None] | None = None
        self.tree.error(self.on_app_command_error)

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_dynamic_items(PickButton, FeedbackButton)
        if self.settings.heartbeat_file is not None:
            self._heartbeat = asyncio.create_task(self._beat(self.settings.heartbeat_file))
        if self.settings.guild_id is not None:
            guild = discord.Object(self.settings.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("synced %d application commands", len(synced))

    async def _beat(self, path: Path) -> None:
        """Touch a file while connected, so a container health check can tell we are alive."""
        path.parent.mkdir(parents=True, exist_ok=True)
        await self.wait_until_ready()
        while not self.is_closed():
            if self.is_ready() and not self.is_ws_ratelimited():
                path.write_text(f"{time.time():.0f}\n", encoding="utf-8")
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info(
            "connected as %s (id %s) to %d guild(s)", self.user, self.user.id, len(self.guilds)
        )

    async def on_message(self, message: discord.Message) -> None:
        """Questions are handled by the Ask cog's listener; there are no prefix commands."""

    # -- answering, shared by slash commands, mentions and buttons ----------------------

    def respond(self, question: str, source: str) -> tuple[Answer, int]:
        answer = self.service.ask(question)
        row_id = 0
        if self.question_log is not None:
            version = self.service.snapshot.version
            row_id = self.question_log.record(question, answer, source, version)
        return answer, row_id

    def examples(self) -> list[str]:
        qas = self.service.knowledge.qas
        return [qas[i].question for i in EXAMPLE_QAS if i in qas] or [
            qa.question for qa in list(qas.values())[:4]
        ]

    def reply_payload(self, answer: Answer, row_id: int) -> dict[str, Any]:
        embed = embed_for(answer, self.service.knowledge.article, self.examples())
        payload: dict[str, Any] = {
            "embed": embed,
            "allowed_mentions": discord.AllowedMentions.none(),
        }
        view = view_for(answer, row_id)
        if view is not None:
            payload["view"] = view
        return payload

    async def answer_pick(
        self, interaction: discord.Interaction[Any], qa_id: str, row_id: int
    ) -> None:
        answer = self.service.answer_id(qa_id)
        if answer is None:
            await interaction.response.send_message(
                "That question is no longer in my knowledge base. Try /ask again.", ephemeral=True
            )
            return
        if self.question_log is not None and row_id:
            self.question_log.picked(row_id, qa_id)
        await interaction.response.send_message(**self.reply_payload(answer, row_id))

    async def record_feedback(
        self, interaction: discord.Interaction[Any], row_id: int, vote: str
    ) -> None:
        if self.question_log is not None:
            self.question_log.feedback(row_id, 1 if vote == "up" else -1)
        await interaction.response.send_message("Thanks for the feedback!", ephemeral=True)

    # -- errors: log, apologise, keep running -------------------------------------------

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            message = str(error) or "You can't use this command."
        else:
            log.error(
                "error in /%s", getattr(interaction.command, "qualified_name", "?"), exc_info=error
            )
            message = APOLOGY
        await self.send_ephemeral(interaction, message)

    @staticmethod
    async def send_ephemeral(interaction: discord.Interaction[Any], message: str) -> None:
        try:
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not send an error reply", exc_info=True)

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        await super().close()

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("unhandled error in %s", event_method)
