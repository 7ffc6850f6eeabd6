"""Turn an :class:`Answer` into a Discord message: an embed, and buttons when useful.

Discord rejects a message whose embed breaks a limit, so every piece is clipped here,
once, whatever the length of an answer or how many citations it has.
"""

from __future__ import annotations

import discord

from bot.knowledge.article import Article
from bot.knowledge.loader import Citation
from bot.knowledge.sources import ARTICLE_ID
from bot.matching.answer import Answer, Outcome, no_guess

TITLE_MAX, DESCRIPTION_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX = 256, 4096, 256, 1024
FOOTER_MAX, EMBED_TOTAL_MAX, FIELDS_MAX, BUTTON_LABEL_MAX = 2048, 6000, 25, 80

ANSWER_COLOUR = discord.Colour.green()
UNSURE_COLOUR = discord.Colour.gold()
ABSTAIN_COLOUR = discord.Colour.light_grey()


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote_block(quote: str, limit: int = FIELD_VALUE_MAX) -> str:
    """Quote a snippet in Markdown; every line gets its own '>' so long quotes stay quoted."""
    body = "\n".join(f"> {line}" for line in quote.splitlines() or [""])
    return clip(body, limit)


def citation_field(citation: Citation, article: Article) -> tuple[str, str]:
    """Name and value of a citation's embed field: “title”, paragraph N, then the quote.

    Field names cannot hold links, so a source with a url gets its linked title under the
    quote; the article (no url) looks exactly as it always has.
    """
    title = citation.title or article.title
    name = clip(f"“{title}”, paragraph {citation.paragraph}", FIELD_NAME_MAX)
    if citation.url is None:
        return name, quote_block(citation.quote)
    link = f"\n[{clip(title, 200)}](<{citation.url}>)"
    return name, quote_block(citation.quote, FIELD_VALUE_MAX - len(link)) + link


def answer_embed(answer: Answer, article: Article) -> discord.Embed:
    embed = discord.Embed(
        description=clip(answer.text or "", DESCRIPTION_MAX), colour=ANSWER_COLOUR
    )
    for citation in answer.citations[:FIELDS_MAX]:
        name, value = citation_field(citation, article)
        if len(embed) + len(name) + len(value) > EMBED_TOTAL_MAX - FOOTER_MAX // 8:
            break
        embed.add_field(name=name, value=value, inline=False)
    sources = {c.source for c in answer.citations}
    cited = "the article" if sources <= {ARTICLE_ID} else "the sources"
    embed.set_footer(
        text=clip(f"Cited from {cited} · confidence {answer.confidence:.0f}", FOOTER_MAX)
    )
    return embed


def unsure_embed() -> discord.Embed:
    return discord.Embed(
        title="Not sure what you mean",
        description="I can't answer that with confidence. Did you mean one of these?",
        colour=UNSURE_COLOUR,
    )


def abstain_embed(
    article: Article, examples: list[str], note: str | None = None, several_sources: bool = False
) -> discord.Embed:
    lines = [
        f"{clip(note, 500)} {no_guess(several_sources)}"
        if note
        else f"Sorry, {'the sources here don' if several_sources else 'the article doesn'}'t "
        "say, so I won't guess.",
        f"I answer questions about **{clip(article.title, 200)}**, for example:",
        *(f"• {clip(example, 150)}" for example in examples[:4]),
    ]
    return discord.Embed(description=clip("\n".join(lines), DESCRIPTION_MAX), colour=ABSTAIN_COLOUR)


def embed_for(
    answer: Answer, article: Article, examples: list[str], several_sources: bool = False
) -> discord.Embed:
    if answer.outcome is Outcome.ANSWERED:
        return answer_embed(answer, article)
    if answer.outcome is Outcome.SUGGESTED:
        return unsure_embed()
    return abstain_embed(article, examples, answer.note, several_sources)
