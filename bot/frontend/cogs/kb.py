"""Moderator tools: ``/kb`` commands and the knowledge file watcher.

Only moderators (Manage Server, or the configured role) may use ``/kb``; the commands
are also hidden from everyone else by default permissions. Reloads never replace good
knowledge with bad: a rejected edit is reported with file:line reasons.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.frontend.client import TourBot
from bot.frontend.replies import clip
from bot.frontend.usertext import plain
from bot.knowledge.loader import KnowledgeError
from bot.knowledge.teach import NewEntry, TeachError, add, teach_targets, untaught
from bot.knowledge.teach import teach as teach_phrasing
from bot.knowledge.yamlsource import Problem
from bot.moderation.unanswered import LOW_CONFIDENCE, group_similar
from bot.service import ReloadResult

log = logging.getLogger(__name__)

MESSAGE_MAX = 2000


async def defer(interaction: discord.Interaction[Any]) -> None:
    """Acknowledge now, answer with a follow-up: Discord drops an interaction that is not
    acknowledged within 3 seconds, and loading and validating the knowledge can take longer
    (teach took 3.7-4.0 s in the probes)."""
    await interaction.response.defer(ephemeral=True, thinking=True)


async def follow_up(interaction: discord.Interaction[Any], text: str) -> None:
    await interaction.followup.send(
        clip(text, MESSAGE_MAX),
        ephemeral=True,
        allowed_mentions=discord.AllowedMentions.none(),
    )


def format_problems(problems: tuple[Problem, ...] | list[Problem], limit: int = 1800) -> str:
    body = "\n".join(str(p) for p in problems)
    return f"```\n{clip(body, limit)}\n```"


def is_moderator(member: discord.abc.User, role_setting: str | None) -> bool:
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    if role_setting is None:
        return False
    return any(str(role.id) == role_setting or role.name == role_setting for role in member.roles)


class KnowledgeBase(commands.Cog):
    kb = app_commands.Group(
        name="kb",
        description="Moderator tools for the knowledge base",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: TourBot) -> None:
        self.bot = bot
        self._watcher: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        if self.bot.settings.watch_interval > 0:
            self._watcher = asyncio.create_task(self._watch(), name="tourbot-knowledge-watcher")

    async def cog_unload(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if not is_moderator(interaction.user, self.bot.settings.moderator_role):
            raise app_commands.CheckFailure("Only moderators can use /kb.")
        return True

    # -- live reload ---------------------------------------------------------------------

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.bot.settings.watch_interval)
            try:
                result = await asyncio.to_thread(self.bot.service.reload_if_changed)
                if result is not None and not result.ok:
                    await self._report_rejected(result)
            except Exception:
                log.exception("knowledge watcher failed; it keeps watching")

    async def _report_rejected(self, result: ReloadResult) -> None:
        for problem in result.problems:
            log.warning("rejected knowledge edit: %s", problem)
        channel_id = self.bot.settings.log_channel
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if isinstance(channel, discord.abc.Messageable):
            text = (
                f"A knowledge edit was rejected; still serving version {result.version}.\n"
                + format_problems(result.problems)
            )
            await channel.send(clip(text, MESSAGE_MAX))

    # -- /kb commands ----------------------------------------------------------------------

    @kb.command(name="reload", description="Validate the knowledge files and load them")
    async def reload(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        result = await asyncio.to_thread(self.bot.service.reload)
        if result.ok:
            message = f"Reloaded: now serving knowledge version {result.version}."
        else:
            message = (
                f"Rejected: still serving version {result.version}. Problems:\n"
                + format_problems(result.problems)
            )
        await follow_up(interaction, message)

    @kb.command(name="check", description="Validate the knowledge files without loading them")
    async def check(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        problems = await asyncio.to_thread(self.bot.service.check)
        message = (
            "The knowledge files are valid."
            if not problems
            else f"{len(problems)} problem(s):\n" + format_problems(problems)
        )
        await follow_up(interaction, message)

    @kb.command(name="teach", description="Teach a question as another way of asking a Q&A")
    @app_commands.describe(question="The question as people ask it", target="The Q&A it means")
    async def teach(
        self, interaction: discord.Interaction[Any], question: str, target: str
    ) -> None:
        await defer(interaction)
        by = f"{interaction.user.name} ({interaction.user.id})"
        directory = self.bot.service.directory
        try:
            await asyncio.to_thread(teach_phrasing, directory, target, question, by)
        except (TeachError, KnowledgeError) as err:
            # KnowledgeError: the files on disk (taught.yaml included) are already broken.
            await follow_up(interaction, f"Not taught:\n{format_problems(err.problems)}")
            return
        except OSError as err:  # a read-only folder, a full disk: say which and why
            where = err.filename or directory
            await follow_up(
                interaction, f"Not taught: cannot write to `{where}`: {err.strerror or err}."
            )
            return
        except ValueError as err:  # the question itself (empty, too long)
            await follow_up(interaction, f"Not taught: {err}")
            return
        result = await asyncio.to_thread(self.bot.service.reload)
        qa = self.bot.service.knowledge.qas.get(target)
        answers = f"**{qa.question}**" if qa else f"the gap `{target}`"
        await follow_up(
            interaction,
            f"Taught: “{plain(question, 300)}” now answers {answers} (version {result.version}).",
        )

    @teach.autocomplete("target")
    async def teach_target(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Q&As and gaps alike, by id or by question, so a gap can be taught too."""
        return [
            app_commands.Choice(name=clip(label, 100), value=ident)
            for ident, label in teach_targets(self.bot.service.knowledge, current, 25)
        ]

    @kb.command(name="untaught", description="Remove a phrasing taught with /kb teach")
    @app_commands.describe(phrasing="The taught phrasing to remove")
    async def untaught(self, interaction: discord.Interaction[Any], phrasing: str) -> None:
        await defer(interaction)
        by = f"{interaction.user.name} ({interaction.user.id})"
        directory = self.bot.service.directory
        try:
            removed = await asyncio.to_thread(untaught, directory, phrasing, by)
        except (TeachError, KnowledgeError) as err:
            await follow_up(interaction, f"Not removed:\n{format_problems(err.problems)}")
            return
        except OSError as err:
            where = err.filename or directory
            await follow_up(
                interaction, f"Not removed: cannot write to `{where}`: {err.strerror or err}."
            )
            return
        result = await asyncio.to_thread(self.bot.service.reload)
        names = ", ".join(f"`{entry.qa}`" for entry in removed)
        await follow_up(
            interaction,
            f"Removed “{plain(phrasing, 300)}” from {names} (version {result.version}).",
        )

    @untaught.autocomplete("phrasing")
    async def untaught_phrasing(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.lower()
        return [
            app_commands.Choice(name=clip(f"{t.phrasing} → {t.qa}", 100), value=t.phrasing[:100])
            for t in self.bot.service.knowledge.taught
            if typed in t.phrasing.lower()
        ][:25]

    @kb.command(name="add", description="Add a Q&A backed by a quote from a source")
    async def add(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_modal(AddModal(self.bot))

    @kb.command(
        name="unanswered", description="Most frequent unanswered and low-confidence questions"
    )
    @app_commands.describe(days="How far back to look (default 7)")
    async def unanswered(self, interaction: discord.Interaction[Any], days: int = 7) -> None:
        log_ = self.bot.question_log
        if log_ is None:
            await interaction.response.send_message(
                "The question log is turned off.", ephemeral=True
            )
            return
        await defer(interaction)
        since = time.time() - max(1, days) * 86400
        rows = await asyncio.to_thread(log_.unanswered, since, LOW_CONFIDENCE)
        groups = group_similar(rows, self.bot.service.knowledge.normaliser().normalise)
        if not groups:
            text = f"Nothing unanswered in the last {days} day(s)."
        else:
            lines = [f"Unanswered or unsure, last {days} day(s):"]
            for group in groups[:15]:
                # What users typed: shown as plain text, never as markdown or live links.
                lines.append(f"• {group.count}× “{plain(group.example, 120)}”")
            text = "\n".join(lines)
        await follow_up(interaction, text)

    @kb.command(name="stats", description="How the bot has been doing")
    async def stats(self, interaction: discord.Interaction[Any]) -> None:
        snapshot = self.bot.service.snapshot
        knowledge = snapshot.knowledge
        lines = [
            f"Knowledge version {snapshot.version}: {len(knowledge.qas)} Q&As, "
            f"{len(knowledge.facts)} facts, {len(knowledge.taught)} taught phrasings."
        ]
        if self.bot.question_log is not None:
            stats = self.bot.question_log.stats()
            if stats.dropped:
                lines.append(
                    f"⚠️ {stats.dropped} question-log write(s) failed since the bot started "
                    "(full disk or damaged file?); answering went on without them."
                )
            outcomes = ", ".join(f"{k} {v}" for k, v in sorted(stats.by_outcome.items()))
            lines.append(f"Questions: {stats.total} ({outcomes or 'none yet'}).")
            lines.append(
                f"Feedback: 👍 {stats.thumbs_up} · 👎 {stats.thumbs_down}; picked: {stats.picked}."
            )
            if stats.top_matches:
                top = ", ".join(f"{m} ({n})" for m, n in stats.top_matches)
                lines.append(f"Most asked: {top}.")
        await interaction.response.send_message("\n".join(lines), ephemeral=True)


class AddModal(discord.ui.Modal, title="Add a Q&A"):
    """The /kb add form: a question, its answer, and the quote (from which source) that
    backs it. The entry is validated against everything before it is written, then the
    bot reloads, so it answers within seconds."""

    question: discord.ui.TextInput[AddModal] = discord.ui.TextInput(
        label="Question", placeholder="When is the follow-up workshop?", max_length=500
    )
    answer: discord.ui.TextInput[AddModal] = discord.ui.TextInput(
        label="Answer", style=discord.TextStyle.paragraph, max_length=1500
    )
    source: discord.ui.TextInput[AddModal] = discord.ui.TextInput(
        label="Source id (article, or a file in sources/)", default="article", max_length=100
    )
    quote: discord.ui.TextInput[AddModal] = discord.ui.TextInput(
        label="Quote, copied word for word from the source",
        style=discord.TextStyle.paragraph,
        max_length=1500,
    )
    phrasings: discord.ui.TextInput[AddModal] = discord.ui.TextInput(
        label="Other ways of asking (one a line, optional)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=2000,
    )

    def __init__(self, bot: TourBot) -> None:
        super().__init__()
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        by = f"{interaction.user.name} ({interaction.user.id})"
        new = NewEntry(
            question=self.question.value,
            answer=self.answer.value,
            source=self.source.value.strip() or "article",
            quote=self.quote.value,
            phrasings=tuple(line for line in self.phrasings.value.splitlines() if line.strip()),
        )
        directory = self.bot.service.directory
        try:
            added = await asyncio.to_thread(add, directory, new, by)
        except (TeachError, KnowledgeError) as err:
            await follow_up(interaction, f"Not added:\n{format_problems(err.problems)}")
            return
        except OSError as err:
            where = err.filename or directory
            await follow_up(
                interaction, f"Not added: cannot write to `{where}`: {err.strerror or err}."
            )
            return
        except ValueError as err:  # the question itself (empty, too long)
            await follow_up(interaction, f"Not added: {err}")
            return
        result = await asyncio.to_thread(self.bot.service.reload)
        await follow_up(
            interaction,
            f"Added `{added.qa_id}`, citing {added.source} paragraph {added.paragraph} "
            f"(version {result.version}). Try it: “{plain(new.question, 300)}”.",
        )


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, TourBot)
    await bot.add_cog(KnowledgeBase(bot))
