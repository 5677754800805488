"""Narrower models inside wider ones: the one convention for padding.

Models of several widths share one tensor program by zero-padding to the widest, M.
``live(widths, M)`` marks the units in use (1) and the padding (0) of each model;
``square`` is the mask of a matrix's live block. A padded unit is *inert*: its mode
sits at delta = 1 (a = 0) with weight g = 0, so it carries no signal and no
perturbation of its input or output weight can wake a slow mode (``inert``). A
width-m model can therefore be any narrower one (``pad``).
"""
from __future__ import annotations

import torch


def live(widths, M: int, dtype: torch.dtype | None = None) -> torch.Tensor:
    """1 on the first widths[k] units of model k, 0 on its padding.  -> (n, M)"""
    mask = torch.arange(M)[None, :] < torch.as_tensor(widths)[:, None]         # (n, M)
    return mask.to(dtype or torch.get_default_dtype())


def square(live: torch.Tensor) -> torch.Tensor:
    """The live block of each model's (M, M) matrix.  (..., M) -> (..., M, M)"""
    return live[..., :, None] * live[..., None, :]


def inert(delta: torch.Tensor, g: torch.Tensor,
          keep: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Modes where ``keep`` is False made inert (delta = 1, g = 0).  -> delta, g"""
    return torch.where(keep, delta, 1.0), torch.where(keep, g, 0.0)


def pad(delta: torch.Tensor, g: torch.Tensor, m: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Modes (k,) padded with inert ones to width m >= k.  -> delta (m,), g (m,)"""
    out = torch.ones(m), torch.zeros(m)
    out[0][:delta.numel()], out[1][:g.numel()] = delta, g
    return out


__all__ = ["live", "square", "inert", "pad"]
