"""``tourbot run``: settings, knowledge, question log, then the Discord client."""

from __future__ import annotations

import asyncio
import logging
import sys

import discord

from bot.frontend.client import TourBot, apply_endpoints
from bot.knowledge.loader import KnowledgeError
from bot.moderation.questionlog import QuestionLog
from bot.service import AnswerService
from bot.settings import SettingsError, configure_logging, load_settings

log = logging.getLogger("tourbot")


def run() -> int:
    try:
        settings = load_settings()
    except SettingsError as err:
        print(f"tourbot run: {err}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        service = AnswerService(settings.knowledge_dir)
    except KnowledgeError as err:
        print(
            f"tourbot run: the knowledge in {settings.knowledge_dir} has problems:", file=sys.stderr
        )
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    question_log = QuestionLog(settings.database) if settings.database else None
    apply_endpoints(settings)
    bot = TourBot(settings, service, question_log)
    try:
        asyncio.run(bot.start(settings.token))
    except discord.LoginFailure:
        print("tourbot run: Discord rejected DISCORD_TOKEN (check the bot token)", file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "tourbot run: enable the Message Content intent in the Discord developer portal",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        if question_log is not None:
            question_log.close()
    return 0
