"""Approximation of memory kernels on the fixed rate basis {e^{-k t}: k = 1..m}.

The approximation error of a linear RNN to a linear functional, uniformly over
inputs with |x| <= 1, is the L1 distance of kernels: sup_t |H_t - Hhat_t| =
||rho - rhohat||_1. Here: the least-squares (L2(dt)) fit of every width m on the fixed
basis, and its relative L1 error, exactly, by an orthonormal form of the basis.

With u = e^{-t} the span of e^{-t}, ..., e^{-m t} is u * (polynomials of degree < m),
and for f = u p, g = u q, int_0^inf f g dt = int_0^1 u p q du: the Jacobi weight
(1 + x) on x = 2u - 1. So

    phi_n(t) = sqrt(2 (n + 1)) u P_n^{(0,1)}(2u - 1),      n = 0, 1, ...

are orthonormal in L2(0, inf), phi_0..phi_{m-1} span the width-m basis, and the fit
of width m is the partial sum  sum_{n<m} <rho, phi_n> phi_n  (``errors``): each width
is one more term of the last, so every width up to M costs one three-term recurrence,
with no linear solve and no conditioning limit on m. P_n^{(0,1)} obeys (Szego)

    2n(n+1)(2n-1) P_n = 2n [(2n+1)(2n-1) x - 1] P_{n-1} - 2(n-1)n(2n+1) P_{n-2},
    P_0 = 1,  P_1 = (3x - 1)/2.

Integrals over u use Gauss-Legendre panels [2^{-k-1}, 2^{-k}], k < K (t up to K ln 2),
with nodes enough for degree-M polynomials on each (``panels``); beyond t = K ln 2
every phi_n (n < M) is below sqrt(2) M^{3/2} 2^{-K}, so the error there is the target's
own tail, in closed form (com.memory.Memory.tail).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch
from scipy.special import roots_legendre

PANELS = 64                              # t up to 64 ln 2 = 44.4


@lru_cache(maxsize=8)
def panels(M: int, K: int = PANELS, extra: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on u in [2^{-K}, 1], panel k = [2^{-k-1}, 2^{-k}]
    with ceil(1.5 M 2^{-k/2}) + extra nodes (a degree-M polynomial in u has about
    M sqrt(u) oscillations per unit of log u near u).  -> u (N,), w (N,), read-only
    (computed once per (M, K, extra) in a process)"""
    us, ws = [], []
    for k in range(K):
        a, b = 2.0 ** (-k - 1), 2.0 ** (-k)
        x, w = roots_legendre(int(math.ceil(1.5 * M * 2.0 ** (-k / 2))) + extra)
        us.append(a + (b - a) * (x + 1) / 2)
        ws.append(w * (b - a) / 2)
    u, w = np.concatenate(us), np.concatenate(ws)
    u.flags.writeable = w.flags.writeable = False
    return u, w


def basis(M: int, u: np.ndarray):
    """Yield phi_n on the nodes u for n = 0..M-1 (orthonormal in L2(dt)), from the
    recurrence for P_n^{(0,1)}(2u - 1) of the module doc.  -> (N,) each"""
    x = 2 * u - 1
    p_prev, p = np.ones_like(x), (3 * x - 1) / 2
    for n in range(M):
        if n >= 2:
            a = 2 * n * (n + 1) * (2 * n - 1)
            p_prev, p = p, (2 * n * ((2 * n + 1) * (2 * n - 1) * x - 1) * p
                            - 2 * (n - 1) * n * (2 * n + 1) * p_prev) / a
        yield math.sqrt(2 * (n + 1)) * u * (p_prev if n == 0 else p)


def errors(memory, M: int, K: int = PANELS) -> np.ndarray:
    """Relative L1 errors ||rho - rho_m||_1 / ||rho||_1 of the L2 fits of every width
    m = 1..M on the fixed basis e^{-k t}, k <= m (module doc); ``memory`` a continuous
    com.memory.Memory with closed-form tail and l1 norm.  -> (M,)"""
    u, w = panels(M, K)
    dt = w / u                                                       # du / u = dt
    rho = memory.kernel(torch.from_numpy(-np.log(u))).numpy()       # (N,)
    coeffs = [float((rho * dt) @ phi) for phi in basis(M, u)]       # <rho, phi_n>
    tail, fit, out = memory.tail(K * math.log(2.0)), np.zeros_like(u), np.empty(M)
    for m, (c, phi) in enumerate(zip(coeffs, basis(M, u))):
        fit += c * phi
        out[m] = float(np.abs(rho - fit) @ dt) + tail
    return out / memory.l1


def fixed_rate_errors(memories, widths) -> np.ndarray:
    """Relative L1 errors of the fixed-rate fits: err[i, j] for memories[i] and width
    widths[j] (all widths from one recurrence up to max(widths)).  -> (n, len(widths))"""
    cols = np.asarray(widths, dtype=int) - 1
    return np.stack([errors(mem, int(max(widths)))[cols] for mem in memories])


__all__ = ["PANELS", "panels", "basis", "errors", "fixed_rate_errors"]
