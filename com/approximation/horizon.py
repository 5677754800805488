"""Errors over the infinite horizon (wang2024inverse, eq. 11: a supremum over all time).

For a linear functional with kernel rho and a linear model with kernel K, the
error uniformly over inputs with |x|_inf <= 1 and over all times t is

    E = sup_t sup_{|x| <= 1} |H_t(x) - Hhat_t(x)| = sum_{t >= 0} |rho_t - K_t|      (l1)

(the worst input is x_{t-s} = sign(rho_s - K_s), held for ever). A diagonal
recurrence has the exponential-sum kernel K_t = sum_i g_i a_i^t. Modes are given by
their distance to the edge of stability, delta_i = 1 - a_i (one convention for the
whole book: a perturbation W -> W + beta I is delta -> delta - beta, exact in
float64 even where a_i itself would round to 1). A live mode (g_i != 0) with
|a_i| >= 1, i.e. delta_i <= 0 or delta_i >= 2, never decays: then E = inf, reported
as such.

The sum over all t >= 0 is taken in three parts, none of which loops over time:

* head, t < N: every lag, exactly;
* middle, N <= t <= t_end: the summand is smooth there (every mode fast enough to
  vary within a step has died by t = N), so the sum is the integral over
  [N - 1/2, t_end + 1/2] (midpoint rule), computed on a geometric grid in t;
* tail, t > t_end: t_end is chosen where every mode is below e^{-TAIL_DECAYS}, so
  the target's own closed-form tail plus the modes' geometric tails bound it.

Relative errors divide by ||rho||_1 (the target's l1 norm, which is sup_t ||H_t||).
Accuracy: about 1e-6 relative on a grid fitted to the model (tests: brute force over
2e5 lags); where a batch shares one grid stretched to its slowest member and the
error changes sign often, about 1e-4, far below the tolerances the radii use.
"""
from __future__ import annotations

import math

import torch

from ..memory.targets import Memory
from ..models.kernels import exp_sum, powers

HEAD = 512              # lags summed one by one
MIDDLE = 1501           # geometric grid points after the head (odd: Simpson)
TAIL_DECAYS = 60.0      # t_end: the slowest mode has decayed by e^{-60}


def unstable(delta: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """A live mode on or past the edge: |1 - delta_i| >= 1 with g_i != 0.  (..., m) -> (...)"""
    return ((g != 0) & ((delta <= 0) | (delta >= 2))).any(-1)


def middle_grid(t_end: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Nodes and weights for sum_{t=HEAD}^{t_end} f(t) ~ the integral of f over
    [HEAD - 1/2, t_end + 1/2] (midpoint rule): Simpson's rule in u = log t, where a
    kernel of modes and powers varies slowly, f(t) dt = f(e^u) e^u du.  -> (n,), (n,)"""
    lo, hi = math.log(HEAD - 0.5), math.log(max(t_end, HEAD + 1.0) + 0.5)
    u = torch.linspace(lo, hi, MIDDLE, dtype=torch.float64)            # MIDDLE odd
    simpson = torch.ones(MIDDLE, dtype=torch.float64)
    simpson[1:-1:2], simpson[2:-1:2] = 4.0, 2.0
    return torch.exp(u), simpson * (u[1] - u[0]) / 3 * torch.exp(u)


def t_end_for(delta: torch.Tensor, g: torch.Tensor) -> float:
    """The lag after which every live, stable mode is below e^{-TAIL_DECAYS} (at least
    HEAD): a mode at distance delta needs t = TAIL_DECAYS / -log|1 - delta|."""
    ok = (g != 0) & (delta > 0) & (delta < 2)
    if not ok.any():
        return float(HEAD)
    d = delta[ok]
    decay = torch.where(d <= 1, -torch.log1p(-d.clamp(max=1.0)), -torch.log((d - 1).abs()))
    return max(float(HEAD), TAIL_DECAYS / float(decay.min()))


def error(memory: Memory, delta: torch.Tensor, g: torch.Tensor,
          t_end: float | None = None) -> torch.Tensor:
    """Relative infinite-horizon error sum_{t >= 0} |rho_t - K_t| / ||rho||_1 of the
    exponential sums K_t = sum_i g_i (1 - delta_i)^t; inf where a live mode is unstable.

    delta, g: (..., m)  ->  (...).  ``t_end`` (optional) overrides the automatic end of
    the middle part (one value for the whole batch: where its slowest mode has died)."""
    bad = unstable(delta, g)                                            # (...)
    delta = torch.where(bad[..., None], torch.ones_like(delta), delta)  # a = 0: inert
    t_end = t_end or t_end_for(delta, g)
    head = torch.arange(HEAD, dtype=torch.float64)                      # (HEAD,)
    e_head = (memory.kernel(head) - exp_sum(g, head, delta=delta)).abs().sum(-1)
    tm, wm = middle_grid(t_end)
    e_mid = ((memory.kernel(tm) - exp_sum(g, tm, delta=delta)).abs() * wm).sum(-1)
    T = math.floor(float(tm[-1]) + 0.5) + 1                             # first lag not summed
    gap = torch.where(delta <= 1, delta, 2 - delta)                     # 1 - |a|
    mass = g.abs() * powers(torch.tensor([float(T)]), delta=delta)[..., 0].abs() / gap
    mass = torch.where(g != 0, mass, torch.zeros_like(mass))           # dead units: none
    total = e_head + e_mid + memory.tail(T) + mass.sum(-1)              # tails: a bound
    return torch.where(bad, torch.full_like(total, math.inf), total) / memory.l1


def window_error(memory: Memory, delta: torch.Tensor, g: torch.Tensor, T: int) -> torch.Tensor:
    """The same error over a window of T steps, sum_{t < T} |rho_t - K_t| / sum_{t < T} rho_t:
    what an experiment on sequences of length T measures (never inf). Lags up to HEAD
    one by one, the rest (if T > HEAD) by the middle rule of ``error``.
    delta, g: (..., m) -> (...)"""
    head = torch.arange(min(T, HEAD), dtype=torch.float64)
    rho = memory.kernel(head)
    num = (rho - exp_sum(g, head, delta=delta)).abs().sum(-1)
    den = rho.abs().sum()
    if T > HEAD:
        tm, wm = middle_grid(T - 1.0)
        num = num + ((memory.kernel(tm) - exp_sum(g, tm, delta=delta)).abs() * wm).sum(-1)
        den = den + (memory.kernel(tm).abs() * wm).sum()
    return num / den


__all__ = ["unstable", "error", "window_error", "middle_grid", "t_end_for", "HEAD", "MIDDLE",
           "TAIL_DECAYS"]
