"""E_m(beta) of nonlinear diagonal RNNs over all time: simulation, then a bounded tail.

For a model of com.models.packed and a bounded input x (|x| <= 1) the error is the sup
over k >= 0 of |H_k(x) - Hhat_k(x)| (H the slew-limited target, com.memory.slew). It
is taken in three parts, for every perturbed copy at once:

1. simulation, k < T (``simulate``; T covers the target's fast units to e^-30);
2. the limit k -> inf in closed form: a unit with 0 < d < 2 settles where its
   pre-activation vanishes, h* = (u a + b) / d under the input held at a (a = 0 after
   a finite input), so Hhat -> sum_i c_i h*_i while the target tends to a zeta(p);
3. k >= T through a bracket (``bracket_tail``): about h* each unit is non-expansive
   (|e'| = |e - sigma(d e)| <= |e|, e = h - h*); a unit in its linear range at T
   (|d e_T| <= eps) continues geometrically, e_t / e_T between f_lo^tau and f_hi^tau,
   per-step factors f in [1 - d, 1 - d (1 - eps^2 / 3)] (tanh s / s in
   [1 - s^2 / 3, 1]; hardtanh: exactly 1 - d while |d e| <= 1); one outside it stays
   within [-|e_T|, |e_T|]. The target after T is its linear remainder in closed form
   plus its fast units, within their distance to the limit. On a geometric grid of
   k >= T the error lies in an interval, whose distance from 0 is a certified lower
   bound there.

The lower bounds of the three parts, maximised over inputs, give E_lo: a certified
lower bound of the sup over all time for the inputs tried (the instability verdicts
rest on it); |err_inf| + sum_i |c_i| |e_i(T)| + the target's remaining motion bounds
every k >= T from above (non-expansiveness alone: certified, but loose).
"""
from __future__ import annotations

import math

import torch

from ..memory import slew
from ..models import packed


def eval_inputs(T: int, support: int, n_random: int, hold: float,
                generator: torch.Generator, worst: torch.Tensor | None = None) -> dict:
    """Evaluation inputs, |x| <= 1: held at +1 and at -1 from k = 0, n_random
    piecewise-constant inputs (levels uniform in [-1, 1], mean hold ``hold``) on
    k < support and 0 after, and (optional) ``worst`` (support,) signs on k < support.
    -> {"x": (N, T), "held": (N,) the held level or nan, "support": int}"""
    x = torch.zeros(2 + n_random + (worst is not None), T)
    x[0], x[1] = 1.0, -1.0
    switch = torch.rand(n_random, support, generator=generator) < 1.0 / hold
    level = torch.rand(n_random, support + 1, generator=generator) * 2 - 1
    x[2:2 + n_random, :support] = level.gather(-1, torch.cumsum(switch.long(), -1))
    if worst is not None:
        x[-1, :support] = worst[:support]
    held = torch.full((len(x),), math.nan)
    held[0], held[1] = 1.0, -1.0
    return {"x": x, "held": held, "support": support}


def linear_worst(target: slew.Slew, pk: packed.Packed, w: dict, model: int,
                 S: int) -> torch.Tensor:
    """Signs x_s = sign(rho_{S-1-s} - K_{S-1-s}): the input that maximises one model's
    small-signal error at step S.  -> (S,)"""
    t = torch.arange(S, dtype=torch.float64)
    K = packed.small_signal_kernel(pk, w, t)[model]
    return torch.sign(target.rho(t) - K).flip(0)


def simulate(pk: packed.Packed, w: dict, x: torch.Tensor, H: torch.Tensor,
             sigma: str = "tanh") -> dict:
    """Every copy (the leading axes of w's tensors, (..., U)) on inputs x (N, T) from
    rest h0 = b / d, no gradient.  -> {"err": (..., N, n) max_{k<T} |Hhat_k - H_k|,
    "h": (..., N, U) the states at T, "z": (..., n) the largest |pre-activation|}"""
    act = packed.ACTIVATIONS[sigma]
    d, u, b, c = (w[k][..., None, :] for k in "dubc")                  # (..., 1, U)
    N, T = x.shape
    C = c[..., 0, :, None] * pk.indicator                              # (..., U, n)
    h = (b / d).expand(*d.shape[:-2], N, d.shape[-1]).clone()
    err = torch.zeros(*d.shape[:-2], N, pk.n)
    zmax = torch.zeros(*d.shape[:-2], N, d.shape[-1])
    with torch.no_grad():
        for k in range(T):
            y = torch.einsum("...nu,...uj->...nj", h, C)               # (..., N, n)
            torch.maximum(err, (y - H[:, k, None]).abs(), out=err)
            z = torch.addcmul(b - d * h, x[:, k, None], u)
            torch.maximum(zmax, z.abs(), out=zmax)
            h = h + act(z)
    return {"err": err, "h": h, "z": pk.max(zmax.amax(-2))}


def _limits(pk, target, w, inputs, h, v_T) -> dict:
    """Part 2, and what the bracket starts from: the units' distances e = h - h* at
    T, the model's and the target's limits, the target's remaining motion, and the
    certified upper bound over every k >= T."""
    x, held = inputs["x"], inputs["held"]
    T = x.shape[-1]
    d, u, b, c = (w[k][..., None, :] for k in "dubc")                  # (..., 1, U)
    a = torch.nan_to_num(held, nan=0.0)[:, None]                        # (N, 1)
    hstar = (u * a + b) / d
    limit_hat = pk.per_model(c * hstar)                                 # (..., N, n)
    err_inf = a * target.l1 - limit_hat
    fast_left = ((v_T - a).abs() * target.w).sum(-1)[:, None]           # (N, 1)
    k_lin = torch.where(torch.isnan(held), float(T - inputs["support"]), float(T))
    lin_left = target.tail_r(k_lin)[:, None]
    e = h - hstar
    hi = err_inf.abs() + pk.per_model(c.abs() * e.abs()) + fast_left + lin_left
    return {"a": a, "e": e, "limit_hat": limit_hat, "err_inf": err_inf,
            "fast_left": fast_left, "hi": hi}


def _target_after(target: slew.Slew, inputs: dict, k: torch.Tensor,
                  a: torch.Tensor) -> torch.Tensor:
    """The target at steps k >= T, less its fast units' distance to their limit:
    held at a, a (zeta(p) - tail_r(k)); a finite input, sum_s r_{k-1-s} x_s.
    k: (G,)  ->  (N, G)"""
    x, held, L = inputs["x"], inputs["held"], inputs["support"]
    lag = k[:, None] - 1 - torch.arange(L, dtype=torch.float64)[None]   # (G, L)
    finite = x[:, :L] @ target.r(lag).T                                 # (N, G)
    return torch.where(torch.isnan(held)[:, None], finite, a * (target.l1 - target.tail_r(k)))


def _power(f: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
    """f^tau for integer tau >= 0 and f of either sign.  f: (..., 1); tau: (g,) -> (..., g)"""
    mag = torch.exp(tau * torch.log(f.abs().clamp_min(1e-300)))
    odd = torch.remainder(tau, 2) == 1
    return torch.where((f < 0) & odd, -mag, mag)


def _unit_bracket(e, d, tau, eps, sigma):
    """Each unit's e at T + tau, bracketed.  e, d: (..., N, U); tau: (g,)
    ->  lo, hi (..., N, U, g)"""
    if sigma == "hardtanh":                      # exactly linear while |z| = |d e| <= 1
        lin, f_lo, f_hi = (d * e).abs() <= 1, 1 - d, 1 - d
    else:
        lin, f_lo, f_hi = (d * e).abs() <= eps, 1 - d, 1 - d * (1 - eps ** 2 / 3)
    p1, p2 = _power(f_lo[..., None], tau), _power(f_hi[..., None], tau)
    ee, f = e[..., None], f_lo[..., None]
    geo_lo = torch.minimum(ee * p1, ee * p2)
    geo_hi = torch.maximum(ee * p1, ee * p2)
    any_lo = torch.where(f >= 0, torch.minimum(ee, 0 * ee), -ee.abs())
    any_hi = torch.where(f >= 0, torch.maximum(ee, 0 * ee), ee.abs())
    lin = lin[..., None]
    return torch.where(lin, geo_lo, any_lo), torch.where(lin, geo_hi, any_hi)


def bracket_tail(pk: packed.Packed, target: slew.Slew, w: dict, inputs: dict, sim: dict,
                 v_T: torch.Tensor, eps: float = 0.05, n_grid: int = 200, chunk: int = 10,
                 sigma: str = "tanh") -> dict:
    """Parts 2 and 3 of the module docstring for every copy and input. w: d, u, b, c
    (..., U); sim from ``simulate``; v_T (N, J) the target's fast states at T.
    -> {"lo": (..., N, n) certified lower bound over k >= T and the limit,
        "hi": (..., N, n) certified upper bound over k >= T}"""
    lim = _limits(pk, target, w, inputs, sim["h"], v_T)
    T, dmin = inputs["x"].shape[-1], float(w["d"].clamp_min(1e-300).min())
    tau = torch.unique(torch.logspace(0, math.log10(max(40.0 / dmin, 2.0)), n_grid).round())
    tgt = _target_after(target, inputs, T + tau, lim["a"])              # (N, G)
    d, c = w["d"][..., None, :], w["c"][..., None, :]
    best = torch.zeros(lim["err_inf"].shape)
    for s in range(0, len(tau), chunk):
        lo_e, hi_e = _unit_bracket(lim["e"], d, tau[s:s + chunk], eps, sigma)
        cc = c[..., None]
        s_lo = torch.einsum("...ug,uj->...gj", torch.minimum(cc * lo_e, cc * hi_e), pk.indicator)
        s_hi = torch.einsum("...ug,uj->...gj", torch.maximum(cc * lo_e, cc * hi_e), pk.indicator)
        base = tgt[:, s:s + chunk, None] - lim["limit_hat"][..., None, :]   # (..., N, g, n)
        e_lo = base - s_hi - lim["fast_left"][..., None]
        e_hi = base - s_lo + lim["fast_left"][..., None]
        dist = torch.where(e_lo > 0, e_lo, torch.where(e_hi < 0, -e_hi, 0 * e_lo))
        best = torch.maximum(best, dist.amax(-2))
    lo = torch.maximum(best, lim["err_inf"].abs())
    return {"lo": lo, "hi": torch.maximum(lim["hi"], lo)}


__all__ = ["eval_inputs", "linear_worst", "simulate", "bracket_tail"]
