"""E_m(beta): the perturbation error of a model as a function of the radius beta
(wang2024inverse, Def. 3.4), over the infinite horizon.

One routine computes it (``curve``): a model and its perturbed copies (one protocol of
com.stability.perturbations) go through one error call, E0 = E_m(0) and E(b, d) for
every radius b and direction d; E_m(beta) is the max over the directions. The
protocols' curves: ``diagonal_curve`` (the diagonal linear RNN, free or
reparameterised) and ``family_curve`` (any family of com.models.families); the edge
direction alone in com.experiments.curse.
"""
from __future__ import annotations

from functools import partial
from typing import Callable

import torch

from ..approximation import horizon
from ..memory.targets import Memory
from ..models.families import Family
from . import bounds, linearisation, perturbations

Params = dict[str, torch.Tensor]


def curve(error: Callable[..., torch.Tensor], base: tuple[torch.Tensor, ...],
          moved: tuple[torch.Tensor, ...], per_model: bool = True) -> tuple[torch.Tensor, ...]:
    """E_m(beta) before the sup over directions, for W models: ``base`` the unperturbed
    models, ``moved`` their perturbations (any protocol of com.stability.perturbations),
    as tuples of tensors (e.g. modes delta, g) of shapes (W, M) and (W, B, D, M) (radius
    b, direction d). ``error`` takes a model and its perturbations stacked, (n, M) each
    -> (n,), and is called once per model, so that a model shares its perturbations'
    grid (com.approximation.horizon: E(0+) = E0); with ``per_model=False`` it takes all
    models at once, (W, n, M) -> (W, n) (a simulation of every model in one program).
    -> E0 (W,), E (W, B, D)"""
    B, D = moved[0].shape[1:3]
    stack = [torch.cat([b[:, None], m.flatten(1, 2)], 1) for b, m in zip(base, moved)]
    e = error(*stack) if not per_model else \
        torch.stack([error(*(s[i] for s in stack)) for i in range(len(stack[0]))])
    return e[:, 0], e[:, 1:].reshape(-1, B, D)


def diagonal_curve(memory: Memory, delta: torch.Tensor, g: torch.Tensor, width: torch.Tensor,
                   betas: torch.Tensor, n_samples: int, generator: torch.Generator,
                   pname: str | None = None) -> dict:
    """E_m(beta) of W diagonal models over the infinite horizon, at the points of
    com.stability.perturbations.diagonal (``pname`` as there): the error of each is
    com.approximation.horizon.error plus its bias offset (the worst input feels the
    constant in full).  -> {"E0": (W,), "E": (W, B) the max over directions, "edge":
    (W, B) the edge direction alone}; without ``pname`` "aligned": (W, B) the aligned
    points; with ``pname`` "z": (W, B) the largest
    pre-activation bound of the recurrence run with hardtanh inside, input scaled by
    1/kappa and output by kappa, times kappa (com.stability.linearisation.preactivation),
    over the directions of finite error: where z <= kappa that RNN is this one"""
    dp, gp, off = perturbations.diagonal(delta, g, width, betas, n_samples, generator, pname)

    def err(d, w, o):                                       # (n, M), (n, M), (n, 1) -> (n,)
        return horizon.error(memory, d, w) + o[..., 0].abs() / memory.l1
    E0, E = curve(err, (delta, g, torch.zeros_like(g[:, :1])), (dp, gp, off))
    out = {"E0": E0, "E": E.amax(-1), "edge": E[..., 0]}
    if pname is None:                                        # the aligned points, +-
        out["aligned"] = E[..., 1:3].amax(-1)
    if pname is not None:               # run with hardtanh inside: input gain delta~ / kappa
        gain = torch.where(gp != 0, dp, torch.zeros_like(dp))
        z = linearisation.preactivation(dp, gain).amax(-1)              # (W, B, D)
        out["z"] = linearisation.where_finite(z, E).amax(-1)
    return out


def family_curve(family: Family, pname: str, memory: Memory, fit: dict, widths: list[int],
                 betas: torch.Tensor, n_samples: int, generator: torch.Generator,
                 fine: torch.Tensor | None = None) -> dict:
    """E_m(beta) over the infinite horizon for every width (each model at its own
    width, built from the stacked approximants ``fit`` of com.approximation.exp_sums.fits):
    perturbations of 2-norm beta of the recurrent raw tensors, the max over the
    directions of perturbations.family_directions.  -> {"E0": (W,), "E": (W, B)}; where
    the family has ``gains``, "z": (W, B) the largest pre-activation bound (2-norm over
    the modes, for kappa = 1) among the perturbed models of finite error; with ``fine``
    (F,), "upper": (W, F) the certified bound over the whole ball of those tensors
    (com.stability.bounds.family_upper), on the same models"""
    E0, E, Z, U = [], [], [], []
    for i, m in enumerate(widths):
        params = family.build(fit["delta"][i, :m], fit["g"][i, :m], pname, generator)
        dirs = perturbations.family_directions(params, family.recurrent, n_samples,
                                               generator)
        moved = _moved(params, family.recurrent, dirs, betas)           # (B, D, ...)
        base, perturbed = family.modes(params, pname), family.modes(moved, pname)
        e0, e = curve(partial(horizon.error, memory), tuple(v[None] for v in base),
                      tuple(v[None] for v in perturbed))                # (1,), (1, B, D)
        E0.append(e0[0])
        E.append(e[0].amax(-1))
        if family.gains is not None:
            z = linearisation.preactivation(*family.gains(moved, pname)).norm(dim=-1)
            Z.append(linearisation.where_finite(z, e[0]).amax(-1))
        if fine is not None:
            U.append(bounds.family_upper(memory, family, params, pname, e0[0], fine))
    out = {"E0": torch.stack(E0), "E": torch.stack(E)}
    return out | ({"z": torch.stack(Z)} if Z else {}) | ({"upper": torch.stack(U)} if U else {})


def _moved(params: Params, keys: tuple[str, ...], dirs: list[Params],
           betas: torch.Tensor) -> Params:
    """params + beta d for every radius and direction, on ``keys``; the other tensors
    held.  -> params of shape (B, D, ...)"""
    b = betas[:, None]                                                  # (B, 1, ...)
    out = {k: torch.stack([params[k] + b.reshape((-1,) + (1,) * params[k].dim()) * d[k]
                           for d in dirs], 1) if k in keys else params[k] for k in params}
    return {k: v if k in keys else v.expand((len(betas), len(dirs)) + v.shape)
            for k, v in out.items()}


__all__ = ["curve", "diagonal_curve", "family_curve"]
