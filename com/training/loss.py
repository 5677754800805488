"""The white-noise loss: for a linear model it is a distance between kernels.

For i.i.d. inputs of variance sigma^2 and output errors weighted by v_t,
averaged over t = 0..T-1 with the input starting at 0,

    E (1/T) sum_t v_t^2 (y_t - yhat_t)^2 = sigma^2 sum_{s<T} (rho_s - K_s)^2 * lambda_s,
    lambda_s = (1/T) sum_{t>=s} v_t^2                         (the lag weights)

because y_t - yhat_t = sum_{s<=t} (rho_s - K_s) x_{t-s} and the x's are uncorrelated.
With v = 1, lambda_s = (T - s)/T: long lags are seen by fewer outputs
(com.approximation.grids.lag_weights). In continuous time (It\u00f4 isometry) the same
sum becomes int |rho - rhohat|^2 ds, which quadrature weights on a grid approximate.
``sampled_loss`` and ``monte_carlo_loss`` are the same loss estimated on sampled
inputs, ``mean_interval`` its confidence interval. ``cross_entropy`` is the loss of
classifiers (com.models.classifier).
"""
from __future__ import annotations

import math

import torch

from ..models.kernels import convolve


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
    err = convolve(target - kernel, x)                         # (N, T), linear in the kernel
    if time_weights is not None:
        err = err * time_weights
    return (err ** 2).mean(-1)


def monte_carlo_loss(target: torch.Tensor, kernel: torch.Tensor, dt: float, n: int,
                     generator: torch.Generator) -> torch.Tensor:
    """Per-sequence squared errors (1/T) sum_t (y_t - yhat_t)^2 for n white-noise inputs.

    The kernels are sampled on a grid of step dt; the input is x_k = xi_k / sqrt(dt),
    xi ~ N(0, 1), so y_k = sum_s rho(s dt) x_{k-s} dt has E y^2 -> int rho^2 (Ito).
    target, kernel: (T,)  ->  (n,); expectation dt sum_s (rho_s - K_s)^2 (T - s)/T.
    """
    T = target.shape[-1]
    xi = torch.randn(n, T, generator=generator, dtype=target.dtype)        # (n, T)
    scale = math.sqrt(dt)                                                  # dt * x = sqrt(dt) xi
    return sampled_loss(scale * target, scale * kernel, xi)


def mean_interval(samples: torch.Tensor, z: float) -> tuple[float, float]:
    """Sample mean and half-width z * std / sqrt(n) of its confidence interval."""
    n = samples.shape[0]
    return float(samples.mean()), float(z * samples.std() / math.sqrt(n))


def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy -log softmax(z)_y of each model.
    logits: (S, N, K); labels: (N,)  ->  (S,)"""
    logp = torch.log_softmax(logits, dim=-1)
    return -logp.gather(-1, labels.expand(len(logits), -1)[..., None]).squeeze(-1).mean(-1)


__all__ = ["white_noise_loss", "sampled_loss", "monte_carlo_loss", "mean_interval",
           "cross_entropy"]
