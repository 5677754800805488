"""Workload 2: a perturbation curve E(beta), 22 radii x 30 random perturbations.

Model: the diagonal linear RNN of workload 1 (m = 64, seeded parameters w, U, c).
Radii: the authors' grid {0} and 1e-3 * 2^{i/2}, i = 0..20. Perturbations: the
draws of com.perturbation.random_error (every tensor moved to the sphere of
2-norm beta); the baseline gets the very same draws from com.perturbation.ball_sample
with a generator in the same state.
Baseline: each perturbed model evaluated on a sampled test set (12,800 white-noise
sequences x 100 steps) by the time loop, as the authors do, one evaluation at a time.
com: random_error with an error_fn on kernels, the exact white-noise loss of all
660 perturbed models in one batched call.
"""
from __future__ import annotations

import torch

from com import loss, models, perturbation

from . import best_time, row
from .linear_epoch import DT, init_params, loop_outputs, make_data, target, time_weights

FULL = dict(m=64, T=100, n_test=12_800, n_samples=30, n_betas=22, timed_evals=16)
QUICK = dict(m=8, T=20, n_test=256, n_samples=3, n_betas=4, timed_evals=4)


def betas(n: int) -> torch.Tensor:
    """{0} and 1e-3 * 2^{i/2} for i = 0..n-2.  -> (n,)"""
    i = torch.arange(n - 1, dtype=torch.float64)
    return torch.cat([torch.zeros(1, dtype=torch.float64), 1e-3 * 2.0 ** (i / 2)])


def kernels(p: dict[str, torch.Tensor], T: int) -> torch.Tensor:
    """K_s = dt sum_i c_i U_i lam_i^s for a batch of models; a large perturbation can
    make lam = 1 - dt relu(w) negative, so powers of either sign.  (n, m) -> (n, T)"""
    lam = 1 - DT * torch.relu(p["w"])                          # (n, m)
    coeffs = DT * p["U"] * p["c"]                              # (n, m)
    return torch.einsum("nm,nmt->nt", coeffs, models.signed_powers(lam, T))


def run(quick: bool = False, seed: int = 0) -> dict:
    cfg = QUICK if quick else FULL
    m, T, K = cfg["m"], cfg["T"], cfg["n_samples"]
    rho, v = target(T), time_weights(T)
    lag = loss.lag_weights(T, v)
    p0 = init_params(m, seed)
    grid = betas(cfg["n_betas"])
    B = grid.numel()

    def error_fn(p):                                           # (n, ...) -> (n,)
        return loss.white_noise_loss(rho, kernels(p, T), lag)

    def com_curve():
        g = torch.Generator().manual_seed(seed)
        return perturbation.random_error(p0, error_fn, grid, K, g)         # (B,)

    curve = com_curve()
    com = best_time(com_curve, repeats=5)

    # the same draws, as the baseline will evaluate them
    g = torch.Generator().manual_seed(seed)
    drawn = perturbation.ball_sample(p0, grid.repeat_interleave(K), B * K, g)   # (B*K, m) each
    exact = error_fn(drawn)                                                 # (B*K,)
    assert torch.equal(exact.reshape(B, K).amax(1), curve), "baseline draws differ from com's"

    x, y = make_data(cfg["n_test"], T, rho, torch.Generator().manual_seed(seed + 1))
    picks = torch.linspace(0, B * K - 1, cfg["timed_evals"]).round().long()   # spread over radii

    def evaluate(i):                                           # one perturbed test-set loss
        with torch.no_grad():
            p = {k: t[i] for k, t in drawn.items()}
            return ((v * (loop_outputs(p, x) - y)) ** 2).mean(-1)       # (n_test,)

    per_seq = {}

    def loop_part():                                           # kept for the agreement check
        for i in picks:
            per_seq[int(i)] = evaluate(int(i))

    part, threads = best_time(loop_part, repeats=1, warmup=0)
    z = [float((s.mean() - exact[i]).abs() / (s.std() / len(s) ** 0.5)) for i, s in per_seq.items()]
    assert max(z) < 6, f"sampled test loss off the closed form by {max(z):.1f} standard errors"
    baseline = (part / len(picks) * B * K, threads)
    notes = (f"diagonal linear RNN m={m} (seeded, untrained), {B} radii x {K} draws = {B * K} "
             f"perturbed models. Baseline: time loop over a {cfg['n_test']}-sequence x {T}-step "
             f"test set per model, timed on {len(picks)} evaluations spread over the radii and "
             f"extrapolated (data generation not timed). com: com.perturbation.random_error on "
             f"exact kernel losses, one batched call, the same draws. Agreement: the same draws "
             "give "
             f"sampled losses within {max(z):.1f} standard errors of com's "
             f"(E(0) = {float(curve[0]):.4g}, E(beta_max) = {float(curve[-1]):.3g}).")
    return row("2. perturbation curve", baseline, com, notes, max_z=max(z),
               curve=[float(e) for e in curve], betas=[float(b) for b in grid])
