"""Certificates: bounds of E_m(beta) and of the radius that hold over the whole ball
(not only the directions a curve tries), and where consecutive curves cross.

``certified_upper`` bounds E_m(beta) from above over every dW (dense included), so
the radius where it reaches E_m(0) + tolerance bounds the true radius from below
(the curves' radius, an estimate from below of E_m, bounds it from above).
``edge_bound`` ties the slowest mode's distance to the edge to E_m(0);
``window_lower`` is a radius no model of bounded weights goes below on a window;
``crossings`` locates where a wider model stops being the better one.
"""
from __future__ import annotations

import math

import torch

from ..memory.targets import Memory
from .perturbations import split


def certified_upper(memory: Memory, delta: torch.Tensor, g: torch.Tensor, E0: torch.Tensor,
                    betas: torch.Tensor) -> torch.Tensor:
    """An upper bound of E_m(beta) over the whole ball (dW any real matrix, not only
    diagonal). With J = diag(1 - delta), 0 < delta <= 1, |J|_2 = 1 - delta_min and
    |J + dW|_2 <= r = 1 - delta_min + beta. Writing Kt~ - K_t as
    dc^T J~^t u~ + c^T (J~^t - J^t) u~ + c^T J^t du, with |J~^t - J^t| <= t beta r^{t-1}:

        sum_t |K~_t - K_t| <= beta (|u| + beta) / D + |c| (|u| + beta) beta / D^2
                              + |c| beta / D,          D = delta_min - beta > 0,

    and E_m(beta) <= E_m(0) + that / ||rho||_1 (triangle inequality); inf for
    beta >= delta_min.  delta, g: (W, M); E0: (W,); betas: (B,)  ->  (W, B)"""
    u, c = split(g)
    nu, nc = u.norm(dim=-1)[:, None], c.norm(dim=-1)[:, None]           # (W, 1)
    dmin = delta.amin(-1)[:, None]                              # all units: inert ones are 1
    b = betas[None, :]
    D = dmin - b
    bound = b * (nu + b) / D + nc * (nu + b) * b / D ** 2 + nc * b / D
    up = E0[:, None] + bound / memory.l1
    return torch.where(D > 0, up, torch.full_like(up, math.inf))


def crossings(betas: torch.Tensor, E: torch.Tensor, factor: float = 1.1,
              slack: float = 0.0) -> torch.Tensor:
    """Where consecutive curves cross: for widths m_k < m_{k+1}, the first beta at which
    E_{m_{k+1}}(beta) > factor * E_{m_k}(beta) + slack (the wider model stops being the
    better one), log-interpolated; inf where it never happens on the grid (the curves
    nest). ``factor`` > 1 and ``slack`` keep curves that differ by rounding, or by
    amounts far below the errors being judged, from counting as crossed.
    E: (W, B)  ->  (W - 1,)"""
    lo, hi = E[:-1].clamp_min(1e-300), E[1:].clamp_min(1e-300)
    gap = torch.log(hi) - torch.log(factor * lo + slack)                # > 0: crossed
    gap = torch.nan_to_num(gap, nan=0.0, posinf=1e300, neginf=-1e300)
    out = torch.full((E.shape[0] - 1,), math.inf)
    lb = torch.log(betas)
    for k in range(E.shape[0] - 1):
        over = (gap[k] > 0).nonzero()
        if len(over) == 0:
            continue
        j = int(over[0])
        if j == 0:
            out[k] = betas[0]
            continue
        g0, g1 = float(gap[k, j - 1]), float(min(gap[k, j], 1e300))
        frac = min(max(-g0 / (g1 - g0), 0.0), 1.0) if math.isfinite(g1 - g0) else 0.0
        out[k] = torch.exp(lb[j - 1] + frac * (lb[j] - lb[j - 1]))
    return out


def edge_bound(memory: Memory, E0: torch.Tensor, mass: torch.Tensor,
               lags: torch.Tensor | None = None) -> torch.Tensor:
    """The certificate tying the distance to the edge to E_m(0): how far from the edge
    the slowest mode may sit, given the error. For every lag T,

        tail(T) = sum_{t >= T} rho_t <= ||rho||_1 E_m(0) + sum_{t >= T} |K_t|
                                     <= ||rho||_1 E_m(0) + A (1 - delta)^T / delta,

    A = sum_i |g_i|, delta = the smallest distance. The right side falls with delta,
    so delta <= delta_T, the root of A (1 - d)^T / d = tail(T) - ||rho||_1 E_m(0)
    (bisection in log d), wherever that is positive; the bound is min_T delta_T.
    A polynomial tail forces it to 0 as E_m(0) -> 0; an exponential one does not.
    E0, mass (A): (W,)  ->  (W,) (inf where no lag constrains)"""
    lags = torch.logspace(0, 17, 341) if lags is None else lags        # (L,)
    need = torch.tensor([memory.tail(float(T)) for T in lags])[None] - memory.l1 * E0[:, None]
    lo = torch.full(need.shape, -60.0)                                  # log d
    hi = torch.zeros(need.shape)
    A = mass[:, None]
    for _ in range(80):                                                 # bisection on log d
        mid = (lo + hi) / 2
        d = torch.exp(mid)
        f = torch.log(A) + lags * torch.log1p(-d.clamp(max=1 - 1e-16)) - mid
        ok = f >= torch.log(need.clamp_min(1e-300))                     # still enough tail
        lo, hi = torch.where(ok, mid, lo), torch.where(ok, hi, mid)
    bound = torch.where(need > 0, torch.exp(hi), torch.full_like(hi, math.inf))
    return bound.amin(-1)


def window_lower(memory: Memory, T: int, norm_u: float, norm_c: float,
                 tolerance: float) -> float:
    """A radius no model with |u|_2 <= norm_u, |c|_2 <= norm_c can go below on a window
    of T steps, whatever its width: why a fixed window cannot show the curse. With
    every |J|_2 <= 1 (stable) and |J~|_2 <= 1 + beta, the bound of ``certified_upper``
    summed over t < T only,

        sum_{t<T} |K~_t - K_t| <= beta [(|u| + beta + |c|) S0 + |c| (|u| + beta) S1],
        S0 = sum_{t<T} (1+beta)^t,  S1 = sum_{t<T} t (1+beta)^{t-1}   (~ T, T^2 / 2),

    stays below tolerance * sum_{t<T} rho_t up to the returned beta (bisection in
    log beta): a bound uniform in m, where the infinite horizon's (1/D^2) is not."""
    budget = tolerance * float(memory.kernel(torch.arange(T, dtype=torch.float64)).sum())
    t = torch.arange(T, dtype=torch.float64)

    def excess(beta: float) -> float:
        r = 1.0 + beta
        S0, S1 = float((r ** t).sum()), float((t * r ** (t - 1)).sum())
        return beta * ((norm_u + beta + norm_c) * S0 + norm_c * (norm_u + beta) * S1)
    lo, hi = -30.0, 0.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if excess(10 ** mid) <= budget else (lo, mid)
    return 10 ** lo


__all__ = ["certified_upper", "crossings", "edge_bound", "window_lower"]
