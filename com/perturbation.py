"""Perturbation error and stability radius (wang2024inverse, Def. of stable approximation).

For a model with parameters theta = {W, U, b, c} the perturbation error is

    E(beta) = sup_{|thetatilde - theta|_2 <= beta} || H - Hhat(.; thetatilde) ||,
    |theta|_2 = max over tensors of their 2-norm

(spectral norm for a matrix, Euclidean norm for a vector or a scalar). The ball is
a product of per-tensor balls, so a point of it perturbs *every* tensor by at most
beta. ``random_error`` estimates the sup from below: the max over K points drawn on
the sphere of radius beta of every tensor (the sup of a continuous error over a ball
is usually attained on its boundary, and a point inside is never needed for a lower
bound).

The error itself is the caller's ``error_fn``: it takes a dict of parameter tensors
with a leading sample axis n (and then the model axes, if any) and returns (n, ...).

A parameter dict may carry model axes in front (``batch_dims``) so that many models
are perturbed in one call; an optional ``mask`` (same shapes, 0/1) confines the
perturbation to each model's active entries, e.g. the live block of a zero-padded
matrix, so padded units stay inert and the 2-norm is that of the live block.
"""
from __future__ import annotations

from typing import Callable

import torch

Params = dict[str, torch.Tensor]
ErrorFn = Callable[[Params], torch.Tensor]


def _norm(x: torch.Tensor, core: int) -> torch.Tensor:
    """Per-tensor 2-norm over the last ``core`` axes: spectral for a matrix (core=2),
    Euclidean for a vector or scalar (core <= 1).  x: (..., *core_shape) -> (...)"""
    if core >= 2:
        if core > 2:
            raise ValueError("perturbation: tensors of more than 2 axes per model are not "
                             "supported")
        return torch.linalg.matrix_norm(x, ord=2)
    if core == 1:
        return torch.linalg.vector_norm(x, dim=-1)
    return x.abs()


def _core(p: torch.Tensor, batch_dims: int) -> int:
    return p.dim() - batch_dims


def _expand(beta: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """beta (n,) broadcast against (n, ...)."""
    return beta.reshape(beta.shape + (1,) * (like.dim() - beta.dim()))


def _as_betas(beta, n: int, dtype) -> torch.Tensor:
    beta = torch.as_tensor(beta, dtype=dtype)
    return beta.expand(n) if beta.dim() == 0 else beta


def directions(params: Params, n: int, generator: torch.Generator, mask: Params | None = None,
               batch_dims: int = 0) -> Params:
    """n random unit directions per tensor (Gaussian, masked, normalised to 2-norm 1).

    params[k]: (*batch, *core)  ->  (n, *batch, *core), each of 2-norm exactly 1.
    """
    out = {}
    for k, p in params.items():
        g = torch.randn((n,) + tuple(p.shape), generator=generator, dtype=p.dtype)
        if mask is not None and k in mask:
            g = g * mask[k]
        core = _core(p, batch_dims)
        nrm = _norm(g, core).clamp_min(torch.finfo(p.dtype).tiny)      # (n, *batch)
        out[k] = g / nrm.reshape(nrm.shape + (1,) * core)
    return out


def ball_sample(params: Params, beta, n: int, generator: torch.Generator,
                mask: Params | None = None, batch_dims: int = 0) -> Params:
    """n perturbed copies theta + delta with |delta_k|_2 = beta for every tensor k.

    params[k]: (*batch, *core);  beta: float or (n,) one radius per copy
    returns:   params[k] + delta_k, (n, *batch, *core)
    """
    dirs = directions(params, n, generator, mask, batch_dims)
    any_p = next(iter(params.values()))
    b = _as_betas(beta, n, any_p.dtype)                                     # (n,)
    return {k: params[k] + _expand(b, d) * d for k, d in dirs.items()}


def beta_grid(betas: torch.Tensor, k: int) -> torch.Tensor:
    """Each radius repeated k times, beta-major: the radii of B * k samples.  (B,) -> (B*k,)"""
    return betas.repeat_interleave(k)                                       # (B*k,) beta-major


def _reduce(err: torch.Tensor, B: int, k: int) -> torch.Tensor:
    """(B*k, *batch) errors -> (*batch, B): max over the k samples of each beta."""
    err = torch.nan_to_num(err, nan=float("inf"), posinf=float("inf"))      # NaN = diverged
    err = err.reshape((B, k) + tuple(err.shape[1:])).amax(dim=1)            # (B, *batch)
    return err.movedim(0, -1)


def random_error(params: Params, error_fn: ErrorFn, betas: torch.Tensor, n_samples: int,
                 generator: torch.Generator, mask: Params | None = None,
                 batch_dims: int = 0) -> torch.Tensor:
    """Random-direction estimate of E(beta): max over n_samples points of the sphere.

    All B * n_samples perturbed models go through ``error_fn`` in one call.
    betas: (B,)  ->  (*batch, B)  (just (B,) for a single model)
    """
    B = betas.numel()
    pert = ball_sample(params, beta_grid(betas, n_samples), B * n_samples, generator, mask,
                       batch_dims)
    with torch.no_grad():
        err = error_fn(pert)                                                # (B*K, *batch)
    return _reduce(err, B, n_samples)


def stability_radius(betas: torch.Tensor, errors: torch.Tensor, threshold) -> torch.Tensor:
    """The radius beta* at which the error curve first reaches ``threshold``.

    Rule: walk up the increasing grid ``betas`` (B,) until the first beta_j with
    errors[..., j] > threshold; beta* is the crossing point found by linear
    interpolation of log E against log beta between beta_{j-1} and beta_j (or
    beta_{j-1} itself when E(beta_j) is infinite, the model having diverged).
    If the error exceeds the threshold already at beta_0, beta* = 0; if it never does,
    beta* = beta_{B-1} (a lower bound). ``threshold``: float or (...) broadcastable.
    errors: (..., B)  ->  (...)
    """
    errors = torch.nan_to_num(errors, nan=float("inf"), posinf=float("inf"))
    thr = torch.as_tensor(threshold, dtype=errors.dtype)
    over = errors > thr[..., None] if thr.dim() else errors > thr           # (..., B)
    B = betas.numel()
    first = torch.where(over.any(-1), over.float().argmax(-1), torch.full(over.shape[:-1], B))
    lo = (first - 1).clamp(0, B - 1)
    hi = first.clamp(0, B - 1)
    lb, hb = torch.log(betas[lo]), torch.log(betas[hi])
    le = torch.log(errors.gather(-1, lo[..., None])[..., 0].clamp_min(1e-300))
    he = torch.log(errors.gather(-1, hi[..., None])[..., 0].clamp_min(1e-300))
    lt = torch.log(thr.expand(first.shape) if thr.dim() else thr.expand(first.shape))
    frac = ((lt - le) / (he - le)).nan_to_num(0.0).clamp(0.0, 1.0)
    frac = torch.where(torch.isfinite(he), frac, torch.zeros_like(frac))
    radius = torch.exp(lb + frac * (hb - lb))
    radius = torch.where(first == 0, torch.zeros_like(radius), radius)
    return torch.where(first == B, betas[-1].expand(first.shape), radius)


__all__ = ["directions", "beta_grid", "ball_sample", "random_error", "stability_radius"]
