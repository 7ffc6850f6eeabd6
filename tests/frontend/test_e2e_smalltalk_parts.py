"""Small talk and messages asking two things, over the fake Discord (real bot.start()).

Small talk ("hi") gets a short friendly text with no citation, no buttons and no fact,
and is neither answered in opted-in channels nor listed as unanswered for moderators.
A message asking two things gets one reply holding both answers, each with its quotes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from bot.frontend.replies import (
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    parts_embed,
)
from bot.knowledge.article import Article
from bot.knowledge.loader import Citation, load_knowledge
from bot.matching.answer import Answer, MatchRef, Outcome
from tests.conftest import Harness
from tests.fake_discord import FakeDiscord, RecordedRequest
from tests.frontend.test_e2e_bot import ARTICLE_TITLE, assert_pings_nobody, embed_of
from tests.helpers import SHIPPED

pytestmark = pytest.mark.e2e

GREETING = "hi bot"
TWO_QUESTIONS = "who organised it and when was it?"


def channel_posts(fake: FakeDiscord, since: int) -> list[RecordedRequest]:
    return [
        r
        for r in fake.requests[since:]
        if r.method == "POST" and r.path.startswith("/channels/") and r.path.endswith("/messages")
    ]


def logged(harness: Harness) -> list[tuple[str, str, str]]:
    """(question, source, outcome) of every row in the question log, oldest first."""
    database = harness.bot.settings.database
    assert database is not None
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT question, source, outcome FROM questions ORDER BY id")
        return [tuple(row) for row in rows]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components") or [] for c in row["components"]]


def assert_small_talk(message: dict[str, Any], harness: Harness, said: str) -> None:
    """The friendly text as plain content: no embed, citation, button or fact."""
    expected = harness.bot.service.ask(said)
    assert expected.outcome is Outcome.SMALL_TALK and expected.reply  # precondition
    assert message["content"] == expected.reply
    assert not message.get("embeds"), "small talk is a plain reply, not an answer card"
    assert not buttons(message), "no feedback buttons under small talk"
    text = str(message)
    assert "paragraph" not in text and "confidence" not in text
    knowledge = harness.bot.service.knowledge
    for fact in knowledge.facts.values():
        assert fact.citation.quote not in text and fact.text not in text, fact.id
    for qa in knowledge.qas.values():
        assert qa.answer not in text, f"small talk must never state a fact ({qa.id})"
    assert_pings_nobody(message)


def assert_both_answers(embed: dict[str, Any], harness: Harness, question: str) -> None:
    """One embed: both answers in the description, each with its quotes, in limits."""
    answer = harness.bot.service.ask(question)
    assert answer.outcome is Outcome.ANSWERED and len(answer.parts) == 2  # precondition
    first, second = answer.parts
    assert first.text and second.text and first.text != second.text
    description = embed["description"]
    assert first.text in description and second.text in description
    assert description.index(first.text) < description.index(second.text)
    article = harness.bot.service.knowledge.article
    fields = embed["fields"]
    for number, part in enumerate(answer.parts, start=1):
        assert part.citations, "each part of the precondition carries a citation"
        mine = [f for f in fields if f["name"].startswith(f"Answer {number} · ")]
        assert mine, f"answer {number} has its own cited quotes"
        for citation in part.citations:
            assert any(f["value"] == f"> {citation.quote}" for f in mine), citation.quote
        for field in mine:
            assert ARTICLE_TITLE in field["name"] and "paragraph" in field["name"]
            paragraph = int(field["name"].rsplit(" ", 1)[1])
            assert field["value"].removeprefix("> ") in article.paragraphs[paragraph - 1].text
    assert len(fields) == len(first.citations) + len(second.citations)
    size = len(description) + len(embed["footer"]["text"])
    size += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert size <= EMBED_TOTAL_MAX and len(fields) <= FIELDS_MAX


async def test_hi_gets_the_small_talk_reply_with_no_citation(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    reply = await harness.reply_to(lambda: fake.mention_bot(GREETING))
    assert_small_talk(reply.json, harness, GREETING)
    # Logged as small talk, and not a knowledge gap for moderators.
    assert logged(harness) == [(GREETING, "mention", "small_talk")]
    interaction = await fake.slash_command("kb", [], subcommand="unanswered", user=fake.moderator)
    listed = (await interaction.answer())["content"]
    assert "Nothing unanswered" in listed and GREETING not in listed


async def test_slash_ask_hi_gets_the_small_talk_reply(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    interaction = await fake.slash_command("ask", [{"name": "question", "value": "hello"}])
    body = await interaction.response()
    assert body["type"] == 4
    assert_small_talk(body["data"], harness, "hello")


async def test_hello_in_an_opted_in_channel_gets_no_reply(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    said = "hello everyone"
    assert harness.bot.service.ask(said).outcome is Outcome.SMALL_TALK  # precondition
    since = fake.mark()
    await fake.send_message(said, channel_id=fake.other_channel_id)
    # The channel answers a real question; handled in order, it proves "hello" was seen.
    answered = await harness.reply_to(
        lambda: fake.send_message("when was the tour?", channel_id=fake.other_channel_id)
    )
    assert "January 30 and 31" in embed_of(answered.json)["description"]
    assert channel_posts(fake, since) == [answered]
    assert (said, "channel", "small_talk") in logged(harness)


# The same two questions on two lines (Shift+Enter), as chat often asks them.
TWO_LINES = "who organised it\nwhen was it"


@pytest.mark.parametrize("question", [TWO_QUESTIONS, TWO_LINES])
async def test_mention_asking_two_things_gets_one_reply_with_both(
    start_bot: Any, fake: FakeDiscord, question: str
) -> None:
    harness = await start_bot()
    since = fake.mark()
    asked: dict[str, Any] = {}

    async def ask() -> None:
        asked.update(await fake.mention_bot(question))

    reply = await harness.reply_to(ask)
    assert str(reply.json["message_reference"]["message_id"]) == asked["id"]
    assert_both_answers(embed_of(reply.json), harness, question)
    assert logged(harness)[0] == (question, "mention", "answered")
    assert_pings_nobody(reply.json)
    votes = [b["custom_id"] for b in buttons(reply.json)]
    assert len(votes) == 2 and all(v.startswith("tourbot:fb:") for v in votes)
    # One reply, not one per part: a later question's reply is the only other post.
    later = await harness.reply_to(lambda: fake.mention_bot("where was the tour?"))
    assert channel_posts(fake, since) == [reply, later]


async def test_slash_ask_with_two_questions_gets_one_reply_with_both(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    question = "where was it held and which companies did they visit?"
    interaction = await fake.slash_command("ask", [{"name": "question", "value": question}])
    body = await interaction.response()
    assert body["type"] == 4
    assert_both_answers(embed_of(body), harness, question)
    assert_pings_nobody(body["data"])
    callbacks = [r for r in harness.bot_posts() if "/interactions/" in r.path]
    assert len(callbacks) == 1 and not [r for r in harness.bot_posts() if "/webhooks/" in r.path]


def _huge_part(number: int, confidence: float = 90.0) -> Answer:
    citations = tuple(
        Citation(
            1 + i % 3,
            f"quote {number}.{i} " + "x" * 3000,
            source="other",
            title="T" * 300,
            url="https://example.org/" + "u" * 1500,
        )
        for i in range(30)
    )
    return Answer(
        Outcome.ANSWERED,
        confidence,
        f"answer {number} " + "y" * 9000,
        citations,
        match=MatchRef(f"q{number}", "qa"),
    )


@pytest.mark.parametrize("count", [2, 3, 12])
def test_multi_part_embed_stays_within_discord_limits(count: int, article: Article) -> None:
    parts = tuple(_huge_part(n) for n in range(1, count + 1))
    first = parts[0]
    answer = Answer(
        first.outcome, first.confidence, first.text, first.citations, match=first.match, parts=parts
    )
    embed = parts_embed(answer, article, several_sources=True)
    assert len(embed) <= EMBED_TOTAL_MAX
    assert len(embed.description or "") <= DESCRIPTION_MAX and len(embed.fields) <= FIELDS_MAX
    assert all(len(f.name or "") <= FIELD_NAME_MAX for f in embed.fields)
    assert all(len(f.value or "") <= FIELD_VALUE_MAX for f in embed.fields)
    shown = min(count, 10)
    for number in range(1, shown + 1):
        assert f"**{number}.** answer {number} " in (embed.description or "")
        quoted = [f for f in embed.fields if (f.name or "").startswith(f"Answer {number} · ")]
        assert quoted and f"quote {number}.0" in (quoted[0].value or ""), number


@pytest.fixture
def article() -> Article:
    return load_knowledge(SHIPPED).article
