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
# # Linear functional approximation
#
# This chapter reproduces the approximation half of {cite}`li2021` (long version
# {cite}`li2022jmlr`): linear RNNs approximate every linear functional with
# decaying memory, at a rate that is fast when the memory decays exponentially and
# catastrophically slow when it decays polynomially: the *curse of memory in
# approximation*. Every figure below is recomputed when the page is built, and every
# claim of the paper that the chapter states is checked at the end.
#
# {{ reproduce_linear_approximation }}

# %% tags=["parameters"]
seed: int = 0                             # random seed (initial decay rates in sec. 4)
strict: bool = True                       # a claim that does not reproduce raises
widths: list[int] = [2, 4, 8, 16, 32, 64, 128]  # widths m of the fixed-rate fits
betas: list[float] = [0.25, 0.5, 1.0, 2.0]  # decay rates of exponential-memory targets
omegas: list[float] = [0.1, 0.25, 0.5, 1.0]  # polynomial memory (1+t)^-(1+omega)
eps: float = 0.5                          # relative error for "width needed"
horizon: float = 10000.0                  # longest lag on the grid
train_widths: list[int] = [2, 4, 8, 16, 32]  # widths of the trained RNNs
train_models: int = 4                     # trained RNNs per width (seeds)
train_steps: int = 3000                   # Adam steps per RNN
lr: float = 0.02                          # Adam learning rate

# %% tags=["hide-input"]
import numpy as np
import torch

from bookkit import cache, plotting
from bookkit.chapter import progress, start
from bookkit.chapters.linear_approximation import Params
from bookkit.claims import Claims, glue
from bookkit.evidence import items
from com import memory
from com.approximation import fixed_rates, grids, laws
from com.training import loop

params, gen = start(globals(), Params)
claims = Claims(strict=strict)

# %% [markdown]
# ## The setting: memory is a kernel
#
# An input is a continuous signal $x_t \in \mathbb{R}^d$ that vanishes in the far
# past. A target is a family of functionals $H = \{H_t\}$, one per output time. When
# each $H_t$ is linear, continuous, causal (it sees only $x_s$, $s \le t$), regular
# and time-homogeneous (shifting the input shifts the output), the Riesz
# representation theorem writes it as a convolution,
#
# $$
# H_t(x) = \int_0^\infty \rho(s)^\top x_{t-s}\, \mathrm{d}s, \qquad
# \sup_t \|H_t\| = \|\rho\|_{L^1}.
# $$
#
# The kernel $\rho$ *is* the target's memory: $\rho(s)$ says how much the input $s$
# time units ago still matters. A continuous-time linear RNN of width $m$,
# $\dot h_t = W h_t + U x_t$, $\hat y_t = c^\top h_t$ with $h_{-\infty} = 0$, solves to
# the same form with kernel
#
# $$
# \hat\rho(s) = c^\top e^{W s} U .
# $$
#
# For diagonalisable $W$ with real eigenvalues $-w_1, \dots, -w_m$ this is an
# exponential sum $\hat\rho(s) = \sum_i c_i e^{-w_i s}$. Approximating $H$ uniformly
# over inputs with $\|x\|_\infty \le 1$ is therefore the same problem as approximating
# $\rho$ in $L^1$ by exponential sums, and that is what this chapter computes
# (`com.models.kernels.diagonal_kernel`, `com.approximation.fixed_rates.l1_error`). We take $d = 1$.
#
# ```{prf:theorem} Universal approximation
# :label: thm-universal
# (Li, Han, E and Li {cite}`li2021`.)
# For every continuous, bounded, causal, regular, time-homogeneous linear functional
# $H$ and every $\epsilon > 0$ there is a linear RNN $\hat H$ with
# $\sup_t \|H_t - \hat H_t\| \le \epsilon$.
# ```
#
# Two kinds of memory run through the book: **exponential**, $\rho(t) \sim e^{-\beta t}$,
# and **polynomial**, $\rho(t) = (1+t)^{-(1+\omega)}$, which is integrable for every
# $\omega > 0$ but whose memory lengthens without bound as $\omega \to 0$. For the
# exponential kind we use $\rho(t) = e^{-\beta t}/(1+t)$ rather than $e^{-\beta t}$:
# since $1/(1+t) = \int_0^\infty e^{-s} e^{-st}\,\mathrm{d}s$ it mixes every rate
# $\ge \beta$, so no finite exponential sum represents it exactly and the
# approximation rate is not trivial.

# %%
t = grids.lag_grid(horizon)                   # (T,) lags, fine then geometric
exp_targets = torch.stack([memory.exponential_mixture(b).kernel(t) for b in betas])
pol_targets = torch.stack([memory.polynomial(w).kernel(t) for w in omegas])  # (O, T)
pol_tails = [memory.polynomial(w).tail(horizon) for w in omegas]      # beyond the grid

fig, (ax,) = plotting.subplots()
for b, rho, col in zip(betas, exp_targets, plotting.colors(len(betas))):
    ax.loglog(t[1:], rho[1:], color=col, label=fr"$e^{{-{b:g}t}}/(1+t)$")
for w, rho, col in zip(omegas, pol_targets, plotting.sequential(len(omegas))):
    ax.loglog(t[1:], rho[1:], color=col, ls="--", label=fr"$(1+t)^{{-{1 + w:g}}}$")
ax.set_ylim(1e-12, 2)
plotting.label(ax, "lag $t$ (time units)", r"memory $\rho(t)$", ncol=2)
glue("fig_memories", plotting.finish(fig))

# %% [markdown]
# ```{glue:figure} fig_memories
# :name: fig-memories
# The targets' memories on log-log axes. Exponential memories (solid) fall off a cliff;
# polynomial memories (dashed) are straight lines that still carry weight at lag
# $10^4$, the more so the smaller $\omega$.
# ```
#
# ## Exponential memory: a Jackson-type rate
#
# ```{prf:theorem} Jackson-type rate
# :label: thm-jackson
# (Li, Han, E and Li {cite}`li2021`.)
# Let $y(t) = H_t(\mathbf{1}_{t \ge 0})$ be the step response of $H$ (so $y' = \rho$).
# If $y \in C^{\alpha+1}$ for an integer $\alpha \ge 1$, and for some $\beta, \gamma > 0$
# and $k = 1, \dots, \alpha+1$: $e^{\beta t} y^{(k)}(t) \to 0$ and
# $\sup_t |e^{\beta t} y^{(k)}(t)| / \beta^k \le \gamma$, then there is a linear RNN of
# width $m$ with
# $\sup_t \|H_t - \hat H_t\| \le C(\alpha)\, \gamma d / (\beta m^\alpha)$.
# ```
#
# The rate is a power of $m$, and its constant grows as the decay rate $\beta$
# shrinks. We check both on the fixed rate basis $\{e^{-kt} : k = 1, \dots, m\}$, the
# basis of the authors' own figure {cite}`wang2024inverse`: with $u = e^{-t}$ it is
# the space of polynomials of degree $m$ in $u$ vanishing at $u = 0$, and a
# least-squares fit in $L^2(\mathrm{d}t)$ on it (`com.approximation.fixed_rates.fit_fixed_rates`,
# solved in a Legendre basis for conditioning) gives an upper bound on the best $L^1$
# error that width $m$ can reach with these rates. Errors are relative to $\|\rho\|_{L^1}$.

# %%
exp_err = fixed_rates.fixed_rate_errors(t, exp_targets, widths)           # (B, M)
exp_fits = [laws.power_law_fit(widths, e) for e in exp_err]  # (p, log C, R^2)
exp_rates = [p for p, _, _ in exp_fits]
exp_r2 = [r2 for _, _, r2 in exp_fits]
for b, (p, logc, r2) in zip(betas, exp_fits):
    print(f"beta={b:g}: error ~ {np.exp(logc):.3g} m^-{p:.3g}   (R^2 = {r2:.3f})")

fig, axes = plotting.subplots(2)
colors = plotting.colors(len(betas))
for b, e, (p, logc, _), col in zip(betas, exp_err, exp_fits, colors):
    axes[0].loglog(widths, e, "o-", color=col, label=fr"$\beta={b:g}$: rate {p:.2f}")
    plotting.loglog_fit_line(axes[0], widths, -p, logc, color=col)
axes[1].semilogy(betas, exp_err[:, -1], "o-", color=plotting.colors(1)[0])
plotting.label(axes[0], "width $m$", r"relative $L^1$ error",
               "error vs width (dashed: power-law fit)")
plotting.label(axes[1], r"decay rate $\beta$ (1/time)",
               fr"relative $L^1$ error at $m={widths[-1]}$",
               "smaller $\\beta$, larger error")
glue("fig_jackson", plotting.finish(fig))

# %%
glue("exp_slowest_rate", min(exp_rates))
glue("exp_fastest_rate", max(exp_rates))
glue("exp_min_r2", min(exp_r2))
glue("exp_smallest_beta", betas[0])
glue("exp_largest_beta", betas[-1])
glue("exp_err_ratio", exp_err[0, -1] / exp_err[-1, -1])
glue("m_max", widths[-1])

# %% [markdown]
# ```{glue:figure} fig_jackson
# :name: fig-jackson
# Left: relative $L^1$ error of width-$m$ fixed-rate fits to $e^{-\beta t}/(1+t)$;
# straight lines on log-log axes are power laws (dashed: least-squares fits). Right:
# the error at the largest width grows as the memory's decay rate $\beta$ shrinks.
# ```
#
# Every exponential-memory target is approximated at a power-law rate: the fitted
# exponents range from {glue:text}`exp_slowest_rate:.2f` (for
# $\beta =$ {glue:text}`exp_smallest_beta`) to {glue:text}`exp_fastest_rate:.2f`
# (for $\beta =$ {glue:text}`exp_largest_beta`), every fit with $R^2 \ge$
# {glue:text}`exp_min_r2:.3f`. At width {glue:text}`m_max` the error for the
# slowest decay is {glue:text}`exp_err_ratio:.3g` times that for the fastest: the
# constant of {prf:ref}`thm-jackson` grows as $\beta$ shrinks, and on this fixed basis
# the exponent degrades with it, since in the variable $u$ the target behaves like
# $u^\beta$, whose polynomial approximation converges like a power of $m$ set by $\beta$.
#
# ## Polynomial memory: the curse of memory in approximation
#
# For $\rho(t) = (1+t)^{-(1+\omega)}$ the hypotheses of {prf:ref}`thm-jackson` fail
# for every $\beta > 0$, and the theorem gives no rate. What happens instead can be
# derived in two lines. A polynomial of degree $m$ in $u = e^{-t}$ resolves $u$ only
# down to about $m^{-2}$ (the spacing of Chebyshev nodes at an end of the interval),
# that is lags up to $t \approx 2 \ln m$; the memory beyond is missed, and it is a
# fraction $(1 + 2\ln m)^{-\omega}$ of the whole. So the relative error should follow
#
# $$
# \mathrm{err}(m) \approx (1 + a \ln m)^{-\omega}, \quad a \approx 2,
# \qquad\text{hence}\qquad
# m(\epsilon) \approx \exp\!\big((\epsilon^{-1/\omega} - 1)/a\big).
# $$
#
# The width needed for accuracy $\epsilon$ grows like $\exp(\epsilon^{-1/\omega}/a)$:
# exponentially in $\epsilon^{-1/\omega}$, itself a power that explodes as the memory
# lengthens. {cite:t}`li2021` state the curse as a width growing like a power of
# $\epsilon^{-1/\omega}$ for their construction; we have not checked that count
# against the paper's proof and do not rely on it. We check the log law numerically,
# with $a$ fitted rather than assumed (`com.approximation.laws.fit_log_law`).

# %%
pol_err = fixed_rates.fixed_rate_errors(t, pol_targets, widths, pol_tails)   # (O, M)
law_a = [laws.fit_log_law(widths, e, w) for e, w in zip(pol_err, omegas)]
big = np.asarray(widths) >= 8
law_dev = [float(np.max(np.abs(
               e[big] / laws.log_law(np.asarray(widths)[big], w, a) - 1)))
           for e, w, a in zip(pol_err, omegas, law_a)]
measured_m = [laws.first_width_below(widths, e, eps) for e in pol_err]
predicted_m = [laws.width_for_error(eps, w, a) for w, a in zip(omegas, law_a)]
width_needed = [float(mm) if mm is not None else pm
                for mm, pm in zip(measured_m, predicted_m)]
for w, a, dev, mm, pm in zip(omegas, law_a, law_dev, measured_m, predicted_m):
    measured = mm if mm else "> " + str(widths[-1])
    print(f"omega={w:g}: a = {a:.3g}, max deviation from law {dev:.1%}, "
          f"width for eps: measured {measured}, law {pm:.3g}")

# %%
fig, axes = plotting.subplots(2)
for w, e, a, col in zip(omegas, pol_err, law_a, plotting.sequential(len(omegas))):
    axes[0].semilogx(widths, e, "o", color=col, label=fr"$\omega={w:g}$")
    axes[0].semilogx(widths, laws.log_law(widths, w, a), "--", color=col, lw=1)
finite = [(w, m) for w, m in zip(omegas, width_needed) if np.isfinite(m)]
axes[1].semilogy([w for w, _ in finite], [m for _, m in finite], "o-",
                 color=plotting.colors(1)[0])
axes[1].axhline(widths[-1], color="grey", ls=":", lw=1,
                label=f"largest width fitted ({widths[-1]})")
plotting.label(axes[0], "width $m$", r"relative $L^1$ error",
               "error vs width (dashed: log law)")
plotting.label(axes[1], r"memory exponent $\omega$", fr"width needed for error {eps:g}",
               "width needed explodes as $\\omega \\to 0$")
glue("fig_curse", plotting.finish(fig))

# %%
glue("eps", eps)
glue("law_a_min", min(law_a))
glue("law_a_max", max(law_a))
glue("law_dev_max", 100 * max(law_dev))
glue("omega_max", omegas[-1])
glue("omega_next", omegas[-2])
glue("pol_best_err", pol_err[-1, -1])
glue("pol_worst_err", pol_err[0, -1])
glue("omega_min", omegas[0])
glue("exp_worst_err", exp_err[:, -1].max())
glue("widths_needed", ", ".join(f"{m:.3g}" for m in width_needed))
glue("omegas_list", ", ".join(f"{w:g}" for w in omegas))

# %% [markdown]
# ```{glue:figure} fig_curse
# :name: fig-curse
# Left: relative $L^1$ error of fixed-rate fits to $(1+t)^{-(1+\omega)}$ (dots, note
# the logarithmic width axis) against the log law $(1 + a\ln m)^{-\omega}$ with $a$
# fitted (dashed). Right: the width needed for relative error $\epsilon$, measured where
# the sweep reaches it and read off the fitted law beyond (above the dotted line);
# values past floating-point range are omitted.
# ```
#
# The law fits: the fitted constants $a$ lie between {glue:text}`law_a_min:.2f` and
# {glue:text}`law_a_max:.2f`, close to the derived $a \approx 2$, and the measured
# errors stay within {glue:text}`law_dev_max:.1f`% of it for $m \ge 8$. At width
# {glue:text}`m_max` the error is still {glue:text}`pol_worst_err:.2f` for
# $\omega =$ {glue:text}`omega_min` (and {glue:text}`pol_best_err:.3f` for
# $\omega =$ {glue:text}`omega_max`), against at most {glue:text}`exp_worst_err:.2g`
# for every exponential memory in {numref}`fig-jackson`. For error
# $\epsilon =$ {glue:text}`eps` the widths needed for $\omega =$ {glue:text}`omegas_list`
# are {glue:text}`widths_needed`: halving $\omega$ from {glue:text}`omega_max` to
# {glue:text}`omega_next` costs little, and each further step down multiplies the width
# by orders of magnitude, far beyond any network built on this basis. That is the
# curse of memory in approximation for a fixed basis; free rates do far better, at
# a price the next section names.
#
# ## Trainable rates: buying accuracy at the edge of stability
#
# The fixed basis is a choice, and a poor one for long memory. Power laws are
# *completely monotone* (mixtures of exponentials), so exponential sums whose rates
# are free and spread over many scales approximate them far better. We train
# width-$m$ diagonal RNNs $\hat\rho(t) = \sum_i c_i e^{-w_i t}$, $w_i = e^{\theta_i}$, by
# Adam on the white-noise loss $\int_0^{T} (\rho - \hat\rho)^2\,\mathrm{d}t$ (the
# $L^2$ distance of kernels, exact for white-noise inputs, see the chapter on
# gradient plateaus; `com.training.loss.white_noise_loss` with trapezoid weights), from rates
# drawn uniformly in $[0.5, 2]$ and zero output weights. Then we look at the smallest
# learned rate $\min_i w_i$: the eigenvalue of $W$ closest to the edge of stability.

# %%
weights = grids.quadrature_weights(t)                                   # (T,) trapezoid
trained_targets = {"exponential": memory.exponential_mixture(1.0).kernel(t),
                   "polynomial": memory.polynomial(0.5).kernel(t)}
both = torch.stack(list(trained_targets.values()))                      # (2, T)
runs = [cache.cached(                       # both targets in one program per width
            "linear_approximation.train",
            dict(names=list(trained_targets), m=m, n=train_models, steps=train_steps,
                 lr=lr, seed=seed, horizon=horizon),
            lambda m=m: loop.fit_diagonal(t, both, weights, m, train_models,
                                              train_steps, lr, seed + m,
                                              on_step=progress(f"m={m}", train_steps)))
        for m in train_widths]
min_rate = {name: torch.stack([r["rates"][k].min(dim=-1).values for r in runs]).numpy()
            for k, name in enumerate(trained_targets)}         # name -> (W, models)

# %%
fig, (ax,) = plotting.subplots()
for (name, mr), col in zip(min_rate.items(), plotting.colors(2)):
    med = np.median(mr, axis=1)
    ax.loglog(train_widths, med, "o-", color=col, label=name + " memory (median)")
    ax.fill_between(train_widths, mr.min(1), mr.max(1), color=col, alpha=0.2)
ax.axhline(1.0, color="grey", ls=":", lw=1, label=r"exponential target's $\beta = 1$")
plotting.label(ax, "width $m$", r"smallest trained rate $\min_i w_i$ (1/time)")
glue("fig_rates", plotting.finish(fig))
exp_floor = float(min_rate["exponential"].min())
pol_first, pol_last = (float(np.median(min_rate["polynomial"][i])) for i in (0, -1))
glue("exp_min_rate", exp_floor)
glue("pol_rate_first", pol_first)
glue("pol_rate_last", pol_last)
glue("train_m_min", train_widths[0])
glue("train_m_max", train_widths[-1])

# %% [markdown]
# ```{glue:figure} fig_rates
# :name: fig-rates
# The smallest decay rate of trained diagonal RNNs against their width (median and
# range over the trained models). For polynomial memory $(1+t)^{-1.5}$ it heads to
# zero as the width grows; for exponential memory $e^{-t}/(1+t)$ it stays near the
# target's own decay rate.
# ```
#
# With free rates, the polynomial target is fitted by pushing the smallest rate down:
# its median falls from {glue:text}`pol_rate_first:.3g` at width
# {glue:text}`train_m_min` to {glue:text}`pol_rate_last:.3g` at width
# {glue:text}`train_m_max`, to reach ever longer lags. On the exponential target no
# trained rate goes below {glue:text}`exp_min_rate:.3g`: the memory itself sets a
# floor. An eigenvalue $-w$ close to $0$ is an RNN close to the edge of stability,
# and that is the price of long memory that the later chapters measure: such
# approximations do not survive small perturbations of their weights
# {cite}`wang2024inverse`, unless the recurrent weights are reparameterised
# {cite}`wang2023stablessm`.
#
# ## Claims and verdicts

# %%
claims.check("exp-power-law",
             "exponential memory: the error decays at least like a power of m",
             min(exp_rates) > 0.25 and min(exp_r2) >= 0.9,
             "fitted rates {rates}; min R^2 {r2:.3f}",
             rates=items(exp_rates, "{v:.2f}"), r2=min(exp_r2), kind="paper")
claims.check("exp-constant-grows",
             "the error grows as the decay rate beta shrinks (at every width m >= 4)",
             bool(np.all(np.diff(exp_err[:, np.asarray(widths) >= 4], axis=0) < 0)),
             "error at m={m}: {errors}", m=widths[-1],
             errors=items(exp_err[:, -1].tolist(), "{v:.2g}"), kind="paper")
claims.check("pol-log-law",
             "polynomial memory: error follows (1 + a ln m)^-omega "
             "(within 15% for m >= 8)", max(law_dev) <= 0.15,
             "a = {a}; max deviation {dev:.1%}", a=items(law_a, "{v:.2f}"),
             dev=max(law_dev), kind="paper")

# %%
claims.check("pol-width-explodes",
             f"the width for error {eps:g} grows fast as omega shrinks "
             "(x100 over the sweep)", bool(np.all(np.diff(width_needed) < 0))
             and width_needed[0] >= 100 * width_needed[-1],
             "widths {widths} for omega " + str(omegas),
             widths=items(width_needed, "{v:.3g}"), kind="paper")
claims.check("rates-to-zero",
             "smallest trained rate -> 0 with m for polynomial memory only",
             pol_last <= 0.5 * pol_first and exp_floor >= 0.5,
             "polynomial: {first:.3g} -> {last:.3g}; exponential: min {floor:.3g}",
             first=pol_first, last=pol_last, floor=exp_floor, kind="paper")
claims.finish()

