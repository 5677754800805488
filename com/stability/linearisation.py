"""Nonlinear RNNs at the infinite horizon, through their linearisation at rest.

A residual RNN h_{k+1} = h_k + dt sigma(W h_k + U x_k), y_k = c^T h_k, with
sigma(0) = 0 and sigma'(0) = 1 (tanh; hardtanh near 0) and no bias, rests at h = 0
under zero input, with Jacobian J = I + dt W there. If a perturbation of W pushes an
eigenvalue of J outside the unit circle, the rest state becomes unstable (Lyapunov's
indirect method): an input of any size eventually moves the state by an amount that
does not shrink with the input, and with a residual step (h grows by up to dt |sigma|
per step) for ever. The output error per unit of input is then unbounded over the
infinite horizon. So the smallest perturbation of W that makes J unstable bounds the
model's infinite-horizon stability radius from above. The smallest *complex*
perturbation, in 2-norm, is the complex stability radius (Hinrichsen and Pritchard),

    r_C(J) = min_theta sigma_min(e^{i theta} I - J) / dt
           = min_theta sigma_min((e^{i theta} - 1) I - dt W) / dt,

the second form exact even when J is within rounding of the unit circle. Real weights
need at least the real stability radius r_R >= r_C; for a normal J the two are equal
(moving a real eigenvalue, or scaling a 2 x 2 rotation block, to the circle costs
exactly its distance to it), so for the book's J = diag(1 - delta), r(J) = delta_min
is the real radius too.
"""
from __future__ import annotations

import math

import torch


def complex_radius(W: torch.Tensor, dt: float = 1.0, n_theta: int = 361,
                   refine: int = 40) -> torch.Tensor:
    """r(J) for J = I + dt W: a grid over theta in [0, pi] (J is real, so its spectrum
    and sigma_min are symmetric in theta), then golden-section refinement around the
    best grid point. 0 where J already has an eigenvalue on or outside the circle.
    W: (..., m, m)  ->  (...)"""
    m = W.shape[-1]
    eye = torch.eye(m, dtype=torch.complex128)
    Wc = (dt * W).to(torch.complex128)

    def smin(theta):                                     # theta: (..., K) -> (..., K)
        z = torch.expm1(1j * theta.to(torch.complex128))
        A = z[..., None, None] * eye - Wc[..., None, :, :]
        return torch.linalg.svdvals(A)[..., -1] / dt

    theta = torch.linspace(0, math.pi, n_theta).expand(W.shape[:-2] + (n_theta,))
    vals = smin(theta)
    k = vals.argmin(-1, keepdim=True)
    step = math.pi / (n_theta - 1)
    lo = (theta.gather(-1, k) - step).clamp(min=0.0)
    hi = (theta.gather(-1, k) + step).clamp(max=math.pi)
    gr = (math.sqrt(5) - 1) / 2
    for _ in range(refine):
        a, b = hi - gr * (hi - lo), lo + gr * (hi - lo)
        left = smin(a) < smin(b)
        lo, hi = torch.where(left, lo, a), torch.where(left, b, hi)
    best = torch.minimum(vals.amin(-1), smin((lo + hi) / 2)[..., 0])
    mu = torch.linalg.eigvals(dt * W)                  # |1 + mu| >= 1, exact for tiny mu:
    out = (2 * mu.real + mu.abs() ** 2 >= 0).any(-1)    # 2 Re mu + |mu|^2 >= 0
    return torch.where(out, torch.zeros_like(best), best)


def realise(delta: torch.Tensor, g: torch.Tensor, kappa, diagonal: bool = False,
            normalised: bool = False) -> dict:
    """A residual RNN (dt = 1) with the kernel sum_i g_i (1 - delta_i)^t: W = -diag(delta),
    b = 0, and U = sqrt|g| / kappa, c = kappa sign(g) sqrt|g| (the free RNN), or with
    ``normalised`` U = delta / kappa, c = kappa g / delta (the normalised recurrence of
    the stable reparameterisations, input gain delta); ``kappa`` a number or one per
    unit (..., M). For |x| <= 1 every pre-activation obeys |W h + U x|_i <= 2 |U_i|
    while 0 < delta_i <= 1 (``preactivation``), so kappa >= 2 max |U_i| kappa keeps
    hardtanh in its linear range for ever: that RNN *is* the linear one. ``diagonal``:
    W as its diagonal -delta (com.models.residual.rnn runs either).
    delta, g: (n, M)  ->  params for com.models.residual.rnn"""
    r = g.abs().sqrt()
    u, c = (delta, g / delta) if normalised else (r, torch.sign(g) * r)
    return {"W": -delta if diagonal else torch.diag_embed(-delta), "U": (u / kappa)[..., None],
            "b": torch.zeros_like(delta), "c": kappa * c}


def preactivation(delta: torch.Tensor, gain: torch.Tensor) -> torch.Tensor:
    """Largest |pre-activation| over all time, from rest, for inputs |x_k| <= 1, of a
    mode run linearly: v_{k+1} = (1 - delta) v_k + gain x_k, z_k = -delta v_k + gain x_k.
    The geometric series gives |v| <= |gain| / (1 - |1 - delta|), hence
        |z| <= |gain| (1 + delta / (1 - |1 - delta|))      (= 2 |gain| for delta <= 1);
    inf for an unstable mode (delta outside (0, 2)) with gain != 0, 0 where gain = 0.
    A hardtanh RNN whose pre-activations all obey |z| <= 1 never leaves its linear
    range: it *is* the linear RNN, for ever.  delta, gain: (..., m)  ->  (..., m)"""
    gap = torch.where(delta <= 1, delta, 2 - delta)        # 1 - |1 - delta|, exact near 0
    bound = gain.abs() * (1 + delta / gap.clamp_min(1e-300))
    bound = torch.where(gap > 0, bound, torch.full_like(bound, math.inf))
    return torch.where(gain != 0, bound, torch.zeros_like(bound))


def where_finite(z: torch.Tensor, E: torch.Tensor) -> torch.Tensor:
    """Pre-activation bounds z kept only where the model's error E is finite (0 else):
    the curves past the edge are the linear model's, and no exactness is claimed
    there.  z, E: same shape  ->  that shape"""
    return torch.where(torch.isfinite(E), z, torch.zeros_like(z))


__all__ = ["complex_radius", "realise", "preactivation", "where_finite"]
