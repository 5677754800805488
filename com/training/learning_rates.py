"""Learning-rate range: many learning rates trained side by side in one tensor program.

Each model s gets its own Adam step size lr_s, so the optimiser is written out
(torch's Adam takes one rate per parameter group): with g the gradient,

    m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
    w <- w - lr_s (m / (1 - b1^k)) / (sqrt(v / (1 - b2^k)) + eps)    at step k.

``adam_step`` is that update (AdamW's decoupled weight decay optional), the one
written-out Adam of com. ``train_at_rates`` trains linear families on their closed-form
loss, and records per model the final and initial loss and the largest |dL/dw| / |w|
of the recurrent raw weight w seen during training, which the gradient scale
|f'(w)| / f(w)^2 of the parameterisation bounds (wang2023stablessm). ``lr_range`` is
the learning-rate range of a grid: the widest run of rates at which every repeat trains.
"""
from __future__ import annotations

import math

import torch

from ..models import families
from .loss import white_noise_loss
from .tasks import Task


def adam_step(params: dict, grads: dict, mom: dict, sq: dict, lr: torch.Tensor, step: int,
              moments: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
              weight_decay: float = 0.0) -> None:
    """One Adam update in place (module doc), step size lr[s] for model s, at ``step``
    (counted from 1); with ``weight_decay`` > 0, AdamW's decoupled decay first,
    w <- (1 - lr_s weight_decay) w, as torch.optim.AdamW does.
    lr: (S,); params, grads, mom, sq: dicts of (S, ...) tensors"""
    b1, b2 = moments
    for k, p in params.items():
        shape = (-1,) + (1,) * (p.dim() - 1)
        if weight_decay:
            p.mul_(1 - lr.reshape(shape) * weight_decay)
        mom[k].mul_(b1).add_((1 - b1) * grads[k])
        sq[k].mul_(b2).add_((1 - b2) * grads[k] ** 2)
        mhat = mom[k] / (1 - b1 ** step)
        vhat = sq[k] / (1 - b2 ** step)
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
            adam_step(params, grads, mom, sq, lr, step, moments, eps)
    with torch.no_grad():
        final = loss_fn()
    return {"loss": final.reshape(L, R), "ratio": ratio.reshape(L, R),
            "initial": initial.reshape(L, R)}


def lr_range(ok: torch.Tensor, lrs) -> list[tuple[float, float] | None]:
    """For each row (a parameterisation), the widest run of consecutive grid learning
    rates at which every repeat trains: (lowest, highest), or None where none does.
    ok: (P, L, R) bool; lrs: (L,)  ->  P ranges"""
    out = []
    for row in ok.all(-1).tolist():                                        # (L,) each
        best, start = None, None
        for i, good in enumerate(row + [False]):
            if good and start is None:
                start = i
            elif not good and start is not None:
                if best is None or i - start > best[1] - best[0] + 1:
                    best = (start, i - 1)
                start = None
        out.append(None if best is None else (float(lrs[best[0]]), float(lrs[best[1]])))
    return out


__all__ = ["adam_step", "train_at_rates", "lr_range"]
