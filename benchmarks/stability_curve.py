"""Workload 5: a stability curve E_m(beta) over the infinite horizon, against the window
simulation it replaces.

Memory rho_t = (t + 1)^{-1.5}; approximants of widths 4, 8, 16 (com.approximation.exp_sums, not
timed); radii 1e-6 .. 1e-1; the edge direction, its opposite and random directions per
radius (com.stability.perturbations.diagonal).
Baseline: every perturbed model run in time over a window of T steps, one model at a
time as separate runs of an experiment on sequences would: the impulse response
h_{t+1} = a h_t, K_t = g^T h_t, one step at a time, then
sum_{t<T} |rho_t - K_t| / sum_{t<T} rho_t; timed on a few models and extrapolated.
com: com.stability.curves.diagonal_curve, the error over all time (head, Simpson in
log t, closed-form tails), which the window cannot see past T.
Agreement: the same draws; com's window rule (com.approximation.horizon.window_error)
matches the simulated window errors, and com's infinite-horizon error bounds them from
above once normalised alike.
"""
from __future__ import annotations

import numpy as np
import torch

from com import memory as memories
from com.approximation import exp_sums, horizon
from com.stability import curves, perturbations

from . import best_time, row

FULL = dict(widths=(4, 8, 16), n_betas=12, n_samples=4, T=4096, timed=8)
QUICK = dict(widths=(2, 4), n_betas=3, n_samples=1, T=256, timed=2)


def simulate(memory, delta: torch.Tensor, g: torch.Tensor, T: int) -> torch.Tensor:
    """Window error of each model by running its recurrence for T steps.
    delta, g: (n, M)  ->  (n,)"""
    h = torch.ones_like(delta)                                 # impulse at t = 0
    a = 1 - delta
    err = torch.zeros(delta.shape[0], dtype=delta.dtype)
    rho = memory.kernel(torch.arange(T, dtype=delta.dtype))    # (T,)
    for t in range(T):
        err += (rho[t] - (g * h).sum(-1)).abs()
        h = a * h
    return err / rho.sum()


def run(quick: bool = False) -> dict:
    cfg = QUICK if quick else FULL
    memory = memories.power(1.5)
    widths = list(cfg["widths"])
    fit = exp_sums.fits(memory, widths, exp_sums.delta_grid(1e-4, 4))
    delta, g, W = fit["delta"], fit["g"], torch.tensor(widths)
    betas = torch.logspace(-6, -1, cfg["n_betas"], dtype=torch.float64)

    def draws():
        gen = torch.Generator().manual_seed(0)
        return perturbations.diagonal(delta, g, W, betas, cfg["n_samples"], gen)

    dp, gp = (x.flatten(0, 2) for x in draws()[:2])              # (n, M) every perturbed model
    with np.errstate(all="ignore"):
        window = simulate(memory, dp, gp, cfg["T"])
    rule = horizon.window_error(memory, dp, gp, cfg["T"])
    ok = torch.isfinite(window) & (window < 1e6)               # past the edge: overflow
    assert torch.allclose(rule[ok], window[ok], rtol=1e-3, atol=1e-9), "window rule"
    infinite = horizon.error(memory, dp, gp)
    share = float(memory.kernel(torch.arange(cfg["T"], dtype=torch.float64)).sum()) / memory.l1
    assert (infinite[ok] >= window[ok] * share * (1 - 1e-3) - 1e-9).all(), "infinite < window"

    def com_curve():
        gen = torch.Generator().manual_seed(0)
        return curves.diagonal_curve(memory, delta, g, W, betas, cfg["n_samples"], gen)

    n, k = dp.shape[0], cfg["timed"]
    picks = torch.linspace(0, n - 1, k).long()                 # spread over radii

    def one_by_one():
        for i in picks:
            simulate(memory, dp[i:i + 1], gp[i:i + 1], cfg["T"])

    sec, threads = best_time(one_by_one, repeats=3)
    baseline = (sec * n / k, threads)
    com = best_time(com_curve, repeats=3)
    notes = (f"(t+1)^-1.5 memory, widths {widths}, {cfg['n_betas']} radii x "
             f"{2 + cfg['n_samples']} directions = {n} perturbed models. Baseline: each run "
             f"in time over a window of {cfg['T']} steps, one model at a time (timed on {k}, "
             "extrapolated). com: "
             "com.stability.curves.diagonal_curve over all time. Agreement: com's window rule "
             "matches the "
             f"simulated window errors to 1e-3 ({int(ok.sum())} finite of {n}); the infinite-"
             "horizon errors bound them from above. Not the same quantity: the window cannot "
             "see the error past T, which is where the curse lives.")
    return row("5. stability curve E_m(beta): all time vs a simulated window", baseline, com,
               notes, models=n)
