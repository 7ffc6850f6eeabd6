"""Sentence vectors kept on disk, so a text is embedded once, whatever reloads follow.

A knowledge edit changes a handful of texts; re-embedding all several thousand would make
every reload and restart cost seconds. The store keys each vector by a hash of its text,
so a reload embeds only what is new, and a restart embeds nothing at all.

On disk it is one ``.npy`` file of (key, vector) records, sorted by key, written
atomically; vectors are stored as float16 (half the size; the cosines they give differ
from float32 by under 0.001, far below any margin the matcher uses).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.matching.embedding import (
    CACHE_MODE,
    DIMENSIONS,
    MODEL_KEY,
    Vectors,
    cache_dir,
    shared_encoder,
)

log = logging.getLogger(__name__)

_RECORD = np.dtype([("key", "S16"), ("vector", np.float16, (DIMENSIONS,))])


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class VectorStore:
    """Text -> unit vector, computed by ``encode`` on a miss and remembered on disk."""

    def __init__(self, path: Path | None, encode: Callable[[Sequence[str]], Vectors]) -> None:
        self.path = path
        self._encode = encode
        self._lock = threading.Lock()
        # Read on first use: a matcher loaded whole from disk (bot.matching.compiled) only
        # encodes questions, and at 100,000 entries this file is hundreds of MB.
        self._loaded: npt.NDArray[np.void] | None = None

    @property
    def _records(self) -> npt.NDArray[np.void]:
        if self._loaded is None:
            self._loaded = self._read()
        return self._loaded

    @_records.setter
    def _records(self, records: npt.NDArray[np.void]) -> None:
        self._loaded = records

    def _read(self) -> npt.NDArray[np.void]:
        if self.path is None or not self.path.exists():
            return np.zeros(0, dtype=_RECORD)
        try:
            records = np.load(self.path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as err:
            # A cache is only a cache: a damaged one (an empty file raises EOFError) is
            # rebuilt, never fatal.
            log.warning("ignoring unreadable vector cache %s: %s", self.path, err)
            return np.zeros(0, dtype=_RECORD)
        if records.dtype != _RECORD:
            return np.zeros(0, dtype=_RECORD)
        return np.asarray(records)

    def vectors(self, texts: Sequence[str]) -> Vectors:
        """One unit vector per text, in order; new texts are embedded and stored."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        keys = np.array([text_key(t) for t in texts], dtype="S16")
        with self._lock:
            records = self._records
            found = self._lookup(records, keys)
            missing = np.flatnonzero(found < 0)
            if missing.size:
                unique = dict.fromkeys(texts[int(i)] for i in missing)
                new = np.zeros(len(unique), dtype=_RECORD)
                new["key"] = [text_key(t) for t in unique]
                new["vector"] = self._encode(list(unique))
                records = np.concatenate([records, new])
                records = records[np.argsort(records["key"], kind="stable")]
                self._records = records
                self._write(records)
                found = self._lookup(records, keys)
        return records["vector"][found].astype(np.float32)

    @staticmethod
    def _lookup(
        records: npt.NDArray[np.void], keys: npt.NDArray[np.bytes_]
    ) -> npt.NDArray[np.intp]:
        """Row of each key in ``records`` (sorted by key), -1 where absent."""
        if not len(records):
            return np.full(len(keys), -1, dtype=np.intp)
        rows = np.searchsorted(records["key"], keys)
        rows = np.minimum(rows, len(records) - 1)
        return np.where(records["key"][rows] == keys, rows, -1)

    def _write(self, records: npt.NDArray[np.void]) -> None:
        if self.path is None:
            return
        temp: Path | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=self.path.parent, suffix=".npy.tmp")
            temp = Path(name)
            with os.fdopen(handle, "wb") as out:
                np.save(out, records, allow_pickle=False)
            os.chmod(temp, CACHE_MODE)
            os.replace(temp, self.path)
        except OSError as err:
            # Full disk or read-only cache: answering goes on; the vectors stay in memory.
            log.warning("could not save the vector cache %s: %s", self.path, err)
            if temp is not None:
                temp.unlink(missing_ok=True)

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Vectors for texts not worth remembering (questions), straight from the model."""
        return self._encode(texts)

    def __len__(self) -> int:
        return len(self._records)


_shared: VectorStore | None = None
_shared_lock = threading.Lock()


def shared_store() -> VectorStore:
    """The process's store, in the cache directory, keyed by the model it was built with."""
    global _shared
    with _shared_lock:
        if _shared is None:
            path = cache_dir() / f"vectors-{MODEL_KEY}.npy"
            _shared = VectorStore(path, lambda texts: shared_encoder().encode(texts))
        return _shared
