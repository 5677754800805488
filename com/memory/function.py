"""The memory function of a model, measured by probing it (wang2024inverse, Def. 3.1).

For a model y = F(x) held at input x 1_{t >= 0} (Heaviside) the discrete memory
function is max_x |y_{t+1} - y_t| / |x|; after a kick x 1_{t = 0} (impulse) it is
max_x |y_{t+1}| / |x|. For a linear model y = K * x both are |K_{t+1}|: the memory
|rho| itself. Probe inputs are in com.memory.inputs.
"""
from __future__ import annotations

import torch

from .inputs import probe_inputs


def memory_function(outputs: torch.Tensor, magnitudes: torch.Tensor,
                    each: bool = False) -> torch.Tensor:
    """Discrete memory function from Heaviside responses.

    outputs:    (..., X, T) model outputs y_t for inputs x 1_{t>=0}, one row per magnitude
    magnitudes: (X,) the |x| of each held input
    returns:    (..., T-1) max_x |y_{t+1} - y_t| / |x|; with ``each``, every magnitude's
                |y_{t+1} - y_t| / |x|, (..., X, T-1)
    """
    diff = (outputs[..., 1:] - outputs[..., :-1]).abs()      # (..., X, T-1)
    per = diff / magnitudes[:, None].abs()
    return per if each else per.amax(dim=-2)


def probe(model, magnitudes: torch.Tensor, T: int, kind: str = "heaviside",
          d: int = 1) -> torch.Tensor:
    """Memory function of any causal sequence model, by probing it.

    model: inputs (X, T, d) -> outputs (..., X, T).  Heaviside: the discrete memory
    function max_x |y_{t+1} - y_t| / |x| (``memory_function``), (..., T-1); impulse:
    max_x |y_{t+1}| / |x|, the response after the kick, (..., T-1) on the same lags.
    For a linear model y = K * x both equal |K_{t+1}|, the memory |rho|. The response to
    the zero input is subtracted first: with biases a model's output moves even when its
    input is 0 (h relaxes to a fixed point), and that motion is not memory of the input.
    """
    return probes(model, magnitudes, T, (kind,), d)[kind]


def probes(model, magnitudes: torch.Tensor, T: int,
           kinds: tuple[str, ...] = ("heaviside", "impulse"), d: int = 1,
           each: bool = False) -> dict:
    """``probe`` for several kinds from one call of the model (the probe inputs and the
    zero input stacked into one batch).  -> {kind: (..., T-1)}, the max over the
    magnitudes; with ``each``, every magnitude's own probe, {kind: (..., X, T-1)}."""
    inputs = [probe_inputs(magnitudes, T, k, d) for k in kinds]        # (X, T, d) each
    X = len(magnitudes)
    y = model(torch.cat(inputs + [torch.zeros_like(inputs[0][:1])]))   # (..., K X + 1, T)
    out = {}
    for i, k in enumerate(kinds):
        yk = y[..., i * X:(i + 1) * X, :] - y[..., -1:, :]             # (..., X, T)
        if k == "heaviside":
            out[k] = memory_function(yk, magnitudes, each)
        else:
            per = yk[..., 1:].abs() / magnitudes[:, None].abs()        # (..., X, T-1)
            out[k] = per if each else per.amax(dim=-2)
    return out


__all__ = ["memory_function", "probe", "probes"]
