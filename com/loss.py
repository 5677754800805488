"""The white-noise loss: for a linear model it is a distance between kernels.

For i.i.d. inputs of variance sigma^2 and output errors weighted by v_t,
averaged over t = 0..T-1 with the input starting at 0,

    E (1/T) sum_t v_t^2 (y_t - yhat_t)^2 = sigma^2 sum_{s<T} (rho_s - K_s)^2 * lambda_s,
    lambda_s = (1/T) sum_{t>=s} v_t^2                         (the lag weights)

because y_t - yhat_t = sum_{s<=t} (rho_s - K_s) x_{t-s} and the x's are uncorrelated.
With v = 1, lambda_s = (T - s)/T: long lags are seen by fewer outputs.
In continuous time (It\u00f4 isometry) the same sum becomes int |rho - rhohat|^2 ds,
which quadrature weights on a grid approximate.
"""
from __future__ import annotations

import torch


def lag_weights(T: int, time_weights: torch.Tensor | None = None,
                dtype=torch.float64) -> torch.Tensor:
    """lambda_s = (1/T) sum_{t=s}^{T-1} v_t^2 for s = 0..T-1;  v = 1 when not given.  -> (T,)"""
    v2 = torch.ones(T, dtype=dtype) if time_weights is None else time_weights.to(dtype) ** 2
    return torch.flip(torch.cumsum(torch.flip(v2, [0]), 0), [0]) / T


def quadrature_weights(t: torch.Tensor) -> torch.Tensor:
    """Trapezoid weights on a (possibly non-uniform) grid t: sum_j w_j f(t_j) ~ int f dt.
    -> (T,)"""
    dt = t[1:] - t[:-1]
    w = torch.zeros_like(t)
    w[:-1] += dt / 2
    w[1:] += dt / 2
    return w


def white_noise_loss(target: torch.Tensor, kernel: torch.Tensor, weights: torch.Tensor,
                     sigma2: float = 1.0) -> torch.Tensor:
    """sigma^2 sum_s weights_s (rho_s - K_s)^2.

    target: (T,) or (..., T);  kernel: (..., T);  weights: (T,)  ->  (...)
    """
    return sigma2 * ((target - kernel) ** 2 * weights).sum(-1)


def sampled_loss(target: torch.Tensor, kernel: torch.Tensor, x: torch.Tensor,
                 time_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Monte-Carlo counterpart: per-sequence (1/T) sum_t v_t^2 (y_t - yhat_t)^2, outputs by FFT.

    x: (N, T) inputs  ->  (N,)
    """
    from .models import convolve
    err = convolve(target - kernel, x)                         # (N, T), linear in the kernel
    if time_weights is not None:
        err = err * time_weights
    return (err ** 2).mean(-1)
