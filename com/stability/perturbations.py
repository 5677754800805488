"""Perturbation protocols: which weights E_m(beta) moves, in which norm, and which
points of that ball a curve tries (wang2024inverse, Def. 3.4).

Def. 3.4 takes the sup over |theta~ - theta|_2 <= beta, |theta|_2 = max(|W|_2, |U|_2,
|b|_2, |c|_2): every tensor may move by beta at once. The authors' code
(radarFudan/Curse-of-memory, src/perturb.py) moves every parameter too, by Gaussian
noise rescaled to max-abs beta per tensor, sampled (30 repeats), not searched. Every
experiment of the book says which of these it does: ``PROTOCOLS`` (glued by the
chapters as ``perturbed_tensors``), with "sup" saying what the reported E_m(beta) is
of that set: "lower" (a max over points of the ball: radii read off it bound the true
radius from above), "upper" (a certified bound over the whole set, com.stability.bounds:
radii bound it from below) or "exact".

The points tried, for diagonal models with weights d (W = -diag(d): the distance of
each mode to the edge), u, b, c (``diagonal_weights``, the same for linear and
nonlinear models):

* edge: W -> W + beta I, the proof's direction, U, b and c held;
* aligned +-: W + beta I with u, c and b moved by beta along the directions that
  raise the linearisation's gains and offset most: du ~ c/d, dc ~ u/d, db ~ c/d
  (for a linear model with modes in (0, 1) the c and u moves are the exact worst ones:
  sup_{|dc| <= beta} ||dK||_1 = beta ||u/d||_2, com.stability.bounds.output_ball);
* random vertices: W + beta diag(+-1), u, b, c random of norm beta.

``diagonal`` applies them to the free linear RNN (u = c = sqrt(g), b = 0), or, with a
parameterisation f (wang2023stablessm), to the normalised recurrence
h_{k+1} = (1 - delta) h_k + delta x_k (input gain delta, so U is not a free weight;
the raw weight w moves, |dw|_inf <= beta, and c). ``family_directions``: a family of
com.models.families, its recurrent raw tensors only. ``edge``: the proof's direction
alone. com.stability.curves turns any of them into E_m(beta).
"""
from __future__ import annotations

from typing import Callable

import torch

from ..models.padding import live
from ..models.parameterisations import get

Params = dict[str, torch.Tensor]

# experiment -> (moved, norm, held, sup): what each E_m(beta) of the book is a sup over
PROTOCOLS: dict[str, tuple[str, str, str, str]] = {
    "free diagonal, sampled": (
        "W (W + beta I, W + beta diag(+-1)), U, b, c (aligned worst directions, random)",
        "2-norm <= beta per tensor, all at once (Def. 3.4)", "nothing", "lower"),
    "free diagonal, whole ball": (
        "W (any real matrix), U, b, c", "spectral / 2-norm <= beta per tensor, at once",
        "nothing", "upper"),
    "free diagonal, c alone": (
        "c", "|dc|_2 <= beta", "W, U, b", "exact within E_m(0) (both sides, closed form)"),
    "edge and windows": ("W -> W + beta I (the proof's direction)", "beta",
                         "U, b, c", "lower"),
    "linearisation r(J)": ("W (any matrix)", "spectral norm", "U, b, c",
                           "exact: where J = I + W leaves the unit disc"),
    "normalised, sampled": (
        "raw w through f (every w_i +-beta, random signs); c (along c, random)",
        "|dw|_inf <= beta, |dc|_2 <= beta", "U (the input gain is delta itself); b = 0",
        "lower"),
    "normalised, recurrent only": ("raw w through f", "|dw|_inf <= beta",
                                   "c; U (tied to w); b = 0", "upper"),
    "normalised, with c": ("raw w through f, and c", "|dw|_inf <= beta, |dc|_2 <= beta",
                           "U (tied to w); b = 0", "upper; c alone exact within E_m(0)"),
    "nonlinear students": (
        "W (W + beta I, W + beta diag(+-1)), U, b, c (aligned, random)",
        "2-norm <= beta per tensor and model, at once", "nothing",
        "lower (and over the inputs tried)"),
    "table, recurrent only": (
        "raw w (diagonal, LRU-style); S and w (vanilla); w1, w2 (SSM)",
        "|dw|_inf <= beta; spectral norm of dS <= beta",
        "c; input gains (tied to w by the normalisation); b = 0",
        "lower (sampled) and upper (certified)"),
    "table, c in the ball": ("c", "|dc|_2 <= beta", "w",
                             "exact within E_m(0) (both sides, closed form)"),
    "SSM with tanh": ("w1 (layer 1), w2 (layer 2) through f", "|dw|_inf <= beta",
                      "c, the layers' gains (eps, kappa)",
                      "lower (sampled, exact limits) and upper (certified)"),
}


def stated(*names: str) -> dict[str, dict[str, str]]:
    """The protocols ``names`` as data: name -> {moved, norm, held, sup} (the glue
    ``perturbed_tensors``)."""
    return {n: dict(zip(("moved", "norm", "held", "sup"), PROTOCOLS[n])) for n in names}


def split(g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Input and output weights u = c = sqrt(g) of a kernel with weights g >= 0
    (balanced: neither carries the scale).  (..., m) -> (..., m), (..., m)"""
    r = g.clamp_min(0).sqrt()
    return r, r


def rows(v: torch.Tensor) -> torch.Tensor:
    """v / |v|_2 over the last axis (0 where v = 0): unit directions of models stored
    as rows.  (..., M) -> (..., M)"""
    return v / v.norm(dim=-1, keepdim=True).clamp_min(1e-300)


def diagonal_weights(w: Params, betas: torch.Tensor, n_random: int,
                     generator: torch.Generator,
                     unit: Callable[[torch.Tensor], torch.Tensor] = rows,
                     mask: torch.Tensor | None = None) -> Params:
    """The points of Def. 3.4's ball tried for diagonal models with weights d, u, b, c
    (module docstring): edge, aligned +, aligned -, then n_random random vertices.
    ``unit`` scales a vector to 2-norm 1 per model (``rows``, or per model of a packed
    set); ``mask`` (1 on live units) confines the random moves.
    w: d, u, b, c (..., U); betas: (B,)  ->  d, u, b, c (..., B, 3 + n_random, U)"""
    d, u, b, c = (w[k] for k in "dubc")
    shape = d.shape[:-1] + (n_random, d.shape[-1])
    on = torch.ones_like(d) if mask is None else mask

    def rand():
        return unit(torch.randn(shape, generator=generator) * on[..., None, :])
    zero, up = torch.zeros_like(d)[..., None, :], -on[..., None, :]
    gain_u, gain_c = unit(c / d)[..., None, :], unit(u / d)[..., None, :]
    sign = torch.where(torch.rand(shape, generator=generator) < 0.5, -1.0, 1.0)
    dirs = {"d": torch.cat([up, up, up, -sign * on[..., None, :]], -2),
            "u": torch.cat([zero, gain_u, -gain_u, rand()], -2),
            "c": torch.cat([zero, gain_c, -gain_c, rand()], -2),
            "b": torch.cat([zero, gain_u, -gain_u, rand()], -2)}
    B = betas[:, None, None]                                           # (B, 1, 1)
    return {k: w[k][..., None, None, :] + B * dirs[k][..., None, :, :] for k in "dubc"}


def moved(delta: torch.Tensor, shift: torch.Tensor, pname: str) -> torch.Tensor:
    """Distances to the edge after the raw weight w with delta = -f(w) moves by
    ``shift`` (the continuous f of com.models.parameterisations, in eigenvalue space):
    direct f(w) = w gives delta - shift; exp, -f(w + s) = delta e^{+shift}, never 0.
    (...) -> (...)"""
    if pname == "direct":
        return delta - shift
    f = get("continuous", pname)
    return -f(f.inverse(-delta) + shift)


def diagonal(delta: torch.Tensor, g: torch.Tensor, width: torch.Tensor, betas: torch.Tensor,
             n_samples: int, generator: torch.Generator, pname: str | None = None
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Perturbed modes, kernel weights and bias offsets of W models, every radius
    (only a model's first ``width`` units move). ``pname`` None: the free linear RNN,
    u = c = sqrt(g), b = 0, moved by ``diagonal_weights``; its kernel weights are
    c~ u~ and the bias adds the constant output sum_i c~_i b~_i / d~_i. A name: the
    normalised recurrence through that parameterisation, every w_i +beta, every
    w_i -beta, then random signs, with c moved along itself and at random (no bias).
    delta, g: (W, M); width: (W,); betas: (B,)
    ->  delta~, g~: (W, B, D, M) and offset (W, B, D, 1), D = 3 + n_samples (free)
    or 2 + n_samples (normalised)"""
    on = live(width, delta.shape[-1], delta.dtype)                     # (W, M)
    if pname is None:
        u, c = split(g)
        p = diagonal_weights({"d": delta, "u": u, "b": torch.zeros_like(g), "c": c},
                             betas, n_samples, generator, mask=on)
        ratio = torch.where((g[:, None, None] != 0) & (p["d"] > 0), p["c"] * p["b"] / p["d"], 0.0)
        return p["d"], p["c"] * p["u"], ratio.sum(-1, keepdim=True)
    W, M = delta.shape
    sign = torch.rand(W, n_samples, M, generator=generator) < 0.5
    ds = torch.cat([on[:, None], -on[:, None],
                    torch.where(sign, -1.0, 1.0) * on[:, None]], 1)     # (W, 2+K, M)
    c = g / delta                                                       # mode masses
    rand = rows(torch.randn(W, n_samples, M, generator=generator) * on[:, None])
    dc = torch.cat([rows(c)[:, None], rows(c)[:, None], rand], 1)
    b = betas[None, :, None, None]
    delta_p = moved(delta[:, None, None], b * ds[:, None], pname)
    g_p = (c[:, None, None] + b * dc[:, None]) * delta_p                # input gain delta~
    return delta_p, g_p, torch.zeros(delta_p.shape[:-1] + (1,))


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


__all__ = ["PROTOCOLS", "stated", "split", "rows", "diagonal_weights", "moved", "diagonal",
           "family_directions", "edge"]
