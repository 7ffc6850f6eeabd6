"""Persistent buttons: "did you mean" choices and 👍/👎 feedback.

They are :class:`discord.ui.DynamicItem`s: everything a press needs is in the custom id,
so buttons keep working after the bot restarts and no view state is held in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord

from bot.frontend.replies import BUTTON_LABEL_MAX, clip
from bot.matching.answer import Answer, Outcome

if TYPE_CHECKING:
    from bot.frontend.client import TourBot


def _bot(interaction: discord.Interaction[Any]) -> TourBot:
    # Only a TourBot registers these buttons (TourBot.setup_hook), so its interactions'
    # client is one; importing the class here would close an import circle.
    return cast("TourBot", interaction.client)


class PickButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"tourbot:pick:(?P<qa>[a-z0-9-]+):(?P<row>\d+)",
):
    """A "did you mean" choice; pressing it answers that question for everyone to see."""

    def __init__(self, qa_id: str, label: str, row_id: int = 0) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.primary,
                custom_id=f"tourbot:pick:{qa_id}:{row_id}",
            )
        )
        self.qa_id = qa_id
        self.row_id = row_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: Any,
        /,
    ) -> PickButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["qa"], label or "", int(match["row"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _bot(interaction).answer_pick(interaction, self.qa_id, self.row_id)


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"tourbot:fb:(?P<vote>up|down):(?P<row>\d+)",
):
    def __init__(self, vote: str, row_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"tourbot:fb:{vote}:{row_id}",
            )
        )
        self.vote = vote
        self.row_id = row_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: Any,
        /,
    ) -> FeedbackButton:
        return cls(match["vote"], int(match["row"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _bot(interaction).record_feedback(interaction, self.row_id, self.vote)


def view_for(answer: Answer, row_id: int) -> discord.ui.View | None:
    """Buttons for a reply: choices for "did you mean" and for the related questions under
    "doesn't say", 👍/👎 under a logged answer (one pair for a reply with several answers:
    the vote goes to the logged question, which the log files under its first part).
    Small talk gets none."""
    if answer.outcome is Outcome.SMALL_TALK:
        return None
    if not answer.answered and answer.suggestions:
        view = discord.ui.View(timeout=None)
        for suggestion in answer.suggestions:
            view.add_item(PickButton(suggestion.id, suggestion.question, row_id))
        return view
    if answer.outcome is Outcome.ANSWERED and row_id:
        view = discord.ui.View(timeout=None)
        view.add_item(FeedbackButton("up", row_id))
        view.add_item(FeedbackButton("down", row_id))
        return view
    return None
