"""The authors' students of Fig. 3: diagonal hardtanh residual RNNs, made from linear ones.

For the filter, radarFudan/Curse-of-memory trains diagonal residual RNNs with hardtanh
(scripts/filter_manual.sh; src/models/recurrent/simple_diagonalrnn.py, dt = 1, a
linear encoder and decoder):

    h_{k+1} = h_k + hardtanh(u x_k + b - w h_k),   y_k = c . h_{k+1},

com.models.residual.rnn with W = -diag(w), read one step later. While every
pre-activation z = u x + b - w h stays in [-1, 1], a unit is the linear mode
h_{k+1} = (1 - w) h_k + u x_k (with b = 0): the student is the linear student with
modes delta = w and weights g = c u, whatever the split of g into u and c. ``split``
makes one from each linear student (com.experiments.filtering): one input weight u for
all its units puts the student's largest pre-activation on the training data at
``corner`` (1: where the clip begins; above 1 the clip acts on the training data too),
c = g / u. Past the
corner a unit's increment is cut to 1 per step; what it loses stays in its state for
about 1 / w steps, and under a held input the state still settles at the affine
h* = u x / w: the clip cannot bend the student's response to a held input, as the
teachers' tanh does.

Its blow-up radius (``runaway_radius``): a perturbation of W = -diag(w) that takes a
live w_i below 0 makes unit i run away, its clipped increment keeping its sign, one
unit of state per step: the error over all time is infinite, past min_i w_i. Below 1
this is the linear student's radius (com.experiments.filtering.blowup_radius); a mode
with w in (1, 2) oscillates, and pushed past w = 2 its oscillation is held by the clip,
where the linear one grows without bound.
"""
from __future__ import annotations

import torch

from ..models import residual
from ..stability.linearisation import realise
from . import filtering


def _flat(students: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Teachers x widths as one batch: delta, g (n W, M) and the live widths (n W,)."""
    n = students["delta"].shape[0]
    widths = students["live"].sum(-1).long().repeat(n)
    return students["delta"].detach().flatten(0, 1), students["g"].flatten(0, 1), widths


def outputs(params: dict, widths: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """y_k = c . h_{k+1} (the read-out after the update) of every student on shared
    inputs, each width on its live block.  x: (N, T)  ->  (n W, N, T)"""
    x1 = torch.cat([x, torch.zeros_like(x[:, :1])], -1)[..., None]    # one step more
    return residual.rnn(params, x1, "hardtanh", 1.0, widths)[..., 1:]


def split(students: dict, x: torch.Tensor, corner: float) -> torch.Tensor:
    """Per unit, the realisation scale kappa (com.stability.linearisation.realise:
    u = sqrt|g| / kappa, c = sign(g) sqrt|g| kappa) of one input weight u shared by a
    student's units, the one that puts the student's largest pre-activation on the
    inputs x (N, T) at ``corner``: the pre-activations of the linear range scale with
    u, measured once at u = 1.  -> kappa (n W, M)"""
    delta, g, _ = _flat(students)
    unit = realise(delta, g.ne(0).to(g.dtype), 1.0, diagonal=True)      # u = c = 1
    x1 = torch.cat([x, torch.zeros_like(x[:, :1])], -1)[..., None]
    top = residual.extremes(unit, x1, "linear", 1.0)["z"].amax(-1)      # (n W,)
    kappa = g.abs().sqrt() * top[:, None] / corner
    return torch.where(kappa > 0, kappa, torch.ones_like(kappa))


def runaway_radius(delta: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """min_i w_i over the units in use (g_i != 0; w = delta): the smallest perturbation
    of W = -diag(w) after which a unit runs away (module docstring); 0 for a student
    already past the edge, 1 for one with no unit in use.  delta, g: (..., M)  ->  (...)"""
    return torch.where(g != 0, delta, torch.ones_like(delta)).amin(-1).clamp_min(0)


def evaluate(trained: dict, x: torch.Tensor, xt: torch.Tensor, yt: torch.Tensor,
             share: float, corner: float) -> dict:
    """The hardtanh students as the filter sees them: made from the trained linear
    students by ``split`` on the training inputs x (N, T), pruned on their sup error
    on the test data xt (N', T'), yt (n, N', T') as the linear students are
    (com.experiments.filtering.prune: for 0 < w < 2 a unit's state stays within the
    linear bound |u| max|x| / (1 - |1 - w|), since the clip only shortens a step
    towards (1 - w) h + u x), then their relative sup error there, their ``runaway_radius`` and
    the largest pre-activation each reaches on the test inputs.
    -> {"E0", "radius", "preactivation": (n, W)}"""
    n, W = trained["delta"].shape[:2]
    kappa = split(trained, x, corner)

    def sup_error(students):                                            # -> (n, W)
        delta, g, widths = _flat(students)
        with torch.no_grad():
            y = outputs(realise(delta, g, kappa, diagonal=True), widths, xt)
        err = (y.reshape(n, W, *y.shape[1:]) - yt[:, None]).abs().amax((-1, -2))
        return err / yt.abs().amax((-1, -2))[:, None]
    scale = yt.abs().amax((-1, -2)) / xt.abs().max()
    pruned = filtering.prune(trained, sup_error(trained), scale, share)
    delta, g, _ = _flat(pruned)
    params = realise(delta, g, kappa, diagonal=True)
    x1 = torch.cat([xt, torch.zeros_like(xt[:, :1])], -1)[..., None]
    top = residual.extremes(params, x1, "hardtanh", 1.0)["z"].amax(-1)  # (n W,)
    return {"E0": sup_error(pruned), "radius": runaway_radius(delta, g).reshape(n, W),
            "preactivation": top.reshape(n, W)}


__all__ = ["outputs", "split", "runaway_radius", "evaluate"]
