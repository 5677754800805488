"""How each model family's raw parameters make its modes (com.models.families).

Every family is, at rest and per channel, a linear recurrence (or, for the SSMs, a
stack of them): from an approximant (``build``: the modes delta, g of com.approximation
given, infinite horizon) or from an initialisation (``init``: trained on a window).
``modes`` gives (delta, g) of the kernel sum_i g_i (1 - delta_i)^t for any raw
parameters, with any leading axes. Distances are computed in delta-space
(com.models.parameterisations): a mode 1e-20 from the edge is exact for every f.
"""
from __future__ import annotations

import torch

from . import ssm
from .kernels import normalised_diagonal_kernel
from .parameterisations import get


def diagonal(time: str, key: str = "w"):
    """The normalised diagonal recurrence h_{k+1} = (1 - delta) h_k + delta x_k,
    y = c^T h: mode i has l1 mass c_i whatever delta_i (g_i = c_i delta_i); its raw
    eigenvalue weight is ``key``.  -> build, modes"""
    def build(delta, g, pname, generator):
        return {key: get(time, pname).from_delta(delta), "c": g / delta}

    def modes(p, pname):
        delta = get(time, pname).to_delta(p[key])
        return delta, p["c"] * delta
    return build, modes


def vanilla_build(delta, g, pname, generator):
    """Dense A = Q diag(1 - delta) Q^T, Q = cayley(S - S^T) for a random S, input
    (I - A) b and output c with Q^T b = Q^T c = sqrt(g / delta) (bounded: |b|^2 is
    the kernel's l1 mass)."""
    m = len(delta)
    S = torch.randn(m, m, generator=generator) / m ** 0.5
    root = (g / delta).sqrt()
    Q = ssm.orthogonal(S)
    return {"S": S, "w": get("discrete", pname).from_delta(delta), "b": Q @ root, "c": Q @ root}


def vanilla_modes(p, pname):
    """In the eigenbasis: K_s = sum_i (q_i.c)(q_i.b) delta_i (1 - delta_i)^s."""
    Q, delta = _vanilla_parts(p, pname)
    cq = (Q * p["c"][..., :, None]).sum(-2)                             # q_i . c
    bq = (Q * p["b"][..., :, None]).sum(-2)
    return delta, cq * bq * delta


def _vanilla_parts(p, pname):
    Q = ssm.orthogonal(p["S"])                                       # (..., m, m)
    return Q, get("discrete", pname).to_delta(p["w"])


def vanilla_gains(p, pname):
    """Mode i of the linear recurrence is v_i' = (1 - delta_i) v_i + delta_i (q_i.b) x."""
    Q, delta = _vanilla_parts(p, pname)
    return delta, delta * (Q * p["b"][..., :, None]).sum(-2)


def vanilla_rnn(p, pname, kappa):
    """h' = h + sigma(W h + U x), W = A - I = -Q diag(delta) Q^T, U = (I - A) b / kappa,
    readout kappa c: while sigma acts as the identity, h is the linear state / kappa."""
    Q, delta = _vanilla_parts(p, pname)
    W = -(Q * delta[..., None, :]) @ Q.transpose(-1, -2)                # (..., m, m)
    U = -(W @ p["b"][..., None]) / kappa                                # (..., m, 1)
    return {"W": W, "U": U, "b": torch.zeros_like(p["b"]), "c": kappa * p["c"]}


def ssm2_build(delta, g, pname, generator):
    """Two layers with layer-wise tanh: the approximant's modes in layer 1, a
    pass-through mode (delta = 1, output = input) per channel in layer 2."""
    return {"w1": get("discrete", pname).from_delta(delta), "c": g / delta,
            "w2": get("discrete", pname).from_delta(torch.ones_like(delta))}


def ssm2_modes(p, pname):
    """Per channel, layer 2 (ratio b) after layer 1 (ratio a) has the kernel
    d1 d2 (a^{s+1} - b^{s+1}) / (a - b): two modes, weights +-d1 d2 a|b / (a - b)
    (a = b = 0, a fast mode behind the pass-through: the kernel c d1 d2 at s = 0)."""
    d1 = get("discrete", pname).to_delta(p["w1"])
    d2 = get("discrete", pname).to_delta(p["w2"])
    a, b = 1 - d1, 1 - d2
    near = (a - b).abs() <= 1e-12            # both ~0 here: the kernel is c d1 d2 [s = 0]
    scale = p["c"] * d1 * d2 / torch.where(near, torch.ones_like(a), a - b)
    ga = torch.where(near, p["c"] * d1 * d2, scale * a)
    gb = torch.where(near, torch.zeros_like(b), -scale * b)
    return torch.cat([d1, torch.where(near, torch.ones_like(d2), d2)], -1), torch.cat([ga, gb], -1)


# every init draws c first: the order of draws from the generator is part of the result
def diagonal_init(draw, raw, S, m, generator):
    c = 0.1 * torch.randn(S, m, generator=generator)
    return {"w": raw(draw(S, m)), "c": c}


def vanilla_init(draw, raw, S, m, generator):
    c = 0.1 * torch.randn(S, m, generator=generator)
    skew = torch.randn(S, m, m, generator=generator)
    return {"S": skew, "w": raw(draw(S, m)), "b": torch.ones(S, m) / m ** 0.5, "c": c}


def ssm_init(layers: int):
    def init(draw, raw, S, m, generator):
        c = 0.1 * torch.randn(S, m, generator=generator)
        out = {"w1": raw(draw(S, m)), "b": torch.ones(S, m), "c": c}
        if layers == 2:
            out["w2"] = raw(draw(S, m))
            noise = torch.randn(S, m, m, generator=generator)
            out["M"] = torch.eye(m).expand(S, m, m) + 0.1 * noise / m ** 0.5
        return out
    return init


def vanilla_kernel(f, p, T):
    Q = ssm.orthogonal(p["S"])                                        # (..., m, m)
    return ssm.vanilla_kernel(Q, f(p["w"]), p["b"], p["c"], T)


def ssm_outputs(f, p, x, sigma=torch.tanh):
    lams = [f(p["w1"])] + ([f(p["w2"])] if "w2" in p else [])
    mixes = [p["M"]] if "M" in p else []
    return ssm.layerwise_ssm(x, lams, p["b"], mixes, p["c"], sigma)


def diagonal_kernel(f, p, t):
    """Continuous diagonal family: K(t) = sum_i c_i |lam_i| e^{lam_i t}, lam = f(w)."""
    return normalised_diagonal_kernel(t, f(p["w"]), p["c"])


def lru_kernel(f, p, T):
    """LRU-style family: K_s = sum_i c_i (1 - lam_i) lam_i^s, lam = f(w)."""
    return ssm.normalised_discrete_kernel(f(p["w"]), p["c"], T)
