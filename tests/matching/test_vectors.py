"""The on-disk text -> vector cache (bot.matching.vectors)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.matching.embedding import DIMENSIONS, Vectors
from bot.matching.vectors import VectorStore


class CountingEncoder:
    """A stand-in for the model: a fixed unit vector per text, and a tally of what it was
    asked to embed."""

    def __init__(self) -> None:
        self.calls = 0
        self.texts: list[str] = []

    def __call__(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        self.texts.extend(texts)
        return np.stack([self.vector(t) for t in texts])

    @staticmethod
    def vector(text: str) -> Vectors:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(DIMENSIONS).astype(np.float32)
        return v / np.linalg.norm(v)


TEXTS = ["who organised the tour", "when was it", "where was it"]


def close_to_truth(found: Vectors, texts: Sequence[str]) -> bool:
    expected = np.stack([CountingEncoder.vector(t) for t in texts])
    return bool(np.allclose(found, expected, atol=2e-3))  # stored as float16


def test_vectors_are_computed_once_and_come_back_in_order(tmp_path: Path) -> None:
    encode = CountingEncoder()
    store = VectorStore(tmp_path / "vectors.npy", encode)
    first = store.vectors(TEXTS)
    assert first.shape == (3, DIMENSIONS) and first.dtype == np.float32
    assert close_to_truth(first, TEXTS)
    again = store.vectors([TEXTS[2], TEXTS[0], TEXTS[2]])
    assert close_to_truth(again, [TEXTS[2], TEXTS[0], TEXTS[2]])
    assert encode.texts == TEXTS and encode.calls == 1
    assert len(store) == 3
    assert store.vectors([]).shape == (0, DIMENSIONS)


def test_a_second_store_on_the_same_path_embeds_nothing_new(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npy"
    VectorStore(path, CountingEncoder()).vectors(TEXTS)
    assert path.exists()
    encode = CountingEncoder()
    reopened = VectorStore(path, encode)
    assert close_to_truth(reopened.vectors(TEXTS), TEXTS)
    assert encode.calls == 0 and encode.texts == []


def test_a_changed_text_embeds_only_that_text(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npy"
    VectorStore(path, CountingEncoder()).vectors(TEXTS)
    encode = CountingEncoder()
    edited = [TEXTS[0], "when exactly was it", TEXTS[2]]
    found = VectorStore(path, encode).vectors(edited)
    assert encode.texts == ["when exactly was it"]
    assert close_to_truth(found, edited)
    # ... and the next restart embeds nothing at all.
    later = CountingEncoder()
    VectorStore(path, later).vectors(edited)
    assert later.calls == 0


def test_repeated_new_texts_are_embedded_once(tmp_path: Path) -> None:
    encode = CountingEncoder()
    VectorStore(tmp_path / "vectors.npy", encode).vectors(["a", "b", "a", "b"])
    assert sorted(encode.texts) == ["a", "b"]


@pytest.mark.parametrize(
    "damage",
    [
        b"not a numpy file at all",
        b"\x93NUMPY\x01\x00garbage",
        b"",  # an empty file: numpy raises EOFError
        b"\x93NUMPY\x01\x00v\x00{'descr': [('key', '|S16'), ('vector', '<f2', (384,))], "
        b"'fortran_order': False, 'shape': (5,), }" + b" " * 40 + b"\n" + b"\x00" * 100,
    ],
    ids=["garbage", "bad-header", "empty", "truncated"],
)
def test_a_corrupt_cache_file_is_ignored(
    tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "vectors.npy"
    path.write_bytes(damage)
    encode = CountingEncoder()
    with caplog.at_level(logging.WARNING):
        store = VectorStore(path, encode)
        found = store.vectors(TEXTS)
    assert close_to_truth(found, TEXTS)
    assert encode.texts == TEXTS
    # It was rebuilt: a new store reads the repaired file.
    later = CountingEncoder()
    assert close_to_truth(VectorStore(path, later).vectors(TEXTS), TEXTS)
    assert later.calls == 0


def test_a_cache_of_another_layout_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npy"
    np.save(path, np.arange(10, dtype=np.int64))
    encode = CountingEncoder()
    assert close_to_truth(VectorStore(path, encode).vectors(TEXTS), TEXTS)
    assert encode.texts == TEXTS


def test_an_unwritable_cache_still_answers_from_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    path = blocker / "vectors.npy"
    encode = CountingEncoder()
    store = VectorStore(path, encode)
    with caplog.at_level(logging.WARNING):
        found = store.vectors(TEXTS)
    assert close_to_truth(found, TEXTS)
    assert not path.exists()
    assert "could not save the vector cache" in caplog.text
    # Kept in memory: asking again embeds nothing.
    assert close_to_truth(store.vectors(TEXTS), TEXTS)
    assert encode.calls == 1
    assert not list(blocker.parent.glob("*.tmp"))


def test_a_store_without_a_path_keeps_vectors_in_memory() -> None:
    encode = CountingEncoder()
    store = VectorStore(None, encode)
    store.vectors(TEXTS)
    store.vectors(TEXTS)
    assert encode.calls == 1


def test_questions_are_encoded_without_being_stored(tmp_path: Path) -> None:
    encode = CountingEncoder()
    store = VectorStore(tmp_path / "vectors.npy", encode)
    found = store.encode(["a question nobody stores"])
    assert np.allclose(found, CountingEncoder.vector("a question nobody stores"))
    assert len(store) == 0 and not (tmp_path / "vectors.npy").exists()
