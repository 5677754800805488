"""Lag grids and the weights that turn sums over them into integrals or losses.

``lag_grid`` resolves both short and polynomially long memory (uniform, then
geometric); ``quadrature_weights`` integrate over any grid (trapezoid);
``lag_weights`` are the white-noise loss's lambda_s (com.training.loss).
"""
from __future__ import annotations

import math

import torch


def lag_grid(horizon: float = 1e4, fine_until: float = 10.0, n_fine: int = 2000,
             n_coarse: int = 3000) -> torch.Tensor:
    """Lags 0..horizon: uniform up to ``fine_until`` (where kernels vary fast),
    geometric after (where polynomial memory lives).  -> (n_fine + n_coarse,)"""
    fine = torch.linspace(0.0, fine_until, n_fine + 1, dtype=torch.float64)[:-1]
    coarse = torch.logspace(math.log10(fine_until), math.log10(horizon), n_coarse,
                            dtype=torch.float64)
    return torch.cat([fine, coarse])


def quadrature_weights(t: torch.Tensor) -> torch.Tensor:
    """Trapezoid weights on a (possibly non-uniform) grid t: sum_j w_j f(t_j) ~ int f dt.
    -> (T,)"""
    dt = t[1:] - t[:-1]
    w = torch.zeros_like(t)
    w[:-1] += dt / 2
    w[1:] += dt / 2
    return w


def lag_weights(T: int, time_weights: torch.Tensor | None = None,
                dtype=torch.float64) -> torch.Tensor:
    """lambda_s = (1/T) sum_{t=s}^{T-1} v_t^2 for s = 0..T-1;  v = 1 when not given.  -> (T,)"""
    v2 = torch.ones(T, dtype=dtype) if time_weights is None else time_weights.to(dtype) ** 2
    return torch.flip(torch.cumsum(torch.flip(v2, [0]), 0), [0]) / T


__all__ = ["lag_grid", "quadrature_weights", "lag_weights"]
