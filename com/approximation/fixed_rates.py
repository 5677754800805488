"""Approximation of memory kernels on a fixed rate basis (li2021, section 2).

The approximation error of a linear RNN to a linear functional, uniformly over
inputs with |x| <= 1, is the L1 distance of kernels: sup_t |H_t - Hhat_t| =
||rho - rhohat||_1. Here: least-squares fits on the fixed rate basis
{e^{-k t}: k = 1..m} (solved in a Legendre basis) and their relative L1 errors; the
laws these errors follow are in com.approximation.laws.
"""
from __future__ import annotations

import numpy as np
import torch
from numpy.polynomial import legendre

from .grids import quadrature_weights


def l1_error(t: torch.Tensor, target: torch.Tensor, kernel: torch.Tensor,
             tail: float = 0.0) -> torch.Tensor:
    """||rho - rhohat||_1 on the grid, plus ``tail`` = int_horizon^inf |rho| (the model's
    own tail beyond the horizon is below e^{-horizon} for rates >= 1).  (..., T) -> (...)"""
    return ((target - kernel).abs() * quadrature_weights(t)).sum(-1) + tail


def _legendre_fit(t: torch.Tensor, target: torch.Tensor, m: int):
    """Least squares in L2(dt) on the basis u P_j(2u - 1), j < m, u = e^{-t}.
    Returns the basis (T, m) and its coefficients (m,)."""
    u = np.exp(-t.numpy())
    basis = legendre.legvander(2 * u - 1, m - 1) * u[:, None]          # (T, m)
    sw = np.sqrt(quadrature_weights(t).numpy())                         # (T,)
    coef, *_ = np.linalg.lstsq(basis * sw[:, None], target.numpy() * sw, rcond=None)
    return basis, coef


def fit_fixed_rates(t: torch.Tensor, target: torch.Tensor, m: int) -> torch.Tensor:
    """Least-squares fit in L2(dt) of rho by sum_{k=1}^m c_k e^{-k t}.

    With u = e^{-t} the basis is u * (polynomials of degree < m); we solve in the
    Legendre basis u P_j(2u - 1), which spans the same space but stays well
    conditioned where the monomials u^k would not.  t, target: (T,)  ->  fitted (T,)
    """
    basis, coef = _legendre_fit(t, target, m)
    return torch.from_numpy(basis @ coef)


def fixed_rate_errors(t: torch.Tensor, targets: torch.Tensor, widths, tails=None) -> np.ndarray:
    """Relative L1 errors of fixed-rate fits: err[i, j] for target i, width widths[j].

    targets: (n, T) kernels on the grid t; tails: (n,) int beyond the grid of each.
    Relative to ||rho||_1 (grid plus tail), so targets of any size compare.  -> (n, len(widths))
    """
    tails = np.zeros(len(targets)) if tails is None else np.asarray(tails, float)
    err = np.empty((len(targets), len(widths)))
    for i, rho in enumerate(targets):
        norm = float(l1_error(t, rho, torch.zeros_like(rho), tails[i]))
        for j, m in enumerate(widths):
            err[i, j] = float(l1_error(t, rho, fit_fixed_rates(t, rho, m), tails[i])) / norm
    return err


__all__ = ["l1_error", "fit_fixed_rates", "fixed_rate_errors"]
