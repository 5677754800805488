"""The curse of memory measured over the infinite horizon, for one target memory.

One call builds the approximants of every width (com.approximation.exp_sums), their
perturbation curves E_m(beta) (com.stability.curves), and every quantity the paper's
criteria read off them: radii, crossings of consecutive curves, the certificates,
and the same radii over finite windows for contrast (``measure``). ``simulate`` and
``nonlinear`` run the approximants as tanh and hardtanh RNNs along the proof's
direction. ``CurseConfig`` holds the settings shared by every memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import torch

from ..approximation import exp_sums, horizon
from ..memory.targets import Memory
from ..stability import bounds, linearisation, perturbations, verdict
from ..stability.curves import curve, diagonal_curve
from ..stability.perturbations import split


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


def measure(memory: Memory, cfg: CurseConfig, generator: torch.Generator,
            pname: str | None = None, fit: dict | None = None) -> dict:
    """Everything the chapter reports for one memory (``pname`` as in
    com.stability.curves.diagonal_curve; ``fit`` reuses approximants already built).
    -> dict of tensors over widths W and radii B (see the keys below)."""
    widths, betas = torch.tensor(cfg.widths), cfg.betas
    fit = fit or exp_sums.fits(memory, list(cfg.widths),
                               exp_sums.delta_grid(cfg.delta_floor, cfg.n_deltas))
    delta, g = fit["delta"], fit["g"]
    C = diagonal_curve(memory, delta, g, widths, betas, cfg.n_samples, generator, pname=pname)
    out = {"fit": fit, "E0": C["E0"], "E": C["E"], "edge_E": C["edge"],
           "radius": verdict.radius(betas, C["E"], C["E0"], cfg.tolerance),
           "edge": exp_sums.edge_distance(delta, g),
           "crossings": bounds.crossings(betas, C["E"], slack=cfg.tolerance / 10),
           "first": verdict.first_approximating(C["E0"], cfg.tolerance)}
    if pname is not None:
        return out | {"z": C["z"]}
    return out | _certificates(memory, cfg, fit, C, generator)


def _certificates(memory: Memory, cfg: CurseConfig, fit: dict, C: dict,
                  generator: torch.Generator) -> dict:
    """The bounds that hold over the whole ball, and the radii over finite windows."""
    delta, g, betas, widths = fit["delta"], fit["g"], cfg.betas, torch.tensor(cfg.widths)
    up = bounds.certified_upper(memory, delta, g, C["E0"], betas)
    u, c = split(g)
    out = dict(upper=up, upper_holds=bool((up >= C["E"] * (1 - 1e-6)).all()),
               radius_lower=verdict.radius(betas, up, C["E0"], cfg.tolerance),
               edge_bound=bounds.edge_bound(memory, C["E0"], g.abs().sum(-1)),
               J_radius=linearisation.complex_radius(torch.diag_embed(-delta)))
    window = {T: diagonal_curve(memory, delta, g, widths, betas, cfg.n_samples, generator,
                                window=T) for T in cfg.windows}
    out["window"] = {T: verdict.radius(betas, w["E"], w["E0"], cfg.tolerance)
                     for T, w in window.items()}
    out["window_lower"] = {T: bounds.window_lower(memory, T, float(u.norm(dim=-1).max()),
                                                  float(c.norm(dim=-1).max()), cfg.tolerance)
                           for T in cfg.windows}
    return out


def simulate(memory: Memory, fit: dict, sigma: str, betas: torch.Tensor, x: torch.Tensor,
             kappa: float) -> torch.Tensor:
    """Window errors of the approximants run as residual RNNs with activation sigma
    (com.stability.linearisation.realise), unperturbed (column 0) and with
    W -> W + beta I (the proof's direction), on the input sequences x, all models in
    one program.  fit: delta, g (W, M); betas: (B,); x: (N, T)  ->  (W, 1 + B)"""
    rho = memory.kernel(torch.arange(x.shape[-1], dtype=torch.float64))

    def error(delta, g):                                                # (W, n, M) -> (W, n)
        params = linearisation.realise(delta.flatten(0, 1), g.flatten(0, 1), kappa)
        with torch.no_grad():
            err = linearisation.simulated_error(params, sigma, rho, x)
        return err.reshape(delta.shape[:2])
    moved = perturbations.edge(fit["delta"], betas)                     # (W, B, 1, M)
    g = fit["g"][:, None, None].expand_as(moved)
    E0, E = curve(error, (fit["delta"], fit["g"]), (moved, g), per_model=False)
    return torch.cat([E0[:, None], E[..., 0]], 1)


def nonlinear(memory: Memory, fit: dict, betas: torch.Tensor, kappa: float) -> dict:
    """The approximants run as hardtanh and tanh RNNs (com.stability.linearisation.realise,
    scale kappa) over all time, W -> W + beta I with U and c held (the proof's
    direction): modes delta - beta, kernel weights g unchanged. The linear RNN's error
    is E (com.approximation.horizon.error); the hardtanh RNN's equals it wherever the
    pre-activation bound z <= 1 (com.stability.linearisation.preactivation), and the
    tanh RNN's lies within E +- gap (linearisation.tanh_gap, relative); z is 0 where E
    is infinite.  fit: delta, g (W, M); betas: (B,)
    ->  {"E", "gap", "z"}: (W, 1 + B), column 0 unperturbed"""
    moved = perturbations.edge(fit["delta"], betas)                     # (W, B, 1, M)
    g = fit["g"][:, None, None].expand_as(moved)
    E0, E = curve(partial(horizon.error, memory), (fit["delta"], fit["g"]), (moved, g))
    E = torch.cat([E0[:, None], E[..., 0]], 1)                          # (W, 1 + B)
    d = torch.cat([fit["delta"][:, None], moved[:, :, 0]], 1)           # (W, 1 + B, M)
    g = fit["g"][:, None].expand_as(d)
    u = g.clamp_min(0).sqrt() / kappa                          # realise: U = sqrt(g)/kappa
    return {"E": E, "gap": linearisation.tanh_gap(d, g, kappa) / memory.l1,
            "z": linearisation.where_finite(linearisation.preactivation(d, u).amax(-1), E)}


def nonlinear_radii(result: dict, betas: torch.Tensor, tolerance: float) -> dict:
    """The radii of ``nonlinear``'s curves: the hardtanh RNN's (``radius``, its error is
    E) and the bounds of the tanh RNN's, whose error lies within E +- gap: ``upper``
    (E - gap grows slowest) and ``lower`` (E + gap fastest), each from E(0) within the
    same band.  -> result with "E0", "E" (W, B) and the radii (W,)"""
    E, gap, E0, g0 = result["E"][:, 1:], result["gap"][:, 1:], result["E"][:, 0], \
        result["gap"][:, 0]
    return {**result, "E0": E0, "E": E,
            "radius": verdict.radius(betas, E, E0, tolerance),
            "upper": verdict.radius(betas, (E - gap).clamp_min(0), E0 + g0, tolerance),
            "lower": verdict.radius(betas, E + gap, (E0 - g0).clamp_min(0), tolerance)}


__all__ = ["CurseConfig", "measure", "simulate", "nonlinear", "nonlinear_radii"]
