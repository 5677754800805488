"""Fingerprints: a JSON-able value that changes when an object's content does.

Tensors and arrays by their dtype, shape and bytes; generators by their state;
functions by their code, defaults and closure (so ``lambda m=m: ...`` is told apart
from ``lambda m=n: ...``), bound methods by their function and object, partials by
their function and arguments; containers entry by entry; other objects by their
attributes, or by their repr unless it holds a memory address. bookkit.cache keys its
results with them.
"""
from __future__ import annotations

import functools
import hashlib
import math
import types
from typing import Any

import numpy as np
import torch


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def fingerprint(obj: Any, depth: int = 0) -> Any:
    """A JSON-able value that changes when ``obj``'s content does (tensors and arrays by
    their bytes, generators by their state, functions by code, defaults and closure)."""
    if depth > 6:
        return type(obj).__name__
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else repr(obj)
    if isinstance(obj, (list, tuple)):
        return [type(obj).__name__] + [fingerprint(x, depth + 1) for x in obj]
    if isinstance(obj, dict):
        return {"dict": sorted(([repr(k), fingerprint(v, depth + 1)] for k, v in obj.items()),
                               key=lambda kv: kv[0])}
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        return {"tensor": [str(t.dtype), list(t.shape), digest(t.numpy().tobytes())
                           if t.dtype != torch.bfloat16 else digest(t.float().numpy().tobytes())]}
    if isinstance(obj, np.ndarray):
        data = digest(np.ascontiguousarray(obj).tobytes())
        return {"array": [str(obj.dtype), list(obj.shape), data]}
    if isinstance(obj, np.generic):
        return fingerprint(obj.item(), depth)
    if isinstance(obj, torch.Generator):
        return {"generator": digest(obj.get_state().numpy().tobytes())}
    if isinstance(obj, (np.random.Generator, np.random.RandomState)):
        state = obj.bit_generator.state if isinstance(obj, np.random.Generator) else obj.get_state()
        return {"np.generator": digest(repr(state).encode())}
    if isinstance(obj, types.FunctionType):
        return {"function": _function(obj, depth)}
    if isinstance(obj, types.MethodType):
        return {"method": [fingerprint(obj.__func__, depth + 1),
                           fingerprint(obj.__self__, depth + 1)]}
    if isinstance(obj, functools.partial):
        return {"partial": [fingerprint(obj.func, depth + 1), fingerprint(obj.args, depth + 1),
                            fingerprint(obj.keywords, depth + 1)]}
    if isinstance(obj, types.ModuleType):
        return {"module": obj.__name__}
    if isinstance(obj, torch.dtype):
        return str(obj)
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return {type(obj).__qualname__: fingerprint(vars(obj), depth + 1)}
    text = repr(obj)
    # a default repr holds a memory address, different in every run: keep the type only
    return {type(obj).__qualname__: None if " at 0x" in text else text}


def _code_fingerprint(code: types.CodeType) -> list:
    consts = [_code_fingerprint(c) if isinstance(c, types.CodeType) else repr(c)
              for c in code.co_consts]
    return [digest(code.co_code), consts, list(code.co_names)]


def _function(fn: types.FunctionType, depth: int) -> list:
    closure = [fingerprint(c.cell_contents, depth + 1) if _filled(c) else None
               for c in (fn.__closure__ or ())]
    return [fn.__qualname__, _code_fingerprint(fn.__code__),
            fingerprint(fn.__defaults__, depth + 1), fingerprint(fn.__kwdefaults__, depth + 1),
            closure]


def _filled(cell) -> bool:
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


__all__ = ["digest", "fingerprint"]
