"""Approximation of memory kernels by exponential sums (li2021, section 2).

The approximation error of a linear RNN to a linear functional, uniformly over
inputs with |x| <= 1, is the L1 distance of kernels: sup_t |H_t - Hhat_t| = ||rho - rhohat||_1.
Here: grids that resolve both short and polynomially long memory, least-squares
fits on the fixed rate basis {e^{-k t}: k = 1..m}, and the fits of error laws.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from numpy.polynomial import legendre

from .loss import quadrature_weights


def lag_grid(horizon: float = 1e4, fine_until: float = 10.0, n_fine: int = 2000,
             n_coarse: int = 3000) -> torch.Tensor:
    """Lags 0..horizon: uniform up to ``fine_until`` (where kernels vary fast),
    geometric after (where polynomial memory lives).  -> (n_fine + n_coarse,)"""
    fine = torch.linspace(0.0, fine_until, n_fine + 1, dtype=torch.float64)[:-1]
    coarse = torch.logspace(math.log10(fine_until), math.log10(horizon), n_coarse,
                            dtype=torch.float64)
    return torch.cat([fine, coarse])


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


def fixed_rate_coefficients(t: torch.Tensor, target: torch.Tensor, m: int) -> torch.Tensor:
    """The c_k of the same fit in the rate basis e^{-k t}, k = 1..m: the RNN's own
    output weights. They grow fast with m; exact enough for m up to ~20.  -> (m,)"""
    _, coef = _legendre_fit(t, target, m)
    # u * sum_j a_j P_j(2u - 1) = sum_k c_k u^k: re-expand the polynomial in u
    in_x = np.polynomial.Polynomial(legendre.leg2poly(coef))               # in x = 2u - 1
    in_u = in_x(np.polynomial.Polynomial([-1.0, 2.0]))
    c = np.zeros(m)
    c[: len(in_u.coef)] = in_u.coef
    return torch.from_numpy(c)


def power_law_fit(m: np.ndarray, err: np.ndarray) -> tuple[float, float, float]:
    """Fit err ~ C m^{-p} by least squares on logs; returns (p, log C, R^2)."""
    x, y = np.log(np.asarray(m, float)), np.log(np.asarray(err, float))
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (slope * x + intercept)
    r2 = 1.0 - (resid ** 2).sum() / ((y - y.mean()) ** 2).sum()
    return float(-slope), float(intercept), float(r2)


def log_law(m, omega: float, a: float = 2.0):
    """Relative L1 error of a degree-m fixed-rate fit to (1+t)^{-(1+omega)}:
    err(m) ~ (1 + a ln m)^{-omega}. A degree-m polynomial in u = e^{-t} resolves
    u down to about m^{-2} (Chebyshev node spacing at an endpoint), i.e. lags up
    to t ~ 2 ln m; the memory beyond is missed, and int_T^inf rho / ||rho||_1 = (1+T)^{-omega}."""
    return (1.0 + a * np.log(np.asarray(m, float))) ** (-omega)


def width_for_error(eps: float, omega: float, a: float = 2.0) -> float:
    """Invert the log law: m(eps) = exp((eps^{-1/omega} - 1) / a). Returns inf on overflow."""
    expo = (eps ** (-1.0 / omega) - 1.0) / a
    return math.exp(expo) if expo < 700 else math.inf


def first_width_below(widths, err, eps: float):
    """Smallest width whose error is <= eps, or None if none on the sweep."""
    for m, e in zip(widths, err):
        if e <= eps:
            return int(m)
    return None


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


def fit_log_law(widths, err: np.ndarray, omega: float, min_width: int = 8) -> float:
    """The constant a in err ~ (1 + a ln m)^{-omega}, as the median over widths
    >= min_width of a = (err^{-1/omega} - 1) / ln m."""
    m = np.asarray(widths, float)
    keep = m >= min_width
    return float(np.median((err[keep] ** (-1.0 / omega) - 1.0) / np.log(m[keep])))
