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
seed: int = 0                       # random seed (directions, eigenbases, SSM training)
strict: bool = True                 # a claim that does not reproduce raises
widths: list[int] = [2, 4, 8, 16, 32, 64]  # widths m of the approximants
exp_base: float = 0.9               # exponential memory: base a of a**t, Fig. 1(a)
log_betas: list[float] = [-26.0, -0.5]  # log10 of the smallest and largest perturbation
n_betas: int = 24                   # perturbation radii on the log grid
n_samples: int = 3                  # random perturbations per radius, besides +-beta
tolerance: float = 0.1              # error increase (relative) that defines the radius
delta_floor: float = 1e-24          # closest a fitted mode may come to the edge
n_deltas: int = 40                  # candidate distances of the slowest mode, per fit
pol_power: float = 1.5              # polynomial memory: power p of 1/(t+1)
shrink: float = 2.0                 # unstable if beta* shrinks by more over the widths
kappa: float = 8.0                  # input / output scale of the dense hardtanh RNNs
ssm_widths: list[int] = [2, 4, 8]   # widths of the trained SSMs (memory functions)
n_models: int = 2                   # trained SSMs per width
ssm_steps: int = 150                # Adam steps, SSMs (sampled loss)
lr: float = 0.02                    # Adam learning rate
horizon: float = 10000.0            # longest lag, continuous family (learning rates)
T: int = 1024                       # lags, discrete families (learning rates)
ssm_T: int = 128                    # sequence length, SSMs
n_data: int = 32                    # input sequences (train and test), SSMs
hold: float = 25.0                  # mean hold of the SSMs' held inputs (steps)
omega: float = 0.5                  # polynomial memory (1+t)^-(1+omega) of the training
lr_range: list[float] = [-5.0, 2.0]  # log10 of the learning-rate grid's ends
n_lrs: int = 15                     # learning rates on the grid
lr_width: int = 16                  # width in the learning-rate sweep
lr_steps: int = 200                 # Adam steps in the learning-rate sweep
lr_repeats: int = 3                 # models per learning rate

# %% tags=["hide-input"]
import numpy as np
import pandas as pd
import torch

from bookkit import cache, plotting
from bookkit.chapter import start, stream
from bookkit.chapters.stable_reparameterisation import Params
from bookkit.claims import Claims, bound, glue
from bookkit.evidence import items
from com import memory
from com.approximation import exp_sums, laws
from com.models import families as F
from com.models import parameterisations as P
from com.stability import curves, perturbations, verdict
from com.training import learning_rates
from com.training.loop import train_family
from com.training.tasks import make_task

params, gen = start(globals(), Params)
claims = Claims(strict=strict)

# %% [markdown]
# ## Parameterisations and their gradient scales
#
# A model trains raw weights $w \in \mathbb{R}$ and runs with eigenvalues
# $\lambda = f(w)$ (`com.models.parameterisations`). In continuous time a mode decays like
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
dist = torch.logspace(-4, -1, 31)                  # (K,) distance to the edge
scales = {(p.time, name): P.scale_at_edge(p, dist)
          for table in (P.CONTINUOUS, P.DISCRETE) for name, p in table.items()}
slopes = {key: -laws.power_law_fit(dist.numpy(), s.numpy())[0]   # log-log slope
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
glue("fig_scales", plotting.finish(fig))
glue("slope_best", slopes[("continuous", "best")])
glue("slope_exp", slopes[("continuous", "exp")])
glue("slope_direct", slopes[("continuous", "direct")])

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
# perturbed model is unstable and its error over all time is infinite. For
# $f = -e^w$ the same perturbation multiplies $\lambda$ by
# $e^{\delta} \in [e^{-\beta}, e^{\beta}]$: the eigenvalue stays negative, and a
# normalised mode $|\lambda| e^{\lambda t}$ moves in $L^1$ by at most
# $2(1 - e^{-\beta})$, *whatever* $\lambda$ is. That is the definition of a stable
# reparameterisation in {cite}`wang2023stablessm`; the same bound, with another
# $g(\beta)$, holds for softplus, "best", lru and sigmoid. Direct has no such $g$:
# $|w - \tilde w| / |\tilde w|$ is unbounded near $0$.
#
# **Where it is measured.** As in the chapter on the nonlinear curse, over the
# infinite horizon, the theorem's norm (`com.approximation.horizon.error`): a fixed window cannot
# show the curse, since there the error is Lipschitz in the weights with a constant
# that does not depend on the width. The targets are the paper's: exponential memory
# $\rho_t = a^t$, $a =$ {glue:text}`exp_base`, and polynomial memory
# $\rho_t = (t+1)^{-p}$, $p =$ {glue:text}`pol_power`. The approximants of every
# width $m$ are those of that chapter (`com.approximation.exp_sums`: $\ell^1$ fits over all
# lags, modes geometrically spaced down to a distance from the edge chosen by the
# fit); stability is existential, and one good sequence of approximants per target
# is a witness. Each family builds its raw parameters from them
# (`com.models.families`, one entry per family):
#
# - **diagonal RNN**, the normalised recurrence $h_{k+1} = (1-\delta)h_k + \delta x_k$,
#   $y = c^\top h$ (mode $i$ has $\ell^1$ mass $c_i$ whatever $\delta_i$), with the
#   continuous parameterisations $\delta = -f(w)$ (a residual step of 1): direct,
#   exp, softplus, best;
# - **vanilla RNN**, dense $A = Q\,\mathrm{diag}(1 - \delta)\,Q^\top$ with
#   $Q = (I - K)^{-1}(I + K)$, $K = S - S^\top$ (a Cayley transform; $S$ random from the
#   seed), input $(I - A)b$ and output $c$ with $Q^\top b = Q^\top c = \sqrt{g/\delta}$,
#   the discrete parameterisations $1 - \delta = f(w)$: direct and best; in the
#   eigenbasis $K_s = \sum_i (q_i^\top c)(q_i^\top b)\delta_i(1-\delta_i)^s$;
# - **LRU-style recurrence**, the normalised diagonal recurrence with the discrete
#   parameterisations: direct, lru ($\exp(-e^w)$, the LRU's own), best;
# - **SSM with layer-wise nonlinearity**, 1 layer (the LRU-style layer, tanh after it)
#   and 2 layers (a pass-through second layer, its own raw $w$ perturbed too; its
#   kernel per channel is the convolution of two geometric sequences, again an
#   exponential sum): direct and best. Over the infinite horizon at small signal the
#   tanh between layers changes neither the modes nor the verdict: as for the tanh
#   RNNs of the previous chapter, stability is decided by the linear recurrences.
#
# Distances to the edge are computed from $w$ in $\delta$-space
# (`com.models.parameterisations` (its distance maps)), so that a mode $10^{-20}$ from the edge is exact
# for every $f$ ("direct" in discrete time stores $w = a - 1$). The perturbation moves
# the recurrent raw tensors (those $f$ acts on, and the vanilla RNN's $S$), by
# {glue:text}`n_samples` random directions of 2-norm $\beta$ besides every $w_i$
# moved by $+\beta$ and by $-\beta$; the input and output weights are held, so the
# table isolates what $f$ changes. The **stability radius** $\beta^*_m$ is where the
# error first exceeds $E_m(0) + \tau$, $\tau =$ {glue:text}`tolerance`. The **rule**
# for a cell: over the *approximating* widths (from the first with
# $E_m(0) \le \tau/2$ to the widest), the approximation is *stable* if the radius at
# the widest is at least $1/${glue:text}`shrink` of that at the first, *unstable*
# otherwise.

# %%
ROWS = [("diagonal", "direct"), ("diagonal", "exp"), ("diagonal", "softplus"),
        ("diagonal", "best"), ("vanilla", "direct"), ("vanilla", "best"),
        ("lru", "direct"), ("lru", "lru"), ("lru", "best"), ("ssm1", "direct"),
        ("ssm1", "best"), ("ssm2", "direct"), ("ssm2", "best")]
KINDS = ("exponential", "polynomial")
mems = {"exponential": memory.geometric(exp_base),
        "polynomial": memory.power(pol_power)}
betas = torch.logspace(*log_betas, n_betas)                                 # (B,)
for name in ("n_samples", "tolerance", "shrink", "exp_base", "pol_power", "omega", "lr",
             "horizon", "T", "ssm_T", "hold", "kappa"):
    glue(name, globals()[name])
grid = exp_sums.delta_grid(delta_floor, n_deltas)
fits = {k: cache.cached("stable_reparameterisation.fit", dict(
    memory=m.name, widths=widths, grid=[delta_floor, n_deltas]),
    lambda m=m: exp_sums.fits(m, widths, grid)) for k, m in mems.items()}

# %%
def run_cell(family, pname, kind):
    g = stream(seed, "cell", family, pname, kind)
    key = dict(family=family, pname=pname, kind=kind, seed=seed, widths=widths,
               betas=log_betas + [n_betas], n=n_samples, grid=[delta_floor, n_deltas],
               memory=mems[kind].name)

    def compute():
        return curves.family_curve(F.FAMILIES[family], pname, mems[kind], fits[kind],
                                   widths, betas, n_samples, g)
    return cache.cached("stable_reparameterisation.cell", key, compute)


cells = {(f, p, k): run_cell(f, p, k) for f, p in ROWS for k in KINDS}
for c in cells.values():                                     # com.stability.verdict
    c.update(verdict.judge(betas, c["E"], c["E0"], tolerance, shrink))

# %%
LABEL = {f: F.FAMILIES[f].label for f, _ in ROWS}


def authors(family, pname, kind):                      # the seed README's table
    return "stable" if kind == "exponential" or pname != "direct" else "unstable"


rows = []
for family, pname in ROWS:
    row = {"model": LABEL[family], "parameterisation": pname}
    for kind in KINDS:
        c = cells[(family, pname, kind)]
        r0, r1 = float(c["radius"][c["first"]]), float(c["radius"][-1])
        row[f"{kind}: beta* (m first -> max)"] = f"{r0:.2g} -> {r1:.2g}"
        row[kind] = c["verdict"]
        row[f"{kind} (README)"] = authors(family, pname, kind)
    rows.append(row)
table = pd.DataFrame(rows).set_index(["model", "parameterisation"])
table

# %%
agree = {(f, p, k): table.loc[(LABEL[f], p), k] == authors(f, p, k)
         for f, p in ROWS for k in KINDS}
n_agree, n_cells = sum(agree.values()), len(agree)
disagree = [f"{LABEL[f]} / {p} / {k} memory"
            for (f, p, k), ok in agree.items() if not ok]
glue("n_agree", n_agree)
glue("n_cells", n_cells)
glue("disagreements", "; ".join(disagree) if disagree else "none")
ratio_direct = {f: cells[(f, p, "polynomial")]["ratio"]
                for f, p in ROWS if p == "direct"}
ratio_stable = {(f, p): cells[(f, p, "polynomial")]["ratio"] for f, p in ROWS
                if p != "direct"}
glue("ratio_direct_max", max(ratio_direct.values()))
glue("ratio_stable_min", min(ratio_stable.values()))
E0 = cells[ROWS[0] + ("polynomial",)]["E0"]
glue("e0_pol", f"{float(E0[0]):.2g} to {float(E0[-1]):.2g}")
print(f"agreement with the README: {n_agree} of {n_cells}; "
      f"differ: {disagree or 'none'}")

# %%
fig, axes = plotting.subplots(2, height=1.5 * plotting.HEIGHT)
for ax, kind in zip(axes, KINDS):
    for (family, pname), col in zip(ROWS, plotting.colors(len(ROWS))):
        ax.loglog(widths, cells[(family, pname, kind)]["radius"],
                  "o-" if pname == "direct" else "s--", color=col,
                  label=f"{LABEL[family]}, {pname}")
    plotting.label(ax, "width $m$", r"stability radius $\beta^*_m$",
                   f"{kind} memory", legend=False)
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=4,
           fontsize="x-small")
glue("fig_radii", plotting.finish(fig))

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
# Stability radius $\beta^*_m$ over the infinite horizon against width, for
# exponential (left) and polynomial (right) memory. Circles: direct
# parameterisation; squares: a stable reparameterisation.
# ```
#
# On polynomial memory, where $E_m(0)$ falls from {glue:text}`e0_pol` over the
# widths, the radius of every direct row falls by a factor of at least
# $1/${glue:text}`ratio_direct_max:.2g` over the approximating widths: it follows the
# slowest mode to the edge. With a stable reparameterisation the ratio is at least
# {glue:text}`ratio_stable_min:.2g`: the same approximants, the same slowest modes,
# but a perturbation of $w$ now rescales their distance to the edge instead of
# shifting it.
#
# Two rows of the README need a word. The README's "linear recurrent unit: unstable"
# cannot refer to the LRU as published, whose eigenvalues are $\exp(-e^{\nu})$: that
# map is a stable reparameterisation (the discrete counterpart of exp, as the paper's
# section 3.4 says), and our "lru" row treats it as one; our "LRU-style, direct" row
# is the same recurrence with eigenvalues trained directly, and that is the row we
# compare with the README's. The README's "state-space model" row comes, in the
# authors' code, from a residual RNN whose nonlinearity sits inside the recurrence;
# our SSM rows are SSMs with layer-wise nonlinearity as in {cite}`wang2023statespace`,
# and the tanh RNNs of the previous chapter stand for the other reading.
#
# What a stable reparameterisation cannot do: bring long memory within reach of a
# finite model. The approximation error $E_m(0)$ is the same for every row (the same
# approximants), and to reach lag $t$ an eigenvalue must come within about $1/t$ of
# the edge, with $f = -e^w$ at $w \approx -\ln t$. The papers' statement is about
# stability, $\beta^*$ not shrinking; the curse of memory in approximation (width
# growing fast with the memory) is untouched by any $f$.
#
# ## A vanilla RNN with and without a stable parameterisation
#
# The perturbation-error curves behind one row pair of the table: dense RNNs
# $A = Q\,\mathrm{diag}(f(w))\,Q^\top$ on polynomial memory, with $f(w) = w$ and with
# the stable "best" $f$. The README draws this pair for a nonlinear vanilla RNN. Run
# the dense recurrence with hardtanh inside, $h_{k+1} = h_k + \sigma(W h_k + U x_k)$,
# $W = A - I$, $U = (I - A)\,b/\kappa$, $\hat y = \kappa c^\top h$ ($\kappa$ =
# `kappa`, `com.models.families`, the family's `rnn`). While $\sigma$ acts as the identity
# its state is the linear state over $\kappa$. In the eigenbasis, mode $i$ of the
# linear state is a geometric series driven by $\delta_i (q_i^\top b) x_k$, so for
# $|x| \le 1$ its pre-activation is bounded over all time
# (`com.stability.linearisation.preactivation`) and $|Wh + Ux|_\infty \le |Wh + Ux|_2$ is at
# most the 2-norm of those bounds over $\kappa$. Over every perturbed model of finite
# error that the vanilla cells evaluate (the sampled directions, the same ones the
# curves are drawn from) that norm is at most {glue:text}`z_van:.2f` times
# $1/\kappa$: with $\kappa$ = {glue:text}`kappa` no pre-activation ever leaves
# $[-1, 1]$, the dense hardtanh RNN *is* the linear one over all time, and the curves
# below are its curves, exactly. Its weights stay bounded uniformly in $m$
# ($|b|_2^2 = \sum_i g_i/\delta_i$, the kernel's $\ell^1$ mass). Simulated for
# 256 steps on held inputs, perturbed at their radius, the hardtanh RNNs match the
# linear RNNs and the kernels to within {glue:text}`van_gap:.2g` (relative).

# %%
van = F.FAMILIES["vanilla"]
z_van = max(float(cells[("vanilla", p, k)]["z"].max()) for p in ("direct", "best")
            for k in KINDS)
x_van = memory.held_inputs((4, 256), hold, stream(seed, "vanilla inputs")).clamp(-1, 1)


def realised_gap(pname, i, m):               # one model, perturbed at its radius
    g = stream(seed, "vanilla rnn", pname, m)
    fit = fits["polynomial"]
    p = van.build(fit["delta"][i, :m], fit["g"][i, :m], pname, g)
    d = perturbations.family_directions(p, van.recurrent, 1, g)[-1]     # a random one
    beta = float(cells[("vanilla", pname, "polynomial")]["radius"][i])
    p = {k: p[k] + beta * d[k] if k in d else p[k] for k in p}
    return F.realised_gap(van, p, pname, kappa, x_van)


van_gap = max(realised_gap(p, i, m) for p in ("direct", "best")
              for i, m in enumerate(widths))
glue("z_van", z_van)
glue("van_gap", bound(van_gap, 1e-12))         # round-off

# %%
fig, axes = plotting.subplots(2, sharey=True)
for ax, pname in zip(axes, ("direct", "best")):
    c = cells[("vanilla", pname, "polynomial")]
    for m, e, col in zip(widths, c["E"], plotting.sequential(len(widths))):
        ax.loglog(betas, e.clamp(max=1e3), color=col, label=f"$m={m}$")
    ax.axhline(1.0, color="grey", ls=":", lw=1)
    plotting.label(ax, r"perturbation radius $\beta$", r"relative error $E_m(\beta)$",
                   f"vanilla RNN (hardtanh), {pname}")
glue("fig_vanilla", plotting.finish(fig))

# %% [markdown]
# ```{glue:figure} fig_vanilla
# :name: fig-vanilla
# Perturbation error $E_m(\beta)$ over the infinite horizon (relative, clipped at
# $10^3$; infinite past the edge) of dense RNNs $A = Q\,\mathrm{diag}(f(w))Q^\top$,
# linear or with hardtanh inside (the same curves where finite, derived above; past
# the edge the linear model's error is infinite, the hardtanh one's is not derived),
# on polynomial memory, $f(w) = w$ (left) and $f$ = discrete "best" (right), per
# width (colour), against the perturbation $\beta$ (log axes). Dotted: the error of
# the zero model.
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
# `com.training.learning_rates.train_at_rates`), and record the final loss and the largest
# $|\partial L/\partial w| / |w|$ seen during training. A run *trains* if its final
# loss is finite and below a tenth of its initial loss.

# %%
CONT = ("direct", "exp", "softplus", "best")
lrs = torch.logspace(*lr_range, n_lrs)                                       # (L,)
lr_task = make_task("diagonal", "polynomial", horizon, T, n_data, gen, omega=omega)
sweep = {p: cache.cached("stable_reparameterisation.lr", dict(
    p=p, m=lr_width, lrs=lr_range + [n_lrs], R=lr_repeats, steps=lr_steps, seed=seed,
    horizon=horizon, omega=omega), lambda p=p: learning_rates.train_at_rates(
    lr_task, p, lr_width, lrs, lr_repeats, lr_steps,
    torch.Generator().manual_seed(seed + 7)))
    for p in CONT}
trains = {p: (torch.isfinite(s["loss"]) & (s["loss"] < 0.1 * s["initial"])).all(dim=1)
          for p, s in sweep.items()}                 # (L,) every repeat
n_ok = {p: int(ok.sum()) for p, ok in trains.items()}
ratio = {p: float(s["ratio"].nan_to_num(float("inf")).median())
         for p, s in sweep.items()}
print(pd.DataFrame({"learning rates that train": n_ok,
                    "median max |grad|/|w|": ratio}).to_string())
for name, val in (("lr_width", lr_width), ("lr_lo", lr_range[0]),
                  ("lr_hi", lr_range[1]),
                  ("lr_repeats", lr_repeats), ("n_lrs", n_lrs)):
    glue(name, val)

# %%
fig, axes = plotting.subplots(2)
for p, col in zip(CONT, plotting.colors(len(CONT))):
    rel = (sweep[p]["loss"] / sweep[p]["initial"]).nan_to_num(1e6).clamp(max=1e6)
    axes[0].loglog(lrs, rel.median(dim=1).values, "o-", color=col, label=p)
    top = sweep[p]["ratio"].nan_to_num(1e12).clamp(max=1e12)
    axes[1].loglog(lrs, top.median(dim=1).values,
                   "o-", color=col, label=p)
axes[0].axhline(0.1, color="grey", ls=":", lw=1)
plotting.label(axes[0], "learning rate", "final / initial loss (median)",
               "diverged: 1e6")
plotting.label(axes[1], "learning rate", r"max $|\partial L/\partial w|/|w|$ (median)")
glue("fig_lr", plotting.finish(fig))
for p in CONT:
    glue(f"n_ok_{p}", n_ok[p])
    glue(f"ratio_{p}", ratio[p])

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
def train_ssm(family, pname, kind):
    g = stream(seed, "ssm", family, pname, kind)
    task = make_task(family, kind, horizon, ssm_T, n_data, g, omega=omega, hold=hold)
    key = dict(family=family, pname=pname, kind=kind, seed=seed, widths=ssm_widths,
               n=n_models, steps=ssm_steps, lr=lr, T=ssm_T, data=n_data, omega=omega,
               hold=hold)
    params, _ = cache.cached("stable_reparameterisation.ssm", key,
                                 lambda: train_family(task, pname, ssm_widths,
                                                      n_models, ssm_steps, lr, g))
    return {"task": task, "params": params}

ssm_cells = {(f, p, k): train_ssm(f, p, k) for f, p in ROWS if f.startswith("ssm")
             for k in KINDS}

# %%
probe_T = 4 * ssm_T
mags = torch.tensor([0.1, 0.5, 1.0, 2.0])
lag = torch.arange(1, probe_T, dtype=torch.float64)      # (probe_T - 1,)


def ssm_probe(family, pname, params):                  # Heaviside memory, (S, T - 1)
    with torch.no_grad():
        return memory.probe(
            lambda x: F.family_outputs(family, pname, params, x[..., 0]), mags, probe_T)


ssm_mem = {key: ssm_probe(key[0], key[1], c["params"])
           for key, c in ssm_cells.items()}                         # (S, probe_T - 1)

# %%
tail = lag >= probe_T // 2
rates = {key: [laws.decay_rate(lag[tail], M[tail], unresolved=np.inf)  # gone below
              for M in Ms] for key, Ms in ssm_mem.items()}            # the floor: inf
end_ratio = max(float((Ms[:, -1] / Ms.amax(dim=1)).max()) for Ms in ssm_mem.values())
target_end = float(memory.polynomial(omega).kernel(lag[-1:])
                   / memory.polynomial(omega).kernel(lag[:1]))
# the rate a model that had learned the power law would show over the same lags
target_rate = laws.decay_rate(lag[tail], memory.polynomial(omega).kernel(lag[tail]))
# Only a stable reparameterisation keeps every eigenvalue inside the unit disc; a
# direct SSM may train past the edge, where nothing forces its memory to decay.
min_rate = min(min(r) for (f, p, k), r in rates.items() if p != "direct")
min_rate_direct = min(min(r) for (f, p, k), r in rates.items() if p == "direct")
glue("probe_T", probe_T)
glue("ssm_min_rate", min_rate)
glue("ssm_min_rate_direct", min_rate_direct)
glue("ssm_end_ratio", end_ratio)
glue("target_end_ratio", target_end)

# %%
fig, axes = plotting.subplots(2, sharey=True)
for ax, kind in zip(axes, KINDS):
    keys = [(f, p, kind) for f, p in ROWS if f.startswith("ssm")]
    for key, col in zip(keys, plotting.colors(len(keys))):
        ax.semilogy(lag, ssm_mem[key][-1].clamp_min(1e-16), color=col,
                    label=f"{LABEL[key[0]]}, {key[1]}")
    ax.semilogy(lag, memory.polynomial(omega).kernel(lag), "k:", lw=1,
                label="polynomial target")
    plotting.label(ax, "lag $t$ (steps)", "memory function $M(t)$",
                   f"trained on {kind} memory")
glue("fig_ssm_memory", plotting.finish(fig))

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
# Every cell of the table is a verdict over the infinite horizon, and the claims
# below read the table: they hold at full scale for seeds 0 to 3 (the seed draws the
# random perturbation directions and the vanilla RNN's eigenbasis; the approximants
# are the same for every seed), and any seed can be checked with the sweep.

# %%
ORDER = [(("continuous", "exp"), ("continuous", "direct")),       # a below b everywhere
         (("continuous", "softplus"), ("continuous", "direct")),
         (("continuous", "best"), ("continuous", "exp")),
         (("continuous", "best"), ("continuous", "softplus")),
         (("discrete", "best"), ("discrete", "lru")),
         (("discrete", "best"), ("discrete", "sigmoid")),
         (("discrete", "lru"), ("discrete", "direct"))]
order = all(bool((scales[a] < scales[b]).all()) for a, b in ORDER)
claims.check("scale-ordering",
             "near the edge, gradient scales order direct > exp, softplus "
             "(lru, sigmoid) > best, with slopes -2, -1, -1/2 (within 0.1)",
             order and abs(slopes[("continuous", "direct")] + 2) < 0.1
             and abs(slopes[("continuous", "exp")] + 1) < 0.1
             and abs(slopes[("continuous", "best")] + 0.5) < 0.1, "slopes {slopes}",
             slopes=items({f"{k[0][:4]} {k[1]}": s for k, s in slopes.items()},
                          "{k} {v:.2f}"), kind="check")

# %%
def ratios(rows, kind):                     # "family/pname ratio" for the evidence
    return items({f"{f}/{p}": cells[(f, p, kind)]["ratio"] for f, p in rows},
                 "{k} {v:.2g}")


def said(rows, kind):                                  # the verdicts of those rows
    return {cells[(f, p, kind)]["verdict"] for f, p in rows}


stable_rows = [(f, p) for f, p in ROWS if p != "direct"]
direct_rows = [(f, p) for f, p in ROWS if p == "direct"]
claims.check("exp-stable", "every family, with or without a stable reparameterisation, "
             "is stable on exponential memory", said(ROWS, "exponential") == {"stable"},
             "beta* ratio: {ratios}", ratios=ratios(ROWS, "exponential"), kind="paper")

# %%
claims.check("reparam-stable", "with a stable reparameterisation, every family "
             "approximates polynomial memory stably (beta* does not shrink with m)",
             said(stable_rows, "polynomial") == {"stable"}, "beta* ratio: {ratios}",
             ratios=ratios(stable_rows, "polynomial"), kind="paper")
claims.check("direct-unstable", "without one, every family (diagonal, vanilla, "
             "LRU-style, SSM with 1 and 2 layers) is unstable on polynomial memory",
             said(direct_rows, "polynomial") == {"unstable"}, "beta* ratio: {ratios}",
             ratios=ratios(direct_rows, "polynomial"), kind="paper")
claims.check("readme-table", "the computed table agrees with the authors' README in "
             "every cell (its LRU row read as our direct LRU-style row, explained "
             "above)", n_agree == n_cells,
             "{n_agree} of {n_cells} cells agree; differ: {differ}", n_agree=n_agree,
             n_cells=n_cells,
             differ=str(disagree) if disagree else "none", kind="check")
claims.check("vanilla-hardtanh", "the dense hardtanh RNNs of the vanilla rows equal "
             "the linear ones over all time (pre-activations within [-1, 1]; "
             "simulated to 1e-10)", z_van <= kappa and van_gap <= 1e-10,
             "largest pre-activation bound {z:.2f}; simulated gap <= {gap:.2g}",
             z=z_van / kappa, gap=bound(van_gap, 1e-12), kind="check")

# %%
claims.check("lr-best-widest", "'best' trains over the widest range of learning rates "
             "(at least as wide as any, strictly wider than direct)",
             n_ok["best"] >= max(n_ok.values()) and n_ok["best"] > n_ok["direct"],
             "learning rates that train: {n_ok}", n_ok=items(n_ok, "{k} {v}"),
             kind="paper")
claims.check("lr-best-ratio",
             "'best' keeps the smallest max |grad|/|w| during training",
             ratio["best"] <= min(ratio.values()), "median max |grad|/|w|: {ratio}",
             ratio=items(ratio, "{k} {v:.3g}"), kind="paper")
claims.check("ssm-exponential", "SSMs with layer-wise nonlinearity and a stable "
             "reparameterisation forget exponentially, even when trained on polynomial "
             "memory (tail rate above the power law's own over the same lags)",
             min_rate > target_rate,
             "min fitted tail rate {rate:.3g}/step (direct: {direct:.3g}; the power "
             "law: {law:.3g}); M(end)/max M <= {end:.2g} (polynomial target: "
             "{target:.2g})",
             rate=min_rate, direct=min_rate_direct, law=target_rate, end=end_ratio,
             target=target_end, kind="paper")
claims.finish()

