"""Gradient plateaus: the curse of memory in optimisation (li2021), measured.

A plateau is a stretch of training where the loss barely moves, followed by an
escape. The rule used here (:func:`plateau`) is automatic:

    start = first step k with relative decrease (L_k - L_{k+1}) / L_k < flat
    end   = first step after start with L_k <= (1 - drop) L_start
    length = end - start   (0 if the loss fell by ``drop`` before it ever went flat;
                            inf if it never escaped within the run: censored)

For a width-1 diagonal RNN rhohat(t) = c e^{-w t}, w = e^theta, trained by gradient
descent with step eta on L = int (rho - rhohat)^2 dt against a bump
rho(t) = e^{-(t - t0)^2} (t0 >> 1), c equilibrates first, c* = <rho, e_w> / |e_w|^2,
leaving the reduced loss

    L(w) = |rho|^2 - 2 pi w e^{-2 w t0 + w^2/2},   dL/dw ~ 4 pi w t0 e^{-2 w t0},

and dw/dk = -eta w^2 dL/dw. The time to move w away from w0 is dominated by w ~ w0:

    k_escape ~ e^{2 w0 t0} / (8 pi eta w0^3 t0^2)            (:func:`predicted_escape`)

exponential in the memory t0 with rate 2 w0, times a polynomial factor t0^-2.

li2021's own example, the Airy target rho(t) = Ai(s0 (t - t0)), is not memory at one
delay: it oscillates on [0, t0]. Its Laplace transform R(w) = <rho, e^{-w t}> solves
s0^3 R' = -(w^2 + s0^3 t0) R + w rho(0) + rho'(0) (from rho'' = s0^3 (t - t0) rho), so

    R(w) ~ e^{-w t0 - w^3/(3 s0^3)} / s0  +  (w rho(0) + rho'(0)) / (w^2 + s0^3 t0)

(:func:`airy_projection`): the lobe at t0, exponentially small like the bump's, plus a
boundary term from t = 0 that is only polynomially small, ~ t0^{-3/4}, and changes sign
with t0. Its learning time (:func:`half_time`) does not grow like e^{2 w0 t0}.
"""
from __future__ import annotations

import numpy as np
from scipy.special import airy

from ..approximation.laws import log_linear_fit


def plateau(history, flat: float = 1e-3, drop: float = 0.02) -> dict[str, np.ndarray]:
    """Plateau start, end and length (in steps) of each loss curve (rule in the module doc).

    history: (K, S) losses of S models over K steps  ->  dict of (S,) float arrays.
    """
    L = np.asarray(history, dtype=float)                                   # (K, S)
    K, S = L.shape
    rel = (L[:-1] - L[1:]) / L[:-1]                       # (K-1, S) relative decrease
    start, end = np.full(S, np.inf), np.full(S, np.inf)
    for s in range(S):
        flat_k = np.flatnonzero(rel[:, s] < flat)
        below0 = np.flatnonzero(L[:, s] <= (1 - drop) * L[0, s])
        k0 = flat_k[0] if flat_k.size else K
        if below0.size and below0[0] <= k0:            # descended before going flat: no plateau
            start[s] = end[s] = below0[0]
            continue
        if k0 == K:
            continue
        start[s] = k0
        after = np.flatnonzero(L[k0:, s] <= (1 - drop) * L[k0, s])
        if after.size:
            end[s] = k0 + after[0]
    return {"start": start, "end": end, "length": end - start}


def predicted_escape(t0, w0, lr: float):
    """k ~ e^{2 w0 t0} / (8 pi eta w0^3 t0^2): escape steps of a width-1 RNN, w = e^theta,
    from rate w0 under gradient descent with step eta on a unit bump at delay t0."""
    t0 = np.asarray(t0, dtype=float)
    return np.exp(2 * w0 * t0) / (8 * np.pi * lr * w0 ** 3 * t0 ** 2)


def predicted_rate(t0s, w0: float) -> float:
    """Growth rate of :func:`predicted_escape` fitted over the grid t0s, as the
    measurement is: 2 w0 minus the slope of the 2 ln t0 polynomial factor."""
    return log_linear_fit(t0s, predicted_escape(t0s, w0, 1.0))[0]


def half_time(history) -> np.ndarray:
    """First step at which each loss curve has made half of its decrease over the run,
    L_k <= (L_0 + L_{K-1}) / 2: a learning time defined for every curve (the plateau
    rule's is censored when a model cannot lower its loss by ``drop`` at all).

    history: (K, S)  ->  (S,) float steps
    """
    L = np.asarray(history, dtype=float)                                   # (K, S)
    return np.argmax(L <= (L[0] + L[-1]) / 2, axis=0).astype(float)


def airy_projection(t0, w: float, s0: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """The two terms of <rho, e^{-w t}> = int_0^inf Ai(s0 (t - t0)) e^{-w t} dt for
    s0^3 t0 >> w^2 (module doc): the lobe at t0, e^{-w t0 - w^3/(3 s0^3)} / s0, and the
    boundary term (w rho(0) + rho'(0)) / (w^2 + s0^3 t0), rho(0) = Ai(-s0 t0),
    rho'(0) = s0 Ai'(-s0 t0).   t0: (D,)  ->  (lobe (D,), boundary (D,))"""
    t0 = np.asarray(t0, dtype=float)
    ai, aip, _, _ = airy(-s0 * t0)
    lobe = np.exp(-w * t0 - w ** 3 / (3 * s0 ** 3)) / s0
    return lobe, (w * ai + s0 * aip) / (w ** 2 + s0 ** 3 * t0)


__all__ = ["plateau", "predicted_escape", "predicted_rate", "half_time", "airy_projection"]
