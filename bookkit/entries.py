"""A result cache entry on disk: tensors, arrays and plain data, in a format that cannot
run code when it is read.

An entry is a numpy ``.npz`` archive read with ``allow_pickle=False``: one member
``entry``, the UTF-8 JSON of its header and of the values' structure, and one member
per tensor or array (``a0``, ``a1``, ...). The structure is plain JSON (``None``,
``bool``, ``int``, ``str``, finite ``float``) or a node tagged by ``"$"``: ``list``,
``tuple``, ``dict`` (its items as pairs, so keys keep their type), ``float`` (nan and
the infinities), ``tensor`` (dtype, shape, requires_grad; an ``nn.Parameter`` stays
one), ``array`` and ``scalar`` (numpy). Nothing else can be stored: a value of another
type is an error when it is stored (``Unstorable``, saying where in the value it is),
never a pickle; and anything in a file that is not this structure is refused when it
is read (``ValueError``: the cache reports the entry as damaged and recomputes it).
"""
from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import files

FORMAT = 3                                    # bump when the stored layout changes
PLAIN = ("tensors, numpy arrays and plain data (dict, list, tuple, str, int, float, bool, "
         "None)")
TENSOR_DTYPES = {torch.float16, torch.float32, torch.float64, torch.complex64,
                 torch.complex128, torch.int8, torch.int16, torch.int32, torch.int64,
                 torch.uint8, torch.bool}
KEYS = (type(None), bool, int, float, str, tuple)


class Unstorable(TypeError):
    """A value the entry format cannot hold."""

    def __init__(self, where: str, value: Any):
        self.where, self.kind = where, type(value).__name__
        detail = f" of dtype {value.dtype}" if hasattr(value, "dtype") else ""
        super().__init__(f"a {self.kind}{detail} at {where}")


def _array(value: np.ndarray, arrays: list | None) -> str:
    if arrays is None:                        # checking only
        return ""
    arrays.append(np.asarray(value))
    return f"a{len(arrays) - 1}"


def _tensor(v: torch.Tensor, arrays: list | None, where: str) -> dict:
    if v.layout != torch.strided or v.dtype not in TENSOR_DTYPES or v.is_quantized:
        raise Unstorable(where, v)
    data = v.detach().cpu().resolve_conj().resolve_neg().numpy() if arrays is not None else None
    node = {"$": "tensor", "a": _array(data, arrays)}
    if v.requires_grad:
        node["grad"] = True
    if type(v) is torch.nn.Parameter:
        node["parameter"] = True
    return node


def encode(v: Any, arrays: list | None, where: str = "result") -> Any:
    """``v`` as JSON-able structure, its tensors and arrays appended to ``arrays`` (None:
    only check that ``v`` can be stored). Raises Unstorable."""
    t = type(v)
    if v is None or t in (bool, int, str):
        return v
    if t is float:
        return v if math.isfinite(v) else {"$": "float", "v": repr(v)}
    if t in (list, tuple):
        return {"$": t.__name__, "v": [encode(x, arrays, f"{where}[{i}]")
                                       for i, x in enumerate(v)]}
    if t is dict:
        for k in v:
            if type(k) not in KEYS:
                raise Unstorable(f"{where} (a key)", k)
        return {"$": "dict", "v": [[encode(k, arrays, f"{where} (a key)"),
                                    encode(x, arrays, f"{where}[{k!r}]")] for k, x in v.items()]}
    if t in (torch.Tensor, torch.nn.Parameter):
        return _tensor(v, arrays, where)
    if isinstance(v, (np.ndarray, np.generic)) and not v.dtype.hasobject and t is not np.str_:
        tag = "array" if t is np.ndarray else "scalar"
        return {"$": tag, "a": _array(np.asarray(v), arrays)}
    raise Unstorable(where, v)


def decode(node: Any, arrays) -> Any:
    """The value ``encode`` described, its arrays read from ``arrays`` (an NpzFile)."""
    if node is None or type(node) in (bool, int, float, str):
        return node
    tag = node.get("$") if type(node) is dict else None
    if tag in ("list", "tuple"):
        items = [decode(x, arrays) for x in node["v"]]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        return {decode(k, arrays): decode(x, arrays) for k, x in node["v"]}
    if tag == "float":
        return float(node["v"]) if node["v"] in ("nan", "inf", "-inf") else _bad(node)
    if tag == "tensor":
        t = torch.from_numpy(arrays[node["a"]]).requires_grad_(node.get("grad", False))
        return torch.nn.Parameter(t, t.requires_grad) if node.get("parameter") else t
    if tag == "array":
        return arrays[node["a"]]
    if tag == "scalar":
        return arrays[node["a"]][()]
    return _bad(node)


def _bad(node):
    raise ValueError(f"not a value of a cache entry: {str(node)[:80]}")


def dumps(header: dict, values: dict[str, Any]) -> bytes:
    """An entry: ``header`` (JSON-able) and ``values`` (encoded), as .npz bytes."""
    arrays: list = []
    doc = {**header, "format": FORMAT,
           "values": {k: encode(v, arrays, k) for k, v in values.items()}}
    members = {f"a{i}": a for i, a in enumerate(arrays)}
    members["entry"] = np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, **members)
    return out.getvalue()


def loads(data: bytes) -> tuple[dict, dict[str, Any]]:
    """The header and the values of an entry (``dumps``); ValueError if it is not one."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        doc = json.loads(archive["entry"].tobytes().decode())
        if type(doc) is not dict or doc.get("format") != FORMAT:
            raise ValueError("not a cache entry of this version")
        values = {k: decode(v, archive) for k, v in doc.pop("values").items()}
    return doc, values


def write(path: Path, header: dict, values: dict[str, Any]) -> None:
    """Write an entry whole, under a temporary name unique to this writer."""
    files.write_whole(path, dumps(header, values))


def read(path: Path) -> tuple[dict, dict[str, Any]]:
    return loads(path.read_bytes())


def differences(stored: Any, wanted: list) -> str:
    """Which inputs a stored key ``[inputs, call]`` and the wanted one differ in, e.g.
    'params, streams differ'."""
    if not (isinstance(stored, list) and len(stored) == 2 and isinstance(stored[0], dict)):
        return "an unreadable key"
    (have, call), (want, want_call) = stored, wanted
    names = [k for k in sorted(set(have) | set(want)) if have.get(k) != want.get(k)]
    return ", ".join(names + (["call"] if call != want_call else [])) + " differ"


__all__ = ["FORMAT", "PLAIN", "Unstorable", "encode", "decode", "dumps", "loads", "write",
           "read", "differences"]
