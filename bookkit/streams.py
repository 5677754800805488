"""Random streams: the global torch, numpy and ``random`` states and a namespace's
generators, read and set by name.

bookkit.cache keys a result by the states of every stream a computation may draw from,
stores their states after it, and sets them back on a hit, so that a cached run goes on
drawing what an uncached one draws. A global stream is named "torch", "numpy" or
"random" (its value None); a generator in a chapter's namespace by its variable name.
"""
from __future__ import annotations

import random
from typing import Any, Mapping

import numpy as np
import torch


def in_namespace(namespace) -> dict[str, Any]:
    """The random streams a computation may draw from, by name."""
    found: dict[str, Any] = {"torch": None, "numpy": None, "random": None}
    if namespace is not None:
        for name, value in namespace.items():
            if isinstance(value, (torch.Generator, np.random.Generator, np.random.RandomState)):
                found[name] = value
    return found


def get_state(stream) -> Any:
    if stream == "torch":
        return torch.get_rng_state()
    if stream == "numpy":
        return np.random.get_state()
    if stream == "random":
        return random.getstate()
    if isinstance(stream, torch.Generator):
        return stream.get_state()
    if isinstance(stream, np.random.Generator):
        return stream.bit_generator.state
    return stream.get_state()


def set_state(stream, state) -> None:
    if stream == "torch":
        torch.set_rng_state(state)
    elif stream == "numpy":
        np.random.set_state(state)
    elif stream == "random":
        random.setstate(state)
    elif isinstance(stream, torch.Generator):
        stream.set_state(state)
    elif isinstance(stream, np.random.Generator):
        stream.bit_generator.state = state
    else:
        stream.set_state(state)


def states(streams: Mapping[str, Any]) -> dict[str, Any]:
    return {name: get_state(name if s is None else s) for name, s in streams.items()}


__all__ = ["in_namespace", "get_state", "set_state", "states"]
