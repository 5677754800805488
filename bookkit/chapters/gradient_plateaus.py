"""gradient_plateaus' parameters (the book's full scale is their defaults)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from com.training.plateaus import onset, plateau_decrease

from ..params import Params as Base
from ..params import param
from ..rules import integer, real, reals, require

MAX_LAGS = 10 ** 6            # lags on the grid, horizon / dt
AIRY_TAIL = 10.0              # Ai(x) < 1e-9 for x > 10: the grid holds the whole target


@dataclass(frozen=True)
class Params(Base):
    ONSET_BAND: ClassVar[float] = 0.25   # the onset claim judges bumps this far from t0*
    seed: int = param(0, "random seed (every draw from a stream named by its use)",
                      integer(lo=0, hi=2 ** 32 - 1))
    t0s: list[float] = param([6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0],
                             "timed bump delays",
                             reals(positive=True, min_len=3, increasing=True))
    onset_t0s: list[float] = param([2.0, 3.0, 4.0, 5.0],
                                   "bump delays near the plateau onset",
                                   reals(positive=True, min_len=1, increasing=True))
    width: int = param(1, "width m of the diagonal RNNs on the bumps", integer(lo=1, hi=256))
    init_rates: list[float] = param([0.45, 0.55],
                                    "initial decay rates, uniform in this range",
                                    reals(positive=True, min_len=2, increasing=True))
    n_seeds: int = param(5, "initialisations (models) per bump", integer(lo=1, hi=1000))
    lr: float = param(0.1, "gradient-descent step", real(positive=True, hi=10.0))
    steps: int = param(20000, "gradient-descent steps at most (stops once all escaped)",
                       integer(lo=10, hi=10 ** 7))
    dt: float = param(0.1, "grid step of the lag axis (time units)",
                      real(positive=True, hi=0.5))
    horizon: float = param(40.0, "longest lag (time units)", real(positive=True))
    flat: float = param(1e-3, "plateau: relative decrease/step below this",
                        real(positive=True, hi=0.1))
    drop: float = param(0.02, "escape: the loss fell by this fraction", real(lo=1e-6, hi=0.99))
    rate_tolerance: float = param(0.2, "allowed relative gap: measured/derived rate",
                                  real(positive=True, hi=1.0))
    mc_samples: int = param(4000, "white-noise sequences, identity check",
                            integer(lo=10, hi=10 ** 6))
    mc_z: float = param(3.29, "Monte-Carlo interval half-width (99.9%)",
                        real(positive=True, hi=10.0))
    airy_t0s: list[float] = param([5.0, 6.5, 8.0, 9.5, 11.0, 12.5, 14.0],
                                  "Airy targets' delays",
                                  reals(positive=True, min_len=3, increasing=True))
    airy_s0: float = param(1.0, "Airy targets Ai(s0 (t - t0)): scale s0", real(positive=True))
    airy_pairs: int = param(16, "complex-conjugate mode pairs of the Airy models",
                            integer(lo=1, hi=256))
    airy_models: int = param(3, "Airy models (initialisations) per delay",
                             integer(lo=1, hi=100))
    airy_rates: list[float] = param([0.45, 0.55], "Airy models' initial decay rates",
                                    reals(positive=True, min_len=2, increasing=True))
    airy_freqs: list[float] = param([0.0, 4.0], "their initial frequencies, uniform",
                                    reals(lo=0.0, min_len=2))
    airy_lr: float = param(0.05, "gradient-descent step on the Airy targets",
                           real(positive=True, hi=10.0))
    airy_steps: int = param(3000, "gradient-descent steps on the Airy targets",
                            integer(lo=10, hi=10 ** 6))
    airy_window: float = param(2.0, "timed error: lags within this of the delay",
                               real(positive=True))
    sgd_t0: float = param(8.0, "delay of the target trained on sampled data",
                          real(positive=True))
    sgd_batch: int = param(32, "sequences per minibatch", integer(lo=1, hi=10 ** 4))
    sgd_steps: int = param(1500, "minibatch steps", integer(lo=10, hi=10 ** 6))

    def check(self) -> None:
        longest = max(self.t0s + self.onset_t0s + [self.sgd_t0])
        require("horizon", self.horizon >= 2 * longest,
                f"at least twice the longest bump delay in 't0s', 'onset_t0s' and 'sgd_t0' "
                f"({longest:g})", self.horizon)
        require("horizon", self.horizon >= max(self.airy_t0s) + AIRY_TAIL,
                f"at least the longest Airy delay + {AIRY_TAIL:g} (the target's tail)",
                self.horizon)
        require("horizon", self.horizon / self.dt <= MAX_LAGS,
                f"at most {MAX_LAGS} lags of dt = {self.dt:g} (horizon / dt)", self.horizon)
        for name in ("init_rates", "airy_rates", "airy_freqs"):
            pair = getattr(self, name)
            require(name, len(pair) == 2 and pair[0] <= pair[1], "a pair [low, high]", pair)
        for name in ("init_rates", "airy_rates"):
            require(name, max(getattr(self, name)) <= 1 / self.dt,
                    f"resolved by the lag grid: rates <= 1/dt = {1 / self.dt:g}",
                    getattr(self, name))
        most = 2 * math.pi / (10 * self.dt)
        require("airy_freqs", self.airy_freqs[1] <= most,
                f"resolved by the lag grid (10 points per period): <= {most:.3g}",
                self.airy_freqs)
        require("airy_s0", self.airy_s0 ** 1.5 * max(self.airy_t0s) ** 0.5 <= most,
                "slow enough that the lag grid resolves the Airy oscillation at lag 0 "
                f"(10 points per period): s0^1.5 sqrt(max t0) <= {most:.3g}", self.airy_s0)
        require("airy_window", self.airy_window < min(self.airy_t0s),
                f"below the shortest Airy delay ({min(self.airy_t0s):g}): the timed "
                "error must not reach lag 0", self.airy_window)
        seen = float(plateau_decrease(self.init_rates[0], min(self.t0s), self.lr))
        require("flat", self.flat > seen,
                f"above the relative loss decrease per step on the plateau of the shortest "
                f"delay, {seen:.3g} (t0 = {min(self.t0s):g}, w0 = {self.init_rates[0]:g}, "
                f"lr = {self.lr:g}; derived): a smaller 'flat' cannot see that plateau, "
                "so no plateau could be found", self.flat)
        first = onset(self.init_rates[1], self.drop) - self.ONSET_BAND
        require("onset_t0s", min(self.onset_t0s) <= first,
                f"to hold a delay at most {first:.3g}, {self.ONSET_BAND:g} below the derived "
                f"plateau onset of the fastest initial rate (w0 = {self.init_rates[1]:g}, "
                f"drop = {self.drop:g}): else the onset claim judges no bump below it",
                self.onset_t0s)
