"""Exponential sums built, not trained: approximants fitted over the infinite horizon
(wang2024inverse: the stability witnesses).

Stability in wang2024inverse (Def. 3.5) is existential: a target is stably
approximated if *some* sequence of approximants is. Any construction is a
legitimate witness, and one that is good over the infinite horizon is what the
theorem speaks about. This one, for a width m:

    modes   a_j = 1 - delta_j,  delta_j geometric from delta_min to 1    (j = 0..m-1)
    weights g >= 0 minimising sum_t w_t |rho_t - sum_j g_j a_j^t|           (l1, all t >= 0)

the l1 fit by iteratively reweighted nonnegative least squares on the head lags and
a geometric lag grid reaching past every mode, and delta_min (how close the slowest
mode may come to the edge) chosen on a log grid to minimise the exact
infinite-horizon error (com.approximation.horizon.error). Nonnegative weights suit both kinds of
target (a^t and (t+1)^{-p} are completely monotone: mixtures of geometric sequences),
keep the model's output weights bounded (sum_j g_j = K_0 ~ rho_0 = 1, uniformly in
m, the theorem's hypothesis), and leave the choice of delta_min to the fit alone:
nothing pushes a mode to the edge unless the target's tail asks for it.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from scipy.optimize import nnls

from ..memory.targets import Memory
from ..models.kernels import powers
from ..models.padding import inert, pad
from . import horizon

IRLS_STEPS = 6          # reweighted least-squares passes towards the l1 fit
FIT_END = 1e32          # the fitting grid's last lag (past any mode the search allows)
FIT_POINTS = 600        # geometric fitting lags after the head


def fit_grid(n_head: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Fitting lags and their l1 weights: lags 0..n_head-1 (weight 1 each), then a
    geometric grid to FIT_END with trapezoid weights in t.  -> (L,), (L,)"""
    head = np.arange(n_head, dtype=float)
    far = np.geomspace(n_head, FIT_END, FIT_POINTS)
    w_far = np.gradient(far)
    return np.concatenate([head, far]), np.concatenate([np.ones(n_head), w_far])


def modes(m: int, delta_min: float) -> np.ndarray:
    """Distances to the edge delta_j (a_j = 1 - delta_j), geometric from delta_min to 1.
    -> (m,)"""
    if m == 1:
        return np.array([delta_min])
    return np.geomspace(delta_min, 1.0, m)


def l1_weights(memory: Memory, delta: np.ndarray, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Nonnegative g minimising sum_t w_t |rho_t - (V g)_t|, V_tj = a_j^t, by IRLS: each
    pass solves NNLS with rows scaled by sqrt(w_t / r_t), r_t the last residual (floored
    at 1e-6 rho_t + 1e-18 so that exactly fitted lags keep a finite weight); a pass
    whose NNLS does not converge ends the iteration with the last weights.  -> (m,)"""
    rho = memory.kernel(torch.from_numpy(t)).numpy()                      # (L,)
    V = powers(torch.from_numpy(t), delta=torch.from_numpy(delta)).numpy().T     # (L, m)
    r = rho.copy()
    g = np.zeros(len(delta))
    for _ in range(IRLS_STEPS):
        s = np.sqrt(w / np.maximum(np.abs(r), 1e-6 * rho + 1e-18))      # (L,)
        step = nonnegative_lstsq(V * s[:, None], rho * s)
        if step is None:                                  # keep the last converged pass
            break
        g = step
        r = rho - V @ g
    return g


def nonnegative_lstsq(A: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """argmin_{g >= 0} |A g - b|_2 by Lawson-Hanson NNLS; None where it does not
    converge (a badly conditioned pass: modes crowded near the edge)."""
    try:
        return nnls(A, b, maxiter=30 * A.shape[1])[0]
    except RuntimeError:
        return None


def prune(delta: torch.Tensor, g: torch.Tensor, error_l1: torch.Tensor,
          share: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """Remove the modes that carry least: in order of l1 mass g_i / delta_i, while the
    pruned mass stays below ``share`` of the fit's l1 error ``error_l1``, so the error
    grows by at most that share (triangle inequality). A fit's tiny weights on modes
    near the edge would otherwise set its distance to the edge. A removed unit becomes
    inert: g = 0 and delta = 1 (a = 0), so no perturbation of its input or output
    weight can wake a slow mode.  delta, g: (..., m); error_l1: (...)  ->  delta, g"""
    mass = g / delta                                                      # (..., m)
    order = torch.argsort(mass, dim=-1)
    cut = torch.cumsum(mass.gather(-1, order), -1) <= share * error_l1[..., None]
    keep = torch.ones_like(g).scatter(-1, order, (~cut).to(g.dtype))
    return inert(delta, g, keep > 0)


def fit(memory: Memory, m: int, delta_grid: np.ndarray,
        start: dict | None = None) -> dict:
    """The width-m approximant of ``memory``: for each delta_min on ``delta_grid`` the
    IRLS fit, pruned, keeping the one of least infinite-horizon error. ``start``: a
    narrower approximant, padded with inert modes, is a candidate too (a width-m
    model can be any narrower one), so the error never grows with m.
    -> {"delta": (m,), "g": (m,), "E0": relative error}"""
    t, w = fit_grid()
    delta = torch.from_numpy(np.stack([modes(m, float(d)) for d in delta_grid]))   # (D, m)
    g = torch.from_numpy(np.stack([l1_weights(memory, d.numpy(), t, w) for d in delta]))
    delta, g = prune(delta, g, horizon.error(memory, delta, g) * memory.l1)
    if start is not None:                                     # padded with inert modes
        d, w = pad(start["delta"], start["g"], m)
        delta, g = torch.cat([delta, d[None]]), torch.cat([g, w[None]])
    E0 = horizon.error(memory, delta, g)                                  # (D,)
    i = int(torch.argmin(E0))
    return {"delta": delta[i], "g": g[i], "E0": float(E0[i])}


def delta_grid(smallest: float = 1e-24, n: int = 40) -> np.ndarray:
    """Candidate distances of the slowest mode to the edge, 1/2 down to ``smallest``."""
    return np.geomspace(0.5, smallest, n)


def fits(memory: Memory, widths: list[int], deltas: np.ndarray | None = None) -> dict:
    """``fit`` for every width, stacked.  -> {"delta": (W, M), "g": (W, M), "E0": (W,)}
    with narrower models padded with inert modes (delta = 1, g = 0)."""
    deltas = delta_grid() if deltas is None else deltas
    M = max(widths)
    out = {"delta": torch.ones(len(widths), M), "g": torch.zeros(len(widths), M),
           "E0": torch.zeros(len(widths))}
    f = None
    for i, m in enumerate(widths):
        f = fit(memory, m, deltas, start=f)
        out["delta"][i, :m], out["g"][i, :m], out["E0"][i] = f["delta"], f["g"], f["E0"]
    return out


def edge_distance(delta: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Distance of the slowest live mode to the edge, min delta_i over g_i != 0.
    (..., m) -> (...)"""
    return torch.where(g != 0, delta, torch.full_like(delta, math.inf)).amin(-1)


__all__ = ["fit", "fits", "modes", "l1_weights", "fit_grid", "delta_grid", "edge_distance",
           "prune", "nonnegative_lstsq", "IRLS_STEPS", "FIT_END", "FIT_POINTS"]
