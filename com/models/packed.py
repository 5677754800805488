"""The residual RNN of com.models.residual with a diagonal W, many models packed side
by side into one set of units:

    h_0 = h*(0) = b / d,  h_{k+1} = h_k + sigma(-d * h_k + u x_k + b),  y_k = c^T h_k

per model (W = -diag(d), U = u, scalar input and output, dt = 1). The units of every
model lie in one vector of U units; ``Packed.owner`` (U,) says which model each
belongs to. One time loop runs all of them, and every perturbed copy, as one
elementwise tensor program: no padding to the widest model, no matrix product per step.

Facts the stability measurements use (com.stability.simulation):
* rest: under zero input the state rests at h0 = b / d, where the pre-activation is 0;
* held input x: a unit with 0 < d < 2 converges to h* = (u x + b) / d (the map
  h -> h + sigma(u x + b - d h) is non-expansive about h*: |e'| = |e - sigma(d e)| <= |e|
  for e = h - h*), so the output tends to sum_i c_i h*_i: affine in x (``held_limit``);
* the linearisation at any rest point has Jacobian 1 - d per unit, so the small-signal
  kernel is K_t = sum_i c_i u_i (1 - d_i)^t, t = lag - 1 (``small_signal_kernel``);
* past the edge (d <= 0) a held input drives the unit by a step that never shrinks
  (``unstable``).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .residual import ACTIVATIONS, activation, slope


@dataclass
class Packed:
    """Widths (n,) and each unit's model (U,); weights d, u, b, c: (..., U)."""
    widths: list[int]
    owner: torch.Tensor

    @classmethod
    def of(cls, widths: list[int]) -> "Packed":
        owner = torch.repeat_interleave(torch.arange(len(widths)), torch.tensor(widths))
        return cls(list(widths), owner)

    @property
    def n(self) -> int:
        return len(self.widths)

    @property
    def indicator(self) -> torch.Tensor:
        """(U, n) 0/1: unit i belongs to model j."""
        return (self.owner[:, None] == torch.arange(self.n)[None]).to(torch.float64)

    def per_model(self, v: torch.Tensor) -> torch.Tensor:
        """Sum over each model's units.  (..., U) -> (..., n)"""
        return v @ self.indicator

    def spread(self, v: torch.Tensor) -> torch.Tensor:
        """A per-model value on each of its units.  (..., n) -> (..., U)"""
        return v[..., self.owner]

    def unit(self, v: torch.Tensor) -> torch.Tensor:
        """v scaled to 2-norm 1 within each model.  (..., U) -> (..., U)"""
        return v / self.spread(self.per_model(v * v).sqrt().clamp_min(1e-300))

    def max(self, v: torch.Tensor) -> torch.Tensor:
        """The largest value over each model's units.  (..., U) -> (..., n)"""
        out = torch.full(v.shape[:-1] + (self.n,), -torch.inf)
        return out.scatter_reduce(-1, self.owner.expand_as(v), v, "amax")


class _Run(torch.autograd.Function):
    """The recurrence for one set of weights (U,) on inputs x (N, T), from h0 = b/d,
    returning y (N, T, n). Backward written out (BPTT): with g_T = 0,

        dz_k = g_{k+1} sigma'(z_k),   g_k = g_{k+1} - d dz_k + (dL/dy_k) C^T,
        dL/du = sum_k dz_k x_k,  dL/db = sum_k dz_k + dL/dh0 / d,
        dL/dd = -sum_k dz_k h_k - dL/dh0 b / d^2,   dL/dc = sum_k h_k (dL/dy_k)_owner."""

    @staticmethod
    def forward(ctx, d, u, b, c, x, ind, sigma):
        act = ACTIVATIONS[sigma]
        N, T = x.shape
        C = c[:, None] * ind                                            # (U, n)
        h = (b / d).expand(N, -1).clone()                               # rest
        hs, acts, ys = [], [], []
        for k in range(T):
            ys.append(h @ C)                                            # (N, n)
            a = act(torch.addcmul(b - d * h, x[:, k, None], u))
            hs.append(h)
            acts.append(a)
            h = h + a
        ctx.save_for_backward(d, u, b, c, x, ind)
        ctx.hs, ctx.acts, ctx.sigma = hs, acts, sigma
        return torch.stack(ys, 1)                                       # (N, T, n)

    @staticmethod
    def backward(ctx, gy):
        d, u, b, c, x, ind = ctx.saved_tensors
        C = c[:, None] * ind
        g = torch.zeros_like(ctx.hs[0])
        gu, gb, gd, gc = (torch.zeros_like(d) for _ in range(4))
        for k in reversed(range(len(ctx.hs))):
            dz = g * slope(ctx.sigma, ctx.acts[k])                      # (N, U)
            gu += (dz * x[:, k, None]).sum(0)
            gb += dz.sum(0)
            gd -= (dz * ctx.hs[k]).sum(0)
            gyk = gy[:, k]                                              # (N, n)
            gc += (ctx.hs[k] * (gyk @ ind.T)).sum(0)
            g = g - d * dz + gyk @ C.T
        g0 = g.sum(0)                                                   # dL/dh0
        return gd - g0 * b / d ** 2, gu, gb + g0 / d, gc, None, None, None


def run(pk: Packed, w: dict, x: torch.Tensor, sigma: str = "tanh") -> torch.Tensor:
    """Outputs of every packed model on inputs x (N, T), differentiable in the weights
    w: d, u, b, c (U,).  -> (N, T, n)"""
    activation(sigma)
    return _Run.apply(w["d"], w["u"], w["b"], w["c"], x, pk.indicator, sigma)


def small_signal_kernel(pk: Packed, w: dict, t: torch.Tensor) -> torch.Tensor:
    """K_t = sum_i c_i u_i (1 - d_i)^t per model (lag t + 1 of the recurrence), for
    0 < d < 1.  w: d, u, c (U,); t: (L,)  ->  (n, L)"""
    pw = torch.exp(t[None] * torch.log1p(-w["d"].clamp(max=1 - 1e-12))[:, None])
    return (pk.indicator.T * (w["c"] * w["u"])[None]) @ pw


def held_limit(pk: Packed, w: dict, x: torch.Tensor) -> torch.Tensor:
    """The output as k -> inf under the input held at x: sum_i c_i (u_i x + b_i) / d_i.
    w: d, u, b, c (..., U); x: (X,)  ->  (..., X, n)"""
    h = (w["u"][..., None, :] * x[:, None] + w["b"][..., None, :]) / w["d"][..., None, :]
    return pk.per_model(w["c"][..., None, :] * h)


def unstable(pk: Packed, d: torch.Tensor) -> torch.Tensor:
    """A model with a unit past the edge on the growing side, d <= 0 (its linearisation
    1 - d >= 1): driven off its rest state by a held input, the unit moves by a step that
    never shrinks, for ever, and the error over all time is infinite. (d >= 2 flips
    the sign instead, a bounded oscillation: callers keep d < 2.)  (..., U) -> (..., n)"""
    return pk.per_model((d <= 0).to(torch.float64)) > 0


__all__ = ["Packed", "run", "small_signal_kernel", "held_limit", "unstable"]
