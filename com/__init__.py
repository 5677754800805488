"""com: the curse of memory in recurrent models, computed (the papers' science).

``com`` depends on torch, numpy and scipy only: it reads no environment variable,
draws no progress bar, and never imports the book's machinery (``bookkit``).
"""
from __future__ import annotations

from . import (
    approximants,
    approximation,
    curse,
    families,
    filtering,
    horizon,
    learning_rates,
    linearisation,
    loss,
    memory,
    models,
    parameterisations,
    perturbation,
    plateaus,
    random_nets,
    residual,
    s4d,
    stability,
    tasks,
    trained_families,
    training,
)

__version__ = "0.1.0"

__all__ = ["approximants", "approximation", "curse", "families", "filtering", "horizon",
           "learning_rates", "linearisation", "loss", "memory", "models",
           "parameterisations", "perturbation", "plateaus", "random_nets", "residual", "s4d",
           "stability", "tasks", "trained_families", "training"]
