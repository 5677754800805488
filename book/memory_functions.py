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
# # Memory functions of common architectures
#
# The inverse approximation theorem {cite}`wang2024inverse` speaks of models whose
# memory decays, and concludes that what they approximate stably must forget
# exponentially. Which models forget, and how fast? The paper's appendix answers with
# pictures: the memory functions of randomly initialised RNN, GRU and LSTM networks and
# of S4 (its Fig. 10), and one tanh RNN whose memory does not decay at all (its
# Fig. 11). This chapter redraws both, with many networks per architecture where the
# paper draws one, and checks what the pictures claim.
#
# {{ reproduce_memory_functions }}

# %% tags=["parameters"]
seed: int = 0                     # random seed (initialisations)
strict: bool = True               # a claim that does not reproduce raises
layers: list[int] = [1, 2, 3, 4]  # depths of the RNN, GRU and LSTM stacks
hidden: int = 32                  # their hidden size
n_networks: int = 20              # random networks per architecture and depth
probe_T: int = 200                # probe length (steps)
magnitudes: list[float] = [0.1, 1.0, 10.0]  # probe input magnitudes |x|
fall: float = 0.0001              # exponential test: the median memory falls below this
s4d_modes: int = 64               # modes N per S4D layer
s4d_layers: int = 20              # random S4D layers per initialisation
s4d_L: int = 2000                 # kernel lags (steps)
dt_range: list[float] = [0.001, 0.1]  # S4D step sizes, log-uniform in this range
tanh_T: float = 200.0             # Fig. 11: simulated time (time units)
tanh_dt: float = 0.05             # Fig. 11: Euler step (time units)
tanh_magnitudes: list[float] = [0.01, 0.1, 1.0, 3.0, 10.0]  # Fig. 11: held inputs x

# %% tags=["hide-input"]
import torch

from bookkit import plotting
from bookkit.chapter import start, stream
from bookkit.chapters.memory_functions import Params
from bookkit.claims import Claims, bound, glue
from bookkit.evidence import span
from com import memory
from com.approximation import laws
from com.models import random_nets, residual, ssm

params, gen = start(globals(), Params)
claims = Claims(strict=strict)

# %% [markdown]
# ## The memory function and its probes
#
# For a causal, time-homogeneous functional $H$ and the held (Heaviside) input
# $x\,\mathbf{1}_{t \ge 0}$, the memory function is
# $\mathcal{M}(H)(t) = \sup_{x \ne 0} |\tfrac{d}{dt} H_t(x\,\mathbf{1})| / |x|$
# {cite}`wang2024inverse`: how much the output still moves, per unit of input, $t$ after
# the input was switched on. For a linear functional with kernel $\rho$ it is
# $|\rho(t)|$. In discrete time we use $|y_{t+1} - y_t|/|x|$, maximised over the
# magnitudes `magnitudes`; the paper compares it with the impulse probe
# $|y_{t+1}|/|x|$ after the input $x\,\mathbf{1}_{t=0}$. Both subtract the output under
# zero input first: torch's layers have biases, and the state's relaxation to its
# fixed point is not memory of the input (`com.memory.probes`, both probes in one
# batch).
#
# ## RNN, GRU and LSTM at initialisation: the paper's Figure 10
#
# `n_networks` random networks per architecture and depth, with torch's
# initialisation (every weight and bias uniform in $[-h^{-1/2}, h^{-1/2}]$,
# $h$ = `hidden`) and a random linear read-out, all networks of one kind and depth in
# one tensor program (`com.models.random_nets`, tested against `torch.nn` with the same
# weights). We draw the median and the 10-90 % band over the networks.

# %%
with torch.no_grad():
    nets = {(kind, n): random_nets.init(kind, n, hidden, n_networks,
                                        stream(seed, kind, n))
            for kind in random_nets.GATES for n in layers}
    M = {key: memory.probes(lambda x, p=p: random_nets.run(p, x),
                            torch.tensor(magnitudes), probe_T)
         for key, p in nets.items()}                  # {probe: (n_networks, T - 1)}
lags = torch.arange(1, probe_T, dtype=torch.float64)
median = {(k, n, pr): m.median(0).values for (k, n), ms in M.items()
          for pr, m in ms.items()}
drop = {key: float(m[-1] / m.max()) for key, m in median.items()}   # end / peak
rate = {key: laws.decay_rate(lags, m) for key, m in median.items()}

# %%
fig, axes = plotting.subplots(3, 2, height=2.4)
for i, pr in enumerate(("heaviside", "impulse")):
    for ax, kind in zip(axes[3 * i:], random_nets.GATES):
        for n, col in zip(layers, plotting.sequential(len(layers))):
            q = M[kind, n][pr].quantile(torch.tensor([0.1, 0.9]), dim=0)
            ax.fill_between(lags, q[0].clamp_min(1e-16), q[1], color=col, alpha=0.25,
                            lw=0)
            ax.semilogy(lags, median[kind, n, pr].clamp_min(1e-16), color=col,
                        label=f"{n} layer{'s' * (n > 1)}")
        plotting.label(ax, "lag $t$ (steps)", f"memory, {pr}" if kind == "RNN"
                       else " ", f"torch.nn.{kind}", legend=kind == "RNN" and i == 0)
glue("fig_rnns", plotting.finish(fig))

# %% [markdown]
# ```{glue:figure} fig_rnns
# :name: fig-rnns
# Memory functions of randomly initialised RNN, GRU and LSTM stacks (columns) of 1 to
# 4 layers (colour): median over the networks (line) and 10-90 % band, probed with
# held inputs (top) and impulses (bottom); log scale, per unit of input.
# ```
#
# Every median falls exponentially: the fitted rates per step
# ($-\log\mathcal{M}$ against $t$, `com.approximation.laws.decay_rate`) lie between
# {glue:text}`rate_lo:.2g` and {glue:text}`rate_hi:.2g`, and after `probe_T` steps
# every median memory is at most {glue:text}`drop_max:.2g` of its peak. A power law
# $t^{-p}$ would fall by only $200^{-p}$ over the same lags ($3\cdot 10^{-4}$ for the
# $p = 1.5$ of the curse chapters), so the test "below `fall` of the peak"
# separates the two. The probes agree qualitatively, as the paper says, and differ
# in detail: for the gated networks the held input is forgotten more slowly than the
# kick, by a factor of {glue:text}`gated_ratio` in rate (the update gate keeps
# integrating a held input), while for the plain RNN the two rates agree to
# {glue:text}`rnn_gap:.0%`.

# %%
rates = list(rate.values())
glue("rate_lo", min(rates))
glue("rate_hi", max(rates))
drop_max = bound(max(drop.values()), 1e-10)   # near round-off: a bound
glue("drop_max", drop_max)
gated = [rate[k, n, "impulse"] / rate[k, n, "heaviside"] for k in ("GRU", "LSTM")
         for n in layers]
glue("gated_ratio", f"{min(gated):.1f} to {max(gated):.1f}")
glue("rnn_gap", max(abs(rate["RNN", n, "impulse"] / rate["RNN", n, "heaviside"]
                            - 1) for n in layers))

# %% [markdown]
# ## S4D: memory in closed form
#
# A diagonal state-space layer (S4D {cite}`gu2022s4d`) is linear, so its memory
# function is its kernel, $|K_l|$ with
# $K_l = 2\,\mathrm{Re}\sum_n C_n \bar B_n \bar A_n^l$, $\bar A = e^{\Delta A}$,
# $\bar B = (\bar A - 1)A^{-1}B$ (zero-order hold), for every lag at once
# (`com.models.ssm`). Both standard initialisations have $\mathrm{Re}\,A_n = -1/2$
# ("lin": $A_n = -1/2 + i\pi n$; "inv": $A_n = -1/2 + i\frac{N}{\pi}
# (\frac{N}{2n+1} - 1)$), so every mode decays at $\Delta/2$ per step: exponential
# memory *by construction*, nothing to check there. What the picture adds is *how
# slowly*: with $\Delta$ as small as `dt_range`'s lower end, the slowest layer keeps
# {glue:text}`s4d_keep:.0%` of its peak after `s4d_L` steps.

# %%
S4 = {kind: ssm.s4d_init(s4d_layers, s4d_modes, stream(seed, "s4d", kind), kind,
                         tuple(dt_range)) for kind in ssm.INITS}
K = {kind: ssm.s4d_kernel(p, s4d_L).abs() for kind, p in S4.items()}       # (n, L)
envelope = {kind: k.flip(-1).cummax(-1).values.flip(-1) for kind, k in K.items()}
keep = max(float((e[:, -1] / e[:, 0]).max()) for e in envelope.values())
glue("s4d_keep", keep)
fig, axes = plotting.subplots(2, sharey=True)
for ax, kind in zip(axes, ssm.INITS):
    order = S4[kind]["dt"].argsort()
    for j, col in zip(order, plotting.sequential(s4d_layers)):
        ax.semilogy(K[kind][j].clamp_min(1e-16), color=col, lw=0.6)
    plotting.label(ax, "lag $l$ (steps)", "memory $|K_l|$" if kind == "lin" else " ",
                   f"S4D-{kind.capitalize()}, {s4d_layers} layers", legend=False)
glue("fig_s4d", plotting.finish(fig))

# %% [markdown]
# ```{glue:figure} fig_s4d
# :name: fig-s4d
# Memory functions $|K_l|$ of random S4D layers with the "lin" and "inv"
# initialisations, $N$ = `s4d_modes` modes, step $\Delta$ log-uniform in `dt_range`
# (colour: from the smallest $\Delta$, dark, to the largest); log scale.
# ```
#
# ## A tanh RNN that never forgets: the paper's Figure 11
#
# The continuous-time tanh RNN $\dot h = \tanh(W h + U x)$, $\hat y = c^\top h$ with
# the paper's $W = \begin{pmatrix} 1 & 1 \\ -4 & -3 \end{pmatrix}$ (here $U = c = e_1$,
# Euler steps of `tanh_dt`). $W$ has the double eigenvalue $-1$, so the rest state is
# stable and a small held input is forgotten exponentially. A large one is not: the
# state escapes to where $\tanh$ saturates, and there it moves at constant speed for
# ever, so $\tfrac{d}{dt}\hat y$ never decays.

# %%
w11 = {"W": torch.tensor([[[1.0, 1.0], [-4.0, -3.0]]]),          # the paper's W
       "U": torch.tensor([[[1.0], [0.0]]]), "b": torch.zeros(1, 2),
       "c": torch.tensor([[1.0, 0.0]])}
steps = int(round(tanh_T / tanh_dt))
x11 = memory.probe_inputs(torch.tensor(tanh_magnitudes), steps)
y11 = residual.rnn(w11, x11, "tanh", tanh_dt)[0]                # (X, T)
M11 = (y11[:, 1:] - y11[:, :-1]).abs() / tanh_dt / x11[:, :1, 0]     # per unit time
t11 = tanh_dt * torch.arange(1, steps)
fig, axes = plotting.subplots(1)
for x, m, col in zip(tanh_magnitudes, M11, plotting.sequential(len(tanh_magnitudes))):
    axes[0].semilogy(t11, m.clamp_min(1e-16), color=col, label=f"x = {x:g}")
plotting.label(axes[0], "time $t$ (time units)", r"$|\dot y(t)| / |x|$",
               "tanh RNN, W = [[1, 1], [-4, -3]]")
glue("fig_tanh11", plotting.finish(fig))
small = float(M11[0, -1] / M11[0].max())
large = float(M11[-1, -1] / M11[-1, steps // 4])
glue("small_drop", bound(small, 1e-12))        # round-off
glue("large_keep", large)

# %% [markdown]
# ```{glue:figure} fig_tanh11
# :name: fig-tanh11
# The paper's Fig. 11: the response speed per unit of held input,
# $|\dot{\hat y}(t)|/|x|$, of the tanh RNN with $W = [[1, 1], [-4, -3]]$ for held
# inputs of growing size (colour); log scale. Its supremum over $x$ is the memory
# function.
# ```
#
# The smallest input is forgotten (its response speed falls to at most
# {glue:text}`small_drop:.2g` of its peak), the largest is not (at $t$ = `tanh_T` the
# speed is {glue:text}`large_keep:.2f` of what it was at a quarter of that time). The
# memory function, a supremum over $x$, therefore does not decay. This network breaks
# the hypothesis the theorem puts on its approximants, a *decaying* memory
# (uniformly so under perturbation), and it does so although its linearisation at
# rest is stable: stability of $J$ is local, and a large input leaves its basin. The
# stability chapters work where the hypothesis holds, at small signals around rest.
#
# ## Claims and verdicts

# %%
claims.check("rnns-exponential", "RNN, GRU and LSTM at initialisation, every depth, "
             "both probes: the median memory falls below `fall` of its peak within "
             "probe_T steps, at a positive fitted rate",
             max(drop.values()) <= fall and min(rates) > 0,
             "largest end/peak <= {drop_max:.2g}; rates {rates}",
             drop_max=drop_max, rates=span(rates), kind="paper")
claims.check("tanh-no-decay", "Fig. 11: the largest held input is never forgotten "
             "(speed at T at least half that at T/4), the smallest is (below 1e-6 of "
             "its peak)", large >= 0.5 and small <= 1e-6,
             "largest: {large:.2f}; smallest <= {small:.2g}",
             large=large, small=bound(small, 1e-12), kind="paper")
claims.finish()

