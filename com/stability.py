"""Stability over the infinite horizon: perturbation curves, radii, certificates.

A width-m diagonal linear RNN h_{k+1} = J h_k + u x_k, y_k = c^T h_k with
J = I + W = diag(1 - delta) has the kernel K_t = sum_i c_i u_i (1 - delta_i)^t. Its
perturbation error (wang2024inverse, Def. 3.4) over the infinite horizon is

    E_m(beta) = sup_{|dW|_2, |du|_2, |dc|_2 <= beta} ||H - Hhat(W + dW, u + du, c + dc)||
                                                               (com.horizon.error).

Estimated from below by perturbations that keep W diagonal (a subset of the ball):

* ``edge``: the proof's direction, W -> W + beta I (every delta_i -> delta_i - beta),
  u and c stretched by beta along themselves; and its opposite, W - beta I;
* random vertices: dW = beta diag(s), s_i = +-1 at random, du, dc random of norm beta.

With a parameterisation f (wang2023stablessm; ``pname``) the model is the
normalised recurrence of the StableSSM and LRU papers, h_{k+1} = J h_k + delta x_k
(the input gain is the step towards the edge, delta = -f(w), dt = 1), so that the
l1 mass of mode i is its output weight c_i whatever its eigenvalue; the
perturbation acts on the raw weight w (|dw|_inf <= beta) and on c (|dc|_2 <= beta).

and from above, over the whole ball, by ``certified_upper`` (derived there). The
radius beta* is where the estimate first exceeds E_m(0) + tolerance. Since the
estimate is a lower bound of E_m, beta* is an upper bound of the true radius, and
the beta where ``certified_upper`` reaches the same level a lower bound of it.
"""
from __future__ import annotations

import math

import torch

from . import horizon, linearisation, parameterisations, perturbation
from .horizon import Memory


def split(g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Input and output weights u = c = sqrt(g) of a kernel with weights g >= 0
    (balanced: neither carries the scale).  (..., m) -> (..., m), (..., m)"""
    r = g.clamp_min(0).sqrt()
    return r, r


def moved(delta: torch.Tensor, shift: torch.Tensor, pname: str) -> torch.Tensor:
    """Distances to the edge after the raw weight w with delta = -f(w) moves by
    ``shift`` (com.parameterisations, continuous table): direct f(w) = w gives
    delta - shift; exp gives delta e^{-shift}, never 0.  (...) -> (...)"""
    if pname == "direct":
        return delta - shift
    f = parameterisations.get("continuous", pname)
    return -f(f.inverse(-delta) + shift)


def diagonal_perturbations(delta: torch.Tensor, g: torch.Tensor, width: torch.Tensor,
                           betas: torch.Tensor, n_samples: int, generator: torch.Generator,
                           pname: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Perturbed modes and kernel weights of W models: the edge direction (every raw
    weight +beta, the weights stretched along themselves), its opposite, then n_samples
    random vertices, each at every radius (only a model's first ``width`` units move).
    ``pname`` None: the free linear RNN (W, u = c = sqrt(g) perturbed); a name: the
    normalised recurrence through that parameterisation (w and c = g / delta).
    delta, g: (W, M); width: (W,); betas: (B,)
    ->  delta~, g~: (W, B, 2 + n_samples, M)"""
    W, M = delta.shape
    unit = (torch.arange(M) < width[:, None]).to(delta.dtype)           # (W, M)

    def along(v):                                                       # (W, 1, M)
        return (v / v.norm(dim=-1, keepdim=True).clamp_min(1e-300))[:, None]

    def rand_unit():
        r = torch.randn(W, n_samples, M, generator=generator) * unit[:, None, :]
        return r / r.norm(dim=-1, keepdim=True).clamp_min(1e-300)      # (W, K, M)

    sign = torch.rand(W, n_samples, M, generator=generator) < 0.5
    ds = torch.cat([unit[:, None], -unit[:, None],
                    torch.where(sign, -1.0, 1.0) * unit[:, None]], 1)   # (W, 2+K, M)
    b = betas[None, :, None, None]                                      # (1, B, 1, 1)
    delta_p = moved(delta[:, None, None], b * ds[:, None], pname or "direct")
    if pname is None:                                                   # free: u, c move
        u, c = split(g)
        du = torch.cat([along(u), along(u), rand_unit()], 1)            # (W, 2+K, M)
        dc = torch.cat([along(c), along(c), rand_unit()], 1)
        g_p = (c[:, None, None] + b * dc[:, None]) * (u[:, None, None] + b * du[:, None])
        return delta_p, g_p
    c = g / delta                                                       # mode masses
    dc = torch.cat([along(c), along(c), rand_unit()], 1)
    return delta_p, (c[:, None, None] + b * dc[:, None]) * delta_p       # input gain delta~


def curve(memory: Memory, delta: torch.Tensor, g: torch.Tensor, width: torch.Tensor,
          betas: torch.Tensor, n_samples: int, generator: torch.Generator,
          window: int | None = None, pname: str | None = None) -> dict:
    """E_m(beta) of W diagonal models, infinite horizon (``window`` None) or over a
    window of T steps; ``pname`` as in ``diagonal_perturbations``.
    -> {"E0": (W,), "E": (W, B) the max over directions, "edge": (W, B) the edge
    direction alone}, and with ``pname`` "z": (W, B) the largest pre-activation bound
    of the recurrence run with hardtanh inside, input scaled by 1/kappa and output by
    kappa, times kappa (com.linearisation.preactivation), over the directions of
    finite error: where z <= kappa that RNN is this one, over all time"""
    dp, gp = diagonal_perturbations(delta, g, width, betas, n_samples, generator, pname)
    B, D = dp.shape[1], dp.shape[2]

    def err(d, w):                                       # one grid per model: E(0+) = E0
        if window is None:
            return horizon.error(memory, d, w)
        return horizon.window_error(memory, d, w, window)
    E0, E = [], []
    for i in range(len(delta)):
        e = err(torch.cat([delta[i][None], dp[i].flatten(0, 1)]),
                torch.cat([g[i][None], gp[i].flatten(0, 1)]))                # (1 + B*D,)
        E0.append(e[0])
        E.append(e[1:].reshape(B, D))
    E0, E = torch.stack(E0), torch.stack(E)                             # (W,), (W, B, 2+K)
    out = {"E0": E0, "E": E.amax(-1), "edge": E[..., 0]}
    if pname is not None:               # run with hardtanh inside: input gain delta~ / kappa
        gain = torch.where(gp != 0, dp, torch.zeros_like(dp))
        z = linearisation.preactivation(dp, gain).amax(-1)              # (W, B, 2+K)
        out["z"] = linearisation.where_finite(z, E).amax(-1)
    return out


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


def radius(betas: torch.Tensor, E: torch.Tensor, E0: torch.Tensor,
           tolerance: float) -> torch.Tensor:
    """beta* where E_m(beta) first exceeds E_m(0) + tolerance (log-log interpolation,
    com.perturbation.stability_radius).  E: (W, B); E0: (W,)  ->  (W,)"""
    return perturbation.stability_radius(betas, E, E0 + tolerance)


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


__all__ = ["moved", "split", "diagonal_perturbations", "curve", "certified_upper", "radius",
           "crossings", "edge_bound"]


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


__all__ += ["window_lower"]
