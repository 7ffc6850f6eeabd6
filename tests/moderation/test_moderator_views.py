"""What users typed reaches moderators as plain text: no markdown, no clickable links.

``/kb unanswered`` lists users' questions verbatim; before the fix a phishing question
``[FREE NITRO](https://…)`` showed there as a clickable link inside the bot's own message.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.frontend.usertext import plain
from tests.fake_discord import FakeDiscord

pytestmark = pytest.mark.e2e

PHISH = "[FREE NITRO](https://evil.example/nitro) **claim** it at https://evil.example/now"
# A markdown link Discord would render: [text](url) with neither bracket escaped.
LIVE_MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\((?!\\)")


def outside_code_spans(text: str) -> str:
    return re.sub(r"`[^`]*`", "", text)


async def test_unanswered_shows_users_markdown_and_links_inert(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    await harness.reply_to(lambda: fake.mention_bot(PHISH))
    interaction = await fake.slash_command("kb", [], subcommand="unanswered", user=fake.moderator)
    content = (await interaction.answer(timeout=10))["content"]

    assert "FREE NITRO" in content
    assert not LIVE_MASKED_LINK.search(content), content
    assert "https://" not in outside_code_spans(content), "every URL sits in a code span"
    assert "**claim**" not in content and r"\*\*claim\*\*" in content


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("[a](https://x.example)", r"\[a\]\(`https://x.example)`"),
        ("[a](b)", r"\[a\]\(b\)"),
        ("**bold** ||spoiler||", r"\*\*bold\*\* \|\|spoiler\|\|"),
        (r"\[a](b)", r"\\\[a\]\(b\)"),  # the user's backslash cannot cancel an escape
        ("see steam://run/1`x", "see `steam://run/1ˋx`"),  # no backtick ends the code span
        ("@everyone hi", "@\u200beveryone hi"),
    ],
)
def test_plain_makes_text_inert(typed: str, shown: str) -> None:
    assert plain(typed) == shown
