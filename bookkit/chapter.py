"""What every chapter does first: its parameters checked, a deterministic, styled run,
its random streams, and progress for its long steps.

``start(globals(), Params)`` is a chapter's first hidden cell: the parameters papermill
injected checked against the chapter's declaration (bookkit.params), then ``setup``.
``setup(seed)`` makes a chapter deterministic (float64, fixed seeds, torch's
deterministic algorithms) and styled (the book's one plotting style), and records
the run's facts for the page's reproduce box (bookkit.provenance). ``stream(seed,
*names)`` is an independent random stream for one named piece of work. ``progress``
draws a progress bar for a long loop of ``com`` (its ``on_step`` callback), unless
``COM_PROGRESS=0`` (the regression tests, whose outputs must not hold bars).
"""
from __future__ import annotations

import os
import random
import zlib

import numpy as np
import torch

from . import params, plotting, provenance


def setup(seed: int) -> torch.Generator:
    """Make a chapter deterministic and styled: float64, fixed seeds, one plot style.

    Also records the run's facts (versions, CPU, cores) for the page's reproduce
    box when ``COM_PROVENANCE`` names a file (see :mod:`bookkit.provenance`).
    Returns a torch.Generator seeded with ``seed`` for the chapter's own draws.
    """
    torch.set_default_dtype(torch.float64)
    # torch.use_deterministic_algorithms(True) also imports the compiler (3-10 s) only to
    # set its flag; nothing here compiles, so set the eager flag alone
    torch._C._set_deterministic_algorithms(True)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    plotting.use_style()
    provenance.record()
    return torch.Generator().manual_seed(seed)


def start(namespace: dict, declared: type[params.Params]) -> tuple[params.Params,
                                                                   torch.Generator]:
    """Check the chapter's parameters as papermill left them in ``namespace`` against
    its declaration (a bad value or an unknown name stops the chapter here, before any
    work, naming the parameter), then ``setup``.  -> the parameters, the generator"""
    checked = params.check_in(namespace, declared)
    return checked, setup(checked.seed)


def stream(seed: int, *names: str | int) -> torch.Generator:
    """An independent random stream for one named piece of a chapter's work, spawned
    from the chapter's seed and the names by numpy's SeedSequence (no seed arithmetic,
    no generator state saved and restored): reordering or adding work elsewhere never
    shifts it."""
    words = [zlib.crc32(str(n).encode()) for n in names]       # names or numbers
    state = np.random.SeedSequence([seed, *words]).generate_state(1, np.uint64)[0]
    return torch.Generator().manual_seed(int(state >> np.uint64(1)))


def progress_enabled() -> bool:
    """Progress bars unless COM_PROGRESS=0 (set by the regression tests, whose
    comparisons must not see bars that redraw a timing-dependent number of times)."""
    return os.environ.get("COM_PROGRESS", "1") != "0"


class progress:
    """An ``on_step(step, loss)`` callback for com's loops that draws a text bar of
    ``total`` steps labelled ``desc`` (nothing under COM_PROGRESS=0). The bar opens at
    the first step, so a callback made but never called draws nothing."""

    def __init__(self, desc: str, total: int):
        self.desc, self.total, self.bar = desc, total, None

    def __call__(self, step: int, loss=None) -> None:
        if not progress_enabled():
            return
        if self.bar is None:
            from tqdm import tqdm  # plain text bars: tqdm.auto warns without ipywidgets
            self.bar = tqdm(desc=self.desc, total=self.total, mininterval=1.0)
        self.bar.update()
        if self.bar.n >= self.total:
            self.bar.close()
