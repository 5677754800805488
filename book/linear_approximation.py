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
width_omegas: list[float] = [0.28, 0.3, 0.35, 0.4, 0.5, 1.0]  # measured-width omegas
max_width: int = 512                      # widest fixed-rate fit measured
horizon: float = 10000.0                  # longest lag of the training grid
train_widths: list[int] = [2, 4, 8, 16, 32]  # widths of the trained RNNs
train_models: int = 4                     # trained RNNs per width (seeds)
train_steps: int = 3000                   # Adam steps per RNN
lr: float = 0.02                          # Adam learning rate

# %% tags=["hide-input"]
import numpy as np
import torch

from bookkit import cache, plotting
from bookkit.chapter import progress, start, stream
from bookkit.chapters.linear_approximation import Params
from bookkit.claims import Claims, glue
from bookkit.evidence import items
from bookkit.margins import above, below, holds, least, within
from com import memory
from com.approximation import fixed_rates, grids, laws
from com.models import kernels
from com.training import loop, loss

params, _ = start(globals(), Params)
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
# (`com.models.kernels.diagonal_kernel`, `com.approximation.fixed_rates`). We take $d = 1$.
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
t = grids.lag_grid(horizon, n_fine=1000, n_coarse=1000)    # (T,) lags: fine, geometric
exp_mems = [memory.exponential_mixture(b) for b in betas]
pol_mems = [memory.polynomial(w) for w in omegas]
exp_targets = torch.stack([m.kernel(t) for m in exp_mems])                  # (B, T)
pol_targets = torch.stack([m.kernel(t) for m in pol_mems])                  # (O, T)

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
# The theorem bounds the *best* width-$m$ RNN, its rates free; its exponent $\alpha$ is
# the smoothness of the step response, and its constant grows as the decay rate
# $\beta$ shrinks. We look at width on the fixed rate basis
# $\{e^{-kt} : k = 1, \dots, m\}$: with $u = e^{-t}$ it is the space of polynomials of
# degree $m$ in $u$ vanishing at $u = 0$, and the least-squares fit in
# $L^2(\mathrm{d}t)$ on it gives an upper bound on the best $L^1$ error that width $m$
# can reach with these rates. We compute that fit exactly for every width at once: with
# $u = e^{-t}$, $\int_0^\infty fg\,\mathrm{d}t = \int_0^1 u\,p\,q\,\mathrm{d}u$ for
# $f = up$, $g = uq$, so the functions $\sqrt{2(n+1)}\,u\,P_n^{(0,1)}(2u - 1)$ (Jacobi
# polynomials) are an orthonormal basis, and the fit of width $m$ is the sum of the
# first $m$ projections (`com.approximation.fixed_rates`; integrals by Gauss-Legendre
# panels in $u$, the target's tail beyond $t = 44$ in closed form). Errors are
# relative to $\|\rho\|_{L^1}$.

# %%
exp_err = fixed_rates.fixed_rate_errors(exp_mems, widths)                # (B, M)
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
exp_scaled = [p / (2 * b) for p, b in zip(exp_rates, betas)]   # over the derived 2 beta
for key, val in dict(exp_slowest_rate=min(exp_rates), exp_fastest_rate=max(exp_rates),
                     exp_min_r2=min(exp_r2), exp_smallest_beta=betas[0],
                     exp_largest_beta=betas[-1], exp_scaled_lo=min(exp_scaled),
                     exp_scaled_hi=max(exp_scaled), m_max=widths[-1],
                     exp_err_ratio=exp_err[0, -1] / exp_err[-1, -1]).items():
    glue(key, val)

# %% [markdown]
# ```{glue:figure} fig_jackson
# :name: fig-jackson
# The book's own figure (the setting of {cite}`li2021`'s Jackson-type rate, on the
# fixed basis). Left: relative $L^1$ error of width-$m$ fixed-rate fits to
# $e^{-\beta t}/(1+t)$; straight lines on log-log axes are power laws (dashed:
# least-squares fits). Right: the error at the largest width grows as the memory's
# decay rate $\beta$ shrinks.
# ```
#
# Every exponential-memory target is approximated at a power-law rate: the fitted
# exponents range from {glue:text}`exp_slowest_rate:.2f` (for
# $\beta =$ {glue:text}`exp_smallest_beta`) to {glue:text}`exp_fastest_rate:.2f`
# (for $\beta =$ {glue:text}`exp_largest_beta`), every fit with $R^2 \ge$
# {glue:text}`exp_min_r2:.3f`. At width {glue:text}`m_max` the error for the
# slowest decay is {glue:text}`exp_err_ratio:.3g` times that for the fastest: the
# constant of {prf:ref}`thm-jackson` grows as $\beta$ shrinks.
#
# The exponent is not the theorem's $\alpha$: every $\alpha$ is available for this
# target, so the theorem promises a rate faster than any fixed power for the best
# width-$m$ RNN. On the fixed basis the exponent is set by the decay rate instead, and
# a short argument says which (a heuristic, not a proof). In $u = e^{-t}$ the target is
# $u^\beta/(1 - \ln u)$, and the fit of width $m$ is $u$ times a polynomial of degree
# below $m$. Near $u = 0$ such a polynomial resolves $u$ only down to about $m^{-2}$
# (the spacing of Chebyshev nodes at an end of $[0, 1]$), that is lags up to
# $t \approx 2\ln m$; what the target does beyond is missed, and it weighs
#
# $$
# \int_{2\ln m}^\infty \frac{e^{-\beta t}}{1+t}\,\mathrm{d}t
#   \approx \frac{m^{-2\beta}}{\beta\,(1 + 2\ln m)} .
# $$
#
# So the error falls like $m^{-2\beta}$, up to a logarithmic factor that steepens the
# fitted slope a little, most where $2\beta$ is small: the endpoint singularity
# $u^\beta$, not the smoothness, sets the rate. Measured, the fitted exponent is
# between {glue:text}`exp_scaled_lo:.2f` and {glue:text}`exp_scaled_hi:.2f` times
# $2\beta$.
#
# ## Polynomial memory: the curse of memory in approximation
#
# For $\rho(t) = (1+t)^{-(1+\omega)}$ the hypotheses of {prf:ref}`thm-jackson` fail
# for every $\beta > 0$, and the theorem gives no rate. The same heuristic as above (a
# heuristic, not a derivation) says what to expect on the fixed basis. A polynomial of
# degree $m$ in $u = e^{-t}$ resolves $u$ only down to about $m^{-2}$, that is lags up to
# $t \approx 2 \ln m$; the memory beyond is missed, and it is a fraction
# $(1 + 2\ln m)^{-\omega}$ of the whole. So the relative error should follow
#
# $$
# \mathrm{err}(m) \approx (1 + a \ln m)^{-\omega}, \quad a \approx 2,
# \qquad\text{hence}\qquad
# m(\epsilon) \approx \exp\!\big((\epsilon^{-1/\omega} - 1)/a\big),
# $$
#
# with the constant $a$ fitted, not derived (`com.approximation.laws.fit_log_law`).
# The width needed for accuracy $\epsilon$ would grow like $\exp(\epsilon^{-1/\omega}/a)$:
# exponentially in $\epsilon^{-1/\omega}$, itself a power that explodes as the memory
# lengthens. {cite:t}`li2021` state the curse as a width growing like a power of
# $\epsilon^{-1/\omega}$ for their construction; we have not checked that count
# against the paper's proof and do not rely on it. Nor do we rely on the law for the
# widths: we *measure* the width needed, the smallest $m$ whose fit reaches relative
# error $\epsilon$, for every $m$ up to `max_width` $=$ {glue:text}`max_width`
# (one recurrence gives every width's fit), at memories `width_omegas` near the edge of
# what that range can resolve.

# %%
pol_err = fixed_rates.fixed_rate_errors(pol_mems, widths)                 # (O, M)
law_a = [laws.fit_log_law(widths, e, w) for e, w in zip(pol_err, omegas)]
big = np.asarray(widths) >= 8
law_dev = [float(np.max(np.abs(
               e[big] / laws.log_law(np.asarray(widths)[big], w, a) - 1)))
           for e, w, a in zip(pol_err, omegas, law_a)]
every = np.arange(1, max_width + 1)                                # widths 1..max_width
measured = [laws.first_width_below(every, fixed_rates.errors(memory.polynomial(w),
                                                               max_width), eps)
            for w in width_omegas]            # the width needed, inf if > max_width
law_m = [laws.width_for_error(eps, w, float(np.median(law_a))) for w in width_omegas]
for w, m, pm in zip(width_omegas, measured, law_m):
    shown = f"{m:.0f}" if np.isfinite(m) else f"> {max_width}"
    print(f"omega={w:g}: width for error {eps:g} measured {shown} (law: {pm:.3g})")

# %%
fig, axes = plotting.subplots(2)
for w, e, a, col in zip(omegas, pol_err, law_a, plotting.sequential(len(omegas))):
    axes[0].semilogx(widths, e, "o", color=col, label=fr"$\omega={w:g}$")
    axes[0].semilogx(widths, laws.log_law(widths, w, a), "--", color=col, lw=1)
col = plotting.colors(2)
axes[1].semilogy(width_omegas, np.minimum(measured, max_width), "o-", color=col[0],
                 label="measured")
axes[1].semilogy(width_omegas, law_m, "--", color=col[1], lw=1, label="log law")
axes[1].axhline(max_width, color="grey", ls=":", lw=1,
                label=f"widest fit ({max_width})")
plotting.label(axes[0], "width $m$", r"relative $L^1$ error",
               "error vs width (dashed: log law)")
plotting.label(axes[1], r"memory exponent $\omega$", fr"width needed for error {eps:g}",
               "width needed explodes as $\\omega \\to 0$")
glue("fig_curse", plotting.finish(fig))

# %%
inv = 1 / np.asarray(width_omegas[::-1])                 # 1/omega, increasing
logm = np.log(np.asarray(measured[::-1]))                # measured widths, same order
h = len(inv) // 2
slopes = ([np.polyfit(np.log(inv[:h]), logm[:h], 1)[0],
           np.polyfit(np.log(inv[h:]), logm[h:], 1)[0]] if np.all(np.isfinite(logm))
          else [float("nan")] * 2)                       # log-log slopes, each half
widths_shown = ", ".join(f"{m:.0f}" if np.isfinite(m) else f"> {max_width}"
                         for m in measured)
for key, val in dict(eps=eps, law_a_min=min(law_a), law_a_max=max(law_a),
                     law_dev_max=100 * max(law_dev), omega_max=omegas[-1],
                     pol_best_err=pol_err[-1, -1], pol_worst_err=pol_err[0, -1],
                     omega_min=omegas[0], exp_worst_err=exp_err[:, -1].max(),
                     widths_needed=widths_shown, max_width=max_width,
                     slope_lo=slopes[0],
                     slope_hi=slopes[1], width_ratio=measured[0] / measured[-1],
                     omegas_list=", ".join(f"{w:g}" for w in width_omegas)).items():
    glue(key, val)

# %% [markdown]
# ```{glue:figure} fig_curse
# :name: fig-curse
# The book's own figure (the curse of memory in approximation of {cite}`li2021`, on
# the fixed rate basis). Left: relative $L^1$ error of fixed-rate fits to
# $(1+t)^{-(1+\omega)}$ (dots, note the logarithmic width axis) against the log law
# $(1 + a\ln m)^{-\omega}$ with $a$ fitted (dashed). Right: the width needed for
# relative error $\epsilon$, measured (dots; a width beyond the widest fit is drawn on
# the dotted line), and the log law's prediction with the median fitted $a$ (dashed).
# ```
#
# The law fits: the fitted constants $a$ lie between {glue:text}`law_a_min:.2f` and
# {glue:text}`law_a_max:.2f`, close to the heuristic $a \approx 2$, and the measured
# errors stay within {glue:text}`law_dev_max:.1f`% of it for $m \ge 8$. At width
# {glue:text}`m_max` the error is still {glue:text}`pol_worst_err:.2f` for
# $\omega =$ {glue:text}`omega_min` (and {glue:text}`pol_best_err:.3f` for
# $\omega =$ {glue:text}`omega_max`), against at most {glue:text}`exp_worst_err:.2g`
# for every exponential memory in {numref}`fig-jackson`. For error
# $\epsilon =$ {glue:text}`eps` the measured widths for $\omega =$
# {glue:text}`omegas_list` are {glue:text}`widths_needed`: a factor
# {glue:text}`width_ratio:.0f` from the longest memory to the shortest, and the growth
# accelerates as $\omega$ shrinks, faster than any power of $1/\omega$: the log-log
# slope of the width against $1/\omega$ is {glue:text}`slope_lo:.1f` on the shorter
# memories and {glue:text}`slope_hi:.1f` on the longer ones. At $\omega = 0.1$ the law
# puts the width past $10^{200}$, far beyond any network built on this basis. That is
# the curse of memory in approximation for a fixed basis; free rates do far better, at
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
# gradient plateaus; `com.training.loss.white_noise_loss` with trapezoid weights on
# {glue:text}`n_lags` lags, uniform up to lag 10 and geometric beyond), from rates
# drawn uniformly in $[0.5, 2]$ and zero output weights, each width's models from their
# own random stream. (On the default grid of {glue:text}`n_fine` lags the trained
# models' losses differ from those on the training grid by at most
# {glue:text}`grid_gap:.2f`%: the coarser grid, 2.5 times cheaper, resolves them.) Then we
# look at the smallest learned rate $\min_i w_i$: the eigenvalue of $W$ closest to the
# edge of stability.

# %%
weights = grids.quadrature_weights(t)                                   # (T,) trapezoid
trained = {"exponential": memory.exponential_mixture(1.0),
           "polynomial": memory.polynomial(0.5)}
both = torch.stack([m.kernel(t) for m in trained.values()])             # (2, T)
runs = [cache.cached(                       # both targets in one program per width
            "linear_approximation.train", {},
            lambda m=m: loop.fit_diagonal(t, both, weights, m, train_models,
                                          train_steps, lr, stream(seed, "train", m),
                                          on_step=progress(f"m={m}", train_steps)))
        for m in train_widths]
min_rate = {name: torch.stack([r["rates"][k].min(dim=-1).values for r in runs]).numpy()
            for k, name in enumerate(trained)}                 # name -> (W, models)

# %%
fig, (ax,) = plotting.subplots()
for (name, mr), col in zip(min_rate.items(), plotting.colors(2)):
    med = np.median(mr, axis=1)
    ax.loglog(train_widths, med, "o-", color=col, label=name + " memory (median)")
    ax.fill_between(train_widths, mr.min(1), mr.max(1), color=col, alpha=0.2)
ax.axhline(1.0, color="grey", ls=":", lw=1, label=r"exponential target's $\beta = 1$")
plotting.label(ax, "width $m$", r"smallest trained rate $\min_i w_i$ (1/time)")
glue("fig_rates", plotting.finish(fig))

# %%
exp_floor = float(min_rate["exponential"].min())
pol_first, pol_last = (float(np.median(min_rate["polynomial"][i])) for i in (0, -1))
fine = grids.lag_grid(horizon)                    # the default lag grid, 5000 lags


def grid_loss(run, g):                  # the trained models' loss on the lag grid g
    rho = torch.stack([m.kernel(g) for m in trained.values()])[:, None]   # (2, 1, T)
    K = kernels.diagonal_kernel(g, run["rates"], run["coeffs"])     # (2, models, T)
    return loss.white_noise_loss(rho, K, grids.quadrature_weights(g))  # (2, models)


grid_gap = max(float((grid_loss(r, t) / grid_loss(r, fine) - 1).abs().max())
               for r in runs)                    # the training grid's quadrature error
for key, val in dict(exp_min_rate=exp_floor, pol_rate_first=pol_first,
                     pol_rate_last=pol_last, train_m_min=train_widths[0],
                     train_m_max=train_widths[-1], n_lags=len(t), n_fine=len(fine),
                     grid_gap=100 * grid_gap).items():
    glue(key, val)

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
#
# In the table, `margin` is how far each claim held (below 0: how far it failed), in
# decades from its nearest limit.

# %%
at4 = np.asarray(widths) >= 4
slower = exp_err[:-1, at4] / exp_err[1:, at4]   # each beta's error over the next one's
# (no width >= 4: nothing measured, the claim fails; least of nothing is -inf)
claims.check("exp-power-law",
             "exponential memory on the fixed basis: the error falls like m^-p with "
             "p / (2 beta) in [0.75, 1.5] (the endpoint u^beta sets the rate; "
             "derived above) and R^2 >= 0.99, for every beta",
             all(0.75 <= x <= 1.5 for x in exp_scaled) and min(exp_r2) >= 0.99,
             "p / (2 beta) = {scaled} for beta = {betas}; min R^2 {r2:.4f}",
             scaled=items(exp_scaled, "{v:.2f}"), betas=items(betas, "{v:g}"),
             r2=min(exp_r2), kind="paper",
             margin=least([within(x, 0.75, 1.5) for x in exp_scaled],
                          below(1 - min(exp_r2), 1 - 0.99)))
claims.check("exp-constant-grows",
             "the error grows as the decay rate beta shrinks (at every width m >= 4)",
             bool(at4.any() and np.all(np.diff(exp_err[:, at4], axis=0) < 0)),
             "error at m={m}: {errors}", m=widths[-1],
             errors=items(exp_err[:, -1].tolist(), "{v:.2g}"), kind="paper",
             margin=least(above(r, 1) for r in slower.ravel()),
             ref="li2021 Jackson-type rate (wang2024inverse Thm. A.3): its constant")

# %%
claims.check("pol-log-law",
             "polynomial memory: error follows (1 + a ln m)^-omega "
             "(within 15% for m >= 8)", max(law_dev) <= 0.15,
             "a = {a}; max deviation {dev:.1%}", a=items(law_a, "{v:.2f}"),
             dev=max(law_dev), kind="paper", margin=below(max(law_dev), 0.15))
# every width measured (else no slopes); each longer memory needs >= 1 more width; the
# slope ratio is defined once the widths grow (the first term then binds anyway)
explodes = least(
    above(min(a / (b + 1) for a, b in zip(measured, measured[1:])), 1),
    above(measured[0] / measured[-1], 100), above(slopes[1] / slopes[0], 2)
    if slopes[0] > 0 else holds(slopes[1] >= 2 * slopes[0]),
) if np.all(np.isfinite(measured)) else -np.inf

# %%
claims.check("pol-width-explodes",
             f"the measured width for error {eps:g} grows as omega shrinks, x100 over "
             "'width_omegas', faster than any power of 1/omega (the log-log slope on "
             "the longer memories at least twice that on the shorter)",
             bool(np.all(np.diff(measured) < 0)) and measured[0] >= 100 * measured[-1]
             and slopes[1] >= 2 * slopes[0],
             "widths {widths} for omega = {omegas}; slopes {lo:.1f}, {hi:.1f}",
             widths=widths_shown, omegas=items(width_omegas, "{v:g}"), lo=slopes[0],
             hi=slopes[1], kind="paper", margin=explodes,
             ref="li2021 (curse of memory in approximation)")
claims.check("rates-to-zero",
             "smallest trained rate -> 0 with m for polynomial memory only",
             pol_last <= 0.5 * pol_first and exp_floor >= 0.5,
             "polynomial: {first:.3g} -> {last:.3g}; exponential: min {floor:.3g}",
             first=pol_first, last=pol_last, floor=exp_floor, kind="paper",
             margin=least(below(pol_last / pol_first, 0.5), above(exp_floor, 0.5)),
             ref="wang2024inverse Sec. 3.4")
claims.finish()
