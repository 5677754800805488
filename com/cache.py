"""Disk cache for finished units of work, so an interrupted chapter resumes.

A result is stored under a key made of its name, its parameters and a hash of
the ``com`` sources, so a change to the library never serves a stale result.
``COM_CACHE`` sets the folder (default ``_build/cache`` at the repository root);
``COM_CACHE=off`` disables caching (the tests do this).
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import torch

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def source_hash() -> str:
    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def folder() -> Path | None:
    where = os.environ.get("COM_CACHE", str(ROOT / "_build" / "cache"))
    return None if where.lower() in ("off", "0", "") else Path(where)


def path_for(name: str, params: dict[str, Any]) -> Path | None:
    base = folder()
    if base is None:
        return None
    key = json.dumps(params, sort_keys=True, default=str) + source_hash()
    return base / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pt"


def cached(name: str, params: dict[str, Any], compute: Callable[[], Any]) -> Any:
    """Return ``compute()``, from disk when this (name, params, code) was done before.

    The file is written atomically (temp file, then rename): an interrupt never
    leaves a half-written result behind.
    """
    path = path_for(name, params)
    if path is not None and path.exists():
        return torch.load(path, weights_only=False)
    result = compute()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save(result, tmp)
        tmp.replace(path)
    return result
