"""Inputs that reveal memory: probes (held or kicked) and held ("telegraph") sequences.

The papers' error is a sup over bounded inputs, and for a linear functional the worst
bounded input is held: y = x sum_s rho_s feels the kernel's l1 mass, tail included.
"""
from __future__ import annotations

import torch


def probe_inputs(magnitudes: torch.Tensor, T: int, kind: str = "heaviside",
                 d: int = 1) -> torch.Tensor:
    """Probe inputs for the memory function: x 1_{t>=0} (Heaviside, held from t = 0) or
    x 1_{t=0} (impulse), one sequence per magnitude x, the same x in every channel.

    magnitudes: (X,)  ->  (X, T, d)
    """
    if kind not in ("heaviside", "impulse"):
        raise ValueError(f"probe kind must be 'heaviside' or 'impulse'; got {kind!r}")
    shape = torch.ones(T, dtype=magnitudes.dtype) if kind == "heaviside" else \
        (torch.arange(T) == 0).to(magnitudes.dtype)
    return magnitudes[:, None, None] * shape[None, :, None].expand(1, T, d)


def held_inputs(shape: tuple[int, ...], hold: float, generator: torch.Generator) -> torch.Tensor:
    """Piecewise-constant ("telegraph") inputs: N(0, 1) levels held for geometric
    times of mean ``hold`` steps.  -> shape (..., T)

    On white noise the RMS error sees the kernel in L2 instead of l1, where a
    polynomial tail (1+s)^{-2(1+omega)} is negligible after a few lags, and a model
    needs no long memory at all; held inputs keep the tail in view."""
    switch = torch.rand(shape, generator=generator) < 1.0 / hold               # new level?
    level = torch.randn(shape[:-1] + (shape[-1] + 1,), generator=generator)   # (..., T+1)
    return level.gather(-1, torch.cumsum(switch.long(), -1))                  # (..., T)


__all__ = ["probe_inputs", "held_inputs"]
