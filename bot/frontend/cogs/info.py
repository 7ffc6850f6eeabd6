"""What the bot knows: ``/facts``, ``/source`` and ``/help``."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from rapidfuzz import fuzz

from bot.frontend.client import TourBot
from bot.frontend.replies import (
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELDS_MAX,
    clip,
    quote_block,
)

TOPIC_MATCH = 70


class Info(commands.Cog):
    def __init__(self, bot: TourBot) -> None:
        self.bot = bot

    @app_commands.command(name="facts", description="List facts from the article, with citations")
    @app_commands.describe(topic="Only facts about this, e.g. 'batteries' or 'LG-CTA'")
    async def facts(self, interaction: discord.Interaction[Any], topic: str | None = None) -> None:
        knowledge = self.bot.service.knowledge
        facts = list(knowledge.facts.values())
        if topic:
            wanted = topic.strip().lower()[:100]
            facts = [
                f
                for f in facts
                if fuzz.partial_ratio(wanted, f"{f.text} {f.citation.quote}".lower()) >= TOPIC_MATCH
            ]
        if not facts:
            await interaction.response.send_message(
                "No facts in the article match that topic. Try `/facts` without a topic.",
                ephemeral=True,
            )
            return
        title = f"Facts about “{clip(topic, 80)}”" if topic else "Facts from the article"
        embed = discord.Embed(title=title, colour=discord.Colour.blurple())
        shown = 0
        for fact in facts[:FIELDS_MAX]:
            name = clip(fact.text, FIELD_NAME_MAX)
            value = (
                quote_block(f"{fact.citation.quote}", 900)
                + f"\n— paragraph {fact.citation.paragraph}"
            )
            if len(embed) + len(name) + len(value) > EMBED_TOTAL_MAX - 200:
                break
            embed.add_field(name=name, value=value, inline=False)
            shown += 1
        footer = f"{shown} of {len(facts)} facts"
        if shown < len(facts):
            footer += " · narrow the list with /facts topic:"
        embed.set_footer(text=footer)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="source", description="The article this bot answers from")
    async def source(self, interaction: discord.Interaction[Any]) -> None:
        article = self.bot.service.knowledge.article
        sections = [p.section for p in article.paragraphs if p.section]
        unique = list(dict.fromkeys(sections))
        lines = [f"*{article.subtitle}*", "", f"{len(article.paragraphs)} paragraphs covering:"]
        lines += [f"• {s}" for s in unique]
        embed = discord.Embed(
            title=clip(article.title, 256),
            description=clip("\n".join(lines), DESCRIPTION_MAX),
            colour=discord.Colour.blurple(),
        )
        embed.set_footer(text="Every answer quotes this article; nothing else is used.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="help", description="How to ask tourbot questions")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        examples = "\n".join(f"• {q}" for q in self.bot.examples()[:4])
        text = (
            "I answer questions about one article, the EV study tour in New Delhi/NCR, "
            "and quote the paragraphs my answers come from.\n\n"
            "**Ask** with `/ask`, by mentioning me, or by replying to one of my answers.\n"
            "**Unsure?** I offer *did you mean* buttons instead of guessing.\n"
            "`/facts [topic]` lists facts with quotes; `/source` shows the article.\n\n"
            f"Try:\n{examples}"
        )
        embed = discord.Embed(
            title="tourbot help", description=text, colour=discord.Colour.blurple()
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, TourBot)
    await bot.add_cog(Info(bot))
