"""Learning-rate range: many learning rates trained side by side in one tensor program.

Each model s gets its own Adam step size lr_s, so the optimiser is written out
(torch's Adam takes one rate per parameter group): with g the gradient,

    m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
    w <- w - lr_s (m / (1 - b1^k)) / (sqrt(v / (1 - b2^k)) + eps)    at step k.

Recorded per model: the final and initial closed-form loss and the largest
|dL/dw| / |w| of the recurrent raw weight w seen during training, which the gradient
scale |f'(w)| / f(w)^2 of the parameterisation bounds (wang2023stablessm).
"""
from __future__ import annotations

import math

import torch

from ..models import families
from .loss import white_noise_loss
from .tasks import Task


def _adam_step(params: dict, grads: dict, mom: dict, sq: dict, lr: torch.Tensor, step: int,
               moments: tuple[float, float], eps: float) -> None:
    """One Adam update in place, step size lr[s] for model s.  lr: (S,); params (S, ...)"""
    b1, b2 = moments
    for k, p in params.items():
        mom[k].mul_(b1).add_((1 - b1) * grads[k])
        sq[k].mul_(b2).add_((1 - b2) * grads[k] ** 2)
        mhat = mom[k] / (1 - b1 ** step)
        vhat = sq[k] / (1 - b2 ** step)
        shape = (-1,) + (1,) * (p.dim() - 1)
        p.sub_(lr.reshape(shape) * mhat / (vhat.sqrt() + eps))


def train_at_rates(task: Task, pname: str, m: int, lrs: torch.Tensor, n_models: int, steps: int,
          generator: torch.Generator, moments=(0.9, 0.999), eps: float = 1e-8) -> dict:
    """Train n_models models of width m per learning rate with Adam (``moments`` its
    b1, b2), every learning rate in one tensor program; linear families only
    (closed-form loss).

    lrs: (L,)  ->  {"loss": final loss (L, R), "ratio": max over steps and units of
    |dL/dw| / |w| for the recurrent raw w (L, R), "initial": initial loss (L, R)}
    """
    L, R = lrs.numel(), n_models
    params = {k: v.clone().requires_grad_() for k, v in
              families.init_family(task.family, pname, L * R, m, generator).items()}
    lr = lrs.repeat_interleave(R)                                           # (S,)
    mom = {k: torch.zeros_like(v) for k, v in params.items()}
    sq = {k: torch.zeros_like(v) for k, v in params.items()}
    ratio = torch.zeros(L * R)
    key = families.get(task.family).recurrent[0]

    def loss_fn():
        K = families.family_kernel(task.family, pname, params, task.grid)
        return white_noise_loss(task.target, K, task.weights)
    initial = loss_fn().detach()
    for step in range(1, steps + 1):
        for p in params.values():
            p.grad = None
        loss_fn().sum().backward()
        with torch.no_grad():
            g = params[key].grad
            r = (g.abs() / params[key].abs().clamp_min(1e-300)).amax(-1)    # (S,)
            # a gradient that is not a number has overflowed: its ratio is infinite
            ratio = torch.fmax(ratio, r.nan_to_num(nan=math.inf))
            grads = {k: p.grad for k, p in params.items()}
            _adam_step(params, grads, mom, sq, lr, step, moments, eps)
    with torch.no_grad():
        final = loss_fn()
    return {"loss": final.reshape(L, R), "ratio": ratio.reshape(L, R),
            "initial": initial.reshape(L, R)}


__all__ = ["train_at_rates"]
