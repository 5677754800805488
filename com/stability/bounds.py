"""Certificates: bounds of E_m(beta) and of the radius that hold over a whole ball
of perturbations (not only the directions a curve tries), and where consecutive
curves cross.

The sup over the ball of com.stability.perturbations is estimated from below by the
curves (points of the ball, evaluated) and from above here; a radius read off an upper
bound is a certified *lower* bound of the true radius, the side a "stable" verdict
must rest on.

``certified_upper``: the free diagonal RNN, the whole ball of wang2024inverse Def. 3.4
(W any real matrix, U, b and c). ``normalised_upper``: the normalised recurrence through
a parameterisation f (wang2023stablessm), its raw recurrent weights w (|dw|_inf <= beta)
and, optionally, its output weights c (|dc|_2 <= beta); ``family_upper``: any family of
com.models.families, its recurrent raw tensors (the stability table's ball).
``output_ball``: c alone, for any kernel of nonnegative modes, both sides in closed
form (the 1/sqrt(m) channel).
``edge_bound`` ties the slowest mode's distance to the edge to E_m(0);
``window_lower`` is a radius no model of bounded weights goes below on a window;
``crossings`` locates where a wider model stops being the better one.
"""
from __future__ import annotations

import math

import torch

from ..memory.targets import Memory
from ..models import modes
from ..models.families import Family
from ..models.parameterisations import Parameterisation, delta_range
from .perturbations import split


def certified_upper(memory: Memory, delta: torch.Tensor, g: torch.Tensor, E0: torch.Tensor,
                    betas: torch.Tensor) -> torch.Tensor:
    """An upper bound of E_m(beta) over the whole ball of Def. 3.4: dW any real matrix
    (not only diagonal), du, db, dc, each of 2-norm at most beta, at once. With
    J = diag(1 - delta), 0 < delta <= 1, |J|_2 = 1 - delta_min and
    |J + dW|_2 <= r = 1 - delta_min + beta. Writing K~_t - K_t as
    dc^T J~^t u~ + c^T (J~^t - J^t) u~ + c^T J^t du, with |J~^t - J^t| <= t beta r^{t-1},
    and the bias's constant output offset c~^T (I - J~)^{-1} db (b = 0 in the model),
    with |(I - J~)^{-1}|_2 <= sum_t r^t = 1 / D:

        sum_t |K~_t - K_t| + |offset| <= beta (|u| + beta) / D + |c| (|u| + beta) beta / D^2
                                         + |c| beta / D + (|c| + beta) beta / D,

    D = delta_min - beta > 0, and E_m(beta) <= E_m(0) + that / ||rho||_1 (triangle
    inequality; the worst input feels the offset in full); inf for beta >= delta_min.
    delta, g: (W, M); E0: (W,); betas: (B,)  ->  (W, B)"""
    u, c = split(g)
    nu, nc = u.norm(dim=-1)[:, None], c.norm(dim=-1)[:, None]           # (W, 1)
    dmin = delta.amin(-1)[:, None]                              # all units: inert ones are 1
    b = betas[None, :]
    D = dmin - b
    bound = (b * (nu + b) / D + nc * (nu + b) * b / D ** 2 + nc * b / D
             + (nc + b) * b / D)
    up = E0[:, None] + bound / memory.l1
    return torch.where(D > 0, up, torch.full_like(up, math.inf))


def normalised_upper(memory: Memory, f: Parameterisation, delta: torch.Tensor,
                     c: torch.Tensor, E0: torch.Tensor, betas: torch.Tensor,
                     with_c: bool = False) -> torch.Tensor:
    """An upper bound of E_m(beta) for the normalised recurrence K = sum_i c_i k_{delta_i}
    (com.models.modes; input gain delta, so U is not a free weight) over every raw
    recurrent move |dw|_inf <= beta through f, and with ``with_c`` every |dc|_2 <= beta
    too. Each delta_i moves within [lo, hi] (parameterisations.delta_range), its mode by
    at most mu_i in l1 and to mass at most nu_i (modes.moves); K~ - K =
    sum_i c_i (k~_i - k_i) + sum_i dc_i k~_i, so by the triangle and Cauchy-Schwarz
    inequalities

        E_m(beta) <= E_m(0) + [sum_i |c_i| mu_i + beta |nu|_2 (with c)] / ||rho||_1.

    With every delta_i e^beta <= 1 (exp) mu_i <= 2 (1 - e^-beta) and nu_i = 1: the
    recurrent part is uniform in m (sum_i |c_i| = ||K||_1), the c part is beta sqrt(m),
    and it is attained (``output_ball``). Units with c_i = 0 are inert: they count only
    in the c part.  delta, c: (W, M) (0 < delta <= 1); E0: (W,); betas: (B,) -> (W, B)"""
    lo, hi = delta_range(f, f.from_delta(delta), betas)                  # (W, B, M)
    mu, nu = modes.moves(delta[:, None], lo, hi)
    live = (c != 0)[:, None]
    mu = torch.where(live, mu, torch.zeros_like(mu))
    move = (c.abs()[:, None] * mu).sum(-1)
    if with_c:
        move = move + betas[None] * nu.pow(2).sum(-1).sqrt()
    return E0[:, None] + move / memory.l1


def family_upper(memory: Memory, family: Family, params: dict, pname: str, E0: torch.Tensor,
                 betas: torch.Tensor) -> torch.Tensor:
    """An upper bound of E_m(beta) over the whole ball of a family's recurrent raw
    tensors (|dw|_inf <= beta, spectral |dS|_2 <= beta; c held), for one model:
    E0 + (the family's certified kernel move, com.models.families.Family.move) / ||rho||_1.
    -> (B,)"""
    return E0 + family.move(params, pname, betas) / memory.l1


def output_ball(memory: Memory, masses: torch.Tensor, E0: torch.Tensor,
                betas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """E_m(beta) with only the output weights c moved, |dc|_2 <= beta, both sides, for a
    kernel K = sum_i c_i k_i of modes k_i >= 0 with l1 masses ``masses`` (the free
    diagonal RNN: k_i = u_i (1 - delta_i)^t, mass u_i / delta_i; the normalised
    recurrence: mass 1 on every unit, inert ones included). The move
    dK = sum_i dc_i k_i has ||dK||_1 = sum_i dc_i ||k_i||_1 <= beta S, S = |masses|_2,
    with equality at dc = beta masses / S (the worst direction); with e = rho - K,
    max(|e + v|_1, |e - v|_1) >= |v|_1, so

        max(E0, beta S / ||rho||_1) <= E_m^c(beta) <= E0 + beta S / ||rho||_1.

    The radius is therefore between tol ||rho||_1 / S and (E0 + tol) ||rho||_1 / S: for
    the normalised recurrence S = sqrt(m), whatever the target.
    masses: (W, M); E0: (W,); betas: (B,)  ->  lower, upper (W, B)"""
    S = masses.norm(dim=-1)[:, None]                                    # (W, 1)
    v = betas[None] * S / memory.l1
    return torch.maximum(E0[:, None], v), E0[:, None] + v


def output_radius(memory: Memory, masses: torch.Tensor, E0: torch.Tensor,
                  tolerance: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Both sides of the radius of ``output_ball`` in closed form: the upper side
    reaches E0 + tol at beta = tol ||rho||_1 / S, the lower side passes it at
    (E0 + tol) ||rho||_1 / S.  masses: (W, M); E0: (W,)  ->  lower, upper (W,)"""
    S = masses.norm(dim=-1)
    return tolerance * memory.l1 / S, (E0 + tolerance) * memory.l1 / S


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


__all__ = ["certified_upper", "normalised_upper", "family_upper", "output_ball", "output_radius",
           "crossings",
           "edge_bound",
           "window_lower"]
