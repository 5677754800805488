"""The parameters nonlinear_curse and stable_reparameterisation share: the approximants
and the grid of perturbations their curves E_m(beta) are measured on
(com.experiments.curse.CurseConfig, com.stability.curves). Not a chapter."""
from __future__ import annotations

from dataclasses import dataclass

from ..params import Params, param
from ..rules import integer, integers, real, reals


@dataclass(frozen=True)
class PerturbationGrid(Params):
    widths: list[int] = param([2, 4, 8, 16, 32, 64], "widths m of the approximants",
                              integers(lo=1, hi=512, min_len=3, increasing=True))
    exp_base: float = param(0.9, "exponential memory: base a of a**t, Fig. 1(a)",
                            real(lo=0.01, hi=0.999))
    log_betas: list[float] = param([-26.0, -0.5],
                                   "log10 of the smallest and largest perturbation",
                                   reals(lo=-300.0, hi=0.0, min_len=2, increasing=True))
    n_betas: int = param(36, "perturbation radii on the log grid", integer(lo=4, hi=1000))
    n_samples: int = param(4, "random points per radius, besides the fixed ones",
                           integer(lo=0, hi=1000))
    tolerance: float = param(0.1, "error increase (relative) that defines the radius",
                             real(lo=1e-6, hi=1.0))
    delta_floor: float = param(1e-24, "closest a fitted mode may come to the edge",
                               real(lo=1e-300, hi=0.1))
    n_deltas: int = param(40, "candidate distances of the slowest mode, per fit",
                          integer(lo=2, hi=1000))
