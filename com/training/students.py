"""Training diagonal tanh RNNs on the slew-limited target (com.memory.slew), every
width and replicate in one program (com.models.packed).

The loss is the theorem's error split where each part is cheap:

* window: the nonlinear outputs on N held inputs of T steps (|x| <= 1), mean squared
  error relative to the target's mean square (com.models.packed.run, backward
  through time written out);
* small signal over all lags: the student's linearisation at rest has the kernel
  K_t = sum_i c_i u_i (1 - d_i)^t, the target's is rho_t exactly; their weighted
  squared difference sum_t w_t (K_t - rho_t)^2 / rho_t (lags 0..63 one by one, then a
  geometric grid to 1e8 with trapezoid weights), relative to sum_t w_t rho_t: the error
  over all time of infinitesimal inputs, in closed form.

The training parameterisation is an optimisation device only (every measurement
perturbs the weights W = -diag(d), U = u, b, c themselves): d = sigmoid(q) in (0, 1),
u = e^l, c = m d / u, so that a unit's small-signal l1 mass c u / d is m, its rate d
and its saturation scale u, each moved by O(lr) per Adam step whatever the distance
to the edge (on raw c, one step on a unit with d = 1e-7 moves its mass by about 1e5
and the wide models diverge; on raw u, a slow unit cannot reach the small u that keeps
it linear).

Warm start: from the linear approximants of rho (com.approximation.exp_sums: modes
delta, weights g), every input weight u = u_init (10 % noise on log u, from the seed),
c = g / u, b = 0. Stability is existential, so any start is legitimate; this one
holds the slow modes a polynomial memory needs from the first step, which Adam from
modes spread over (0.01, 1) does not reach within a budget (the curse of memory in
optimisation, li2021), and training makes the fast units reproduce the saturation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ..memory import slew
from ..memory.inputs import held_inputs
from ..models import packed
from .loop import train as adam


@dataclass(frozen=True)
class TrainConfig:
    widths: tuple[int, ...] = (4, 8, 16, 32, 64)   # student widths
    n_rep: int = 3                                 # students per width (one program)
    T: int = 32                                    # training window (steps)
    n_seq: int = 64                                # training sequences
    hold: float = 6.0                              # mean hold of the inputs (steps)
    steps: int = 600                               # Adam steps (full batch)
    lr: float = 0.02                               # Adam learning rate
    u_init: float = 1.0                            # initial input weights

    @property
    def unit_widths(self) -> list[int]:
        """The packed models' widths: each width n_rep times, width-major."""
        return [w for w in self.widths for _ in range(self.n_rep)]


def lag_grid(n_head: int = 64, end: float = 1e8, n_far: int = 300):
    """Lags and trapezoid weights of the small-signal loss.  -> (L,), (L,)"""
    far = torch.logspace(math.log10(n_head), math.log10(end), n_far, dtype=torch.float64)
    t = torch.cat([torch.arange(n_head, dtype=torch.float64), far])
    w = torch.cat([torch.ones(n_head, dtype=torch.float64), torch.gradient(far)[0]])
    return t, w


def warm_start(fits: dict, cfg: TrainConfig, generator: torch.Generator) -> dict:
    """Training parameters q, l, b, m (U,) from the approximants ``fits`` (delta, g
    (W, M) over cfg.widths): u = u_init (+ 10 % noise on log u), m = g / delta, b = 0."""
    W = cfg.unit_widths
    pick = [cfg.widths.index(w) for w in W]
    delta = torch.cat([fits["delta"][i, :w] for i, w in zip(pick, W)]).clamp(max=0.95)
    g = torch.cat([fits["g"][i, :w] for i, w in zip(pick, W)])
    log_u = math.log(cfg.u_init) + 0.1 * torch.randn(len(g), generator=generator)
    return {"q": torch.logit(delta), "l": log_u, "b": torch.zeros_like(g), "m": g / delta}


def weights(p: dict) -> dict:
    """The RNN's weights from the training parameters: d = sigmoid(q), u = e^l,
    c = m d / u, b.  (U,) each"""
    d, u = torch.sigmoid(p["q"]), torch.exp(p["l"])
    return {"d": d, "u": u, "b": p["b"], "c": p["m"] * d / u}


def losses(pk: packed.Packed, w: dict, x: torch.Tensor, y: torch.Tensor,
           target: slew.Slew, lags, sigma: str = "tanh") -> tuple[torch.Tensor, torch.Tensor]:
    """Window and small-signal losses per model.  x, y: (N, T)  ->  (n,), (n,)"""
    yh = packed.run(pk, w, x, sigma)                                   # (N, T, n)
    win = ((yh - y[..., None]) ** 2).mean((0, 1)) / (y ** 2).mean()
    t, lw = lags
    rho = target.rho(t)
    K = packed.small_signal_kernel(pk, w, t)                           # (n, L)
    ker = (lw * (K - rho) ** 2 / rho.clamp_min(1e-300)).sum(-1) / (lw * rho).sum()
    return win, ker


def train(target: slew.Slew, fits: dict, cfg: TrainConfig, generator: torch.Generator,
          sigma: str = "tanh", on_step=None) -> dict:
    """Adam on window + small-signal loss, summed over the packed models (each model's
    loss depends on its own units only).
    -> {"weights": d, u, b, c (U,), "widths", "win", "ker": (n,) final losses}"""
    pk = packed.Packed.of(cfg.unit_widths)
    x = held_inputs((cfg.n_seq, cfg.T), cfg.hold, generator).clamp(-1, 1)
    y, _ = slew.run(target, x)
    lags = lag_grid()
    p = {k: v.clone().requires_grad_() for k, v in warm_start(fits, cfg, generator).items()}

    def loss():
        win, ker = losses(pk, weights(p), x, y, target, lags, sigma)
        return win + ker
    adam(list(p.values()), loss, cfg.steps, cfg.lr, on_step=on_step)
    with torch.no_grad():
        w = weights(p)
        win, ker = losses(pk, w, x, y, target, lags, sigma)
    return {"weights": {k: v.detach() for k, v in w.items()}, "widths": cfg.unit_widths,
            "win": win, "ker": ker}


__all__ = ["TrainConfig", "lag_grid", "warm_start", "weights", "losses", "train"]
