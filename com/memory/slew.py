"""A nonlinear functional with polynomial memory, of the residual RNN's own kind: the
target of the book's nonlinear experiment (in the spirit of wang2024inverse Fig. 2, a
nonlinear functional whose memory decays like C/(t+1)^p; the paper's own functional,
in its App. D, is not reproduced).

It is built from *slew-limited* exponential averages, one per rate sigma:

    v_{k+1} = v_k + tanh(kappa delta (x_k - v_k)) / kappa,      delta = 1 - e^{-sigma},

which step by delta (x - v) for small differences (an exponential average of rate
sigma) but by at most 1/kappa per step: the fast averages saturate. A residual tanh
unit is the same map (h = kappa v, W = -delta, U = kappa delta, c = w / kappa), so the
students can approximate it only by saturating too.

Why not y = tanh(a (rho * x))? A residual RNN h' = h + sigma(W h + U x + b), sigma
zero only at 0, rests under a held input x where W h + U x + b = 0: its output tends
to -c^T W^{-1} (U x + b), affine in x, whatever the width. A target whose held
response saturates keeps an error of at least the best affine fit to it
(``affine_floor``), so no width approximates it over all time: the theorem needs
E_m(0) -> 0, and the nonlinearity must sit in the transients.

The functional is

    H_k(x) = sum_j w_j v^j_k + sum_{s>=1} r_{s-1} x_{k-s}:

fast slew-limited averages on sigma_j in [sigma_lin, sigma_max] (Simpson's rule in
log sigma on the density sigma^{p-1} / (Gamma(p) (e^sigma - 1))), and a linear
remainder r_t = (t+1)^{-p} - sum_j w_j delta_j (1 - delta_j)^t (nonnegative, tested),
so that the small-signal kernel is *exactly* (t+1)^{-p}, by the identity
(t+1)^{-p} = int sigma^{p-1} e^{-(t+1) sigma} d sigma / Gamma(p) written in the
normalised modes delta (1 - delta)^t = (1 - e^{-sigma}) e^{-sigma t}. Its memory function
(Def. 3.1) is therefore at least (t+1)^{-p}: polynomial. ``tail`` False keeps the fast
averages alone, whose memory decays like e^{-sigma_lin t}: the exponential control.
Outputs lag inputs by one step, as in com.models.residual.rnn (y_k reads x_{<k}).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy import special

from ..models.kernels import convolve_lagged
from .targets import Memory, power


@dataclass(frozen=True)
class Slew:
    """The functional's fast units (rates sigma, weights w: (J,)), its slew parameter
    kappa and power p; ``tail`` False drops the linear remainder (exponential memory)."""
    p: float
    kappa: float
    sigma: torch.Tensor
    w: torch.Tensor
    tail: bool = True

    @property
    def delta(self) -> torch.Tensor:
        return -torch.expm1(-self.sigma)                                # 1 - e^{-sigma}

    def fast_kernel(self, t: torch.Tensor) -> torch.Tensor:
        """sum_j w_j delta_j (1 - delta_j)^t.  (...) -> (...)"""
        flat = t.reshape(-1)
        k = (self.w * self.delta * torch.exp(-self.sigma[:, None] * flat).T).sum(-1)
        return k.reshape(t.shape)

    def rho(self, t: torch.Tensor) -> torch.Tensor:
        """The small-signal memory: (t+1)^{-p}, or the fast units' kernel alone."""
        return (t + 1.0) ** (-self.p) if self.tail else self.fast_kernel(t)

    def r(self, t: torch.Tensor) -> torch.Tensor:
        """The linear remainder r_t = rho_t - fast_kernel(t) at any lags (0 without
        the tail).  (...) -> (...)"""
        return self.rho(t) - self.fast_kernel(t)

    @property
    def l1(self) -> float:
        """sum_t rho_t: zeta(p), or sum_j w_j (each fast unit has l1 mass 1)."""
        return float(special.zeta(self.p, 1.0)) if self.tail else float(self.w.sum())

    def tail_r(self, k: torch.Tensor) -> torch.Tensor:
        """sum_{t >= k} r_t: zeta(p, k + 1) minus the fast units' geometric tails
        sum_j w_j (1 - delta_j)^k; 0 without the tail.  (K,) -> (K,)"""
        if not self.tail:
            return torch.zeros_like(k)
        z = torch.tensor(special.zeta(self.p, k.numpy() + 1.0))
        return z - (self.w * torch.exp(-self.sigma[:, None] * k).T).sum(-1)

    def memory(self) -> Memory:
        """The small-signal memory as a Memory (for the linear approximants)."""
        if self.tail:
            return power(self.p)
        return Memory(f"slew fast part (p={self.p:g})", self.fast_kernel,
                      lambda T: float((self.w * torch.exp(-self.sigma * float(T))).sum()),
                      self.l1, "discrete")


def make(p: float = 1.5, kappa: float = 3.0, sigma_lin: float = 0.05,
         sigma_max: float = 12.0, n_units: int = 49, tail: bool = True) -> Slew:
    """The target with ``n_units`` fast units (odd: Simpson) on [sigma_lin, sigma_max]."""
    if n_units % 2 == 0 or n_units < 3:
        raise ValueError(f"'n_units' must be odd and >= 3; got {n_units}")
    if not (p > 1 and kappa > 0 and 0 < sigma_lin < sigma_max):
        raise ValueError(f"need p > 1, kappa > 0, 0 < sigma_lin < sigma_max; got "
                         f"{p}, {kappa}, {sigma_lin}, {sigma_max}")
    u = np.linspace(math.log(sigma_lin), math.log(sigma_max), n_units)
    simpson = np.ones(n_units)
    simpson[1:-1:2], simpson[2:-1:2] = 4.0, 2.0
    s = np.exp(u)
    density = s ** (p - 1) / (special.gamma(p) * np.expm1(s))
    w = density * s * simpson * (u[1] - u[0]) / 3                      # d sigma = s du
    return Slew(p, kappa, torch.from_numpy(s), torch.from_numpy(w), tail)


def run(target: Slew, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """H_k(x), k = 0..T-1, from rest, on inputs x (N, T); y_k reads x_{<k}.
    -> (N, T), and the fast states after the last step (N, J)"""
    N, T = x.shape
    v = x.new_zeros(N, len(target.w))
    d, k = target.delta, target.kappa
    out = []
    for i in range(T):
        out.append(v @ target.w)
        v = v + torch.tanh(k * d * (x[:, i, None] - v)) / k
    fast = torch.stack(out, -1)
    if not target.tail:
        return fast, v
    lin = target.r(torch.arange(T, dtype=torch.float64))
    return fast + convolve_lagged(lin, x), v


def affine_floor(a: float, n: int = 2001) -> float:
    """min over affine maps of sup_{|x| <= 1} |tanh(a x) - (alpha + gamma x)|: the error
    under held inputs that every residual RNN keeps on a target whose held response is
    tanh(a x) (its own is affine). A Chebyshev fit, by linear programming on a grid."""
    from scipy.optimize import linprog
    xs = np.linspace(-1, 1, n)
    f = np.tanh(a * xs)
    A = np.block([[-np.ones((n, 1)), -xs[:, None], -np.ones((n, 1))],
                  [np.ones((n, 1)), xs[:, None], -np.ones((n, 1))]])
    res = linprog([0, 0, 1], A_ub=A, b_ub=np.concatenate([-f, f]),
                  bounds=[(None, None)] * 3)
    return float(res.x[2])


__all__ = ["Slew", "make", "run", "affine_floor"]
