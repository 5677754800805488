"""li2021's Airy target learned by a model that can represent it: how the time to learn
its delayed memory grows with the delay.

The target rho(t) = Ai(s0 (t - t0)) oscillates on [0, t0] and vanishes soon after
t0. Real decaying modes cannot follow the oscillation (their projection on it is the
boundary term at lag 0, com.training.plateaus.airy_projection); complex-conjugate
mode pairs -w_i +- i nu_i can (com.training.loop.DiagonalRNN with frequencies).
Every (delay, model) pair is trained in one gradient-descent program on the white-noise
loss, and each step records the loss and the *window error*, the part of the loss on
the lags within ``half_width`` of t0,

    E_win = sum_s weights_s 1{|s - t0| <= half_width} (rho_s - rhohat_s)^2,

which only falls once the model carries memory at lag ~ t0 (the loss itself is mostly
the oscillation near lag 0). The learning time of the delayed memory is the first step
at which E_win has halved (com.training.plateaus.first_below; censored: inf).
"""
from __future__ import annotations

import numpy as np
import torch

from ..training.loop import DiagonalRNN, OnStep, train
from ..training.loss import white_noise_loss


def window(t: torch.Tensor, centres, half_width: float) -> torch.Tensor:
    """Indicator of the lags within ``half_width`` of each centre.  (T,), (D,) -> (D, T)"""
    c = torch.as_tensor(centres, dtype=t.dtype)[:, None]
    return ((t >= c - half_width) & (t <= c + half_width)).to(t.dtype)


def train_delayed(model: DiagonalRNN, t: torch.Tensor, targets: torch.Tensor, centres,
                  weights: torch.Tensor, half_width: float, steps: int, lr: float,
                  on_step: OnStep | None = None) -> dict[str, np.ndarray]:
    """Gradient descent on sum_s weights_s (rho_s - rhohat_s)^2 for every (target, model)
    pair at once, from the same S initial models for each target, recording the loss
    and the window error around each target's delay at every step.

    model: S initial models (S, m); targets: (D, T) kernels on the lags t (T,); centres:
    (D,) their delays.  -> {"loss": (steps, D, S), "window": (steps, D, S)}
    """
    D, S = targets.shape[0], model.raw.shape[0]
    batch = model.repeat(D)                                             # (D S, m)
    rho = targets.repeat_interleave(S, 0)                               # (D S, T)
    near = weights * window(t, centres, half_width).repeat_interleave(S, 0)  # (D S, T)
    record = []

    def loss_fn():
        K = batch.kernel(t)                                             # (D S, T)
        record.append(white_noise_loss(rho, K, near).detach())          # window error
        return white_noise_loss(rho, K, weights)                        # (D S,)
    history = train(batch.parameters(), loss_fn, steps, lr, method="gd", on_step=on_step)
    return {"loss": history.reshape(steps, D, S).numpy(),
            "window": torch.stack(record).reshape(steps, D, S).numpy()}


__all__ = ["window", "train_delayed"]
