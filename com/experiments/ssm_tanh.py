"""The two-layer SSM with layer-wise tanh (wang2023statespace), its nonlinearity
exercised, over the infinite horizon: the SSM rows of the stability table.

Target: the Wiener functional H = phi(rho_bar * x), phi(v) = tanh(kappa v) / kappa
(com.approximation.wiener), whose memory function is exactly rho_bar. Model, built
from the approximant (delta_i, g_i) of rho (com.models.families' "ssm" entry, modes
d1 = delta(w1), one pass-through mode d2 = delta(w2) = 1):

    layer 1  h1_i' = (1 - d1_i) h1_i + d1_i eps x,      z1 = tanh(h1)       (m channels)
    mixing   u = sum_i c_i z1_i / (eps |rho|_1),        c_i = g_i / d1_i
    layer 2  h2' = (1 - d2) h2 + d2 kappa u,            y = tanh(h2) / kappa

Layer 1 runs near-linearly (|h1_i| <= eps mass_i), layer 2 saturates (pre-activation up
to about kappa). While every mode is stable the model is phi(K_bar * x), K the cascade
kernel, up to the layer-1 gap |tanh h - h| <= |h|^3 / 3 (``gap``): E in [Z - gap,
Z + gap], Z the exact Wiener error. Past the edge a layer-1 mode runs away and
saturates, z1 -> +-1: the output stays within 1 / kappa, so the error is *bounded*
(``ceiling``), never infinite; from below, two exact limits of long runs
(``limits``): the held inputs +-1, and the input held at +1 until the runaway modes
saturate, then 0 for ever ("parked": the target and the stable modes decay, the
runaway ones stay saturated).

So "unstable" is re-derived: a runaway mode of mass |c_i| moves u by at most
|c_i| (1 + tanh eps) / (eps |rho|_1), and E exceeds E0 + tol only once the modes within
beta of the edge carry mass mu* = tol eps |rho|_1 phi(1) / (1 + tanh eps). A power law's
approximants put mass about beta^{p-1} / (p - 1) within beta of the edge (the target's
mass beyond lag 1 / beta), so the radius of the direct SSM levels off near the
saturation floor beta* = ((p - 1) mu*)^{1/(p-1)} (``floor``), m-independent, vanishing
only as eps -> 0 (the linear limit).
"""
from __future__ import annotations

import math

import torch

from ..approximation import wiener
from ..memory.targets import Memory
from ..models.families import FAMILIES
from ..models.modes import mass, moves
from ..models.parameterisations import delta_range, get
from ..stability import perturbations, verdict

SSM = FAMILIES["ssm"]


def gap(c: torch.Tensor, d1: torch.Tensor, eps: float, l1: float) -> torch.Tensor:
    """Bound on |u - (K_bar * x)| from layer 1's tanh: |tanh h - h| <= |h|^3 / 3 with
    |h1_i| <= eps mass_i.  c, d1: (..., m)  ->  (...)"""
    return (c.abs() * mass(d1).clamp(max=1e6) ** 3).sum(-1) * eps ** 2 / (3 * l1)


def ceiling(kappa: float) -> float:
    """The largest relative error any such model has: (1/kappa + phi(1)) / phi(1)."""
    top = math.tanh(kappa) / kappa
    return (1 / kappa + top) / top


def limits(d1: torch.Tensor, c: torch.Tensor, eps: float, kappa: float,
           l1: float) -> torch.Tensor:
    """|y - H| / phi(1) in the exact limits of three long runs, the largest: the input
    held at +1 and at -1 (a stable layer-1 mode settles at eps x, DC gain 1; one past
    the edge runs away from its unstable rest point, z1 -> -x), and "parked" (held at +1
    until the runaway modes saturate at -1, then 0: y -> phi(-sum_runaway c_i /
    (eps |rho|_1)), H -> 0); layer 2 stable, DC gain 1.  d1, c: (..., m)  ->  (...)"""
    top = math.tanh(kappa) / kappa
    stable, away = (d1 > 0) & (d1 < 2), d1 < 0
    out = []
    for x in (1.0, -1.0):
        z1 = torch.where(stable, math.tanh(eps * x), torch.where(away, -x, 0.0))
        y = wiener.phi((c * z1).sum(-1) / (eps * l1), kappa)
        out.append((y - math.tanh(kappa * x) / kappa).abs())
    parked = wiener.phi(-torch.where(away, c, 0.0).sum(-1) / (eps * l1), kappa)
    return torch.stack(out + [parked.abs()]).amax(0) / top


def errors(memory: Memory, p: dict, pname: str, eps: float, kappa: float) -> tuple:
    """Both sides of E for raw weights w1 (..., m), w2 (..., 1) and output weights c:
    the Wiener error +- the gap while every live mode is stable, else the exact limits
    (below) and the ceiling (above).  -> lower, upper (...)"""
    f, top = get("discrete", pname), math.tanh(kappa) / kappa
    d1, d2 = f.to_delta(p["w1"]), f.to_delta(p["w2"])[..., 0]
    c = p["c"].expand_as(d1)
    ok = ~(((d1 <= 0) | (d1 >= 2)) & (c != 0)).any(-1) & (d2 > 0) & (d2 < 2)
    delta, g = SSM.modes({"w1": p["w1"], "c": c, "w2": p["w2"]}, pname)
    delta = torch.where(ok[..., None], delta, torch.ones_like(delta))
    g = torch.where(ok[..., None], g, torch.zeros_like(g))
    Z = wiener.error(memory, delta.flatten(0, -2), g.flatten(0, -2), kappa).reshape(ok.shape)
    gp = gap(c, d1, eps, memory.l1) * mass(d2).clamp(max=1e6) / top
    lo = torch.where(ok, Z - gp, limits(d1, c, eps, kappa, memory.l1))
    return lo, torch.where(ok, Z + gp, torch.full_like(Z, ceiling(kappa)))


def certified_upper(memory: Memory, p: dict, pname: str, E0_up: float, betas: torch.Tensor,
                    eps: float, kappa: float) -> torch.Tensor:
    """An upper bound of E over the whole ball |dw1|_inf, |dw2|_inf <= beta (tanh and phi
    are 1-Lipschitz): y~ - y is at most
    ||k2~|| sup|u~ - u| + ||k2~ - k2|| sup|u|, with sup|u~ - u| <= sum_i |c_i| mu1_i / |rho|_1
    (mu1 the layer-1 mode's move, com.models.modes.moves; 2 / eps per unit mass for a
    mode that can reach the edge: |tanh| <= 1) and sup|u| <= sum_i |c_i| mass_i / |rho|_1;
    plus E0's upper side, capped at the ceiling.  betas: (B,)  ->  (B,)"""
    f, top, c = get("discrete", pname), math.tanh(kappa) / kappa, p["c"]
    mu1, _ = moves(f.to_delta(p["w1"]), *delta_range(f, p["w1"], betas))     # (B, m)
    mu1 = torch.where(torch.isfinite(mu1), mu1, torch.full_like(mu1, 2 / eps))
    mu1 = torch.where(c != 0, mu1, torch.zeros_like(mu1))
    mu2, nu2 = moves(f.to_delta(p["w2"]), *delta_range(f, p["w2"], betas))  # (B, 1)
    u_max = (c.abs() * mass(f.to_delta(p["w1"]))).sum() / memory.l1
    move = nu2[:, 0] * (c.abs() * mu1).sum(-1) / memory.l1 + mu2[:, 0] * u_max
    return (E0_up + move / top).clamp(max=ceiling(kappa)).nan_to_num(ceiling(kappa))


def cell(memory: Memory, fit: dict, widths: list[int], pname: str, betas: torch.Tensor,
         fine: torch.Tensor, n_samples: int, generator: torch.Generator, eps: float,
         kappa: float, tolerance: float) -> dict:
    """One row of the table for one memory: every width's E_m(beta) on both sides (the
    sampled points of com.stability.perturbations.family_directions, lower side; the
    certified bound on ``fine``), the two radii and E0.  -> dict of (W,) / (W, B)"""
    E, E0, lower, z = [], [], [], []
    for i, m in enumerate(widths):
        p = SSM.build(fit["delta"][i, :m], fit["g"][i, :m], pname, generator)
        dirs = perturbations.family_directions(p, SSM.recurrent, n_samples, generator)
        moved = {k: torch.stack([p[k] + betas[:, None] * d[k] for d in dirs], 1)
                 if k in SSM.recurrent else p[k] for k in p}                 # (B, D, .)
        lo0, up0 = errors(memory, {k: v[None] for k, v in p.items()}, pname, eps, kappa)
        lo, _ = errors(memory, moved, pname, eps, kappa)
        E.append(lo.amax(-1))
        E0.append(torch.stack([lo0[0], up0[0]]))
        cert = certified_upper(memory, p, pname, float(up0[0]), fine, eps, kappa)
        lower.append(verdict.certified_radius(fine, cert[None], lo0, tolerance)[0])
        z.append(preactivation(p, pname, eps, kappa, memory.l1))
    E, E0 = torch.stack(E), torch.stack(E0)                              # (W, B), (W, 2)
    upper = verdict.radius(betas, E, E0[:, 1], tolerance)
    return {"E": E, "E0": E0[:, 1], "E0_lower": E0[:, 0], "radius": upper,
            "radius_lower": torch.stack(lower), "z": torch.stack(z)}


def preactivation(p: dict, pname: str, eps: float, kappa: float, l1: float) -> torch.Tensor:
    """The layer-2 pre-activation the model reaches under the input held at 1, in the
    limit (layer 1 at rest at eps, DC gain 1): kappa sum_i c_i tanh(eps) / (eps |rho|_1)."""
    return kappa * (p["c"] * math.tanh(eps)).sum() / (eps * l1)


def floor(memory_power: float, memory_l1: float, eps: float, kappa: float,
          tolerance: float) -> float:
    """The saturation floor of the direct SSM's radius on (t+1)^-p (module docstring):
    ((p - 1) mu*)^{1/(p-1)}, mu* = tol eps |rho|_1 phi(1) / (1 + tanh eps)."""
    top = math.tanh(kappa) / kappa
    mu = tolerance * eps * memory_l1 * top / (1 + math.tanh(eps))
    return ((memory_power - 1) * mu) ** (1 / (memory_power - 1))


__all__ = ["SSM", "gap", "ceiling", "limits", "errors", "certified_upper", "cell",
           "preactivation", "floor"]
