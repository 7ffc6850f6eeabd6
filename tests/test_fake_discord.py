"""Tests of the fake Discord server, driven by real discord.py clients over loopback sockets."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import FakeDiscord, RecordedRequest, redirect_discord_py

pytestmark = pytest.mark.e2e

TOKEN = "any.fake.token"
ClientT = TypeVar("ClientT", bound=discord.Client)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    try:
        with redirect_discord_py(server):
            yield server
    finally:
        await server.stop()


def make_bot() -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    return commands.Bot(
        command_prefix="!",
        intents=intents,
        help_command=None,
        guild_ready_timeout=0.1,
        chunk_guilds_at_startup=False,
    )


@contextlib.asynccontextmanager
async def running(client: ClientT, fake: FakeDiscord) -> AsyncIterator[ClientT]:
    """Run ``client.start()`` against the fake until it is ready; close it afterwards."""
    runner = asyncio.create_task(client.start(TOKEN))
    connected = asyncio.create_task(fake.wait_connected(timeout=5))
    try:
        await asyncio.wait({runner, connected}, return_when=asyncio.FIRST_COMPLETED)
        if runner.done():
            runner.result()
            raise AssertionError("client.start() returned before connecting")
        await connected
        await asyncio.wait_for(client.wait_until_ready(), timeout=5)
        yield client
    finally:
        connected.cancel()
        await client.close()
        await asyncio.wait_for(runner, timeout=5)


def text_channel(client: discord.Client, channel_id: str) -> discord.TextChannel:
    channel = client.get_channel(int(channel_id))
    assert isinstance(channel, discord.TextChannel)
    return channel


def is_send_to(channel_id: str) -> Callable[[RecordedRequest], bool]:
    path = f"/channels/{channel_id}/messages"
    return lambda r: r.method == "POST" and r.path == path


def not_found(fake: FakeDiscord) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.status == 404]


async def test_client_connects_and_sees_the_guild(fake: FakeDiscord) -> None:
    bot = make_bot()
    ready = asyncio.Event()

    @bot.listen("on_ready")
    async def on_ready() -> None:
        ready.set()

    async with running(bot, fake):
        await asyncio.wait_for(ready.wait(), timeout=2)
        assert bot.user is not None and str(bot.user.id) == fake.bot_user["id"]
        assert bot.application_id == int(fake.application_id)
        guild = bot.get_guild(int(fake.guild_id))
        assert guild is not None and guild.me is not None
        assert {c.id for c in guild.text_channels} == {
            int(fake.channel_id),
            int(fake.other_channel_id),
        }
        assert guild.default_role.id == guild.id

        # Without the members intent only the bot's own member is cached: fetch the others.
        moderator = await guild.fetch_member(int(fake.moderator["id"]))
        member = await guild.fetch_member(int(fake.member["id"]))
        other_bot = await guild.fetch_member(int(fake.other_bot["id"]))
        assert moderator.roles[-1].name == "Moderator"
        assert moderator.guild_permissions.manage_guild
        assert not member.guild_permissions.manage_guild
        assert other_bot.bot and not member.bot

    assert fake.identify_count == 1 and fake.resume_count == 0
    paths = [r.path for r in fake.requests]
    assert paths[:2] == ["/users/@me", "/oauth2/applications/@me"]
    assert paths[2:] == [
        f"/guilds/{fake.guild_id}/members/{u['id']}"
        for u in (fake.moderator, fake.member, fake.other_bot)
    ]
    assert fake.requests[0].headers["Authorization"] == f"Bot {TOKEN}"
    assert not not_found(fake)


async def test_message_reaches_on_message_and_the_reply_is_recorded(fake: FakeDiscord) -> None:
    bot = make_bot()
    received: asyncio.Queue[discord.Message] = asyncio.Queue()

    @bot.listen("on_message")
    async def on_message(message: discord.Message) -> None:
        if message.author.bot:
            return
        await received.put(message)
        await message.reply(
            f"echo: {message.content}", allowed_mentions=discord.AllowedMentions.none()
        )

    async with running(bot, fake):
        since = fake.mark()
        sent = await fake.mention_bot("when is the tour?")
        message = await asyncio.wait_for(received.get(), timeout=2)
        assert message.id == int(sent["id"])
        assert isinstance(message.author, discord.Member)
        assert bot.user is not None and bot.user.mentioned_in(message)

        request = await fake.wait_for_request(is_send_to(fake.channel_id), since=since)

    assert request.json["content"] == f"echo: <@{fake.bot_user['id']}> when is the tour?"
    assert request.json["allowed_mentions"] == {"parse": []}
    assert str(request.json["message_reference"]["message_id"]) == sent["id"]
    assert request.status == 200
    stored = fake.messages[request.response["id"]]
    assert stored["referenced_message"]["id"] == sent["id"]
    assert stored["type"] == 19


async def test_file_upload_is_parsed_from_multipart(fake: FakeDiscord) -> None:
    async with running(make_bot(), fake) as bot:
        channel = text_channel(bot, fake.other_channel_id)
        message = await channel.send("report", file=discord.File(io.BytesIO(b"hello"), "a.txt"))

    request = fake.requests[-1]
    assert request.json["content"] == "report"
    assert [(f.filename, f.data) for f in request.files] == [("a.txt", b"hello")]
    assert [a.filename for a in message.attachments] == ["a.txt"]


async def test_slash_command_is_synced_and_invoked(fake: FakeDiscord) -> None:
    bot = make_bot()
    callbacks: asyncio.Queue[discord.InteractionCallbackResponse[Any]] = asyncio.Queue()

    @bot.tree.command(name="echo", description="Echo some text")
    async def echo(interaction: discord.Interaction[Any], text: str, times: int = 1) -> None:
        callback = await interaction.response.send_message(text * times, ephemeral=True)
        await callbacks.put(callback)

    async with running(bot, fake):
        synced = await bot.tree.sync()
        assert [c.name for c in synced] == ["echo"]
        assert fake.commands[0]["name"] == "echo" and fake.commands[0]["id"] == str(synced[0].id)

        handle = await fake.slash_command(
            "echo", [{"name": "text", "value": "hi"}, {"name": "times", "value": 2}]
        )
        response = await handle.response()
        callback = await asyncio.wait_for(callbacks.get(), timeout=2)

    put = [r for r in fake.requests if r.method == "PUT"]
    assert [r.path for r in put] == [f"/applications/{fake.application_id}/commands"]
    assert response["type"] == 4
    assert response["data"]["content"] == "hihi" and response["data"]["flags"] == 64
    assert handle.original_message is not None
    assert callback.message_id == int(handle.original_message["id"])
    assert callback.is_ephemeral()


async def test_guild_subcommand_defers_then_follows_up(fake: FakeDiscord) -> None:
    bot = make_bot()
    kb = app_commands.Group(name="kb", description="Moderator tools")

    @kb.command(name="check", description="Check things")
    async def check(interaction: discord.Interaction[Any]) -> None:
        assert isinstance(interaction.user, discord.Member)
        if not interaction.user.guild_permissions.manage_guild:
            await interaction.response.send_message("moderators only", ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("checked")
        await interaction.edit_original_response(content="all good")

    guild = discord.Object(int(fake.guild_id))
    bot.tree.add_command(kb, guild=guild)

    async with running(bot, fake):
        await bot.tree.sync(guild=guild)
        assert fake.commands[0]["guild_id"] == fake.guild_id

        denied = await fake.slash_command("kb", subcommand="check", user=fake.member)
        assert (await denied.response())["data"]["content"] == "moderators only"

        allowed = await fake.slash_command("kb", subcommand="check", user=fake.moderator)
        assert (await allowed.response())["type"] == 5
        followup, edit = await allowed.followups(count=2)

    assert (followup.method, followup.json["content"]) == ("POST", "checked")
    assert edit.method == "PATCH" and edit.path.endswith("/messages/@original")
    assert allowed.original_message is not None
    assert allowed.original_message["content"] == "all good"
    assert not allowed.original_message["flags"] & 128  # no longer "thinking"
    assert not not_found(fake)


async def test_autocomplete_returns_choices(fake: FakeDiscord) -> None:
    bot = make_bot()
    topics = ["batteries", "buses", "charging"]

    async def suggest(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in topics if t.startswith(current)]

    @bot.tree.command(name="facts", description="Facts")
    @app_commands.autocomplete(topic=suggest)
    async def facts(interaction: discord.Interaction[Any], topic: str) -> None:
        await interaction.response.send_message(topic)

    async with running(bot, fake):
        await bot.tree.sync()
        handle = await fake.autocomplete("facts", "topic", "b")
        response = await handle.response()

    assert response["type"] == 8
    assert [c["value"] for c in response["data"]["choices"]] == ["batteries", "buses"]


async def test_button_on_a_channel_message_invokes_the_view_callback(fake: FakeDiscord) -> None:
    pressed: asyncio.Queue[int] = asyncio.Queue()

    class Confirm(discord.ui.View):
        @discord.ui.button(label="Yes", custom_id="confirm:yes")
        async def yes(
            self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
        ) -> None:
            await pressed.put(interaction.user.id)
            await interaction.response.edit_message(content="confirmed", view=None)

    async with running(make_bot(), fake) as bot:
        sent = await text_channel(bot, fake.channel_id).send("Sure?", view=Confirm())
        handle = await fake.press_button(
            fake.messages[str(sent.id)], "confirm:yes", user=fake.moderator
        )
        response = await handle.response()
        assert await asyncio.wait_for(pressed.get(), timeout=2) == int(fake.moderator["id"])

    assert response["type"] == 7
    assert fake.messages[str(sent.id)]["content"] == "confirmed"
    assert fake.messages[str(sent.id)]["components"] == []


class Vote(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"vote:(?P<choice>up|down)"):
    """A persistent button like tourbot's: its state lives in the custom id."""

    def __init__(self, choice: str) -> None:
        super().__init__(discord.ui.Button(label=choice, custom_id=f"vote:{choice}"))
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> Vote:
        return cls(match["choice"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(f"voted {self.choice}", ephemeral=True)


async def test_button_on_an_interaction_response_reaches_a_dynamic_item(fake: FakeDiscord) -> None:
    bot = make_bot()
    bot.add_dynamic_items(Vote)

    @bot.tree.command(name="poll", description="Ask for a vote")
    async def poll(interaction: discord.Interaction[Any]) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Vote("up"))
        view.add_item(Vote("down"))
        await interaction.response.send_message("Vote?", view=view)

    async with running(bot, fake):
        await bot.tree.sync()
        command = await fake.slash_command("poll")
        await command.response()
        assert command.original_message is not None

        press = await fake.press_button(command.original_message, "vote:down")
        response = await press.response()

    assert response["type"] == 4
    assert (response["data"]["content"], response["data"]["flags"]) == ("voted down", 64)


@pytest.mark.parametrize("code", [4000, 1001])
async def test_dropped_gateway_is_resumed_without_losing_events(
    fake: FakeDiscord, code: int
) -> None:
    bot = make_bot()
    received: asyncio.Queue[str] = asyncio.Queue()
    resumed = asyncio.Event()

    @bot.listen("on_resumed")
    async def on_resumed() -> None:
        resumed.set()

    @bot.listen("on_message")
    async def on_message(message: discord.Message) -> None:
        await received.put(message.content)

    async with running(bot, fake):
        await fake.drop_gateway(code)
        await fake.send_message("sent while disconnected")  # buffered, replayed on RESUME
        await fake.wait_connected()
        await asyncio.wait_for(resumed.wait(), timeout=2)
        assert (fake.identify_count, fake.resume_count) == (1, 1)

        await fake.send_message("sent after resuming")
        got = [await asyncio.wait_for(received.get(), timeout=2) for _ in range(2)]
        assert got == ["sent while disconnected", "sent after resuming"]

        await text_channel(bot, fake.channel_id).send("still works")


async def test_rate_limited_send_is_retried_after_retry_after(fake: FakeDiscord) -> None:
    async with running(make_bot(), fake) as bot:
        fake.fail_next("POST", r"/channels/\d+/messages", 429, retry_after=0.3)
        since = fake.mark()
        message = await text_channel(bot, fake.channel_id).send("hello")

    limited, retried = [r for r in fake.requests[since:] if is_send_to(fake.channel_id)(r)]
    assert (limited.status, retried.status) == (429, 200)
    assert limited.response == {
        "message": "You are being rate limited.",
        "retry_after": 0.3,
        "global": False,
    }
    assert retried.at - limited.at >= 0.3
    assert message.id == int(retried.response["id"])


async def test_server_errors_raise_and_the_client_keeps_working(fake: FakeDiscord) -> None:
    async with running(make_bot(), fake) as bot:
        channel = text_channel(bot, fake.channel_id)

        # discord.py retries 500/502/504/524 (sleeping 1, 3, 5, 7 s); other 5xx raise at once.
        fake.fail_next("POST", r"/channels/\d+/messages", 503)
        with pytest.raises(discord.DiscordServerError) as server_error:
            await channel.send("first")
        assert server_error.value.status == 503

        fake.fail_next("POST", r"/channels/\d+/messages", 400)
        with pytest.raises(discord.HTTPException):
            await channel.send("second")

        since = fake.mark()
        message = await channel.send("third")
        assert fake.messages[str(message.id)]["content"] == "third"
        assert not bot.is_closed()

    assert [r.status for r in fake.requests[since:]] == [200]


def endpoints() -> tuple[str, str]:
    return discord.http.Route.BASE, str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)


async def test_redirect_is_undone_on_exit() -> None:
    before = endpoints()
    server = FakeDiscord()
    await server.start()
    try:
        with redirect_discord_py(server):
            inside = endpoints()
    finally:
        await server.stop()
    assert inside == (server.api_base, server.gateway_url)
    assert endpoints() == before


async def test_a_single_500_is_retried_after_a_second(fake: FakeDiscord) -> None:
    async with running(make_bot(), fake) as bot:
        fake.fail_next("POST", r"/channels/\d+/messages", 500)
        message = await text_channel(bot, fake.channel_id).send("eventually")

    failed, retried = fake.requests[-2:]
    assert (failed.status, retried.status) == (500, 200)
    assert retried.at - failed.at >= 1.0
    assert fake.messages[str(message.id)]["content"] == "eventually"


async def test_unknown_routes_answer_404_json(fake: FakeDiscord) -> None:
    async with running(make_bot(), fake) as bot:
        with pytest.raises(discord.NotFound) as error:
            await bot.fetch_sticker(1234)

    assert error.value.text == "404: Not Found" and error.value.code == 0
    assert [r.path for r in not_found(fake)] == ["/stickers/1234"]
