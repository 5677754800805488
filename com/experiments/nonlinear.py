"""The nonlinear curse end to end: tanh students trained on a nonlinear functional
with polynomial memory, their E_m(beta) measured over all time (wang2024inverse,
Fig. 2 and Thm 3.9, in the spirit of the paper's experiment: the functional is the
book's own, com.memory.slew).

``run`` trains every width's students in one program (com.training.students), moves
every weight of every model by beta at the points of Def. 3.4's ball of
com.stability.perturbations.diagonal_weights (edge, aligned, random; W kept diagonal,
so a lower bound of the sup), and measures each copy over the infinite horizon
(com.stability.simulation: simulation, closed-form limit, bracketed tail). ``criteria``
reads the paper's criteria off the curves, per replicate (one model of each width)
and on the median curves: radius ratio, crossings shifting left.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from ..memory import slew
from ..models import packed
from ..stability import bounds, perturbations, simulation, verdict
from ..training import students as training


@dataclass(frozen=True)
class NonlinearConfig:
    p: float = 1.5                       # the target's memory (t+1)^-p
    kappa: float = 3.0                   # its slew parameter (saturation)
    sigma_lin: float = 0.05              # its fast units: rates >= sigma_lin
    tail: bool = True                    # False: fast units only (exponential memory)
    activation: str = "tanh"             # the students' (tanh or hardtanh)
    train: training.TrainConfig = field(default_factory=training.TrainConfig)
    T_eval: int = 640                    # simulated steps (>= 30 / delta_lin)
    support: int = 128                   # finite inputs: nonzero on k < support
    n_inputs: int = 3                    # random finite inputs (plus +-1 held, worst)
    hold: float = 6.0                    # their mean hold (steps)
    log_betas: tuple[float, float] = (-9.0, -0.5)
    n_betas: int = 26
    n_random: int = 2                    # random directions (besides edge, aligned +-)
    tolerance: float = 0.1

    @property
    def betas(self) -> torch.Tensor:
        return torch.logspace(*self.log_betas, self.n_betas, dtype=torch.float64)

    @property
    def target(self) -> slew.Slew:
        return slew.make(self.p, self.kappa, self.sigma_lin, tail=self.tail)


def errors(pk: packed.Packed, target: slew.Slew, w: dict, inputs: dict,
           sigma: str) -> dict:
    """E over all time of every copy (weights (..., U)) on every input, relative to
    ||rho||_1: "lo" (certified lower bound), "hi" (certified upper bound), inf for a
    model past the edge; and "z", the largest |pre-activation|.  -> (..., n) each"""
    H, v_T = slew.run(target, inputs["x"])
    if (w["d"] >= 2).any():
        raise ValueError("a perturbed unit has d >= 2: beta too large for this protocol")
    bad = packed.unstable(pk, w["d"])                                   # (..., n)
    # a model past the edge is infinite; its units made inert so that they cannot
    # spill inf into the packed sums of the other models
    w = dict(w, d=torch.where(w["d"] <= 0, torch.ones_like(w["d"]), w["d"]))
    sim = simulation.simulate(pk, w, inputs["x"], H, sigma)
    br = simulation.bracket_tail(pk, target, w, inputs, sim, v_T, sigma=sigma)
    inf = torch.full(bad.shape, math.inf)
    lo = torch.maximum(sim["err"], br["lo"]).amax(-2)
    hi = torch.maximum(sim["err"], br["hi"]).amax(-2)
    return {"lo": torch.where(bad, inf, lo) / target.l1,
            "hi": torch.where(bad, inf, hi) / target.l1, "z": sim["z"],
            "window": sim["err"].amax(-2) / target.l1}


def curves(pk: packed.Packed, target: slew.Slew, w: dict, inputs: dict, cfg: NonlinearConfig,
           generator: torch.Generator) -> dict:
    """E_m(beta) of every model: column 0 unperturbed, then every radius; the max over
    the points tried ("E_lo", "E_hi") and along W + beta I alone ("E_edge").  (n, 1 + B)
    each; "z" (n,) the largest pre-activation at beta = 0; "E_linearised" (n,) the
    window error of the same students run without their activation."""
    one = {k: v[None, None] for k, v in w.items()}                     # (1, 1, U)
    base = errors(pk, target, one, inputs, cfg.activation)
    moved = perturbations.diagonal_weights(w, cfg.betas, cfg.n_random, generator, pk.unit)
    pert = errors(pk, target, moved, inputs, cfg.activation)            # (B, D, n)
    H, _ = slew.run(target, inputs["x"])
    lin = simulation.simulate(pk, one, inputs["x"], H, "linear")["err"].amax(-2)

    def cols(key, along=None):
        p = pert[key].amax(1) if along is None else pert[key][:, along]
        return torch.cat([base[key][0], p]).T
    return {"E_lo": cols("lo"), "E_hi": cols("hi"), "E_edge": cols("lo", 0),
            "z": base["z"][0, 0], "E_linearised": lin[0, 0] / target.l1,
            "E_window": base["window"][0, 0]}


def run(cfg: NonlinearConfig, fits: dict, streams, on_step=None) -> dict:
    """Train and measure. ``fits``: the linear approximants of the target's memory over
    cfg.train.widths (seed-independent); ``streams(name)`` -> a torch.Generator.
    -> dict of tensors over the models n (width-major, cfg.train.n_rep per width)"""
    target = cfg.target
    tr = training.train(target, fits, cfg.train, streams("train"), cfg.activation, on_step)
    pk, w = packed.Packed.of(tr["widths"]), tr["weights"]
    worst = simulation.linear_worst(target, pk, w, pk.n - 1, cfg.support)
    inputs = simulation.eval_inputs(cfg.T_eval, cfg.support, cfg.n_inputs, cfg.hold,
                                    streams("inputs"), worst=worst)
    C = curves(pk, target, w, inputs, cfg, streams("directions"))
    d_min = pk.max(-w["d"]).neg()
    radius = verdict.radius(cfg.betas, C["E_lo"][:, 1:], C["E_lo"][:, 0], cfg.tolerance)
    return {**C, "widths": tr["widths"], "E0": C["E_lo"][:, 0], "radius": radius,
            "d_min": d_min, "win": tr["win"], "ker": tr["ker"], "weights": w}


def criteria(R: dict, cfg: NonlinearConfig) -> dict:
    """The paper's criteria per replicate (replicate r: models r, r + n_rep, ...), on
    the whole set of points ("ball") and along W + beta I alone ("edge"), and on the
    median curves over replicates: first approximating width (E_m(0) <= tol / 2),
    radius ratio beta*(m_max) / beta*(m_first), crossings from the first on."""
    n_rep, widths, betas = cfg.train.n_rep, list(cfg.train.widths), cfg.betas

    def judge(E):
        first = min(verdict.first_approximating(E[:, 0], cfg.tolerance), len(widths) - 1)
        r = verdict.radius(betas, E[:, 1:], E[:, 0], cfg.tolerance)
        c = bounds.crossings(betas, E[first:, 1:], slack=cfg.tolerance / 10)
        return {"m_first": widths[first], "ratio": verdict.radius_ratio(r, first),
                "crossings": c, "shifts": len(c) > 0 and verdict.crossings_shift_left(c)}
    reps = [list(range(r, n_rep * len(widths), n_rep)) for r in range(n_rep)]
    med = R["E_lo"].reshape(len(widths), n_rep, -1).median(1).values
    return {"ball": [judge(R["E_lo"][i]) for i in reps],
            "edge": [judge(R["E_edge"][i]) for i in reps], "median": judge(med)}


__all__ = ["NonlinearConfig", "errors", "curves", "run", "criteria"]
