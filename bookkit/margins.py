"""How far a claim held: its margin, a signed distance from the claim's limit.

A claim compares what was measured with a limit: "E_m(0) falls at least 10x", "R^2 >=
0.99", "no stable map is worse than direct beyond 2 standard errors". Its margin is
> 0 where the claim holds with room, 0 at the limit and < 0 where it fails, so that
every claim of a chapter can be drawn on one axis over many seeds (the chapter's
robustness figure) and a reader sees how close each came to failing.

- ``above(x, limit)``, ``below(x, limit)``: a positive quantity (a ratio, an error, a
  radius, a rate) against a positive limit, in decades: log10(x / limit), or its
  negative. A fall of 511x against a limit of 10x is 1.7 decades above it.
- ``exceeds(x, limit, unit)``, ``short_of(x, limit, unit)``: a quantity that changes
  sign or counts (a gap in points, a real part, a number of pairs), as
  (x - limit) / unit, or its negative: in units the chapter names (a standard error,
  the number of items judged), chosen as the scale on which the quantity varies.
- ``within(x, lo, hi)``: a positive quantity inside [lo, hi] (decades to the nearer end).
- ``least(*margins)``: a claim of several conditions holds by its tightest; an empty
  collection of conditions (nothing was judged) has no margin: -inf.
- ``holds(flag)``: a condition with no number behind it (a structure that is there or
  not): +inf where it holds (it never binds), -inf where it fails.

The margin is what decides the claim: ``Claims.check`` refuses a margin whose sign
disagrees with the verdict it is given.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

INF = math.inf


def _number(x, name: str) -> float:
    x = float(x)
    if math.isnan(x):
        raise ValueError(f"margin: {name} is NaN (a claim cannot be judged on it)")
    return x


def above(x, limit) -> float:
    """log10(x / limit): decades by which the positive ``x`` exceeds ``limit`` (> 0)."""
    x, limit = _number(x, "the measured value"), _number(limit, "the limit")
    if not limit > 0:
        raise ValueError(f"margin: the limit of above() must be > 0; got {limit} "
                         "(use exceeds() with a unit)")
    return math.log10(x / limit) if x > 0 else -INF


def below(x, limit) -> float:
    """log10(limit / x): decades by which the positive ``x`` stays under ``limit`` (> 0)."""
    x, limit = _number(x, "the measured value"), _number(limit, "the limit")
    if not limit > 0:
        raise ValueError(f"margin: the limit of below() must be > 0; got {limit} "
                         "(use short_of() with a unit)")
    return math.log10(limit / x) if x > 0 else INF


def within(x, lo, hi) -> float:
    """Decades from the positive ``x`` to the nearer end of [lo, hi]."""
    return min(above(x, lo), below(x, hi))


def exceeds(x, limit, unit) -> float:
    """(x - limit) / unit: how many ``unit`` s ``x`` lies above ``limit``."""
    unit = _number(unit, "the unit")
    if not unit > 0:
        raise ValueError(f"margin: the unit must be > 0; got {unit}")
    return (_number(x, "the measured value") - _number(limit, "the limit")) / unit


def short_of(x, limit, unit) -> float:
    """(limit - x) / unit: how many ``unit`` s ``x`` lies below ``limit``."""
    return -exceeds(x, limit, unit)


def holds(flag) -> float:
    """+inf for a condition that holds (it never binds), -inf for one that fails."""
    return INF if bool(flag) else -INF


def least(*margins: float | Iterable[float]) -> float:
    """The tightest of the margins (iterables are flattened); -inf when there are none."""
    flat = []
    for m in margins:
        scalar = not isinstance(m, Iterable) or getattr(m, "ndim", None) == 0
        flat += [float(m)] if scalar else [float(v) for v in m]
    if any(math.isnan(v) for v in flat):
        raise ValueError("margin: a NaN margin (a claim cannot be judged on it)")
    return min(flat, default=-INF)


__all__ = ["above", "below", "within", "exceeds", "short_of", "holds", "least"]
