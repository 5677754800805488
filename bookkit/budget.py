"""The run's budget: refuse, before it starts, a run that would not fit this machine.

A chapter gives its cost formula: peak ``memory`` (bytes), ``flops`` (float64
multiply-adds) and ``ops`` (small torch operations) as functions of its parameters;
on this machine (com.machine) the run takes flops * flop + ops * op seconds. A run
over 80% of the available memory or over the time budget raises BudgetError naming
the size parameter furthest from fitting (relative to its default in the parameters
cell) and the largest value of it that fits, found by bisection. ``COM_ALLOW_LARGE=1``
lifts the refusal; ``COM_MAX_HOURS`` sets the time budget (default 4 hours).
"""
from __future__ import annotations

import ast
import math
import os
from typing import Any, Callable, Mapping, Sequence

from .machine import Machine, machine
from .params import BudgetError, _is_int, _is_real


class _Params:
    """Attribute access to parameter values, with some overridden (for the search)."""

    def __init__(self, values: Mapping[str, Any], **override: Any):
        self._values, self._override = values, override

    def __getattr__(self, name: str) -> Any:
        if name in self._override:
            return self._override[name]
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


def _cost(cost: Callable[[Any], Mapping[str, float]], values, m: Machine, **override):
    """(bytes, seconds) of a run; inf where the formula overflows."""
    try:
        c = cost(_Params(values, **override))
        mem = float(c.get("memory", 0.0))
        sec = float(c.get("flops", 0.0)) * m.flop + float(c.get("ops", 0.0)) * m.op
    except (OverflowError, ZeroDivisionError, ValueError):
        return math.inf, math.inf
    return mem, sec


def _fits(cost, values, m: Machine, **override) -> bool:
    mem, sec = _cost(cost, values, m, **override)
    return mem <= m.memory and sec <= m.seconds


def _largest_int(ok: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """Largest n in [lo, hi] with ok(n), ok monotone (true then false)."""
    if not ok(lo):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid - 1)
    return lo


def _fitting_value(cost, values, m: Machine, name: str):
    """The value of ``name`` closest to the requested one that fits, the others as
    requested (None if none does), and how far the request is from it (a factor)."""
    v = values[name]
    fits = lambda x: _fits(cost, values, m, **{name: x})          # noqa: E731
    if isinstance(v, (list, tuple)) and v and all(_is_real(x) for x in v):
        top = max(v)                                              # cap the entries
        capped = lambda c: [min(x, c) for x in v]                 # noqa: E731
        if all(_is_int(x) for x in v):
            c = _largest_int(lambda c: fits(capped(c)), 1, int(top))
        else:
            c = _largest_real(lambda c: fits(capped(c)), top)
        return (None, math.inf) if c is None else (c, top / c)
    if _is_int(v):
        n = _largest_int(fits, 1, int(v))
        return (None, math.inf) if n is None else (n, v / n)
    if _is_real(v) and v > 0:
        up = _cost(cost, values, m, **{name: 2 * v}) >= _cost(cost, values, m, **{name: v})
        x = _largest_real(fits, v) if up else _smallest_real(fits, v)
        return (None, math.inf) if x is None else (x, v / x if up else x / v)
    return None, math.inf


def _bisect_log(ok: Callable[[float], bool], good: float, bad: float) -> float:
    """The point between ``good`` (ok) and ``bad`` (not ok) where ok changes, to 3
    significant digits on the ``good`` side (geometric bisection)."""
    for _ in range(200):
        mid = math.sqrt(good) * math.sqrt(bad)          # no overflow
        if mid in (good, bad):
            break
        good, bad = (mid, bad) if ok(mid) else (good, mid)
    rounded = float(f"{good:.3g}")
    return rounded if ok(rounded) else good


def _largest_real(ok: Callable[[float], bool], hi: float) -> float | None:
    lo = max(hi / 1e300, 1e-300)
    return _bisect_log(ok, lo, hi) if ok(lo) else None


def _smallest_real(ok: Callable[[float], bool], lo: float) -> float | None:
    hi = min(lo * 1e300, 1e300)
    return _bisect_log(ok, hi, lo) if ok(hi) else None


def _top(v: Any) -> float | None:
    """A size's magnitude: the number, or a list's largest entry."""
    if isinstance(v, (list, tuple)):
        v = max(v) if v and all(_is_real(x) for x in v) else None
    return float(v) if _is_real(v) else None


def defaults(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters cell's own values, read (never run) from the first cell of the
    notebook's history that assigns literals; {} outside a notebook."""
    history = namespace.get("In")
    for source in history if isinstance(history, list) else []:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        found = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except (ValueError, SyntaxError, TypeError):
                    pass
        if found:
            return found
    return {}


def _human_bytes(b: float) -> str:
    if not math.isfinite(b):
        return "more than any machine has"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if b < 1024 or unit == "PiB":
            return f"{b:.3g} {unit}"
        b /= 1024
    return f"{b:.3g} PiB"


def _human_seconds(s: float) -> str:
    if not math.isfinite(s):
        return "forever"
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if s >= size:
            return f"{s / size:.3g} {unit}"
    return f"{s:.3g} s"


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:28] + " ... " + text[-27:]


def estimate(namespace: Mapping[str, Any],
             cost: Callable[[Any], Mapping[str, float]]) -> dict[str, float]:
    """The run's estimated peak memory (bytes) and time (seconds) on this machine."""
    mem, sec = _cost(cost, namespace, machine())
    return {"memory": mem, "seconds": sec}


def budget(namespace: Mapping[str, Any], sizes: Sequence[str],
           cost: Callable[[Any], Mapping[str, float]]) -> None:
    """Refuse a run that would not fit this machine, before it starts.

    ``cost(p)`` reads parameters as attributes (``p.steps``) and returns the run's
    estimated peak ``memory`` in bytes, ``flops`` (float64 multiply-adds) and ``ops``
    (small torch operations, each about a few microseconds of overhead); seconds are
    ``flops * machine().flop + ops * machine().op``. ``sizes`` names the parameters
    that set the cost (integers, positive reals in either direction, or lists whose
    entries are capped). If the run does not fit, BudgetError names the size that is
    furthest from fitting, the estimated cost, the limits and the largest value that
    fits. ``COM_ALLOW_LARGE=1`` skips the refusal. Returns None (a notebook shows nothing).
    """
    m = machine()
    mem, sec = _cost(cost, namespace, m)
    if os.environ.get("COM_ALLOW_LARGE", "").strip().lower() in ("1", "true", "yes", "on"):
        return
    if mem <= m.memory and sec <= m.seconds:
        return
    found = {name: _fitting_value(cost, namespace, m, name) for name in sizes}
    name = _blamed(namespace, sizes, found)
    raise BudgetError(_refusal(namespace, sizes, name, found[name][0], mem, sec, m))


def _blamed(namespace: Mapping[str, Any], sizes: Sequence[str], found: dict) -> str:
    """The size to blame: one that alone can fit, furthest from its default (or, without
    a default, from fitting). ``found``: name -> (largest value that fits, ratio)."""
    default = defaults(namespace)

    def blame(n):
        best, ratio = found[n]
        if best is None:
            return (False, 0.0)
        v, d = _top(namespace[n]), _top(default.get(n))
        if v is None or d is None or d <= 0 or v <= 0:
            return (True, ratio)
        return (True, v / d if _top(best) <= v else d / v)
    return max(sizes, key=blame)


def _refusal(namespace: Mapping[str, Any], sizes: Sequence[str], name: str, best,
             mem: float, sec: float, m: Machine) -> str:
    """The BudgetError message: the parameter, what the run needs, what fits."""
    over = []
    if mem > m.memory:
        over.append(f"{_human_bytes(mem)} of memory (this machine allows "
                    f"{_human_bytes(m.memory)}, 80% of what is available)")
    if sec > m.seconds:
        over.append(f"about {_human_seconds(sec)} (the time budget is "
                    f"{_human_seconds(m.seconds)}, COM_MAX_HOURS)")
    if best is None:
        fix = (f"no value of it alone fits with the other parameters as given; "
               f"reduce some of {', '.join(repr(n) for n in sizes)}")
    elif isinstance(namespace[name], (list, tuple)):
        fix = f"entries up to {best} fit"
    else:
        fix = f"the largest value that fits is {best}" if best <= namespace[name] \
            else f"the smallest value that fits is {best}"
    return (f"parameter '{name}' = {_short(namespace[name])} makes this run need "
            f"{' and '.join(over)}; {fix}. Set COM_ALLOW_LARGE=1 to run it anyway "
            f"(on a bigger machine).")


__all__ = ["budget", "estimate", "defaults"]
