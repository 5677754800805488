"""How each model family's raw parameters make its modes (com.models.families).

Every family is, at rest and per channel, a linear recurrence (or, for the SSMs, a
stack of them): from an approximant (``build``: the modes delta, g of com.approximation
given, infinite horizon) or from an initialisation (``init``: trained on a window).
``modes`` gives (delta, g) of the kernel sum_i g_i (1 - delta_i)^t for any raw
parameters, with any leading axes; ``*_move`` bounds how far that kernel moves in l1
when the recurrent raw weights move by at most beta (|dw|_inf; spectral |dS|), the
output weights held: the certified side of the stability table
(com.stability.bounds.family_upper). Distances are computed in delta-space
(com.models.parameterisations): a mode 1e-20 from the edge is exact for every f.
"""
from __future__ import annotations

import torch

from . import ssm
from .kernels import normalised_diagonal_kernel
from .modes import mass as mode_mass
from .modes import moves as mode_moves
from .parameterisations import delta_range, get


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


def ssm_build(delta, g, pname, generator):
    """Two layers with layer-wise nonlinearity (wang2023statespace): the approximant's
    modes in layer 1 (channel i, input gain delta_i), a linear map into one channel,
    and one pass-through mode (delta = 1, output = input) in layer 2, shared:
    ``w2`` is one raw weight."""
    f = get("discrete", pname)
    return {"w1": f.from_delta(delta), "c": g / delta, "w2": f.from_delta(torch.ones(1))}


def ssm_modes(p, pname):
    """Layer 2 (ratio b) after layer 1 (ratio a), linear: channel i has the kernel
    c_i d1 d2 (a^{s+1} - b^{s+1}) / (a - b), two modes with weights
    +-c_i d1 d2 a|b / (a - b) (a = b = 0, a fast mode behind the pass-through: the
    kernel c_i d1 d2 at s = 0)."""
    d1 = get("discrete", pname).to_delta(p["w1"])
    d2 = get("discrete", pname).to_delta(p["w2"]).expand_as(d1)
    a, b = 1 - d1, 1 - d2
    near = (a - b).abs() <= 1e-12            # both ~0 here: the kernel is c d1 d2 [s = 0]
    scale = p["c"] * d1 * d2 / torch.where(near, torch.ones_like(a), a - b)
    ga = torch.where(near, p["c"] * d1 * d2, scale * a)
    gb = torch.where(near, torch.zeros_like(b), -scale * b)
    return torch.cat([d1, torch.where(near, torch.ones_like(d2), d2)], -1), torch.cat([ga, gb], -1)


def diagonal_move(time: str):
    """sum_i |c_i| mu_i: the normalised recurrence's kernel moves by at most this in
    l1 over |dw|_inf <= beta, c held (the triangle inequality over its modes)."""
    def move(p, pname, betas):
        f = get(time, pname)
        mu, _ = mode_moves(f.to_delta(p["w"]), *delta_range(f, p["w"], betas))
        return (p["c"].abs() * torch.where(p["c"] != 0, mu, torch.zeros_like(mu))).sum(-1)
    return move


def ssm_move(p, pname, betas):
    """Per channel the cascade kernel c_i k1_i * k2 moves by at most
    |c_i| (||k1~ - k1|| ||k2~|| + ||k1|| ||k2~ - k2||) in l1 (Young's inequality)."""
    f = get("discrete", pname)
    mu1, _ = mode_moves(f.to_delta(p["w1"]), *delta_range(f, p["w1"], betas))
    mu2, nu2 = mode_moves(f.to_delta(p["w2"]), *delta_range(f, p["w2"], betas))
    move = mu1 * nu2 + mode_mass(f.to_delta(p["w1"])) * mu2            # (B, m)
    return (p["c"].abs() * torch.where(p["c"] != 0, move, torch.zeros_like(move))).sum(-1)


def vanilla_move(p, pname, betas):
    """K = sum_i W_i k_{delta_i}, W_i = (q_i.c)(q_i.b): with |dS|_2 <= beta the Cayley
    basis turns by |Q~ - Q|_2 <= 2 |dK|_2 <= 4 beta (com.models.ssm.orthogonal), so
    sum_i |W~_i - W_i| <= |(Q~ - Q)^T c| |b| + |c| |(Q~ - Q)^T b| <= 8 beta |c| |b|
    (Cauchy-Schwarz); each moved mode has mass at most nu_i, and the modes move by
    mu_i: ||K~ - K||_1 <= 8 beta |c| |b| max_i nu_i + sum_i |W_i| mu_i."""
    Q, delta = _vanilla_parts(p, pname)
    f = get("discrete", pname)
    mu, nu = mode_moves(delta, *delta_range(f, p["w"], betas))          # (B, m)
    W = (Q * p["c"][..., :, None]).sum(-2) * (Q * p["b"][..., :, None]).sum(-2)
    turn = 8 * betas * p["c"].norm() * p["b"].norm() * nu.amax(-1)
    return turn + (W.abs() * mu).sum(-1)


# every init draws c first: the order of draws from the generator is part of the result
def diagonal_init(draw, raw, S, m, generator):
    c = 0.1 * torch.randn(S, m, generator=generator)
    return {"w": raw(draw(S, m)), "c": c}


def vanilla_init(draw, raw, S, m, generator):
    c = 0.1 * torch.randn(S, m, generator=generator)
    skew = torch.randn(S, m, m, generator=generator)
    return {"S": skew, "w": raw(draw(S, m)), "b": torch.ones(S, m) / m ** 0.5, "c": c}


def vanilla_kernel(f, p, T):
    Q = ssm.orthogonal(p["S"])                                        # (..., m, m)
    return ssm.vanilla_kernel(Q, f(p["w"]), p["b"], p["c"], T)


def diagonal_kernel(f, p, t):
    """Continuous diagonal family: K(t) = sum_i c_i |lam_i| e^{lam_i t}, lam = f(w)."""
    return normalised_diagonal_kernel(t, f(p["w"]), p["c"])


def lru_kernel(f, p, T):
    """LRU-style family: K_s = sum_i c_i (1 - lam_i) lam_i^s, lam = f(w)."""
    return ssm.normalised_discrete_kernel(f(p["w"]), p["c"], T)
