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
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

A_BEST = 1.0          # continuous "best": f(w) = -1/(a w^2 + b), the authors' code
B_BEST = 0.5
B_BEST_DISCRETE = 1.0  # discrete "best": 1 - 1/(w^2 + b); b = 1 keeps lambda in [0, 1)


@dataclass(frozen=True)
class Parameterisation:
    """f: raw w -> eigenvalue; ``inverse``: eigenvalue -> raw w (the branch w >= 0 for
    "best"); ``scale``: the gradient scale as a function of w; ``stable``: whether f
    is a stable reparameterisation (every raw w gives a stable eigenvalue)."""

    name: str
    time: str                        # "continuous" or "discrete"
    f: Callable[[torch.Tensor], torch.Tensor]
    inverse: Callable[[torch.Tensor], torch.Tensor]
    scale: Callable[[torch.Tensor], torch.Tensor]
    stable: bool

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return self.f(w)


def _softplus_inverse(r: torch.Tensor) -> torch.Tensor:
    return r + torch.log(-torch.expm1(-r))                   # log(e^r - 1), stable for small r


CONTINUOUS = {
    "direct": Parameterisation(
        "direct", "continuous", lambda w: w, lambda lam: lam.clone(),
        lambda w: 1.0 / w ** 2, stable=False),
    "exp": Parameterisation(
        "exp", "continuous", lambda w: -torch.exp(w), lambda lam: torch.log(-lam),
        lambda w: torch.exp(-w), stable=True),
    "softplus": Parameterisation(
        "softplus", "continuous", lambda w: -torch.nn.functional.softplus(w),
        lambda lam: _softplus_inverse(-lam),
        lambda w: torch.sigmoid(w) / torch.nn.functional.softplus(w) ** 2, stable=True),
    "best": Parameterisation(
        "best", "continuous", lambda w: -1.0 / (A_BEST * w ** 2 + B_BEST),
        lambda lam: torch.sqrt(torch.clamp((-1.0 / lam - B_BEST) / A_BEST, min=0.0)),
        lambda w: 2 * A_BEST * w.abs(), stable=True),
}

DISCRETE = {
    "direct": Parameterisation(
        "direct", "discrete", lambda w: w, lambda lam: lam.clone(),
        lambda w: 1.0 / (1 - w) ** 2, stable=False),
    "lru": Parameterisation(
        "lru", "discrete", lambda w: torch.exp(-torch.exp(w)),
        lambda lam: torch.log(-torch.log(lam)),
        # f' = -e^w f;  1 - f = -expm1(-e^w)
        lambda w: torch.exp(w) * torch.exp(-torch.exp(w)) / torch.expm1(-torch.exp(w)) ** 2,
        stable=True),
    "sigmoid": Parameterisation(
        "sigmoid", "discrete", torch.sigmoid, lambda lam: torch.log(lam / (1 - lam)),
        lambda w: torch.exp(w), stable=True),                 # sigma(1-sigma)/(1-sigma)^2
    "best": Parameterisation(
        "best", "discrete", lambda w: 1.0 - 1.0 / (w ** 2 + B_BEST_DISCRETE),
        lambda lam: torch.sqrt(torch.clamp(1.0 / (1 - lam) - B_BEST_DISCRETE, min=0.0)),
        lambda w: 2 * w.abs(), stable=True),
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


__all__ = ["Parameterisation", "CONTINUOUS", "DISCRETE", "get", "scale_at_edge",
           "A_BEST", "B_BEST", "B_BEST_DISCRETE"]


# --- Model families built on a parameterisation ------------------------------------
# Each family keeps its trainable raw tensors in a dict with a leading model axis S;
# the recurrent ones (RECURRENT[family]) are those a parameterisation acts on, and the
# ones the stability experiments perturb.
from . import models  # noqa: E402

FAMILIES = ("diagonal", "vanilla", "lru", "ssm1", "ssm2")
TIME = {"diagonal": "continuous", "vanilla": "discrete", "lru": "discrete",
        "ssm1": "discrete", "ssm2": "discrete"}
RECURRENT = {"diagonal": ("w",), "lru": ("w",), "ssm1": ("w1",), "ssm2": ("w1", "w2"),
             "vanilla": ("A",)}                      # vanilla with a stable f: ("S", "w")


def recurrent_keys(family: str, pname: str) -> tuple[str, ...]:
    return ("S", "w") if family == "vanilla" and pname != "direct" else RECURRENT[family]


def init_family(family: str, pname: str, n_models: int, m: int, generator: torch.Generator,
                eig=None) -> dict[str, torch.Tensor]:
    """Raw parameters of ``n_models`` models of width m, eigenvalue magnitudes drawn
    uniformly in ``eig`` (continuous: rates |lam|; discrete: lam).  -> dict of (S, ...)"""
    p = get(TIME[family], pname)
    eig = eig or ((0.1, 1.5) if p.time == "continuous" else (0.5, 0.95))
    S = n_models

    def draw(*shape):
        return torch.empty(*shape).uniform_(*eig, generator=generator)

    def raw(lam):
        return p.inverse(-lam if p.time == "continuous" else lam)

    c = 0.1 * torch.randn(S, m, generator=generator)
    if family in ("diagonal", "lru"):
        return {"w": raw(draw(S, m)), "c": c}
    if family == "vanilla":
        skew = torch.randn(S, m, m, generator=generator)
        Q = models.orthogonal(skew)
        lam = draw(S, m)
        b = torch.ones(S, m) / m ** 0.5
        if pname == "direct":
            return {"A": Q @ torch.diag_embed(lam) @ Q.transpose(-1, -2), "b": b, "c": c}
        return {"S": skew, "w": raw(lam), "b": b, "c": c}
    out = {"w1": raw(draw(S, m)), "b": torch.ones(S, m), "c": c}
    if family == "ssm2":
        out["w2"] = raw(draw(S, m))
        out["M"] = torch.eye(m).expand(S, m, m) + 0.1 * torch.randn(S, m, m, generator=generator) / m ** 0.5
    return out


def family_kernel(family: str, pname: str, params: dict, grid) -> torch.Tensor:
    """Kernel of a linear family: ``grid`` is the lag tensor t (continuous) or the
    length T (discrete).  params: dict of (..., ...)  ->  (..., T)"""
    f = get(TIME[family], pname)
    if family == "diagonal":
        return models.normalised_diagonal_kernel(grid, f(params["w"]), params["c"])
    if family == "lru":
        return models.normalised_discrete_kernel(f(params["w"]), params["c"], grid)
    if family == "vanilla":
        if pname == "direct":
            A = params["A"]
        else:
            Q = models.orthogonal(params["S"])
            A = Q @ torch.diag_embed(f(params["w"])) @ Q.transpose(-1, -2)
        return models.vanilla_kernel(A, params["b"], params["c"], grid)
    raise ValueError(f"family {family!r} is not linear")


def family_outputs(family: str, pname: str, params: dict, x: torch.Tensor,
                   sigma=torch.tanh) -> torch.Tensor:
    """Outputs of an SSM family with layer-wise nonlinearity.  x: (N, T) -> (..., N, T)"""
    f = get("discrete", pname)
    lams = [f(params["w1"])] + ([f(params["w2"])] if family == "ssm2" else [])
    mixes = [params["M"]] if family == "ssm2" else []
    return models.layerwise_ssm(x, lams, params["b"], mixes, params["c"], sigma)


__all__ += ["FAMILIES", "TIME", "RECURRENT", "recurrent_keys", "init_family", "family_kernel",
            "family_outputs"]
