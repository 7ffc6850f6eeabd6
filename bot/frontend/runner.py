"""``tourbot run``: settings, knowledge, question log, then the Discord client.

Startup failures an operator can fix end with one line on stderr and an exit code of
their own (no traceback); SIGTERM (what ``docker stop`` sends) and SIGINT shut down
gracefully and exit 0. docs/operations.md lists the codes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
import sys

import discord

from bot.frontend.client import TourBot, apply_endpoints
from bot.knowledge.loader import KnowledgeError
from bot.knowledge.teach import remove_stale_temp_files
from bot.moderation.questionlog import QuestionLog
from bot.service import AnswerService
from bot.settings import SettingsError, configure_logging, load_settings

log = logging.getLogger("tourbot")

# Exit codes of `tourbot run` (docs/operations.md). 1 and 2 are the CLI's own (cli.py:
# EXIT_FAILED, EXIT_USAGE); the rest are new, one per cause an operator fixes differently.
EXIT_OK = 0  # stopped by SIGTERM/SIGINT (or Discord closed the session normally)
EXIT_KNOWLEDGE = 1  # the knowledge files have problems
EXIT_SETTINGS = 2  # a setting is missing or malformed
EXIT_TOKEN = 3  # Discord rejected the token (HTTP 401 at login, or gateway close 4004)
EXIT_INTENTS = 4  # the Message Content intent is not enabled (gateway close 4014)
EXIT_DATABASE = 5  # the question log cannot be opened or created
EXIT_GATEWAY = 6  # Discord closed the gateway for good for another reason (4010-4013)

# Discord's gateway close codes (discord.com/developers/docs/topics/opcodes-and-status-codes).
CLOSE_AUTHENTICATION_FAILED = 4004


def fail(message: str, code: int) -> int:
    print(f"tourbot run: {message}", file=sys.stderr)
    return code


def _stop_while_starting(signum: int, frame: object) -> None:
    """Before the client runs there is nothing in flight to finish: just exit 0. Also,
    as a container's PID 1 the process would otherwise ignore SIGTERM altogether, and
    `docker stop` would wait its full 10 s to kill it."""
    raise SystemExit(EXIT_OK)


def run() -> int:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop_while_starting)  # serve() installs the graceful ones
    try:
        settings = load_settings()
    except SettingsError as err:
        return fail(str(err), EXIT_SETTINGS)
    configure_logging(settings.log_level)
    remove_stale_temp_files(settings.knowledge_dir)
    try:
        service = AnswerService(settings.knowledge_dir)
    except KnowledgeError as err:
        print(
            f"tourbot run: the knowledge in {settings.knowledge_dir} has problems:", file=sys.stderr
        )
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_KNOWLEDGE
    question_log = None
    if settings.database is not None:
        try:
            question_log = QuestionLog(settings.database)
        except (sqlite3.Error, OSError) as err:
            return fail(
                f"cannot open the question log {settings.database}: {err} "
                "(set TOURBOT_DATABASE to a writable path, or TOURBOT_QUESTION_LOG=off)",
                EXIT_DATABASE,
            )
    apply_endpoints(settings)
    bot = TourBot(settings, service, question_log)
    try:
        asyncio.run(serve(bot, settings.token))
    except discord.LoginFailure:
        return fail("Discord rejected DISCORD_TOKEN (check the bot token)", EXIT_TOKEN)
    except discord.PrivilegedIntentsRequired:
        return fail(
            "enable the Message Content intent in the Discord developer portal", EXIT_INTENTS
        )
    except discord.ConnectionClosed as err:
        if err.code == CLOSE_AUTHENTICATION_FAILED:
            return fail(
                "Discord rejected DISCORD_TOKEN at the gateway (close code 4004)", EXIT_TOKEN
            )
        return fail(f"Discord closed the gateway for good (close code {err.code})", EXIT_GATEWAY)
    finally:
        service.close()  # the child that builds reloads (bot.builder), if one was started
        if question_log is not None:
            question_log.close()  # WAL mode: closing checkpoints the log into its file
        logging.shutdown()
    return EXIT_OK


async def serve(bot: TourBot, token: str) -> None:
    """Run the bot until Discord ends the session or SIGTERM/SIGINT asks it to stop.

    On a signal: no new questions are taken, replies in flight get a bounded time to be
    sent (one may be waiting out a 429), the gateway is closed with code 1000 and the
    question log is closed. A second signal skips the wait.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    received: list[str] = []

    def on_signal(signum: int) -> None:
        received.append(signal.Signals(signum).name)
        if stop.is_set():  # asked twice: stop waiting for replies
            bot.in_flight.give_up()
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    running = asyncio.create_task(bot.start(token), name="tourbot-client")
    stopping = asyncio.create_task(stop.wait(), name="tourbot-signals")
    try:
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            log.info("%s received: shutting down", received[0])
            await bot.shutdown()
            with contextlib.suppress(asyncio.CancelledError):  # its reader was stopped
                await running
            log.info("stopped")
        else:
            await running
    finally:
        stopping.cancel()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        if not bot.is_closed():
            await bot.close()
