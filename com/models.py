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


def convolve_lagged(kernel: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """y_k = sum_{s>=0} K_s x_{k-1-s}: the output of a recurrence whose y_k = c^T h_k
    reads the inputs up to step k-1 (com.models.residual_rnn).  (..., T) -> (..., T)"""
    return convolve(kernel, torch.cat([torch.zeros_like(x[..., :1]), x[..., :-1]], -1))


# --- Nonlinear residual RNNs, many models in one tensor program (wang2024inverse) ---

ACTIVATIONS = {
    "linear": lambda z: z,
    "tanh": torch.tanh,
    "hardtanh": torch.nn.functional.hardtanh,
}


def activation(sigma: str):
    """The activation named ``sigma``; every one has sigma(0) = 0, so zero-padded
    units of a narrower model stay at h = 0 and change nothing."""
    if sigma not in ACTIVATIONS:
        raise ValueError(f"activation 'sigma' must be one of {sorted(ACTIVATIONS)}; got {sigma!r}")
    return ACTIVATIONS[sigma]


def residual_rnn(params: dict, x: torch.Tensor, sigma: str, dt: float) -> torch.Tensor:
    """n residual (forward-Euler) RNNs at once:

        h_0 = 0,  h_{k+1} = h_k + dt * sigma(W h_k + U x_k + b),  y_k = c^T h_k.

    params: W (n, m, m), U (n, m, d), b (n, m), c (n, m); models of smaller width are
            zero-padded to m.  x: (N, T, d) shared by all models, or (n, N, T, d).
    returns y: (n, N, T).  The loop over time is inherent; the models share it.
    """
    act = activation(sigma)
    W, U, b, c = params["W"], params["U"], params["b"], params["c"]
    n, m = c.shape
    if x.dim() == 3:
        drive = torch.einsum("nmd,btd->nbtm", U, x)            # (n, N, T, m) U x_k
    else:
        drive = torch.einsum("nmd,nbtd->nbtm", U, x)
    drive = drive + b[:, None, None, :]
    N, T = drive.shape[1], drive.shape[2]
    h = drive.new_zeros(n, N, m)                               # (n, N, m)
    Wt = W.transpose(-1, -2)                                   # h W^T = (W h)^T row-wise
    # unbind once: indexing drive[:, :, k] would make backward allocate and add a
    # full (n, N, T, m) gradient at every step (measured 7x slower training)
    drives = drive.unbind(2)                                   # T x (n, N, m)
    ys = []
    for k in range(T):
        ys.append(torch.einsum("nbm,nm->nb", h, c))            # y_k = c^T h_k, (n, N)
        h = h + dt * act(torch.bmm(h, Wt) + drives[k])
    return torch.stack(ys, dim=-1)                             # (n, N, T)


# --- Families with a parameterised recurrence (wang2023stablessm, wang2023statespace) ---
# Eigenvalues lam = f(w) come from com.parameterisations. Input weights are normalised
# so that a stable mode's kernel has L1 mass |c_i| whatever its eigenvalue (|lam| in
# continuous time, 1 - lam in discrete time, as the LRU's gamma normalisation does in L2):
# a mode near the edge of stability then costs no larger weights.

# A perturbed unstable mode grows huge but stays finite; a fast mode's decay is cut at
# e^-700 ~ 1e-304, because exp of a more negative argument returns a subnormal number,
# about 7x slower on a CPU, and the difference is far below any error we measure.
_MAX_EXPONENT = 700.0


def normalised_diagonal_kernel(t: torch.Tensor, lam: torch.Tensor,
                               coeffs: torch.Tensor) -> torch.Tensor:
    """Continuous diagonal RNN rhohat(t) = sum_i c_i |lam_i| e^{lam_i t}.

    t: (T,);  lam (eigenvalues, < 0 when stable), coeffs: (..., m)  ->  (..., T)
    """
    exponent = torch.clamp(lam[..., :, None] * t, -_MAX_EXPONENT, _MAX_EXPONENT)  # (..., m, T)
    growth = torch.exp(exponent)
    return torch.einsum("...m,...mt->...t", coeffs * lam.abs(), growth)


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
    u = b[..., None, :, None] * x[..., :, None, :]                # (..., N, m, T)
    z = u
    for layer, lam in enumerate(lams):
        if layer > 0:
            u = torch.einsum("...ij,...njt->...nit", mixes[layer - 1], z)
        K = (1 - lam)[..., None] * signed_powers(lam, T)           # (..., m, T)
        z = sigma(convolve(K[..., None, :, :], u))                 # (..., N, m, T)
    return torch.einsum("...i,...nit->...nt", c, z)


def residual_init(widths: list[int], d: int, generator: torch.Generator,
                  rates=(0.05, 1.0)) -> tuple[dict, dict]:
    """One residual RNN per entry of ``widths``, zero-padded to the largest width.

    W = -diag(w), w uniform in ``rates``; U ~ N(0, 1/m) per entry; b = 0; c = 0.
    returns params W (n, M, M), U (n, M, d), b (n, M), c (n, M) and the 0/1 masks of
    their live entries (same shapes), for training and for perturbations.
    """
    n, M = len(widths), max(widths)
    live = torch.arange(M)[None, :] < torch.tensor(widths)[:, None]              # (n, M)
    live = live.to(torch.get_default_dtype())
    w = torch.empty(n, M).uniform_(*rates, generator=generator)
    U = torch.randn(n, M, d, generator=generator) / torch.tensor(widths)[:, None, None] ** 0.5
    mask = {"W": live[:, :, None] * live[:, None, :], "U": live[..., None].expand(n, M, d).clone(),
            "b": live, "c": live}
    params = {"W": -torch.diag_embed(w) * mask["W"], "U": U * mask["U"],
              "b": torch.zeros(n, M), "c": torch.zeros(n, M)}
    return params, mask


def residual_kernel(params: dict, L: int, dt: float,
                    live: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Kernel of the *linear* residual RNN (sigma = identity, b = 0, d = 1) and a bound
    on what lies beyond it.

        y_k = sum_{s>=1} K_s x_{k-s},  K_0 = 0,  K_s = dt c^T A^{s-1} U,  A = I + dt W.

    By doubling (log2 L products, no time loop) we get the columns A^j U, j < L, and
    q = |A^L|_2. Writing s = kL + j, |sum_{s>L} K_s| <= dt |c| sum_{k>=1} q^k sum_j |A^j U|,
    so tail <= dt |c| q / (1 - q) sum_{j<L} |A^j U|  (infinite when q >= 1).
    params: W (..., m, m), U (..., m, 1), c (..., m);  L a power of 2
    live: (..., m) 0/1 marks of the units in use; padded units get A = 0 there, so
    they neither carry signal nor count in |A^L|_2.
    returns K (..., L + 1) for s = 0..L, and tail (...) bounding sum_{s>L} |K_s|.
    """
    W, U, c = params["W"], params["U"][..., 0], params["c"]
    eye = torch.eye(W.shape[-1], dtype=W.dtype)
    if live is not None:
        eye = torch.diag_embed(live.to(W.dtype))
    A = eye + dt * W                                                # (..., m, m)
    P, Ak = U[..., :, None], A                                      # P: (..., m, k) = [A^j U]
    while P.shape[-1] < L:
        P = torch.cat([P, Ak @ P], dim=-1)
        Ak = Ak @ Ak
    K = dt * torch.einsum("...m,...mt->...t", c, P[..., :L])       # (..., L): s = 1..L
    K = torch.cat([torch.zeros_like(K[..., :1]), K], dim=-1)
    q = torch.linalg.matrix_norm(Ak, ord=2)                         # |A^L|_2
    mass = P[..., :L].norm(dim=-2).sum(-1)                          # sum_j |A^j U|
    tail = torch.where(q < 1, dt * c.norm(dim=-1) * q / (1 - q).clamp_min(1e-300) * mass,
                       torch.full_like(q, float("inf")))
    return K, tail


def residual_diagonal_kernel(w: torch.Tensor, u: torch.Tensor, c: torch.Tensor, T: int,
                             dt: float) -> torch.Tensor:
    """Kernel of the linear residual RNN with diagonal W = diag(w), d = 1:
    K_0 = 0, K_s = dt sum_i c_i u_i (1 + dt w_i)^{s-1}. No time loop; eigenvalues of any sign.

    w, u, c: (..., m)  ->  (..., T)
    """
    s = torch.arange(T - 1, dtype=w.dtype)
    powers = torch.pow((1 + dt * w)[..., :, None], s)               # (..., m, T-1)
    K = dt * torch.einsum("...m,...mt->...t", c * u, powers)
    return torch.cat([torch.zeros_like(K[..., :1]), K], dim=-1)
