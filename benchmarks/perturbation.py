"""Workload 2: a perturbation curve E(beta), 22 radii x 30 random perturbations.

Model: the diagonal linear RNN of workload 1 (m = 64, seeded parameters w, U, c).
Radii: the authors' grid {0} and 1e-3 * 2^{i/2}, i = 0..20. Perturbations: every
tensor moved to the sphere of 2-norm beta (the authors' protocol, ``ball_sample``
here: the book's own protocols are in com.stability.perturbations); the baseline
evaluates the very same draws.
Baseline: each perturbed model evaluated on a sampled test set (12,800 white-noise
sequences x 100 steps) by the time loop, as the authors do, one evaluation at a time.
com: com.stability.curves.curve with the exact white-noise loss of all 660 perturbed
models in one batched call.
"""
from __future__ import annotations

import torch

from com.approximation.grids import lag_weights
from com.models import kernels
from com.stability import curves
from com.training import loss

from . import best_time, row
from .linear_epoch import DT, init_params, loop_outputs, make_data, target, time_weights

FULL = dict(m=64, T=100, n_test=12_800, n_samples=30, n_betas=22, timed_evals=16)
QUICK = dict(m=8, T=20, n_test=256, n_samples=3, n_betas=4, timed_evals=4)


def betas(n: int) -> torch.Tensor:
    """{0} and 1e-3 * 2^{i/2} for i = 0..n-2.  -> (n,)"""
    i = torch.arange(n - 1, dtype=torch.float64)
    return torch.cat([torch.zeros(1, dtype=torch.float64), 1e-3 * 2.0 ** (i / 2)])


def ball_sample(params: dict[str, torch.Tensor], beta: torch.Tensor,
                generator: torch.Generator) -> dict[str, torch.Tensor]:
    """One perturbed copy per radius, params + delta with |delta_k|_2 = beta for every
    (vector) tensor k: Gaussian directions normalised to 2-norm 1.  beta: (n,) -> (n, m)"""
    out = {}
    for k, p in params.items():
        d = torch.randn((len(beta),) + tuple(p.shape), generator=generator, dtype=p.dtype)
        out[k] = p + beta[:, None] * d / d.norm(dim=-1, keepdim=True)
    return out


def kernel_batch(p: dict[str, torch.Tensor], T: int) -> torch.Tensor:
    """K_s = dt sum_i c_i U_i lam_i^s for a batch of models; a large perturbation can
    make lam = 1 - dt relu(w) negative, so powers of either sign.  (n, m) -> (n, T)"""
    lam = 1 - DT * torch.relu(p["w"])                          # (n, m)
    coeffs = DT * p["U"] * p["c"]                              # (n, m)
    return kernels.exp_sum(coeffs, torch.arange(float(T)), a=lam)


def run(quick: bool = False, seed: int = 0) -> dict:
    cfg = QUICK if quick else FULL
    m, T, K = cfg["m"], cfg["T"], cfg["n_samples"]
    rho, v = target(T), time_weights(T)
    lag = lag_weights(T, v)
    p0 = init_params(m, seed)
    grid = betas(cfg["n_betas"])
    B = grid.numel()

    def error_fn(p):                                           # (n, ...) -> (n,)
        return loss.white_noise_loss(rho, kernel_batch(p, T), lag)

    def com_curve():                                           # the max over K draws
        drawn = ball_sample(p0, grid.repeat_interleave(K), torch.Generator().manual_seed(seed))
        moved = tuple(drawn[k].reshape(1, B, K, -1) for k in p0)
        with torch.no_grad():
            _, E = curves.curve(lambda *v: error_fn(dict(zip(p0, v))),
                                tuple(p0[k][None] for k in p0), moved)
        return E[0].amax(-1)                                   # (B,)

    curve = com_curve()
    com = best_time(com_curve, repeats=5)

    # the same draws, as the baseline will evaluate them
    g = torch.Generator().manual_seed(seed)
    drawn = ball_sample(p0, grid.repeat_interleave(K), g)      # (B*K, m) each
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
             f"extrapolated (data generation not timed). com: com.stability.curves.curve on "
             f"exact kernel losses, one batched call, the same draws. Agreement: the same draws "
             "give "
             f"sampled losses within {max(z):.1f} standard errors of com's "
             f"(E(0) = {float(curve[0]):.4g}, E(beta_max) = {float(curve[-1]):.3g}).")
    return row("2. perturbation curve", baseline, com, notes, max_z=max(z),
               curve=[float(e) for e in curve], betas=[float(b) for b in grid])
