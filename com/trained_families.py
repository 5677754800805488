"""The model families the book trains on a finite window, one raw-parameter dict each.

A family's trainable raw tensors sit in a dict with a leading model axis S; the
recurrent ones (RECURRENT[family]) are those a parameterisation f acts on
(com.parameterisations), and the ones a perturbation moves. TIME[family] says which f
table it uses.

diagonal  continuous, K(t) = sum_i c_i |lam_i| e^{lam_i t}, lam = f(w)
lru       discrete,   K_s = sum_i c_i (1 - lam_i) lam_i^s
vanilla   discrete,   dense A = Q diag(f(w)) Q^T, Q = cayley(S - S^T)
ssm1/2    discrete,   one or two diagonal layers with tanh between (outputs, not kernels)

The same families over the infinite horizon, built from approximants rather than
trained, are in com.families.
"""
from __future__ import annotations

import torch

from . import memory, models, parameterisations

FAMILIES = ("diagonal", "vanilla", "lru", "ssm1", "ssm2")
TIME = {"diagonal": "continuous", "vanilla": "discrete", "lru": "discrete",
        "ssm1": "discrete", "ssm2": "discrete"}
RECURRENT = {"diagonal": ("w",), "lru": ("w",), "ssm1": ("w1",), "ssm2": ("w1", "w2"),
             "vanilla": ("S", "w")}                  # A = Q diag(f(w)) Q^T, Q = cayley(S - S^T)


def init_family(family: str, pname: str, n_models: int, m: int, generator: torch.Generator,
                eig=None) -> dict[str, torch.Tensor]:
    """Raw parameters of ``n_models`` models of width m, eigenvalue magnitudes drawn
    uniformly in ``eig`` (continuous: rates |lam|; discrete: lam).  -> dict of (S, ...)"""
    p = parameterisations.get(TIME[family], pname)
    eig = eig or ((0.1, 1.5) if p.time == "continuous" else (0.5, 0.95))
    S = n_models

    def draw(*shape):
        return torch.empty(*shape).uniform_(*eig, generator=generator)

    def raw(lam):
        return p.inverse(-lam if p.time == "continuous" else lam)

    c = 0.1 * torch.randn(S, m, generator=generator)
    if family in ("diagonal", "lru"):
        return {"w": raw(draw(S, m)), "c": c}
    if family == "vanilla":
        skew = torch.randn(S, m, m, generator=generator)
        lam = draw(S, m)
        b = torch.ones(S, m) / m ** 0.5
        return {"S": skew, "w": raw(lam), "b": b, "c": c}
    out = {"w1": raw(draw(S, m)), "b": torch.ones(S, m), "c": c}
    if family == "ssm2":
        out["w2"] = raw(draw(S, m))
        noise = torch.randn(S, m, m, generator=generator)
        out["M"] = torch.eye(m).expand(S, m, m) + 0.1 * noise / m ** 0.5
    return out


def family_kernel(family: str, pname: str, params: dict, grid) -> torch.Tensor:
    """Kernel of a linear family: ``grid`` is the lag tensor t (continuous) or the
    length T (discrete).  params: dict of (..., ...)  ->  (..., T)"""
    f = parameterisations.get(TIME[family], pname)
    if family == "diagonal":
        return models.normalised_diagonal_kernel(grid, f(params["w"]), params["c"])
    if family == "lru":
        return models.normalised_discrete_kernel(f(params["w"]), params["c"], grid)
    if family == "vanilla":
        Q = models.orthogonal(params["S"])                                # (..., m, m)
        return models.vanilla_kernel(Q, f(params["w"]), params["b"], params["c"], grid)
    raise ValueError(f"family {family!r} is not linear")


def family_outputs(family: str, pname: str, params: dict, x: torch.Tensor,
                   sigma=torch.tanh) -> torch.Tensor:
    """Outputs of an SSM family with layer-wise nonlinearity.  x: (N, T) -> (..., N, T)"""
    f = parameterisations.get("discrete", pname)
    lams = [f(params["w1"])] + ([f(params["w2"])] if family == "ssm2" else [])
    mixes = [params["M"]] if family == "ssm2" else []
    return models.layerwise_ssm(x, lams, params["b"], mixes, params["c"], sigma)


def width_masks(params: dict, widths: torch.Tensor) -> dict:
    """0/1 masks that confine model s to its first widths[s] units, so models of several
    widths share one padded tensor program.  widths: (S,) -> masks shaped like params"""
    M = next(iter(params.values())).shape[-1]
    live = (torch.arange(M) < widths[:, None]).to(torch.float64)             # (S, M)
    return {k: live[:, :, None] * live[:, None, :] if v.dim() == 3 else live
            for k, v in params.items()}


def heaviside_memory(task, pname: str, params: dict, magnitudes: torch.Tensor,
                     T: int) -> torch.Tensor:
    """Memory function of SSM models from Heaviside inputs x 1_{t >= 0} (com.memory probe).
    magnitudes: (X,)  ->  (S, T-1)"""
    x = magnitudes[:, None] * torch.ones(T)                                # (X, T)
    with torch.no_grad():
        y = family_outputs(task.family, pname, params, x)                  # (S, X, T)
    return memory.memory_function(y, magnitudes)


__all__ = ["FAMILIES", "TIME", "RECURRENT", "init_family", "family_kernel", "family_outputs",
           "width_masks", "heaviside_memory"]
