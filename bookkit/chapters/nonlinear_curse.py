"""nonlinear_curse's parameters (the book's full scale is their defaults)."""
from __future__ import annotations

from dataclasses import dataclass

from ..params import param
from ..rules import integer, integers, real, reals, require
from .perturbation_grid import PerturbationGrid


@dataclass(frozen=True)
class Params(PerturbationGrid):
    seed: int = param(0, "random seed (perturbation directions, inputs, probes)",
                      integer(lo=0, hi=2 ** 32 - 1))
    pol_powers: list[float] = param([1.1, 1.5], "polynomial memories: powers p of 1/(t+1)",
                                    reals(lo=1.01, hi=10.0, min_len=2, increasing=True))
    windows: list[int] = param([128, 1024, 8192], "finite windows T (steps), for contrast",
                               integers(lo=2, hi=10 ** 6, min_len=1, increasing=True))
    kappa: float = param(16.0, "input / output scale of the tanh, hardtanh RNNs",
                         real(lo=2.0, hi=1e6))
    sim_T: int = param(128, "steps of the tanh and hardtanh simulations",
                       integer(lo=2, hi=10 ** 5))
    n_inputs: int = param(8, "input sequences in the simulations, plus x held at 1",
                          integer(lo=0, hi=10 ** 4))
    hold: float = param(25.0, "mean hold of those piecewise-constant inputs (steps)",
                        real(lo=1.0, hi=1e6))
    sim_log_betas: list[float] = param([-5.0, -0.5], "log10 range of W + beta I, simulations",
                                       reals(lo=-300.0, hi=0.0, min_len=2, increasing=True))
    n_sim_betas: int = param(10, "radii in the simulations", integer(lo=2, hi=1000))
    probe_T: int = param(64, "steps of the memory-function probes", integer(lo=4, hi=10 ** 5))
    magnitudes: list[float] = param([0.1, 1.0, 10.0], "probe input magnitudes |x|",
                                    reals(positive=True, min_len=1))
    rnn_layers: list[int] = param([1, 2, 3, 4], "torch RNN/GRU/LSTM depths probed",
                                  integers(lo=1, hi=8, min_len=1, increasing=True))
    rnn_hidden: int = param(32, "their hidden size", integer(lo=1, hi=1024))

    def check(self) -> None:
        for name in ("log_betas", "sim_log_betas", "pol_powers"):
            require(name, len(getattr(self, name)) == 2, "a pair of values",
                    getattr(self, name))
