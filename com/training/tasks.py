"""Tasks: a target memory on the lag grid a family is trained on, and its data.

A task is rho on lags 0..horizon (continuous family: t, quadrature weights) or
0..T-1 (discrete families: loss weights of com.approximation.grids.lag_weights),
with held inputs x (com.memory.inputs) and targets y = rho * x for the families that are run on
data rather than through a kernel (the SSMs).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .. import memory
from ..approximation.grids import lag_grid, lag_weights, quadrature_weights
from ..memory.inputs import held_inputs
from ..models.families import get
from ..models.kernels import convolve


@dataclass
class Task:
    """A target memory for a family: the lag grid (t or T), the target kernel (T,),
    loss weights (T,) and L1 weights (T,); for the SSM families also held-input data
    x (2, N, T) (train, test) and targets y = rho * x."""
    family: str
    grid: object
    target: torch.Tensor
    weights: torch.Tensor
    l1: torch.Tensor
    data: dict | None = None


def make_task(family: str, kind: str, horizon: float, T: int, n_data: int,
              generator: torch.Generator, omega: float = 0.5, beta: float = 0.5,
              hold: float = 25.0) -> Task:
    """Exponential memory e^{-beta t}/(1+t) or polynomial (1+t)^{-(1+omega)}: on the
    lag grid 0..horizon (continuous family) or lags 0..T-1 (discrete families,
    beta per step divided by 5: a step is a fifth of a time unit). Families that are not
    linear (SSMs) get n_data held inputs (``held_inputs``, mean hold ``hold`` steps) for
    training and as many for testing."""
    scale = beta if kind == "exponential" else omega
    name = "exponential_mixture" if kind == "exponential" else "polynomial"
    fam = get(family)
    if fam.time == "continuous":
        t = lag_grid(horizon, n_fine=500, n_coarse=700)
        q = quadrature_weights(t)
        return Task(family, t, memory.of(name, scale).kernel(t), q, q)
    s = torch.arange(T, dtype=torch.float64)
    rho = memory.of(name, scale).kernel(s / 5 if kind == "exponential" else s)
    task = Task(family, T, rho, lag_weights(T), torch.ones(T))
    if not fam.linear:
        x = held_inputs((2, n_data, T), hold, generator)             # train, test
        task.data = {"x": x, "y": convolve(rho, x)}
    return task


__all__ = ["Task", "make_task"]
