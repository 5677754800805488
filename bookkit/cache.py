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
  :func:`bookkit.chapters.sources`), and the versions of python and of every package
  ``com`` computes with (:func:`bookkit.chapters.versions`: torch, numpy, scipy).

Work that does not depend on the seed (fits, targets, grids) is cached with
``seed_free=True``, so that a sweep over seeds computes it once: its key leaves out
``seed`` (and ``strict``), the code history (papermill's injected cell names the seed)
and the random streams; the call site names every input in ``params`` and ``compute``
must draw nothing from the chapter's streams (nothing is restored on a hit).

An entry holds data only: tensors, numpy arrays and plain data, in a numpy ``.npz``
read without pickle (:mod:`bookkit.entries`), so reading one can never run code; a
result of any other type is an error when it is stored (also with the cache off, so a
chapter that returns one fails in the tests). Each entry records the key it was stored
under and is served only for that key: an entry copied or renamed under another key's
name is reported and recomputed. A damaged entry (truncated, emptied, overwritten) is
reported with its file name and recomputed. Entries are written whole under a name
unique to the writer (bookkit.files): an interrupt never leaves a half-written result,
and two writers of one key never collide.

``COM_CACHE`` sets the folder: ``off``, ``0``, ``false`` or ``no`` (any case) disable
caching (the tests do this); unset, or ``on``, ``1``, ``true``, ``yes``, it is
``_build/cache`` at the repository root (which ``make clean`` keeps and ``make
distclean`` removes); anything else must be the absolute path of a folder this process
can write, owned by its user and not writable by everyone (a shared folder such as
/tmp is refused: whoever can write there could plant results).
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from . import chapters, entries
from . import streams as random_streams
from .chapters import ROOT, sources_hash
from .fingerprint import digest, fingerprint

DEFAULT = ROOT / "_build" / "cache"
OFF = ("off", "0", "false", "no")
ON = ("on", "1", "true", "yes")
ALLOWED = ("off (or 0, false, no: no cache), on (or 1, true, yes: the folder _build/cache) "
           "or the absolute path of a folder you own that others cannot write")


class CacheError(ValueError):
    """COM_CACHE names neither a switch nor a folder fit for a cache, or a result cannot
    be stored."""


class CacheWarning(UserWarning):
    """A cache entry could not be read and is being recomputed."""


@lru_cache(maxsize=1)
def source_hash() -> str:
    """What every result depends on besides its inputs (bookkit.chapters.sources)."""
    return sources_hash()


def folder() -> Path | None:
    """The cache folder from COM_CACHE (created), or None when caching is off."""
    raw = os.environ.get("COM_CACHE")
    word = None if raw is None else raw.strip().lower()
    if word in OFF:
        return None
    if raw is None or word in ON:
        where = DEFAULT
    elif not word:
        raise CacheError(f"COM_CACHE is set but empty; it must be {ALLOWED}")
    else:
        where = Path(raw.strip()).expanduser()
        if not where.is_absolute():
            raise CacheError(f"COM_CACHE={raw!r} must be {ALLOWED}; a relative path would "
                             f"be taken from the chapter's working folder, book/")
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, prefix=".probe-"):
            pass
    except OSError as err:
        raise CacheError(f"COM_CACHE={raw!r} is not a folder this process can write "
                         f"({err.strerror or err}); it must be {ALLOWED}") from None
    _trusted(where, raw)
    return where


def _trusted(where: Path, raw: str | None) -> None:
    """A cached result is served as it was stored: the folder must be its user's alone."""
    st = where.stat()
    name = f"COM_CACHE={raw!r}" if raw is not None else f"the cache folder {where}"
    if st.st_uid != os.geteuid():
        raise CacheError(f"{name} is owned by user {st.st_uid}, not by you (user "
                         f"{os.geteuid()}); it must be {ALLOWED}")
    if st.st_mode & stat.S_IWOTH:
        raise CacheError(f"{name} must be {ALLOWED}: others can write it (mode "
                         f"{stat.filemode(st.st_mode)}), so they could plant results")


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
        "com": source_hash(), "versions": chapters.versions(),
    }


def _identity(name, params, compute, call, seed_free: bool = False) -> Any:
    """The key of a call as JSON data, as an entry records it."""
    return json.loads(json.dumps([key(name, params, compute, seed_free), call],
                                 sort_keys=True, default=repr))


def _path(base: Path, name: str, identity) -> Path:
    text = json.dumps(identity, sort_keys=True)
    return base / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:20]}.npz"


def path_for(name: str, params: Mapping[str, Any] | None = None,
             compute: Callable[[], Any] | None = None, call: int | None = None,
             seed_free: bool = False) -> Path | None:
    base = folder()
    return None if base is None else _path(base, name, _identity(name, params, compute, call,
                                                                  seed_free))


def _load(path: Path, identity=None) -> dict[str, Any] | None:
    """The stored entry, or None (with a warning naming the file) if it is damaged or was
    stored under another key than ``identity``."""
    try:
        header, values = entries.read(path)
    except FileNotFoundError:
        return None                            # removed meanwhile: just compute
    except Exception as err:                   # noqa: BLE001 - any damage means recompute
        warnings.warn(f"cache entry {path} is damaged ({type(err).__name__}: {err}); "
                      f"recomputing it", CacheWarning, stacklevel=3)
        return None
    if identity is not None and header.get("key") != identity:
        warnings.warn(f"cache entry {path} was stored for other inputs "
                      f"({entries.differences(header.get('key'), identity)}); recomputing it",
                      CacheWarning, stacklevel=3)
        return None
    return {**header, **values}


def _storable(name: str, result: Any) -> None:
    try:
        entries.encode(result, None)
    except entries.Unstorable as err:
        raise CacheError(f"the cached computation {name!r} returned {err}: a cached result "
                         f"must be {entries.PLAIN}; return those (e.g. an object's "
                         f"tensors) and build objects from them after") from None


def cached(name: str, params: Mapping[str, Any] | None, compute: Callable[[], Any],
           seed_free: bool = False) -> Any:
    """Return ``compute()``, from disk when it was done before with the same inputs.

    ``params`` are extra inputs that the key cannot see otherwise (rarely needed: the
    chapter's parameters, code, random streams and ``compute``'s defaults and closure
    are in the key already). The result must be tensors, arrays and plain data.
    ``seed_free``: the result does not depend on the seed, and is shared by every seed
    (module docstring: ``params`` then names every input).
    """
    ns = _chapter["namespace"]
    call = None if seed_free else _call_index(ns)
    base = folder()
    streams = {} if seed_free else random_streams.in_namespace(ns)
    if base is None:
        result = compute()
        _storable(name, result)
        return result
    identity = _identity(name, params, compute, call, seed_free)
    path = _path(base, name, identity)
    found = _load(path, identity) if path.exists() else None
    if found is not None:
        for stream, state in found["streams"].items():
            if stream in streams:
                target = stream if streams[stream] is None else streams[stream]
                random_streams.set_state(target, state)
        return found["result"]
    result = compute()
    _storable(name, result)
    entries.write(path, {"name": name, "key": identity},   # whole, under a name of its own
                  {"result": result, "streams": random_streams.states(streams)})
    return result
