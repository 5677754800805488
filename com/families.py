"""Model families of the stability table, each one entry, all measured over all time.

Every family here is, at rest and per channel, a linear recurrence whose kernel is
an exponential sum K_t = sum_i g_i (1 - delta_i)^t, so its error over the infinite
horizon is com.horizon.error, whatever the family. A family says how its raw
parameters give (delta, g), which raw tensors a perturbation moves (the recurrent
ones: those a parameterisation f acts on, and a dense model's eigenbasis), and how
to build its raw parameters from an approximant (com.approximants). A new family is
one new ``Family`` in FAMILIES; the stability code (``curve``) takes any of them.

Distances are computed in delta-space (com.parameterisations.DISTANCE): a mode
1e-20 from the edge is exact for every f, including "direct", stored as a - 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from . import horizon, linearisation, models, residual
from .horizon import Memory
from .parameterisations import distance

Params = dict[str, torch.Tensor]


@dataclass(frozen=True)
class Family:
    """name, label; ``time``: which f table ("continuous" or "discrete");
    ``build(delta, g, pname, generator) -> raw params`` (width m, no batch axis);
    ``modes(params, pname) -> (delta, g)`` for params with any leading axes;
    ``recurrent``: the raw tensors a perturbation moves; ``readme``: its README row;
    ``rnn(params, pname, kappa) -> params of com.residual.rnn`` (optional): the
    same recurrence with the activation inside, input scaled by 1/kappa and output by
    kappa, and ``gains(params, pname) -> (delta, gain)`` its eigen-modes' input gains
    (times kappa), which bound its pre-activations (com.linearisation.preactivation)."""

    name: str
    label: str
    time: str
    build: Callable[..., Params]
    modes: Callable[[Params, str], tuple[torch.Tensor, torch.Tensor]]
    recurrent: tuple[str, ...]
    readme: str
    rnn: Callable[..., Params] | None = None
    gains: Callable[[Params, str], tuple[torch.Tensor, torch.Tensor]] | None = None


def _diagonal(time: str) -> tuple[Callable, Callable]:
    """The normalised diagonal recurrence h_{k+1} = (1 - delta) h_k + delta x_k,
    y = c^T h: mode i has l1 mass c_i whatever delta_i (g_i = c_i delta_i)."""
    def build(delta, g, pname, generator):
        return {"w": distance(time, pname)[1](delta), "c": g / delta}

    def modes(p, pname):
        delta = distance(time, pname)[0](p["w"])
        return delta, p["c"] * delta
    return build, modes


def _vanilla_build(delta, g, pname, generator):
    """Dense A = Q diag(1 - delta) Q^T, Q = cayley(S - S^T) for a random S, input
    (I - A) b and output c with Q^T b = Q^T c = sqrt(g / delta) (bounded: |b|^2 is
    the kernel's l1 mass)."""
    m = len(delta)
    S = torch.randn(m, m, generator=generator) / m ** 0.5
    root = (g / delta).sqrt()
    Q = models.orthogonal(S)
    return {"S": S, "w": distance("discrete", pname)[1](delta), "b": Q @ root, "c": Q @ root}


def _vanilla_modes(p, pname):
    """In the eigenbasis: K_s = sum_i (q_i.c)(q_i.b) delta_i (1 - delta_i)^s."""
    Q, delta = _vanilla_parts(p, pname)
    cq = (Q * p["c"][..., :, None]).sum(-2)                             # q_i . c
    bq = (Q * p["b"][..., :, None]).sum(-2)
    return delta, cq * bq * delta


def _vanilla_parts(p, pname):
    Q = models.orthogonal(p["S"])                                       # (..., m, m)
    return Q, distance("discrete", pname)[0](p["w"])


def _vanilla_gains(p, pname):
    """Mode i of the linear recurrence is v_i' = (1 - delta_i) v_i + delta_i (q_i.b) x."""
    Q, delta = _vanilla_parts(p, pname)
    return delta, delta * (Q * p["b"][..., :, None]).sum(-2)


def _vanilla_rnn(p, pname, kappa):
    """h' = h + sigma(W h + U x), W = A - I = -Q diag(delta) Q^T, U = (I - A) b / kappa,
    readout kappa c: while sigma acts as the identity, h is the linear state / kappa."""
    Q, delta = _vanilla_parts(p, pname)
    W = -(Q * delta[..., None, :]) @ Q.transpose(-1, -2)                # (..., m, m)
    U = -(W @ p["b"][..., None]) / kappa                                # (..., m, 1)
    return {"W": W, "U": U, "b": torch.zeros_like(p["b"]), "c": kappa * p["c"]}


def _ssm2_build(delta, g, pname, generator):
    """Two layers with layer-wise tanh: the approximant's modes in layer 1, a
    pass-through mode (delta = 1, output = input) per channel in layer 2."""
    return {"w1": distance("discrete", pname)[1](delta), "c": g / delta,
            "w2": distance("discrete", pname)[1](torch.ones_like(delta))}


def _ssm2_modes(p, pname):
    """Per channel, layer 2 (ratio b) after layer 1 (ratio a) has the kernel
    d1 d2 (a^{s+1} - b^{s+1}) / (a - b): two modes, weights +-d1 d2 a|b / (a - b)
    (a = b = 0, a fast mode behind the pass-through: the kernel c d1 d2 at s = 0)."""
    d1 = distance("discrete", pname)[0](p["w1"])
    d2 = distance("discrete", pname)[0](p["w2"])
    a, b = 1 - d1, 1 - d2
    near = (a - b).abs() <= 1e-12            # both ~0 here: the kernel is c d1 d2 [s = 0]
    scale = p["c"] * d1 * d2 / torch.where(near, torch.ones_like(a), a - b)
    ga = torch.where(near, p["c"] * d1 * d2, scale * a)
    gb = torch.where(near, torch.zeros_like(b), -scale * b)
    return torch.cat([d1, torch.where(near, torch.ones_like(d2), d2)], -1), torch.cat([ga, gb], -1)


_diag_c, _diag_d = _diagonal("continuous"), _diagonal("discrete")
FAMILIES = {
    "diagonal": Family("diagonal", "diagonal RNN", "continuous", *_diag_c, ("w",),
                       "diagonal RNN"),
    "vanilla": Family("vanilla", "vanilla RNN", "discrete", _vanilla_build, _vanilla_modes,
                      ("S", "w"), "vanilla RNN", _vanilla_rnn, _vanilla_gains),
    "lru": Family("lru", "LRU-style", "discrete", *_diag_d, ("w",), "linear recurrent unit"),
    "ssm1": Family("ssm1", "SSM, 1 layer", "discrete", *_diag_d, ("w",), "state-space model"),
    "ssm2": Family("ssm2", "SSM, 2 layers", "discrete", _ssm2_build, _ssm2_modes,
                   ("w1", "w2"), "state-space model"),
}


def directions(params: Params, keys: tuple[str, ...], n_samples: int,
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


def curve(family: Family, pname: str, memory: Memory, fit: dict, widths: list[int],
          betas: torch.Tensor, n_samples: int, generator: torch.Generator) -> dict:
    """E_m(beta) over the infinite horizon for every width (each model at its own
    width, built from the stacked approximants ``fit`` of com.approximants.fits):
    perturbations of 2-norm beta of the recurrent raw tensors, the max over the
    directions of ``directions``.  -> {"E0": (W,), "E": (W, B)}, and where the family
    has ``gains``, "z": (W, B) the largest pre-activation bound (2-norm over the modes,
    for kappa = 1) among the perturbed models of finite error"""
    E0, E, Z = [], [], []
    for i, m in enumerate(widths):
        params = family.build(fit["delta"][i, :m], fit["g"][i, :m], pname, generator)
        dirs = directions(params, family.recurrent, n_samples, generator)
        b = betas[:, None]                                              # (B, 1, ...)
        moved = {k: torch.stack([params[k] + b.reshape((-1,) + (1,) * params[k].dim())
                                 * d[k] for d in dirs], 1) if k in family.recurrent
                 else params[k] for k in params}                        # (B, D, ...)
        moved = {k: v if k in family.recurrent else v.expand((len(betas), len(dirs))
                                                              + v.shape)
                 for k, v in moved.items()}
        E0.append(horizon.error(memory, *family.modes(params, pname)))
        e = horizon.error(memory, *family.modes(moved, pname))          # (B, D)
        E.append(e.amax(-1))
        if family.gains is not None:
            z = linearisation.preactivation(*family.gains(moved, pname)).norm(dim=-1)
            Z.append(linearisation.where_finite(z, e).amax(-1))
    out = {"E0": torch.stack(E0), "E": torch.stack(E)}
    return out | ({"z": torch.stack(Z)} if Z else {})


def realised_gap(family: Family, params: Params, pname: str, kappa: float,
                 x: torch.Tensor) -> float:
    """How far the family's recurrence run with hardtanh inside (``family.rnn``) is
    from the model whose error ``curve`` computes, on inputs x (N, T), |x| <= 1: the
    larger of max |y_hardtanh - y_linear| and max |y_linear - K * x| (the kernel of
    ``family.modes``, one step of lag), each relative to max |y_linear|.  -> float"""
    q = {k: v[None] for k, v in family.rnn(params, pname, kappa).items()}
    y = {s: residual.rnn(q, x[..., None], s, 1.0)[0] for s in ("hardtanh", "linear")}
    K = horizon.exp_sum(*family.modes(params, pname), torch.arange(float(x.shape[-1])))
    scale = y["linear"].abs().max()
    return max(float((y["hardtanh"] - y["linear"]).abs().max() / scale),
               float((models.convolve_lagged(K, x) - y["linear"]).abs().max() / scale))


__all__ = ["Family", "FAMILIES", "directions", "curve", "realised_gap"]
