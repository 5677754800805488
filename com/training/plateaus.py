"""Gradient plateaus: the curse of memory in optimisation (li2021), measured.

A plateau is a stretch of training where the loss barely moves, followed by an
escape. The rule used here (:func:`plateau`) is automatic:

    start = first step k with relative decrease (L_k - L_{k+1}) / L_k < flat
    end   = first step after start with L_k <= (1 - drop) L_start
    length = end - start   (0 if the loss fell by ``drop`` before it ever went flat;
                            inf if it never escapes within the run: censored)
    gone   = 1 - min(L_0 .. L_start) / L_0   (the fraction of the loss gone by the first
             flat step; the rule sees no plateau exactly where gone >= drop)

For a width-1 diagonal RNN rhohat(t) = c e^{-w t}, w = e^theta, trained by gradient
descent with step eta on L = int (rho - rhohat)^2 dt against a bump
rho(t) = e^{-(t - t0)^2}, c equilibrates first, c* = P / |e_w|^2 with the projection
P(w) = <rho, e^{-w t}> (:func:`bump_projection`, exact), leaving the reduced loss

    L(w) = |rho|^2 - 2 w P(w)^2,   dL/dw ~ 4 pi w t0 e^{-2 w t0}  (t0 >> 1),

and dw/dk = -eta w^2 dL/dw. The time to move w away from w0 is dominated by w ~ w0:

    k_escape ~ e^{2 w0 t0} / (8 pi eta w0^3 t0^2)            (:func:`predicted_escape`)

exponential in the memory t0 with rate 2 w0, times a polynomial factor t0^-2. On the
plateau the loss falls by the fraction eta (w dL/dw)^2 / L per step
(:func:`plateau_decrease`): a rule with ``flat`` below it cannot see that plateau.
The weight alone removes the fraction f = 2 w P^2 / |rho|^2 of the loss
(:func:`removed_fraction`); where f >= drop the rule sees no plateau, so plateaus
begin at the delay t0* solving f(w0, t0*) = drop (:func:`onset`).

li2021's Airy target rho(t) = Ai(s0 (t - t0)) oscillates on [0, t0]. Its Laplace
transform R(w) = <rho, e^{-w t}> solves s0^3 R' = -(w^2 + s0^3 t0) R + w rho(0) + rho'(0)
(from rho'' = s0^3 (t - t0) rho), so

    R(w) ~ e^{-w t0 - w^3/(3 s0^3)} / s0  +  (w rho(0) + rho'(0)) / (w^2 + s0^3 t0)

(:func:`airy_projection`): the lobe at t0, exponentially small like the bump's, plus a
boundary term from t = 0 that is only polynomially small, ~ t0^{-3/4}: what a real
decaying mode sees of it is the oscillation near lag 0, not the memory at t0.
Learning times of a delayed memory are read off by :func:`first_below` (censored: inf).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from scipy.optimize import brentq
from scipy.special import airy, erf, erfc

from ..approximation.laws import log_linear_fit


def plateau(history, flat: float = 1e-3, drop: float = 0.02) -> dict[str, np.ndarray]:
    """Plateau start, end, length (in steps) and the fraction ``gone`` of the loss by
    the first flat step, of each loss curve (rule in the module doc): gone >= drop is
    the verdict "no plateau", so log10(gone / drop) is how near a curve came to the
    other verdict.

    history: (K, S) losses of S models over K steps  ->  dict of (S,) float arrays.
    """
    L = np.asarray(history, dtype=float)                                   # (K, S)
    K, S = L.shape
    rel = (L[:-1] - L[1:]) / L[:-1]                       # (K-1, S) relative decrease
    start, end = np.full(S, np.inf), np.full(S, np.inf)
    gone = np.empty(S)
    for s in range(S):
        flat_k = np.flatnonzero(rel[:, s] < flat)
        below0 = np.flatnonzero(L[:, s] <= (1 - drop) * L[0, s])
        k0 = flat_k[0] if flat_k.size else K
        gone[s] = 1 - L[:k0 + 1, s].min() / L[0, s]
        if below0.size and below0[0] <= k0:            # descended before going flat: no plateau
            start[s] = end[s] = below0[0]
            continue
        if k0 == K:
            continue
        start[s] = k0
        after = np.flatnonzero(L[k0:, s] <= (1 - drop) * L[k0, s])
        if after.size:
            end[s] = k0 + after[0]
    return {"start": start, "end": end, "length": end - start, "gone": gone}


def escaped(history, flat: float = 1e-3, drop: float = 0.02) -> bool:
    """Whether every curve's plateau (rule above) has ended, none censored: a run
    that goes on cannot change any length.  history: (K, S) or a list of (S,) tensors"""
    if isinstance(history, list):
        history = torch.stack(history).numpy()
    return bool(np.isfinite(plateau(history, flat, drop)["end"]).all())


def predicted_escape(t0, w0, lr: float):
    """k ~ e^{2 w0 t0} / (8 pi eta w0^3 t0^2): escape steps of a width-1 RNN, w = e^theta,
    from rate w0 under gradient descent with step eta on a unit bump at delay t0."""
    t0 = np.asarray(t0, dtype=float)
    return np.exp(2 * w0 * t0) / (8 * np.pi * lr * w0 ** 3 * t0 ** 2)


def predicted_rate(t0s, w0: float) -> float:
    """Growth rate of :func:`predicted_escape` fitted over the grid t0s, as the
    measurement is: 2 w0 minus the slope of the 2 ln t0 polynomial factor."""
    return log_linear_fit(t0s, predicted_escape(t0s, w0, 1.0))[0]


def first_below(history, frac: float = 0.5) -> np.ndarray:
    """First step k with history[k] <= frac * history[0], per curve: a learning time
    (of the loss, or of the error on the lags around a delay); inf if never (censored
    at the run's length).  history: (K, S)  ->  (S,) float steps"""
    h = np.asarray(history, dtype=float)
    hit = h <= frac * h[:1]
    return np.where(hit.any(0), hit.argmax(0), np.inf).astype(float)


def bump_projection(w, t0) -> tuple[np.ndarray, np.ndarray]:
    """P(w) = int_0^inf e^{-(t - t0)^2} e^{-w t} dt and dP/dw, exactly: with
    a = t0 - w/2, P = e^{-w t0 + w^2/4} (sqrt(pi)/2) erfc(-a) and
    dP/dw = -e^{-w t0 + w^2/4} (e^{-a^2}/2 + a (sqrt(pi)/2) erfc(-a)).  -> (P, P')"""
    w, t0 = np.asarray(w, dtype=float), np.asarray(t0, dtype=float)
    a, scale = t0 - w / 2, np.exp(-w * t0 + w * w / 4)
    half = math.sqrt(math.pi) / 2 * erfc(-a)
    return scale * half, -scale * (np.exp(-a * a) / 2 + a * half)


def bump_norm2(t0):
    """|rho|^2 = int_0^inf e^{-2 (t - t0)^2} dt = sqrt(pi/8) (1 + erf(sqrt(2) t0))."""
    return math.sqrt(math.pi / 8) * (1 + erf(math.sqrt(2) * np.asarray(t0, dtype=float)))


def removed_fraction(w, t0):
    """f = 2 w P(w)^2 / |rho|^2: the fraction of a bump's loss that the best weight of
    one mode e^{-w t} removes (|e_w|^2 = 1/(2w)), before the rate moves."""
    return 2 * np.asarray(w, dtype=float) * bump_projection(w, t0)[0] ** 2 / bump_norm2(t0)


def onset(w: float, drop: float = 0.02) -> float:
    """The delay t0* where removed_fraction(w, t0*) = drop (f falls in t0): bumps
    nearer than t0* lose ``drop`` of their loss while c equilibrates, no plateau."""
    if removed_fraction(w, 0.0) <= drop:
        return 0.0
    return brentq(lambda a: removed_fraction(w, a) - drop, 0.0, 100.0 / w + 100.0)


def plateau_decrease(w, t0, lr: float):
    """eta (w dL/dw)^2 / L: the relative loss decrease per gradient step on the plateau
    of a width-1 model (theta = ln w, c at its optimum), L(w) = |rho|^2 - 2 w P^2,
    dL/dw = -2 P^2 - 4 w P P'. The plateau rule needs ``flat`` above it."""
    P, dP = bump_projection(w, t0)
    w = np.asarray(w, dtype=float)
    L = bump_norm2(t0) - 2 * w * P ** 2
    return lr * (w * (-2 * P ** 2 - 4 * w * P * dP)) ** 2 / L


def airy_projection(t0, w: float, s0: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """The two terms of <rho, e^{-w t}> = int_0^inf Ai(s0 (t - t0)) e^{-w t} dt for
    s0^3 t0 >> w^2 (module doc): the lobe at t0, e^{-w t0 - w^3/(3 s0^3)} / s0, and the
    boundary term (w rho(0) + rho'(0)) / (w^2 + s0^3 t0), rho(0) = Ai(-s0 t0),
    rho'(0) = s0 Ai'(-s0 t0).   t0: (D,)  ->  (lobe (D,), boundary (D,))"""
    t0 = np.asarray(t0, dtype=float)
    ai, aip, _, _ = airy(-s0 * t0)
    lobe = np.exp(-w * t0 - w ** 3 / (3 * s0 ** 3)) / s0
    return lobe, (w * ai + s0 * aip) / (w ** 2 + s0 ** 3 * t0)


__all__ = ["plateau", "escaped", "predicted_escape", "predicted_rate", "first_below",
           "bump_projection", "bump_norm2", "removed_fraction", "onset", "plateau_decrease",
           "airy_projection"]
