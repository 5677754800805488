"""S4D kernels in closed form: the diagonal state-space layer of Gu et al. (2022).

A diagonal SSM x' = A x + B u, y = 2 Re(C^T x) with N complex modes (conjugate
pairs folded into the factor 2), discretised by zero-order hold with step dt:

    Abar = exp(dt A),   Bbar = (Abar - 1) / A * B,
    K_l  = 2 Re sum_n C_n Bbar_n Abar_n^l,     l = 0, 1, ..., L - 1,

a sum of damped oscillations, computed for every lag at once (no time loop). Its
memory function is |K_l| (a linear model), and mode n decays at dt |Re A_n| per
step, so the slowest mode sets the kernel's asymptotic rate.

Initialisations (B = 1, C ~ complex normal of unit variance, dt log-uniform in
``dt_range``): "lin", A_n = -1/2 + i pi n; "inv", A_n = -1/2 + i N/pi (N/(2n+1) - 1).
"""
from __future__ import annotations

import math

import torch

INITS = ("lin", "inv")


def init(n: int, N: int, generator: torch.Generator, kind: str = "lin",
         dt_range: tuple[float, float] = (1e-3, 1e-1)) -> dict:
    """n S4D layers of N modes.  -> A, B, C (n, N) complex; dt (n,)"""
    k = torch.arange(N, dtype=torch.float64)
    imag = math.pi * k if kind == "lin" else N / math.pi * (N / (2 * k + 1) - 1)
    A = torch.complex(torch.full((N,), -0.5, dtype=torch.float64), imag).expand(n, N)
    C = torch.complex(torch.randn(n, N, generator=generator),
                      torch.randn(n, N, generator=generator)) / math.sqrt(2)
    lo, hi = math.log(dt_range[0]), math.log(dt_range[1])
    dt = torch.exp(lo + (hi - lo) * torch.rand(n, generator=generator))
    return {"A": A, "B": torch.ones_like(A), "C": C, "dt": dt}


def kernel(p: dict, L: int) -> torch.Tensor:
    """K_l for l < L of every layer.  -> (n, L)"""
    dtA = p["dt"][:, None] * p["A"]                                     # (n, N)
    Bbar = torch.expm1(dtA) / p["A"] * p["B"]                           # (n, N)
    lags = torch.arange(L, dtype=torch.float64)                         # (L,)
    powers = torch.exp(dtA[..., None] * lags)                           # (n, N, L)
    return 2 * torch.einsum("nk,nkl->nl", p["C"] * Bbar, powers).real


def slowest_rate(p: dict) -> torch.Tensor:
    """The asymptotic decay rate per step, min_n dt |Re A_n|.  -> (n,)"""
    return p["dt"] * (-p["A"].real).amin(-1)


__all__ = ["INITS", "init", "kernel", "slowest_rate"]
