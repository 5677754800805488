"""Perturbation protocols: which models E_m(beta) takes the sup over (wang2024inverse,
Def. 3.4), each a set of directions of 2-norm 1 scaled by every radius beta.

E_m(beta) = sup over |perturbation|_2 <= beta of ||H - Hhat||. The sup is estimated
from below, over directions that keep the model in its family:

* ``diagonal``: a width-m diagonal RNN h_{k+1} = J h_k + u x_k, y = c^T h,
  J = diag(1 - delta): the proof's direction, W -> W + beta I (every delta_i -> delta_i
  - beta), u and c stretched by beta along themselves; its opposite, W - beta I; then
  random vertices dW = beta diag(s), s_i = +-1 at random, du, dc random of norm beta.
  With a parameterisation f (wang2023stablessm; ``pname``) the model is the normalised
  recurrence h_{k+1} = J h_k + delta x_k (the input gain is the step towards the edge,
  delta = -f(w), dt = 1), so that mode i's l1 mass is its output weight c_i whatever
  its eigenvalue; the perturbation acts on the raw weight w (|dw|_inf <= beta) and on c.
* ``family_directions``: a family of com.models.families, its recurrent raw tensors
  only (every w_i +1, every w_i -1, then random signs; a dense S by random matrices).
* ``edge``: the proof's direction alone, U and c held (com.experiments.curse).

com.stability.curves turns any of them into E_m(beta).
"""
from __future__ import annotations

import torch

from ..models.padding import live
from ..models.parameterisations import get

Params = dict[str, torch.Tensor]


def split(g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Input and output weights u = c = sqrt(g) of a kernel with weights g >= 0
    (balanced: neither carries the scale).  (..., m) -> (..., m), (..., m)"""
    r = g.clamp_min(0).sqrt()
    return r, r


def moved(delta: torch.Tensor, shift: torch.Tensor, pname: str) -> torch.Tensor:
    """Distances to the edge after the raw weight w with delta = -f(w) moves by
    ``shift`` (the continuous f of com.models.parameterisations, in eigenvalue space):
    direct f(w) = w gives delta - shift; exp, -f(w + s) = delta e^{+shift}, never 0.
    (...) -> (...)"""
    if pname == "direct":
        return delta - shift
    f = get("continuous", pname)
    return -f(f.inverse(-delta) + shift)


def diagonal(delta: torch.Tensor, g: torch.Tensor, width: torch.Tensor,
                           betas: torch.Tensor, n_samples: int, generator: torch.Generator,
                           pname: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Perturbed modes and kernel weights of W models: the edge direction (every raw
    weight +beta, the weights stretched along themselves), its opposite, then n_samples
    random vertices, each at every radius (only a model's first ``width`` units move).
    ``pname`` None: the free linear RNN (W, u = c = sqrt(g) perturbed); a name: the
    normalised recurrence through that parameterisation (w and c = g / delta).
    delta, g: (W, M); width: (W,); betas: (B,)
    ->  delta~, g~: (W, B, 2 + n_samples, M)"""
    W, M = delta.shape
    unit = live(width, M, delta.dtype)                                  # (W, M)

    def along(v):                                                       # (W, 1, M)
        return (v / v.norm(dim=-1, keepdim=True).clamp_min(1e-300))[:, None]

    def rand_unit():
        r = torch.randn(W, n_samples, M, generator=generator) * unit[:, None, :]
        return r / r.norm(dim=-1, keepdim=True).clamp_min(1e-300)      # (W, K, M)

    sign = torch.rand(W, n_samples, M, generator=generator) < 0.5
    ds = torch.cat([unit[:, None], -unit[:, None],
                    torch.where(sign, -1.0, 1.0) * unit[:, None]], 1)   # (W, 2+K, M)
    b = betas[None, :, None, None]                                      # (1, B, 1, 1)
    delta_p = moved(delta[:, None, None], b * ds[:, None], pname or "direct")
    if pname is None:                                                   # free: u, c move
        u, c = split(g)
        du = torch.cat([along(u), along(u), rand_unit()], 1)            # (W, 2+K, M)
        dc = torch.cat([along(c), along(c), rand_unit()], 1)
        g_p = (c[:, None, None] + b * dc[:, None]) * (u[:, None, None] + b * du[:, None])
        return delta_p, g_p
    c = g / delta                                                       # mode masses
    dc = torch.cat([along(c), along(c), rand_unit()], 1)
    return delta_p, (c[:, None, None] + b * dc[:, None]) * delta_p       # input gain delta~


def family_directions(params: Params, keys: tuple[str, ...], n_samples: int,
               generator: torch.Generator) -> list[Params]:
    """Unit perturbation directions of the recurrent tensors (2-norm 1 per tensor: a
    vector w is diag(w), whose 2-norm is max |w_i|): every w_i +1, every w_i -1 (a
    dense S held), then n_samples random ones (random signs for w, Gaussian matrices
    scaled to spectral norm 1 for S).  -> 2 + n_samples dicts"""
    out = []
    for d in range(2 + n_samples):
        one = {}
        for k in keys:
            p = params[k]
            if p.dim() == 1:                                            # diagonal: w
                sign = torch.rand(p.shape, generator=generator) < 0.5 if d >= 2 \
                    else torch.full(p.shape, d == 1)
                one[k] = torch.where(sign, -1.0, 1.0)
            elif d < 2:
                one[k] = torch.zeros_like(p)                            # edge: w alone
            else:                                                       # dense: S
                r = torch.randn(p.shape, generator=generator)
                one[k] = r / torch.linalg.matrix_norm(r, 2)
        out.append(one)
    return out


def edge(delta: torch.Tensor, betas: torch.Tensor) -> torch.Tensor:
    """The proof's direction alone, W -> W + beta I with U and c held: every mode
    delta - beta, kernel weights unchanged.  delta: (..., M); betas: (B,)
    ->  (..., B, 1, M), one direction per radius"""
    return delta[..., None, None, :] - betas[:, None, None]


__all__ = ["split", "moved", "diagonal", "family_directions", "edge"]
