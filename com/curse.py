"""The curse of memory measured over the infinite horizon, for one target memory.

One call builds the approximants of every width (com.approximants), their
perturbation curves E_m(beta) (com.stability), and every quantity the paper's
criteria read off them: radii, crossings of consecutive curves, the certificates,
and the same radii over finite windows for contrast. ``CurseConfig`` holds the
settings shared by every memory.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from . import approximants, horizon, linearisation, stability
from .horizon import Memory


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


def approximating(E0: torch.Tensor, tolerance: float) -> int:
    """Index of the first width whose E_m(0) <= tolerance / 2: from there on a model
    approximates at the scale the radius is measured at (a model already off by the
    tolerance has nothing left to lose). len(E0) if none does.  (W,) -> int"""
    ok = (E0 <= tolerance / 2).nonzero()
    return int(ok[0]) if len(ok) else len(E0)


def measure(memory: Memory, cfg: CurseConfig, generator: torch.Generator,
            pname: str | None = None, fit: dict | None = None) -> dict:
    """Everything the chapter reports for one memory (``pname`` as in
    com.stability.curve; ``fit`` reuses approximants already built).
    -> dict of tensors over widths W and radii B (see the keys below)."""
    widths, betas = torch.tensor(cfg.widths), cfg.betas
    fit = fit or approximants.fits(memory, list(cfg.widths),
                                   approximants.delta_grid(cfg.delta_floor, cfg.n_deltas))
    delta, g = fit["delta"], fit["g"]
    C = stability.curve(memory, delta, g, widths, betas, cfg.n_samples, generator, pname=pname)
    out = {"fit": fit, "E0": C["E0"], "E": C["E"], "edge_E": C["edge"],
           "radius": stability.radius(betas, C["E"], C["E0"], cfg.tolerance),
           "edge": approximants.edge_distance(delta, g),
           "crossings": stability.crossings(betas, C["E"], slack=cfg.tolerance / 10),
           "first": approximating(C["E0"], cfg.tolerance)}
    if pname is not None:
        return out | {"z": C["z"]}
    up = stability.certified_upper(memory, delta, g, C["E0"], betas)
    u, c = stability.split(g)
    out.update(upper=up, upper_holds=bool((up >= C["E"] * (1 - 1e-6)).all()),
               radius_lower=stability.radius(betas, up, C["E0"], cfg.tolerance),
               edge_bound=stability.edge_bound(memory, C["E0"], g.abs().sum(-1)),
               J_radius=linearisation.complex_radius(torch.diag_embed(-delta)))
    out["window"] = {T: stability.radius(betas, *_window(memory, delta, g, widths, betas,
                                                        cfg, generator, T), cfg.tolerance)
                     for T in cfg.windows}
    out["window_lower"] = {T: stability.window_lower(memory, T, float(u.norm(dim=-1).max()),
                                                     float(c.norm(dim=-1).max()), cfg.tolerance)
                           for T in cfg.windows}
    return out


def _window(memory, delta, g, widths, betas, cfg, generator, T):
    C = stability.curve(memory, delta, g, widths, betas, cfg.n_samples, generator, window=T)
    return C["E"], C["E0"]


def ratio(radius: torch.Tensor, first: int) -> float:
    """beta*(m_max) / beta*(m_first): how much the radius moved over the approximating
    widths (nan if fewer than two widths approximate)."""
    if first >= len(radius) - 1:
        return float("nan")
    return float(radius[-1] / radius[first])


def simulate(memory: Memory, fit: dict, sigma: str, betas: torch.Tensor, x: torch.Tensor,
             kappa: float) -> torch.Tensor:
    """Window errors of the approximants run as residual RNNs with activation sigma
    (com.linearisation.realise), unperturbed (column 0) and with W -> W + beta I
    (the proof's direction), on the input sequences x, all models in one program.
    fit: delta, g (W, M); betas: (B,); x: (N, T)  ->  (W, 1 + B)"""
    delta = _edge(fit["delta"], betas)                                  # (W, 1+B, M)
    g = fit["g"][:, None].expand_as(delta)
    params = linearisation.realise(delta.flatten(0, 1), g.flatten(0, 1), kappa)
    rho = memory.kernel(torch.arange(x.shape[-1], dtype=torch.float64))
    with torch.no_grad():
        err = linearisation.window_error(params, sigma, rho, x)
    return err.reshape(delta.shape[:2])


def _edge(delta: torch.Tensor, betas: torch.Tensor) -> torch.Tensor:
    """Modes under W -> W + beta I, beta = 0 first: (..., M) -> (..., 1 + B, M)"""
    shift = torch.cat([torch.zeros(1, dtype=betas.dtype), betas])          # (1+B,)
    return delta[..., None, :] - shift[:, None]


def nonlinear(memory: Memory, fit: dict, betas: torch.Tensor, kappa: float) -> dict:
    """The approximants run as hardtanh and tanh RNNs (com.linearisation.realise, scale
    kappa) over all time, W -> W + beta I with U and c held (the proof's direction):
    modes delta - beta, kernel weights g unchanged. The linear RNN's error is E
    (com.horizon.error); the hardtanh RNN's equals it wherever the pre-activation
    bound z <= 1 (com.linearisation.preactivation), and the tanh RNN's lies within
    E +- gap (com.linearisation.tanh_gap, relative); z is 0 where E is infinite.
    fit: delta, g (W, M); betas: (B,)  ->  {"E", "gap", "z"}: (W, 1 + B), column 0
    unperturbed"""
    out = {"E": [], "gap": [], "z": []}
    for delta, g in zip(fit["delta"], fit["g"]):                # one grid per width
        d = _edge(delta, betas)                                             # (1+B, M)
        gg = g.expand_as(d)
        E = horizon.error(memory, d, gg)
        u = gg.clamp_min(0).sqrt() / kappa                      # realise: U = sqrt(g)/kappa
        out["E"].append(E)
        out["gap"].append(linearisation.tanh_gap(d, gg, kappa) / memory.l1)
        out["z"].append(linearisation.where_finite(
            linearisation.preactivation(d, u).amax(-1), E))
    return {k: torch.stack(v) for k, v in out.items()}


__all__ = ["CurseConfig", "approximating", "measure", "ratio", "simulate", "nonlinear"]
_ = horizon
