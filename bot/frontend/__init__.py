"""The Discord front end: client, cogs, buttons, replies and the per-user cooldown."""
