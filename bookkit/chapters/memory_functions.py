"""memory_functions' parameters (the book's full scale is their defaults)."""
from __future__ import annotations

from dataclasses import dataclass

from ..params import Params as Base
from ..params import param
from ..rules import integer, integers, real, reals, require

# Inputs from 1e-6 to 1e3: below, the zero-input response's subtraction leaves only
# round-off; above, a saturated network's memory per unit of input falls below the
# decay fit's floor (1e-12) at every lag, so no rate can be measured.
INPUTS = dict(lo=1e-6, hi=1e3)


@dataclass(frozen=True)
class Params(Base):
    seed: int = param(0, "random seed (initialisations)", integer(lo=0, hi=2 ** 32 - 1))
    layers: list[int] = param([1, 2, 3, 4], "depths of the RNN, GRU and LSTM stacks",
                              integers(lo=1, hi=8, min_len=1, increasing=True))
    hidden: int = param(32, "their hidden size", integer(lo=1, hi=1024))
    n_networks: int = param(20, "random networks per architecture and depth",
                            integer(lo=1, hi=10 ** 4))
    probe_T: int = param(200, "probe length (steps)", integer(lo=8, hi=10 ** 5))
    magnitudes: list[float] = param([0.1, 1.0], "probe inputs |x| (the authors' scale)",
                                    reals(**INPUTS, min_len=1, increasing=True))
    large_magnitude: float = param(10.0, "a large held input |x|", real(**INPUTS))
    agree: float = param(1.25, "probes agree: rates within this factor",
                         real(lo=1.05, hi=2.0))
    s4d_modes: int = param(64, "modes N per S4D layer", integer(lo=1, hi=10 ** 4))
    s4d_layers: int = param(20, "random S4D layers per initialisation",
                            integer(lo=1, hi=10 ** 4))
    s4d_L: int = param(2000, "kernel lags (steps)", integer(lo=8, hi=10 ** 6))
    dt_range: list[float] = param([0.001, 0.1], "S4D step sizes, log-uniform in this range",
                                  reals(positive=True, min_len=2, increasing=True))
    tanh_T: float = param(200.0, "Fig. 11: simulated time (time units)", real(lo=1.0, hi=1e6))
    tanh_dt: float = param(0.05, "Fig. 11: Euler step (time units)", real(lo=1e-4, hi=1.0))
    tanh_magnitudes: list[float] = param([0.01, 0.1, 1.0, 3.0, 10.0],
                                         "Fig. 11: held inputs x",
                                         reals(**INPUTS, min_len=2, increasing=True))

    def check(self) -> None:
        require("dt_range", len(self.dt_range) == 2, "a pair of values", self.dt_range)
        require("tanh_T", self.tanh_T / self.tanh_dt <= 10 ** 7,
                f"at most 10^7 Euler steps of tanh_dt = {self.tanh_dt:g}", self.tanh_T)
        require("large_magnitude", self.large_magnitude > max(self.magnitudes),
                f"larger than every probe input in 'magnitudes' (<= {max(self.magnitudes):g})",
                self.large_magnitude)
