# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The nonlinear curse: memory, perturbations and stable approximation
#
# Does a nonlinear activation lift the curse of memory? {cite:t}`wang2024inverse`
# answer no, with an *inverse* approximation theorem: if a target is approximated by
# RNNs (linear, hardtanh or tanh) in a way that survives small perturbations of the
# weights, its memory must decay exponentially. This chapter builds the pieces of that
# statement (the memory function, the perturbation error, the stability radius),
# computes them for trained RNNs of growing width, and checks what the paper claims.
#
# {{ reproduce_nonlinear_curse }}

# %% tags=["parameters"]
seed = 0                                   # random seed (initialisation, data, perturbations)
strict = True                              # a claim that does not reproduce raises
widths = [8, 16, 32, 64]                   # RNN widths m
sigmas = ["linear", "tanh", "hardtanh"]    # activations
T = 128                                    # sequence length (steps) of the task
dt = 1.0                                   # Euler step of the residual recurrence
exp_rate = 1.0                             # exponential memory e^{-rate t}
pol_scale = 0.1                            # polynomial memory (1 + scale t)^-power
pol_power = 1.1
linear_steps = 1500                        # Adam steps on the closed-form loss (linear fit)
lr = 0.01                                  # its learning rate
finetune_steps = 100                       # Adam steps on sampled data (nonlinear models)
finetune_lr = 0.001
batch = 32                                 # white-noise sequences per fine-tuning step
input_scale = 0.5                          # standard deviation of the white-noise inputs
n_test = 32                                # held-out test sequences
beta_range = [1e-5, 1.0]                   # perturbation radii, log grid
n_betas = 12
n_samples = 3                              # random directions per radius
adv_steps = 3                              # projected gradient-ascent steps
threshold = 0.5                            # relative error defining the stability radius
probe_T = 64                               # steps of the memory-function probes
magnitudes = [0.1, 1.0, 10.0]              # probe input magnitudes |x|
rnn_layers = [1, 2, 3, 4]                  # torch RNN/GRU/LSTM depths probed
rnn_hidden = 32

# %%
import numpy as np
import torch

import com
from com import loss, memory, models, plotting, training
from com import perturbation as pt
from com import validation as v

# %%
v.check_in(globals(), {
    **v.seed_and_strict(),
    "widths": v.integers(lo=1, min_len=2, increasing=True),
    "sigmas": v.choices("linear", "tanh", "hardtanh"),
    "T": v.integer(lo=8), "dt": v.real(positive=True),
    "exp_rate": v.real(positive=True), "pol_scale": v.real(positive=True), "pol_power": v.real(lo=1.0001),
    "linear_steps": v.integer(lo=1), "lr": v.real(positive=True),
    "finetune_steps": v.integer(lo=0), "finetune_lr": v.real(positive=True),
    "batch": v.integer(lo=1), "n_test": v.integer(lo=1), "input_scale": v.real(positive=True),
    "beta_range": v.reals(positive=True, min_len=2, increasing=True), "n_betas": v.integer(lo=2),
    "n_samples": v.integer(lo=1), "adv_steps": v.integer(lo=1), "threshold": v.real(positive=True, hi=1.0),
    "probe_T": v.integer(lo=4), "magnitudes": v.reals(positive=True, min_len=1),
    "rnn_layers": v.integers(lo=1, min_len=1, increasing=True), "rnn_hidden": v.integer(lo=1),
})
v.require("beta_range", len(beta_range) == 2, "a pair [smallest, largest]", beta_range)
v.require("sigmas", len(set(sigmas)) == len(sigmas), "a list without repeats", sigmas)
gen = com.setup(seed)
claims = com.Claims(strict=strict)


# %%
def cost(p):                 # the whole run: bytes, multiply-adds, small torch ops
    n, M, S = 2 * len(p.widths), max(p.widths), len(set(p.sigmas) - {"linear"})
    ens, chunk = p.n_betas * p.n_samples, 2 * p.n_samples       # perturbed copies
    rnn = n * p.n_test * p.T * M                                  # one pass, all models
    evals = ens + 3 * (p.adv_steps + 1) * ens                     # forward-equivalents
    probe = 48 * (len(p.magnitudes) + 1) * p.probe_T * p.rnn_hidden ** 2  # torch RNNs
    probe *= sum(p.rnn_layers)
    return dict(memory=8 * (3 * ens + 6 * chunk) * rnn + 48 * n * M * p.T,
                flops=probe + 120 * n * M * p.T * p.linear_steps
                + 12 * S * n * p.batch * p.T * M ** 2 * p.finetune_steps
                + 4 * S * evals * rnn * M + len(p.sigmas) * evals * n * M ** 3 * 20,
                ops=500 * p.linear_steps + S * p.finetune_steps * (15 * p.T + 500)
                + 6 * S * p.T * (1 + 3 * (p.adv_steps + 1) * p.n_betas)
                + 3 * 2 * 2000 * sum(p.rnn_layers))                 # build, run torch RNNs


v.budget(globals(), ["widths", "T", "linear_steps", "finetune_steps", "batch", "n_test",
                     "n_betas", "n_samples", "adv_steps", "probe_T", "magnitudes",
                     "rnn_layers", "rnn_hidden"], cost)

# %% [markdown]
# ## The memory function
#
# For a linear functional the memory is its kernel $\rho$. A nonlinear functional has
# no kernel, but it has a response to a step. Hold the input at a constant value $x$
# from time $0$, $u^x_t = x\,\mathbf{1}_{t \ge 0}$; the *memory function* is
#
# $$
# \mathcal{M}(H)(t) = \sup_{x \ne 0} \frac{1}{|x|_\infty}\,\Big|\frac{\mathrm{d}}{\mathrm{d}t} H_t(u^x)\Big| .
# $$
#
# For a linear functional $H_t(u^x) = \int_0^t \rho(s)^\top x\,\mathrm{d}s$, so the
# derivative is $\rho(t)^\top x$ and $\mathcal{M}(H)(t) = |\rho(t)|_1$: the memory
# function *is* the kernel, in absolute value. A functional has **decaying memory** if
# $\mathcal{M}(H)(t) \to 0$, and **exponentially decaying memory** if
# $e^{\beta t}\mathcal{M}(H)(t) \to 0$ for some $\beta > 0$ {cite}`wang2024inverse`.
#
# In discrete time the derivative becomes a difference. The probe
# (`com.memory.probe`) feeds any causal sequence model a few held inputs of magnitudes
# $|x| \in$ `magnitudes` and returns $\max_x |y_{t+1} - y_t| / |x|$. For a linear model
# $y_t = \sum_{s \le t} K_s x_{t-s}$ the difference is exactly $x K_{t+1}$, so the
# probe returns $|K_{t+1}|$; we check that on a random linear residual RNN, whose kernel
# we also know in closed form (`com.models.residual_kernel`).

# %%
mags = torch.tensor(magnitudes)
check_p, check_mask = models.residual_init([widths[0]], 1, gen)
check_p["c"] = torch.randn(1, widths[0], generator=gen) * check_mask["c"]
check_p["W"] = check_p["W"] + 0.3 * torch.randn(check_p["W"].shape, generator=gen) / widths[0] ** 0.5
K_check, _ = models.residual_kernel(check_p, 2 ** int(np.ceil(np.log2(probe_T))), dt)
probe_lin = memory.probe(lambda x: models.residual_rnn(check_p, x, "linear", dt), mags, probe_T)
probe_err = float(((probe_lin - K_check[:, 1:probe_T].abs()).abs().max() / K_check.abs().max()))
print(f"linear residual RNN: max |probe - |K|| / max |K| = {probe_err:.1e}")
com.glue("probe_err", probe_err)

# %% [markdown]
# The probe and the kernel agree to {glue:text}`probe_err:.1e` of the kernel's size:
# floating-point rounding. The same probe applies to any model, including the ones torch
# ships. The paper's appendix shows memory functions of randomly initialised RNN, GRU and
# LSTM networks and compares the Heaviside probe with an impulse probe
# $x\,\mathbf{1}_{t=0}$ (the response $|y_{t+1}|/|x|$ after a kick). Both probes subtract
# the response to the zero input first: torch's layers have biases, so their output moves
# even without input, and that motion is not memory of the input. We do the same for
# depths `rnn_layers`, with a random linear read-out of the last layer.

# %%
def torch_rnn(cls, layers, g):
    torch.manual_seed(int(torch.randint(2 ** 31, (1,), generator=g)))
    net = cls(1, rnn_hidden, num_layers=layers, batch_first=True).double()
    readout = torch.randn(rnn_hidden, generator=g) / rnn_hidden ** 0.5
    return lambda x: net(x)[0] @ readout                                  # (X, T)

rnn_memory = {}                                                           # (name, layers, probe) -> (T-1,)
with torch.no_grad():
    for cls in (torch.nn.RNN, torch.nn.GRU, torch.nn.LSTM):
        for layers in rnn_layers:
            net = torch_rnn(cls, layers, gen)
            for kind in ("heaviside", "impulse"):
                rnn_memory[cls.__name__, layers, kind] = memory.probe(net, mags, probe_T, kind)

# %%
fig, axes = plotting.subplots(3)
lags = np.arange(1, probe_T)
for ax, name in zip(axes, ("RNN", "GRU", "LSTM")):
    for layers, col in zip(rnn_layers, plotting.sequential(len(rnn_layers))):
        ax.semilogy(lags, rnn_memory[name, layers, "heaviside"], color=col, label=f"{layers} layer(s)")
        ax.semilogy(lags, rnn_memory[name, layers, "impulse"], color=col, ls="--", lw=1)
    plotting.label(ax, "time $t$ (steps)", "memory function" if name == "RNN" else " ", f"torch.nn.{name}",
                   legend=name == "RNN")
com.glue("fig_torch_memory", plotting.finish(fig))
rates_h = {k: memory.decay_rate(torch.tensor(lags, dtype=torch.float64), m) for k, m in rnn_memory.items()}
com.glue("torch_rates", "; ".join(
    f"{name}: " + ", ".join(f"{rates_h[name, l, 'heaviside']:.2g}/{rates_h[name, l, 'impulse']:.2g}" for l in rnn_layers)
    for name in ("RNN", "GRU", "LSTM")))

# %% [markdown]
# ```{glue:figure} fig_torch_memory
# :name: fig-torch-memory
# Memory functions of randomly initialised torch.nn.RNN, GRU and LSTM networks of 1 to
# 4 layers (colour), probed with held (Heaviside, solid) and impulse (dashed) inputs.
# ```
#
# The fitted decay rates per step (slope of $-\log \mathcal{M}$, `com.memory.decay_rate`;
# Heaviside/impulse, for 1, 2, ... layers) are {glue:text}`torch_rates`. A clearly positive
# rate is exponential forgetting, a straight line on the logarithmic axis; a rate near
# zero means the memory function has barely moved over the probe window, which gated
# networks (GRU, LSTM) can do at initialisation because a gate near one holds the state.
# The paper's point, that the impulse and Heaviside probes agree qualitatively, can be
# read off the pairs.
#
# ## The targets and the models
#
# Two linear targets, on a grid of step $\Delta t$ =`dt`: exponential memory
# $\rho(t) = e^{-t}$ and the authors' polynomial memory $\rho(t) = (1 + 0.1t)^{-1.1}$
# (the values are parameters). The discrete target is
# $y_k = \sum_{s \ge 1} K^*_s x_{k-s}$ with $K^*_s = \Delta t\,\rho((s-1)\Delta t)$.
# The models are residual (forward Euler) RNNs, as in the authors' code,
#
# $$
# h_{k+1} = h_k + \Delta t\,\sigma(W h_k + U x_k + b), \qquad \hat y_k = c^\top h_k, \qquad h_0 = 0,
# $$
#
# with $\sigma \in \{\text{linear}, \tanh, \text{hardtanh}\}$ (all have $\sigma(0) = 0$
# and slope 1 at 0: classes $\mathcal{A}_0$ and $\mathcal{A}_1$ of the paper).
# `com.models.residual_rnn` runs many of them at once: different widths are zero-padded
# to the largest, and padded units stay at $h = 0$ because $\sigma(0) = 0$.
#
# **Training.** The linear model with diagonal $W = \mathrm{diag}(w)$ has the kernel
# $K_s = \Delta t \sum_i c_i u_i (1 + \Delta t w_i)^{s-1}$; we train $w, u, c$ directly
# (no reparameterisation) by Adam on the closed-form white-noise loss
# $\sum_s \lambda_s (K^*_s - K_s)^2$ with the lag weights of the authors' time weighting
# $v_t = (t+1)/(T+1)$ (`com.loss.lag_weights`), normalised by the target's own value.
# Each nonlinear model starts from the trained linear model of its width and memory, its
# full matrix $W$, $U$, $b$, $c$ then trained further by Adam on sampled white-noise
# sequences through the time loop, all models in one batched program. The warm start is
# a choice made for time (a time loop of $T$ steps per gradient is the expensive part);
# it makes the nonlinear models approximations of the same target, which is all the
# theorem speaks about.

# %%
steps = torch.arange(T, dtype=torch.float64)
rho_fns = {"exponential": lambda t: memory.exponential(t, exp_rate),
           "polynomial": lambda t: (1 + pol_scale * t) ** (-pol_power)}
targets = {k: torch.cat([torch.zeros(1), dt * f(dt * steps[:-1])]) for k, f in rho_fns.items()}
kinds = list(targets)
K_star = torch.stack([targets[k] for k in kinds]).repeat_interleave(len(widths), 0)  # (n, T)
model_widths = widths * len(kinds)                                      # model i: kind i // W, width i % W
time_w = (steps + 1) / (T + 1)                                          # v_t
lam_s = loss.lag_weights(T, time_w)                                     # (T,)
power = (K_star ** 2 * lam_s).sum(-1)                                   # (n,) target's loss scale
init, mask = models.residual_init(model_widths, 1, gen)
live = mask["c"]

# %%
def fit_linear():
    w = torch.diagonal(init["W"], dim1=-2, dim2=-1).clone().requires_grad_()
    u, c = init["U"][..., 0].clone().requires_grad_(), init["c"].clone().requires_grad_()
    kern = lambda: models.residual_diagonal_kernel(w * live, u * live, c * live, T, dt)
    hist = training.train([w, u, c], lambda: loss.white_noise_loss(K_star, kern(), lam_s) / power,
                          linear_steps, lr, desc="linear fit", record_every=10)
    return {"W": torch.diag_embed(w.detach() * live), "U": (u.detach() * live)[..., None],
            "b": torch.zeros_like(live), "c": c.detach() * live, "history": hist}

key = dict(seed=seed, widths=widths, T=T, dt=dt, exp_rate=exp_rate, pol=(pol_scale, pol_power),
           steps=linear_steps, lr=lr)                                   # what a trained model depends on
lin_fit = com.cache.cached("nonlinear_curse.linear", key, fit_linear)
linear_params = {k: lin_fit[k] for k in ("W", "U", "b", "c")}

# %%
x_test = input_scale * torch.randn(n_test, T, 1, generator=gen)        # held-out white noise
y_test = models.convolve(K_star[:, None, :], x_test[..., 0])          # (n, N, T)

def finetune(sigma):
    p = {k: v.clone().requires_grad_() for k, v in linear_params.items()}
    g = torch.Generator().manual_seed(seed * 1000 + sigmas.index(sigma))
    def batch_loss():
        x = input_scale * torch.randn(batch, T, 1, generator=g)
        err = models.residual_rnn({k: p[k] * mask[k] for k in p}, x, sigma, dt) \
            - models.convolve(K_star[:, None, :], x[..., 0])
        return (err ** 2 * time_w ** 2).mean((-1, -2)) / (power / T)
    hist = training.train(list(p.values()), batch_loss, finetune_steps, finetune_lr, desc=sigma)
    return {k: (v.detach() * mask[k]) for k, v in p.items()}

key.update(finetune=(finetune_steps, finetune_lr, batch, input_scale), n_test=n_test)
trained = {s: linear_params if s == "linear" else
           com.cache.cached("nonlinear_curse.finetune", dict(key, sigma=s), lambda s=s: finetune(s)) for s in sigmas}

# %% [markdown]
# ## Perturbation error and stable approximation
#
# Write $\theta = (W, U, b, c)$ and $|\theta|_2 = \max(|W|_2, |U|_2, |b|_2, |c|_2)$, the
# largest 2-norm (spectral for a matrix) over the tensors. The *perturbation error* of a
# width-$m$ approximation $\hat H(\cdot;\theta_m)$ is
#
# $$
# E_m(\beta) = \sup_{|\tilde\theta - \theta_m|_2 \le \beta} \|H - \hat H(\cdot; \tilde\theta)\| ,
# \qquad E(\beta) = \limsup_{m\to\infty} E_m(\beta).
# $$
#
# A sequence of approximations is **$\beta_0$-stable** if $E_m(0) \to 0$ and $E(\beta)$
# is continuous on $[0, \beta_0]$; then small perturbations of the weights cost little,
# uniformly in the width. An approximation that is good but unstable has $E_m(0) \to 0$
# while the radius of perturbations it survives shrinks to 0 as $m$ grows.
#
# ```{prf:theorem} Inverse approximation for nonlinear RNNs
# :label: thm-inverse
# (Wang, Li and Li {cite}`wang2024inverse`.) Let $H$ be a bounded, continuous, causal,
# regular, time-homogeneous functional with decaying memory. If $H$ is $\beta_0$-stably
# approximated by RNNs with an activation in $\mathcal{A}_0$ (linear near 0, e.g.
# hardtanh) or $\mathcal{A}_1$ ($\sigma(0) = 0$, $\sigma' = a - b\sigma^2$, e.g. tanh) and
# bounded parameters, then $e^{\beta t}\mathcal{M}(H)(t) \to 0$ for every
# $\beta < \beta_0$.
# ```
#
# Only exponentially decaying memory can be approximated stably, whatever the activation.
# The norm $\|H - \hat H\|$ is measured on the task's window of $T$ steps, the horizon the
# models were trained on. Linear models: exactly, through the kernels,
# $\sup_{k<T}\sup_{|x|_\infty \le 1} |H_k(x) - \hat H_k(x)| = \sum_{s<T}|K^*_s - K_s|$,
# relative to $\sum_s |K^*_s|$ (`com.models.residual_kernel`, doubling, no time loop).
# Nonlinear models: the root-mean-square error on `n_test` held-out white-noise
# sequences, relative to the target's.
#
# **Estimating the sup** (`com.perturbation`). *Random*: the max over `n_samples`
# points drawn on the sphere of radius $\beta$ of every tensor (Gaussian directions,
# rescaled to spectral or Euclidean norm exactly $\beta$; only live entries of padded
# models move). *Adversarial*: projected gradient ascent started from those same random
# samples, normalised steps of length $\beta/2$, each followed by projection onto the ball
# (singular values of a matrix clipped at $\beta$, vectors rescaled), keeping the largest
# error seen; since the starts are included, it is at least the random estimate by
# construction (the check below guards the implementation, and its evidence reports how
# much the ascent adds). Both are lower bounds of $E_m(\beta)$. This differs from the authors' code
# in two ways: they rescale Gaussian noise to *max-abs* $\beta$ entrywise (not the
# paper's 2-norm), and report a running maximum over repeats *and over all smaller
# $\beta$*, which makes the curve monotone by construction; we report each $\beta$'s own
# estimate.
#
# **Stability radius.** $\beta^*(m)$ is where $E_m(\beta)$ first crosses
# `threshold` $\times$ the target's norm (log-log interpolation between grid points;
# `com.perturbation.stability_radius`). A relative error of one half means the perturbed
# model has lost half of what it approximated; it is far above every trained model's
# $E_m(0)$, so $\beta^*$ measures the perturbation, not the fit. A stable family keeps
# $\beta^*(m)$ bounded below; an unstable one has $\beta^*(m) \to 0$.

# %%
betas = torch.logspace(np.log10(beta_range[0]), np.log10(beta_range[1]), n_betas)
names = ("W", "U", "b", "c")

def error_fn(sigma):
    """Batched relative error: params (S, n, ...) -> (S, n)."""
    Kn = K_star.abs().sum(-1)                                           # (n,)
    def linear(p):
        K, _ = models.residual_kernel({k: p[k] for k in ("W", "U", "c")}, T, dt, live)
        return (K[..., :T] - K_star).abs().sum(-1) / Kn
    def nonlinear(p):
        S, n = p["c"].shape[:2]
        y = models.residual_rnn({k: p[k].reshape((S * n,) + p[k].shape[2:]) for k in names}, x_test, sigma, dt)
        err = (y.reshape(S, n, n_test, T) - y_test).pow(2).mean((-1, -2))
        return (err / y_test.pow(2).mean((-1, -2))).sqrt()
    return linear if sigma == "linear" else nonlinear

# %%
def perturb(sigma, chunk=2):
    p = {k: trained[sigma][k] for k in names if sigma != "linear" or k != "b"}
    mk, f = {k: mask[k] for k in p}, error_fn(sigma)
    g = torch.Generator().manual_seed(seed * 1000 + 17 + sigmas.index(sigma))
    state = g.get_state()
    rnd = pt.random_error(p, f, betas, n_samples, g, mask=mk, batch_dims=1)         # (n, B)
    dirs = pt.directions(p, n_betas * n_samples, g.set_state(state), mk, batch_dims=1)  # the same draws
    adv = []
    for i in range(0, n_betas, chunk):                                              # bounded memory
        b, rows = betas[i:i + chunk], slice(i * n_samples, (i + chunk) * n_samples)
        starts = {k: d[rows] * pt.beta_grid(b, n_samples).reshape((-1,) + (1,) * (d.dim() - 1)) for k, d in dirs.items()}
        adv.append(pt.adversarial_error(p, f, b, adv_steps, g, n_starts=n_samples, mask=mk, batch_dims=1,
                                        starts=starts))
    return {"e0": f({k: x[None] for k, x in p.items()})[0], "random": rnd, "adversarial": torch.cat(adv, -1)}

# %%
pert = {s: com.cache.cached("nonlinear_curse.perturb", dict(key, sigma=s, betas=betas.tolist(), n=n_samples,
                            adv=adv_steps), lambda s=s: perturb(s)) for s in sigmas}
radius = {s: pt.stability_radius(betas, pert[s]["adversarial"], threshold) for s in sigmas}   # (n,)
radius_rnd = {s: pt.stability_radius(betas, pert[s]["random"], threshold) for s in sigmas}
for s in sigmas:
    print(s, "E_m(0) max", f"{pert[s]['e0'].max():.2e}", " beta*:",
          ", ".join(f"{k[:3]} m={m}: {r:.3g}" for k, m, r in zip(np.repeat(kinds, len(widths)), model_widths, radius[s])))

# %%
W_ = len(widths)
fig, axes = plotting.subplots(len(sigmas), 2, height=2.6)
for j, kind in enumerate(kinds):
    for i, s in enumerate(sigmas):
        ax = axes[j * len(sigmas) + i]
        for k, col in enumerate(plotting.sequential(W_)):
            e = pert[s]["adversarial"][j * W_ + k].clamp(max=1e6)
            ax.loglog(betas, e, "o-", ms=2.5, color=col, label=f"m={widths[k]}")
            ax.loglog(betas, pert[s]["random"][j * W_ + k].clamp(max=1e6), ":", color=col, lw=1)
        ax.axhline(threshold, color="grey", lw=0.8, ls="--")
        ax.set_ylim(1e-8, 2e6)
        plotting.label(ax, r"radius $\beta$" if j else " ", r"$E_m(\beta)$ (relative)" if i == 0 else " ",
                       f"{kind}, {s}", legend=(i == 0 and j == 0))
com.glue("fig_perturbation", plotting.finish(fig))

# %% [markdown]
# ```{glue:figure} fig_perturbation
# :name: fig-perturbation
# Perturbation error $E_m(\beta)$ of trained residual RNNs, relative to the target, per
# width (colour): adversarial estimate (solid, dots) and random-direction estimate
# (dotted). Top row: exponential memory; bottom row: polynomial memory; columns:
# activation. Dashed grey: the threshold defining the stability radius. Errors of
# diverged models are clipped at $10^6$.
# ```

# %%
fig, axes = plotting.subplots(2)
for j, (kind, ax) in enumerate(zip(kinds, axes)):
    for s, col in zip(sigmas, plotting.colors(len(sigmas))):
        ax.loglog(widths, radius[s][j * W_:(j + 1) * W_], "o-", color=col, label=s + " (adversarial)")
        ax.loglog(widths, radius_rnd[s][j * W_:(j + 1) * W_], "x:", color=col, lw=1)
    plotting.label(ax, "width $m$", r"stability radius $\beta^*(m)$", f"{kind} memory", legend=j == 0)
com.glue("fig_radius", plotting.finish(fig))
ratio = {(kind, s): float(radius[s][(j + 1) * W_ - 1] / radius[s][j * W_]) for j, kind in enumerate(kinds) for s in sigmas}
for key in ("exponential", "polynomial"):
    com.glue(f"ratio_{key}_min", min(r for (k, _), r in ratio.items() if k == key))
    com.glue(f"ratio_{key}_max", max(r for (k, _), r in ratio.items() if k == key))
    com.glue(f"radius_{key}_min", min(float(radius[s][kinds.index(key) * W_:][:W_].min()) for s in sigmas))
    com.glue(f"radius_{key}_max", max(float(radius[s][kinds.index(key) * W_:][:W_].max()) for s in sigmas))
med = {key: float(torch.cat([radius[s][kinds.index(key) * W_:][:W_] for s in sigmas]).median()) for key in kinds}
com.glue("radius_gap", med["exponential"] / med["polynomial"])
com.glue("e0_max", max(float(pert[s]["e0"].max()) for s in sigmas))
same_m = {s: radius[s][:W_] / radius[s][W_:] for s in sigmas}          # exponential / polynomial, per width
gap_min = min(float(r.min()) for r in same_m.values())                  # inf where the polynomial radius is 0
com.glue("gap_min", gap_min)
com.glue("m_min", widths[0])
com.glue("m_max", widths[-1])
com.glue("radius_pol_T_min", T * min(float(radius[s][W_:].min()) for s in sigmas))   # in units of 1/T
com.glue("radius_pol_T_max", T * max(float(radius[s][W_:].max()) for s in sigmas))

# %% [markdown]
# ```{glue:figure} fig_radius
# :name: fig-radius
# Stability radius $\beta^*(m)$ against width, per activation (colour): from the
# adversarial estimate (solid) and from random directions (crosses, dotted).
# ```
#
# With exponential memory the radius lies between {glue:text}`radius_exponential_min:.3g`
# and {glue:text}`radius_exponential_max:.3g` for every width and activation, and the
# ratio $\beta^*(m_{\max})/\beta^*(m_{\min})$ stays between
# {glue:text}`ratio_exponential_min:.2f` and {glue:text}`ratio_exponential_max:.2f`:
# these approximations are stable. With polynomial memory the radius lies between
# {glue:text}`radius_polynomial_min:.3g` and {glue:text}`radius_polynomial_max:.3g`, and
# the ratio between {glue:text}`ratio_polynomial_min:.2f` and
# {glue:text}`ratio_polynomial_max:.2f`. The median polynomial radius is
# {glue:text}`radius_gap:.3g` times smaller than the median exponential one, and at
# every width and activation the exponential radius is at least {glue:text}`gap_min:.3g`
# times the polynomial one of the same width: long memory costs robustness at every
# width already. What the sweep does not show is the further shrinking with $m$ (see
# below). The unperturbed errors $E_m(0)$ are at most {glue:text}`e0_max:.2g`; a model
# whose $E_m(0)$ is already above the threshold gets $\beta^* = 0$.
#
# Why the polynomial radius is so small is visible in the trained weights: to carry a
# memory that has not decayed by the end of the window, training moves eigenvalues of
# $W$ towards 0 (of $I + \Delta t W$ towards 1), the edge of stability, and a
# perturbation of size $\beta$ can move an eigenvalue by $\beta$. The table below gives
# the largest real part of an eigenvalue of each trained $W$.

# %%
eig = {s: torch.linalg.eigvals(trained[s]["W"]).real.masked_fill(live == 0, -float("inf")).amax(-1) for s in sigmas}
for j, kind in enumerate(kinds):
    print(f"{kind:12s}", "  ".join(f"{s}: " + ", ".join(f"{x:.2g}" for x in eig[s][j * W_:(j + 1) * W_])
                                  for s in sigmas))
com.glue("edge_exp", max(float(eig[s][:W_].max()) for s in sigmas))
com.glue("edge_pol", max(float(eig[s][W_:].max()) for s in sigmas))
edge_T = {k: [-T * float(eig[s][W_ + k]) for s in sigmas] for k in (0, W_ - 1)}   # distance to the edge, units 1/T
com.glue("edge_T_first", f"{min(edge_T[0]):.2g} to {max(edge_T[0]):.2g}")
com.glue("edge_T_last", f"{min(edge_T[W_ - 1]):.2g} to {max(edge_T[W_ - 1]):.2g}")
com.glue("window_needed", -1 / max(float(eig[s][W_:].max()) for s in sigmas))  # steps for e^{-|lam| t} to fall by e

# %% [markdown]
# The largest real part of an eigenvalue of $W$ is at most {glue:text}`edge_exp:.2g` for
# exponential memory and reaches {glue:text}`edge_pol:.2g` for polynomial memory. The
# polynomial memory's eigenvalue sits about as close to the edge as the window allows
# (a distance of order $1/T$): inside a window of $T$ steps a mode that decays more
# slowly than that is indistinguishable from an integrator, so a finite task stops
# pushing once the slowest mode outlives the window. Measured in units of $1/T$, the
# distance of the slowest eigenvalue to the edge is {glue:text}`edge_T_first` at width
# {glue:text}`m_min` and {glue:text}`edge_T_last` at width {glue:text}`m_max` (over the
# activations): the eigenvalues do move towards the edge as $m$ grows, but by how much
# varies from seed to seed, and an error measured over $T$ steps cannot see the
# consequence. A perturbation that pushes an eigenvalue past $0$ by $\delta$ amplifies
# that mode by only about $e^{\delta T}$ within the window, so the polynomial radius,
# between {glue:text}`radius_pol_T_min:.2g` and {glue:text}`radius_pol_T_max:.2g` in
# units of $1/T$ for every width and activation, is set by the window rather than by the
# eigenvalue. For the error to see the eigenvalue itself the window would have to be
# many times {glue:text}`window_needed:.3g` steps (one over the distance of the slowest
# eigenvalue to the edge), and the time loop of the nonlinear models, in training and in
# every perturbed evaluation, costs in proportion to the window. Training the linear fit
# over a longer horizon would not by itself rescue the check: on any fixed horizon we
# expect the slowest eigenvalue to settle at a distance of order one over that horizon
# once a handful of modes can span the scales in between, and then to move with the
# width as little and as erratically as it does here. That is what limits how far the radius can shrink with $m$ at this scale:
# the paper's limit $m \to \infty$ is also a limit of ever longer memory actually asked
# of the model.
#
# ## Memory functions of the trained models
#
# The probe applies to the trained nonlinear models as to any other. Their memory
# functions follow the targets' closely for the short memory and, for the polynomial
# memory, follow it across the window.

# %%
fig, axes = plotting.subplots(2)
s_show = sigmas[-1]
for j, (kind, ax) in enumerate(zip(kinds, axes)):
    ax.semilogy(np.arange(1, T), targets[kind][1:].abs(), color="black", lw=2.5, label="target $|K^*|$")
    for k, col in enumerate(plotting.sequential(W_)):
        p = {n_: trained[s_show][n_][j * W_ + k][None] for n_ in names}
        Mf = memory.probe(lambda x: models.residual_rnn(p, x, s_show, dt)[0], mags, T)
        ax.semilogy(np.arange(1, T), Mf, color=col, lw=1, label=f"{s_show}, m={widths[k]}")
    plotting.label(ax, "time $t$ (steps)", "memory function", f"{kind} memory", legend=j == 0)
com.glue("fig_trained_memory", plotting.finish(fig))

# %% [markdown]
# ```{glue:figure} fig_trained_memory
# :name: fig-trained-memory
# Memory functions of the trained models (one activation, colour: width), probed with
# held inputs, against the targets' $|K^*_t|$ (black).
# ```
#
# ## Claims and verdicts
#
# The polynomial-memory claim is stated as an expected failure at this scale, for the
# reason given above: over a window of $T$ steps the polynomial radius is set by the
# window (of order $1/T$) at every width, so it has no room to shrink by the factor of
# two the check asks for between the smallest and the largest width. The last claim is
# the part of the curse that the finite window does show: at every width, polynomial
# memory leaves the trained model far less room than exponential memory (a factor of at
# least four in the radius, for every width and activation).

# %%
claims.check("probe-linear", "the probe equals |rho| for linear models (1e-10 relative)",
             probe_err <= 1e-10, f"max relative deviation {probe_err:.1e}")
exp_ok = all(ratio["exponential", s] >= 0.5 for s in sigmas)
claims.check("exp-stable", "exponential memory: beta*(m_max) >= beta*(m_min) / 2 for every sigma", exp_ok,
             ", ".join(f"{s}: {ratio['exponential', s]:.2f}" for s in sigmas))
pol_ok = all(ratio["polynomial", s] <= 0.5 for s in sigmas)
claims.check("pol-unstable", "polynomial memory: beta*(m_max) <= beta*(m_min) / 2 for every sigma", pol_ok,
             ", ".join(f"{s}: {ratio['polynomial', s]:.2f}" for s in sigmas),
             expected_failure="finite window T: the polynomial radius is pinned at the window's scale 1/T "
                              "(a mode pushed past the edge grows only by e^{delta T} within it) at every width, "
                              "not set by the slowest eigenvalue, which moves with m by a seed-dependent amount")
adv_all = torch.cat([pert[s]["adversarial"].flatten() for s in sigmas])
rnd_all = torch.cat([pert[s]["random"].flatten() for s in sigmas])
fin = torch.isfinite(adv_all) & torch.isfinite(rnd_all) & (rnd_all > 0)
gain = float((adv_all[fin] / rnd_all[fin]).median())
claims.check("adv-above-random", "the adversarial estimate is >= the random one at every beta",
             bool(torch.all(adv_all >= rnd_all)), f"median adversarial / random over finite points {gain:.3g}")
claims.check("pol-below-exp", "beta*_polynomial(m) <= beta*_exponential(m) / 4 at every width and sigma",
             gap_min >= 4, f"smallest ratio exponential / polynomial radius at equal width {gap_min:.3g}")
claims.finish()
