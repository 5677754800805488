"""Kernels: what a linear recurrence remembers, and the causal convolution it defines.

A linear RNN never needs a loop over time: its input-output map is a convolution
with its kernel. A diagonal recurrence h_{t+1} = a h_t + u x_t, y = c^T h has the
exponential-sum kernel K_t = sum_i g_i a_i^t (g_i = c_i u_i): ``powers`` (a^t, the one
routine for it) and ``exp_sum`` (the one sum over modes). A mode is given by its
distance to the edge of stability, delta = 1 - a (the book's convention: a
perturbation W -> W + beta I is delta -> delta - beta, exact in float64 even where a
itself would round to 1), or, for models trained in eigenvalue space, by a itself.
Continuous time: ``diagonal_kernel`` is sum_i c_i e^{-w_i t} with its gradient
written out. A dense recurrence: ``dense_kernel`` by doubling. ``convolve`` runs any
kernel on inputs by FFT.
"""
from __future__ import annotations

import torch

# A mode's exponent is cut at +-700: e^-700 ~ 1e-304 is far below any error we measure,
# and exp of a more negative argument returns a subnormal or 0, 5-10x slower on a CPU; a
# perturbed unstable mode grows huge but stays finite.
MAX_EXPONENT = 700.0

# exp_sum works in blocks of at most this many powers (8 MB): a larger temporary is
# mapped fresh from the system at every call and its page faults cost more than the exp
CHUNK = 2 ** 20


def _log_abs(delta: torch.Tensor | None, a: torch.Tensor | None):
    """log|a| and where a < 0, from delta = 1 - a (log1p: exact near the edge) or from a."""
    if (delta is None) == (a is None):
        raise ValueError("give the modes as delta (their distance to the edge) or as a")
    if a is not None:
        return torch.log(a.abs().clamp_min(1e-300)), a < 0
    log_mag = torch.log1p(-delta.clamp(max=1.0))                         # delta <= 1
    negative = delta > 1
    if negative.any():
        log_mag = torch.where(negative, torch.log((delta - 1).abs()), log_mag)
    return log_mag, negative


def powers(t: torch.Tensor, *, delta: torch.Tensor | None = None,
           a: torch.Tensor | None = None, log: torch.Tensor | None = None) -> torch.Tensor:
    """a^t for modes a = 1 - delta (or a given) at lags t >= 0: |a|^t = exp(t log|a|)
    and the sign (-1)^t where a < 0. log|a| is floored at -700, so that a = 0 gives
    0^0 = 1 and 1e-304 after (never nan), and t log|a| is cut at +-700 (MAX_EXPONENT).
    Lags past the head are only used where negative modes have died, so the sign
    there is immaterial. Or a = e^log for a ``log`` that may be complex (a
    continuous-time eigenvalue held for one step): e^{t log}, its real part cut at
    +-700.  delta, a or log: (..., m); t: (T,)  ->  (..., m, T)"""
    if log is not None:
        if delta is not None or a is not None:
            raise ValueError("give the modes as delta, as a or as log, one of them")
        return _exp_powers(log, t)
    log_mag, negative = _log_abs(delta, a)
    x = torch.mul(log_mag.clamp(min=-MAX_EXPONENT)[..., None], t)      # (..., m, T)
    if x.requires_grad:                                                 # autograd
        out = torch.exp(x.clamp(-MAX_EXPONENT, MAX_EXPONENT))
    else:              # in place: a fresh (..., m, T) buffer per op costs more than the op
        out = x.clamp_(-MAX_EXPONENT, MAX_EXPONENT).exp_()
    if negative.any():
        odd = torch.remainder(t, 2) == 1                                 # (T,)
        out = torch.where(negative[..., None] & odd, -out, out)
    return out


def _exp_powers(log: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """e^{t log}, the real part of the exponent cut at +-MAX_EXPONENT.
    log: (..., m) real or complex; t: (T,)  ->  (..., m, T)"""
    x = log[..., None] * t                                              # (..., m, T)
    if x.is_complex():
        return torch.exp(torch.complex(x.real.clamp(-MAX_EXPONENT, MAX_EXPONENT), x.imag))
    return torch.exp(x.clamp(-MAX_EXPONENT, MAX_EXPONENT))


def exp_sum(g: torch.Tensor, t: torch.Tensor, *, delta: torch.Tensor | None = None,
            a: torch.Tensor | None = None) -> torch.Tensor:
    """K_t = sum_i g_i a_i^t (modes as in ``powers``), in blocks of rows (CHUNK).
    g, delta or a: (..., m); t: (T,)  ->  (..., T)"""
    modes = delta if delta is not None else a
    modes, g = torch.broadcast_tensors(modes, g)
    m = modes.shape[-1]
    d, w = modes.reshape(-1, m), g.reshape(-1, m)                        # (n, m)
    rows = max(1, CHUNK // max(1, m * t.numel()))
    key = "delta" if delta is not None else "a"
    K = [torch.einsum("nm,nmt->nt", w[i:i + rows], powers(t, **{key: d[i:i + rows]}))
         for i in range(0, d.shape[0], rows)] or [d.new_zeros(0, t.numel())]
    return torch.cat(K).reshape(*modes.shape[:-1], t.numel())


class _DiagonalKernel(torch.autograd.Function):
    """rhohat(t) = sum_i c_i e^{-w_i t} with its gradient written out: the decays are
    saved and each gradient is one batched matrix-vector product,

        dL/dc_i = sum_t g_t e^{-w_i t},   dL/dw_i = -c_i sum_t t g_t e^{-w_i t},

    4x faster than autograd through the exp (the training loops' largest cost)."""

    @staticmethod
    def forward(ctx, t, rates, coeffs):
        # in place: a fresh (..., m, T) buffer per op costs more than the op (page faults)
        decay = torch.mul(rates[..., :, None], -t)                 # (..., m, T) -w_i t
        decay.clamp_(-MAX_EXPONENT, MAX_EXPONENT).exp_()
        ctx.save_for_backward(t, rates, coeffs, decay)
        return torch.einsum("...m,...mt->...t", coeffs, decay)    # (..., T)

    @staticmethod
    def backward(ctx, g):                                          # g: (..., T)
        t, rates, coeffs, decay = ctx.saved_tensors
        grad_c = torch.einsum("...t,...mt->...m", g, decay)
        if (rates * t.max() < -MAX_EXPONENT).any():                # a cut growing mode:
            decay = decay * (rates[..., :, None] * t >= -MAX_EXPONENT)   # no slope there
        grad_w = -coeffs * torch.einsum("...t,...mt->...m", g * t, decay)
        grad_t = None
        if ctx.needs_input_grad[0]:
            grad_t = -torch.einsum("...m,...mt->...t", coeffs * rates, decay) * g
            grad_t = grad_t.reshape(-1, t.shape[-1]).sum(0)
        return grad_t, grad_w, grad_c


def diagonal_kernel(t: torch.Tensor, rates: torch.Tensor, coeffs: torch.Tensor) -> torch.Tensor:
    """Continuous time: rhohat(t) = sum_i c_i e^{-w_i t}, exponents cut at +-700.

    t: (T,) lags;  rates w, coeffs c: (..., m)  ->  (..., T)
    """
    rates, coeffs = torch.broadcast_tensors(rates, coeffs)
    return _DiagonalKernel.apply(t, rates, coeffs)


def normalised_diagonal_kernel(t: torch.Tensor, lam: torch.Tensor,
                               coeffs: torch.Tensor) -> torch.Tensor:
    """Continuous diagonal RNN rhohat(t) = sum_i c_i |lam_i| e^{lam_i t}, the input
    weights normalised so that a stable mode's kernel has l1 mass |c_i| whatever its
    eigenvalue: diagonal_kernel with rates -lam (negative for an unstable mode).

    t: (T,);  lam (eigenvalues, < 0 when stable), coeffs: (..., m)  ->  (..., T)
    """
    return diagonal_kernel(t, -lam, coeffs * lam.abs())


def krylov(A: torch.Tensor, B: torch.Tensor, L: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The columns A^j B, j < L' (L' >= L, a power of 2), by doubling: log2(L) matrix
    products, no time loop; and A^L'.  A: (..., m, m); B: (..., m)
    ->  P (..., m, L'), A^L' (..., m, m)"""
    P, Ak = B[..., :, None], A                                 # P: columns A^j B, j < k
    while P.shape[-1] < L:
        P = torch.cat([P, Ak @ P], dim=-1)                     # (..., m, 2k)
        Ak = Ak @ Ak                                           # A^{2k}
    return P, Ak


def dense_kernel(A: torch.Tensor, B: torch.Tensor, c: torch.Tensor, T: int) -> torch.Tensor:
    """K_s = c^T A^s B for s = 0..T-1 (``krylov``).

    A: (..., m, m);  B: (..., m);  c: (..., m)  ->  (..., T)
    """
    P, _ = krylov(A, B, T)
    return torch.einsum("...m,...mt->...t", c, P[..., :T])


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
    reads the inputs up to step k-1 (com.models.residual.rnn).  (..., T) -> (..., T)"""
    return convolve(kernel, torch.cat([torch.zeros_like(x[..., :1]), x[..., :-1]], -1))


__all__ = ["MAX_EXPONENT", "CHUNK", "powers", "exp_sum", "diagonal_kernel",
           "normalised_diagonal_kernel", "krylov", "dense_kernel", "convolve",
           "convolve_lagged"]
