"""Turn an :class:`Answer` into a Discord message: an embed, and buttons when useful.

Discord rejects a message whose embed breaks a limit, so every piece is clipped here,
once, whatever the length of an answer, how many parts or how many citations it has.
Small talk is the exception: a short plain-text reply, as a person would answer "hi".
"""

from __future__ import annotations

import discord

from bot.knowledge.article import Article
from bot.knowledge.loader import Citation
from bot.knowledge.sources import ARTICLE_ID
from bot.matching.answer import Answer, Outcome, no_guess

TITLE_MAX, DESCRIPTION_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX = 256, 4096, 256, 1024
FOOTER_MAX, EMBED_TOTAL_MAX, FIELDS_MAX, BUTTON_LABEL_MAX = 2048, 6000, 25, 80
CONTENT_MAX = 2000  # a plain message's text
# Room kept for the footer ("Cited from the article · confidence 88 / 97") in the total.
FOOTER_ROOM = FOOTER_MAX // 8
# A message asking many things: this many answers at most in one reply, and together
# their texts take at most this much of the description, so their quotes have room too.
PARTS_SHOWN, PARTS_TEXT_MAX = 10, 2400

ANSWER_COLOUR = discord.Colour.green()
UNSURE_COLOUR = discord.Colour.gold()
ABSTAIN_COLOUR = discord.Colour.light_grey()


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote_block(quote: str, limit: int = FIELD_VALUE_MAX) -> str:
    """Quote a snippet in Markdown; every line gets its own '>' so long quotes stay quoted."""
    body = "\n".join(f"> {line}" for line in quote.splitlines() or [""])
    return clip(body, limit)


def citation_name(citation: Citation, article: Article, label: str = "") -> str:
    title = citation.title or article.title
    return clip(f"{label}“{title}”, paragraph {citation.paragraph}", FIELD_NAME_MAX)


def citation_field(
    citation: Citation, article: Article, label: str = "", limit: int = FIELD_VALUE_MAX
) -> tuple[str, str]:
    """Name and value of a citation's embed field: “title”, paragraph N, then the quote.

    Field names cannot hold links, so a source with a url gets its linked title under the
    quote (unless it would crowd the quote out); the article (no url) looks exactly as it
    always has. ``label`` goes before the name ("Answer 2 · "); the value is at most
    ``limit`` characters.
    """
    title = citation.title or article.title
    name = citation_name(citation, article, label)
    limit = max(1, min(limit, FIELD_VALUE_MAX))
    link = "" if citation.url is None else f"\n[{clip(title, 200)}](<{citation.url}>)"
    if len(link) > limit // 2:
        link = ""
    return name, quote_block(citation.quote, limit - len(link)) + link


def cited_from(answers: list[Answer]) -> str:
    sources = {c.source for answer in answers for c in answer.citations}
    return "the article" if sources <= {ARTICLE_ID} else "the sources"


def answer_embed(answer: Answer, article: Article) -> discord.Embed:
    embed = discord.Embed(
        description=clip(answer.text or "", DESCRIPTION_MAX), colour=ANSWER_COLOUR
    )
    for citation in answer.citations[:FIELDS_MAX]:
        name, value = citation_field(citation, article)
        if len(embed) + len(name) + len(value) > EMBED_TOTAL_MAX - FOOTER_ROOM:
            break
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(
        text=clip(
            f"Cited from {cited_from([answer])} · confidence {answer.confidence:.0f}", FOOTER_MAX
        )
    )
    return embed


def part_text(part: Answer, several_sources: bool) -> str:
    """What one part says: its answer, or (should the matcher ever leave a part
    unanswered) why not, never a guess."""
    if part.outcome is Outcome.ANSWERED and part.text:
        return part.text
    if part.note:
        return f"{part.note} {no_guess(several_sources)}"
    where = "the sources here don't" if several_sources else "the article doesn't"
    return f"Sorry, {where} say, so I won't guess."


def parts_embed(answer: Answer, article: Article, several_sources: bool = False) -> discord.Embed:
    """One embed for a message that asked several things: each answer numbered in the
    description, each quote a field named after its answer ("Answer 2 · “title”, ...").

    Every answer gets its first quote before any answer gets a second, and each of those
    first quotes is clipped to a fair share of the room left, so a long first answer can
    never push the second one's citation out of the embed.
    """
    parts = list(answer.parts[:PARTS_SHOWN])
    text_max = min(FIELD_VALUE_MAX, PARTS_TEXT_MAX // len(parts))
    description = "\n\n".join(
        f"**{number}.** {clip(part_text(part, several_sources), text_max)}"
        for number, part in enumerate(parts, start=1)
    )
    embed = discord.Embed(description=clip(description, DESCRIPTION_MAX), colour=ANSWER_COLOUR)
    # (part, citation) pairs in round-robin order: all first quotes, then all second ones...
    order = sorted(
        ((p, c) for p, part in enumerate(parts) for c in range(len(part.citations))),
        key=lambda pc: (pc[1], pc[0]),
    )[:FIELDS_MAX]
    firsts_left = sum(1 for _, c in order if c == 0)
    room = EMBED_TOTAL_MAX - FOOTER_ROOM - len(embed)
    chosen: list[tuple[int, int, str, str]] = []
    for p, c in order:
        citation = parts[p].citations[c]
        label = f"Answer {p + 1} · " if len(parts) > 1 else ""
        name_room = len(citation_name(citation, article, label))
        if c == 0:  # leave the answers after this one a fair share for their first quotes
            limit = room // firsts_left - name_room
            firsts_left -= 1
        else:
            limit = room - name_room
        if limit < 16:  # not even a few words of the quote would fit
            continue
        name, value = citation_field(citation, article, label, limit)
        if len(name) + len(value) > room:
            continue
        room -= len(name) + len(value)
        chosen.append((p, c, name, value))
    for _, _, name, value in sorted(chosen):
        embed.add_field(name=name, value=value, inline=False)
    confidences = " / ".join(f"{part.confidence:.0f}" for part in parts)
    embed.set_footer(
        text=clip(f"Cited from {cited_from(parts)} · confidence {confidences}", FOOTER_ROOM)
    )
    return embed


def small_talk_text(answer: Answer, article: Article) -> str:
    """The friendly reply to "hi" or "thanks": the matcher's, else one saying what we do."""
    reply = answer.reply or (
        f"Hi! I answer questions about **{clip(article.title, 200)}** and quote the article "
        "for every answer. Try asking when or where the tour was, or who organised it."
    )
    return clip(reply, CONTENT_MAX)


def unsure_embed() -> discord.Embed:
    return discord.Embed(
        title="Not sure what you mean",
        description="I can't answer that with confidence. Did you mean one of these?",
        colour=UNSURE_COLOUR,
    )


def abstain_embed(
    article: Article,
    examples: list[str],
    note: str | None = None,
    several_sources: bool = False,
    related: bool = False,
) -> discord.Embed:
    """What the sources lack (or that they say nothing), then what to ask instead: the
    related questions on the buttons below when there are any, else a few examples."""
    lines = [
        f"{clip(note, 500)} {no_guess(several_sources)}"
        if note
        else f"Sorry, {'the sources here don' if several_sources else 'the article doesn'}'t "
        "say, so I won't guess."
    ]
    if related:
        lines.append("Related questions I can answer are below.")
    else:
        lines.append(f"I answer questions about **{clip(article.title, 200)}**, for example:")
        lines += [f"• {clip(example, 150)}" for example in examples[:4]]
    return discord.Embed(description=clip("\n".join(lines), DESCRIPTION_MAX), colour=ABSTAIN_COLOUR)


def embed_for(
    answer: Answer, article: Article, examples: list[str], several_sources: bool = False
) -> discord.Embed:
    if answer.outcome is Outcome.ANSWERED:
        if len(answer.parts) > 1:
            return parts_embed(answer, article, several_sources)
        return answer_embed(answer, article)
    if answer.outcome is Outcome.SUGGESTED:
        return unsure_embed()
    if answer.outcome is Outcome.SMALL_TALK:  # the client sends it as text; no citations
        return discord.Embed(description=small_talk_text(answer, article), colour=ABSTAIN_COLOUR)
    return abstain_embed(
        article, examples, answer.note, several_sources, related=bool(answer.suggestions)
    )
