"""nonlinear_curse's parameters (the book's full scale is their defaults)."""
from __future__ import annotations

from dataclasses import dataclass

from ..params import param
from ..rules import choice, integer, integers, real, reals, require
from .perturbation_grid import PerturbationGrid


@dataclass(frozen=True)
class Params(PerturbationGrid):
    seed: int = param(0, "random seed (directions, inputs, probes, students)",
                      integer(lo=0, hi=2 ** 32 - 1))
    pol_powers: list[float] = param([1.1, 1.5], "polynomial memories: powers p of 1/(t+1)",
                                    reals(lo=1.01, hi=10.0, min_len=2, increasing=True))
    windows: list[int] = param([128, 1024, 8192, 65536, 524288],
                               "finite windows T (steps)",
                               integers(lo=2, hi=10 ** 6, min_len=1, increasing=True))
    kappa: float = param(16.0, "input / output scale of the hardtanh realisations",
                         real(lo=2.0, hi=1e6))
    sim_T: int = param(128, "steps of the hardtanh simulations",
                       integer(lo=2, hi=10 ** 5))
    n_inputs: int = param(8, "input sequences in the simulations, plus x held at 1",
                          integer(lo=0, hi=10 ** 4))
    hold: float = param(25.0, "mean hold of those piecewise-constant inputs (steps)",
                        real(lo=1.0, hi=1e6))
    nl_widths: list[int] = param([4, 8, 16, 32, 64], "widths of the trained tanh students",
                                 integers(lo=1, hi=256, min_len=2, increasing=True))
    nl_replicates: int = param(3, "students per width", integer(lo=1, hi=20))
    nl_steps: int = param(300, "Adam steps, tanh students", integer(lo=1, hi=10 ** 5))
    nl_slew: float = param(3.0, "slew kappa of the nonlinear target (saturation)",
                           real(lo=1e-3, hi=1e3))
    nl_memory: str = param("polynomial", "its memory: (t+1)^-1.5, or its fast part alone",
                           choice("polynomial", "exponential"))
    nl_activation: str = param("tanh", "the students' activation",
                               choice("tanh", "hardtanh"))
    probe_T: int = param(64, "steps of the memory-function probes", integer(lo=4, hi=10 ** 5))
    magnitudes: list[float] = param([0.1, 1.0, 10.0], "probe input magnitudes |x|",
                                    reals(positive=True, min_len=1))
    rnn_layers: list[int] = param([1, 2, 3, 4], "torch RNN/GRU/LSTM depths probed",
                                  integers(lo=1, hi=8, min_len=1, increasing=True))
    rnn_hidden: int = param(32, "their hidden size", integer(lo=1, hi=1024))

    def check(self) -> None:
        for name in ("log_betas", "pol_powers"):
            require(name, len(getattr(self, name)) == 2, "a pair of values",
                    getattr(self, name))
