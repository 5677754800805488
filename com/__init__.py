"""com: the curse of memory in recurrent models, computed.

Modules follow the papers' concepts: ``memory`` (target kernels and the memory
function), ``models`` (linear RNN kernels and convolution), ``residual`` (the
residual RNN run in time, many models at once), ``loss`` (the white-noise loss),
``approximation`` (fits and error laws), ``horizon`` (errors over the infinite
horizon), ``approximants`` (exponential sums fitted there), ``stability``
(perturbation curves, radii, certificates), ``linearisation`` (nonlinear RNNs through
their Jacobian at rest), ``curse`` (one memory measured end to end), ``perturbation``
(estimators of the sup in E(beta)), ``parameterisations`` (the f table and gradient
scales), ``families`` (the stability table's model families), ``trained_families``
(the families trained on a finite window), ``tasks`` (target memories and held inputs
to train them on), ``random_nets`` (RNN, GRU, LSTM stacks at initialisation, many at
once), ``s4d`` (S4D kernels in closed form), ``filtering`` (random teachers, students
trained on them, the stability filter of Fig. 3), ``plateaus``, ``training`` (one
batched loop), ``learning_rates`` (the learning-rate range), ``validation`` (chapter
parameters), ``budget`` and ``machine`` (what a run costs, what this machine allows),
``report`` (claims and glue), ``plotting``, ``cache`` (with ``fingerprint`` and
``random_streams``, what its keys are made of), ``provenance`` (the facts of the run
behind a page), ``sweep``, ``runs``, ``book`` and ``robustness`` (claims across many
seeds, on Dask; imported on demand, never by a chapter).
"""
from __future__ import annotations

import random
import zlib

import numpy as np
import torch

from . import (
    approximants,
    approximation,
    budget,
    cache,
    curse,
    families,
    filtering,
    fingerprint,
    horizon,
    learning_rates,
    linearisation,
    loss,
    machine,
    memory,
    models,
    parameterisations,
    perturbation,
    plateaus,
    plotting,
    provenance,
    random_nets,
    random_streams,
    report,
    residual,
    s4d,
    stability,
    tasks,
    trained_families,
    training,
    validation,
)
from .report import Claims, glue
from .validation import ParameterError

__version__ = "0.1.0"


def setup(seed: int) -> torch.Generator:
    """Make a chapter deterministic and styled: float64, fixed seeds, one plot style.

    Also records the run's facts (versions, CPU, cores) for the page's reproduce
    box when ``COM_PROVENANCE`` names a file (see :mod:`com.provenance`).
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


def stream(seed: int, *names: str | int) -> torch.Generator:
    """An independent random stream for one named piece of a chapter's work, spawned
    from the chapter's seed and the names by numpy's SeedSequence (no seed arithmetic,
    no generator state saved and restored): reordering or adding work elsewhere never
    shifts it."""
    words = [zlib.crc32(str(n).encode()) for n in names]       # names or numbers
    state = np.random.SeedSequence([seed, *words]).generate_state(1, np.uint64)[0]
    return torch.Generator().manual_seed(int(state >> np.uint64(1)))


__all__ = ["stream", "setup", "Claims", "glue", "ParameterError", "approximants", "approximation",
           "budget", "cache", "curse", "families", "filtering", "fingerprint",
           "horizon", "learning_rates", "linearisation", "loss", "machine", "memory",
           "models", "parameterisations", "perturbation", "plateaus", "plotting",
           "provenance", "random_nets", "random_streams", "report", "residual", "s4d",
           "stability", "tasks", "trained_families", "training", "validation"]
