"""Normalised modes: k_delta(t) = delta (1 - delta)^t, the kernel of one unit of the
normalised recurrence h' = (1 - delta) h + delta x (wang2023stablessm; the input gain
is the step to the edge), whose l1 mass is 1 whatever delta in (0, 1].

What a perturbation of delta does to such a mode, exactly: ``mass`` (its l1 mass, which
grows past delta = 1, where the mode alternates), ``shift`` (the l1 distance between
two of them) and ``moves`` (the largest distance and mass over an interval of delta,
what the certified bounds of com.stability.bounds and of the families sum).
"""
from __future__ import annotations

import math

import torch

from .kernels import powers


def mass(delta: torch.Tensor) -> torch.Tensor:
    """||k_delta||_1: 1 for 0 < delta <= 1; delta / (2 - delta) for 1 < delta < 2 (an
    alternating mode); inf outside (0, 2).  (...) -> (...)"""
    out = torch.where(delta <= 1, torch.ones_like(delta), delta / (2 - delta).clamp_min(1e-300))
    return torch.where((delta > 0) & (delta < 2), out, torch.full_like(delta, math.inf))


def shift(d1: torch.Tensor, d2: torch.Tensor, head: int = 64) -> torch.Tensor:
    """||k_d1 - k_d2||_1.

    Both in (0, 1]: each kernel has mass 1 and cumulative sum 1 - a^T (a = 1 - d), and
    the two cross once, so the distance is twice the largest gap of the cumulative
    sums, 2 max_T |a1^T - a2^T|, reached at an integer next to
    T* = log(L2 / L1) / (L1 - L2), L = log(1 - d) (log1p: exact near the edge): exact.
    One of them in (1, 2) (an alternating mode, dead within ``head`` lags at the
    distances used here): the head summed and both tails bounded by their masses.
    Outside (0, 2): inf.  d1, d2: broadcastable (...)  ->  (...)"""
    d1, d2 = torch.broadcast_tensors(d1, d2)
    L1 = torch.log1p(-d1.clamp(1e-300, 1 - 1e-16))
    L2 = torch.log1p(-d2.clamp(1e-300, 1 - 1e-16))
    same = L1 == L2
    T = torch.log(L2 / L1) / torch.where(same, torch.ones_like(L1), L1 - L2)
    T = torch.nan_to_num(T, nan=0.0, posinf=0.0, neginf=0.0).clamp(min=0.0).floor()
    gap = torch.maximum(*((torch.exp(s * L1) - torch.exp(s * L2)).abs() for s in (T, T + 1)))
    out = torch.where(same, torch.zeros_like(gap), 2 * gap)
    alternating = (d1 > 1) | (d2 > 1)
    if alternating.any():           # only there: the head is (..., head), 64 times larger
        out[alternating] = _alternating_shift(d1[alternating], d2[alternating], head)
    bad = (d1 <= 0) | (d1 >= 2) | (d2 <= 0) | (d2 >= 2)
    return torch.where(bad, torch.full_like(out, math.inf), out)


def _alternating_shift(d1: torch.Tensor, d2: torch.Tensor, head: int) -> torch.Tensor:
    """shift where a mode alternates: the first ``head`` lags summed, both tails bounded
    by their masses.  d1, d2: (n,)  ->  (n,)"""
    t, end = torch.arange(head, dtype=d1.dtype), torch.tensor([float(head)], dtype=d1.dtype)
    tails = sum(d.abs() * powers(end, delta=d)[..., 0].abs()
                / torch.where(d <= 1, d, 2 - d).clamp_min(1e-300) for d in (d1, d2))
    return (d1[..., None] * powers(t, delta=d1)
            - d2[..., None] * powers(t, delta=d2)).abs().sum(-1) + tails


def moves(delta: torch.Tensor, lo: torch.Tensor,
          hi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For a mode 0 < delta <= 1 moved anywhere in [lo, hi] (lo <= delta <= hi): the
    largest ||k_delta~ - k_delta||_1 (mu) and the largest ||k_delta~||_1 (nu).

    On delta~ <= 1 the distance grows as delta~ leaves delta on either side (each gap
    |a^T - a~^T| does), so the interval's ends give it. Past 1 the mode alternates:
    through k_1 = (1, 0, 0, ...), ||k_delta~ - k_1||_1 = (delta~ - 1) +
    delta~ (delta~ - 1) / (2 - delta~) and ||k_1 - k_delta||_1 = 2 (1 - delta), both
    largest at hi. The mass is 1 up to delta~ = 1 and grows after. inf once the
    interval reaches 0 or 2.  delta, lo, hi: broadcastable (...)  ->  mu, nu (...)"""
    mu = torch.maximum(shift(delta, lo), shift(delta, hi.clamp(max=1.0)))
    over = (hi - 1) + hi * (hi - 1) / (2 - hi).clamp_min(1e-300) + 2 * (1 - delta)
    mu = torch.where(hi > 1, torch.maximum(mu, over), mu)
    bad = (lo <= 0) | (hi >= 2)
    inf = torch.full_like(mu, math.inf)
    return torch.where(bad, inf, mu), torch.where(bad, inf, mass(hi))


__all__ = ["mass", "shift", "moves"]
