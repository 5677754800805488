"""A sequence classifier: one diagonal complex recurrent layer whose eigenvalues pass
through a parameterisation f, read out at the end of the sequence (the model of
wang2024inverse's Table 1, reduced to its recurrent core), many models at once.

    h_k = Lambda h_{k-1} + B x_k,  h_0 = 0,  k = 1..T       x_k: (d,), h: (m,) complex
    lambda_i = exp(f(w_i) + i theta_i)      (a mode a = f(w) + i theta held for a step)
    logits = C tanh([Re h_T, Im h_T]) + c0                                (K,) classes

|lambda_i| = e^{f(w_i)} < 1 exactly when f(w_i) < 0: a stable parameterisation
(com.models.parameterisations) keeps every mode inside the unit disc whatever w is;
"direct" (f(w) = w) does not. The recurrence is linear in the state, so the final
state is a Vandermonde product, no loop over time:

    h_T,i = sum_{s=0}^{T-1} lambda_i^s (B x_{T-s})_i,

one matrix product of the reversed inputs (N, T d) with the kernel (T d, S 2m) of all
S models. Models are stacked along a leading axis in equal blocks, block j under the
parameterisation names[j].
"""
from __future__ import annotations

import math

import torch

from .kernels import powers
from .parameterisations import get


def draw(width: int, classes: int, d: int, rates: tuple[float, float],
         generator: torch.Generator) -> dict[str, torch.Tensor]:
    """One model's initial draw, before any parameterisation: decay rates |f(w)|
    log-uniform in ``rates`` (per step), B ~ N(0, 1/d), C ~ N(0, 1/(2m)).
    -> rate (m,), B (m, d), C (2m, K)"""
    lo, hi = math.log(rates[0]), math.log(rates[1])
    return {"rate": torch.exp(torch.empty(width).uniform_(lo, hi, generator=generator)),
            "B": torch.randn(width, d, generator=generator) / math.sqrt(d),
            "C": torch.randn(2 * width, classes, generator=generator)
            / math.sqrt(2 * width)}


def init(names: tuple[str, ...], draws: list[dict], copies: int = 1) -> dict:
    """Raw parameters of S = len(names) copies len(draws) models in the order (name,
    copy, draw): every name and copy starts from the same draws, w by each f's
    inverse (so every parameterisation starts at the same eigenvalues), the angles
    theta_i = pi i / m (S4D-Lin's frequencies, 0 up to Nyquist), c0 = 0.
    -> w, theta (S, m); B (S, m, d); C (S, 2m, K); c0 (S, K)"""
    def stacked(key):                                         # (copies R, ...) each name
        return torch.stack([dr[key] for dr in draws]).repeat(copies, *[1] * draws[0][key].dim())
    rate = stacked("rate")                                                    # (n, m)
    w = torch.cat([get("continuous", name).inverse(-rate) for name in names])  # (S, m)
    S, m = w.shape
    return {"w": w, "theta": (math.pi * torch.arange(m) / m).repeat(S, 1),
            "B": stacked("B").repeat(len(names), 1, 1),
            "C": stacked("C").repeat(len(names), 1, 1),
            "c0": torch.zeros(S, draws[0]["C"].shape[-1])}


def decay(names: tuple[str, ...], w: torch.Tensor) -> torch.Tensor:
    """The real parts f(w) of the modes, block j under names[j].  w: (S, m) -> (S, m)"""
    blocks = w.view(len(names), -1, w.shape[-1])
    return torch.cat([get("continuous", n).f(b) for n, b in zip(names, blocks)]).view_as(w)


def final_state(names: tuple[str, ...], params: dict, x: torch.Tensor) -> torch.Tensor:
    """[Re h_T, Im h_T] of every model for every sequence, by one matrix product.
    x: (N, T, d)  ->  (S, N, 2m)"""
    N, T, d = x.shape
    log = torch.complex(decay(names, params["w"]), params["theta"])           # (S, m)
    lam_s = powers(torch.arange(T, dtype=x.dtype), log=log)                  # (S, m, T)
    V = torch.cat([lam_s.real, lam_s.imag], dim=1)                          # (S, 2m, T)
    B = params["B"].repeat(1, 2, 1)                                         # (S, 2m, d)
    kernel = (V[..., None] * B[:, :, None, :]).reshape(-1, T * d)          # (S 2m, T d)
    h = x.flip(1).reshape(N, T * d) @ kernel.T                              # (N, S 2m)
    return h.view(N, len(V), -1).transpose(0, 1)


def logits(names: tuple[str, ...], params: dict, x: torch.Tensor) -> torch.Tensor:
    """C tanh(h_T) + c0.  x: (N, T, d)  ->  (S, N, K)"""
    return torch.baddbmm(params["c0"][:, None], torch.tanh(final_state(names, params, x)),
                         params["C"])


@torch.no_grad()
def predictions(names: tuple[str, ...], params: dict, x: torch.Tensor,
                chunk: int = 2048) -> torch.Tensor:
    """Each model's class for each sequence, -1 where its logits are not finite (a
    wrong answer).  x: (N, T, d)  ->  (S, N)"""
    out = []
    for i in range(0, len(x), chunk):
        z = logits(names, params, x[i:i + chunk])                             # (S, n, K)
        out.append(z.argmax(-1).masked_fill(~torch.isfinite(z).all(-1), -1))
    return torch.cat(out, dim=1)


__all__ = ["draw", "init", "decay", "final_state", "logits", "predictions"]
