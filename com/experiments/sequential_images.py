"""wang2024inverse's Table 1 on real data: the classifier of com.models.classifier
trained on images read as sequences (com.memory.images) under each parameterisation,
every parameterisation x learning rate x repeat in one program
(com.training.classification), and what the table compares.

Models are stacked in the order (parameterisation, learning rate, repeat), and results
come shaped (P, L, R). Every parameterisation and learning rate of a repeat starts
from the same draw and sees the same minibatches, so their differences are paired:
what differs is f and the step size, nothing else. A difference of test accuracy is
judged against its standard error (``paired_gap``), from both sources of noise: the
repeats and the finite test set.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import torch

from ..models import classifier
from ..training import classification

# wang2024inverse, Table 1: test accuracy (%) on sequential MNIST after 10 epochs, 3
# repeats; its "inverse" is com.models.parameterisations' "best", f(w) = -1/(a w^2 + b)
PAPER_TABLE_1 = {"softplus": 71.36, "exp": 70.55, "best": 70.77, "direct": 68.47}
PAPER_NAMES = {"softplus": "softplus", "exp": "exp", "best": "inverse", "direct": "direct"}
NAMES = ("softplus", "exp", "best", "direct")            # the table's maps, direct last


@dataclass(frozen=True)
class Config:
    """One batched experiment: every parameterisation x learning rate x repeat."""

    names: tuple[str, ...]          # continuous parameterisations (the reference last)
    lrs: tuple[float, ...]          # Adam's peak learning rates (cosine schedule)
    repeats: int                    # models per parameterisation and learning rate
    width: int                      # complex modes m
    epochs: int
    batch: int
    weight_decay: float = 0.0       # decoupled (AdamW), on every parameter
    init_decay: tuple[float, float] = (0.4, 40.0)    # initial |f(w)| T, log-uniform
    classes: int = 10

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.names), len(self.lrs), self.repeats


def run(cfg: Config, data: dict, inits: list[torch.Generator], batches: torch.Generator,
        on_step=None) -> dict:
    """Train every model of ``cfg`` on ``data`` (x_train, x_test: (N, T, d) sequences;
    y_train, y_test), repeat r drawn by inits[r], the minibatches by ``batches``.
    -> ``evaluate``'s record"""
    x, y = data["x_train"], data["y_train"]
    N, T, d = x.shape
    if len(inits) != cfg.repeats:
        raise ValueError(f"one generator per repeat ({cfg.repeats}); got {len(inits)}")
    rates = (cfg.init_decay[0] / T, cfg.init_decay[1] / T)
    draws = [classifier.draw(cfg.width, cfg.classes, d, rates, g) for g in inits]
    start = classifier.init(cfg.names, draws, copies=len(cfg.lrs))
    lr = torch.tensor(cfg.lrs).repeat_interleave(cfg.repeats).repeat(len(cfg.names))
    trained = classification.train(start, partial(classifier.logits, cfg.names), x, y, lr,
                                   cfg.epochs, cfg.batch, batches, cfg.weight_decay,
                                   on_step)
    return evaluate(cfg, trained, data)


@torch.no_grad()
def evaluate(cfg: Config, trained: dict, data: dict) -> dict:
    """What the trained models do, each shaped (P, L, R) unless said: ``correct``
    (P, L, R, N_test), whether each test sequence is classified right; test and
    training ``accuracy``, ``train_accuracy``; ``diverged``; ``edge``, the largest real
    part max_i f(w_i) (> 0: a mode outside the unit disc, growing like e^{edge s});
    ``history``, the batch loss of every step (steps, P, L, R); ``params``."""
    params, names, shape = trained["params"], cfg.names, cfg.shape
    correct = classifier.predictions(names, params, data["x_test"]) == data["y_test"]
    right = classifier.predictions(names, params, data["x_train"]) == data["y_train"]
    return {"correct": correct.view(*shape, -1),
            "accuracy": correct.double().mean(-1).view(shape),
            "train_accuracy": right.double().mean(-1).view(shape),
            "diverged": trained["diverged"].view(shape),
            "edge": classifier.decay(names, params["w"]).amax(-1).view(shape),
            "history": trained["history"].view(-1, *shape), "params": params}


def trains(result: dict, threshold: float) -> torch.Tensor:
    """A run trains if it never diverged and reaches ``threshold`` test accuracy.
    -> (P, L, R) bool"""
    return ~result["diverged"] & (result["accuracy"] >= threshold)


def summary(acc: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and spread (sample standard deviation) over the repeats.  (..., R) -> (...)"""
    spread = acc.std(-1) if acc.shape[-1] > 1 else torch.zeros_like(acc[..., 0])
    return acc.mean(-1), spread


def paired_gap(correct: torch.Tensor, i: int, j: int) -> tuple[float, float]:
    """Test accuracy of group i minus group j, paired by repeat (the same initial draw,
    minibatches and test images): the mean difference over the R repeats, and its
    standard error from both sources of noise: the spread over repeats, var(d) / R,
    and the finite test set, (b + c) / n^2 with b + c the images exactly one of the
    two gets right (McNemar's variance, averaged over the repeats and not divided by
    R: every repeat is scored on the same images).
    correct: (G, R, n) bool  ->  (mean, se)"""
    a, b = correct[i].double(), correct[j].double()                          # (R, n)
    d = a.mean(-1) - b.mean(-1)                                               # (R,)
    R, n = a.shape
    spread = float(d.var()) if R > 1 else 0.0
    discordant = float((a != b).double().sum(-1).mean()) / n ** 2
    return float(d.mean()), math.sqrt(spread / R + discordant)


def gaps(result: dict, cols: list[int]) -> dict[int, tuple[float, float]]:
    """Each parameterisation p but the last (the reference, direct) minus the last,
    each at its own learning rate cols[p]: paired_gap.  -> {p: (mean, se)}"""
    c = result["correct"]                                                 # (P, L, R, n)
    picked = torch.stack([c[p, col] for p, col in enumerate(cols)])         # (P, R, n)
    return {p: paired_gap(picked, p, len(cols) - 1) for p in range(len(cols) - 1)}


def verdict(gap: dict[int, tuple[float, float]], rule: str) -> bool:
    """Every gap judged against twice its standard error: ``better`` (g > 2 se),
    ``not-worse`` (g >= -2 se) or ``not-better`` (g <= 2 se)."""
    tests = {"better": lambda g, se: g > 2 * se, "not-worse": lambda g, se: g >= -2 * se,
             "not-better": lambda g, se: g <= 2 * se}
    if rule not in tests:
        raise ValueError(f"rule must be one of {sorted(tests)}; got {rule!r}")
    return all(tests[rule](g, se) for g, se in gap.values())


def disc(result: dict, ok: torch.Tensor, T: int) -> dict:
    """Where the modes end, against the unit disc: ``growth``, log10 |lambda|^T of the
    largest mode over the sequence (P, L, R); of the reference's (direct's) runs, how
    many ``failed`` to train (``ok`` (P, L, R) False) and the least ``growth`` among
    them, ``min_failed``; how many trained (``trained``) and did so ``outside`` the
    disc; the stable maps' largest real part, ``closest`` (< 0: inside)."""
    growth = result["edge"] * T / math.log(10)                              # (P, L, R)
    failed, edge = ~ok[-1], result["edge"]                                   # (L, R)
    return {"growth": growth, "failed": int(failed.sum()),
            "min_failed": float(growth[-1][failed].min()) if failed.any() else math.nan,
            "trained": int(ok[-1].sum()), "outside": int((ok[-1] & (edge[-1] > 0)).sum()),
            "closest": float(edge[:-1].max())}


def points(ranges: list, lrs) -> list[int]:
    """The grid's learning rates inside each range (com.training.learning_rates.lr_range;
    0 for None)."""
    return [0 if r is None else sum(r[0] <= float(v) <= r[1] for v in lrs) for r in ranges]


__all__ = ["PAPER_TABLE_1", "PAPER_NAMES", "NAMES", "Config", "run", "evaluate", "trains",
           "summary", "paired_gap", "gaps", "verdict", "disc", "points"]
