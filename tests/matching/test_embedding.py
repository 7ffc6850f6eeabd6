"""The sentence model (bot.matching.embedding): pinned weights, unit vectors, meaning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.matching.embedding import (
    DIMENSIONS,
    MODEL_KEY,
    WEIGHTS_SHA256,
    Encoder,
    ModelError,
    build_model,
    cache_dir,
    shared_encoder,
)


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return shared_encoder()


def test_weights_with_another_checksum_are_refused(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    target = tmp_path / "cache" / "model.onnx"
    with pytest.raises(ModelError, match="checksum"):
        build_model(weights, target)
    assert not target.exists()


def test_the_model_key_names_the_pinned_weights() -> None:
    assert WEIGHTS_SHA256[:16] in MODEL_KEY


def test_the_cache_directory_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOURBOT_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("TOURBOT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "tourbot"


def test_vectors_are_unit_length_one_row_per_text_in_order(encoder: Encoder) -> None:
    texts = ["who organised the study tour?", "hi", "a much longer sentence " * 20]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # Each text runs alone (activations are quantised per run), several side by side:
    # its vector is the one it gets alone, in its own row.
    for text, vector in zip(texts, vectors, strict=True):
        assert np.array_equal(encoder.encode([text])[0], vector)
    assert encoder.encode([]).shape == (0, DIMENSIONS)


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(encoder: Encoder) -> None:
    question, paraphrase, unrelated = encoder.encode(
        [
            "Who organised the study tour?",
            "Which organisations arranged the study visit?",
            "The weather in Paris is rainy today.",
        ]
    )
    assert float(question @ paraphrase) > float(question @ unrelated) + 0.3
    # The model's own figures (all-MiniLM-L6-v2): a near-identical sentence, an unrelated one.
    same, also = encoder.encode(["The new movie is awesome", "The new movie is so great"])
    assert float(same @ also) == pytest.approx(0.89, abs=0.03)
