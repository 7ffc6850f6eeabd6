"""The Discord client: wires settings, the answering service and the cogs together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.frontend.components import FeedbackButton, PickButton, view_for
from bot.frontend.cooldown import Cooldown, Verdict
from bot.frontend.replies import embed_for, small_talk_text
from bot.matching.answer import Answer, Outcome
from bot.moderation.questionlog import QuestionLog
from bot.service import AnswerService
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.frontend.cogs.ask", "bot.frontend.cogs.info", "bot.frontend.cogs.kb")
EXAMPLE_QAS = ("when", "where", "organisers", "countries", "companies", "next-steps")
HEARTBEAT_SECONDS = 20
APOLOGY = "Sorry, something went wrong on my side while answering. Please try again in a moment."
RESTARTING = "I'm restarting. Please ask again in a minute."
# How long a shutdown waits for replies already being sent (one may be waiting out a 429).
# `docker stop` sends SIGTERM and kills 10 s later (its default -t), so 8 s leaves time
# to close the gateway and the question log before that.
DRAIN_SECONDS = 8.0
# "Did you mean" presses remembered, so a repeated press answers privately. A press is a
# (message, choice) pair; 10,000 outlasts the channel's visible history many times over.
PICKS_REMEMBERED = 10_000


def slow_down(wait: float) -> str:
    return f"You're asking a lot at once. Please try again in {max(1.0, wait):.0f} seconds."


class InFlight:
    """Replies being worked on, so that a shutdown can let them finish first."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if self.count == 0:
                self._idle.set()

    def give_up(self) -> None:
        """End any wait_idle now (asked to stop twice: the operator will not wait)."""
        self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        """True when nothing is in flight any more, False if ``timeout`` passed first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return self.count == 0


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
        self.accepting = True  # False once shutting down: no new questions are taken
        self.in_flight = InFlight()
        self._picks: OrderedDict[tuple[int, str], None] = OrderedDict()
        self._heartbeat: asyncio.Task[None] | None = None
        self._connecting: asyncio.Task[Any] | None = None  # the task reading the gateway
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
        """Keyword arguments for sending ``answer`` (message.reply or an interaction).

        Small talk is a short plain-text reply, as a person would answer "hi": no embed,
        no citations, no buttons. Everything else is an embed (several answers in one).
        """
        knowledge = self.service.knowledge
        none = discord.AllowedMentions.none()
        if answer.outcome is Outcome.SMALL_TALK:
            return {"content": small_talk_text(answer, knowledge.article), "allowed_mentions": none}
        embed = embed_for(answer, knowledge.article, self.examples(), knowledge.several_sources)
        payload: dict[str, Any] = {"embed": embed, "allowed_mentions": none}
        view = view_for(answer, row_id)
        if view is not None:
            payload["view"] = view
        return payload

    def admit(self, user_id: int) -> Verdict:
        """The shared per-user cooldown: slash commands, mentions and buttons all count."""
        return self.cooldown.check(user_id)

    def _pressed_before(self, message_id: int, qa_id: str) -> bool:
        """Whether this choice on this message was answered already (then it is public)."""
        key = (message_id, qa_id)
        if key in self._picks:
            self._picks.move_to_end(key)
            return True
        self._picks[key] = None
        if len(self._picks) > PICKS_REMEMBERED:
            self._picks.popitem(last=False)
        return False

    async def answer_pick(
        self, interaction: discord.Interaction[Any], qa_id: str, row_id: int
    ) -> None:
        """A "did you mean" press: the first answers publicly, a repeat only to the presser.

        The buttons stay on the message for anyone to press, so without this 20 presses
        posted 20 public copies of one answer; they also count against the cooldown.
        """
        if not self.accepting:
            await interaction.response.send_message(RESTARTING, ephemeral=True)
            return
        verdict = self.admit(interaction.user.id)
        if not verdict.allowed:
            await interaction.response.send_message(slow_down(verdict.wait), ephemeral=True)
            return
        answer = self.service.answer_id(qa_id)
        if answer is None:
            await interaction.response.send_message(
                "That question is no longer in my knowledge base. Try /ask again.", ephemeral=True
            )
            return
        message_id = interaction.message.id if interaction.message is not None else 0
        repeated = self._pressed_before(message_id, qa_id)
        if self.question_log is not None and row_id and not repeated:
            self.question_log.picked(row_id, qa_id)
        with self.in_flight.track():
            await interaction.response.send_message(
                **self.reply_payload(answer, row_id), ephemeral=repeated
            )

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

    async def shutdown(self, grace: float = DRAIN_SECONDS) -> None:
        """Stop taking questions, let replies in flight finish (bounded), then close.

        ``close`` ends the gateway with close code 1000, so Discord sees a clean goodbye
        rather than a dropped connection (1006).
        """
        self.accepting = False
        if self.in_flight.count:
            log.info(
                "shutting down: waiting up to %.0f s for %d reply(ies) in flight",
                grace,
                self.in_flight.count,
            )
            if not await self.in_flight.wait_idle(grace):
                log.warning("shutting down: %d reply(ies) not sent in time", self.in_flight.count)
        await self.close()

    async def connect(self, *, reconnect: bool = True) -> None:
        self._connecting = asyncio.current_task()
        await super().connect(reconnect=reconnect)

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        await self._close_gateway_normally()
        await super().close()

    async def _close_gateway_normally(self) -> None:
        """Close the gateway with 1000 ("normal closure"), as Discord expects of a bot
        that is leaving.

        discord.py's own close sends 1000 while its reader task is waiting on the socket;
        the reader wakes first and closes with 4000 (checked against the fake Discord),
        which Discord treats as a dropped, resumable session. So the reader is stopped
        first, then the socket is closed.
        """
        task, ws = self._connecting, self.ws
        if task is None or task is asyncio.current_task() or task.done():
            return
        if ws is None or not ws.open:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if ws.open:
            await ws.close(code=1000)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("unhandled error in %s", event_method)
