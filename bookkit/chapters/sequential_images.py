"""sequential_images's parameters (the book's full scale is their defaults)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..params import Params as Base
from ..params import param
from ..rules import ParameterError, Rule, choice, integer, real, reals, require

FOLDER = Rule("'' (the 8x8 digits) or the path of a folder holding MNIST's IDX files",
              lambda v: v is None or isinstance(v, str))


@dataclass(frozen=True)
class Params(Base):
    seed: int = param(0, "random seed (test split, initial draws, minibatches)",
                      integer(lo=0, hi=2 ** 32 - 1))
    # '' rather than None, so that the type is one word papermill's parser reads
    data_dir: str = param("", "folder with MNIST's IDX files; '': the 8x8 digits", FOLDER)
    read: str = param("pixels", "a pixel a step (\"pixels\") or a row a step (\"rows\")",
                      choice("pixels", "rows"))
    width: int = param(32, "complex modes m of the recurrent layer (2m real)",
                       integer(lo=1, hi=1024))
    repeats: int = param(3, "models per parameterisation and learning rate",
                         integer(lo=2, hi=100))
    epochs: int = param(30, "passes over the training images", integer(lo=1, hi=10 ** 4))
    batch: int = param(128, "images per Adam step", integer(lo=1, hi=60000))
    lr_range: list[float] = param([-3.0, 1.0], "log10 of the learning-rate grid's ends",
                                  reals(lo=-8.0, hi=3.0, min_len=2, increasing=True))
    n_lrs: int = param(9, "learning rates on the grid (log-spaced)", integer(lo=2, hi=100))
    lr: float = param(0.01, "the table's learning rate (the authors'), on the grid",
                      real(lo=1e-8, hi=1e3))
    weight_decay: float = param(0.01, "decoupled weight decay (AdamW, the authors')",
                                real(lo=0.0, hi=100.0))
    init_decay: list[float] = param([0.4, 40.0], "initial decay rates |f(w)| times T, "
                                    "log-uniform",
                                    reals(lo=1e-6, hi=1e6, min_len=2, increasing=True))
    threshold: float = param(0.5, "test accuracy a run must reach to count as trained",
                             real(lo=0.0, hi=1.0))
    test_fraction: float = param(0.25, "share of the 8x8 digits held out for testing",
                                 real(lo=0.05, hi=0.95))

    @property
    def lrs(self) -> list[float]:
        """The learning-rate grid, log-spaced between 10^lr_range."""
        lo, hi = self.lr_range
        return [10 ** (lo + (hi - lo) * i / (self.n_lrs - 1)) for i in range(self.n_lrs)]

    @property
    def lr_index(self) -> int:
        """The grid point of ``lr``."""
        return min(range(self.n_lrs), key=lambda i: abs(math.log10(self.lrs[i] / self.lr)))

    def check(self) -> None:
        for name in ("lr_range", "init_decay"):
            require(name, len(getattr(self, name)) == 2, "a pair [lo, hi]",
                    getattr(self, name))
        grid = ", ".join(f"{v:.3g}" for v in self.lrs)
        require("lr", abs(math.log10(self.lrs[self.lr_index] / self.lr)) < 1e-9,
                f"a learning rate of the grid ({grid})", self.lr)
        require("weight_decay", self.weight_decay * self.lrs[-1] < 1,
                f"below 1 / the largest learning rate ({1 / self.lrs[-1]:.3g})",
                self.weight_decay)
        # com imports torch: only when checking, so the declaration itself stays light
        from com.memory import images
        from com.models.parameterisations import B_BEST
        if self.data_dir:
            try:
                images.mnist_files(self.data_dir)      # a folder without MNIST stops here
            except ValueError as e:
                raise ParameterError(str(e)) from None
        T, _ = images.steps(images.SIDES["mnist" if self.data_dir else "digits"], self.read)
        require("init_decay", self.init_decay[1] <= T / B_BEST, f"at most {T / B_BEST:g} "
                "(T times the inverse map's largest decay rate, 1/b)", self.init_decay)
