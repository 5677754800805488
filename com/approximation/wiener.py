"""Errors over the infinite horizon of Wiener models: a linear recurrence read out
through a saturating map, against a target of the same kind.

The target is a nonlinear functional with the memory of rho (wang2023statespace's SSMs
with layer-wise nonlinearity are of this kind):

    H_t(x) = phi((rho_bar * x)_t),   phi(v) = tanh(kappa v) / kappa,   rho_bar = rho / |rho|_1,

whose memory function (wang2024inverse, Def. 3.1) is exactly rho_bar: phi is
1-Lipschitz with phi'(0) = 1, so the sup over Heaviside inputs is reached as x -> 0.
|H| <= phi(1) = tanh(kappa) / kappa, and pre-activations reach kappa. The model
phi(K_bar * x), K_bar = K / |rho|_1, has the error

    E = sup_t sup_{|x| <= 1} |phi((K_bar * x)_t) - phi((rho_bar * x)_t)| / phi(1),

computed exactly (``error``): over all inputs the pairs ((K_bar * x)_t, (rho_bar * x)_t)
fill a 2-D zonotope, and phi(a) - phi(b) grows along (+1, 0) and (0, -1), so its sup
sits on the boundary, whose vertices are the sign patterns thresholded on K_s / rho_s
(``zonotope_sup``). With phi the identity it is the l1 error of
com.approximation.horizon.error.
"""
from __future__ import annotations

import math

import torch

from ..memory.targets import Memory
from ..models.kernels import exp_sum
from . import horizon


def phi(v: torch.Tensor, kappa: float) -> torch.Tensor:
    """tanh(kappa v) / kappa: 1-Lipschitz, odd, phi'(0) = 1."""
    return torch.tanh(kappa * v) / kappa


def generators(memory: Memory, delta: torch.Tensor, g: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """The kernels as the zonotope's generators, on com.approximation.horizon's lag
    grid: lags 0..HEAD-1 one by one, Simpson's nodes after (each weighted by the lags
    it stands for), and the target's tail past the grid as one generator (the model has
    decayed below e^{-TAIL_DECAYS} there). Stable modes only.
    delta, g: (N, m)  ->  A (N, L) weight * K_t / |rho|_1, B (L,) weight * rho_t / |rho|_1"""
    tm, wm = horizon.middle_grid(horizon.t_end_for(delta, g))
    head = torch.arange(horizon.HEAD, dtype=torch.float64)
    t, w = torch.cat([head, tm]), torch.cat([torch.ones_like(head), wm])
    T = math.floor(float(tm[-1]) + 0.5) + 1
    K = exp_sum(g, t, delta=delta) * w / memory.l1                      # (N, L)
    rho = memory.kernel(t) * w / memory.l1
    K = torch.cat([K, torch.zeros(K.shape[0], 1)], -1)
    return K, torch.cat([rho, torch.tensor([memory.tail(T) / memory.l1])])


def zonotope_sup(A: torch.Tensor, B: torch.Tensor, kappa: float, refine: int = 256,
                 points: int = 17) -> torch.Tensor:
    """sup of |phi(a) - phi(b)| over Z = {(sum_s x_s A_s, sum_s x_s B_s): |x_s| <= 1},
    B_s > 0. phi is increasing, so the sup (and, phi being odd and Z symmetric, that of
    the absolute value) is on the boundary, whose vertices are sum_s sign(A_s / B_s -
    lam) (A_s, B_s): generators sorted by A_s / B_s, vertex k takes the first k with +1
    (cumulative sums). Edges join consecutive vertices along one generator; the
    ``refine`` largest are sampled at ``points`` points, the rest at their ends (what
    that leaves is below the largest unrefined generator's size).
    A: (N, L); B: (L,)  ->  (N,)"""
    B = B.expand_as(A)
    order = torch.argsort(A / B, dim=-1, descending=True)
    GA, GB = A.gather(-1, order), B.gather(-1, order)                    # (N, L)
    zero = torch.zeros(A.shape[0], 1)
    VA = 2 * torch.cat([zero, GA.cumsum(-1)], -1) - GA.sum(-1, keepdim=True)   # (N, L+1)
    VB = 2 * torch.cat([zero, GB.cumsum(-1)], -1) - GB.sum(-1, keepdim=True)
    best = (phi(VA, kappa) - phi(VB, kappa)).abs().amax(-1)
    top = torch.topk(GA.abs() + GB.abs(), min(refine, A.shape[-1]), dim=-1).indices
    u = torch.linspace(0, 1, points)                                     # (P,)
    a = VA.gather(-1, top)[..., None] + 2 * u * GA.gather(-1, top)[..., None]
    b = VB.gather(-1, top)[..., None] + 2 * u * GB.gather(-1, top)[..., None]
    return torch.maximum(best, (phi(a, kappa) - phi(b, kappa)).abs().flatten(1).amax(-1))


def error(memory: Memory, delta: torch.Tensor, g: torch.Tensor, kappa: float) -> torch.Tensor:
    """Relative error over all time and all |x| <= 1 of phi(K * x / |rho|_1),
    K_t = sum_i g_i (1 - delta_i)^t, against phi(rho_bar * x) (module docstring).
    Stable modes only (com.approximation.horizon.unstable false).  (N, m) -> (N,)"""
    A, B = generators(memory, delta, g)
    return zonotope_sup(A, B, kappa) / float(phi(torch.tensor(1.0), kappa))


__all__ = ["phi", "generators", "zonotope_sup", "error"]
