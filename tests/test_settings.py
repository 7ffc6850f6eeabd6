from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789"


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        load_settings({}, env_file=tmp_path / ".env")


def test_malformed_token_is_refused_without_echoing_it(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"DISCORD_TOKEN": "not-a-token-secret"}, env_file=None)
    assert "not-a-token-secret" not in str(caught.value)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"# comment\nDISCORD_TOKEN='{TOKEN}'\nTOURBOT_CHANNELS=1, 2\nTOURBOT_LOG_LEVEL=debug\n"
    )
    settings = load_settings({"TOURBOT_LOG_LEVEL": "WARNING"}, env_file=env_file)
    assert settings.token == TOKEN
    assert settings.answer_channels == frozenset({1, 2})
    assert settings.log_level == "WARNING"
    assert TOKEN not in repr(settings)


def test_bad_values_name_the_variable() -> None:
    env = {"DISCORD_TOKEN": TOKEN}
    with pytest.raises(SettingsError, match="DISCORD_GUILD_ID"):
        load_settings(env | {"DISCORD_GUILD_ID": "abc"}, env_file=None)
    with pytest.raises(SettingsError, match="DISCORD_API_BASE"):
        load_settings(env | {"DISCORD_API_BASE": "ftp://x"}, env_file=None)
    assert load_settings(env | {"TOURBOT_QUESTION_LOG": "off"}, env_file=None).database is None


@pytest.mark.parametrize("token", [None, "abc"])
def test_tourbot_run_without_good_token_exits_2_without_traceback(
    tmp_path: Path, token: str | None
) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    if token:
        env["DISCORD_TOKEN"] = token
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "DISCORD_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
