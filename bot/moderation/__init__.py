"""Moderation: the question log and the unanswered questions moderators review."""
