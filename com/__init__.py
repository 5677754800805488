"""com: the curse of memory in recurrent models, computed.

Modules follow the papers' concepts: ``memory`` (target kernels and the memory
function), ``models`` (linear RNN kernels and convolution), ``loss`` (the
white-noise loss), ``approximation`` (fits and error laws), ``training``,
``validation`` (chapter parameters), ``report`` (claims and glue), ``plotting``,
``cache``, ``provenance`` (the facts of the run behind a page).
"""
from __future__ import annotations

import random

import numpy as np
import torch

from . import (approximation, cache, loss, memory, models, plotting, provenance, report,
               training, validation)
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
    torch.use_deterministic_algorithms(True)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    plotting.use_style()
    provenance.record()
    return torch.Generator().manual_seed(seed)


__all__ = ["approximation", "cache", "loss", "memory", "models", "plotting", "provenance",
           "report", "training", "validation", "Claims", "glue", "ParameterError", "setup"]
