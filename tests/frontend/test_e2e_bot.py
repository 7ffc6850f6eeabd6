"""The real tourbot client against the fake Discord, over real loopback sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.knowledge.loader import load_knowledge
from bot.matching.answer import Outcome
from tests.conftest import Harness
from tests.fake_discord import FakeDiscord

pytestmark = pytest.mark.e2e

ARTICLE_TITLE = "India’s EV Advancements Take Center Stage in International Study Tour"
MESSAGES = r"/channels/\d+/messages"


async def poll(condition: Callable[[], bool], timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def assert_pings_nobody(body: dict[str, Any]) -> None:
    mentions = body.get("allowed_mentions")
    assert mentions is not None, "every message must say who may be pinged"
    assert mentions.get("parse") == []
    assert not mentions.get("users") and not mentions.get("roles")
    assert mentions.get("replied_user", False) is False


def embed_of(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data", body)
    (embed,) = data["embeds"]
    return embed


def assert_cited(embed: dict[str, Any], harness: Harness) -> None:
    article = harness.bot.service.knowledge.article
    assert embed["fields"], "an answer carries its citations"
    for field in embed["fields"]:
        assert ARTICLE_TITLE in field["name"] and "paragraph" in field["name"]
        number = int(field["name"].rsplit(" ", 1)[1])
        quote = field["value"].removeprefix("> ")
        assert quote in article.paragraphs[number - 1].text


async def test_mention_gets_a_cited_reply(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    asked = {}

    async def ask() -> None:
        asked.update(await fake.mention_bot("when was the study tour?"))

    reply = await harness.reply_to(ask)
    assert str(reply.json["message_reference"]["message_id"]) == asked["id"]
    embed = embed_of(reply.json)
    assert "January 30 and 31" in embed["description"]
    assert_cited(embed, harness)
    assert_pings_nobody(reply.json)


async def test_slash_ask_answers_through_the_interaction_callback(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    assert {c["name"] for c in fake.commands} >= {"ask", "facts", "source", "help", "kb"}
    interaction = await fake.slash_command(
        "ask", [{"name": "question", "value": "who organised the tour"}]
    )
    body = await interaction.response()
    assert body["type"] == 4
    embed = embed_of(body)
    assert "Asia LEDS Partnership" in embed["description"]
    assert_cited(embed, harness)
    assert_pings_nobody(body["data"])


async def test_autocomplete_suggests_known_questions(start_bot: Any, fake: FakeDiscord) -> None:
    await start_bot()
    interaction = await fake.autocomplete("ask", "question", "lohu")
    body = await interaction.response()
    assert body["type"] == 8
    choices = [c["value"] for c in body["data"]["choices"]]
    assert 1 <= len(choices) <= 25
    assert "LOHUM" in choices[0]


async def test_did_you_mean_button_answers_the_chosen_question(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    question = "ev?"
    assert harness.bot.service.ask(question).outcome is Outcome.SUGGESTED  # precondition
    interaction = await fake.slash_command("ask", [{"name": "question", "value": question}])
    body = await interaction.response()
    buttons = [c for row in body["data"]["components"] for c in row["components"]]
    assert 2 <= len(buttons) <= 3
    chosen = buttons[0]
    qa_id = chosen["custom_id"].split(":")[2]
    message = interaction.original_message
    assert message is not None
    pressed = await fake.press_button(message, chosen["custom_id"])
    answer = await pressed.response()
    expected = harness.bot.service.knowledge.qas[qa_id].answer
    assert embed_of(answer)["description"] == expected
    assert_pings_nobody(answer["data"])


async def test_everyone_and_role_mentions_in_a_question_ping_nobody(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()

    async def ask() -> None:
        await fake.mention_bot(
            f"@everyone @here <@&{fake.moderator_role_id}> who organised the tour?",
            mention_everyone=True,
            mention_roles=[fake.moderator_role_id],
        )

    reply = await harness.reply_to(ask)
    assert "Asia LEDS Partnership" in embed_of(reply.json)["description"]
    assert "@everyone" not in str(reply.json) and "@here" not in str(reply.json)
    for post in harness.bot_posts():
        assert_pings_nobody(post.json.get("data", post.json))


async def test_emoji_links_and_timestamps_are_not_read_as_the_question(
    start_bot: Any, fake: FakeDiscord
) -> None:
    """Custom emoji, a timestamp and a link are Discord markup and references, not words of
    the question: their names ("thinking", "india") would pull it elsewhere."""
    harness = await start_bot()
    asked = (
        "https://www.example.com/news/ev-tour-india <t:1706572800:D> where was this "
        "<:thinking:112233445566778899>"
    )
    reply = await harness.reply_to(lambda: fake.mention_bot(asked))
    assert "New Delhi and the National Capital Region" in embed_of(reply.json)["description"]
    assert_pings_nobody(reply.json)


async def test_words_struck_through_are_taken_back(start_bot: Any, fake: FakeDiscord) -> None:
    """Discord shows ~~when~~ struck through: the asker corrected it to "where"."""
    harness = await start_bot()
    reply = await harness.reply_to(lambda: fake.mention_bot("~~when~~ where was it"))
    assert "New Delhi and the National Capital Region" in embed_of(reply.json)["description"]


async def test_a_quote_is_context_and_the_members_own_words_the_question(
    start_bot: Any, fake: FakeDiscord
) -> None:
    """Discord's "> " quotes what someone else said; the question is what the member wrote
    under it (read with the quote, this got the tour's dates). A quote with only a
    greeting beside it hands the quoted question to the bot."""
    harness = await start_bot()
    quoting = "> the delegates visited india\nok but which countries were they from"
    reply = await harness.reply_to(lambda: fake.mention_bot(quoting))
    assert "Bhutan" in embed_of(reply.json)["description"]
    handed = await harness.reply_to(lambda: fake.mention_bot("hey\n>>> when was the study tour?"))
    assert "January 30 and 31" in embed_of(handed.json)["description"]
    # Handed over with "@tourbot ^", a message that quotes is read the same way.
    asked = await fake.send_message(quoting)
    over = await harness.reply_to(lambda: fake.mention_bot("^", reference_message_id=asked["id"]))
    assert "Bhutan" in embed_of(over.json)["description"]


async def _ask_and_reply(harness: Harness, fake: FakeDiscord, text: str) -> tuple[Any, Any]:
    """Mention the bot with ``text``; the question as sent and the bot's reply."""
    asked: dict[str, Any] = {}

    async def ask() -> None:
        asked.update(await fake.mention_bot(text))

    reply = await harness.reply_to(ask)
    return asked, reply


def _to_reply(method: str, reply: Any) -> Callable[[Any], bool]:
    path = f"/channels/{reply.response['channel_id']}/messages/{reply.response['id']}"
    return lambda r: r.method == method and r.path == path and r.status in (200, 204)


async def test_an_edited_question_gets_its_reply_edited(start_bot: Any, fake: FakeDiscord) -> None:
    """People fix a question in place rather than ask again: the reply follows the edit,
    from an answer to small talk and back, with no second message. An edit that changes no
    words (Discord adding a link's preview) changes nothing."""
    harness = await start_bot()
    asked, reply = await _ask_and_reply(harness, fake, "when was the stduy tour?")
    mention = f"<@{fake.bot_user['id']}>"

    since = fake.mark()
    await fake.edit_message(asked, f"{mention} where was the study tour?")
    edit = await fake.wait_for_request(_to_reply("PATCH", reply), since=since)
    assert "New Delhi and the National Capital Region" in embed_of(edit.json)["description"]
    assert_pings_nobody(edit.json)

    since = fake.mark()
    await fake.edit_message(asked, f"{mention} thanks!")
    chat = await fake.wait_for_request(_to_reply("PATCH", reply), since=since)
    assert chat.json["embeds"] == [] and chat.json["content"]

    since = fake.mark()
    await fake.edit_message(asked, f"{mention} thanks!")  # the same words again
    await _ask_and_reply(harness, fake, "who organised it?")  # the bot has read the edit
    assert not [r for r in fake.requests[since:] if _to_reply("PATCH", reply)(r)]
    posted = [r for r in harness.bot_posts() if r.method == "POST" and r.path.endswith("/messages")]
    assert len(posted) == 2  # one reply per question, however often it was edited


async def test_an_edit_over_the_cooldown_keeps_its_answer(
    start_bot: Any, fake: FakeDiscord
) -> None:
    """An edit is a question and counts against the cooldown; over the limit the reply
    keeps its answer instead of turning into a "slow down" notice."""
    harness = await start_bot(cooldown_rate=2, cooldown_seconds=60)
    asked, reply = await _ask_and_reply(harness, fake, "when was the study tour?")
    mention = f"<@{fake.bot_user['id']}>"
    since = fake.mark()
    await fake.edit_message(asked, f"{mention} where was the study tour?")
    await fake.wait_for_request(_to_reply("PATCH", reply), since=since)

    since = fake.mark()
    await fake.edit_message(asked, f"{mention} who organised the study tour?")
    other = await harness.reply_to(  # another member's question: the bot has read the edit
        lambda: fake.mention_bot("when was it?", author=fake.moderator)
    )
    assert other.json.get("embeds")
    assert not [r for r in fake.requests[since:] if _to_reply("PATCH", reply)(r)]


async def test_a_deleted_question_takes_its_reply_with_it(
    start_bot: Any, fake: FakeDiscord
) -> None:
    """A reply to a question nobody can see any more is noise in the channel."""
    harness = await start_bot()
    asked, reply = await _ask_and_reply(harness, fake, "when was the study tour?")
    since = fake.mark()
    await fake.delete_message(asked)
    await fake.wait_for_request(_to_reply("DELETE", reply), since=since)
    assert reply.response["id"] not in fake.messages


async def test_off_topic_mention_gets_an_honest_reply(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    reply = await harness.reply_to(lambda: fake.mention_bot("what is the price of a Tata Nexon?"))
    embed = embed_of(reply.json)
    assert "doesn't say" in embed["description"]
    assert not embed.get("fields")


async def test_a_question_the_article_does_not_answer_gets_what_it_lacks(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    reply = await harness.reply_to(lambda: fake.mention_bot("who is the CEO of LOHUM?"))
    embed = embed_of(reply.json)
    assert embed["description"].startswith("The article doesn't say who")
    assert "won't guess" in embed["description"] and not embed.get("fields")
    # What the article does say nearby is one press away, and the press answers it.
    assert "Related questions I can answer" in embed["description"]
    (button,) = [c for row in reply.json["components"] for c in row["components"]]
    assert button["label"] == "What is LOHUM?"
    pressed = await fake.press_button(reply.response, button["custom_id"])
    answer = await pressed.response()
    assert embed_of(answer)["description"] == harness.bot.service.knowledge.qas["lohum"].answer
    assert_pings_nobody(answer["data"])


async def test_survives_the_gateway_closing(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    await fake.drop_gateway(4000)
    await fake.wait_connected()
    reply = await harness.reply_to(lambda: fake.mention_bot("where was the tour held?"), timeout=15)
    assert "New Delhi" in embed_of(reply.json)["description"]
    assert fake.resume_count + fake.identify_count >= 2


async def test_rest_429_retry_after_is_honoured(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    fake.fail_next("POST", MESSAGES, 429, retry_after=0.4)
    reply = await harness.reply_to(lambda: fake.mention_bot("when was the tour?"), timeout=10)
    limited = [r for r in fake.requests if r.status == 429]
    assert len(limited) == 1
    assert reply.at - limited[0].at >= 0.35
    assert "January 30 and 31" in embed_of(reply.json)["description"]


async def test_server_errors_do_not_crash_the_bot(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    fake.fail_next("POST", MESSAGES, 503)  # not retried by discord.py: the handler sees it
    apology = await harness.reply_to(lambda: fake.mention_bot("when was the tour?"))
    assert "something went wrong" in apology.json["content"]
    fake.fail_next("POST", MESSAGES, 500)  # retried by discord.py after a second
    reply = await harness.reply_to(lambda: fake.mention_bot("where was the tour?"), timeout=10)
    assert "New Delhi" in embed_of(reply.json)["description"]
    assert not harness.task.done()


async def test_ignores_other_bots_and_unaddressed_chatter(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    since = fake.mark()
    await fake.mention_bot("when was the tour?", author=fake.other_bot)
    await fake.send_message("when was the tour?")  # general channel, not addressed
    await fake.send_message("lol nice", channel_id=fake.other_channel_id)  # opt-in, small talk
    await fake.send_message(  # a role's mention is not the bot's
        f"<@&{fake.moderator_role_id}> when was the tour?", mention_roles=[fake.moderator_role_id]
    )
    # A question that is answered proves the earlier events were processed (in order).
    reply = await harness.reply_to(lambda: fake.mention_bot("who organised it?"))
    posts = [r for r in fake.requests[since:] if r.method == "POST" and "/messages" in r.path]
    assert posts == [reply]


async def test_opt_in_channel_answers_plain_questions(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    reply = await harness.reply_to(
        lambda: fake.send_message(
            "which companies did they visit?", channel_id=fake.other_channel_id
        )
    )
    assert "LOHUM" in embed_of(reply.json)["description"]


async def test_threads_and_forum_posts_of_an_opt_in_channel_are_opted_in(
    start_bot: Any, fake: FakeDiscord
) -> None:
    """A question asked in a thread of a channel the bot answers in (a forum channel's posts
    are such threads) is answered there, as in the channel itself."""
    harness = await start_bot()
    reply = await harness.reply_to(
        lambda: fake.send_message("which companies did they visit?", channel_id=fake.thread_id)
    )
    assert reply.path == f"/channels/{fake.thread_id}/messages"
    assert "LOHUM" in embed_of(reply.json)["description"]


async def test_an_opt_in_channel_answer_goes_when_its_question_is_edited_away(
    start_bot: Any, fake: FakeDiscord
) -> None:
    """In a channel it answers unasked, the bot answers only what it is sure of; once the
    message is edited into chat, the answer to what it no longer asks is withdrawn."""
    harness = await start_bot()
    asked: dict[str, Any] = {}

    async def ask() -> None:
        sent = await fake.send_message(
            "which companies did they visit?", channel_id=fake.other_channel_id
        )
        asked.update(sent)

    reply = await harness.reply_to(ask)
    since = fake.mark()
    await fake.edit_message(asked, "nvm, found it myself")
    await fake.wait_for_request(_to_reply("DELETE", reply), since=since)


async def test_reply_to_the_bot_counts_as_asking(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    first = await harness.reply_to(lambda: fake.mention_bot("when was the tour?"))
    message_id = first.response["id"]
    reply = await harness.reply_to(
        lambda: fake.send_message("and who organised it?", reference_message_id=message_id)
    )
    assert "Asia LEDS Partnership" in embed_of(reply.json)["description"]


async def test_a_long_message_up_to_discords_limit_is_read(
    start_bot: Any, fake: FakeDiscord
) -> None:
    """A question after a long preamble (1,300 characters here; Discord allows 2,000) is
    answered, not refused as it was past 500."""
    harness = await start_bot()
    preamble = "so i was reading about this study tour on my phone yesterday and " * 20
    reply = await harness.reply_to(lambda: fake.mention_bot(preamble + "who organised it?"))
    assert "Asia LEDS Partnership" in embed_of(reply.json)["description"]
    assert_pings_nobody(reply.json)


async def test_long_questions_and_cooldown_get_polite_replies(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot(cooldown_rate=2, cooldown_seconds=60)
    too_long = await harness.reply_to(lambda: fake.mention_bot("why " * 1000))
    assert "is 3999 characters long; please keep it under 2000" in too_long.json["content"]
    await harness.reply_to(lambda: fake.mention_bot("when was the tour?"))
    await harness.reply_to(lambda: fake.mention_bot("where was the tour?"))
    slow = await harness.reply_to(lambda: fake.mention_bot("who organised it?"))
    assert "try again in" in slow.json["content"]
    assert_pings_nobody(slow.json)


async def test_feedback_button_is_recorded(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    reply = await harness.reply_to(lambda: fake.mention_bot("when was the tour?"))
    buttons = [c for row in reply.json["components"] for c in row["components"]]
    thumbs_up = next(b for b in buttons if b["custom_id"].startswith("tourbot:fb:up:"))
    pressed = await fake.press_button(reply.response, thumbs_up["custom_id"])
    body = await pressed.response()
    assert body["data"]["flags"] & 64  # ephemeral thanks
    assert harness.bot.question_log is not None
    assert harness.bot.question_log.stats().thumbs_up == 1


async def _kb(
    fake: FakeDiscord, sub: str, options: list[dict[str, Any]] | None = None, *, user: Any = None
) -> dict[str, Any]:
    """The /kb reply as the moderator sees it, as ``{"data": message}`` (slow ones defer)."""
    interaction = await fake.slash_command("kb", options or [], subcommand=sub, user=user)
    return {"data": await interaction.answer()}


async def test_kb_is_refused_to_non_moderators_and_hidden_by_default(
    start_bot: Any, fake: FakeDiscord
) -> None:
    await start_bot()
    kb = next(c for c in fake.commands if c["name"] == "kb")
    assert int(kb["default_member_permissions"]) & (1 << 5)  # Manage Server
    body = await _kb(fake, "stats", user=fake.member)
    assert "Only moderators" in body["data"]["content"]
    assert body["data"]["flags"] & 64
    allowed = await _kb(fake, "stats", user=fake.moderator)
    assert "Knowledge version 1" in allowed["data"]["content"]


async def test_kb_teach_answers_at_once_and_survives_a_restart(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot()
    question = "whose brainchild was the whole jaunt"
    assert not harness.bot.service.ask(question).answered
    body = await _kb(
        fake,
        "teach",
        [{"name": "question", "value": question}, {"name": "target", "value": "organisers"}],
        user=fake.moderator,
    )
    assert "Taught" in body["data"]["content"]
    reply = await harness.reply_to(lambda: fake.mention_bot(question))
    assert "Asia LEDS Partnership" in embed_of(reply.json)["description"]
    restarted = load_knowledge(harness.knowledge_dir)
    assert [t.phrasing for t in restarted.taught] == [question]


async def test_live_reload_picks_up_valid_edits_and_rejects_broken_ones(
    start_bot: Any, fake: FakeDiscord
) -> None:
    harness = await start_bot(log_channel=int(fake.channel_id))
    qa_file = harness.knowledge_dir / "qa.yaml"
    original = qa_file.read_text(encoding="utf-8")
    where = harness.bot.service.knowledge.qas["where"].answer
    edited = original.replace(where, "EDITED: " + where) if where in original else None
    assert edited is not None, "the where answer is written on one line"
    qa_file.write_text(edited, encoding="utf-8")
    await poll(lambda: harness.bot.service.snapshot.version == 2)
    reply = await harness.reply_to(lambda: fake.mention_bot("where was the tour?"))
    assert embed_of(reply.json)["description"].startswith("EDITED: ")

    since = fake.mark()
    qa_file.write_text(edited + "\n  - id: [broken\n", encoding="utf-8")
    report = await fake.wait_for_request(
        lambda r: r.method == "POST" and "rejected" in (r.json or {}).get("content", ""),
        5,
        since=since,
    )
    assert "qa.yaml:" in report.json["content"]
    assert harness.bot.service.snapshot.version == 2
    reply = await harness.reply_to(lambda: fake.mention_bot("where was the tour?"))
    assert embed_of(reply.json)["description"].startswith("EDITED: ")
    moderator_view = await _kb(fake, "reload", user=fake.moderator)
    assert (
        "Rejected" in moderator_view["data"]["content"]
        and "qa.yaml:" in moderator_view["data"]["content"]
    )


async def test_facts_source_and_help(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    facts = await (
        await fake.slash_command("facts", [{"name": "topic", "value": "battery"}])
    ).response()
    embed = embed_of(facts)
    assert embed["fields"] and all("paragraph" in f["value"] for f in embed["fields"])
    source = await (await fake.slash_command("source")).response()
    assert embed_of(source)["title"] == harness.bot.service.knowledge.article.title
    help_ = await (await fake.slash_command("help")).response()
    assert "/ask" in embed_of(help_)["description"]


async def test_reply_stays_within_discord_limits(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    from bot.frontend.replies import answer_embed
    from bot.knowledge.loader import Citation
    from bot.matching.answer import Answer

    citations = tuple(Citation(1, "x" * 3000) for _ in range(30))
    embed = answer_embed(
        Answer(Outcome.ANSWERED, 90, "y" * 9000, citations), harness.bot.service.knowledge.article
    )
    assert len(embed) <= 6000 and len(embed.description or "") <= 4096
    assert all(len(f.value or "") <= 1024 for f in embed.fields) and len(embed.fields) <= 25


@pytest.mark.parametrize("hand_over", ["", "^", "👆 ?"])
async def test_a_mention_in_reply_to_a_question_answers_that_question(
    start_bot: Any, fake: FakeDiscord, hand_over: str
) -> None:
    """ "@tourbot ^" under a member's question (in a channel the bot does not answer on its
    own) hands that question to the bot."""
    harness = await start_bot()
    asked = await fake.send_message("when was the study tour?")
    reply = await harness.reply_to(
        lambda: fake.mention_bot(hand_over, reference_message_id=asked["id"])
    )
    assert "January 30 and 31" in embed_of(reply.json)["description"]
    assert_pings_nobody(reply.json)


async def test_a_direct_message_is_answered_without_a_mention(
    start_bot: Any, fake: FakeDiscord
) -> None:
    """Whoever writes to the bot alone is asking it: a DM needs no mention."""
    harness = await start_bot()
    reply = await harness.reply_to(lambda: fake.send_dm("where was the study tour?"))
    assert reply.path == f"/channels/{fake.dm_channel_id}/messages"
    assert "New Delhi" in embed_of(reply.json)["description"]
    assert_pings_nobody(reply.json)


async def test_mentioning_the_bots_role_asks_the_bot(start_bot: Any, fake: FakeDiscord) -> None:
    """Discord gives a bot a role of its own name, and members often pick that "@tourbot"
    from the list instead of the bot's: it asks the bot all the same."""
    harness = await start_bot()
    reply = await harness.reply_to(
        lambda: fake.send_message(
            f"<@&{fake.bot_role_id}> when was the tour?", mention_roles=[fake.bot_role_id]
        )
    )
    assert "January 30 and 31" in embed_of(reply.json)["description"]
    assert_pings_nobody(reply.json)


async def test_bare_mention_gets_a_hint(start_bot: Any, fake: FakeDiscord) -> None:
    harness = await start_bot()
    reply = await harness.reply_to(lambda: fake.mention_bot(""))
    assert "Ask me about the EV study tour" in reply.json["content"]
    assert_pings_nobody(reply.json)
