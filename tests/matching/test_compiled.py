"""The matcher saved on disk (bot.matching.compiled): used only while it is current, and
never a reason to crash."""

from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.matching import compiled, textnorm
from bot.matching.compiled import PREFIX, load_matcher
from bot.matching.embedding import CACHE_ENV, shared_encoder
from bot.matching.matcher import Matcher, Thresholds
from bot.matching.vectors import shared_store
from tests.helpers import QA, copy_shipped, write_small_knowledge

QUESTIONS = ("when was the tour", "who organized it", "how much did it cost", "hi there")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private directory for saved matchers. The process's model and vector store are
    made first, so they stay in the suite's cache (no model build here)."""
    shared_store()
    shared_encoder()
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    yield folder


class Counting:
    """Loads and builds as the bot does, counting the builds."""

    def __init__(self) -> None:
        self.builds = 0

    def __call__(self, directory: Path, thresholds: Thresholds) -> Matcher:
        self.builds += 1
        return Matcher(load_knowledge(directory), thresholds)


def answers(matcher: Matcher) -> list[object]:
    return [matcher.ask(q).to_json() for q in QUESTIONS]


def saved(cache: Path) -> list[Path]:
    return sorted(p for p in cache.glob(f"{PREFIX}*") if not p.name.startswith("."))


def test_a_saved_matcher_is_loaded_and_answers_the_same(cache: Path, tmp_path: Path) -> None:
    directory = write_small_knowledge(tmp_path / "k")
    build = Counting()
    built = load_matcher(directory, build=build)
    loaded = load_matcher(directory, build=build)
    assert build.builds == 1
    assert loaded is not built
    assert answers(loaded) == answers(built) == answers(Matcher(load_knowledge(directory)))
    assert loaded.knowledge == built.knowledge
    for path in saved(cache):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_the_shipped_knowledge_loads_with_its_meaning_matrix_mapped(
    cache: Path, tmp_path: Path
) -> None:
    directory = copy_shipped(tmp_path / "k")
    built = load_matcher(directory)
    loaded = load_matcher(directory)
    assert not loaded.meaning.matrix.flags.owndata  # a view of the mapped .npy
    assert (loaded.meaning.matrix == built.meaning.matrix).all()
    questions = ("when was the study tour?", "wat countries came", "who is the ceo of lohum")
    assert [loaded.ask(q) for q in questions] == [built.ask(q) for q in questions]


def test_an_edit_makes_the_saved_matcher_stale(cache: Path, tmp_path: Path) -> None:
    directory = write_small_knowledge(tmp_path / "k")
    build = Counting()
    assert load_matcher(directory, build=build).ask("when was the tour").text == (
        "On January 30 and 31."
    )
    (directory / "qa.yaml").write_text(
        QA.replace("On January 30 and 31.", "On the 30th and 31st of January."), encoding="utf-8"
    )
    assert load_matcher(directory, build=build).ask("when was the tour").text == (
        "On the 30th and 31st of January."
    )
    assert build.builds == 2


def test_other_thresholds_or_code_get_their_own_matcher(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = write_small_knowledge(tmp_path / "k")
    build = Counting()
    load_matcher(directory, build=build)
    strict = load_matcher(directory, Thresholds(answer=0.9), build=build)
    assert strict.thresholds == Thresholds(answer=0.9)
    monkeypatch.setattr(compiled, "code_version", lambda: "another version of the code")
    load_matcher(directory, build=build)
    assert build.builds == 3


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "side-array", "format"])
def test_a_damaged_saved_matcher_is_rebuilt(cache: Path, tmp_path: Path, damage: str) -> None:
    directory = copy_shipped(tmp_path / "k")
    build = Counting()
    expected = answers(load_matcher(directory, build=build))
    (pickled,) = [p for p in saved(cache) if p.name.endswith(".pickle") and ".known" not in p.name]
    if damage == "empty":
        pickled.write_bytes(b"")
    elif damage == "garbage":
        pickled.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        pickled.write_bytes(pickled.read_bytes()[:1000])
    elif damage == "side-array":
        side = next(p for p in saved(cache) if p.suffix == ".npy")
        side.write_bytes(side.read_bytes()[:200])
    else:
        pickled.write_bytes(pickle.dumps({"format": -1}))
    assert answers(load_matcher(directory, build=build)) == expected
    assert build.builds == 2
    assert answers(load_matcher(directory, build=build)) == expected  # saved again
    assert build.builds == 2


def test_a_saved_file_cannot_run_code(cache: Path, tmp_path: Path) -> None:
    directory = write_small_knowledge(tmp_path / "k")
    build = Counting()
    load_matcher(directory, build=build)
    (pickled,) = [p for p in saved(cache) if p.name.endswith(".pickle") and ".known" not in p.name]
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return os.system, (f"touch {marker}",)

    pickled.write_bytes(pickle.dumps({"format": compiled.FORMAT, "matcher": Exploit()}))
    assert load_matcher(directory, build=build).ask("when was the tour").answered
    assert build.builds == 2
    assert not marker.exists()


def test_an_unwritable_cache_still_answers(cache: Path, tmp_path: Path) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("a file where the cache directory should be", encoding="utf-8")
    directory = write_small_knowledge(tmp_path / "k")
    assert load_matcher(directory).ask("when was the tour").answered


def test_invalid_knowledge_raises_as_the_loader_does(cache: Path, tmp_path: Path) -> None:
    directory = write_small_knowledge(tmp_path / "k", qa="qa:\n  - id: broken\n")
    with pytest.raises(KnowledgeError):
        load_matcher(directory)


def test_a_reload_after_editing_one_entry_normalises_only_that_entry(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after a restart: nothing normalised in this process yet, the last matcher of the
    directory on disk. Every other phrasing's normalised form comes from there."""
    directory = copy_shipped(tmp_path / "k")
    load_matcher(directory)
    monkeypatch.setattr(textnorm, "_SHARED", {})  # a new process
    normalised: list[str] = []
    original = textnorm.Normaliser.normalise

    def counting(self: textnorm.Normaliser, text: str) -> str:
        normalised.append(text)
        return original(self, text)

    monkeypatch.setattr(textnorm.Normaliser, "normalise", counting)
    qa = directory / "qa.yaml"
    text = qa.read_text(encoding="utf-8")
    assert "      - when was the tour\n" in text
    qa.write_text(
        text.replace("      - when was the tour\n", "      - when was that study tour held\n", 1),
        encoding="utf-8",
    )
    matcher = load_matcher(directory)
    phrasings = sum(len(t.phrasings) for t in matcher.index.targets)
    assert phrasings > 5000
    assert "when was that study tour held" in normalised
    assert len(normalised) < 50  # the new phrasing and a few questions' worth, not thousands
    assert matcher.ask("when was that study tour held").match is not None


def test_only_the_most_recent_matchers_are_kept(cache: Path, tmp_path: Path) -> None:
    for number in range(compiled.KEEP + 3):
        load_matcher(write_small_knowledge(tmp_path / f"k{number}"))
    kept = [p for p in saved(cache) if p.name.endswith(".pickle") and ".known" not in p.name]
    assert len(kept) == compiled.KEEP
