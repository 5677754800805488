"""A claim's evidence: measured numbers kept as data, and the text made from them.

A chapter states what it measured as a template and the numbers, e.g.
``"fitted rates {rates}; min R^2 {r2:.3f}"`` with ``rates=items(exp_rates, "{v:.2f}")``
and ``r2=0.95``. ``render`` makes the text (what the page prints), ``encode`` the data
(what a claim glues as JSON), and ``ranges`` merges the numbers of many runs so that
the same template shows each number's range over them (the robustness page).

``items(values, item, sep)`` is a collection shown inline: a list or a dict (keys are
the item's ``k``) of numbers, strings, tuples or nested ``Items``, each formatted with
``item`` (fields ``k`` and ``v``) and joined by ``sep``; ``span(x)`` is "lo to hi".
"""
from __future__ import annotations

import math
import numbers
from collections import Counter
from typing import Any


class Items:
    """Measured values shown inline (module doc)."""

    def __init__(self, values, item: str = "{v}", sep: str = ", "):
        self.values = dict(values) if isinstance(values, dict) else list(values)
        self.item, self.sep = item, sep

    def __format__(self, spec: str) -> str:
        pairs = self.values.items() if isinstance(self.values, dict) else \
            ((None, v) for v in self.values)
        return self.sep.join(self.item.format(k=k, v=v) for k, v in pairs)

    def __str__(self) -> str:
        return format(self, "")


def items(values, item: str = "{v}", sep: str = ", ") -> Items:
    return Items(values, item, sep)


def span(x, spec: str = ".2g") -> Items | str:
    """"lo to hi" of a tensor or list of numbers; "n/a" when it is empty."""
    if hasattr(x, "numel"):                              # a tensor: its own min and max
        if not x.numel():
            return "n/a"
        lo, hi = float(x.min()), float(x.max())
    else:
        if not len(x):
            return "n/a"
        lo, hi = float(min(x)), float(max(x))
    return Items([(lo, hi)], f"{{v[0]:{spec}}} to {{v[1]:{spec}}}")


def plain(value: Any) -> Any:
    """numpy and torch scalars as plain Python numbers; containers entry by entry."""
    if isinstance(value, Items):
        return Items(plain(value.values), value.item, value.sep)
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value) if isinstance(value, tuple) else \
            [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def render(template: str, values: dict) -> str:
    """The evidence text: ``template`` formatted with the measured ``values``."""
    return template.format(**values)


def encode(value: Any) -> Any:
    """JSON-able data: Items as {"items", "item", "sep"}, tuples as lists, numbers plain;
    non-finite floats as the strings "nan", "inf", "-inf"."""
    value = plain(value)
    if isinstance(value, Items):
        return {"items": encode(value.values), "item": value.item, "sep": value.sep}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def decode(data: Any) -> Any:
    """``encode`` undone (a list inside an Items item with fields v[0], v[1] is a tuple)."""
    if isinstance(data, dict) and set(data) == {"items", "item", "sep"}:
        values = data["items"]
        inner = {k: _decode_item(v) for k, v in values.items()} if isinstance(values, dict) \
            else [_decode_item(v) for v in values]
        return Items(inner, data["item"], data["sep"])
    if isinstance(data, dict):
        return {k: decode(v) for k, v in data.items()}
    if isinstance(data, list):
        return [decode(v) for v in data]
    return float(data) if data in ("nan", "inf", "-inf") else data


def _decode_item(v: Any) -> Any:
    return tuple(decode(x) for x in v) if isinstance(v, list) else decode(v)


class Range:
    """One number measured in several runs: shown as the value when every run printed
    it alike, else as ``[lowest, highest]`` in the field's format; words (strings,
    booleans) that differ show the most common with how many runs said it."""

    def __init__(self, values: list):
        self.values = values

    def __format__(self, spec: str) -> str:
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in self.values):
            lo, hi = format(min(self.values), spec), format(max(self.values), spec)
            return lo if lo == hi else f"[{lo}, {hi}]"
        shown = [format(v, spec) for v in self.values]
        (common, k), = Counter(shown).most_common(1)
        return common if k == len(shown) else f"{common} ({k} of {len(shown)} runs)"


def ranges(runs: list[Any]) -> Any:
    """The values of several runs merged leaf by leaf into Ranges (same template, same
    shapes); None where their shapes differ."""
    first = runs[0]
    if isinstance(first, Items):
        if not all(isinstance(r, Items) and (r.item, r.sep) == (first.item, first.sep)
                   for r in runs):
            return None
        merged = ranges([r.values for r in runs])
        return None if merged is None else Items(merged, first.item, first.sep)
    if isinstance(first, dict):
        if not all(isinstance(r, dict) and list(r) == list(first) for r in runs):
            return None
        merged = {k: ranges([r[k] for r in runs]) for k in first}
        return None if any(v is None for v in merged.values()) else merged
    if isinstance(first, (list, tuple)):
        if not all(isinstance(r, type(first)) and len(r) == len(first) for r in runs):
            return None
        merged = [ranges([r[i] for r in runs]) for i in range(len(first))]
        return None if any(v is None for v in merged) else type(first)(merged)
    return Range(runs)


__all__ = ["Items", "items", "span", "plain", "render", "encode", "decode", "Range", "ranges"]
