"""filtering_by_stability's parameters (the book's full scale is their defaults)."""
from __future__ import annotations

from dataclasses import dataclass

from ..params import Params as Base
from ..params import param
from ..rules import integer, integers, real, reals, require


@dataclass(frozen=True)
class Params(Base):
    seed: int = param(0, "random seed (teachers, data, students)",
                      integer(lo=0, hi=2 ** 32 - 1))
    n_each: int = param(12, "teachers of each of the four classes",
                        integer(lo=1, hi=2500))
    teacher_width: int = param(32, "their hidden size", integer(lo=2, hi=1024))
    gains: list[float] = param([0.5, 1.3], "random class: spectral radius of W in this range",
                               reals(positive=True, min_len=2, increasing=True))
    power: float = param(1.5, "power-law class: memory (1 + t/power_scale)^-power",
                         real(lo=1.01, hi=10.0))
    power_scale: float = param(0.1, "its time scale (steps)", real(lo=1e-3, hi=1e3))
    temper: float = param(200.0, "tempered twins: that memory times e^(-t/temper)",
                          real(lo=1.0, hi=1e6))
    amplitude: float = param(0.3, "scale of the training and test inputs",
                             real(lo=1e-6, hi=100.0))
    hold: float = param(25.0, "mean hold of those piecewise-constant inputs (steps)",
                        real(lo=1.0, hi=1e6))
    n_train: int = param(64, "training sequences per teacher", integer(lo=1, hi=10 ** 4))
    # the data's moments are (n_train, T, T): 2048 lags is 2 GB at the default n_train
    train_T: int = param(128, "their length (steps)", integer(lo=4, hi=2048))
    n_test: int = param(32, "test sequences per teacher", integer(lo=1, hi=10 ** 4))
    test_T: int = param(512, "their length (steps)", integer(lo=4, hi=10 ** 5))
    widths: list[int] = param([2, 4, 8, 16, 32], "student widths m",
                              integers(lo=1, hi=512, min_len=2, increasing=True))
    init_deltas: list[float] = param([0.1, 1.0],
                                     "initial student distances to the edge",
                                     reals(lo=1e-6, hi=1.0, min_len=2, increasing=True))
    steps: int = param(300, "Adam steps on the student modes", integer(lo=1, hi=10 ** 6))
    lr: float = param(0.01, "Adam learning rate", real(lo=1e-8, hi=10.0))
    corner: float = param(1.0, "hardtanh students' top pre-activation, training data",
                          real(lo=1e-3, hi=1e3))
    share: float = param(0.1, "pruning: at most this share of the error is removed",
                         real(lo=0.0, hi=1.0))
    tolerance: float = param(0.1, "E_m(0) at most half this: the student approximates",
                             real(lo=1e-6, hi=10.0))
    shrink: float = param(2.0, "radius falling by this factor over widths: unstable",
                          real(lo=1.0, hi=1e6))
    probe_T: int = param(2000, "steps of the teachers' memory probes",
                         integer(lo=8, hi=10 ** 5))
    magnitudes: list[float] = param([0.1, 1.0, 10.0], "probe input magnitudes |x|",
                                    reals(positive=True, min_len=1))
    fall: float = param(1e-10, "exponential memory: falls below this of its peak",
                        real(lo=1e-300, hi=1.0))
    slope: float = param(4.0, "or its log-log slope is steeper than -slope",
                         real(lo=0.1, hi=1e3))

    def check(self) -> None:
        for name in ("gains", "init_deltas"):
            require(name, len(getattr(self, name)) == 2, "a pair of values",
                    getattr(self, name))
