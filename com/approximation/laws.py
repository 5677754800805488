"""The laws errors and memories follow, and the one log-linear fit that measures them.

``log_linear_fit`` fits log y = a + r x by least squares: a power law y ~ C m^{-p} is
the fit against log m (``power_law_fit``), an exponential decay the fit against t
(``decay_rate``: a memory function's rate). The curse of memory in approximation
(li2021) is the log law err(m) ~ (1 + a ln m)^{-omega} (``log_law``, ``fit_log_law``,
``width_for_error``). Whether a memory decays exponentially or like a power law is read
off its log-log slope over its last lags (``tail_slope``, ``decays_exponentially``).
"""
from __future__ import annotations

import math

import numpy as np
import torch


def log_linear_fit(x, y) -> tuple[float, float, float]:
    """Least-squares fit log y = a + r x.  -> (slope r, intercept a, R^2 of the log fit)."""
    x, ly = np.asarray(x, dtype=float), np.log(np.asarray(y, dtype=float))
    r, a = np.polyfit(x, ly, 1)
    resid = ly - (a + r * x)
    r2 = 1.0 - float((resid ** 2).sum() / ((ly - ly.mean()) ** 2).sum())
    return float(r), float(a), r2


def power_law_fit(m, err) -> tuple[float, float, float]:
    """Fit err ~ C m^{-p} (``log_linear_fit`` against log m).  -> (p, log C, R^2)"""
    slope, intercept, r2 = log_linear_fit(np.log(np.asarray(m, float)), err)
    return -slope, intercept, r2


def decay_rate(t: torch.Tensor, memory: torch.Tensor, floor: float = 1e-12) -> float:
    """Fitted exponential decay rate of a memory function M(t): -(slope of log M
    against t) (``log_linear_fit``), over the points where M(t) > floor; nan where
    fewer than two are (a memory gone below the floor at once has no measured rate)."""
    keep = memory > floor
    if int(keep.sum()) < 2:
        return float("nan")
    return -log_linear_fit(t[keep].numpy(), memory[keep].numpy())[0]


def tail_slope(t: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
    """The log-log slope of memory functions over the last half of their lags (least
    squares of log M against log t for t >= max t / 2). A power law t^{-p} has slope -p
    at every lag; e^{-r t} has slope -r t there, steeper without bound as t grows.
    t: (T,) > 0; memory: (..., T)  ->  (...)"""
    half = t >= t[-1] / 2
    lt = torch.log(t[half])
    lm = torch.log(memory[..., half].clamp_min(1e-300))
    x = lt - lt.mean()
    return (x * (lm - lm.mean(-1, keepdim=True))).sum(-1) / (x * x).sum()


def decays_exponentially(t: torch.Tensor, memory: torch.Tensor, fall: float,
                         slope: float) -> torch.Tensor:
    """Exponential decay, as far as lags t can tell: the memory falls below ``fall`` of
    its peak by the last lag, or its ``tail_slope`` is steeper than -``slope`` (a power
    law t^{-p} with p < slope passes neither test; e^{-r t} passes the second once
    r t_max / 2 > slope).  t: (T,); memory: (..., T)  ->  (...) bool"""
    fell = memory[..., -1] <= fall * memory.amax(-1)
    return fell | (tail_slope(t, memory) <= -slope)


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


def fit_log_law(widths, err: np.ndarray, omega: float, min_width: int = 8) -> float:
    """The constant a in err ~ (1 + a ln m)^{-omega}, as the median over widths
    >= min_width of a = (err^{-1/omega} - 1) / ln m."""
    m = np.asarray(widths, float)
    keep = m >= min_width
    return float(np.median((err[keep] ** (-1.0 / omega) - 1.0) / np.log(m[keep])))


__all__ = ["log_linear_fit", "power_law_fit", "decay_rate", "tail_slope",
           "decays_exponentially", "log_law", "width_for_error", "first_width_below",
           "fit_log_law"]
