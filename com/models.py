"""Models: linear RNNs through their kernels, and the causal convolution they define.

A linear RNN never needs a loop over time: its input-output map is a convolution
with its kernel. Continuous time: rhohat(s) = c^T e^{W s} U; diagonal W = -diag(w)
gives rhohat(s) = sum_i c_i e^{-w_i s}. Discrete time: h_{k+1} = A h_k + B x_k,
y_k = c^T h_k ... has kernel K_s = c^T A^s B.
"""
from __future__ import annotations

import torch


def diagonal_kernel(t: torch.Tensor, rates: torch.Tensor, coeffs: torch.Tensor) -> torch.Tensor:
    """rhohat(t) = sum_i c_i e^{-w_i t}.

    t: (T,) lags;  rates w, coeffs c: (..., m)  ->  (..., T)
    """
    decay = torch.exp(-rates[..., :, None] * t)               # (..., m, T)
    return torch.einsum("...m,...mt->...t", coeffs, decay)


def discrete_diagonal_kernel(lam: torch.Tensor, coeffs: torch.Tensor, T: int) -> torch.Tensor:
    """K_s = sum_i c_i lam_i^s for s = 0..T-1, with lam_i in (0, 1).

    lam, coeffs: (..., m)  ->  (..., T).  lam^s is exp(s log lam): exact near lam = 1
    where repeated products lose digits.
    """
    s = torch.arange(T, dtype=lam.dtype)
    powers = torch.exp(s * torch.log(lam)[..., :, None])      # (..., m, T)
    return torch.einsum("...m,...mt->...t", coeffs, powers)


def dense_kernel(A: torch.Tensor, B: torch.Tensor, c: torch.Tensor, T: int) -> torch.Tensor:
    """K_s = c^T A^s B for s = 0..T-1 by doubling: log2(T) matrix products, no time loop.

    A: (..., m, m);  B: (..., m);  c: (..., m)  ->  (..., T)
    """
    P = B[..., :, None]                                        # (..., m, k): columns A^j B, j < k
    Ak = A                                                     # A^k
    while P.shape[-1] < T:
        P = torch.cat([P, Ak @ P], dim=-1)                     # (..., m, 2k)
        Ak = Ak @ Ak
    return torch.einsum("...m,...mt->...t", c, P[..., :T])


def continuous_dense_kernel(W: torch.Tensor, U: torch.Tensor, c: torch.Tensor,
                            T: int, dt: float) -> torch.Tensor:
    """rhohat(k dt) = c^T e^{W k dt} U for k = 0..T-1 (exact sampling of c^T e^{Ws} U).

    W: (..., m, m);  U, c: (..., m)  ->  (..., T)
    """
    return dense_kernel(torch.linalg.matrix_exp(W * dt), U, c, T)


def convolve(kernel: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Causal convolution y_t = sum_{s<=t} K_s x_{t-s} by FFT.

    kernel: (..., T) or broadcastable;  x: (..., T)  ->  (..., T)
    """
    T = x.shape[-1]
    n = 2 * T                                                  # zero-pad: no wrap-around
    y = torch.fft.irfft(torch.fft.rfft(kernel, n) * torch.fft.rfft(x, n), n)
    return y[..., :T]
