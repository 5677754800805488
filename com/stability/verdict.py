"""The verdict: is a target stably approximated (wang2024inverse, Def. 3.5)?

A family approximates a target stably when its stability radius beta*(m) does not
shrink to 0 as the width m grows among the widths that approximate at all. The rule,
in one place for every chapter:

* the radius beta*(m) is where E_m(beta) first exceeds E_m(0) + tolerance
  (``radius``, on the curve's grid: ``stability_radius``);
* a width approximates from the first m whose E_m(0) <= tolerance / 2 on
  (``first_approximating``);
* the ratio beta*(m_max) / beta*(m_first) over those widths (``radius_ratio``) is
  "stable" when at least 1/shrink, "unstable" below, "undecided" when fewer than two
  widths approximate (``verdict``);
* where the radius is known on both sides (a sampled curve bounds it from above, a
  certified bound, ``certified_radius``, from below), the rule is applied to both
  (``two_sided``): a certified verdict needs the two to agree.

The certificates' checks (``certified``) and the shape of the curves
(``crossings_shift_left``, ``curves_nest``) are here too: they are what a chapter's
claims read off com.experiments.curse.measure.
"""
from __future__ import annotations

import math

import torch


def stability_radius(betas: torch.Tensor, errors: torch.Tensor, threshold) -> torch.Tensor:
    """The radius beta* at which the error curve first reaches ``threshold``.

    Rule: walk up the increasing grid ``betas`` (B,) until the first beta_j with
    errors[..., j] > threshold; beta* is the crossing point found by linear
    interpolation of log E against log beta between beta_{j-1} and beta_j (or
    beta_{j-1} itself when E(beta_j) is infinite, the model having diverged).
    If the error exceeds the threshold already at beta_0, beta* = 0; if it never does,
    beta* = beta_{B-1} (a lower bound). ``threshold``: float or (...) broadcastable.
    errors: (..., B)  ->  (...)
    """
    errors = torch.nan_to_num(errors, nan=float("inf"), posinf=float("inf"))
    thr = torch.as_tensor(threshold, dtype=errors.dtype)
    over = errors > thr[..., None] if thr.dim() else errors > thr           # (..., B)
    B = betas.numel()
    first = torch.where(over.any(-1), over.float().argmax(-1), torch.full(over.shape[:-1], B))
    lo = (first - 1).clamp(0, B - 1)
    hi = first.clamp(0, B - 1)
    lb, hb = torch.log(betas[lo]), torch.log(betas[hi])
    le = torch.log(errors.gather(-1, lo[..., None])[..., 0].clamp_min(1e-300))
    he = torch.log(errors.gather(-1, hi[..., None])[..., 0].clamp_min(1e-300))
    lt = torch.log(thr.expand(first.shape) if thr.dim() else thr.expand(first.shape))
    frac = ((lt - le) / (he - le)).nan_to_num(0.0).clamp(0.0, 1.0)
    frac = torch.where(torch.isfinite(he), frac, torch.zeros_like(frac))
    radius = torch.exp(lb + frac * (hb - lb))
    radius = torch.where(first == 0, torch.zeros_like(radius), radius)
    return torch.where(first == B, betas[-1].expand(first.shape), radius)


def radius(betas: torch.Tensor, E: torch.Tensor, E0: torch.Tensor,
           tolerance: float) -> torch.Tensor:
    """beta* where E_m(beta) first exceeds E_m(0) + tolerance (log-log interpolation,
    ``stability_radius``).  E: (W, B); E0: (W,)  ->  (W,)"""
    return stability_radius(betas, E, E0 + tolerance)


def certified_radius(betas: torch.Tensor, upper: torch.Tensor, E0: torch.Tensor,
                     tolerance: float) -> torch.Tensor:
    """The radius read off a certified upper bound of E_m(beta) (non-decreasing in
    beta): the largest grid beta up to which it stays within E0 + tolerance, with no
    interpolation, so a lower bound of the true radius (0 if even the first grid beta
    fails; the last if none does).  upper: (..., B); E0: (...)  ->  (...)"""
    bad = ~(upper <= E0[..., None] + tolerance)                          # nan counts as bad
    B = betas.numel()
    first = torch.where(bad.any(-1), bad.to(torch.int64).argmax(-1), torch.full(bad.shape[:-1], B))
    return torch.where(first > 0, betas[(first - 1).clamp(min=0)], torch.zeros(first.shape))


def first_approximating(E0: torch.Tensor, tolerance: float) -> int:
    """Index of the first width whose E_m(0) <= tolerance / 2: from there on a model
    approximates at the scale the radius is measured at (a model already off by the
    tolerance has nothing left to lose). len(E0) if none does.  (W,) -> int"""
    ok = (E0 <= tolerance / 2).nonzero()
    return int(ok[0]) if len(ok) else len(E0)


def radius_ratio(radius: torch.Tensor, first: int, below: torch.Tensor | None = None) -> float:
    """beta*(m_max) / beta*(m_first): how much the radius moved over the approximating
    widths (nan if fewer than two widths approximate). With ``below``, the ratio of
    ``radius`` at m_max to ``below`` at m_first: for radii known only within bounds,
    the largest ratio is upper[-1] / lower[first], the smallest lower[-1] / upper[first]."""
    if first >= len(radius) - 1:
        return float("nan")
    return float(radius[-1] / (radius if below is None else below)[first])


def verdict(ratio: float, shrink: float = 2.0) -> str:
    """"stable" if the radius shrank by at most ``shrink`` over the approximating
    widths, "unstable" if by more, "undecided" if fewer than two widths approximate."""
    if ratio != ratio:
        return "undecided"
    return "stable" if ratio >= 1 / shrink else "unstable"


def verdict_margin(ratio: float, shrink: float = 2.0) -> float:
    """How far ``verdict`` is from the other word, in decades: log10(shrink ratio),
    >= 0 exactly where it says "stable"; nan where "undecided"."""
    return math.nan if ratio != ratio else _decades(ratio * shrink, 1.0)


def judge(betas: torch.Tensor, E: torch.Tensor, E0: torch.Tensor, tolerance: float,
          shrink: float = 2.0) -> dict:
    """The rule applied to the curves E_m(beta) of every width: ``radius`` (W,),
    ``first`` (the first approximating width's index, at most W - 1), the ``ratio``
    beta*(m_max) / beta*(m_first) and the ``verdict``.  E: (W, B); E0: (W,)"""
    r = radius(betas, E, E0, tolerance)
    first = min(first_approximating(E0, tolerance), len(E0) - 1)
    ratio = radius_ratio(r, first)
    return {"radius": r, "first": first, "ratio": ratio, "verdict": verdict(ratio, shrink)}


def two_sided(lower: torch.Tensor, upper: torch.Tensor, first: int,
              shrink: float = 2.0) -> str:
    """The rule on both sides of the radius, ``lower`` <= beta*(m) <= ``upper`` (W,),
    over the approximating widths (from ``first``; fewer than two: "undecided"):

    * "stable (certified)": min_m lower(m) >= upper(m_first) / shrink, so that
      beta*(m) / beta*(m_first) >= 1/shrink at every approximating width;
    * "unstable (certified)": upper(m_max) < lower(m_first) / shrink;
    * otherwise the rule on ``upper`` alone (the sampled radius), "stable (sampled)" or
      "unstable (sampled)": the two sides do not decide."""
    if first >= len(upper) - 1:
        return "undecided"
    if float(lower[first:].min()) >= float(upper[first]) / shrink:
        return "stable (certified)"
    if float(upper[-1]) < float(lower[first]) / shrink:
        return "unstable (certified)"
    return f"{verdict(radius_ratio(upper, first), shrink)} (sampled)"


def _decades(x: float, y: float) -> float:
    """log10(x / y), read as 0 where x == y (0/0 included: ``>=`` holds there)."""
    if x == y:
        return 0.0
    return (math.log10(x) if x > 0 else -math.inf) - (math.log10(y) if y > 0 else -math.inf)


def two_sided_margin(lower: torch.Tensor, upper: torch.Tensor, first: int,
                     shrink: float = 2.0) -> float:
    """How far ``two_sided``'s verdict is from the other word, in decades: >= 0 where
    it says "stable" (certified or sampled), < 0 where "unstable"; nan if "undecided".
    With a = log10(shrink min lower / upper(m_first)) (certified stable: a >= 0),
    b = log10(shrink upper(m_max) / lower(m_first)) (certified unstable: b < 0) and
    s = log10(shrink upper(m_max) / upper(m_first)) (the sampled rule), the verdict is
    stable exactly where max(a, min(b, s)) >= 0, so that is the margin: a certified
    cell is as far from "unstable" as the better of its certificate and its samples."""
    if first >= len(upper) - 1:
        return math.nan
    lo_min, lo_first = float(lower[first:].min()), float(lower[first])
    up_first, up_last = float(upper[first]), float(upper[-1])
    a = _decades(lo_min * shrink, up_first)
    b = _decades(up_last * shrink, lo_first)
    s = _decades(up_last * shrink, up_first)
    return max(a, min(b, s))


def certified(result: dict) -> bool:
    """The certificates hold for every width of a com.experiments.curse.measure result:
    the slowest mode within the edge bound from E_m(0), the certified lower radius <=
    beta* <= the distance to the edge, and the curves under the certified upper bound."""
    edge_ok = result["edge"] <= result["edge_bound"] * (1 + 1e-6)
    below = result["radius"] <= result["edge"] * (1 + 1e-9)
    above = result["radius_lower"] <= result["radius"] * (1 + 1e-9)
    return bool(edge_ok.all() & below.all() & above.all()) and result["upper_holds"]


def certified_margin(result: dict) -> float:
    """How far ``certified`` holds, in decades: the least over widths of each
    certificate's room (edge under its bound, beta* under the edge, the certified
    radius under beta*, each with ``certified``'s round-off allowance); -inf where the
    curves are not under the certified upper bound."""
    pairs = [(result["edge"], result["edge_bound"] * (1 + 1e-6)),
             (result["radius"], result["edge"] * (1 + 1e-9)),
             (result["radius_lower"], result["radius"] * (1 + 1e-9))]
    room = [_decades(float(hi), float(lo)) for x, y in pairs
            for lo, hi in zip(x.reshape(-1), y.reshape(-1))]
    return min(room) if result["upper_holds"] else -math.inf


def crossings_shift_left(crossings: torch.Tensor) -> bool:
    """The crossings of consecutive curves are finite, never move right, and move
    left 10x overall (polynomial memory: the wider model loses at ever smaller beta)."""
    ok = torch.isfinite(crossings).all() and (crossings[1:] <= crossings[:-1]).all()
    return bool(ok and crossings[-1] <= crossings[0] / 10)


def curves_nest(result: dict) -> bool:
    """No crossing among the approximating widths more than 4x left of the first
    one's radius: the curves nest (a wider model stays the better one)."""
    f, c, r = result["first"], result["crossings"], result["radius"]
    return all(c[k] >= r[f] / 4 for k in range(f, len(c)))



def crossings_margin(crossings: torch.Tensor) -> float:
    """How far ``crossings_shift_left`` holds, in decades: the least of each crossing's
    step left, log10(c_k / c_{k+1}), and the overall shift past 10x,
    log10(c_0 / (10 c_last)); -inf where a crossing is missing (not finite)."""
    c = [float(x) for x in crossings]
    if not c or not all(math.isfinite(x) for x in c):
        return -math.inf
    steps = [_decades(a, b) for a, b in zip(c, c[1:])]
    return min([*steps, _decades(c[0], 10 * c[-1])])


def nest_margin(result: dict) -> float:
    """How far ``curves_nest`` holds, in decades: the least over the approximating
    widths of log10(4 c_k / beta*(m_first)) (inf where no crossing is judged)."""
    f, c, r = result["first"], result["crossings"], result["radius"]
    return min((_decades(4 * float(c[k]), float(r[f])) for k in range(f, len(c))),
               default=math.inf)

__all__ = ["stability_radius", "radius", "certified_radius", "first_approximating",
           "radius_ratio", "verdict", "verdict_margin", "two_sided", "two_sided_margin",
           "judge", "certified", "certified_margin", "crossings_shift_left",
           "crossings_margin", "curves_nest", "nest_margin"]
