"""The stability table of the authors' README (radarFudan/Curse-of-memory, "Proper
parameterisation enables stable approximation"), computed cell by cell over the
infinite horizon, with the radius on both sides and no re-mapping.

A row is a family of com.models.families with a parameterisation f; a cell is that row
on exponential or polynomial memory. Each cell gets two radii: the sampled one
(com.stability.curves.family_curve: points of the ball, so an *upper* bound of the
true radius) and the certified one (com.stability.bounds.family_upper read with no
interpolation: a *lower* bound), and the verdict of com.stability.verdict.two_sided.
The SSM rows are the two-layer SSM with its tanh, on the Wiener target of each memory
(com.experiments.ssm_tanh). Every cell moves the recurrent raw tensors only, c held:
com.stability.perturbations.PROTOCOLS["table, recurrent only"].

The README's rows map to the rows that *are* the models they name (``README``): its
"Linear Recurrent Unit" to the LRU's own parameterisation exp(-e^w) (lru/lru), its
"State-space model" to the SSM with direct f; the LRU recurrence with eigenvalues
trained directly (lru/direct) is not the LRU and has no README row. ``shared`` says
which rows are one computation.
"""
from __future__ import annotations

import torch

from ..memory.targets import Memory
from ..models.families import FAMILIES
from ..stability import curves, verdict
from . import ssm_tanh

ROWS = [("diagonal", "direct"), ("diagonal", "exp"), ("diagonal", "softplus"),
        ("diagonal", "best"), ("vanilla", "direct"), ("vanilla", "best"),
        ("lru", "direct"), ("lru", "lru"), ("lru", "best"), ("ssm", "direct"),
        ("ssm", "best")]
KINDS = ("exponential", "polynomial")

# README row -> (its verdicts on exponential, polynomial memory), the rows that are it
README = {
    "Diagonal RNN": (("stable", "unstable"), [("diagonal", "direct")]),
    "Vanilla RNN": (("stable", "unstable"), [("vanilla", "direct")]),
    "State-space model": (("stable", "unstable"), [("ssm", "direct")]),
    "Linear Recurrent Unit": (("stable", "unstable"), [("lru", "lru")]),
    "Stable reparameterisation": (("stable", "stable"),
                                  [("diagonal", "exp"), ("diagonal", "softplus"),
                                   ("diagonal", "best"), ("vanilla", "best"),
                                   ("lru", "best"), ("ssm", "best")]),
}


def readme_row(family: str, pname: str) -> str | None:
    """The README row that is this model, or None (lru/direct: the LRU recurrence
    without the LRU's parameterisation has no README row)."""
    return next((row for row, (_, cells) in README.items() if (family, pname) in cells), None)


def readme_verdict(family: str, pname: str, kind: str) -> str | None:
    """What the README says of this cell, or None."""
    row = readme_row(family, pname)
    return None if row is None else README[row][0][KINDS.index(kind)]


def shared(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Rows that are one computation: the same structure moved through the same map
    (the direct map delta = -w is one map in continuous and discrete time, so
    diagonal/direct and lru/direct are the same recurrence, built from the same
    approximant and moved the same way).  -> {group: ["family/pname", ...]}"""
    structure = {"diagonal": "normalised diagonal recurrence", "lru":
                 "normalised diagonal recurrence", "vanilla": "symmetric dense recurrence",
                 "ssm": "two-layer SSM with tanh"}
    groups: dict[str, list[str]] = {}
    for f, p in rows:
        fmap = "direct" if p == "direct" else f"{FAMILIES[f].time} {p}"
        groups.setdefault(f"{structure[f]}, {fmap}", []).append(f"{f}/{p}")
    return groups


def identical(cells: dict) -> list[tuple[str, str, str]]:
    """Pairs of cells of one memory whose radii and E_m(0) agree at every width to
    1e-12 (relative): numerically one computation.  -> [(row, row, memory), ...]"""
    keys, out = list(cells), []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if a[2] == b[2] and all(torch.allclose(cells[a][k], cells[b][k], rtol=1e-12)
                                    for k in ("radius", "E0")):
                out.append((f"{a[0]}/{a[1]}", f"{b[0]}/{b[1]}", a[2]))
    return out


def cell(family: str, pname: str, memory: Memory, fit: dict, widths: list[int],
         betas: torch.Tensor, fine: torch.Tensor, n_samples: int, generator: torch.Generator,
         tolerance: float, shrink: float, eps: float, kappa: float) -> dict:
    """One cell: E0, both radii (W,), the first approximating width, the sampled ratio
    and the two-sided verdict ("stable (certified)", ...).  (and "z" where the family
    has a nonlinearity: the pre-activation bound (vanilla, kappa = 1) or reached (SSM))"""
    if family == "ssm":
        out = ssm_tanh.cell(memory, fit, widths, pname, betas, fine, n_samples, generator,
                            eps, kappa, tolerance)
    else:
        out = curves.family_curve(FAMILIES[family], pname, memory, fit, widths, betas,
                                  n_samples, generator, fine)
        out["radius"] = verdict.radius(betas, out["E"], out["E0"], tolerance)
        out["radius_lower"] = verdict.certified_radius(fine, out.pop("upper"), out["E0"],
                                                       tolerance)
    first = min(verdict.first_approximating(out["E0"], tolerance), len(widths) - 1)
    return out | {"first": first, "ratio": verdict.radius_ratio(out["radius"], first),
                  "verdict": verdict.two_sided(out["radius_lower"], out["radius"], first,
                                               shrink)}


__all__ = ["ROWS", "KINDS", "README", "readme_row", "readme_verdict", "shared", "identical",
           "cell"]
