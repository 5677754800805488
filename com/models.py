"""Models: linear RNNs through their kernels, and the causal convolution they define.

A linear RNN never needs a loop over time: its input-output map is a convolution
with its kernel. Continuous time: rhohat(s) = c^T e^{W s} U; diagonal W = -diag(w)
gives rhohat(s) = sum_i c_i e^{-w_i s}. Discrete time: h_{k+1} = A h_k + B x_k,
y_k = c^T h_k ... has kernel K_s = c^T A^s B.
"""
from __future__ import annotations

import torch

# A mode's exponent is cut at +-700: e^-700 ~ 1e-304 is far below any error we measure,
# and exp of a more negative argument returns a subnormal or 0, 5-7x slower on a CPU; a
# perturbed unstable mode grows huge but stays finite.
_MAX_EXPONENT = 700.0


class _DiagonalKernel(torch.autograd.Function):
    """rhohat(t) = sum_i c_i e^{-w_i t} with its gradient written out: the decays are
    saved and each gradient is one batched matrix-vector product,

        dL/dc_i = sum_t g_t e^{-w_i t},   dL/dw_i = -c_i sum_t t g_t e^{-w_i t},

    4x faster than autograd through the exp (the training loops' largest cost)."""

    @staticmethod
    def forward(ctx, t, rates, coeffs):
        # in place: a fresh (..., m, T) buffer per op costs more than the op (page faults)
        decay = torch.mul(rates[..., :, None], -t)                 # (..., m, T) -w_i t
        decay.clamp_(-_MAX_EXPONENT, _MAX_EXPONENT).exp_()
        ctx.save_for_backward(t, rates, coeffs, decay)
        return torch.einsum("...m,...mt->...t", coeffs, decay)    # (..., T)

    @staticmethod
    def backward(ctx, g):                                          # g: (..., T)
        t, rates, coeffs, decay = ctx.saved_tensors
        grad_c = torch.einsum("...t,...mt->...m", g, decay)
        if (rates * t.max() < -_MAX_EXPONENT).any():               # a cut growing mode:
            decay = decay * (rates[..., :, None] * t >= -_MAX_EXPONENT)  # no slope there
        grad_w = -coeffs * torch.einsum("...t,...mt->...m", g * t, decay)
        grad_t = None
        if ctx.needs_input_grad[0]:
            grad_t = -torch.einsum("...m,...mt->...t", coeffs * rates, decay) * g
            grad_t = grad_t.reshape(-1, t.shape[-1]).sum(0)
        return grad_t, grad_w, grad_c


def diagonal_kernel(t: torch.Tensor, rates: torch.Tensor, coeffs: torch.Tensor) -> torch.Tensor:
    """rhohat(t) = sum_i c_i e^{-w_i t}, exponents cut at +-700 (see _MAX_EXPONENT).

    t: (T,) lags;  rates w, coeffs c: (..., m)  ->  (..., T)
    """
    rates, coeffs = torch.broadcast_tensors(rates, coeffs)
    return _DiagonalKernel.apply(t, rates, coeffs)


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


def convolve_lagged(kernel: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """y_k = sum_{s>=0} K_s x_{k-1-s}: the output of a recurrence whose y_k = c^T h_k
    reads the inputs up to step k-1 (com.residual.rnn).  (..., T) -> (..., T)"""
    return convolve(kernel, torch.cat([torch.zeros_like(x[..., :1]), x[..., :-1]], -1))


# --- Families with a parameterised recurrence (wang2023stablessm, wang2023statespace) ---
# Eigenvalues lam = f(w) come from com.parameterisations. Input weights are normalised
# so that a stable mode's kernel has L1 mass |c_i| whatever its eigenvalue (|lam| in
# continuous time, 1 - lam in discrete time, as the LRU's gamma normalisation does in L2):
# a mode near the edge of stability then costs no larger weights.

def normalised_diagonal_kernel(t: torch.Tensor, lam: torch.Tensor,
                               coeffs: torch.Tensor) -> torch.Tensor:
    """Continuous diagonal RNN rhohat(t) = sum_i c_i |lam_i| e^{lam_i t}: diagonal_kernel
    with rates -lam (negative for an unstable mode, whose kernel grows).

    t: (T,);  lam (eigenvalues, < 0 when stable), coeffs: (..., m)  ->  (..., T)
    """
    return diagonal_kernel(t, -lam, coeffs * lam.abs())


def signed_powers(lam: torch.Tensor, T: int) -> torch.Tensor:
    """lam^s for s = 0..T-1 and lam of any sign, as sign^s exp(s log|lam|).
    (..., m) -> (..., m, T)"""
    s = torch.arange(T, dtype=lam.dtype)
    logmag = torch.clamp(s * torch.log(lam.abs().clamp_min(1e-300))[..., None],
                         -_MAX_EXPONENT, _MAX_EXPONENT)
    sign = torch.where(lam[..., None] < 0, 1.0 - 2.0 * (s % 2), torch.ones_like(s))
    return sign * torch.exp(logmag)


def normalised_discrete_kernel(lam: torch.Tensor, coeffs: torch.Tensor, T: int) -> torch.Tensor:
    """Discrete diagonal (LRU-style) recurrence h_{k+1} = lam h_k + (1 - lam) x_k:
    K_s = sum_i c_i (1 - lam_i) lam_i^s.   lam, coeffs: (..., m)  ->  (..., T)"""
    return torch.einsum("...m,...mt->...t", coeffs * (1 - lam), signed_powers(lam, T))


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
    T = x.shape[-1]
    # layer 1 convolves b_i x, i.e. the kernel b_i K_i with x itself: one FFT of x,
    # not of the (..., N, m, T) tensor b x
    u, gain, z = x[..., :, None, :], b[..., None], None           # (..., N, 1, T), (..., m, 1)
    for layer, lam in enumerate(lams):
        if layer > 0:
            u, gain = torch.einsum("...ij,...njt->...nit", mixes[layer - 1], z), 1.0
        K = gain * (1 - lam)[..., None] * signed_powers(lam, T)    # (..., m, T)
        z = sigma(convolve(K[..., None, :, :], u))                 # (..., N, m, T)
    return torch.einsum("...i,...nit->...nt", c, z)
