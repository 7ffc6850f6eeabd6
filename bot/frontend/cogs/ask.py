"""Asking: ``/ask`` with autocomplete, @mentions, replies to the bot, opt-in channels.

A question asked in a message keeps its reply in step: edit the question and the reply is
edited to answer it (people fix a typo, or add what they forgot, rather than ask again);
delete it and the reply goes too, instead of answering a question nobody can see.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.frontend.client import APOLOGY, RESTARTING, TourBot, slow_down
from bot.matching.answer import Answer, Outcome
from bot.matching.questions import QuestionError, clean_message

log = logging.getLogger(__name__)

# How many recent questions keep their reply in step with edits and deletions; an older
# question keeps the reply it got. A reply held is a few kilobytes.
REPLIES_REMEMBERED = 1000

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


class _Silence(Enum):
    """Why a message gets no reply, and what happens to one it had before an edit."""

    KEEP = "keep"  # a flood: the reply stays as it was
    WITHDRAW = "withdraw"  # nothing the bot is sure of: the reply goes


@dataclass(slots=True)
class _Replied:
    """The bot's reply to a question message, and the words it answered."""

    reply: discord.Message
    content: str


def _replied_to(message: discord.Message) -> discord.Message | None:
    """The message this one replies to, when Discord sent it along."""
    resolved = message.reference.resolved if message.reference else None
    return resolved if isinstance(resolved, discord.Message) else None


class Ask(commands.Cog):
    def __init__(self, bot: TourBot) -> None:
        self.bot = bot
        self._replies: OrderedDict[int, _Replied] = OrderedDict()

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

    def _opted_in(self, channel: discord.abc.MessageableChannel) -> bool:
        """A channel listed in TOURBOT_CHANNELS, or a thread in one: a forum channel's
        posts are threads, and a conversation moved into a thread stays where it was."""
        channels = self.bot.settings.answer_channels
        parent = channel.parent_id if isinstance(channel, discord.Thread) else None
        return channel.id in channels or parent in channels

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self._asked(message, None)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """An edited question gets its reply edited to answer what it asks now. Discord
        also sends an edit when it adds a link's preview: the words are the same, and so
        is the answer."""
        replied = self._replies.get(payload.message_id)
        if replied is not None and payload.message.content != replied.content:
            await self._asked(payload.message, replied)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self._withdraw(payload.message_id)

    async def _withdraw(self, message_id: int) -> None:
        """Delete the reply to a message, if the bot remembers one."""
        replied = self._replies.pop(message_id, None)
        if replied is None:
            return
        try:
            await replied.reply.delete()
        except discord.HTTPException:  # already gone, or no longer ours to delete
            log.info("could not delete the reply to message %s", message_id)

    async def _asked(self, message: discord.Message, replied: _Replied | None) -> None:
        """Answer a message (``replied``: the reply it got before it was edited)."""
        if message.author.bot or message.webhook_id is not None or not self.bot.accepting:
            return
        addressed = self._addressed(message)
        if not addressed and not self._opted_in(message.channel):
            return
        try:
            with self.bot.in_flight.track():
                payload = await self._reply_for(message, addressed, replied is not None)
                if isinstance(payload, dict):
                    await self._send(message, payload, replied)
                elif payload is _Silence.WITHDRAW and replied is not None:
                    # An opted-in channel's answer to what the message no longer asks.
                    await self._withdraw(message.id)
        except Exception:
            log.exception("error answering message %s", message.id)
            if addressed:
                try:
                    await message.reply(APOLOGY, allowed_mentions=discord.AllowedMentions.none())
                except discord.HTTPException:
                    log.warning("could not send the apology", exc_info=True)

    async def _send(
        self, message: discord.Message, payload: dict[str, Any], replied: _Replied | None
    ) -> None:
        """Reply, or edit the reply an edited question got, and remember it."""
        if replied is None:
            reply = await message.reply(**payload)
        else:
            # Every part is set, so a friendly text can become an answer's embed and back.
            reply = await replied.reply.edit(
                **({"content": None, "embed": None, "view": None} | payload)
            )
        self._replies[message.id] = _Replied(reply, message.content)
        self._replies.move_to_end(message.id)
        while len(self._replies) > REPLIES_REMEMBERED:
            self._replies.popitem(last=False)

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
            return own_words(strip_markup(replied.content))
        return own

    async def _reply_for(
        self, message: discord.Message, addressed: bool, edited: bool
    ) -> dict[str, Any] | _Silence:
        """What to reply to a message, as keyword arguments for ``reply``, or why to stay
        silent: an opted-in channel's message the bot is not sure of (its reply, if an
        edit made it so, is withdrawn), or a flood (a reply stays as it was: an edit over
        the limit keeps its answer rather than become a notice)."""
        none = discord.AllowedMentions.none()
        try:
            text = clean_message(self._asked_in(message, addressed))
        except QuestionError as err:
            if not addressed:
                return _Silence.WITHDRAW
            hint = "Ask me about the EV study tour, e.g. `@me when was the tour?`"
            return {"content": hint if err.empty else f"Sorry: {err}.", "allowed_mentions": none}
        verdict = self.bot.admit(message.author.id)
        if not verdict.allowed:
            # Public, so at most one notice per window: a notice per message is a flood too.
            if addressed and verdict.notify and not edited:
                return {"content": slow_down(verdict.wait), "allowed_mentions": none}
            return _Silence.KEEP
        source = "channel" if not addressed else "dm" if message.guild is None else "mention"
        answer, row_id = self.bot.respond(text, source)
        if not addressed and not self._confident(answer):
            return _Silence.WITHDRAW
        return self.bot.reply_payload(answer, row_id)

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
