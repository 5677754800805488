"""gradient_plateaus' parameters (the book's full scale is their defaults)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..params import Params as Base
from ..params import param
from ..rules import integer, real, reals, require

MAX_LAGS = 10 ** 6            # lags on the grid, horizon / dt


@dataclass(frozen=True)
class Params(Base):
    seed: int = param(0, "base seed: model k uses seed*n_seeds + k",
                      integer(lo=0, hi=2 ** 32 - 1))
    t0s: list[float] = param([6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0],
                             "bump delays (time units)",
                             reals(positive=True, min_len=3, increasing=True))
    control_beta: float = param(1.0, "control target e^{-beta t}: short memory",
                                real(positive=True))
    airy_s0: float = param(1.0, "Airy targets Ai(s0 (t - t0)), t0 in t0s", real(positive=True))
    width: int = param(1, "width m of the diagonal RNNs", integer(lo=1, hi=256))
    init_rates: list[float] = param([0.45, 0.55],
                                    "initial decay rates, uniform in this range",
                                    reals(positive=True, min_len=2, increasing=True))
    n_seeds: int = param(5, "initialisations per target", integer(lo=1, hi=1000))
    lr: float = param(0.1, "gradient-descent step", real(positive=True))
    steps: int = param(20000, "gradient-descent steps", integer(lo=10, hi=10 ** 7))
    dt: float = param(0.1, "grid step of the lag axis (time units)",
                      real(positive=True, hi=0.5))
    horizon: float = param(40.0, "longest lag (time units)", real(positive=True))
    flat: float = param(1e-3, "plateau: relative decrease/step below this",
                        real(lo=0.0, hi=1.0))
    drop: float = param(0.02, "escape: the loss fell by this fraction", real(lo=1e-6, hi=0.99))
    rate_tolerance: float = param(0.2, "allowed relative gap: measured/derived rate",
                                  real(positive=True, hi=1.0))
    mc_samples: int = param(4000, "white-noise sequences, identity check",
                            integer(lo=10, hi=10 ** 6))
    mc_z: float = param(3.29, "Monte-Carlo interval half-width (99.9%)",
                        real(positive=True, hi=10.0))
    sgd_t0: float = param(8.0, "delay of the target trained on sampled data",
                          real(positive=True))
    sgd_batch: int = param(32, "sequences per minibatch", integer(lo=1, hi=10 ** 4))
    sgd_steps: int = param(1500, "minibatch steps", integer(lo=10, hi=10 ** 6))

    def check(self) -> None:
        longest = max(self.t0s + [self.sgd_t0])
        require("horizon", self.horizon >= 2 * longest,
                f"at least twice the longest delay in 't0s' and 'sgd_t0' ({longest:g})",
                self.horizon)
        require("horizon", self.horizon / self.dt <= MAX_LAGS,
                f"at most {MAX_LAGS} lags of dt = {self.dt:g} (horizon / dt)", self.horizon)
        require("init_rates", len(self.init_rates) == 2, "a pair [low, high]",
                self.init_rates)
        for name, rate in (("init_rates", max(self.init_rates)),
                           ("control_beta", self.control_beta)):
            require(name, rate <= 1 / self.dt,
                    f"resolved by the lag grid: rates <= 1/dt = {1 / self.dt:g}", rate)
        most = 2 * math.pi / (10 * self.dt)
        require("airy_s0", self.airy_s0 ** 1.5 * max(self.t0s) ** 0.5 <= most,
                "slow enough that the lag grid resolves the Airy oscillation at lag 0 "
                f"(10 points per period): s0^1.5 sqrt(max t0) <= {most:.3g}", self.airy_s0)
