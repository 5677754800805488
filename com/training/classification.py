"""Training classifiers: many models on the same minibatches of labelled sequences,
each with its own Adam step size (com.training.learning_rates.adam_step), under a
cosine schedule that falls to zero over the run and AdamW's decoupled weight decay
(the recipe of the authors' MNIST experiment), on the cross-entropy.

A model whose loss or gradient stops being finite is marked diverged and its gradient
is zero from then on (Adam's momentum and the weight decay still move it a little),
so that its numbers stay finite for the analysis. The models share no parameter: one
model's overflow never reaches another.
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from .learning_rates import adam_step
from .loss import cross_entropy

Logits = Callable[[dict, torch.Tensor], torch.Tensor]     # params, x (N, T, d) -> (S, N, K)


def cosine(step: int, total: int) -> float:
    """The schedule's factor at ``step`` (from 1) of ``total``: 1 at the first step,
    falling as half a cosine towards 0 at the last."""
    return 0.5 * (1 + math.cos(math.pi * (step - 1) / total))


def _gradients(params: dict, logits: Logits, x: torch.Tensor, y: torch.Tensor,
               diverged: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """Each model's loss on a batch and its gradients, zero for a model that has
    diverged (``diverged`` (S,) is updated in place).  -> loss (S,), grads"""
    for p in params.values():
        p.grad = None
    loss = cross_entropy(logits(params, x), y)                               # (S,)
    diverged |= ~torch.isfinite(loss)
    loss.masked_fill(diverged, 0.0).sum().backward()
    for p in params.values():
        diverged |= ~torch.isfinite(p.grad).flatten(1).all(-1)
    keep = (~diverged).to(loss.dtype)
    grads = {k: p.grad.nan_to_num(0.0, 0.0, 0.0) * keep.view(-1, *[1] * (p.dim() - 1))
             for k, p in params.items()}
    return loss.detach(), grads


def train(params: dict, logits: Logits, x: torch.Tensor, y: torch.Tensor,
          lr: torch.Tensor, epochs: int, batch: int, batches: torch.Generator,
          weight_decay: float = 0.0, on_step=None) -> dict:
    """Train the S models of ``params`` (raw tensors, each (S, ...)) with minibatches
    of ``batch`` sequences drawn without replacement in each of ``epochs`` passes by
    ``batches`` (the same for every model), Adam at the peak rate lr[s] for model s
    times the cosine schedule, decoupled ``weight_decay``; ``on_step(step, loss)``
    after each step.  x: (N, T, d); y: (N,); lr: (S,)
    -> params (trained, detached), diverged (S,) bool, history: the batch loss of
    every step (steps, S)"""
    params = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
    mom = {k: torch.zeros_like(v) for k, v in params.items()}
    sq = {k: torch.zeros_like(v) for k, v in params.items()}
    diverged = torch.zeros(len(lr), dtype=torch.bool)
    per_epoch = math.ceil(len(x) / batch)
    total, step, history = epochs * per_epoch, 0, []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=batches)
        for i in range(per_epoch):
            step += 1
            idx = order[i * batch:(i + 1) * batch]
            loss, grads = _gradients(params, logits, x[idx], y[idx], diverged)
            with torch.no_grad():
                adam_step(params, grads, mom, sq, lr * cosine(step, total), step,
                          weight_decay=weight_decay)
            history.append(loss)
            if on_step is not None:
                on_step(step, loss)
    return {"params": {k: v.detach() for k, v in params.items()}, "diverged": diverged,
            "history": torch.stack(history)}


__all__ = ["cosine", "train"]
