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


def _log_expm1(d: torch.Tensor) -> torch.Tensor:
    return torch.where(d > 30, d, torch.log(torch.expm1(d.clamp(max=30.0))))


# The distance to the edge, delta, as a function of the raw w and back, computed in
# delta-space so that a mode 1e-20 from the edge is exact (a residual step dt = 1 in
# continuous time: delta = -f(w); discrete: delta = 1 - f(w), "direct" stored as
# w = a - 1, i.e. delta = -w, the same geometry as a = w).
DISTANCE = {
    ("continuous", "direct"): (lambda w: -w, lambda d: -d),
    ("continuous", "exp"): (torch.exp, torch.log),
    ("continuous", "softplus"): (torch.nn.functional.softplus, _log_expm1),
    ("continuous", "best"): (lambda w: 1.0 / (A_BEST * w ** 2 + B_BEST),
                             lambda d: torch.sqrt(((1.0 / d - B_BEST) / A_BEST).clamp(min=0))),
    ("discrete", "direct"): (lambda w: -w, lambda d: -d),
    ("discrete", "lru"): (lambda w: -torch.expm1(-torch.exp(w)),
                          lambda d: torch.log(-torch.log1p(-d.clamp(max=1 - 1e-16)))),
    ("discrete", "sigmoid"): (lambda w: torch.sigmoid(-w),
                              lambda d: torch.log1p(-d) - torch.log(d)),
    ("discrete", "best"): (lambda w: 1.0 / (w ** 2 + B_BEST_DISCRETE),
                           lambda d: torch.sqrt((1.0 / d - B_BEST_DISCRETE).clamp(min=0))),
}


def distance(time: str, name: str):
    """(delta_of_w, w_of_delta) for parameterisation ``name`` in ``time``."""
    get(time, name)                                   # the same error for a bad name
    return DISTANCE[time, name]


__all__ = ["Parameterisation", "CONTINUOUS", "DISCRETE", "get", "scale_at_edge",
           "A_BEST", "B_BEST", "B_BEST_DISCRETE", "DISTANCE", "distance"]


# --- Model families built on a parameterisation ------------------------------------
# Each family keeps its trainable raw tensors in a dict with a leading model axis S;
# the recurrent ones (RECURRENT[family]) are those a parameterisation acts on, and the
# ones the stability experiments perturb.
from . import models  # noqa: E402

FAMILIES = ("diagonal", "vanilla", "lru", "ssm1", "ssm2")
TIME = {"diagonal": "continuous", "vanilla": "discrete", "lru": "discrete",
        "ssm1": "discrete", "ssm2": "discrete"}
RECURRENT = {"diagonal": ("w",), "lru": ("w",), "ssm1": ("w1",), "ssm2": ("w1", "w2"),
             "vanilla": ("S", "w")}                  # A = Q diag(f(w)) Q^T, Q = cayley(S - S^T)


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
        lam = draw(S, m)
        b = torch.ones(S, m) / m ** 0.5
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
        Q = models.orthogonal(params["S"])                                # (..., m, m)
        return models.vanilla_kernel(Q, f(params["w"]), params["b"], params["c"], grid)
    raise ValueError(f"family {family!r} is not linear")


def family_outputs(family: str, pname: str, params: dict, x: torch.Tensor,
                   sigma=torch.tanh) -> torch.Tensor:
    """Outputs of an SSM family with layer-wise nonlinearity.  x: (N, T) -> (..., N, T)"""
    f = get("discrete", pname)
    lams = [f(params["w1"])] + ([f(params["w2"])] if family == "ssm2" else [])
    mixes = [params["M"]] if family == "ssm2" else []
    return models.layerwise_ssm(x, lams, params["b"], mixes, params["c"], sigma)


__all__ += ["FAMILIES", "TIME", "RECURRENT", "init_family", "family_kernel",
            "family_outputs"]


# --- Training a family on a memory -------------------------------------------------
from . import approximation, loss, memory, training  # noqa: E402


@dataclass
class Task:
    """A target memory for a family: the lag grid (t or T), the target kernel (T,),
    loss weights (T,) and L1 weights (T,); for the SSM families also held-input data
    x (2, N, T) (train, test) and targets y = rho * x."""
    family: str
    kind: str
    grid: object
    target: torch.Tensor
    weights: torch.Tensor
    l1: torch.Tensor
    data: dict | None = None


def held_inputs(shape: tuple[int, ...], hold: float, generator: torch.Generator) -> torch.Tensor:
    """Piecewise-constant ("telegraph") inputs: N(0, 1) levels held for geometric
    times of mean ``hold`` steps.  -> shape (..., T)

    The papers' error is a sup over bounded inputs, and for a linear functional the
    worst bounded input is held: y = x sum_s rho_s feels the kernel's L1 mass, tail
    included. On white noise the RMS error sees the kernel in L2 instead, where a
    polynomial tail (1+s)^{-2(1+omega)} is negligible after a few lags, and a model
    needs no long memory at all."""
    switch = torch.rand(shape, generator=generator) < 1.0 / hold               # new level?
    level = torch.randn(shape[:-1] + (shape[-1] + 1,), generator=generator)   # (..., T+1)
    return level.gather(-1, torch.cumsum(switch.long(), -1))                  # (..., T)


def make_task(family: str, kind: str, horizon: float, T: int, n_data: int,
              generator: torch.Generator, omega: float = 0.5, beta: float = 0.5,
              hold: float = 25.0) -> Task:
    """Exponential memory e^{-beta t}/(1+t) or polynomial (1+t)^{-(1+omega)}: on the
    lag grid 0..horizon (continuous family) or lags 0..T-1 (discrete families,
    beta per step divided by 5: a step is a fifth of a time unit). SSM families get
    n_data held inputs (``held_inputs``, mean hold ``hold`` steps) for training and
    as many for testing."""
    scale = beta if kind == "exponential" else omega
    name = "exponential_mixture" if kind == "exponential" else "polynomial"
    if TIME[family] == "continuous":
        t = approximation.lag_grid(horizon, n_fine=500, n_coarse=700)
        q = loss.quadrature_weights(t)
        return Task(family, kind, t, memory.target(name, t, scale), q, q)
    s = torch.arange(T, dtype=torch.float64)
    rho = memory.target(name, s / 5 if kind == "exponential" else s, scale)
    task = Task(family, kind, T, rho, loss.lag_weights(T), torch.ones(T))
    if family.startswith("ssm"):
        x = held_inputs((2, n_data, T), hold, generator)             # train, test
        task.data = {"x": x, "y": models.convolve(rho, x)}
    return task


def width_masks(family: str, pname: str, params: dict, widths: torch.Tensor) -> dict:
    """0/1 masks that confine model s to its first widths[s] units, so models of several
    widths share one padded tensor program.  widths: (S,) -> masks shaped like params"""
    M = next(iter(params.values())).shape[-1]
    live = (torch.arange(M) < widths[:, None]).to(torch.float64)             # (S, M)
    return {k: live[:, :, None] * live[:, None, :] if v.dim() == 3 else live
            for k, v in params.items()}


def train_family(task: Task, pname: str, widths: list[int], n_models: int, steps: int, lr: float,
                 generator: torch.Generator, desc: str = "") -> tuple[dict, dict]:
    """Train n_models models of each width with Adam, all widths in one padded program:
    on the closed-form white-noise loss (linear families) or the sampled loss (SSMs).
    -> (raw params (S, ...), masks), S = len(widths) * n_models, width-major."""
    w = torch.tensor(widths).repeat_interleave(n_models)
    init = init_family(task.family, pname, len(w), max(widths), generator)
    masks = width_masks(task.family, pname, init, w)
    # A padded unit's raw eigenvalue w is inert (its b or c is zero), but S must stay in
    # the live block: Q = cayley(S - S^T) would otherwise rotate padded units into the model.
    mask = {k: (torch.ones_like(v) if k in ("w", "w1", "w2") else v) for k, v in masks.items()}
    params = {k: (v * mask[k]).requires_grad_() for k, v in init.items()}

    def live():
        return {k: v * mask[k] for k, v in params.items()}
    if task.family.startswith("ssm"):
        x, y = task.data["x"][0], task.data["y"][0]

        def loss_fn():
            return ((family_outputs(task.family, pname, live(), x) - y) ** 2).mean((-1, -2))
    else:
        def loss_fn():
            return loss.white_noise_loss(task.target, family_kernel(task.family, pname, live(),
                                                                    task.grid), task.weights)
    training.train(list(params.values()), loss_fn, steps, lr, desc=desc or f"{task.family} {pname}")
    return {k: v.detach() for k, v in live().items()}, masks


__all__ += ["Task", "make_task", "train_family", "width_masks"]


def lr_sweep(task: Task, pname: str, m: int, lrs: torch.Tensor, n_models: int, steps: int,
             generator: torch.Generator, betas=(0.9, 0.999), eps: float = 1e-8) -> dict:
    """Train n_models models per learning rate with Adam, every learning rate in one
    tensor program (Adam written out, so the step size can differ per model).

    lrs: (L,)  ->  {"loss": final loss (L, R), "ratio": max over steps and units of
    |dL/dw| / |w| for the recurrent raw w (L, R), "initial": initial loss (L, R)}
    (linear families only, closed-form loss).
    """
    L, R = lrs.numel(), n_models
    params = {k: v.clone().requires_grad_() for k, v in
              init_family(task.family, pname, L * R, m, generator).items()}
    lr = lrs.repeat_interleave(R)                                           # (S,)
    mom = {k: torch.zeros_like(v) for k, v in params.items()}
    sq = {k: torch.zeros_like(v) for k, v in params.items()}
    ratio = torch.zeros(L * R)
    key = RECURRENT[task.family][0]

    def loss_fn():
        return loss.white_noise_loss(task.target, family_kernel(task.family, pname, params,
                                                                task.grid), task.weights)
    initial = loss_fn().detach()
    for step in range(1, steps + 1):
        for p in params.values():
            p.grad = None
        loss_fn().sum().backward()
        with torch.no_grad():
            g = params[key].grad
            r = (g.abs() / params[key].abs().clamp_min(1e-300)).amax(-1)    # (S,)
            ratio = torch.fmax(ratio, r)
            for k, p in params.items():
                mom[k].mul_(betas[0]).add_((1 - betas[0]) * p.grad)
                sq[k].mul_(betas[1]).add_((1 - betas[1]) * p.grad ** 2)
                mhat = mom[k] / (1 - betas[0] ** step)
                vhat = sq[k] / (1 - betas[1] ** step)
                shape = (-1,) + (1,) * (p.dim() - 1)
                p.sub_(lr.reshape(shape) * mhat / (vhat.sqrt() + eps))
    with torch.no_grad():
        final = loss_fn()
    return {"loss": final.reshape(L, R), "ratio": ratio.reshape(L, R),
            "initial": initial.reshape(L, R)}


def heaviside_memory(task: Task, pname: str, params: dict, magnitudes: torch.Tensor,
                     T: int) -> torch.Tensor:
    """Memory function of SSM models from Heaviside inputs x 1_{t >= 0} (com.memory probe).
    magnitudes: (X,)  ->  (S, T-1)"""
    x = magnitudes[:, None] * torch.ones(T)                                # (X, T)
    with torch.no_grad():
        y = family_outputs(task.family, pname, params, x)                  # (S, X, T)
    return memory.memory_function(y, magnitudes)


__all__ += ["lr_sweep", "heaviside_memory"]
