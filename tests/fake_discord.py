"""A loopback fake of Discord (REST API + gateway websocket) for end-to-end tests.

The fake serves one guild with two text channels, four members and a bot user on
``127.0.0.1``. A real :class:`discord.Client` connects to it over real sockets once
:func:`redirect_discord_py` has pointed discord.py at it::

    fake = FakeDiscord()
    await fake.start()
    with redirect_discord_py(fake):
        task = asyncio.create_task(client.start("any.fake.token"))
        await fake.wait_connected()
        since = fake.mark()
        await fake.mention_bot("when is the tour?")
        reply = await fake.wait_for_request(
            lambda r: r.method == "POST" and r.path.endswith("/messages"), since=since
        )
        await client.close()
        await task
    await fake.stop()

What the fake does:

* REST (under ``/api/v10``): the routes discord.py uses to log in, sync application
  commands, send/edit/delete messages, react, type, answer interactions and send
  interaction follow-ups. Every call is kept in :attr:`FakeDiscord.requests`; unknown
  routes are logged and answered with Discord's 404 body so a test notices them.
  :meth:`FakeDiscord.fail_next` injects 429s (with the headers and body discord.py
  expects) or 5xx errors.
* Gateway (``/gateway``): HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeat ACKs,
  RESUME -> replay of missed events + RESUMED, member chunk requests. Events are
  numbered per session and buffered, so nothing dispatched while the bot is
  reconnecting is lost. :meth:`FakeDiscord.drop_gateway` closes the bot's socket.
* Test-side actions: :meth:`FakeDiscord.send_message`, :meth:`FakeDiscord.mention_bot`,
  :meth:`FakeDiscord.slash_command`, :meth:`FakeDiscord.autocomplete`,
  :meth:`FakeDiscord.press_button` and the general :meth:`FakeDiscord.dispatch`.

Everything runs on the test's event loop; there are no threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime
import hashlib
import itertools
import json
import logging
import math
import re
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from http import HTTPStatus
from typing import Any, TypeVar

import discord
import yarl
from aiohttp import BodyPartReader, WSMsgType, web
from multidict import CIMultiDictProxy

__all__ = [
    "FakeDiscord",
    "FakeInteraction",
    "RecordedRequest",
    "UploadedFile",
    "redirect_discord_py",
]

log = logging.getLogger(__name__)

JSON = dict[str, Any]
T = TypeVar("T")

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
POLL_INTERVAL = 0.05  # seconds between re-checks in FakeDiscord.wait_until

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
ALL_PERMISSIONS = (1 << 53) - 1
EVERYONE_PERMISSIONS = (
    ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
)
MODERATOR_PERMISSIONS = MANAGE_GUILD | MANAGE_MESSAGES

# Message flags.
EPHEMERAL = 1 << 6
LOADING = 1 << 7


class Op(IntEnum):
    """Gateway opcodes."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class InteractionType(IntEnum):
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType(IntEnum):
    """``type`` of the body a bot POSTs to ``/interactions/{id}/{token}/callback``."""

    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


# -- records handed to tests ---------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One REST call the bot made, and what the fake answered."""

    method: str
    path: str  # without the /api/v10 prefix, e.g. "/channels/123/messages"
    query: dict[str, str]
    json: Any  # parsed JSON body (or multipart ``payload_json``); None when absent
    headers: CIMultiDictProxy[str]
    files: list[UploadedFile] = field(default_factory=list)
    at: float = 0.0  # time.monotonic() on arrival
    status: int = 0  # filled in once answered
    response: Any = None  # the JSON body the fake answered with (a snapshot), None for 204


class FakeInteraction:
    """Handle on an interaction the fake dispatched; awaits the bot's answers to it."""

    def __init__(self, fake: FakeDiscord, payload: JSON) -> None:
        self._fake = fake
        self.payload = payload
        self.id: str = payload["id"]
        self.token: str = payload["token"]

    def __repr__(self) -> str:
        return f"<FakeInteraction id={self.id} type={self.payload['type']}>"

    async def response(self, timeout: float = 5.0) -> JSON:
        """The body the bot POSTed to the callback, e.g. ``{"type": 4, "data": {...}}``."""
        path = f"/interactions/{self.id}/{self.token}/callback"
        request = await self._fake.wait_for_request(
            lambda r: r.method == "POST" and r.path == path, timeout
        )
        body: JSON = request.json
        return body

    async def answer(self, timeout: float = 5.0) -> JSON:
        """What the user finally sees: the callback's ``data``, or after a deferral
        (callback type 5) the first follow-up or edit of the original response."""
        body = await self.response(timeout)
        if body.get("type") != CallbackType.DEFERRED_CHANNEL_MESSAGE:
            data: JSON = body.get("data") or {}
            return data
        (first, *_) = await self.followups(1, timeout)
        followed: JSON = first.json or {}
        return followed

    async def followups(self, count: int = 1, timeout: float = 5.0) -> list[RecordedRequest]:
        """Wait for at least *count* webhook calls on this interaction's token, return them all.

        That covers follow-up messages (``POST /webhooks/{app}/{token}``) and edits of the
        original response or of follow-ups (``PATCH .../messages/@original`` or ``/{id}``).
        """
        prefix = f"/webhooks/{self._fake.application_id}/{self.token}"

        def matching() -> list[RecordedRequest] | None:
            found = [
                r
                for r in self._fake.requests
                if r.path.startswith(prefix) and r.method in ("POST", "PATCH")
            ]
            return found if len(found) >= count else None

        return await self._fake.wait_until(matching, timeout, f"{count} follow-up(s) on {self}")

    @property
    def original_message(self) -> JSON | None:
        """The message the response created or updated (live object), if any."""
        record = self._fake._interactions.get(self.token)
        if record is None or record.original_message_id is None:
            return None
        return self._fake.messages.get(record.original_message_id)


# -- internal state ---------------------------------------------------------------------------


@dataclass
class _Reply:
    status: int
    body: Any = None  # None -> empty 204-style body
    headers: dict[str, str] = field(default_factory=dict)


def _ok(body: Any) -> _Reply:
    return _Reply(200, body)


def _no_content() -> _Reply:
    return _Reply(204)


def _error(status: int, message: str, code: int = 0) -> _Reply:
    return _Reply(status, {"message": message, "code": code})


def _unknown_message() -> _Reply:
    return _error(404, "Unknown Message", 10008)


@dataclass
class _Failure:
    """A pending injected failure (see :meth:`FakeDiscord.fail_next`)."""

    method: str
    pattern: re.Pattern[str]
    status: int
    retry_after: float
    remaining: int

    def reply(self) -> _Reply:
        if self.status != HTTPStatus.TOO_MANY_REQUESTS:
            phrase = HTTPStatus(self.status).phrase
            return _error(self.status, f"{self.status}: {phrase}")
        bucket = hashlib.md5(f"{self.method} {self.pattern.pattern}".encode()).hexdigest()
        body = {
            "message": "You are being rate limited.",
            "retry_after": self.retry_after,
            "global": False,
        }
        headers = {
            "Retry-After": str(math.ceil(self.retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Scope": "user",
        }
        return _Reply(429, body, headers)


@dataclass
class _Session:
    """A gateway session: its id and every dispatch frame sent in it (frame s = index + 1)."""

    session_id: str
    events: list[JSON] = field(default_factory=list)

    @property
    def seq(self) -> int:
        return len(self.events)

    def add(self, event: str, data: Any) -> JSON:
        frame = {"op": Op.DISPATCH, "t": event, "s": self.seq + 1, "d": data}
        self.events.append(frame)
        return frame


@dataclass
class _InteractionRecord:
    id: str
    token: str
    type: int
    channel_id: str
    source_message_id: str | None = None  # the message a component sits on
    original_message_id: str | None = None  # what "@original" refers to
    responded: bool = False


_RestHandler = Callable[[RecordedRequest, re.Match[str]], Awaitable[_Reply]]

_snowflake_counter = itertools.count()


def _snowflake() -> str:
    """A fresh, time-ordered Discord snowflake."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return str((ms << 22) | (next(_snowflake_counter) % 4096))


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


def _user(username: str, *, bot: bool = False) -> JSON:
    return {
        "id": _snowflake(),
        "username": username,
        "discriminator": "0",
        "global_name": None if bot else username.capitalize(),
        "avatar": None,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
    }


def _typed_option(option: Mapping[str, Any]) -> JSON:
    """Copy of a command option with ``type`` inferred from its value when missing."""
    typed = dict(option)
    if "type" not in typed:
        value = typed.get("value")
        if isinstance(value, bool):
            typed["type"] = 5
        elif isinstance(value, int):
            typed["type"] = 4
        elif isinstance(value, float):
            typed["type"] = 10
        else:
            typed["type"] = 3
    return typed


def _nest_options(options: list[JSON], subcommand: str | None) -> list[JSON]:
    """Wrap options for ``"sub"`` (type 1) or ``"group sub"`` (type 2 around type 1)."""
    if not subcommand:
        return options
    *groups, name = subcommand.split()
    nested = [{"type": 1, "name": name, "options": options}]
    for group in reversed(groups):
        nested = [{"type": 2, "name": group, "options": nested}]
    return nested


def _walk_components(components: Sequence[JSON]) -> Iterator[JSON]:
    for component in components:
        yield component
        yield from _walk_components(component.get("components") or [])
        if "accessory" in component:
            yield from _walk_components([component["accessory"]])


# -- the server ---------------------------------------------------------------------------------


class FakeDiscord:
    """A fake Discord with one guild, served on 127.0.0.1 (see the module docstring)."""

    def __init__(self, *, heartbeat_interval_ms: int = 41250) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms

        # The world: a bot, its owner, a moderator, an ordinary member and another bot.
        self.bot_user: JSON = {**_user("tourbot", bot=True), "verified": True}
        self.application_id: str = self.bot_user["id"]
        self.owner: JSON = _user("owner")
        self.moderator: JSON = _user("moderator")
        self.member: JSON = _user("member")
        self.other_bot: JSON = _user("otherbot", bot=True)
        self.guild_id: str = _snowflake()
        self.moderator_role_id: str = _snowflake()
        self.channel_id: str = _snowflake()
        self.other_channel_id: str = _snowflake()
        # The role Discord makes for a bot when it joins (managed, tagged with its id):
        # members often mention it instead of the bot, picking "@tourbot" from the list.
        self.bot_role_id: str = _snowflake()
        bot_role = self._role(self.bot_role_id, "tourbot", 0, position=2)
        bot_role.update(managed=True, tags={"bot_id": self.bot_user["id"]})
        self._roles: list[JSON] = [
            self._role(self.guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0),
            self._role(self.moderator_role_id, "Moderator", MODERATOR_PERMISSIONS, position=1),
            bot_role,
        ]
        self._channels: dict[str, JSON] = {
            self.channel_id: self._text_channel(self.channel_id, "general", 0),
            self.other_channel_id: self._text_channel(self.other_channel_id, "off-topic", 1),
        }
        # A thread in the off-topic channel (a forum post is such a thread too).
        self.thread_id: str = _snowflake()
        self._threads: dict[str, JSON] = {
            self.thread_id: self._thread(self.thread_id, self.other_channel_id, "a question")
        }
        # A direct-message channel between the bot and the member (not a guild channel).
        self.dm_channel_id: str = _snowflake()
        self._dm_channels: dict[str, JSON] = {
            self.dm_channel_id: {"id": self.dm_channel_id, "type": 1, "recipients": [self.member]}
        }
        self._users: dict[str, JSON] = {}
        self._member_roles: dict[str, list[str]] = {}
        self._joined_at = _now()
        for user in (self.owner, self.member, self.other_bot):
            self._add_member(user, roles=[])
        self._add_member(self.bot_user, roles=[self.bot_role_id])
        self._add_member(self.moderator, roles=[self.moderator_role_id])

        # What tests inspect.
        self.requests: list[RecordedRequest] = []
        self.commands: list[JSON] = []
        self.messages: dict[str, JSON] = {}
        self.identify_count = 0
        self.resume_count = 0
        self.hellos: list[float] = []  # time.monotonic() of each HELLO sent
        # The close code of every gateway socket that has ended (None: no close frame, as
        # when the bot's process died; aiohttp then reports 1006, "abnormal closure").
        self.close_codes: list[int | None] = []
        # When set, IDENTIFY is answered by closing the socket with this code (4004 is
        # Discord's "Authentication failed": a revoked or wrong token).
        self.reject_identify: int | None = None

        self._command_sets: dict[str | None, list[JSON]] = {}  # by guild id, None = global
        self._user_messages: dict[str, JSON] = {}  # dispatched by the test side
        self._interactions: dict[str, _InteractionRecord] = {}  # by token
        self._failures: list[_Failure] = []
        self._session: _Session | None = None
        self._live: web.WebSocketResponse | None = None  # socket attached to the session
        self._sockets: set[web.WebSocketResponse] = set()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._routes: list[tuple[str, re.Pattern[str], _RestHandler]] = self._route_table()

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close any gateway sockets still open and stop listening."""
        self._live = None
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"server stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"http://127.0.0.1:{self._require_port()}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (as a yarl.URL)."""
        return f"ws://127.0.0.1:{self._require_port()}/gateway"

    def _require_port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord.start() has not been awaited")
        return self._port

    # -- waiting --------------------------------------------------------------------------

    async def wait_connected(self, timeout: float = 10) -> None:
        """Wait until the bot has IDENTIFIED or RESUMED and been sent READY or RESUMED."""
        await self.wait_until(
            lambda: True if self._live is not None else None, timeout, "the bot to connect"
        )

    def mark(self) -> int:
        """A cursor for :meth:`wait_for_request`: the number of requests recorded so far."""
        return len(self.requests)

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = 5,
        *,
        since: int = 0,
    ) -> RecordedRequest:
        """The first request at index >= *since* matching *predicate*, waiting if needed.

        Take ``since = fake.mark()`` before triggering the bot so that a request that
        arrives before this call starts waiting is still found, and older ones are not.
        """

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests[since:] if predicate(r)), None)

        return await self.wait_until(find, timeout, "a matching request")

    async def wait_until(
        self, find: Callable[[], T | None], timeout: float = 5, what: str = "a condition"
    ) -> T:
        """Re-run *find* until it returns non-None.

        It runs after every REST call and gateway (re)connection, and at least every
        :data:`POLL_INTERVAL` seconds so that conditions on the bot's own state work too.
        """
        async with self._changed:
            try:
                async with asyncio.timeout(timeout):
                    while (found := find()) is None:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._changed.wait(), POLL_INTERVAL)
            except TimeoutError:
                message = f"FakeDiscord: timed out after {timeout}s waiting for {what}"
                raise TimeoutError(message) from None
        return found

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- fault injection ----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next *times* REST calls matching *method* and *path_regex* with *status*.

        *path_regex* must match the whole path without ``/api/v10``
        (``re.fullmatch``), e.g. ``r"/channels/\\d+/messages"``. A 429 carries Discord's
        body ``{"message", "retry_after", "global": false}`` and ``Retry-After`` /
        ``X-RateLimit-*`` headers; *retry_after* defaults to 0.1 s. Other statuses carry
        ``{"message": "<status>: <phrase>", "code": 0}``.
        """
        self._failures.append(
            _Failure(
                method=method.upper(),
                pattern=re.compile(path_regex),
                status=status,
                retry_after=0.1 if retry_after is None else retry_after,
                remaining=times,
            )
        )

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.pattern.fullmatch(path):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the bot's gateway socket with *code*; a resumable code makes it RESUME.

        discord.py resumes after 4000 or 1001 (any code except 1000 sent by itself and the
        fatal 4004, 4010-4014); :meth:`wait_connected` then waits for the resume.
        """
        ws = self._live
        if ws is None:
            raise RuntimeError("FakeDiscord: the bot is not connected")
        self._live = None
        await ws.close(code=code, message=b"dropped by FakeDiscord")

    # -- gateway events -------------------------------------------------------------------

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH event; buffered for RESUME if the bot is between sockets."""
        if self._session is None:
            raise RuntimeError("FakeDiscord: no gateway session yet (await wait_connected())")
        frame = self._session.add(event, data)
        if self._live is not None:
            try:
                await self._live.send_json(frame)
            except ConnectionError:
                log.info("FakeDiscord: bot socket went away; %s kept for RESUME", event)
                self._live = None

    async def send_message(
        self,
        content: str,
        *,
        author: JSON | None = None,
        channel_id: str | None = None,
        mentions: Sequence[JSON] = (),
        mention_everyone: bool = False,
        mention_roles: Sequence[str] = (),
        reference_message_id: str | None = None,
    ) -> JSON:
        """Dispatch MESSAGE_CREATE for a guild message (by :attr:`member` by default)."""
        author = author or self.member
        message = self._message(
            channel_id or self.channel_id,
            author,
            {"content": content},
            reference_message_id=reference_message_id,
        )
        message["member"] = self._member_payload(author, with_user=False)
        message["mentions"] = [
            {**user, "member": self._member_payload(user, with_user=False)} for user in mentions
        ]
        message["mention_everyone"] = mention_everyone
        message["mention_roles"] = list(mention_roles)
        self._user_messages[message["id"]] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def edit_message(self, message: JSON, content: str) -> JSON:
        """Dispatch MESSAGE_UPDATE: the member edited one of their messages to ``content``."""
        edited = {**message, "content": content, "edited_timestamp": _now()}
        self._user_messages[message["id"]] = edited
        await self.dispatch("MESSAGE_UPDATE", edited)
        return edited

    async def delete_message(self, message: JSON) -> None:
        """Dispatch MESSAGE_DELETE: the member deleted one of their messages."""
        self._user_messages.pop(message["id"], None)
        deleted = {"id": message["id"], "channel_id": message["channel_id"]}
        if "guild_id" in message:
            deleted["guild_id"] = message["guild_id"]
        await self.dispatch("MESSAGE_DELETE", deleted)

    async def send_dm(self, content: str, *, author: JSON | None = None) -> JSON:
        """Dispatch MESSAGE_CREATE for a direct message to the bot (no guild, no member)."""
        message = self._message(self.dm_channel_id, author or self.member, {"content": content})
        del message["guild_id"]
        self._user_messages[message["id"]] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def mention_bot(self, text: str, **kwargs: Any) -> JSON:
        """:meth:`send_message` with content ``"<@BOT_ID> text"`` and the bot in mentions."""
        mentions = [self.bot_user, *kwargs.pop("mentions", ())]
        return await self.send_message(
            f"<@{self.bot_user['id']}> {text}", mentions=mentions, **kwargs
        )

    async def slash_command(
        self,
        name: str,
        options: list[JSON] | None = None,
        *,
        user: JSON | None = None,
        permissions: str | None = None,
        subcommand: str | None = None,
    ) -> FakeInteraction:
        """Dispatch a chat-input command (INTERACTION_CREATE type 2).

        *options* are Discord-shaped (``{"name": ..., "value": ...}``; ``type`` is inferred
        from the value when missing). *subcommand* is ``"sub"`` or ``"group sub"``.
        *permissions* overrides the invoking member's computed permission string.
        """
        typed = [_typed_option(option) for option in options or []]
        data = self._command_data(name, _nest_options(typed, subcommand))
        return await self._interact(
            InteractionType.APPLICATION_COMMAND, data, user=user, permissions=permissions
        )

    async def autocomplete(
        self,
        name: str,
        focused_option: str,
        value: str,
        *,
        other_options: list[JSON] | None = None,
        subcommand: str | None = None,
        user: JSON | None = None,
    ) -> FakeInteraction:
        """Dispatch an autocomplete request (INTERACTION_CREATE type 4) for one option."""
        focused = {"name": focused_option, "type": 3, "value": value, "focused": True}
        typed = [_typed_option(option) for option in other_options or []]
        data = self._command_data(name, _nest_options([*typed, focused], subcommand))
        return await self._interact(InteractionType.AUTOCOMPLETE, data, user=user)

    async def press_button(
        self, message: JSON, custom_id: str, *, user: JSON | None = None
    ) -> FakeInteraction:
        """Dispatch a component interaction (type 3) on a message the bot sent."""
        stored = self.messages.get(message["id"])
        if stored is None:
            raise LookupError(f"FakeDiscord: message {message['id']} was not sent by the bot")
        components = list(_walk_components(stored.get("components") or []))
        component = next((c for c in components if c.get("custom_id") == custom_id), None)
        if component is None:
            known = [c["custom_id"] for c in components if "custom_id" in c]
            raise LookupError(f"FakeDiscord: no component {custom_id!r} on the message: {known}")
        data = {"custom_id": custom_id, "component_type": component["type"]}
        return await self._interact(
            InteractionType.MESSAGE_COMPONENT, data, user=user, message=stored
        )

    async def submit_modal(
        self, modal: JSON, values: Mapping[str, str], *, user: JSON | None = None
    ) -> FakeInteraction:
        """Fill in and submit a modal the bot opened (INTERACTION_CREATE type 5).

        *modal* is the ``data`` of the bot's type-9 callback; *values* maps each text
        input's label (or custom_id) to what the user typed. The answer mirrors the
        modal's layout: a text input sent inside a label (type 18) comes back inside one,
        one sent in an action row (type 1) comes back in a row.
        """
        answered: list[JSON] = []
        for component in modal.get("components") or []:
            inner = component.get("component")
            if component.get("type") == 18 and isinstance(inner, dict):
                key = values.get(component.get("label", ""), values.get(inner["custom_id"]))
                value = {"type": 4, "custom_id": inner["custom_id"], "value": key or ""}
                answered.append({"type": 18, "component": value})
                continue
            row = []
            for child in component.get("components") or []:
                if child.get("type") == 4:
                    typed = values.get(child.get("label", ""), values.get(child["custom_id"]))
                    row.append({"type": 4, "custom_id": child["custom_id"], "value": typed or ""})
            answered.append({"type": 1, "components": row})
        data = {"custom_id": modal["custom_id"], "components": answered}
        return await self._interact(InteractionType.MODAL_SUBMIT, data, user=user)

    def _command_data(self, name: str, options: list[JSON]) -> JSON:
        """Interaction ``data`` for a command, using the synced definition's id and scope."""
        command = next(
            (
                c
                for scope in (self.guild_id, None)
                for c in self._command_sets.get(scope, [])
                if c["name"] == name and c.get("type", 1) == 1
            ),
            None,
        )
        data: JSON = {
            "id": command["id"] if command else _snowflake(),
            "name": name,
            "type": 1,
            "options": options,
        }
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    async def _interact(
        self,
        kind: InteractionType,
        data: JSON,
        *,
        user: JSON | None,
        permissions: str | None = None,
        message: JSON | None = None,
    ) -> FakeInteraction:
        user = user or self.member
        channel_id = message["channel_id"] if message else self.channel_id
        record = _InteractionRecord(
            id=_snowflake(),
            token=f"fake-token-{uuid.uuid4().hex}",
            type=kind,
            channel_id=channel_id,
            source_message_id=message["id"] if message else None,
        )
        member = self._member_payload(user)
        member["permissions"] = permissions or str(self._permissions(user["id"]))
        payload: JSON = {
            "id": record.id,
            "application_id": self.application_id,
            "type": int(kind),
            "data": data,
            "guild_id": self.guild_id,
            "guild": {"id": self.guild_id, "locale": "en-US", "features": []},
            "channel_id": channel_id,
            "channel": self._channels[channel_id],
            "member": member,
            "token": record.token,
            "version": 1,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str(self._permissions(self.bot_user["id"])),
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        self._interactions[record.token] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        return FakeInteraction(self, payload)

    # -- gateway --------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=2.0)
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval_ms}
            await ws.send_json({"op": Op.HELLO, "d": hello, "s": None, "t": None})
            self.hellos.append(time.monotonic())
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(ws, msg.json())
        finally:
            self._sockets.discard(ws)
            self.close_codes.append(ws.close_code)
            if self._live is ws:
                self._live = None
            await self._notify()
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: JSON) -> None:
        op = frame.get("op")
        data: JSON = frame.get("d") or {}
        if op == Op.HEARTBEAT:
            await ws.send_json({"op": Op.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == Op.IDENTIFY:
            await self._identify(ws, data)
        elif op == Op.RESUME:
            await self._resume(ws, data)
        elif op == Op.REQUEST_GUILD_MEMBERS:
            await self._send_member_chunk(data)
        elif op in (Op.PRESENCE_UPDATE, Op.VOICE_STATE_UPDATE):
            log.debug("FakeDiscord: ignoring gateway op %s", op)
        else:
            log.warning("FakeDiscord: unhandled gateway frame %r", frame)

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> None:
        self.identify_count += 1
        if self.reject_identify is not None:
            await ws.close(code=self.reject_identify, message=b"rejected by FakeDiscord")
            return
        session = _Session(session_id=uuid.uuid4().hex)
        ready: JSON = {
            "v": 10,
            "user": self.bot_user,
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "guilds": [{"id": self.guild_id, "unavailable": True}],
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        session.add("READY", ready)
        session.add("GUILD_CREATE", self._guild_payload())
        self._session = session
        await self._attach(ws, after_seq=0)

    async def _resume(self, ws: web.WebSocketResponse, data: JSON) -> None:
        session = self._session
        seq = data.get("seq") or 0
        if session is None or data.get("session_id") != session.session_id or seq > session.seq:
            await ws.send_json({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        self.resume_count += 1
        await self._attach(ws, after_seq=seq, resumed=True)

    async def _attach(
        self, ws: web.WebSocketResponse, *, after_seq: int, resumed: bool = False
    ) -> None:
        """Send the session's events after *after_seq* on *ws*, then make it the live socket."""
        assert self._session is not None
        if resumed:
            self._session.add("RESUMED", {})
        sent = after_seq
        while sent < self._session.seq:  # events dispatched meanwhile are caught up too
            await ws.send_json(self._session.events[sent])
            sent += 1
        self._live = ws  # no await since the loop's last check: nothing can slip through
        await self._notify()

    async def _send_member_chunk(self, data: JSON) -> None:
        members = [self._member_payload(user) for user in self._users.values()]
        if data.get("user_ids"):
            wanted = {str(u) for u in data["user_ids"]}
            members = [m for m in members if m["user"]["id"] in wanted]
        elif data.get("query"):
            members = [m for m in members if m["user"]["username"].startswith(data["query"])]
        chunk = {
            "guild_id": self.guild_id,
            "members": members[: data.get("limit") or None],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # -- REST -------------------------------------------------------------------------------

    def _route_table(self) -> list[tuple[str, re.Pattern[str], _RestHandler]]:
        app = r"(?P<app>\d+)"
        channel = r"/channels/(?P<channel>\d+)"
        message = channel + r"/messages/(?P<message>\d+)"
        webhook = rf"/webhooks/{app}/(?P<token>[^/]+)"
        commands = rf"/applications/{app}(?:/guilds/(?P<guild>\d+))?/commands"
        table: list[tuple[str, str, _RestHandler]] = [
            ("GET", r"/gateway(?:/bot)?", self._get_gateway),
            ("GET", r"/users/@me", self._get_me),
            ("GET", r"/oauth2/applications/@me", self._get_application),
            ("GET", commands, self._get_commands),
            ("PUT", commands, self._put_commands),
            ("GET", channel, self._get_channel),
            ("POST", channel + r"/typing", self._empty),
            ("POST", channel + r"/messages", self._create_message),
            ("GET", message, self._get_message),
            ("PATCH", message, self._edit_message),
            ("DELETE", message, self._delete_message),
            ("PUT", message + r"/reactions/[^/]+/@me", self._empty),
            ("DELETE", message + r"/reactions/[^/]+/(?:@me|\d+)", self._empty),
            ("GET", r"/guilds/(?P<guild>\d+)", self._get_guild),
            ("GET", r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)", self._get_member),
            ("POST", r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", webhook, self._create_followup),
            ("GET", webhook + r"/messages/(?P<message>@original|\d+)", self._get_webhook_message),
            (
                "PATCH",
                webhook + r"/messages/(?P<message>@original|\d+)",
                self._edit_webhook_message,
            ),
            (
                "DELETE",
                webhook + r"/messages/(?P<message>@original|\d+)",
                self._delete_webhook_message,
            ),
        ]
        return [(method, re.compile(pattern), handler) for method, pattern, handler in table]

    async def _rest(self, request: web.Request) -> web.Response:
        body, files = await self._read_body(request)
        recorded = RecordedRequest(
            method=request.method,
            path="/" + request.match_info["path"],
            query=dict(request.query),
            json=body,
            headers=request.headers,
            files=files,
            at=time.monotonic(),
        )
        failure = self._take_failure(recorded.method, recorded.path)
        reply = failure.reply() if failure else await self._handle(recorded)
        text = None if reply.body is None else json.dumps(reply.body)
        recorded.status = reply.status
        recorded.response = None if text is None else json.loads(text)
        self.requests.append(recorded)
        await self._notify()
        # Exactly "application/json": discord.py only parses bodies with that content type.
        # Discord's 429s carry "Via"; without it discord.py assumes a Cloudflare ban.
        headers = {"Via": "1.1 google", **reply.headers}
        if text is None:
            return web.Response(status=reply.status, headers=headers)
        return web.Response(
            status=reply.status,
            body=text.encode(),
            content_type="application/json",  # bytes body: aiohttp adds no "; charset=..."
            headers=headers,
        )

    async def _route(self, request: RecordedRequest) -> _Reply:
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if method == request.method and match:
                return await handler(request, match)
        log.warning("FakeDiscord: unhandled route %s %s", request.method, request.path)
        return _error(404, "404: Not Found")

    async def _handle(self, request: RecordedRequest) -> _Reply:
        """Route the request; a crash in the fake becomes a 400 (a 500 would be retried)."""
        try:
            return await self._route(request)
        except Exception as exc:
            log.exception("FakeDiscord: error handling %s %s", request.method, request.path)
            return _error(400, f"FakeDiscord failed: {exc!r}", 50035)

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
        """The JSON body (or multipart ``payload_json``) and any uploaded files."""
        if request.content_type == "multipart/form-data":
            body: Any = None
            files: list[UploadedFile] = []
            async for part in await request.multipart():
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    files.append(
                        UploadedFile(
                            field=part.name or "",
                            filename=part.filename,
                            content_type=part.headers.get("Content-Type"),
                            data=bytes(await part.read()),
                        )
                    )
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    # Route handlers. Each takes the recorded request and the path match.

    async def _empty(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        return _no_content()

    async def _get_gateway(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _ok({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_me(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        return _ok(self.bot_user)

    async def _get_application(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        return _ok(
            {
                "id": self.application_id,
                "name": self.bot_user["username"],
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": self.owner,
                "team": None,
                "flags": 0,
                "bot": self.bot_user,
                "interactions_endpoint_url": None,
                "rpc_origins": [],
                "tags": [],
            }
        )

    async def _get_commands(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        return _ok(self._command_sets.get(match["guild"], []))

    async def _put_commands(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        """Bulk overwrite: echo the commands with ids, keeping ids of same-named ones."""
        scope = match["guild"]
        previous = {(c["name"], c["type"]): c["id"] for c in self._command_sets.get(scope, [])}
        synced = []
        for command in request.json or []:
            kind = command.get("type", 1)
            synced.append(
                {
                    "default_member_permissions": None,
                    "nsfw": False,
                    **command,
                    "id": previous.get((command["name"], kind)) or _snowflake(),
                    "application_id": self.application_id,
                    "type": kind,
                    "description": command.get("description", ""),
                    "version": _snowflake(),
                    **({"guild_id": scope} if scope else {}),
                }
            )
        self._command_sets[scope] = synced
        self.commands = synced
        return _ok(synced)

    async def _get_channel(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        channel = self._channels.get(match["channel"])
        return _ok(channel) if channel else _error(404, "Unknown Channel", 10003)

    async def _get_guild(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        if match["guild"] != self.guild_id:
            return _error(404, "Unknown Guild", 10004)
        return _ok({k: v for k, v in self._guild_payload().items() if k != "members"})

    async def _get_member(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        if match["guild"] != self.guild_id or match["user"] not in self._member_roles:
            return _error(404, "Unknown Member", 10007)
        return _ok(self._member_payload(self._users[match["user"]]))

    async def _create_message(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        if not any(
            match["channel"] in c for c in (self._channels, self._threads, self._dm_channels)
        ):
            return _error(404, "Unknown Channel", 10003)
        return _ok(self._bot_message(match["channel"], request.json or {}, request.files))

    def _channel_message(self, match: re.Match[str]) -> JSON | None:
        message = self.messages.get(match["message"])
        return message if message and message["channel_id"] == match["channel"] else None

    async def _get_message(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        message = self._channel_message(match) or self._user_messages.get(match["message"])
        return _ok(message) if message else _unknown_message()

    async def _edit_message(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        message = self._channel_message(match)
        if message is None:
            return _unknown_message()
        return _ok(self._apply_edit(message, request.json or {}, request.files))

    async def _delete_message(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        if self._channel_message(match) is None:
            return _unknown_message()
        del self.messages[match["message"]]
        return _no_content()

    async def _callback(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        """An interaction response; answered with the ``with_response=1`` body."""
        record = self._interactions.get(match["token"])
        if record is None or record.id != match["id"]:
            return _error(404, "Unknown interaction", 10062)
        if record.responded:
            return _error(400, "Interaction has already been acknowledged.", 40060)
        record.responded = True
        body: JSON = request.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        message: JSON | None = None
        if kind == CallbackType.CHANNEL_MESSAGE:
            message = self._bot_message(record.channel_id, data, request.files, interaction=True)
        elif kind == CallbackType.DEFERRED_CHANNEL_MESSAGE:
            flags = LOADING | (data.get("flags", 0) & EPHEMERAL)
            placeholder = {"content": "", "flags": flags}
            message = self._bot_message(record.channel_id, placeholder, [], interaction=True)
        elif kind in (CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE):
            message = self.messages.get(record.source_message_id or "")
            if message is not None and kind == CallbackType.UPDATE_MESSAGE:
                self._apply_edit(message, data, request.files)
        if message is not None:
            record.original_message_id = message["id"]
        result: JSON = {
            "interaction": {
                "id": record.id,
                "type": record.type,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == CallbackType.DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
            }
        }
        if message is not None:
            result["resource"] = {"type": kind, "message": message}
        return _ok(result)

    def _webhook_interaction(self, match: re.Match[str]) -> _InteractionRecord | None:
        if match["app"] != self.application_id:
            return None
        return self._interactions.get(match["token"])

    def _webhook_message(self, match: re.Match[str]) -> JSON | None:
        record = self._webhook_interaction(match)
        if record is None:
            return None
        wanted = match["message"]
        message_id = record.original_message_id if wanted == "@original" else wanted
        return self.messages.get(message_id or "")

    async def _create_followup(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        record = self._webhook_interaction(match)
        if record is None:
            return _error(404, "Unknown Webhook", 10015)
        payload = request.json or {}
        message = self._bot_message(record.channel_id, payload, request.files, interaction=True)
        wait = request.query.get("wait", "").lower() in ("1", "true")
        return _ok(message) if wait else _no_content()

    async def _get_webhook_message(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        message = self._webhook_message(match)
        return _ok(message) if message else _unknown_message()

    async def _edit_webhook_message(self, request: RecordedRequest, match: re.Match[str]) -> _Reply:
        message = self._webhook_message(match)
        if message is None:
            return _unknown_message()
        return _ok(self._apply_edit(message, request.json or {}, request.files))

    async def _delete_webhook_message(
        self, request: RecordedRequest, match: re.Match[str]
    ) -> _Reply:
        message = self._webhook_message(match)
        if message is None:
            return _unknown_message()
        del self.messages[message["id"]]
        return _no_content()

    # -- messages ---------------------------------------------------------------------------

    def _message(
        self,
        channel_id: str,
        author: JSON,
        payload: Mapping[str, Any],
        *,
        reference_message_id: str | None = None,
    ) -> JSON:
        """A complete message object as Discord returns it."""
        message: JSON = {
            "id": _snowflake(),
            "channel_id": channel_id,
            "guild_id": self.guild_id,
            "author": author,
            "content": payload.get("content") or "",
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": payload.get("embeds") or [],
            "reactions": [],
            "pinned": False,
            "type": 0,
            "flags": payload.get("flags") or 0,
            "components": payload.get("components") or [],
        }
        if "nonce" in payload:
            message["nonce"] = payload["nonce"]
        if reference_message_id is not None:
            message["type"] = 19  # REPLY
            message["message_reference"] = {
                "type": 0,
                "message_id": reference_message_id,
                "channel_id": channel_id,
                "guild_id": self.guild_id,
            }
            referenced = self.messages.get(reference_message_id) or self._user_messages.get(
                reference_message_id
            )
            if referenced is not None:
                message["referenced_message"] = copy.deepcopy(referenced)
        return message

    def _bot_message(
        self,
        channel_id: str,
        payload: Mapping[str, Any],
        files: Sequence[UploadedFile],
        *,
        interaction: bool = False,
    ) -> JSON:
        """Create and store a message the bot sent (via a channel or an interaction)."""
        reference = payload.get("message_reference") or {}
        message = self._message(
            channel_id,
            self.bot_user,
            payload,
            reference_message_id=reference.get("message_id") and str(reference["message_id"]),
        )
        message["attachments"] = self._attachments(files)
        if channel_id in self._dm_channels:
            del message["guild_id"]
            message.get("message_reference", {}).pop("guild_id", None)
        if interaction:
            message["webhook_id"] = self.application_id
            message["application_id"] = self.application_id
        self.messages[message["id"]] = message
        return message

    def _apply_edit(
        self, message: JSON, payload: Mapping[str, Any], files: Sequence[UploadedFile]
    ) -> JSON:
        """Apply a PATCH body to a stored message; an edit ends a deferred "thinking" state."""
        defaults: JSON = {"content": "", "embeds": [], "components": [], "flags": 0}
        for key, default in defaults.items():
            if key in payload:
                message[key] = payload[key] if payload[key] is not None else default
        if "attachments" in payload:
            kept = {str(a.get("id")) for a in payload["attachments"] or []}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in kept]
        message["attachments"] = message["attachments"] + self._attachments(files)
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = _now()
        return message

    def _attachments(self, files: Sequence[UploadedFile]) -> list[JSON]:
        attachments = []
        for upload in files:
            attachment_id = _snowflake()
            filename = upload.filename or upload.field
            url = f"http://127.0.0.1:{self._require_port()}/attachments/{attachment_id}/{filename}"
            attachments.append(
                {
                    "id": attachment_id,
                    "filename": filename,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": upload.content_type,
                }
            )
        return attachments

    # -- the guild --------------------------------------------------------------------------

    @staticmethod
    def _role(role_id: str, name: str, permissions: int, *, position: int) -> JSON:
        return {
            "id": role_id,
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": False,
            "mentionable": position > 0,
            "flags": 0,
        }

    def _text_channel(self, channel_id: str, name: str, position: int) -> JSON:
        return {
            "id": channel_id,
            "type": 0,
            "guild_id": self.guild_id,
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }

    def _thread(self, thread_id: str, parent_id: str, name: str) -> JSON:
        return {
            "id": thread_id,
            "type": 11,  # a public thread
            "guild_id": self.guild_id,
            "parent_id": parent_id,
            "owner_id": self.member["id"],
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": _now(),
                "locked": False,
            },
        }

    def _add_member(self, user: JSON, *, roles: list[str]) -> None:
        self._users[user["id"]] = user
        self._member_roles[user["id"]] = roles

    def _member_payload(self, user: JSON, *, with_user: bool = True) -> JSON:
        """A guild member object (users not in the guild get a role-less member)."""
        member: JSON = {
            "nick": None,
            "avatar": None,
            "roles": list(self._member_roles.get(user["id"], [])),
            "joined_at": self._joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            member["user"] = user
        return member

    def _permissions(self, user_id: str) -> int:
        """Guild-level permissions of a user: @everyone plus their roles'."""
        if user_id == self.owner["id"]:
            return ALL_PERMISSIONS
        role_ids = {self.guild_id, *self._member_roles.get(user_id, [])}
        value = 0
        for role in self._roles:
            if role["id"] in role_ids:
                value |= int(role["permissions"])
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def _guild_payload(self) -> JSON:
        """The GUILD_CREATE payload."""
        return {
            "id": self.guild_id,
            "name": "Tourbot Test Guild",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": self.owner["id"],
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "features": [],
            "system_channel_id": self.channel_id,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "vanity_url_code": None,
            "max_members": 500000,
            "joined_at": self._joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self._member_roles),
            "roles": self._roles,
            "channels": list(self._channels.values()),
            "members": [self._member_payload(user) for user in self._users.values()],
            "emojis": [],
            "stickers": [],
            "threads": list(self._threads.values()),
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@contextlib.contextmanager
def redirect_discord_py(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at *fake*; restore both on exit."""
    route, websocket = discord.http.Route, discord.gateway.DiscordWebSocket
    saved = route.BASE, websocket.DEFAULT_GATEWAY
    route.BASE = fake.api_base
    websocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        route.BASE, websocket.DEFAULT_GATEWAY = saved
