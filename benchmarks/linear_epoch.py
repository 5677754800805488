"""Workload 1: one epoch of training a diagonal linear RNN, time loop vs closed form.

The model of the authors' code: residual Euler steps
    h_{k+1} = h_k + dt (U x_k - W h_k),  W = diag(relu(w)),  yhat_k = c^T h_{k+1},
so its kernel is K_s = dt sum_i c_i U_i lam_i^s with lam = 1 - dt relu(w).
Baseline: minibatches of sampled white noise (batch 512), a Python loop over T,
AdamW with gradient clipping, time-weighted MSE with v_t = (t+1)/(T+1).
com: the same AdamW steps on the exact expected loss, the white-noise loss
sigma^2 sum_s lambda_s (rho_s - K_s)^2 of com.training.loss, no data at all.
"""
from __future__ import annotations

import torch

from com.approximation.grids import lag_weights
from com.models import kernels
from com.training import loss

from . import best_time, row

FULL = dict(m=64, T=100, batch=512, epoch_batches=250, timed_batches=20, check_batches=20)
QUICK = dict(m=8, T=20, batch=32, epoch_batches=16, timed_batches=4, check_batches=8)
DT = 1.0


def target(T: int) -> torch.Tensor:
    """rho_pol(t) = (1 + 0.1 t)^{-1.1}, the authors' polynomial memory.  -> (T,)"""
    return (1 + 0.1 * torch.arange(T, dtype=torch.float64)) ** -1.1


def time_weights(T: int) -> torch.Tensor:
    """v_t = (t+1)/(T+1): the squared error at time t is weighted by v_t^2.  -> (T,)"""
    return (torch.arange(T, dtype=torch.float64) + 1) / (T + 1)


def init_params(m: int, seed: int = 0) -> dict[str, torch.Tensor]:
    """Seeded diagonal RNN: relu(w) in (0.02, 0.5), so lam = 1 - dt relu(w) in (0.5, 0.98)."""
    g = torch.Generator().manual_seed(seed)
    w = torch.empty(m, dtype=torch.float64).uniform_(0.02, 0.5, generator=g)
    U = torch.randn(m, dtype=torch.float64, generator=g) / m ** 0.5
    c = torch.randn(m, dtype=torch.float64, generator=g) / m ** 0.5
    return {"w": w, "U": U, "c": c}


def loop_outputs(p: dict[str, torch.Tensor], x: torch.Tensor, dt: float = DT) -> torch.Tensor:
    """The authors' forward pass: a Python loop over time.  x: (B, T) -> (B, T)"""
    B, T = x.shape
    decay = torch.relu(p["w"])                                 # diag(W), (m,)
    ux = x[:, :, None] * p["U"]                                # encoder, (B, T, m)
    h = torch.zeros(B, p["w"].shape[0], dtype=x.dtype)
    hidden = []
    for k in range(T):
        h = h + dt * (ux[:, k] - decay * h)                    # (B, m)
        hidden.append(h)
    return torch.stack(hidden, 1) @ p["c"]                     # decoder, (B, T)


def loop_loss(p, x, y, v) -> torch.Tensor:
    """Per-sequence time-weighted MSE (1/T) sum_t v_t^2 (y_t - yhat_t)^2.  -> (B,)"""
    return ((v * (loop_outputs(p, x) - y)) ** 2).mean(-1)


def kernel(p: dict[str, torch.Tensor], T: int, dt: float = DT) -> torch.Tensor:
    """K_s = dt sum_i c_i U_i lam_i^s, lam = 1 - dt relu(w).  -> (T,)"""
    lam = 1 - dt * torch.relu(p["w"])                          # (m,)
    return kernels.exp_sum(dt * p["U"] * p["c"], torch.arange(float(T)), a=lam)


def closed_form_loss(p, rho, lag) -> torch.Tensor:
    """E over white noise of the time-weighted MSE, exactly (sigma^2 = 1)."""
    return loss.white_noise_loss(rho, kernel(p, rho.shape[-1]), lag)


def leaf(p):
    return {k: t.clone().requires_grad_() for k, t in p.items()}


def grads(value, p) -> torch.Tensor:
    g = torch.autograd.grad(value, list(p.values()))
    return torch.cat([gi.flatten() for gi in g])               # (3m,)


def make_data(n: int, T: int, rho: torch.Tensor, g: torch.Generator):
    """White-noise inputs and their targets by FFT convolution, as the authors make them."""
    x = torch.randn(n, T, dtype=torch.float64, generator=g)
    return x, kernels.convolve(rho, x)


def check(p, rho, v, lag, data, batch) -> dict:
    """Both paths compute the same loss and gradient: exactly on the same data, and
    the sampled ones agree with the closed form within Monte-Carlo error."""
    x, y = data
    q = leaf(p)
    # same data: the loop and the FFT convolution of the com kernel agree to rounding
    xb, yb = x[:batch], y[:batch]
    loop_mean = loop_loss(q, xb, yb, v).mean()
    fft_mean = loss.sampled_loss(rho, kernel(q, rho.shape[-1]), xb, v).mean()
    g_loop, g_fft = grads(loop_mean, q), grads(fft_mean, q)
    assert torch.allclose(loop_mean, fft_mean, rtol=1e-10, atol=0), (loop_mean, fft_mean)
    assert torch.allclose(g_loop, g_fft, rtol=1e-8, atol=1e-12 * g_fft.abs().max()), \
        "gradients differ"
    # Monte Carlo: per-sequence losses and per-batch gradients from the time loop
    per_seq, per_batch = [], []
    for xb, yb in zip(x.split(batch), y.split(batch)):
        lb = loop_loss(q, xb, yb, v)
        per_seq.append(lb.detach())
        per_batch.append(grads(lb.mean(), q))
    per_seq, per_batch = torch.cat(per_seq), torch.stack(per_batch)
    exact = closed_form_loss(q, rho, lag)
    g_exact = grads(exact, q)
    exact = exact.detach()
    mc, mc_se = per_seq.mean(), per_seq.std() / len(per_seq) ** 0.5
    z_loss = float((mc - exact).abs() / mc_se)
    g_mc, g_se = per_batch.mean(0), per_batch.std(0) / len(per_batch) ** 0.5
    z_grad = float(((g_mc - g_exact).abs() / (g_se + 1e-300)).max())
    rel_grad = float((g_mc - g_exact).norm() / g_exact.norm())
    assert z_loss < 5, f"sampled loss {mc:.6g} +- {mc_se:.2g} vs closed form {exact:.6g}"
    assert z_grad < 6, f"sampled gradient off the closed form by {z_grad:.1f} standard errors"
    return {"loss_closed_form": float(exact), "loss_sampled": float(mc),
            "loss_sampled_se": float(mc_se), "loss_z": z_loss, "grad_max_z": z_grad,
            "grad_rel_diff": rel_grad, "n_sequences": len(per_seq)}


def run(quick: bool = False, seed: int = 0) -> dict:
    cfg = QUICK if quick else FULL
    m, T, batch = cfg["m"], cfg["T"], cfg["batch"]
    rho, v = target(T), time_weights(T)
    lag = lag_weights(T, v)
    g = torch.Generator().manual_seed(seed)
    p0 = init_params(m, seed)
    agreement = check(p0, rho, v, lag, make_data(cfg["check_batches"] * batch, T, rho, g), batch)

    # baseline: AdamW steps on sampled minibatches (data made beforehand, not timed)
    x, y = make_data(cfg["timed_batches"] * batch, T, rho, g)
    batches = list(zip(x.split(batch), y.split(batch)))

    def loop_part():
        q = leaf(p0)
        opt = torch.optim.AdamW(q.values(), lr=0.01)
        for xb, yb in batches:
            opt.zero_grad()
            loop_loss(q, xb, yb, v).mean().backward()
            torch.nn.utils.clip_grad_norm_(q.values(), 0.5)
            opt.step()

    part, loop_threads = best_time(loop_part, repeats=1, warmup=0)
    per_batch = part / cfg["timed_batches"]
    baseline = (per_batch * cfg["epoch_batches"], loop_threads)

    # com: as many AdamW steps on the exact loss as the epoch has minibatches
    def com_epoch():
        r = leaf(p0)
        opt = torch.optim.AdamW(r.values(), lr=0.01)
        for _ in range(cfg["epoch_batches"]):
            opt.zero_grad()
            closed_form_loss(r, rho, lag).backward()
            torch.nn.utils.clip_grad_norm_(r.values(), 0.5)
            opt.step()
        return closed_form_loss(r, rho, lag).detach()

    assert torch.isfinite(com_epoch()), "closed-form training diverged"
    com = best_time(com_epoch, repeats=3, warmup=0)
    notes = (f"diagonal linear RNN m={m}, T={T}, float64; one epoch = {cfg['epoch_batches']} "
             f"AdamW steps (baseline: batch {batch} of sampled white noise, time loop, timed on "
             f"{cfg['timed_batches']} batches and extrapolated; data generation not timed). "
             f"com: the same number of steps on the exact white-noise loss. Agreement at the "
             f"initial parameters: closed-form loss {agreement['loss_closed_form']:.5g} vs sampled "
             f"{agreement['loss_sampled']:.5g} +- {agreement['loss_sampled_se']:.2g} "
             f"({agreement['n_sequences']} sequences); gradients within "
             f"{agreement['grad_max_z']:.1f} standard errors; loop = FFT of the com kernel to "
             "rounding.")
    return row("1. linear RNN training epoch", baseline, com, notes,
               baseline_per_batch_s=per_batch, agreement=agreement)
