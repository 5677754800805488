"""The curse of memory measured over the infinite horizon, for one target memory.

One call builds every quantity the paper's criteria read off the approximants of
every width (com.approximation.exp_sums, fitted once, seed-independent): their
perturbation curves E_m(beta) at the points of com.stability.perturbations
(com.stability.curves), radii, crossings of consecutive curves, and both sides of
the sup over the ball (``measure``): for the free RNN the certified whole-ball bound
(W, U, b, c), the c channel alone (com.stability.bounds.output_ball), the linearisation
r(J); for the normalised recurrence through a parameterisation f, the certified bounds
with c held and with c in the ball. ``windows``: the same approximants on windows of
T steps along the proof's direction, in closed form. ``CurseConfig`` holds the
settings shared by every memory.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..approximation import exp_sums, horizon
from ..memory.targets import Memory
from ..models.padding import live
from ..models.parameterisations import get
from ..stability import bounds, linearisation, perturbations, verdict
from ..stability.curves import diagonal_curve
from ..stability.perturbations import split

FINE = 512             # radii on the certified bounds' grid


@dataclass(frozen=True)
class CurseConfig:
    widths: tuple[int, ...]            # widths m, increasing
    log_betas: tuple[float, float]     # log10 of the smallest and largest radius
    n_betas: int                       # radii on the log grid
    n_samples: int                     # random vertices per radius (besides the edge)
    tolerance: float                   # E_m(0) + tolerance defines the radius
    windows: tuple[int, ...]           # finite windows T for contrast
    delta_floor: float                 # closest a fitted mode may sit to the edge
    n_deltas: int                      # candidate slowest distances per fit

    @property
    def betas(self) -> torch.Tensor:
        return torch.logspace(*self.log_betas, self.n_betas, dtype=torch.float64)

    @property
    def fine(self) -> torch.Tensor:
        """The certified bounds' grid (closed forms, cheap): a radius read off it with
        no interpolation loses at most a factor 10^(range / (FINE - 1))."""
        return torch.logspace(*self.log_betas, FINE, dtype=torch.float64)

    def fit(self, memory: Memory) -> dict:
        """The approximants of every width (seed-independent)."""
        return exp_sums.fits(memory, list(self.widths),
                             exp_sums.delta_grid(self.delta_floor, self.n_deltas))


def measure(memory: Memory, cfg: CurseConfig, generator: torch.Generator,
            pname: str | None = None, fit: dict | None = None) -> dict:
    """Everything the chapter reports for one memory (``pname`` as in
    com.stability.curves.diagonal_curve; ``fit`` reuses approximants already built).
    -> dict of tensors over widths W and radii B (see the keys below)."""
    widths, betas = torch.tensor(cfg.widths), cfg.betas
    fit = fit or cfg.fit(memory)
    delta, g = fit["delta"], fit["g"]
    C = diagonal_curve(memory, delta, g, widths, betas, cfg.n_samples, generator, pname=pname)
    out = {"fit": fit, "E0": C["E0"], "E": C["E"], "edge_E": C["edge"],
           "radius": verdict.radius(betas, C["E"], C["E0"], cfg.tolerance),
           "edge_radius": verdict.radius(betas, C["edge"], C["E0"], cfg.tolerance),
           "edge": exp_sums.edge_distance(delta, g),
           "crossings": bounds.crossings(betas, C["E"], slack=cfg.tolerance / 10),
           "first": verdict.first_approximating(C["E0"], cfg.tolerance)}
    if pname is not None:
        return out | {"z": C["z"]} | _normalised(memory, cfg, fit, C["E0"], pname)
    return out | _certificates(memory, cfg, fit, C)


def _radius(cfg: CurseConfig, E: torch.Tensor, E0: torch.Tensor) -> torch.Tensor:
    return verdict.radius(cfg.betas, E, E0, cfg.tolerance)


def _certified(cfg: CurseConfig, upper: torch.Tensor, E0: torch.Tensor) -> torch.Tensor:
    return verdict.certified_radius(cfg.fine, upper, E0, cfg.tolerance)


def _certificates(memory: Memory, cfg: CurseConfig, fit: dict, C: dict) -> dict:
    """Both sides of the sup over Def. 3.4's ball for the free RNN, the c channel
    alone, the linearisation's radius, and the edge distance forced by E_m(0)."""
    delta, g, E0 = fit["delta"], fit["g"], C["E0"]
    up = bounds.certified_upper(memory, delta, g, E0, cfg.betas)
    u, _ = split(g)
    masses = torch.where(g != 0, u / delta, torch.zeros_like(u))        # ||u_i a_i^t||_1
    fine = bounds.certified_upper(memory, delta, g, E0, cfg.fine)
    return dict(upper=up, upper_holds=bool((up >= C["E"] * (1 - 1e-4)).all()),
                radius_lower=_certified(cfg, fine, E0),
                radius_aligned=_radius(cfg, C["aligned"], E0),
                c_radius=bounds.output_radius(memory, masses, E0, cfg.tolerance),
                u_delta=masses.norm(dim=-1), moment=first_moment(delta, g),
                edge_bound=bounds.edge_bound(memory, E0, g.abs().sum(-1)),
                J_radius=linearisation.complex_radius(torch.diag_embed(-delta)))


def first_moment(delta: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """sum_t t K_t = sum_i g_i (1 - delta_i) / delta_i^2 in closed form: by
    Cauchy-Schwarz at most ||u/delta||_2 ||c/delta||_2, the product of the worst u and
    c channels' gains, so where it diverges with m (a power law with p <= 2) one of
    them does.  (..., M) -> (...)"""
    live_ = g != 0
    return torch.where(live_, g * (1 - delta) / delta ** 2, torch.zeros_like(g)).sum(-1)


def _normalised(memory: Memory, cfg: CurseConfig, fit: dict, E0: torch.Tensor,
                pname: str) -> dict:
    """The certified side for the normalised recurrence: recurrent only (c held), with
    c in the ball, and the c channel alone (mass 1 on every unit of a model)."""
    f, delta = get("continuous", pname), fit["delta"]
    c = fit["g"] / delta
    rec = bounds.normalised_upper(memory, f, delta, c, E0, cfg.fine)
    both = bounds.normalised_upper(memory, f, delta, c, E0, cfg.fine, with_c=True)
    ones = live(torch.tensor(cfg.widths), delta.shape[-1], delta.dtype)
    return {"radius_recurrent": _certified(cfg, rec, E0),
            "radius_with_c": _certified(cfg, both, E0),
            "c_radius": bounds.output_radius(memory, ones, E0, cfg.tolerance)}


def windows(memory: Memory, cfg: CurseConfig, fit: dict, Ts: list[int]) -> dict:
    """The radius on windows of T steps along W -> W + beta I (the proof's direction,
    U and c held), error sum_{t<T} |rho_t - K_t| / sum_{t<T} rho_t in closed form
    (com.approximation.horizon.window_error), and the m-independent lower bound
    (com.stability.bounds.window_lower). -> {"radius": {T: (W,)}, "lower": {T: float}}"""
    delta, g, betas = fit["delta"], fit["g"], cfg.betas
    moved = perturbations.edge(delta, betas)[..., 0, :]                  # (W, B, M)
    u, c = split(g)
    out = {"radius": {}, "lower": {}}
    for T in Ts:
        E0 = horizon.window_error(memory, delta, g, T)
        E = horizon.window_error(memory, moved, g[:, None].expand_as(moved), T)
        out["radius"][T] = _radius(cfg, E, E0)
        out["lower"][T] = bounds.window_lower(memory, T, float(u.norm(dim=-1).max()),
                                              float(c.norm(dim=-1).max()), cfg.tolerance)
    return out


__all__ = ["CurseConfig", "measure", "first_moment", "windows"]
