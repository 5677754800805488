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
# # Stable reparameterisation
#
# The nonlinear curse of memory {cite}`wang2024inverse` says that recurrent models
# approximate long (polynomial) memory only *unstably*: the approximations need
# eigenvalues ever closer to the edge of stability, and a perturbation of the weights
# that shrinks with the width already destroys them. The remedy proposed in
# {cite}`wang2024inverse` (section 3.4) and developed in {cite}`wang2023stablessm` is
# to train raw weights $w$ and use recurrent eigenvalues $\lambda = f(w)$ through a
# map $f$ that can never leave the stable region. This chapter computes what that
# changes, for the model families of the authors' table: diagonal RNNs, dense
# ("vanilla") RNNs, an LRU-style recurrence and state-space models with layer-wise
# nonlinearity {cite}`wang2023statespace`.
#
# {{ reproduce_stable_reparameterisation }}

# %% tags=["parameters"]
seed = 0                                   # random seed (initialisation, data, perturbations)
strict = True                              # a claim that does not reproduce raises
widths = [4, 8, 16, 32]                    # widths m of the linear families
ssm_widths = [2, 4, 8]                     # widths m of the SSMs with layer-wise nonlinearity
n_models = 2                               # trained models per width (seeds)
steps = 400                                # Adam steps, linear families
ssm_steps = 150                            # Adam steps, SSMs (sampled loss)
lr = 0.02                                  # Adam learning rate
dense_lr = 0.005                           # Adam learning rate, vanilla (dense) RNN
horizon = 10000.0                          # longest lag, continuous family
T = 1024                                   # lags, discrete families (LRU-style, vanilla)
ssm_T = 128                                # sequence length, SSMs
n_data = 32                                # input sequences (train and test), SSMs
hold = 25.0                                # mean hold of the SSMs' piecewise-constant inputs (steps)
omega = 0.5                                # polynomial memory (1+t)^-(1+omega)
beta_range = [-5.0, 1.0]                   # log10 of the smallest and largest perturbation
n_betas = 19                               # perturbation radii on the grid
n_samples = 4                              # random perturbations per radius (ascent starts)
adv_steps = 5                              # gradient-ascent steps towards the sup in E(beta)
tolerance = 0.1                            # error increase that defines the radius beta*
shrink = 2.0                               # unstable if beta* shrinks by more over the widths
lr_range = [-5.0, 2.0]                     # log10 of the learning-rate grid's ends
n_lrs = 15                                 # learning rates on the grid
lr_width = 16                              # width in the learning-rate sweep
lr_steps = 200                             # Adam steps in the learning-rate sweep
lr_repeats = 3                             # models per learning rate

# %%
import numpy as np
import pandas as pd
import torch

import com
from com import memory, perturbation, plotting
from com import parameterisations as P
from com import validation as v

v.check_in(globals(), {
    **v.seed_and_strict(),
    "widths": v.integers(lo=1, min_len=2, increasing=True),
    "ssm_widths": v.integers(lo=1, min_len=2, increasing=True),
    "n_models": v.integer(lo=1), "steps": v.integer(lo=1), "ssm_steps": v.integer(lo=1),
    "lr": v.real(positive=True), "dense_lr": v.real(positive=True), "horizon": v.real(lo=10.0),
    "T": v.integer(lo=16), "ssm_T": v.integer(lo=16),
    "n_data": v.integer(lo=2), "hold": v.real(lo=1.0),
    "omega": v.real(positive=True), "beta_range": v.reals(min_len=2, increasing=True),
    "n_betas": v.integer(lo=3), "n_samples": v.integer(lo=1), "adv_steps": v.integer(lo=0),
    "tolerance": v.real(positive=True, hi=1.0), "shrink": v.real(lo=1.0),
    "lr_range": v.reals(min_len=2, increasing=True), "n_lrs": v.integer(lo=3),
    "lr_width": v.integer(lo=1), "lr_steps": v.integer(lo=1), "lr_repeats": v.integer(lo=1),
})
v.require("beta_range", len(beta_range) == 2, "two numbers [lo, hi]", beta_range)
v.require("lr_range", len(lr_range) == 2 and lr_range[1] - lr_range[0] >= 6,
          "two numbers [lo, hi] at least 6 decades apart", lr_range)
gen = com.setup(seed)
claims = com.Claims(strict=strict)


# %%
def cost(p):                 # the whole run: bytes, multiply-adds, small torch ops
    G, ens = 1200, p.n_betas * p.n_samples       # continuous lag grid; perturbed copies
    W, M, Ws, Ms = len(p.widths), max(p.widths), len(p.ssm_widths), max(p.ssm_widths)
    lin = p.n_models * W * (M * (4 * G + 5 * p.T) + 2 * M ** 3)  # 9 linear rows, a pass
    ssm = p.n_models * Ws * Ms * p.n_data * p.ssm_T                # 4 SSM rows, a pass
    ssm *= 6 * np.log2(2 * p.ssm_T) + 4 * Ms
    lrs = 4 * p.n_lrs * p.lr_repeats * p.lr_width * G             # learning-rate sweep
    return dict(memory=8 * 6 * (ens * p.n_models * W * M * max(G, p.T) + lrs),
                flops=120 * (lin * p.steps + ssm * p.ssm_steps) + 60 * lrs * p.lr_steps
                + 2 * 20 * ens * (2 * p.adv_steps + 1) * (lin + ssm),
                ops=2 * 500 * (9 * p.steps + 4 * p.ssm_steps) + 4 * 800 * p.lr_steps
                + 26 * 200 * (p.adv_steps + 1))


v.budget(globals(), ["widths", "ssm_widths", "n_models", "steps", "ssm_steps", "T",
                     "ssm_T", "n_data", "n_betas", "n_samples", "adv_steps", "n_lrs",
                     "lr_width", "lr_steps", "lr_repeats"], cost)

# %% [markdown]
# ## Parameterisations and their gradient scales
#
# A model trains raw weights $w \in \mathbb{R}$ and runs with eigenvalues
# $\lambda = f(w)$ (`com.parameterisations`). In continuous time a mode decays like
# $e^{\lambda t}$ and is stable when $\lambda < 0$; in discrete time like $\lambda^s$,
# stable when $|\lambda| < 1$. We compare
#
# | time | name | $f(w)$ | stable for every $w$ |
# |---|---|---|---|
# | continuous | direct | $w$ | no |
# | continuous | exp | $-e^{w}$ | yes |
# | continuous | softplus | $-\log(1 + e^{w})$ | yes |
# | continuous | best | $-1/(a w^2 + b)$ | yes |
# | discrete | direct | $w$ | no |
# | discrete | lru | $\exp(-e^{w})$ | yes |
# | discrete | sigmoid | $1/(1 + e^{-w})$ | yes |
# | discrete | best | $1 - 1/(w^2 + b)$ | yes |
#
# We take $a = 1$, $b = 0.5$ in continuous time, as the authors' code does, so
# $|\lambda| \le 2$. In discrete time the authors' code uses $b = 0.5$, which gives
# $\lambda(0) = -1$, *on* the edge; we take $b = 1$, so that
# $\lambda \in [0, 1)$ for every $w$.
#
# Why "best"? For a loss $L$ that depends on $w$ through the memory $e^{f(w) t}$,
# $\partial L / \partial w = f'(w) \int t\, e^{f(w)t} (\dots)\,\mathrm{d}t$ and
# $\int_0^\infty t\, e^{f t}\,\mathrm{d}t = 1/f^2$, so
# $|\partial L/\partial w| \le C\, |f'(w)| / f(w)^2$ {cite}`wang2023stablessm`. This
# *gradient scale* is $1/w^2$ (direct), $e^{-w}$ (exp),
# $\mathrm{sigmoid}(w)/\log(1+e^{w})^2$ (softplus) and $2a|w|$ (best): asking it to
# grow no faster than $|w|$, so that $|\partial L/\partial w| / |w|$ stays bounded and
# one learning rate suits every weight, gives $f = -1/(a w^2 + b)$. In discrete time
# the distance to the edge is $1 - \lambda$, $\sum_s s \lambda^{s} \approx (1-\lambda)^{-2}$,
# and the scale is $|f'|/(1-f)^2$: $2|w|$ for discrete "best" again.
#
# Long memory lives near the edge, so we compare the scales at eigenvalues a distance
# $d$ from it ($d = |\lambda|$, resp. $1 - \lambda$). Inverting each $f$, the scales
# behave like $d^{-2}$ (direct), $d^{-1}$ (exp, softplus, lru, sigmoid) and
# $2\sqrt{a/d}$ (best).

# %%
dist = torch.logspace(-4, -1, 31)                                        # (K,) distance to the edge
scales = {(p.time, name): P.scale_at_edge(p, dist)
          for table in (P.CONTINUOUS, P.DISCRETE) for name, p in table.items()}
slopes = {key: float(np.polyfit(np.log(dist.numpy()), np.log(s.numpy()), 1)[0])
          for key, s in scales.items()}
print(pd.Series({f"{k[0]} {k[1]}": f"{s:.3f}" for k, s in slopes.items()},
                name="log-log slope of the gradient scale").to_string())

fig, axes = plotting.subplots(2)
for ax, time in zip(axes, ("continuous", "discrete")):
    names = [k for k in scales if k[0] == time]
    for key, col in zip(names, plotting.colors(len(names))):
        ax.loglog(dist, scales[key], color=col, label=key[1])
    edge = r"$|\lambda|$" if time == "continuous" else r"$1 - \lambda$"
    plotting.label(ax, f"distance to the edge {edge}", r"gradient scale", time)
com.glue("fig_scales", plotting.finish(fig))
com.glue("slope_best", slopes[("continuous", "best")])
com.glue("slope_exp", slopes[("continuous", "exp")])
com.glue("slope_direct", slopes[("continuous", "direct")])

# %% [markdown]
# ```{glue:figure} fig_scales
# :name: fig-scales
# Gradient scale $|f'|/f^2$ (continuous, left) and $|f'|/(1-f)^2$ (discrete, right)
# of each parameterisation, at eigenvalues a distance $d$ from the edge of stability.
# ```
#
# On log-log axes the scales are straight lines with slopes
# {glue:text}`slope_direct:.2f` (direct), {glue:text}`slope_exp:.2f` (exp) and
# {glue:text}`slope_best:.2f` (best): near the edge, where long memory lives, direct
# gradients are the largest and "best" gradients the smallest, with exp, softplus,
# lru and sigmoid in between.

# %% [markdown]
# ## What a stable reparameterisation changes
#
# The perturbation error $E_m(\beta)$ of {cite}`wang2024inverse` perturbs the
# *trainable* parameters. With a parameterisation those are the raw $w$, and the
# eigenvalues move by $f(w + \delta) - f(w)$. For "direct", a perturbation of size
# $\beta$ moves an eigenvalue by $\beta$: if it sat closer than $\beta$ to the edge the
# perturbed model is unstable and its error explodes. For $f = -e^w$ the same
# perturbation multiplies $\lambda$ by $e^{\delta} \in [e^{-\beta}, e^{\beta}]$: the
# eigenvalue stays negative, and a normalised mode $|\lambda| e^{\lambda t}$ moves in
# $L^1$ by at most $2(e^{\beta} - 1)$, *whatever* $\lambda$ is. That is the definition
# of a stable reparameterisation in {cite}`wang2023stablessm`, with
# $g(\beta) = e^\beta - 1$ for exp; the same bound, with another $g$, holds for
# softplus and "best". Direct has no such $g$: $|w - \tilde w| / |\tilde w|$ is
# unbounded near $0$.
#
# The models. Every family normalises its input weights so that a stable mode's
# kernel has $L^1$ mass equal to its output weight (continuous:
# $\hat\rho(t) = \sum_i c_i |\lambda_i| e^{\lambda_i t}$; discrete:
# $K_s = \sum_i c_i (1 - \lambda_i)\lambda_i^s$, the $L^1$ analogue of the LRU's
# normalisation; vanilla: $K_s = c^\top A^s (I - A) b$), so that a mode near the edge
# needs no large weights (`com.models`, last section):
#
# - **diagonal RNN**, continuous time, lags up to the horizon {glue:text}`horizon:.0f`;
#   direct, exp, softplus, best;
# - **vanilla RNN**, a dense symmetric $A = Q\,\mathrm{diag}(f(w))\,Q^\top$ with
#   $Q = (I - K)^{-1}(I + K)$, $K = S - S^\top$, orthogonal (a Cayley transform), $S$
#   and $w$ raw (the authors' code writes its
#   vanilla RNN the same way, $P^\top \mathrm{diag}(\cdot) P$), {glue:text}`T` lags;
#   direct ($f(w) = w$) and best. In the eigenbasis
#   $K_s = \sum_i (q_i^\top c)(q_i^\top b)(1 - \lambda_i)\lambda_i^s$, so the kernel
#   needs no matrix powers;
# - **LRU-style recurrence**, discrete diagonal, {glue:text}`T` lags;
#   direct, lru ($\exp(-e^w)$, the LRU's own), best;
# - **SSM with layer-wise nonlinearity**, 1 and 2 layers
#   $z^l = \tanh(K^l * u^l)$, $y = c^\top z^L$; direct and best.
#
# Linear families train on the closed-form white-noise loss (Adam, learning rate
# {glue:text}`lr`; {glue:text}`dense_lr` for the dense RNN, each of whose $m^2$ entries
# of $S$ Adam moves by about one step size, so that $Q$ turns up to $m$ times faster
# than one entry moves; at {glue:text}`lr` the direct dense RNN pushed modes past the
# edge and did not train at the larger widths); the SSMs on sampled sequences, every
# layer an FFT convolution (no loop over time). Models of all widths (and seeds) of
# one family train as one padded tensor program.
#
# The SSMs' inputs are piecewise constant: Gaussian levels held for geometric times
# of mean {glue:text}`hold` steps (`com.parameterisations.held_inputs`). The papers'
# error is a supremum over bounded inputs, and for a linear functional the worst
# bounded input is held, $y = x \sum_s \rho_s$, which feels the kernel's $L^1$ mass,
# tail included. On white noise the RMS error sees the kernel in $L^2$ instead,
# where the polynomial tail, $(1+s)^{-2(1+\omega)}$ once squared, is negligible after a
# few lags: in our earlier runs on white noise no direct SSM had to bring an eigenvalue
# near the edge, and none showed a shrinking radius.
#
# The perturbation acts on the recurrent raw tensors: those $f$ acts on ($w$), and
# for the vanilla RNN the eigenbasis $S$ as well. No $f$ protects the eigenbasis, but
# it needs no protection: a perturbation of $S$ of size $\beta$ turns $Q$ by
# $\|\Delta Q\|_2 \le 4\beta$, and since every stable mode's normalised kernel
# $(1-\lambda_i)\lambda_i^s$ has $L^1$ mass at most 1, Cauchy-Schwarz on
# $K_s = \sum_i (q_i^\top c)(q_i^\top b)(1 - \lambda_i)\lambda_i^s$ bounds the change of
# the kernel by $2\|\Delta Q\|_2 |b||c| \le 8\beta |b||c|$ in $L^1$, at every width, as
# long as $|b||c|$ stays bounded; in the trained stable dense RNNs it lies between
# {glue:text}`bc_min:.2f` and {glue:text}`bc_max:.2f` at every width and memory.
# $E_m(\beta)$ is a supremum
# over the ball of radius $\beta$, and we estimate it as the nonlinear-curse chapter
# does: {glue:text}`adv_steps` steps of projected gradient ascent
# (`com.perturbation.adversarial_error`) from each of {glue:text}`n_samples` random
# points of the sphere, keeping the largest error seen. The random points alone would
# not do. A random direction in $\mathbb{R}^m$ spreads $\beta$ over all $m$ units and
# moves any one eigenvalue by about $\beta/\sqrt{m}$, while the supremum may spend all
# of $\beta$ on the eigenvalue nearest the edge; the random estimate of $\beta^*_m$ is
# thus inflated by up to $\sqrt{m}$, more at larger widths, which biases every row
# towards "stable". The table at the end of "Reading the verdicts" compares the two
# estimates. We hold the output and input weights: their
# perturbations change the error by at most $\beta \|\cdot\|$ for every
# parameterisation alike, and would only blur what $f$ changes. The error is the
# operator norm of $H - \hat H$ relative to $\|H\|$, i.e. the relative $L^1$ kernel
# distance, for linear models, and the relative RMS error on held-out inputs for
# the SSMs. The **stability radius** $\beta^*_m$ is the $\beta$ at which the error first
# exceeds $E_m(0) + \tau$, $\tau =$ {glue:text}`tolerance`
# (`com.perturbation.stability_radius`). The **rule** for a cell: the approximation is
# *stable* if $\beta^*_m$ does not shrink with $m$, i.e. the median radius over the
# seeds (on a log scale: with two seeds, the geometric mean) at the largest width is at
# least $1/${glue:text}`shrink` of that at the smallest; otherwise *unstable*. Exponential memory is $e^{-0.5t}/(1+t)$ (per step $e^{-0.1s}/(1+s/5)$),
# polynomial memory $(1+t)^{-(1+\omega)}$, $\omega =$ {glue:text}`omega`.

# %%
ROWS = [("diagonal", "direct"), ("diagonal", "exp"), ("diagonal", "softplus"), ("diagonal", "best"),
        ("vanilla", "direct"), ("vanilla", "best"), ("lru", "direct"), ("lru", "lru"),
        ("lru", "best"), ("ssm1", "direct"), ("ssm1", "best"), ("ssm2", "direct"), ("ssm2", "best")]
KINDS = ("exponential", "polynomial")
betas = torch.logspace(*beta_range, n_betas)                                 # (B,)
for name in ("n_samples", "adv_steps", "tolerance", "shrink", "omega", "lr", "dense_lr",
             "horizon", "T", "ssm_T", "hold"):
    com.glue(name, globals()[name])


def run_cell(i, family, pname, kind):
    ssm = family.startswith("ssm")
    cfg = dict(widths=ssm_widths if ssm else widths, n_models=n_models,
               steps=ssm_steps if ssm else steps, lr=dense_lr if family == "vanilla" else lr,
               n_samples=n_samples, adv_steps=adv_steps,
               tolerance=tolerance, horizon=horizon,
               T=ssm_T if ssm else T, n_data=n_data,
               omega=omega, **(dict(hold=hold) if ssm else {}))
    key = dict(cfg, family=family, pname=pname, kind=kind, seed=seed, betas=beta_range + [n_betas])
    g = torch.Generator().manual_seed(1000 * seed + 2 * i + KINDS.index(kind))
    return com.cache.cached("stable_reparameterisation.cell", key, lambda: P.stability_cell(
        family, pname, kind, betas=betas, generator=g, **cfg))


cells = {(f, p, k): run_cell(i, f, p, k) for i, (f, p) in enumerate(ROWS) for k in KINDS}

# %%
README = {"diagonal": "diagonal RNN", "vanilla": "vanilla RNN", "lru": "linear recurrent unit",
          "ssm1": "state-space model", "ssm2": "state-space model"}
LABEL = {"diagonal": "diagonal RNN", "vanilla": "vanilla RNN", "lru": "LRU-style",
         "ssm1": "SSM, 1 layer", "ssm2": "SSM, 2 layers"}


def log_median(r):                                     # (W, R, ...) -> (W, ...)
    # The median on a log scale: with an even number of seeds, the geometric mean of
    # the middle two (torch's median would return the lower one, with two seeds the min).
    return torch.quantile(r.clamp_min(1e-300).log(), 0.5, dim=1).exp()


def radii(cell):                                       # median over seeds per width  (W,)
    return log_median(cell["radius"])


def ratio_of(radius):                                  # median radius, largest / smallest width
    r = log_median(radius)
    return float(r[-1] / r[0])


def verdict(cell):
    r = radii(cell)
    return "stable" if r[-1] >= r[0] / shrink else "unstable"


def authors(family, pname, kind):                      # the seed README's table
    return "stable" if kind == "exponential" or pname != "direct" else "unstable"


rows = []
for family, pname in ROWS:
    row = {"model": LABEL[family], "parameterisation": pname}
    for kind in KINDS:
        r = radii(cells[(family, pname, kind)])
        row[f"{kind}: beta* (m min -> max)"] = f"{r[0]:.2g} -> {r[-1]:.2g}"
        row[kind] = verdict(cells[(family, pname, kind)])
        row[f"{kind} (README)"] = authors(family, pname, kind)
    rows.append(row)
table = pd.DataFrame(rows).set_index(["model", "parameterisation"])
table

# %%
agree = {(f, p, k): table.loc[(LABEL[f], p), k] == authors(f, p, k) for f, p in ROWS for k in KINDS}
n_agree, n_cells = sum(agree.values()), len(agree)
disagree = [f"{LABEL[f]} / {p} / {k} memory" for (f, p, k), ok in agree.items() if not ok]
com.glue("n_agree", n_agree)
com.glue("n_cells", n_cells)
com.glue("disagreements", "; ".join(disagree) if disagree else "none")
direct_pol = {f: radii(cells[(f, "direct", "polynomial")]) for f, _ in ROWS if _ == "direct"}
stable_pol = {(f, p): radii(cells[(f, p, "polynomial")]) for f, p in ROWS if p != "direct"}
ratio_direct = {f: ratio_of(cells[(f, "direct", "polynomial")]["radius"]) for f in direct_pol}
ratio_stable = {(f, p): ratio_of(cells[(f, p, "polynomial")]["radius"]) for f, p in stable_pol}
gap = min(float(stable_pol[(f, p)][-1] / direct_pol[f][-1]) for f, p in stable_pol)
com.glue("ratio_direct_min", min(ratio_direct.values()))
com.glue("ratio_direct_max", max(ratio_direct.values()))
com.glue("ratio_stable_min", min(ratio_stable.values()))
com.glue("radius_gap", gap)
bc = torch.cat([(cells[("vanilla", "best", k)]["params"]["b"].norm(dim=-1)
                 * cells[("vanilla", "best", k)]["params"]["c"].norm(dim=-1)) for k in KINDS])
com.glue("bc_min", bc.min())
com.glue("bc_max", bc.max())
com.glue("m_max", widths[-1])
com.glue("ssm_m_max", ssm_widths[-1])
print(f"agreement with the README: {n_agree} of {n_cells}; disagreements: {disagree or 'none'}")

# %%
estimates = pd.DataFrame({f"{LABEL[f]}, {p}": {
    "random points": ratio_of(cells[(f, p, "polynomial")]["radius_random"]),
    "sup (ascent)": ratio_of(cells[(f, p, "polynomial")]["radius"])} for f, p in ROWS}).T
print("beta* ratio largest / smallest width, polynomial memory")
print(estimates.map(lambda x: f"{x:.2g}").to_string())
rand_direct_stable = [k for k in estimates.index if k.endswith("direct")
                      and estimates.loc[k, "random points"] >= 1 / shrink]
com.glue("n_direct_random_stable", len(rand_direct_stable))
com.glue("n_direct_rows", sum(k.endswith("direct") for k in estimates.index))

# %%
def err0(f, p, kind, i):                               # median E_m(0) at width index i
    return float(cells[(f, p, kind)]["E0"][i].median())


e0 = pd.DataFrame({f"{LABEL[f]}, {p}": {f"E_m(0), m = {w}": err0(f, p, "polynomial", i)
                                         for i, w in enumerate(ssm_widths if f.startswith("ssm")
                                                               else widths)}
                   for f, p in ROWS if not f.startswith("ssm")}).T
print(e0.map(lambda x: f"{x:.3g}").to_string())
lin = [(f, p) for f, p in ROWS if not f.startswith("ssm")]
e0_fall = {(f, p): err0(f, p, "polynomial", -1) / err0(f, p, "polynomial", 0) for f, p in lin}
com.glue("e0_fall_direct", min(v for (f, p), v in e0_fall.items() if p == "direct"))
com.glue("e0_fall_stable", min(v for (f, p), v in e0_fall.items() if p != "direct"))

# %%
fig, axes = plotting.subplots(2, height=1.5 * plotting.HEIGHT)
for ax, kind in zip(axes, KINDS):
    for (family, pname), col in zip(ROWS, plotting.colors(len(ROWS))):
        ws = ssm_widths if family.startswith("ssm") else widths
        ax.loglog(ws, radii(cells[(family, pname, kind)]), "o-" if pname == "direct" else "s--",
                  color=col, label=f"{LABEL[family]}, {pname}")
    plotting.label(ax, "width $m$", r"stability radius $\beta^*_m$", f"{kind} memory",
                   legend=False)
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=4,
           fontsize="x-small")
com.glue("fig_radii", plotting.finish(fig))

# %% [markdown]
# The table above is computed by the rule; beside each verdict stands the authors'
# README table {cite}`wang2023stablessm` (its rows "diagonal RNN", "vanilla RNN",
# "state-space model", "linear recurrent unit" for our direct rows, and "with stable
# reparameterisation" for every other row). The two agree in
# {glue:text}`n_agree` of {glue:text}`n_cells` cells; disagreements:
# {glue:text}`disagreements`.
#
# ```{glue:figure} fig_radii
# :name: fig-radii
# Stability radius $\beta^*_m$ (median over seeds) against width, for exponential
# (left) and polynomial (right) memory. Circles: direct parameterisation; squares: a
# stable reparameterisation.
# ```
#
# On polynomial memory the radius of the direct models changes by a factor between
# {glue:text}`ratio_direct_min:.2g` and {glue:text}`ratio_direct_max:.2g` from the
# smallest to the largest width, and with a stable reparameterisation by at least
# {glue:text}`ratio_stable_min:.2g`; at the largest width every stably reparameterised
# model survives perturbations at least {glue:text}`radius_gap:.2g` times larger than
# the direct model of its family.
#
# Reading the verdicts. The definition of an unstable approximation is about the limit
# $m \to \infty$, and our widths are small. For a direct row the radius is set by the
# eigenvalue nearest the edge, and on polynomial memory that eigenvalue must approach
# the edge as $m$ grows, *but only as far as the lags the loss sees*: over a window of
# $T$ lags nothing asks for a decay slower than about $1/T$, and once the slowest
# trained eigenvalue reaches that floor the radius stops shrinking. The windows are
# therefore long ({glue:text}`horizon:.0f` time units for the diagonal RNN,
# {glue:text}`T` steps for the discrete ones) and the widths go up to
# {glue:text}`m_max`. The SSMs, trained on sampled sequences of {glue:text}`ssm_T`
# steps at widths up to {glue:text}`ssm_m_max`, are short of that.
#
# The estimator matters as much as the window. The second table above gives, for
# polynomial memory, the ratio of the radius at the largest width to that at the
# smallest from the random points alone and from the ascent: with the random points
# {glue:text}`n_direct_random_stable` of the {glue:text}`n_direct_rows` direct rows
# would be judged stable, their radius inflated by the $\sqrt{m}$ described above.
#
# What a stable reparameterisation cannot do. It bounds how far a raw perturbation
# moves the eigenvalues *relative to their distance from the edge*; it does not bring
# long memory within reach of a finite model. The table printed above the figure
# shows the approximation error $E_m(0)$ on polynomial memory: from the smallest to
# the largest width it falls by a factor of at least {glue:text}`e0_fall_direct:.2g`
# for the direct rows and {glue:text}`e0_fall_stable:.2g` for the stable ones (a
# factor above 1 means it did not fall). To reach lag $t$, an eigenvalue must come
# within about $1/t$ of the edge; with $f = -e^w$ that is $w \approx -\ln t$, a raw weight
# that Adam reaches only slowly, and with "best" $|w| \approx \sqrt{t}$. The papers'
# statement is about stability, $\beta^*$ not shrinking; how fast $E_m(0)$ falls
# is a separate, optimisation question, and the curse of memory in approximation
# (width growing explosively with the memory) is untouched by any $f$.
#
# The LRU. The README's row "linear recurrent unit: unstable" cannot refer to the LRU
# as published, whose eigenvalues are $\exp(-e^{\nu})$: that map is a stable
# reparameterisation in the sense above (the discrete counterpart of exp), and our
# "lru" row treats it as one. Our "LRU-style, direct" row is the same recurrence with
# eigenvalues trained directly, which is what we compare with the README's row.
#
# ## A vanilla RNN with and without a stable parameterisation
#
# The perturbation-error curves behind one row pair of the table: dense RNNs
# $A = Q\,\mathrm{diag}(f(w))\,Q^\top$ on polynomial memory, with $f(w) = w$ and with
# the stable "best" $f$.

# %%
fig, axes = plotting.subplots(2, sharey=True)
for ax, pname in zip(axes, ("direct", "best")):
    E = log_median(cells[("vanilla", pname, "polynomial")]["E"])             # (W, B)
    for m, e, col in zip(widths, E, plotting.sequential(len(widths))):
        ax.loglog(betas, e.clamp(max=1e3), color=col, label=f"$m={m}$")
    ax.axhline(1.0, color="grey", ls=":", lw=1)
    plotting.label(ax, r"perturbation radius $\beta$", r"relative error $E_m(\beta)$",
                   f"vanilla RNN, {pname}")
com.glue("fig_vanilla", plotting.finish(fig))

# %% [markdown]
# ```{glue:figure} fig_vanilla
# :name: fig-vanilla
# Perturbation error $E_m(\beta)$ (median over seeds, clipped at $10^3$) of dense RNNs
# $A = Q\,\mathrm{diag}(f(w))Q^\top$ trained on polynomial memory, $f(w) = w$ (left) and
# $f$ = discrete "best" (right). Dotted: the error of the zero model.
# ```

# %% [markdown]
# ## Learning-rate range
#
# The gradient scale predicts how large a step each parameterisation tolerates
# {cite}`wang2023stablessm`. We train width-{glue:text}`lr_width` continuous diagonal
# RNNs on polynomial memory with Adam over a grid of learning rates from
# $10^{a}$ to $10^{b}$ ($a, b$ = {glue:text}`lr_lo`, {glue:text}`lr_hi`),
# {glue:text}`lr_repeats` models per rate, all rates of a parameterisation in one
# tensor program (Adam written out with a step size per model,
# `com.parameterisations.lr_sweep`), and record the final loss and the largest
# $|\partial L/\partial w| / |w|$ seen during training. A run *trains* if its final
# loss is finite and below a tenth of its initial loss.

# %%
CONT = ("direct", "exp", "softplus", "best")
lrs = torch.logspace(*lr_range, n_lrs)                                       # (L,)
lr_task = P.make_task("diagonal", "polynomial", horizon, T, n_data, gen, omega=omega)
sweep = {p: com.cache.cached("stable_reparameterisation.lr", dict(
    p=p, m=lr_width, lrs=lr_range + [n_lrs], R=lr_repeats, steps=lr_steps, seed=seed,
    horizon=horizon, omega=omega), lambda p=p: P.lr_sweep(
    lr_task, p, lr_width, lrs, lr_repeats, lr_steps, torch.Generator().manual_seed(seed + 7)))
    for p in CONT}
trains = {p: (torch.isfinite(s["loss"]) & (s["loss"] < 0.1 * s["initial"])).all(dim=1)
          for p, s in sweep.items()}                                         # (L,) every repeat
n_ok = {p: int(ok.sum()) for p, ok in trains.items()}
ratio = {p: float(s["ratio"].nan_to_num(float("inf")).median()) for p, s in sweep.items()}
print(pd.DataFrame({"learning rates that train": n_ok, "median max |grad|/|w|": ratio}).to_string())
for name, val in (("lr_width", lr_width), ("lr_lo", lr_range[0]), ("lr_hi", lr_range[1]),
                  ("lr_repeats", lr_repeats), ("n_lrs", n_lrs)):
    com.glue(name, val)

# %%
fig, axes = plotting.subplots(2)
for p, col in zip(CONT, plotting.colors(len(CONT))):
    rel = (sweep[p]["loss"] / sweep[p]["initial"]).nan_to_num(1e6).clamp(max=1e6)
    axes[0].loglog(lrs, rel.median(dim=1).values, "o-", color=col, label=p)
    axes[1].loglog(lrs, sweep[p]["ratio"].nan_to_num(1e12).clamp(max=1e12).median(dim=1).values,
                   "o-", color=col, label=p)
axes[0].axhline(0.1, color="grey", ls=":", lw=1)
plotting.label(axes[0], "learning rate", "final / initial loss (median)", "diverged: 1e6")
plotting.label(axes[1], "learning rate", r"max $|\partial L/\partial w|/|w|$ (median)")
com.glue("fig_lr", plotting.finish(fig))
for p in CONT:
    com.glue(f"n_ok_{p}", n_ok[p])
    com.glue(f"ratio_{p}", ratio[p])

# %% [markdown]
# ```{glue:figure} fig_lr
# :name: fig-lr
# Left: final loss relative to the initial loss against the Adam learning rate
# (median over repeats; runs that diverged are drawn at $10^6$; dotted: the "trains"
# threshold). Right: the largest gradient-over-weight ratio seen during training.
# ```
#
# Out of {glue:text}`n_lrs` learning rates, the runs train at every repeat for
# {glue:text}`n_ok_direct` (direct), {glue:text}`n_ok_exp` (exp),
# {glue:text}`n_ok_softplus` (softplus) and {glue:text}`n_ok_best` (best). The median
# largest $|\partial L/\partial w|/|w|$ is {glue:text}`ratio_direct:.3g` (direct),
# {glue:text}`ratio_exp:.3g` (exp), {glue:text}`ratio_softplus:.3g` (softplus) and
# {glue:text}`ratio_best:.3g` (best).

# %% [markdown]
# ## SSMs with layer-wise nonlinearity still forget exponentially
#
# Stacking linear recurrences with a nonlinearity between layers makes SSMs universal
# approximators {cite}`wang2023statespace`, but not long-memory ones: each layer's
# response to a held input settles like $\lambda_{\max}^t$, and $L$ layers give at most
# a factor $t^{L-1}$ in front. We probe the memory function of the trained SSMs (both
# parameterisations, both memories) with Heaviside inputs $x \mathbf{1}_{t \ge 0}$,
# $|x| \in \{0.1, 0.5, 1, 2\}$, over {glue:text}`probe_T` steps
# (`com.memory.memory_function`), and fit an exponential rate to its tail.

# %%
probe_T = 4 * ssm_T
mags = torch.tensor([0.1, 0.5, 1.0, 2.0])
lag = torch.arange(1, probe_T, dtype=torch.float64)                          # (probe_T - 1,)
ssm_mem = {(f, p, k): P.heaviside_memory(cells[(f, p, k)]["task"], p, cells[(f, p, k)]["params"],
                                         mags, probe_T)
           for f, p in ROWS if f.startswith("ssm") for k in KINDS}           # (S, probe_T - 1)
tail = lag >= probe_T // 2
rates = {key: [memory.decay_rate(lag[tail], M[tail]) for M in Ms] for key, Ms in ssm_mem.items()}
rates = {key: np.nan_to_num(r, nan=np.inf) for key, r in rates.items()}     # gone below the floor
end_ratio = max(float((Ms[:, -1] / Ms.amax(dim=1)).max()) for Ms in ssm_mem.values())
target_end = float(memory.polynomial(lag[-1:], omega) / memory.polynomial(lag[:1], omega))
# Only a stable reparameterisation keeps every eigenvalue inside the unit disc; a
# direct SSM may train past the edge, where nothing forces its memory to decay.
min_rate = min(min(r) for (f, p, k), r in rates.items() if p != "direct")
min_rate_direct = min(min(r) for (f, p, k), r in rates.items() if p == "direct")
com.glue("probe_T", probe_T)
com.glue("ssm_min_rate", min_rate)
com.glue("ssm_min_rate_direct", min_rate_direct)
com.glue("ssm_end_ratio", end_ratio)
com.glue("target_end_ratio", target_end)

# %%
fig, axes = plotting.subplots(2, sharey=True)
for ax, kind in zip(axes, KINDS):
    keys = [(f, p, kind) for f, p in ROWS if f.startswith("ssm")]
    for key, col in zip(keys, plotting.colors(len(keys))):
        ax.semilogy(lag, ssm_mem[key][-1].clamp_min(1e-16), color=col,
                    label=f"{LABEL[key[0]]}, {key[1]}")
    ax.semilogy(lag, memory.polynomial(lag, omega), "k:", lw=1, label="polynomial target")
    plotting.label(ax, "lag $t$ (steps)", "memory function $M(t)$", f"trained on {kind} memory")
com.glue("fig_ssm_memory", plotting.finish(fig))

# %% [markdown]
# ```{glue:figure} fig_ssm_memory
# :name: fig-ssm-memory
# Memory functions of trained SSMs with layer-wise tanh (largest width, one seed) on
# a logarithmic axis, against the polynomial target's memory (dotted). Straight lines
# are exponential decay.
# ```
#
# Every trained SSM with a stable reparameterisation forgets exponentially: the
# smallest fitted tail rate among them is {glue:text}`ssm_min_rate:.3g` per step. The
# theorem {cite}`wang2023statespace` speaks of stable approximations; a *directly*
# parameterised SSM is not kept inside the unit disc by anything, and depending on the
# seed its smallest fitted tail rate (here {glue:text}`ssm_min_rate_direct:.3g` per
# step) can be near zero or negative: a model trained to the edge of stability, or
# past it, whose memory does not decay at all over the window. At lag
# {glue:text}`probe_T` the memory function is at most {glue:text}`ssm_end_ratio:.2g` of its maximum, against
# {glue:text}`target_end_ratio:.2g` for the polynomial target: over a finite window a
# slow exponential can still sit above a power law, so the comparison that matters is
# the shape (straight lines on the logarithmic axis), not the level at one lag.

# %% [markdown]
# ## Claims and verdicts
#
# The claims below hold at full scale for seeds 0 to 3, except three, marked as
# expected to fail with the reasons we found (the table gives this run's verdicts).
# (i) The direct dense RNN and the direct SSMs on polynomial memory: each of these
# rows shows the shrinking radius at some of the four seeds, not at all. At the others a
# model of a smaller width already has a mode at the edge, with a radius one or two
# orders of magnitude below its neighbours', so the radius, at its floor from the
# start, cannot be seen to shrink. For the dense RNN this happens easily: a
# perturbation of $S$ can turn output weight onto whichever mode lies nearest the
# edge, idle or not, so its radius is that mode's distance to the edge. (ii) On
# exponential memory nothing keeps a *direct* model's idle modes away from the edge:
# depending on the seed, a mode the target does not need drifts there in training and
# the ascent finds it. The README's "stable" for those rows holds for some
# approximation, not for every trained one. (iii) The full agreement with the README
# table follows from (i) and (ii).

# %%
WHY_REST = ("at some seeds a model of a smaller width already has a mode at the edge (for "
            "the dense RNN, a perturbation of S can turn output weight onto it), so the "
            "radius starts at its floor and cannot be seen to shrink; each row shows the "
            "shrinking at some of seeds 0-3, not at all")
WHY_EXP = ("a direct parameterisation does not keep idle modes away from the edge; "
           "depending on the seed one drifts there in training and the ascent finds it")


def below(a, b):                                       # a < b at every distance on the grid
    return bool((scales[a] < scales[b]).all())


order = (below(("continuous", "exp"), ("continuous", "direct"))
         and below(("continuous", "softplus"), ("continuous", "direct"))
         and below(("continuous", "best"), ("continuous", "exp"))
         and below(("continuous", "best"), ("continuous", "softplus"))
         and below(("discrete", "best"), ("discrete", "lru"))
         and below(("discrete", "best"), ("discrete", "sigmoid"))
         and below(("discrete", "lru"), ("discrete", "direct")))
claims.check("scale-ordering",
             "near the edge, gradient scales order direct > exp, softplus (lru, sigmoid) > best, "
             "with slopes -2, -1, -1/2 (within 0.1)",
             order and abs(slopes[("continuous", "direct")] + 2) < 0.1
             and abs(slopes[("continuous", "exp")] + 1) < 0.1
             and abs(slopes[("continuous", "best")] + 0.5) < 0.1,
             "slopes " + ", ".join(f"{k[0][:4]} {k[1]} {s:.2f}" for k, s in slopes.items()))

# %%
def unstable_rows(rows, kind):                         # "family/pname, ..." ("" if none)
    return ", ".join(f"{f}/{p}" for f, p in rows if verdict(cells[(f, p, kind)]) != "stable")


stable_rows = [(f, p) for f, p in ROWS if p != "direct"]
direct_rows = [(f, p) for f, p in ROWS if p == "direct"]
DIAGONAL = ("diagonal", "lru")                         # direct rows, by claim
REST = ("vanilla", "ssm1", "ssm2")
claims.check("exp-stable", "with a stable reparameterisation, every family is stable on "
             "exponential memory", not unstable_rows(stable_rows, "exponential"),
             "unstable: " + (unstable_rows(stable_rows, "exponential") or "none"))
claims.check("exp-stable-direct", "without one, every family is stable on exponential memory",
             not unstable_rows(direct_rows, "exponential"),
             "unstable: " + (unstable_rows(direct_rows, "exponential") or "none"),
             expected_failure=WHY_EXP)
claims.check("reparam-stable", "with a stable reparameterisation, every family approximates "
             "polynomial memory stably (beta* does not shrink with m)",
             not unstable_rows(stable_rows, "polynomial"),
             "beta* ratio largest/smallest width: "
             + ", ".join(f"{f}/{p} {r:.2g}" for (f, p), r in ratio_stable.items()))
claims.check("direct-unstable", "without one, the diagonal RNN and the LRU-style recurrence "
             "are unstable on polynomial memory (beta* shrinks with m)",
             all(verdict(cells[(f, "direct", "polynomial")]) == "unstable" for f in DIAGONAL),
             "beta* ratio largest/smallest width: "
             + ", ".join(f"{f} {ratio_direct[f]:.2g}" for f in DIAGONAL))
claims.check("direct-unstable-rest", "without one, the vanilla RNN and the SSMs with "
             "layer-wise nonlinearity are unstable on polynomial memory",
             all(verdict(cells[(f, "direct", "polynomial")]) == "unstable" for f in REST),
             "beta* ratio largest/smallest width: "
             + ", ".join(f"{f} {ratio_direct[f]:.2g}" for f in REST),
             expected_failure=WHY_REST)
claims.check("readme-table", "the computed table agrees with the authors' README in every cell",
             n_agree == n_cells, f"{n_agree} of {n_cells} cells agree; differ: {disagree or 'none'}",
             expected_failure="follows from direct-unstable-rest and exp-stable-direct")

# %%
claims.check("lr-best-widest", "'best' trains over the widest range of learning rates",
             n_ok["best"] >= max(n_ok.values()),
             "learning rates that train: " + ", ".join(f"{p} {n}" for p, n in n_ok.items()))
claims.check("lr-best-ratio", "'best' keeps the smallest max |grad|/|w| during training",
             ratio["best"] <= min(ratio.values()),
             "median max |grad|/|w|: " + ", ".join(f"{p} {r:.3g}" for p, r in ratio.items()))
claims.check("ssm-exponential", "SSMs with layer-wise nonlinearity and a stable "
             "reparameterisation forget exponentially, even when trained on polynomial memory",
             min_rate > 0,
             f"min fitted tail rate {min_rate:.3g}/step (direct: {min_rate_direct:.3g}); "
             f"M(end)/max M <= {end_ratio:.2g} "
             f"(polynomial target: {target_end:.2g})")
claims.finish()
