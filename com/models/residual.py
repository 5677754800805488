"""The residual (forward-Euler) RNN of wang2024inverse, many models in one tensor program.

    h_0 = 0,  h_{k+1} = h_k + dt * sigma(W h_k + U x_k + b),  y_k = c^T h_k.

``rnn`` runs it in time (a nonlinear recurrence has no kernel, so its time loop is
inherent; as in com.models.random_nets), with W dense or diagonal; ``extremes`` says
how far each unit's state and pre-activation go; ``init`` draws the diagonal
initialisation; ``kernel`` gives the linear case (sigma = identity, b = 0) in closed
form by powers of A = I + dt W (com.models.kernels.krylov), with no time loop.
"""
from __future__ import annotations

import torch

from .kernels import krylov
from .padding import live as live_units
from .padding import square

ACTIVATIONS = {
    "linear": lambda z: z,
    "tanh": torch.tanh,
    "hardtanh": torch.nn.functional.hardtanh,
}


def slope(sigma: str, a: torch.Tensor) -> torch.Tensor:
    """sigma'(z) from a = sigma(z): 1, 1 - a^2 (tanh), 1 inside (-1, 1) (hardtanh)."""
    if sigma == "linear":
        return torch.ones_like(a)
    if sigma == "tanh":
        return 1 - a * a
    return (a.abs() < 1).to(a.dtype)


def activation(sigma: str):
    """The activation named ``sigma``; every one has sigma(0) = 0, so zero-padded
    units of a narrower model stay at h = 0 and change nothing."""
    if sigma not in ACTIVATIONS:
        raise ValueError(f"activation 'sigma' must be one of {sorted(ACTIVATIONS)}; got {sigma!r}")
    return ACTIVATIONS[sigma]


def _steps(W, U, b, x, dt, act):
    """The recurrence from h_0 = 0, one step at a time: yields (h_k, z_k, sigma(z_k)),
    z_k = W h_k + U x_k + b, for k < T (each (n, N, m)). W (n, m, m), or its diagonal
    (n, m): then W h is elementwise, m times less work.  x: (n, N, T, d)"""
    n, N, T, _ = x.shape
    Ut, bias = U.transpose(1, 2), b[:, None, :].expand(n, N, -1)
    Wt = W[:, None] if W.dim() == 2 else W.transpose(1, 2)
    h = x.new_zeros(n, N, W.shape[1])                               # h_0
    for k in range(T):
        z = torch.baddbmm(bias, x[:, :, k], Ut)                    # (n, N, m)
        z = z.addcmul_(h, Wt) if W.dim() == 2 else z.baddbmm_(h, Wt)
        a = act(z)
        yield h, z, a
        h = torch.add(h, a, alpha=dt)                               # h_{k+1}


class _Recurrence(torch.autograd.Function):
    """h_{k+1} = h_k + dt sigma(z_k), z_k = W h_k + U x_k + b, y_k = c^T h_k, with its
    backward written out (backpropagation through time): from g_T = 0,

        dz_k = dt sigma'(z_k) * g_{k+1},   g_k = g_{k+1} + W^T dz_k + c dL/dy_k,
        dL/dW = sum_k dz_k h_k^T,  dL/dU = sum_k dz_k x_k^T,  dL/db = sum_k dz_k,
        dL/dc = sum_k dL/dy_k h_k.

    Every step works on (n, N, m) slices that stay in cache, and every sum over k is
    accumulated in place: no (n, N, T, m) buffer is ever allocated whole (at these sizes,
    allocating one costs more than the arithmetic).  Rows are (model n, sequence N) pairs."""

    @staticmethod
    def forward(ctx, W, U, b, c, x, dt, sigma):   # (n,m,m) or (n,m), (n,m,d) (n,m) (n,m)
        hs, acts, ys = [], [], []
        for h, _, a in _steps(W, U, b, x, dt, ACTIVATIONS[sigma]):
            ys.append(torch.bmm(h, c[:, :, None]))                  # (n, N, 1) y_k = c^T h_k
            hs.append(h)
            acts.append(a)
        ctx.save_for_backward(W, c, x)
        ctx.hs, ctx.acts, ctx.dt, ctx.sigma = hs, acts, dt, sigma
        return torch.cat(ys, dim=-1)                                # (n, N, T)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, gy):                                           # gy: (n, N, T)
        W, c, x = ctx.saved_tensors
        hs, acts, dt = ctx.hs, ctx.acts, ctx.dt
        gW, gU = torch.zeros_like(W), W.new_zeros(W.shape[0], W.shape[1], x.shape[-1])
        gb, gc = torch.zeros_like(c), torch.zeros_like(c)
        g = torch.zeros_like(hs[0])                                  # g_T = 0: h_T unread
        for k in reversed(range(len(hs))):
            dz = slope(ctx.sigma, acts[k]).mul_(g).mul_(dt)         # (n, N, m)
            gy_k = gy[:, :, k, None]                                 # (n, N, 1)
            if W.dim() == 2:                                         # diagonal W
                gW.add_((dz * hs[k]).sum(1))
            else:
                gW.baddbmm_(dz.transpose(1, 2), hs[k])
            gU.baddbmm_(dz.transpose(1, 2), x[:, :, k])
            gb.add_(dz.sum(1))
            gc.add_(torch.bmm(gy_k.transpose(1, 2), hs[k])[:, 0])
            g = g.addcmul_(gy_k, c[:, None, :])
            g = g.addcmul_(dz, W[:, None]) if W.dim() == 2 else g.baddbmm_(dz, W)  # g_k
        return gW, gU, gb, gc, None, None, None


def rnn(params: dict, x: torch.Tensor, sigma: str, dt: float,
        widths=None) -> torch.Tensor:
    """n residual (forward-Euler) RNNs at once:

        h_0 = 0,  h_{k+1} = h_k + dt * sigma(W h_k + U x_k + b),  y_k = c^T h_k.

    params: W (n, m, m), or its diagonal (n, m) for diagonal models; U (n, m, d),
            b (n, m), c (n, m); models of smaller width are zero-padded to m.
    x: (N, T, d) shared by all models, or (n, N, T, d).
    widths: optional (n,) live widths of the padded models: models of one width then
            run together on their live block (no work on padding; same outputs).
    returns y: (n, N, T).  The loop over time is inherent; the models share it, and its
    backward is written out (_Recurrence).
    """
    activation(sigma)                                          # a bad name stops here
    if widths is not None:
        return _by_width(params, x, sigma, dt, torch.as_tensor(widths))
    W, U, b, c = params["W"], params["U"], params["b"], params["c"]
    if x.dim() == 3:
        x = x.expand(c.shape[0], *x.shape)                     # (n, N, T, d), no copy
    return _Recurrence.apply(W, U, b, c, x, dt, sigma)


def _by_width(params: dict, x: torch.Tensor, sigma: str, dt: float,
              widths: torch.Tensor) -> torch.Tensor:
    """``rnn`` once per distinct width on the live blocks, outputs back in model order."""
    if widths.shape != params["c"].shape[:1] or int(widths.max()) > params["c"].shape[1]:
        raise ValueError(f"'widths' must give one width <= {params['c'].shape[1]} per model; "
                         f"got shape {tuple(widths.shape)}")
    groups, ys = [], []
    for w in widths.unique().tolist():
        idx = (widths == w).nonzero()[:, 0]                    # the models of width w
        lo, hi = int(idx[0]), int(idx[-1]) + 1
        pick = slice(lo, hi) if hi - lo == len(idx) else idx   # a run of models: a view
        live = {k: v[pick][:, :w, :w] if k == "W" and v.dim() == 3 else v[pick][:, :w]
                for k, v in params.items()}
        ys.append(rnn(live, x if x.dim() == 3 else x[pick], sigma, dt))
        groups.append(idx)
    order = torch.cat(groups)
    y = torch.cat(ys)
    if torch.equal(order, torch.arange(len(order))):           # already in model order
        return y
    return y[torch.argsort(order)]


def extremes(params: dict, x: torch.Tensor, sigma: str, dt: float) -> dict:
    """How far each unit goes on inputs x: max over sequences and steps of |h_k| and of
    its pre-activation |z_k| = |W h_k + U x_k + b| (the recurrence of ``rnn``, forward
    only). Past |z| = 1 a hardtanh unit clips.  params as for ``rnn``; x: (N, T, d)
    -> {"h": (n, m), "z": (n, m)}"""
    activation(sigma)
    W, U, b = params["W"], params["U"], params["b"]
    top = {"h": W.new_zeros(U.shape[:2]), "z": W.new_zeros(U.shape[:2])}
    with torch.no_grad():
        for h, z, _ in _steps(W, U, b, x.expand(U.shape[0], *x.shape), dt,
                              ACTIVATIONS[sigma]):
            top["h"] = torch.maximum(top["h"], h.abs().amax(1))
            top["z"] = torch.maximum(top["z"], z.abs().amax(1))
    return top


def init(widths: list[int], d: int, generator: torch.Generator,
         rates=(0.05, 1.0)) -> tuple[dict, dict]:
    """One residual RNN per entry of ``widths``, zero-padded to the largest width.

    W = -diag(w), w uniform in ``rates``; U ~ N(0, 1/m) per entry; b = 0; c = 0.
    returns params W (n, M, M), U (n, M, d), b (n, M), c (n, M) and the 0/1 masks of
    their live entries (same shapes, com.models.padding), for training and perturbing.
    """
    n, M = len(widths), max(widths)
    live = live_units(widths, M)                                                 # (n, M)
    w = torch.empty(n, M).uniform_(*rates, generator=generator)
    U = torch.randn(n, M, d, generator=generator) / torch.tensor(widths)[:, None, None] ** 0.5
    mask = {"W": square(live), "U": live[..., None].expand(n, M, d).clone(),
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
    P, Ak = krylov(A, U, L)                                         # [A^j U], A^L
    K = dt * torch.einsum("...m,...mt->...t", c, P[..., :L])       # (..., L): s = 1..L
    K = torch.cat([torch.zeros_like(K[..., :1]), K], dim=-1)
    q = torch.linalg.matrix_norm(Ak, ord=2)                         # |A^L|_2
    mass = P[..., :L].norm(dim=-2).sum(-1)                          # sum_j |A^j U|
    tail = torch.where(q < 1, dt * c.norm(dim=-1) * q / (1 - q).clamp_min(1e-300) * mass,
                       torch.full_like(q, float("inf")))
    return K, tail


__all__ = ["ACTIVATIONS", "activation", "slope", "rnn", "extremes", "init", "kernel"]
