"""Settings for ``tourbot run``, from the environment and an optional ``.env`` file.

The token is a secret: it is read here, handed to discord.py, and never printed. A
``.env`` file (git-ignored) is read for convenience; real environment variables win.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.paths import KNOWLEDGE_ENV, default_knowledge_dir

# Three dot-separated base64url segments; the first encodes the bot's user id.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
HEARTBEAT_FILE = "data/heartbeat"


class SettingsError(ValueError):
    """A setting is missing or wrong; the message is one line a person can act on."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str = field(repr=False)
    knowledge_dir: Path
    guild_id: int | None = None
    answer_channels: frozenset[int] = frozenset()
    moderator_role: str | None = None  # role id or name
    log_channel: int | None = None
    log_level: str = "INFO"
    api_base: str | None = None
    gateway_url: str | None = None
    database: Path | None = Path("data/tourbot.sqlite3")
    cooldown_rate: int = 5
    cooldown_seconds: float = 30.0
    channel_min_confidence: float = 85.0
    watch_interval: float = 2.0
    heartbeat_file: Path | None = None


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines; ``#`` comments and surrounding quotes are allowed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a numeric Discord id, got {raw!r}")
    return int(raw)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must not be negative")
    return value


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    raw = env.get(name, "").strip().rstrip("/")
    if not raw:
        return None
    if not raw.startswith(schemes):
        raise SettingsError(f"{name} must start with {' or '.join(schemes)}, got {raw!r}")
    return raw


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    env = read_env_file(env_file) if env_file is not None else {}
    env.update(os.environ if environ is None else environ)

    token = env.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise SettingsError(
            "DISCORD_TOKEN is not set: put the bot token in the environment or in .env"
        )
    if not _TOKEN.match(token):
        raise SettingsError(
            "DISCORD_TOKEN does not look like a Discord bot token (three dot-separated parts)"
        )

    channels: set[int] = set()
    for part in re.split(r"[,\s]+", env.get("TOURBOT_CHANNELS", "").strip()):
        if part:
            if not part.isdigit():
                raise SettingsError(
                    f"TOURBOT_CHANNELS must be channel ids separated by commas, got {part!r}"
                )
            channels.add(int(part))

    level = env.get("TOURBOT_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in _LOG_LEVELS:
        raise SettingsError(f"TOURBOT_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")

    database_raw = env.get("TOURBOT_DATABASE", "data/tourbot.sqlite3").strip()
    question_log = env.get("TOURBOT_QUESTION_LOG", "on").strip().lower()
    if question_log not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
        raise SettingsError("TOURBOT_QUESTION_LOG must be on or off")
    logging_on = question_log in ("on", "true", "1", "yes")

    rate = _float(env, "TOURBOT_COOLDOWN_RATE", 5)
    return Settings(
        token=token,
        knowledge_dir=Path(env[KNOWLEDGE_ENV])
        if env.get(KNOWLEDGE_ENV)
        else default_knowledge_dir(),
        guild_id=_int(env, "DISCORD_GUILD_ID"),
        answer_channels=frozenset(channels),
        moderator_role=env.get("TOURBOT_MODERATOR_ROLE", "").strip() or None,
        log_channel=_int(env, "TOURBOT_LOG_CHANNEL"),
        log_level=level,
        api_base=_url(env, "DISCORD_API_BASE", ("http://", "https://")),
        gateway_url=_url(env, "DISCORD_GATEWAY_URL", ("ws://", "wss://")),
        database=Path(database_raw) if logging_on and database_raw else None,
        cooldown_rate=max(1, int(rate)),
        cooldown_seconds=_float(env, "TOURBOT_COOLDOWN_SECONDS", 30.0),
        channel_min_confidence=_float(env, "TOURBOT_CHANNEL_MIN_CONFIDENCE", 85.0),
        watch_interval=_float(env, "TOURBOT_WATCH_INTERVAL", 2.0),
        heartbeat_file=Path(env.get("TOURBOT_HEARTBEAT_FILE", "").strip() or HEARTBEAT_FILE),
    )


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
