"""linear_approximation's parameters (the book's full scale is their defaults)."""
from __future__ import annotations

from dataclasses import dataclass

from ..params import Params as Base
from ..params import param
from ..rules import integer, integers, real, reals, require


@dataclass(frozen=True)
class Params(Base):
    seed: int = param(0, "random seed (initial decay rates in sec. 4)",
                      integer(lo=0, hi=2 ** 32 - 1))
    widths: list[int] = param([2, 4, 8, 16, 32, 64, 128], "widths m of the fixed-rate fits",
                              integers(lo=1, hi=1024, min_len=3, increasing=True))
    betas: list[float] = param([0.25, 0.5, 1.0, 2.0],
                               "decay rates of exponential-memory targets",
                               reals(positive=True, hi=100.0, min_len=2, increasing=True))
    omegas: list[float] = param([0.1, 0.25, 0.5, 1.0], "polynomial memory (1+t)^-(1+omega)",
                                reals(positive=True, hi=10.0, min_len=2, increasing=True))
    eps: float = param(0.5, 'relative error for "width needed"', real(lo=1e-3, hi=0.9))
    width_omegas: list[float] = param([0.28, 0.3, 0.35, 0.4, 0.5, 1.0],
                                      "measured-width omegas",
                                      reals(lo=0.05, hi=10.0, min_len=4, increasing=True))
    max_width: int = param(512, "widest fixed-rate fit measured", integer(lo=8, hi=4096))
    horizon: float = param(10000.0, "longest lag of the training grid",
                           real(lo=100.0, hi=1e12))
    train_widths: list[int] = param([2, 4, 8, 16, 32], "widths of the trained RNNs",
                                    integers(lo=1, hi=512, min_len=2, increasing=True))
    train_models: int = param(4, "trained RNNs per width (seeds)", integer(lo=1, hi=1000))
    train_steps: int = param(3000, "Adam steps per RNN", integer(lo=1, hi=10 ** 6))
    lr: float = param(0.02, "Adam learning rate", real(positive=True, hi=10.0))

    def check(self) -> None:
        require("widths", max(self.widths) <= self.max_width,
                f"at most 'max_width' ({self.max_width})", self.widths)
