"""Parameterisations: how a trainable raw weight w becomes a recurrent eigenvalue.

A recurrent model trains raw weights w and uses eigenvalues lambda = f(w)
(wang2023stablessm). Continuous time: lambda < 0 (the model is stable), memory
e^{lambda t}. Discrete time: lambda in (-1, 1), memory lambda^s.

Continuous:  direct  f(w) = w              (stable only while w < 0)
             exp     f(w) = -e^w
             softplus f(w) = -log(1 + e^w)
             best    f(w) = -1 / (a w^2 + b)          a = 1, b = 0.5
Discrete:    direct  f(w) = w              (stable only while |w| < 1)
             lru     f(w) = exp(-e^w)
             sigmoid f(w) = 1 / (1 + e^{-w})
             best    f(w) = 1 - 1 / (w^2 + b)         b = 1 (so lambda in [0, 1))

The gradient scale bounds |dL/dw| <= C |f'(w)| / f(w)^2 (continuous); in discrete
time the distance to the edge is 1 - lambda, and the scale is |f'| / (1 - f)^2.
"best" is the f whose scale grows like |w|: |f'| / f^2 = 2 a |w|.

One record per f holds it whole: f and its inverse in eigenvalue space (training),
the gradient scale, and the same map in distance space, delta = -f(w) (continuous,
a residual step dt = 1) or 1 - f(w) (discrete), computed there directly so that a mode
1e-20 from the edge is exact (the infinite-horizon stability code). In distance space
the discrete "direct" raw weight is stored as w = a - 1 (delta = -w, exact), the
same geometry as a = w: a perturbation of w moves a by as much.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

A_BEST = 1.0          # continuous "best": f(w) = -1/(a w^2 + b), the authors' code
B_BEST = 0.5
B_BEST_DISCRETE = 1.0  # discrete "best": 1 - 1/(w^2 + b); b = 1 keeps lambda in [0, 1)

Map = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Parameterisation:
    """f: raw w -> eigenvalue; ``inverse``: eigenvalue -> raw w (the branch w >= 0 for
    "best"); ``scale``: the gradient scale as a function of w; ``stable``: whether f
    is a stable reparameterisation (every raw w gives a stable eigenvalue);
    ``to_delta``, ``from_delta``: raw w <-> distance to the edge delta (module doc)."""

    name: str
    time: str                        # "continuous" or "discrete"
    f: Map
    inverse: Map
    scale: Map
    stable: bool
    to_delta: Map
    from_delta: Map

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return self.f(w)


def _softplus_inverse(r: torch.Tensor) -> torch.Tensor:
    return r + torch.log(-torch.expm1(-r))                   # log(e^r - 1), stable for small r


def _log_expm1(d: torch.Tensor) -> torch.Tensor:
    return torch.where(d > 30, d, torch.log(torch.expm1(d.clamp(max=30.0))))


def _negate(w: torch.Tensor) -> torch.Tensor:
    return -w


CONTINUOUS = {
    "direct": Parameterisation(
        "direct", "continuous", lambda w: w, lambda lam: lam.clone(),
        lambda w: 1.0 / w ** 2, False, _negate, _negate),
    "exp": Parameterisation(
        "exp", "continuous", lambda w: -torch.exp(w), lambda lam: torch.log(-lam),
        lambda w: torch.exp(-w), True, torch.exp, torch.log),
    "softplus": Parameterisation(
        "softplus", "continuous", lambda w: -torch.nn.functional.softplus(w),
        lambda lam: _softplus_inverse(-lam),
        lambda w: torch.sigmoid(w) / torch.nn.functional.softplus(w) ** 2, True,
        torch.nn.functional.softplus, _log_expm1),
    "best": Parameterisation(
        "best", "continuous", lambda w: -1.0 / (A_BEST * w ** 2 + B_BEST),
        lambda lam: torch.sqrt(torch.clamp((-1.0 / lam - B_BEST) / A_BEST, min=0.0)),
        lambda w: 2 * A_BEST * w.abs(), True,
        lambda w: 1.0 / (A_BEST * w ** 2 + B_BEST),
        lambda d: torch.sqrt(((1.0 / d - B_BEST) / A_BEST).clamp(min=0))),
}

DISCRETE = {
    "direct": Parameterisation(
        "direct", "discrete", lambda w: w, lambda lam: lam.clone(),
        lambda w: 1.0 / (1 - w) ** 2, False, _negate, _negate),
    "lru": Parameterisation(
        "lru", "discrete", lambda w: torch.exp(-torch.exp(w)),
        lambda lam: torch.log(-torch.log(lam)),
        # f' = -e^w f;  1 - f = -expm1(-e^w)
        lambda w: torch.exp(w) * torch.exp(-torch.exp(w)) / torch.expm1(-torch.exp(w)) ** 2,
        True, lambda w: -torch.expm1(-torch.exp(w)),
        lambda d: torch.log(-torch.log1p(-d.clamp(max=1 - 1e-16)))),
    "sigmoid": Parameterisation(
        "sigmoid", "discrete", torch.sigmoid, lambda lam: torch.log(lam / (1 - lam)),
        lambda w: torch.exp(w), True,                     # sigma(1-sigma)/(1-sigma)^2
        lambda w: torch.sigmoid(-w), lambda d: torch.log1p(-d) - torch.log(d)),
    "best": Parameterisation(
        "best", "discrete", lambda w: 1.0 - 1.0 / (w ** 2 + B_BEST_DISCRETE),
        lambda lam: torch.sqrt(torch.clamp(1.0 / (1 - lam) - B_BEST_DISCRETE, min=0.0)),
        lambda w: 2 * w.abs(), True, lambda w: 1.0 / (w ** 2 + B_BEST_DISCRETE),
        lambda d: torch.sqrt((1.0 / d - B_BEST_DISCRETE).clamp(min=0))),
}


def get(time: str, name: str) -> Parameterisation:
    """The parameterisation ``name`` for ``time`` in {"continuous", "discrete"}."""
    table = {"continuous": CONTINUOUS, "discrete": DISCRETE}
    if time not in table or name not in table[time]:
        raise ValueError(f"unknown parameterisation {time}/{name}; "
                         f"choose from {sorted(CONTINUOUS)} or {sorted(DISCRETE)}")
    return table[time][name]


def scale_at_edge(p: Parameterisation, distance: torch.Tensor) -> torch.Tensor:
    """Gradient scale of ``p`` at eigenvalues a given distance from the edge of
    stability (|lambda| in continuous time, 1 - lambda in discrete), on the raw
    branch ``inverse`` selects.  distance: (K,) -> (K,)"""
    lam = -distance if p.time == "continuous" else 1.0 - distance
    return p.scale(p.inverse(lam))


def delta_range(p: Parameterisation, w: torch.Tensor,
                betas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The smallest and largest distance to the edge delta(w~) over |w~ - w| <= beta:
    every f is monotone in w except "best", whose delta = 1 / (a w^2 + b) peaks at
    w = 0 (reached when the interval straddles 0).  w: (..., m); betas: (B,)
    ->  lo, hi: (..., B, m)"""
    b = betas[:, None]                                                  # (B, 1)
    ends = torch.stack([p.to_delta(w[..., None, :] - b), p.to_delta(w[..., None, :] + b)])
    lo, hi = ends.amin(0), ends.amax(0)
    if p.name == "best":
        across = (w[..., None, :] - b < 0) & (w[..., None, :] + b > 0)
        hi = torch.where(across, p.to_delta(torch.zeros_like(hi)), hi)
    return lo, hi


__all__ = ["Parameterisation", "CONTINUOUS", "DISCRETE", "get", "scale_at_edge", "delta_range",
           "A_BEST", "B_BEST", "B_BEST_DISCRETE"]
