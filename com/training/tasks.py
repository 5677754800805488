"""Tasks: a target memory on the lag grid a family is trained on.

A task is rho on lags 0..horizon (continuous family: t, quadrature weights) or
0..T-1 (discrete families: loss weights of com.approximation.grids.lag_weights).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .. import memory
from ..approximation.grids import lag_grid, lag_weights, quadrature_weights
from ..models.families import get


@dataclass
class Task:
    """A target memory for a family: the lag grid (t or T), the target kernel (T,),
    loss weights (T,) and L1 weights (T,)."""
    family: str
    grid: object
    target: torch.Tensor
    weights: torch.Tensor
    l1: torch.Tensor


def make_task(family: str, kind: str, horizon: float, T: int, omega: float = 0.5,
              beta: float = 0.5) -> Task:
    """Exponential memory e^{-beta t}/(1+t) or polynomial (1+t)^{-(1+omega)}: on the
    lag grid 0..horizon (continuous family) or lags 0..T-1 (discrete families,
    beta per step divided by 5: a step is a fifth of a time unit)."""
    scale = beta if kind == "exponential" else omega
    name = "exponential_mixture" if kind == "exponential" else "polynomial"
    fam = get(family)
    if fam.time == "continuous":
        t = lag_grid(horizon, n_fine=500, n_coarse=700)
        q = quadrature_weights(t)
        return Task(family, t, memory.of(name, scale).kernel(t), q, q)
    s = torch.arange(T, dtype=torch.float64)
    rho = memory.of(name, scale).kernel(s / 5 if kind == "exponential" else s)
    return Task(family, T, rho, lag_weights(T), torch.ones(T))


__all__ = ["Task", "make_task"]
