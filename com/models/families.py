"""Model families, one entry each: the diagonal RNN, the vanilla (dense) RNN, the
LRU-style recurrence and the two-layer SSM with layer-wise nonlinearity
(wang2023stablessm, wang2023statespace).

Every family is, at rest and per channel, a linear recurrence whose kernel is an
exponential sum K_t = sum_i g_i (1 - delta_i)^t, so its error over the infinite horizon
is com.approximation.horizon.error, whatever the family. One ``Family`` record says
everything the book does with it: how its raw parameters give (delta, g) and which of
them a perturbation moves (the recurrent ones: those a parameterisation f acts on, and
a dense model's eigenbasis), and how far a move of those can shift the kernel; how to
build them from an approximant (the stability table, over all time) and, for the
linear families, how to initialise them and compute their kernel (the learning-rate
range). The SSM's kernel is that of its layers without their tanh: the tanh enters
through com.experiments.ssm_tanh. A new family is one new entry of FAMILIES (its
functions in com.models.family_parts); the stability and learning-rate code takes any.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from . import family_parts as parts
from . import parameterisations, residual
from .kernels import convolve_lagged, exp_sum

Params = dict[str, torch.Tensor]


@dataclass(frozen=True)
class Family:
    """name, label; ``time``: which f table ("continuous" or "discrete");
    ``recurrent``: the raw tensors f acts on and a perturbation moves (the first is
    the eigenvalue parameter w);
    ``build(delta, g, pname, generator) -> raw params`` (width m, no batch axis) from
    an approximant; ``modes(params, pname) -> (delta, g)`` for params with any
    leading axes;
    ``move(params, pname, betas) -> (B,)``: a certified bound on how far the kernel
    moves in l1 when the recurrent raw tensors move by at most beta (c held);
    ``init(draw, raw, S, m, generator) -> raw params`` of S models (draw(*shape)
    samples eigenvalue magnitudes, raw(lam) maps eigenvalues to raw w) and
    ``kernel(f, params, grid) -> (..., T)`` (optional): a family trained on the
    closed-form white-noise loss (the learning-rate range);
    ``rnn(params, pname, kappa) -> params of com.models.residual.rnn`` (optional):
    the same recurrence with the activation inside, input scaled by 1/kappa and output
    by kappa, and ``gains(params, pname) -> (delta, gain)`` its eigen-modes' input
    gains (times kappa), which bound its pre-activations
    (com.stability.linearisation.preactivation)."""

    name: str
    label: str
    time: str
    recurrent: tuple[str, ...]
    build: Callable[..., Params]
    modes: Callable[[Params, str], tuple[torch.Tensor, torch.Tensor]]
    move: Callable[..., torch.Tensor]
    init: Callable[..., Params] | None = None
    kernel: Callable[..., torch.Tensor] | None = None
    rnn: Callable[..., Params] | None = None
    gains: Callable[[Params, str], tuple[torch.Tensor, torch.Tensor]] | None = None

    @property
    def trainable(self) -> bool:
        return self.kernel is not None


_diag_c, _diag_d = parts.diagonal("continuous"), parts.diagonal("discrete")
FAMILIES = {
    "diagonal": Family("diagonal", "diagonal RNN", "continuous", ("w",), *_diag_c,
                       parts.diagonal_move("continuous"), parts.diagonal_init,
                       kernel=parts.diagonal_kernel),
    "vanilla": Family("vanilla", "vanilla RNN", "discrete", ("S", "w"), parts.vanilla_build,
                      parts.vanilla_modes, parts.vanilla_move, parts.vanilla_init,
                      kernel=parts.vanilla_kernel, rnn=parts.vanilla_rnn,
                      gains=parts.vanilla_gains),
    "lru": Family("lru", "LRU-style", "discrete", ("w",), *_diag_d,
                  parts.diagonal_move("discrete"), parts.diagonal_init,
                  kernel=parts.lru_kernel),
    "ssm": Family("ssm", "SSM, 2 layers, tanh", "discrete", ("w1", "w2"), parts.ssm_build,
                  parts.ssm_modes, parts.ssm_move),
}


def get(family: str) -> Family:
    """The record of ``family``; a new family is one new entry of FAMILIES."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {sorted(FAMILIES)}; got {family!r}")
    return FAMILIES[family]


def init_family(family: str, pname: str, n_models: int, m: int, generator: torch.Generator,
                eig=None) -> dict[str, torch.Tensor]:
    """Raw parameters of ``n_models`` models of width m, eigenvalue magnitudes drawn
    uniformly in ``eig`` (continuous: rates |lam|; discrete: lam).  -> dict of (S, ...)"""
    fam = get(family)
    p = parameterisations.get(fam.time, pname)
    eig = eig or ((0.1, 1.5) if p.time == "continuous" else (0.5, 0.95))

    def draw(*shape):
        return torch.empty(*shape).uniform_(*eig, generator=generator)

    def raw(lam):
        return p.inverse(-lam if p.time == "continuous" else lam)
    return fam.init(draw, raw, n_models, m, generator)


def family_kernel(family: str, pname: str, params: dict, grid) -> torch.Tensor:
    """Kernel of a linear family: ``grid`` is the lag tensor t (continuous) or the
    length T (discrete).  params: dict of (..., ...)  ->  (..., T)"""
    fam = get(family)
    if not fam.trainable:
        raise ValueError(f"family {family!r} has no kernel to train")
    return fam.kernel(parameterisations.get(fam.time, pname), params, grid)


def realised_gap(family: Family, params: Params, pname: str, kappa: float,
                 x: torch.Tensor) -> float:
    """How far the family's recurrence run with hardtanh inside (``family.rnn``) is
    from the model whose error com.stability.curves computes, on inputs x (N, T), |x| <= 1: the
    larger of max |y_hardtanh - y_linear| and max |y_linear - K * x| (the kernel of
    ``family.modes``, one step of lag), each relative to max |y_linear|.  -> float"""
    q = {k: v[None] for k, v in family.rnn(params, pname, kappa).items()}
    y = {s: residual.rnn(q, x[..., None], s, 1.0)[0] for s in ("hardtanh", "linear")}
    delta, g = family.modes(params, pname)
    K = exp_sum(g, torch.arange(float(x.shape[-1])), delta=delta)
    scale = y["linear"].abs().max()
    return max(float((y["hardtanh"] - y["linear"]).abs().max() / scale),
               float((convolve_lagged(K, x) - y["linear"]).abs().max() / scale))


__all__ = ["Family", "FAMILIES", "get", "init_family", "family_kernel", "realised_gap"]
