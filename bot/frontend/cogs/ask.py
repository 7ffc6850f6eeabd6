"""Asking: ``/ask`` with autocomplete, @mentions, replies to the bot, opt-in channels."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.frontend.client import APOLOGY, RESTARTING, TourBot, slow_down
from bot.matching.answer import Answer, Outcome
from bot.matching.questions import QuestionError, clean_message

log = logging.getLogger(__name__)

# Discord's markup that is not words: user, role and channel mentions, the two mass
# mentions, custom emoji (<:name:id>, animated <a:name:id>), command mentions (</ask:id>)
# and timestamps (<t:1706572800:R>). Noise to the matcher. And what the asker struck
# through (~~when~~ where was it): words they took back.
_MARKUP = re.compile(
    r"<@[!&]?\d+>|<#\d+>|@everyone|@here|<a?:\w+:\d+>|</[\w -]+:\d+>|<t:-?\d+(?::\w)?>"
    r"|~~[^~\n]+~~"
)


# Discord's quotes: "> " quotes its line, ">>> " everything after it.
_QUOTED_LINE = re.compile(r"^[ \t]*> .*$", re.MULTILINE)
_QUOTED_REST = re.compile(r"^[ \t]*>>> .*", re.MULTILINE | re.DOTALL)
_QUOTE_MARK = re.compile(r"^[ \t]*(?:>>>|>) ", re.MULTILINE)
_WORD = re.compile(r"\w+")


def strip_markup(content: str) -> str:
    """``content`` with Discord's markup blanked out; spacing and line breaks are left to
    ``clean_message``."""
    return _MARKUP.sub(" ", content)


# Fewer own words than this beside a quote ("hey", "this pls", "^") hand the quote over.
OWN_QUESTION_WORDS = 3


def own_words(content: str) -> str:
    """What the member wrote, without what they quote: "> the delegates visited india⏎ok
    but which countries were they from" asks about the countries (read with the quote, it
    got the tour's dates). A quote with no question of the member's own beside it ("hey⏎>
    when was the tour?") hands the quoted words to the bot, as "@tourbot ^" hands over
    the message it replies to: the whole message is read, quote marks removed."""
    unquoted = _QUOTED_LINE.sub("", _QUOTED_REST.sub("", content))
    if len(_WORD.findall(unquoted)) >= OWN_QUESTION_WORDS:
        return unquoted
    return _QUOTE_MARK.sub("", content)


def _replied_to(message: discord.Message) -> discord.Message | None:
    """The message this one replies to, when Discord sent it along."""
    resolved = message.reference.resolved if message.reference else None
    return resolved if isinstance(resolved, discord.Message) else None


class Ask(commands.Cog):
    def __init__(self, bot: TourBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask a question about the EV study tour article")
    @app_commands.describe(
        question="Your question, e.g. 'Who organised the tour?'",
        private="Only you see the answer (default: everyone in the channel sees it)",
    )
    async def ask(
        self, interaction: discord.Interaction[Any], question: str, private: bool = False
    ) -> None:
        try:
            text = clean_message(strip_markup(question))
        except QuestionError as err:
            await interaction.response.send_message(f"Sorry: {err}.", ephemeral=True)
            return
        if not self.bot.accepting:
            await interaction.response.send_message(RESTARTING, ephemeral=True)
            return
        verdict = self.bot.admit(interaction.user.id)
        if not verdict.allowed:  # private, so it floods nothing: always say why
            await interaction.response.send_message(slow_down(verdict.wait), ephemeral=True)
            return
        with self.bot.in_flight.track():
            answer, row_id = self.bot.respond(text, "slash")
            await interaction.response.send_message(
                **self.bot.reply_payload(answer, row_id), ephemeral=private
            )

    @ask.autocomplete("question")
    async def ask_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        suggestions = self.bot.service.complete(current[:200], limit=25)
        return [
            app_commands.Choice(name=s.question[:100], value=s.question[:100]) for s in suggestions
        ]

    def _addressed(self, message: discord.Message) -> bool:
        """Mentioned by name (not via @everyone) or by the role Discord made for the bot
        (members pick either from the "@" list), a reply to one of our messages, or a
        direct message: whoever writes to the bot alone is asking it."""
        me = self.bot.user
        if me is None:
            return False
        if message.guild is None:
            return True
        if any(user.id == me.id for user in message.mentions):
            return True
        if any(role.tags and role.tags.bot_id == me.id for role in message.role_mentions):
            return True
        replied = _replied_to(message)
        return replied is not None and replied.author.id == me.id

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None or not self.bot.accepting:
            return
        addressed = self._addressed(message)
        in_channel = message.channel.id in self.bot.settings.answer_channels
        if not addressed and not in_channel:
            return
        try:
            with self.bot.in_flight.track():
                await self._answer_message(message, addressed)
        except Exception:
            log.exception("error answering message %s", message.id)
            if addressed:
                try:
                    await message.reply(APOLOGY, allowed_mentions=discord.AllowedMentions.none())
                except discord.HTTPException:
                    log.warning("could not send the apology", exc_info=True)

    def _asked_in(self, message: discord.Message, addressed: bool) -> str:
        """What a message asks: its own words, or, when it is only a mention (or a "^")
        in reply to someone else's message, that message's words: "@tourbot ^" under a
        member's question hands it to the bot."""
        own = own_words(strip_markup(message.content))
        replied = _replied_to(message)
        me = self.bot.user
        if (
            addressed
            and not any(ch.isalnum() for ch in own)
            and replied is not None
            and (me is None or replied.author.id != me.id)
        ):
            return strip_markup(replied.content)
        return own

    async def _answer_message(self, message: discord.Message, addressed: bool) -> None:
        none = discord.AllowedMentions.none()
        try:
            text = clean_message(self._asked_in(message, addressed))
        except QuestionError as err:
            if addressed:
                hint = "Ask me about the EV study tour, e.g. `@me when was the tour?`"
                reason = hint if err.empty else f"Sorry: {err}."
                await message.reply(reason, allowed_mentions=none)
            return
        verdict = self.bot.admit(message.author.id)
        if not verdict.allowed:
            # Public, so at most one notice per window: a notice per message is a flood too.
            if addressed and verdict.notify:
                await message.reply(slow_down(verdict.wait), allowed_mentions=none)
            return
        source = "channel" if not addressed else "dm" if message.guild is None else "mention"
        answer, row_id = self.bot.respond(text, source)
        if not addressed and not self._confident(answer):
            return
        await message.reply(**self.bot.reply_payload(answer, row_id))

    def _confident(self, answer: Answer) -> bool:
        """Whether an opted-in channel gets this answer unasked: only a confident answer
        (every part of it, when the message asked several things). Never small talk: the
        bot would otherwise chat back to everyone saying "hi" in the channel."""
        if answer.outcome is Outcome.SMALL_TALK:
            return False
        minimum = self.bot.settings.channel_min_confidence
        return all(
            part.outcome is Outcome.ANSWERED and part.confidence >= minimum
            for part in answer.parts or (answer,)
        )


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, TourBot)
    await bot.add_cog(Ask(bot))
