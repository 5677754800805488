"""Plateaus on sampled data (li2021): minibatch SGD against gradient descent on the
closed-form white-noise loss, from the same initial models.

The plateau of com.training.plateaus is measured on the exact loss. Training on
sampled data sees a noisy estimate of it: each step draws a minibatch of white-noise
sequences and descends their mean squared error (com.training.loss.sampled_loss).
What is recorded is each model's exact (expected) loss at every step, so the two
runs' curves compare directly.
"""
from __future__ import annotations

import numpy as np
import torch

from ..training.loop import DiagonalRNN, OnStep, train
from ..training.loss import sampled_loss, white_noise_loss


def sgd_and_gd(target: torch.Tensor, t: torch.Tensor, weights: torch.Tensor,
               rates: torch.Tensor, lr: float, steps: int, batch: int, dt: float,
               generator: torch.Generator, on_sgd_step: OnStep | None = None,
               on_gd_step: OnStep | None = None) -> tuple[np.ndarray, np.ndarray]:
    """S diagonal RNNs (decay rates ``rates`` (S, m), w = e^theta, c = 0) trained by
    gradient descent with step ``lr`` for ``steps`` steps, twice from the same start:
    on minibatches of ``batch`` white-noise sequences on the lag grid t (step dt), and
    on the closed-form loss sum_k weights_k (rho_k - K_k)^2 (weights: dt lambda_k).
    target: (T,)  ->  expected-loss histories (steps, S) of SGD and of GD"""
    def fresh():
        raw = torch.log(rates)                                 # (S, m) the same inits
        return DiagonalRNN(raw.clone().requires_grad_(), torch.zeros_like(raw).requires_grad_())

    def expected(model):
        return white_noise_loss(target, model.kernel(t), weights)           # (S,)

    def minibatch(model, record):
        record.append(expected(model).detach())                 # the model's true loss
        x = torch.randn(rates.shape[0], batch, t.shape[0], generator=generator)  # (S, B, T)
        K = model.kernel(t)[:, None]                                         # (S, 1, T)
        return sampled_loss(dt ** 0.5 * target, dt ** 0.5 * K, x).mean(-1)   # (S,)
    sgd, gd, record = fresh(), fresh(), []
    train(sgd.parameters(), lambda: minibatch(sgd, record), steps, lr, method="gd",
          on_step=on_sgd_step)
    gd_curve = train(gd.parameters(), lambda: expected(gd), steps, lr, method="gd",
                     on_step=on_gd_step)
    return torch.stack(record).numpy(), gd_curve.numpy()


__all__ = ["sgd_and_gd"]
