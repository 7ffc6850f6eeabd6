"""End to end: a new announcement becomes a source, facts and Q&As, passes `tourbot check`
and is answered in Discord within seconds, citing it; then /kb add adds one more."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.cli import main
from evals import NEWTOPIC, add_new_topic
from tests.fake_discord import FakeDiscord

pytestmark = pytest.mark.e2e

TITLE = "ALP and ICLEI South Asia announce online workshop on battery recycling policy"
URL = "https://example.org/alp/announcements/battery-recycling-policy-workshop"


def embed_of(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data", body)
    (embed,) = data["embeds"]
    return embed


def assert_cites_the_workshop(embed: dict[str, Any]) -> None:
    source = (NEWTOPIC / "sources" / "workshop-announcement.md").read_text(encoding="utf-8")
    assert embed["fields"]
    for field in embed["fields"]:
        assert TITLE in field["name"] and "paragraph" in field["name"]
        quote, link = field["value"].rsplit("\n", 1)
        assert quote.removeprefix("> ") in " ".join(source.split())
        assert link == f"[{TITLE}](<{URL}>)"


async def test_new_announcement_is_answered_within_seconds_and_kb_add_adds_more(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    knowledge = harness.knowledge_dir
    add_new_topic(knowledge, NEWTOPIC)
    assert main(["check", str(knowledge)]) == 0

    async with asyncio.timeout(5):  # the watcher reloads the edited files by itself
        while "ws-when" not in harness.bot.service.knowledge.qas:
            await asyncio.sleep(0.05)
    for question, expected in (
        ("when is the battery recycling workshop?", "12 March 2027"),
        ("who are the speakers at the workshop", "LOHUM"),
    ):
        reply = await harness.reply_to(lambda q=question: fake.mention_bot(q))
        embed = embed_of(reply.json)
        assert expected in embed["description"]
        assert_cites_the_workshop(embed)
        assert embed["footer"]["text"].startswith("Cited from the sources")

    # The gaps, written for the article, now speak for every source.
    reply = await harness.reply_to(lambda: fake.mention_bot("who is the CEO of LOHUM?"))
    assert "The sources here don't say" in embed_of(reply.json)["description"]

    # /kb add: a modal with question, answer, source and quote.
    opened = await fake.slash_command("kb", [], subcommand="add", user=fake.moderator)
    modal = await opened.response()
    assert modal["type"] == 9
    submitted = await fake.submit_modal(
        modal["data"],
        {
            "Question": "Is there a fee for the recycling workshop?",
            "Answer": "No: the workshop is held in English and there is no fee to attend.",
            "Source id (article, or a file in sources/)": "workshop-announcement",
            "Quote, copied word for word from the source": "there is no fee to attend",
            "Other ways of asking (one a line, optional)": (
                "is the workshop free\nhow much does the webinar cost"
            ),
        },
        user=fake.moderator,
    )
    (done,) = await submitted.followups()
    assert "Added" in done.json["content"], done.json["content"]
    reply = await harness.reply_to(lambda: fake.mention_bot("is the workshop free?"))
    embed = embed_of(reply.json)
    assert "no fee" in embed["description"]
    assert_cites_the_workshop(embed)
    assert main(["check", str(knowledge)]) == 0
    audit = (knowledge / "audit.log").read_text(encoding="utf-8")
    assert '"action": "add"' in audit and "workshop-announcement" in audit


async def test_kb_add_with_a_misquote_writes_nothing_and_says_why(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    before = (harness.knowledge_dir / "qa.yaml").read_bytes()
    opened = await fake.slash_command("kb", [], subcommand="add", user=fake.moderator)
    modal = await opened.response()
    submitted = await fake.submit_modal(
        modal["data"],
        {
            "Question": "When did the tour happen?",
            "Answer": "On January 30 and 31.",
            "Source id (article, or a file in sources/)": "article",
            "Quote, copied word for word from the source": "on January 30 and 32",
        },
        user=fake.moderator,
    )
    (done,) = await submitted.followups()
    assert "Not added" in done.json["content"] and "closest passage" in done.json["content"]
    assert (harness.knowledge_dir / "qa.yaml").read_bytes() == before
