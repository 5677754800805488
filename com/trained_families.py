"""The model families the book trains on a finite window, one raw-parameter dict each.

A family's trainable raw tensors sit in a dict with a leading model axis S; the
recurrent ones are those a parameterisation f acts on (com.parameterisations), and the
ones a perturbation moves.

diagonal  continuous, K(t) = sum_i c_i |lam_i| e^{lam_i t}, lam = f(w)
lru       discrete,   K_s = sum_i c_i (1 - lam_i) lam_i^s
vanilla   discrete,   dense A = Q diag(f(w)) Q^T, Q = cayley(S - S^T)
ssm1/2    discrete,   one or two diagonal layers with tanh between (outputs, not kernels)

Each family is one record of REGISTRY (TrainedFamily): its time, its recurrent
tensors, its initialisation and its kernel or outputs.
The same families over the infinite horizon, built from approximants rather than
trained, are in com.families.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from . import memory, models, parameterisations


@dataclass(frozen=True)
class TrainedFamily:
    """One family trained on a window: everything the training, the tasks and the
    learning-rate sweep need to know about it, in one record.

    time:       which f table it uses, "continuous" or "discrete" (com.parameterisations)
    recurrent:  the raw tensors f acts on and a perturbation moves; the first is the
                eigenvalue parameter w
    init:       (draw, raw, S, m, generator) -> raw params, dict of (S, ...); draw(*shape)
                samples eigenvalue magnitudes, raw(lam) maps eigenvalues to raw w
    kernel:     (f, params, grid) -> (..., T), for a linear family (trained on the
                closed-form white-noise loss)
    outputs:    (f, params, x) -> (..., N, T), x: (N, T), for a family that is not linear
                (trained on sampled data)
    """
    time: str
    recurrent: tuple[str, ...]
    init: Callable[..., dict]
    kernel: Callable[..., torch.Tensor] | None = None
    outputs: Callable[..., torch.Tensor] | None = None

    @property
    def linear(self) -> bool:
        return self.kernel is not None


# every init draws c first: the order of draws from the generator is part of the result
def _diagonal_init(draw, raw, S, m, generator):
    c = 0.1 * torch.randn(S, m, generator=generator)
    return {"w": raw(draw(S, m)), "c": c}


def _vanilla_init(draw, raw, S, m, generator):
    c = 0.1 * torch.randn(S, m, generator=generator)
    skew = torch.randn(S, m, m, generator=generator)
    return {"S": skew, "w": raw(draw(S, m)), "b": torch.ones(S, m) / m ** 0.5, "c": c}


def _ssm_init(layers: int):
    def init(draw, raw, S, m, generator):
        c = 0.1 * torch.randn(S, m, generator=generator)
        out = {"w1": raw(draw(S, m)), "b": torch.ones(S, m), "c": c}
        if layers == 2:
            out["w2"] = raw(draw(S, m))
            noise = torch.randn(S, m, m, generator=generator)
            out["M"] = torch.eye(m).expand(S, m, m) + 0.1 * noise / m ** 0.5
        return out
    return init


def _vanilla_kernel(f, p, T):
    Q = models.orthogonal(p["S"])                                        # (..., m, m)
    return models.vanilla_kernel(Q, f(p["w"]), p["b"], p["c"], T)


def _ssm_outputs(f, p, x, sigma=torch.tanh):
    lams = [f(p["w1"])] + ([f(p["w2"])] if "w2" in p else [])
    mixes = [p["M"]] if "M" in p else []
    return models.layerwise_ssm(x, lams, p["b"], mixes, p["c"], sigma)


REGISTRY: dict[str, TrainedFamily] = {
    "diagonal": TrainedFamily(
        "continuous", ("w",), _diagonal_init,
        kernel=lambda f, p, t: models.normalised_diagonal_kernel(t, f(p["w"]), p["c"])),
    "vanilla": TrainedFamily("discrete", ("S", "w"), _vanilla_init, kernel=_vanilla_kernel),
    "lru": TrainedFamily(
        "discrete", ("w",), _diagonal_init,
        kernel=lambda f, p, T: models.normalised_discrete_kernel(f(p["w"]), p["c"], T)),
    "ssm1": TrainedFamily("discrete", ("w1",), _ssm_init(1), outputs=_ssm_outputs),
    "ssm2": TrainedFamily("discrete", ("w1", "w2"), _ssm_init(2), outputs=_ssm_outputs),
}
FAMILIES = tuple(REGISTRY)


def get(family: str) -> TrainedFamily:
    """The record of ``family``; a new family is one new entry of REGISTRY."""
    if family not in REGISTRY:
        raise ValueError(f"family must be one of {sorted(REGISTRY)}; got {family!r}")
    return REGISTRY[family]


def init_family(family: str, pname: str, n_models: int, m: int, generator: torch.Generator,
                eig=None) -> dict[str, torch.Tensor]:
    """Raw parameters of ``n_models`` models of width m, eigenvalue magnitudes drawn
    uniformly in ``eig`` (continuous: rates |lam|; discrete: lam).  -> dict of (S, ...)"""
    fam = get(family)
    p = parameterisations.get(fam.time, pname)
    eig = eig or ((0.1, 1.5) if p.time == "continuous" else (0.5, 0.95))

    def draw(*shape):
        return torch.empty(*shape).uniform_(*eig, generator=generator)

    def raw(lam):
        return p.inverse(-lam if p.time == "continuous" else lam)
    return fam.init(draw, raw, n_models, m, generator)


def family_kernel(family: str, pname: str, params: dict, grid) -> torch.Tensor:
    """Kernel of a linear family: ``grid`` is the lag tensor t (continuous) or the
    length T (discrete).  params: dict of (..., ...)  ->  (..., T)"""
    fam = get(family)
    if not fam.linear:
        raise ValueError(f"family {family!r} is not linear")
    return fam.kernel(parameterisations.get(fam.time, pname), params, grid)


def family_outputs(family: str, pname: str, params: dict, x: torch.Tensor) -> torch.Tensor:
    """Outputs of a family that is not linear (SSMs with layer-wise tanh).
    x: (N, T) -> (..., N, T)"""
    fam = get(family)
    if fam.outputs is None:
        raise ValueError(f"family {family!r} is linear: use family_kernel")
    return fam.outputs(parameterisations.get(fam.time, pname), params, x)


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


__all__ = ["TrainedFamily", "REGISTRY", "FAMILIES", "get", "init_family", "family_kernel",
           "family_outputs", "width_masks", "heaviside_memory"]
