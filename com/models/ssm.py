"""State-space models: dense and diagonal recurrences in discrete time, layer-wise
nonlinear SSMs (wang2023statespace), and S4D (Gu et al., 2022).

Input weights are normalised so that a stable mode's kernel has l1 mass |c_i|
whatever its eigenvalue (1 - lam in discrete time, as the LRU's gamma normalisation
does in L2): a mode near the edge of stability then costs no larger weights.
Eigenvalues lam = f(w) come from com.models.parameterisations.

S4D: a diagonal SSM x' = A x + B u, y = 2 Re(C^T x) with N complex modes (conjugate
pairs folded into the factor 2), discretised by zero-order hold with step dt:

    Abar = exp(dt A),   Bbar = (Abar - 1) / A * B,
    K_l  = 2 Re sum_n C_n Bbar_n Abar_n^l,     l = 0, 1, ..., L - 1,

initialised (B = 1, C ~ complex normal of unit variance, dt log-uniform in
``dt_range``) as "lin", A_n = -1/2 + i pi n, or "inv", A_n = -1/2 + i N/pi (N/(2n+1) - 1).
"""
from __future__ import annotations

import math

import torch

from .kernels import convolve, exp_sum, powers

INITS = ("lin", "inv")


def normalised_discrete_kernel(lam: torch.Tensor, coeffs: torch.Tensor, T: int) -> torch.Tensor:
    """Discrete diagonal (LRU-style) recurrence h_{k+1} = lam h_k + (1 - lam) x_k:
    K_s = sum_i c_i (1 - lam_i) lam_i^s.   lam, coeffs: (..., m)  ->  (..., T)"""
    return exp_sum(coeffs * (1 - lam), torch.arange(T, dtype=lam.dtype), a=lam)


def orthogonal(S: torch.Tensor) -> torch.Tensor:
    """Cayley transform Q = (I - K)^{-1} (I + K), K = S - S^T: orthogonal for every raw S.

    (I - K is invertible, K being skew.) One solve, where exp(K) needs a dozen matrix
    products at the norms a random S has; and |dQ| <= 2 |dK|, so a perturbation of S
    turns Q by at most 4 |dS|.  (..., m, m) -> (..., m, m)"""
    K = S - S.transpose(-1, -2)                                      # (..., m, m) skew
    eye = torch.eye(S.shape[-1], dtype=S.dtype).expand_as(K)
    return torch.linalg.solve(eye - K, eye + K)


def vanilla_kernel(Q: torch.Tensor, lam: torch.Tensor, b: torch.Tensor, c: torch.Tensor,
                   T: int) -> torch.Tensor:
    """Dense RNN h_{k+1} = A h_k + (I - A) b x_k, y = c^T h, with symmetric
    A = Q diag(lam) Q^T (Q orthogonal):

        K_s = c^T A^s (I - A) b = sum_i (q_i^T c)(q_i^T b) (1 - lam_i) lam_i^s,

    a diagonal recurrence in the eigenbasis, so no matrix powers.
    Q: (..., m, m);  lam, b, c: (..., m)  ->  (..., T).  The DC gain sum_s K_s is c^T b.
    """
    coeffs = ((Q * c[..., :, None]).sum(-2)                       # (..., m)  Q^T c
              * (Q * b[..., :, None]).sum(-2))                    #         * Q^T b
    return normalised_discrete_kernel(lam, coeffs, T)


def layerwise_ssm(x: torch.Tensor, lams: list[torch.Tensor], b: torch.Tensor,
                  mixes: list[torch.Tensor], c: torch.Tensor, sigma=torch.tanh) -> torch.Tensor:
    """SSM with layer-wise nonlinearity (wang2023statespace), L layers of width m:

        z^0 = b x;   h^l_i = sum_s (1 - lam^l_i)(lam^l_i)^s u^l_{i, t-s},  z^l = sigma(h^l),
        u^1 = z^0,   u^l = M^l z^{l-1} (l >= 2);   y = c^T z^L.

    Each layer is a linear recurrence, run as an FFT convolution: no loop over time.
    x: (..., N, T) inputs;  lams: L tensors (..., m);  b, c: (..., m);
    mixes: L-1 tensors (..., m, m)  ->  y: (..., N, T)
    """
    t = torch.arange(x.shape[-1], dtype=x.dtype)                   # (T,) lags
    # layer 1 convolves b_i x, i.e. the kernel b_i K_i with x itself: one FFT of x,
    # not of the (..., N, m, T) tensor b x
    u, gain, z = x[..., :, None, :], b[..., None], None           # (..., N, 1, T), (..., m, 1)
    for layer, lam in enumerate(lams):
        if layer > 0:
            u, gain = torch.einsum("...ij,...njt->...nit", mixes[layer - 1], z), 1.0
        K = gain * (1 - lam)[..., None] * powers(t, a=lam)         # (..., m, T)
        z = sigma(convolve(K[..., None, :, :], u))                 # (..., N, m, T)
    return torch.einsum("...i,...nit->...nt", c, z)


def s4d_init(n: int, N: int, generator: torch.Generator, kind: str = "lin",
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


def s4d_kernel(p: dict, L: int) -> torch.Tensor:
    """K_l for l < L of every layer.  -> (n, L)"""
    dtA = p["dt"][:, None] * p["A"]                                     # (n, N)
    Bbar = torch.expm1(dtA) / p["A"] * p["B"]                           # (n, N)
    lags = torch.arange(L, dtype=torch.float64)                         # (L,)
    Abar_l = powers(lags, log=dtA)                                      # (n, N, L)
    return 2 * torch.einsum("nk,nkl->nl", p["C"] * Bbar, Abar_l).real


__all__ = ["normalised_discrete_kernel", "orthogonal", "vanilla_kernel", "layerwise_ssm",
           "INITS", "s4d_init", "s4d_kernel"]
