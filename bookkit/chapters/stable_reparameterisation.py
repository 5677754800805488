"""stable_reparameterisation's parameters (the book's full scale is their defaults)."""
from __future__ import annotations

from dataclasses import dataclass

from ..params import param
from ..rules import integer, integers, real, reals, require
from .perturbation_grid import PerturbationGrid


@dataclass(frozen=True)
class Params(PerturbationGrid):
    seed: int = param(0, "random seed (directions, eigenbases, learning rates)",
                      integer(lo=0, hi=2 ** 32 - 1))
    pol_power: float = param(1.5, "polynomial memory: power p of 1/(t+1)",
                             real(lo=1.01, hi=10.0))
    n_betas: int = param(24, "perturbation radii on the log grid", integer(lo=4, hi=1000))
    n_samples: int = param(3, "random perturbations per radius, besides +-beta",
                           integer(lo=0, hi=1000))
    shrink: float = param(2.0, "unstable if beta* shrinks by more over the widths",
                          real(lo=1.0, hi=1e6))
    kappa: float = param(8.0, "input / output scale of the dense hardtanh RNNs",
                         real(lo=1.0, hi=1e6))
    ssm_eps: float = param(0.05, "SSM layer-1 input gain (its tanh near-linear)",
                           real(lo=1e-6, hi=1.0))
    ssm_kappa: float = param(2.0, "SSM target and layer-2 scale (its tanh saturates)",
                             real(lo=1e-3, hi=100.0))
    floor_widths: list[int] = param([64, 128], "widths where the SSM radius levels off",
                                    integers(lo=2, hi=512, min_len=2, increasing=True))
    hold: float = param(25.0, "mean hold of the held inputs (steps)",
                        real(lo=1.0, hi=1e6))
    horizon: float = param(10000.0, "longest lag, continuous family (learning rates)",
                           real(lo=10.0, hi=1e7))
    omega: float = param(0.5, "polynomial memory (1+t)^-(1+omega) of the training",
                         real(lo=1e-3, hi=10.0))
    lr_range: list[float] = param([-5.0, 2.0], "log10 of the learning-rate grid's ends",
                                  reals(lo=-12.0, hi=4.0, min_len=2, increasing=True))
    n_lrs: int = param(15, "learning rates on the grid", integer(lo=3, hi=1000))
    lr_width: int = param(16, "width in the learning-rate sweep", integer(lo=1, hi=1024))
    lr_steps: int = param(200, "Adam steps in the learning-rate sweep",
                          integer(lo=1, hi=10 ** 6))
    lr_repeats: int = param(3, "models per learning rate", integer(lo=1, hi=100))

    def check(self) -> None:
        require("log_betas", len(self.log_betas) == 2, "two numbers [lo, hi]", self.log_betas)
        require("lr_range", len(self.lr_range) == 2 and self.lr_range[1] - self.lr_range[0] >= 3,
                "two numbers [lo, hi] at least 3 decades apart", self.lr_range)
        require("floor_widths", self.floor_widths[0] in self.widths,
                "widths whose first is one of 'widths'", self.floor_widths)
