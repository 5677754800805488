"""The residual (forward-Euler) RNN of wang2024inverse, many models in one tensor program.

    h_0 = 0,  h_{k+1} = h_k + dt * sigma(W h_k + U x_k + b),  y_k = c^T h_k.

``rnn`` runs it in time (the one place a time loop is inherent); ``init`` draws the
diagonal initialisation; ``kernel`` and ``diagonal_kernel`` give the linear case
(sigma = identity, b = 0) in closed form by powers of A = I + dt W, with no time loop.
"""
from __future__ import annotations

import torch

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


def rnn(params: dict, x: torch.Tensor, sigma: str, dt: float) -> torch.Tensor:
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


def init(widths: list[int], d: int, generator: torch.Generator,
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


def kernel(params: dict, L: int, dt: float,
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


def diagonal_kernel(w: torch.Tensor, u: torch.Tensor, c: torch.Tensor, T: int,
                             dt: float) -> torch.Tensor:
    """Kernel of the linear residual RNN with diagonal W = diag(w), d = 1:
    K_0 = 0, K_s = dt sum_i c_i u_i (1 + dt w_i)^{s-1}. No time loop; eigenvalues of any sign.

    w, u, c: (..., m)  ->  (..., T)
    """
    s = torch.arange(T - 1, dtype=w.dtype)
    powers = torch.pow((1 + dt * w)[..., :, None], s)               # (..., m, T-1)
    K = dt * torch.einsum("...m,...mt->...t", c * u, powers)
    return torch.cat([torch.zeros_like(K[..., :1]), K], dim=-1)


__all__ = ["ACTIVATIONS", "activation", "rnn", "init", "kernel", "diagonal_kernel"]
