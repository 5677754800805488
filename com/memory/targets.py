"""Target memories: the kernels rho of the linear functionals the papers approximate.

A linear, causal, time-homogeneous functional is H_t(x) = int_0^inf rho(s) x_{t-s} ds
(Riesz representation; a sum over the lags s = 0, 1, 2, ... in discrete time); its
kernel rho *is* its memory. Every target is one ``Memory``: its kernel at any lags
and, where they have closed forms, the tail beyond a lag and the l1 norm that an error
over all time needs (com.approximation.horizon).

Continuous (lags t >= 0 real; tails are integrals): ``exponential``,
``exponential_mixture``, ``polynomial``, ``bump``, ``airy``.
Discrete (lags t = 0, 1, 2, ...; tails are sums): ``geometric``, ``power``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
from scipy import special


@dataclass(frozen=True)
class Memory:
    """A target memory. ``kernel(t)``: rho at lags t (float tensor, any shape, same
    shape back); ``tail(T)``: the mass beyond lag T (int_T^inf rho dt in continuous
    time, sum_{t >= T} rho_t in discrete time) and ``l1``: ||rho||_1 = sup_t ||H_t||,
    None where no closed form exists; ``time``: "continuous" or "discrete"."""

    name: str
    kernel: Callable[[torch.Tensor], torch.Tensor]
    tail: Callable[[float], float] | None = None
    l1: float | None = None
    time: str = "continuous"


def exponential(beta: float = 1.0) -> Memory:
    """rho(t) = e^{-beta t}: short memory, an exact one-term exponential sum."""
    return Memory(f"e^(-{beta:g}t)", lambda t: torch.exp(-beta * t),
                  lambda T: math.exp(-beta * T) / beta, 1 / beta)


def exponential_mixture(beta: float = 1.0) -> Memory:
    """rho(t) = e^{-beta t} / (1 + t): decays like e^{-beta t}, yet no finite
    exponential sum, since 1/(1+t) = int_0^inf e^{-s} e^{-s t} ds mixes all rates >= beta.
    Its tail is e^beta E_1(beta (1 + T)) (the exponential integral)."""
    return Memory(f"e^(-{beta:g}t)/(1+t)", lambda t: torch.exp(-beta * t) / (1.0 + t),
                  lambda T: math.exp(beta) * float(special.exp1(beta * (1 + T))),
                  math.exp(beta) * float(special.exp1(beta)))


def polynomial(omega: float = 0.5) -> Memory:
    """rho(t) = (1 + t)^{-(1 + omega)}: long memory, integrable for omega > 0; its
    tail is int_T^inf (1 + t)^{-(1+omega)} dt = (1 + T)^{-omega} / omega."""
    return Memory(f"(1+t)^-{1 + omega:g}", lambda t: (1.0 + t) ** (-(1.0 + omega)),
                  lambda T: (1.0 + T) ** (-omega) / omega, 1 / omega)


def bump(t0: float = 5.0, width: float = 1.0) -> Memory:
    """rho(t) = e^{-((t - t0)/width)^2}: memory concentrated at delay t0 (tails by erfc)."""
    half = width * math.sqrt(math.pi) / 2
    return Memory(f"bump at {t0:g}", lambda t: torch.exp(-((t - t0) / width) ** 2),
                  lambda T: half * math.erfc((T - t0) / width),
                  half * (1 + math.erf(t0 / width)))


def airy(t0: float = 6.0, s0: float = 1.0) -> Memory:
    """rho(t) = Ai(s0 (t - t0)): oscillating memory whose bulk sits near t0 (no closed
    tail or l1 norm: it changes sign on [0, t0])."""
    return Memory(f"Ai({s0:g}(t-{t0:g}))", lambda t: torch.special.airy_ai(s0 * (t - t0)))


def geometric(a: float) -> Memory:
    """rho_t = a^t, 0 < a < 1: exponential memory (Fig. 1(a) of wang2024inverse: 0.9^t)."""
    return Memory(f"{a:g}^t", lambda t: torch.exp(t * math.log(a)),
                  lambda T: a ** T / (1 - a), 1 / (1 - a), "discrete")


def power(p: float, scale: float = 1.0) -> Memory:
    """rho_t = (1 + t / scale)^{-p}, p > 1: polynomial memory (Fig. 1(b): p = 1.1; Fig. 2:
    1.5; scale 1 gives (t + 1)^{-p}), its head flattened over ``scale`` steps. Its tail is
    the Hurwitz zeta function: sum_{t >= T} (1 + t/scale)^{-p} = scale^p zeta(p, T + scale)."""
    name = f"(t+1)^-{p:g}" if scale == 1 else f"(1+t/{scale:g})^-{p:g}"
    return Memory(name, lambda t: (1.0 + t / scale) ** (-p),
                  lambda T: scale ** p * float(special.zeta(p, T + scale)),
                  scale ** p * float(special.zeta(p, scale)), "discrete")


# the kinds a task or a chapter may name, each with its one shape parameter
KINDS = {"exponential": exponential, "exponential_mixture": exponential_mixture,
         "polynomial": polynomial, "bump": bump, "airy": airy}


def of(kind: str, scale: float) -> Memory:
    """The memory ``kind`` with its one shape parameter ``scale`` (beta for the
    exponential kinds, omega for polynomial, t0 for the delayed kinds)."""
    if kind not in KINDS:
        raise ValueError(f"memory kind must be one of {', '.join(map(repr, KINDS))}; "
                         f"got {kind!r}")
    return KINDS[kind](scale)


__all__ = ["Memory", "exponential", "exponential_mixture", "polynomial", "bump", "airy",
           "geometric", "power", "KINDS", "of"]
