"""Disk cache for finished units of work, so an interrupted chapter resumes.

A result is stored under a key derived, not typed, from everything it can depend on:

- its ``name`` and the ``params`` the call site passes (e.g. a loop variable), and
  the defaults and closure of ``compute`` (``lambda m=m: ...`` keys itself by ``m``);
- every parameter of the chapter, registered by :func:`bookkit.params.check_in`
  (current values, order of lists included), so no parameter can be forgotten;
- the chapter's code: in a notebook the code of every cell executed so far (IPython's
  input history: an edited cell above a computation changes its key, an edited plot
  below it does not), and which call of ``cached`` in the current cell this is
  (two calls in a loop never share a key);
- the random streams at the call: the global torch, numpy and ``random`` states and
  every ``torch.Generator``/numpy generator in the chapter's namespace. Their states
  after ``compute`` are stored with the result and restored on a hit, so a cached
  run continues with the same draws as an uncached one;
- a hash of the code results depend on (``com`` and the machinery a chapter runs,
  :func:`bookkit.chapters.sources`), and the python, torch and numpy versions.

Work that does not depend on the seed (fits, targets, grids) is cached with
``seed_free=True``, so that a sweep over seeds computes it once: its key leaves out
``seed`` (and ``strict``), the code history (papermill's injected cell names the seed)
and the random streams; the call site names every input in ``params`` and ``compute``
must draw nothing from the chapter's streams (nothing is restored on a hit).

A damaged entry (truncated, emptied, overwritten) is reported with its file name
and recomputed. Entries are written to a temporary file unique to the writer, then
renamed: an interrupt never leaves a half-written result, and two writers of one
key never collide.

``COM_CACHE`` sets the folder (default ``_build/cache`` at the repository root, which
``make clean`` keeps and ``make distclean`` removes); ``off``, ``0``, ``false`` or
``no`` (any case) disable caching (the tests do this), ``on``, ``1``, ``true``,
``yes`` select the default; anything else must be a folder this process can write.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import torch

from . import streams as random_streams
from .chapters import ROOT, sources_hash
from .fingerprint import digest, fingerprint

DEFAULT = ROOT / "_build" / "cache"
OFF = ("off", "0", "false", "no")
ON = ("on", "1", "true", "yes")
FORMAT = 2                                    # bump when the stored layout changes


class CacheError(ValueError):
    """COM_CACHE names neither a switch nor a folder this process can write."""


class CacheWarning(UserWarning):
    """A cache entry could not be read and is being recomputed."""


@lru_cache(maxsize=1)
def source_hash() -> str:
    """What every result depends on besides its inputs (bookkit.chapters.sources)."""
    return sources_hash()


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), "torch": torch.__version__,
            "numpy": np.__version__}


def folder() -> Path | None:
    """The cache folder from COM_CACHE (created), or None when caching is off."""
    raw = os.environ.get("COM_CACHE")
    if raw is None:
        where = DEFAULT
    elif raw.strip().lower() in OFF:
        return None
    elif raw.strip().lower() in ON:
        where = DEFAULT
    elif not raw.strip():
        raise CacheError("COM_CACHE is set but empty; set it to a folder, or to "
                         "off/0/false/no to disable caching")
    else:
        where = Path(raw).expanduser()
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, prefix=".probe-"):
            pass
    except OSError as err:
        raise CacheError(f"COM_CACHE={raw!r} is not a folder this process can write "
                         f"({err.strerror or err}); set it to a writable folder, or to "
                         f"off/0/false/no to disable caching") from None
    return where


# --- the chapter registered by bookkit.params.check_in ----------------------------------

_chapter: dict[str, Any] = {"namespace": None, "names": (), "cell": None, "calls": 0}


def register(namespace: dict[str, Any], names) -> None:
    """Key every later result by the parameters ``names`` as found in ``namespace``
    (a notebook's globals), by its code and by its random streams."""
    _chapter.update(namespace=namespace, names=tuple(names), cell=None, calls=0)


def unregister() -> None:
    _chapter.update(namespace=None, names=(), cell=None, calls=0)


def _history(namespace) -> list[str] | None:
    history = namespace.get("In") if namespace is not None else None
    return history if isinstance(history, list) else None


def _code(namespace) -> str:
    """The code that ran so far: a notebook's executed cells (each distinct source once,
    in order of first run), or a script's file."""
    history = _history(namespace)
    if history is not None:
        return "\n# %% cell\n".join(dict.fromkeys(history))
    path = namespace.get("__file__") if namespace is not None else None
    if path and Path(path).is_file():
        return Path(path).read_text()
    return ""


def _call_index(namespace) -> int | None:
    """Which call of ``cached`` in the current notebook cell this is (None outside one)."""
    history = _history(namespace)
    if history is None:
        return None
    if _chapter["cell"] != len(history):
        _chapter.update(cell=len(history), calls=0)
    _chapter["calls"] += 1
    return _chapter["calls"]


# --- keys and entries -------------------------------------------------------------------

SEED_NAMES = ("seed", "strict")             # what a seed-free result is not keyed by


def key(name: str, params: Mapping[str, Any] | None = None,
        compute: Callable[[], Any] | None = None, seed_free: bool = False) -> dict[str, Any]:
    """Everything a result is keyed by (see the module docstring), as plain data."""
    ns, names = _chapter["namespace"], _chapter["names"]
    chapter = {n: fingerprint(ns[n]) for n in names if ns is not None and n in ns
               and not (seed_free and n in SEED_NAMES)}
    return {
        "name": name, "params": fingerprint(dict(params or {})),
        "compute": fingerprint(compute) if compute is not None else None,
        "chapter": chapter, "code": None if seed_free else digest(_code(ns).encode()),
        "streams": None if seed_free else
        fingerprint(random_streams.states(random_streams.in_namespace(ns))),
        "com": source_hash(), "versions": versions(),
    }


def path_for(name: str, params: Mapping[str, Any] | None = None,
             compute: Callable[[], Any] | None = None, call: int | None = None,
             seed_free: bool = False) -> Path | None:
    base = folder()
    if base is None:
        return None
    text = json.dumps([key(name, params, compute, seed_free), call], sort_keys=True,
                      default=repr)
    return base / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:20]}.pt"


def _load(path: Path) -> dict[str, Any] | None:
    """The stored entry, or None (with a warning naming the file) if it is damaged."""
    try:
        entry = torch.load(path, weights_only=False)
        if not (isinstance(entry, dict) and entry.get("format") == FORMAT
                and {"result", "streams"} <= set(entry)):
            raise ValueError("not a cache entry of this version")
        return entry
    except FileNotFoundError:
        return None                            # removed meanwhile: just compute
    except Exception as err:                   # noqa: BLE001 - any damage means recompute
        warnings.warn(f"cache entry {path} is damaged ({type(err).__name__}: {err}); "
                      f"recomputing it", CacheWarning, stacklevel=3)
        return None


def _save(path: Path, entry: dict[str, Any]) -> None:
    """Write to a temporary file unique to this writer, then rename into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(entry, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached(name: str, params: Mapping[str, Any] | None, compute: Callable[[], Any],
           seed_free: bool = False) -> Any:
    """Return ``compute()``, from disk when it was done before with the same inputs.

    ``params`` are extra inputs that the key cannot see otherwise (rarely needed: the
    chapter's parameters, code, random streams and ``compute``'s defaults and closure
    are in the key already). ``seed_free``: the result does not depend on the seed, and
    is shared by every seed (module docstring: ``params`` then names every input).
    """
    ns = _chapter["namespace"]
    call = None if seed_free else _call_index(ns)
    path = path_for(name, params, compute, call, seed_free)
    streams = {} if seed_free else random_streams.in_namespace(ns)
    if path is not None and path.exists():
        entry = _load(path)
        if entry is not None:
            for stream, state in entry["streams"].items():
                if stream in streams:
                    target = stream if streams[stream] is None else streams[stream]
                    random_streams.set_state(target, state)
            return entry["result"]
    result = compute()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _save(path, {"format": FORMAT, "result": result,
                     "streams": random_streams.states(streams), "name": name,
                     "python": sys.version})
    return result
