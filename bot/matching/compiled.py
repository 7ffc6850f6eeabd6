"""A built matcher kept on disk, so a start or a reload of unchanged knowledge builds nothing.

Building a ``Matcher`` means validating the YAML, normalising every phrasing, indexing
every word and looking up every text's vector: over half a second for the shipped
knowledge, half a minute or more at 100,000 entries. Its result depends only on the
knowledge files, the code and the model, so it is saved once (pickled, with the meaning
matrix in a ``.npy`` beside it, memory-mapped on loading) under a key made of:

- a hash of every file the loader reads (``article.txt``, the YAML files, ``sources/*.md``)
  and of the directory's name (the loader's problems and warnings name their files);
- ``code_version()``: a hash of every module of the ``bot`` package, Python's version, the
  sentence model's key and the versions of numpy and rapidfuzz, so any code change (a new
  scoring rule included) makes a new key and the old file is never read;
- the matcher's thresholds.

A file that is missing, damaged or of another format is not an error: the matcher is built
as before and saved again. Files are written to a temporary name and renamed into place
(mode 0644, like the model), and only the few most recently used are kept.

A reload after an edit still builds, but reuses what it can: every text's vector is cached
by ``bot.matching.vectors``, and the normalised form of every phrasing is saved beside the
matcher (``*.known.pickle``) and taken up by the next build from the same directory, so
only the edited entries are normalised again (``Normaliser.normalise_known``).

Loading uses an unpickler that only accepts this package's classes, a few of numpy's and
Python's containers: a cache file is never a way to run arbitrary code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import io
import logging
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

import bot
from bot.knowledge.loader import KnowledgeError
from bot.knowledge.yamlsource import Problem
from bot.matching.embedding import CACHE_ENV, CACHE_MODE, MODEL_KEY, cache_dir
from bot.matching.matcher import Matcher, Thresholds
from bot.matching.textnorm import shared_normaliser
from bot.matching.vectors import shared_store

log = logging.getLogger(__name__)

# Bump when what is saved changes shape in a way the code hash would not show.
FORMAT = 1
PREFIX = "matcher-"
# Matchers kept in the cache directory (most recently used first): the bot's knowledge and
# a few more (a copy being edited, the tests' temporary ones), not one per directory ever.
KEEP = 6
# Arrays at least this big go to their own .npy file and are memory-mapped on loading.
_SIDE_ARRAY_BYTES = 1 << 16
# What the loader reads from a knowledge directory (bot.knowledge.loader), sources aside.
_KNOWLEDGE_FILES = (
    "article.txt",
    "facts.yaml",
    "qa.yaml",
    "synonyms.yaml",
    "gaps.yaml",
    "taught.yaml",
)


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of everything besides the knowledge that a built matcher depends on."""
    import rapidfuzz

    digest = hashlib.blake2b(digest_size=16)
    versions = (FORMAT, sys.version, MODEL_KEY, np.__version__, rapidfuzz.__version__)
    digest.update(repr(versions).encode())
    package = Path(bot.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _knowledge_files(directory: Path) -> list[Path]:
    sources = directory / "sources"
    found = [directory / name for name in _KNOWLEDGE_FILES]
    if sources.is_dir():
        found += sorted(p for p in sources.glob("*.md") if p.is_file())
    return found


def directory_key(directory: Path) -> str:
    """Names one knowledge directory read by this code: the files saved for it share it."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"{code_version()}\0{directory}".encode())
    return digest.hexdigest()


def knowledge_key(directory: Path, thresholds: Thresholds) -> str:
    """The key of the matcher built from ``directory`` as its files are now."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{code_version()}\0{directory}\0{thresholds!r}\0".encode())
    for path in _knowledge_files(directory):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            digest.update(f"{path.relative_to(directory)}\0missing\0".encode())
            continue
        digest.update(f"{path.relative_to(directory)}\0{len(data)}\0".encode() + data)
    return f"{directory_key(directory)}-{digest.hexdigest()}"


# -- loading and saving ---------------------------------------------------------------------


class _Pickler(pickle.Pickler):
    """Puts big numpy arrays aside (they are written as .npy files) instead of inline."""

    def __init__(self, file: IO[bytes], arrays: list[npt.NDArray[Any]]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._arrays = arrays

    def persistent_id(self, obj: Any) -> Any:
        if type(obj) is np.ndarray and obj.nbytes >= _SIDE_ARRAY_BYTES and not obj.dtype.hasobject:
            self._arrays.append(obj)
            return ("npy", len(self._arrays) - 1)
        return None

    def reducer_override(self, obj: Any) -> Any:
        """A plain dataclass as a call of its class with its fields, not as its state:
        Python's own ``__setstate__`` of a dataclass with slots looks up its fields for
        every object (300,000 of them at 100,000 entries: over a second of a restart's
        3.5 s), while its generated ``__init__`` is a few attribute stores."""
        names = _init_fields(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, name) for name in names)


_INIT_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _init_fields(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass that ``kind(*values)`` rebuilds exactly (every field an
    ``__init__`` argument, none keyword-only, no ``__post_init__``); None for other types."""
    if kind in _INIT_FIELDS:
        return _INIT_FIELDS[kind]
    names: tuple[str, ...] | None = None
    if dataclasses.is_dataclass(kind) and not hasattr(kind, "__post_init__"):
        fields = dataclasses.fields(kind)
        if all(f.init and f.kw_only is not True for f in fields):
            names = tuple(f.name for f in fields)
    _INIT_FIELDS[kind] = names
    return names


_NUMPY_FUNCTIONS = frozenset({"_reconstruct", "_frombuffer", "scalar"})
_BUILTINS = frozenset({"set", "frozenset", "bytearray"})
_FUNCTIONS: dict[tuple[str, str], Callable[..., Any]] = {
    ("bot.matching.textnorm", "shared_normaliser"): shared_normaliser,
}


class _Unpickler(pickle.Unpickler):
    """Only what a saved matcher is made of: classes of this package, plain containers,
    numpy arrays; the side arrays memory-mapped from their .npy files."""

    def __init__(self, file: IO[bytes], side: Callable[[int], npt.NDArray[Any]]) -> None:
        super().__init__(file)
        self._side = side

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _FUNCTIONS:
            return _FUNCTIONS[module, name]
        if module == "builtins" and name in _BUILTINS:
            return super().find_class(module, name)
        if module == "array" and name in ("array", "_array_reconstructor"):
            return super().find_class(module, name)
        found: Any = None
        if module.startswith("bot.") or module.startswith("numpy"):
            found = super().find_class(module, name)
        if module.startswith("bot.") and isinstance(found, type):
            return found
        if module.startswith("numpy") and (
            name in _NUMPY_FUNCTIONS
            or found is np.ndarray
            or (isinstance(found, type) and issubclass(found, np.dtype | np.generic))
        ):
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a saved matcher")

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 2 and pid[0] == "npy"):
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return self._side(int(pid[1]))


def _paths(cache: Path, key: str) -> tuple[Path, Path]:
    return cache / f"{PREFIX}{key}.pickle", cache / f"{PREFIX}{key}.known.pickle"


def _side_path(cache: Path, key: str, number: int) -> Path:
    return cache / f"{PREFIX}{key}.{number}.npy"


def _read(cache: Path, key: str) -> dict[str, Any] | None:
    """The saved state of the matcher ``key``, or None when there is none that loads."""
    path, _ = _paths(cache, key)

    def side(number: int) -> npt.NDArray[Any]:
        array = np.load(_side_path(cache, key, number), mmap_mode="r", allow_pickle=False)
        # A plain array over the mapped file: read on demand, shared by the page cache.
        plain: npt.NDArray[Any] = array.view(np.ndarray)
        return plain

    try:
        with path.open("rb") as handle, _collector_paused():
            state = _Unpickler(handle, side).load()
    except FileNotFoundError:
        return None
    except Exception as err:  # a cache is only a cache: any damage rebuilds
        log.warning("ignoring unreadable matcher cache %s: %s", path, err)
        return None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        log.warning("ignoring matcher cache %s: not this format", path)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by _prune
    return state


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a matcher is unpickled: the millions of
    containers it makes (100,000 entries) set off collection after collection, each
    walking what was made so far, with nothing to collect (a load at 100,000 entries took
    1.95 s with it, 0.9-1.2 s without), all of it with the GIL held while the bot
    answers. Whoever keeps the matcher freezes it (``bot.service``) or exits."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.chmod(name, CACHE_MODE)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _save(cache: Path, key: str, matcher: Matcher) -> None:
    """Save a matcher (side arrays first, the pickle that names them last)."""
    path, known_path = _paths(cache, key)
    state = {"format": FORMAT, "matcher": _matcher_state(matcher)}
    arrays: list[npt.NDArray[Any]] = []
    try:
        cache.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        _Pickler(buffer, arrays).dump(state)
        for number, array in enumerate(arrays):
            _write_atomic(_side_path(cache, key, number), _npy_writer(array))
        _write_atomic(path, lambda out: _write_bytes(out, buffer))
        normaliser = matcher.index.normaliser
        known = {"synonyms": dict(normaliser.synonyms), "known": normaliser.known()}
        _write_atomic(known_path, lambda out: pickle.dump(known, out, pickle.HIGHEST_PROTOCOL))
    except Exception as err:  # answering goes on without a saved copy
        log.warning("could not save the matcher cache %s: %s", path, err)
        return
    _prune(cache, keep=path)


def _write_bytes(out: IO[bytes], buffer: io.BytesIO) -> None:
    out.write(buffer.getbuffer())


def _npy_writer(array: npt.NDArray[Any]) -> Callable[[IO[bytes]], None]:
    def write(out: IO[bytes]) -> None:
        np.save(out, array, allow_pickle=False)

    return write


def _prune(cache: Path, keep: Path) -> None:
    """Remove all but the KEEP most recently used matchers (and their side files)."""
    try:
        saved = sorted(
            (p for p in cache.glob(f"{PREFIX}*.pickle") if not p.name.endswith(".known.pickle")),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for old in saved[KEEP:]:
            if old == keep:
                continue
            stem = old.name[: -len(".pickle")]
            for path in cache.glob(f"{stem}.*"):
                path.unlink(missing_ok=True)
    except OSError as err:
        log.warning("could not prune the matcher cache in %s: %s", cache, err)


def _matcher_state(matcher: Matcher) -> dict[str, Any]:
    """A matcher's attributes but its vector store (the process's own, set on loading)."""
    return {name: value for name, value in vars(matcher).items() if name != "store"}


def _restore(state: Mapping[str, Any]) -> Matcher:
    matcher = Matcher.__new__(Matcher)
    vars(matcher).update(state)
    matcher.store = shared_store()
    return matcher


def _seed_normaliser(cache: Path, directory: Path) -> None:
    """Before a build: hand the normalised phrasings saved with the last matcher of this
    directory to the shared normaliser of its synonyms, so only edited texts are
    normalised again (nothing is lost if the synonyms changed: another normaliser is used)."""
    prefix = f"{PREFIX}{directory_key(directory)}-"
    try:
        saved = sorted(
            cache.glob(f"{prefix}*.known.pickle"),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
    except OSError:
        return
    for path in saved[:1]:
        try:
            with path.open("rb") as handle:
                data = _Unpickler(handle, _no_side).load()
            synonyms, known = data["synonyms"], data["known"]
            if not isinstance(synonyms, dict) or not isinstance(known, dict):
                return
        except Exception as err:  # only a head start; the build goes on
            log.warning("ignoring unreadable normalised-text cache %s: %s", path, err)
            return
        normaliser = shared_normaliser(synonyms)
        if not normaliser.known():
            normaliser.remember(known)


def _no_side(number: int) -> npt.NDArray[Any]:
    raise pickle.UnpicklingError("no side arrays here")


_building = threading.Lock()


def load_matcher(
    directory: Path,
    thresholds: Thresholds | None = None,
    build: Callable[[Path, Thresholds], Matcher] | None = None,
    key: str | None = None,
) -> Matcher:
    """The matcher for ``directory`` as it is now (or as it was when ``knowledge_key``
    gave ``key``): loaded if saved, else built and saved.

    Raises ``KnowledgeError`` (from the loader) when the files are not valid, as
    ``load_knowledge`` does. ``build`` stands in for loading and building (tests).
    """
    thresholds = thresholds or Thresholds()
    cache = cache_dir()
    key = key or knowledge_key(directory, thresholds)
    matcher = _load(cache, key)
    if matcher is not None:
        return matcher
    with _building:
        _seed_normaliser(cache, directory)
        matcher = (build or _build)(directory, thresholds)
        # Saved only if the files did not change while they were read: otherwise this
        # matcher is of neither version, and the next load builds again.
        if knowledge_key(directory, thresholds) == key:
            _save(cache, key, matcher)
    return matcher


def load_saved(
    directory: Path, thresholds: Thresholds | None = None, key: str | None = None
) -> Matcher | None:
    """The saved matcher for ``directory`` as its files are now (or as they were when
    ``knowledge_key`` gave ``key``), or None: never builds."""
    return _load(cache_dir(), key or knowledge_key(directory, thresholds or Thresholds()))


def _load(cache: Path, key: str) -> Matcher | None:
    state = _read(cache, key)
    if state is None:
        return None
    try:
        return _restore(state["matcher"])
    except Exception as err:  # a cache is only a cache
        log.warning("ignoring matcher cache %s: %s", key, err)
        return None


def build_and_save(
    directory: Path, thresholds: Thresholds | None, cache: str
) -> tuple[Problem, ...]:
    """Build the matcher of ``directory`` and save it in ``cache``; run in a child process
    (``bot.service``), which then only has to load it.

    Returns the loader's problems (empty when the files are valid), so the process that
    asked reports them exactly as if it had loaded the files itself. The matcher is saved
    under this process's own key: a child running other code (files replaced on disk
    since the bot started) saves under another key, which the bot never reads.
    """
    os.environ[CACHE_ENV] = cache
    try:
        load_matcher(directory, thresholds)
    except KnowledgeError as err:
        return tuple(err.problems)
    return ()


def _build(directory: Path, thresholds: Thresholds) -> Matcher:
    from bot.knowledge.loader import load_knowledge

    return Matcher(load_knowledge(directory), thresholds)
