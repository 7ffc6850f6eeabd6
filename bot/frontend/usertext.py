"""Show text that users wrote to moderators as plain text: no markdown, no live links.

Moderator views (``/kb unanswered`` and the like) list what people asked. Rendered as
Discord markdown, ``[FREE NITRO](https://…)`` shows as a clickable link carrying the
moderator's trust in the bot's own message; ``**``, ``>`` or spoiler bars could also
disguise what was asked. So markdown is escaped, every URL is put in a code span (Discord
neither links nor formats inside one), and mentions are broken so none renders as a chip.
"""

from __future__ import annotations

import re

import discord

from bot.frontend.replies import clip

# Anything with a scheme: Discord links http(s) and several app schemes (steam://, …).
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
# A grave accent that looks like a backtick but does not end a code span.
_BACKTICK_LOOKALIKE = "ˋ"
_BRACKET = re.compile(r"(\\*)([\[\]()])")


def plain(text: str, limit: int | None = None) -> str:
    """``text`` (clipped to ``limit`` first) as inert Discord text."""
    if limit is not None:
        text = clip(text, limit)
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        parts.append(_escape(text[last : match.start()]))
        parts.append(f"`{match.group().replace('`', _BACKTICK_LOOKALIKE)}`")
        last = match.end()
    parts.append(_escape(text[last:]))
    return "".join(parts)


def _escape(text: str) -> str:
    escaped = discord.utils.escape_markdown(text)  # also doubles the user's backslashes
    # escape_markdown escapes brackets only as a whole masked link, and with one backslash
    # before its "[": escape each bracket and parenthesis that an even run of backslashes
    # (none, or the user's own, doubled) leaves live.
    escaped = _BRACKET.sub(lambda m: m[1] + ("\\" if len(m[1]) % 2 == 0 else "") + m[2], escaped)
    return discord.utils.escape_mentions(escaped)
