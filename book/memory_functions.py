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
# of S4 (its Fig. 10; we draw S4D {cite}`gu2022s4d`, the diagonal variant, in S4's
# place), and one tanh RNN whose memory does not decay at all (its Fig. 11). Fig. 10's
# point is that the two ways of probing a memory, a held (Heaviside) input and a kick
# (impulse), agree. This chapter redraws both figures, with many networks per
# architecture where the paper draws one, tests that agreement quantitatively (the same
# decay rate within a stated factor, at the input sizes of the authors' code) and shows
# where it stops holding: held inputs ten times larger in gated networks.
#
# {{ reproduce_memory_functions }}

# %% tags=["parameters"]
seed: int = 0                             # random seed (initialisations)
strict: bool = True                       # a claim that does not reproduce raises
layers: list[int] = [1, 2, 3, 4]          # depths of the RNN, GRU and LSTM stacks
hidden: int = 32                          # their hidden size
n_networks: int = 20                      # random networks per architecture and depth
probe_T: int = 200                        # probe length (steps)
magnitudes: list[float] = [0.1, 1.0]      # probe inputs |x| (the authors' scale)
large_magnitude: float = 10.0             # a large held input |x|
agree: float = 1.25                       # probes agree: rates within this factor
s4d_modes: int = 64                       # modes N per S4D layer
s4d_layers: int = 20                      # random S4D layers per initialisation
s4d_L: int = 2000                         # kernel lags (steps)
dt_range: list[float] = [0.001, 0.1]      # S4D step sizes, log-uniform in this range
tanh_T: float = 200.0                     # Fig. 11: simulated time (time units)
tanh_dt: float = 0.05                     # Fig. 11: Euler step (time units)
tanh_magnitudes: list[float] = [0.01, 0.1, 1.0, 3.0, 10.0]  # Fig. 11: held inputs x

# %% tags=["hide-input"]
import numpy as np
import torch

from bookkit import plotting
from bookkit.chapter import start, stream
from bookkit.chapters.memory_functions import Params
from bookkit.claims import Claims, bound, digits, glue
from bookkit.evidence import items, span
from bookkit.margins import above, below, least
from com import memory
from com.approximation import laws
from com.models import kernels, random_nets, residual, ssm

params, _ = start(globals(), Params)
claims = Claims(strict=strict)

# %% [markdown]
# ## The memory function and its probes
#
# For a causal, time-homogeneous functional $H$ and the held (Heaviside) input
# $x\,\mathbf{1}_{t \ge 0}$, the memory function is
# $\mathcal{M}(H)(t) = \sup_{x \ne 0} |\tfrac{d}{dt} H_t(x\,\mathbf{1})| / |x|$
# {cite}`wang2024inverse`: how much the output still moves, per unit of input, $t$ after
# the input was switched on. For a linear functional with kernel $\rho$ it is
# $|\rho(t)|$. In discrete time we use $|y_{t+1} - y_t|/|x|$; the paper compares it
# with the impulse probe $|y_{t+1}|/|x|$ after the input $x\,\mathbf{1}_{t=0}$. Both
# subtract the output under zero input first: torch's layers have biases, and the
# state's relaxation to its fixed point is not memory of the input (`com.memory.probes`,
# both probes and every input size in one batch).
#
# For a linear model the two probes are the same number, $|K_{t+1}|$: the step
# response's increment and the impulse response are one kernel value. For a nonlinear
# network both read, to first order in $|x|$, the linearisation at the rest state, so
# they agree for small inputs and decay at the same rate. A large *held* input moves the
# state to another fixed point, and the Heaviside memory then relaxes under the Jacobian
# there, while after a kick the state relaxes under the Jacobian at rest: the probes can
# part. The authors' code probes with a held input of order one per channel
# (`src/memoryfunction.py` of radarFudan/Curse-of-memory: `randn(1, 16)`, 1024 steps);
# we probe with `magnitudes` $=$ {glue:text}`mags` and, to see the probes part, with
# `large_magnitude` $=$ {glue:text}`large`.
#
# ## RNN, GRU and LSTM at initialisation: the paper's Figure 10
#
# `n_networks` random networks per architecture and depth, with torch's
# initialisation (every weight and bias uniform in $[-h^{-1/2}, h^{-1/2}]$,
# $h$ = `hidden`) and a random linear read-out, all networks of one kind and depth in
# one tensor program (`com.models.random_nets`, tested against `torch.nn` with the same
# weights). We draw the median and the 10-90 % band over the networks of the memory
# function, the largest probe over `magnitudes`.

# %%
inputs = torch.tensor(magnitudes + [large_magnitude])          # (X + 1,) the last large
X = len(magnitudes)
with torch.no_grad():
    nets = {(kind, n): random_nets.init(kind, n, hidden, n_networks,
                                        stream(seed, kind, n))
            for kind in random_nets.GATES for n in layers}
    P = {key: memory.probes(lambda x, p=p: random_nets.run(p, x), inputs, probe_T,
                            each=True)
         for key, p in nets.items()}           # {probe: (n_networks, X + 1, T - 1)}
M = {key: {pr: m[:, :X].amax(1) for pr, m in ps.items()}         # {probe: (n, T - 1)}
     for key, ps in P.items()}
lags = torch.arange(1, probe_T, dtype=torch.float64)
median = {(k, n, pr): m.median(0).values for (k, n), ms in M.items()
          for pr, m in ms.items()}
# the memories reach 1e-12, where round-off moves a fitted rate's fifth digit from one
# CPU's vector unit to another (and the end/peak ratio's ninth): three digits are kept
drop = {key: digits(m[-1] / m.max(), 3) for key, m in median.items()}   # end / peak
rate = {key: digits(laws.decay_rate(lags, m), 3) for key, m in median.items()}
glue("mags", ", ".join(f"{x:g}" for x in magnitudes))
glue("large", large_magnitude)

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
# The paper's Fig. 10 (RNN, GRU and LSTM panels; S4 below, as S4D): memory functions of
# randomly initialised RNN, GRU and LSTM stacks (columns) of 1 to 4 layers (colour):
# median over the networks (line) and 10-90 % band, probed with held inputs (top) and
# impulses (bottom), the largest over the inputs `magnitudes`; log scale, per unit of
# input.
# ```
#
# Every median falls exponentially: the fitted rates per step ($-\log\mathcal{M}$
# against $t$, `com.approximation.laws.decay_rate`) lie between
# {glue:text}`rate_lo:.2g` and {glue:text}`rate_hi:.2g`, and after `probe_T` steps every
# median memory is at most {glue:text}`drop_max:.2g` of its peak; at torch's
# initialisation every one of these networks contracts, so this is expected, not a
# finding. The finding is the agreement of the probes. For every network we fit each
# probe's decay rate at each input size and take the ratio, impulse over Heaviside; the
# median ratio over the networks, for every architecture and depth and every input in
# `magnitudes`, is within a factor {glue:text}`small_worst:.2f` of 1, inside the
# factor `agree` $=$ {glue:text}`agree` we test. With a held input of size
# {glue:text}`large` the gated networks part: their held-input memory decays slower
# than their kick's, by factors from {glue:text}`gated_lo:.2f` to
# {glue:text}`gated_hi:.2f` (GRU and LSTM, every depth), while the plain RNN's ratios
# stay between {glue:text}`rnn_lo:.2f` and {glue:text}`rnn_hi:.2f`. A held input drives
# some update or forget gates towards 1, and the units behind them then change slowly;
# a kick leaves the gates at rest. The memory function is a supremum over inputs, so it
# inherits whichever input keeps the output moving longest.

# %%
def probe_rates(m):                                 # (networks, lags) -> (networks,)
    return np.array([laws.decay_rate(lags, row) for row in m])


ratio = {(k, n, j): digits(np.median(probe_rates(ps["impulse"][:, j])   # as rate's
                                     / probe_rates(ps["heaviside"][:, j])), 3)
         for (k, n), ps in P.items() for j in range(X + 1)}   # impulse / Heaviside
at_scale = [r for (k, n, j), r in ratio.items() if j < X]     # the authors' inputs
small_worst = max(max(r, 1 / r) for r in at_scale)
gated = [ratio[k, n, X] for k in ("GRU", "LSTM") for n in layers]
plain = [ratio["RNN", n, X] for n in layers]
rates = list(rate.values())
for key, val in dict(rate_lo=min(rates), rate_hi=max(rates), small_worst=small_worst,
                     agree=agree, gated_lo=min(gated), gated_hi=max(gated),
                     rnn_lo=min(plain), rnn_hi=max(plain),
                     drop_max=bound(max(drop.values()), 1e-10)).items():
    glue(key, val)

# %% [markdown]
# ## S4D: memory in closed form
#
# A diagonal state-space layer (S4D {cite}`gu2022s4d`) is linear, so its memory
# function is its kernel, $|K_l|$ with
# $K_l = 2\,\mathrm{Re}\sum_n C_n \bar B_n \bar A_n^l$, $\bar A = e^{\Delta A}$,
# $\bar B = (\bar A - 1)A^{-1}B$ (zero-order hold), for every lag at once
# (`com.models.ssm`), and both probes return it exactly (a check below, on the layers
# drawn). Both standard initialisations have $\mathrm{Re}\,A_n = -1/2$
# ("lin": $A_n = -1/2 + i\pi n$; "inv": $A_n = -1/2 + i\frac{N}{\pi}
# (\frac{N}{2n+1} - 1)$), so every mode decays at $\Delta/2$ per step: exponential
# memory *by construction*, nothing to check there. What the picture adds is *how
# slowly*: with $\Delta$ as small as `dt_range`'s lower end, the slowest layer keeps
# {glue:text}`s4d_keep:.0%` of its peak after `s4d_L` steps.

# %%
S4 = {kind: ssm.s4d_init(s4d_layers, s4d_modes, stream(seed, "s4d", kind), kind,
                         tuple(dt_range)) for kind in ssm.INITS}
K = {kind: ssm.s4d_kernel(p, s4d_L) for kind, p in S4.items()}          # (n, L)
S4P = {kind: memory.probes(lambda x, k=k: kernels.convolve(k[:, None], x[..., 0]),
                           inputs[:X], s4d_L) for kind, k in K.items()}  # (n, L - 1)
s4d_dev = max(float((p - K[kind][:, 1:].abs()).abs().max() / K[kind].abs().max())
              for kind, ps in S4P.items() for p in ps.values())
envelope = {kind: k.abs().flip(-1).cummax(-1).values.flip(-1) for kind, k in K.items()}
keep = max(float((e[:, -1] / e[:, 0]).max()) for e in envelope.values())
glue("s4d_keep", keep)
fig, axes = plotting.subplots(2, sharey=True)
for ax, kind in zip(axes, ssm.INITS):
    order = S4[kind]["dt"].argsort()
    for j, col in zip(order, plotting.sequential(s4d_layers)):
        ax.semilogy(K[kind][j].abs().clamp_min(1e-16), color=col, lw=0.6)
    plotting.label(ax, "lag $l$ (steps)", "memory $|K_l|$" if kind == "lin" else " ",
                   f"S4D-{kind.capitalize()}, {s4d_layers} layers", legend=False)
glue("fig_s4d", plotting.finish(fig))

# %% [markdown]
# ```{glue:figure} fig_s4d
# :name: fig-s4d
# The S4 panel of the paper's Fig. 10, drawn for S4D: memory functions $|K_l|$ of
# random S4D layers with the "lin" and "inv" initialisations, $N$ = `s4d_modes` modes,
# step $\Delta$ log-uniform in `dt_range` (colour: from the smallest $\Delta$, dark, to
# the largest); log scale.
# ```
#
# ## A tanh RNN that never forgets: the paper's Figure 11
#
# The continuous-time tanh RNN $\dot h = \tanh(W h + U x)$, $\hat y = c^\top h$ with
# the paper's $W = \begin{pmatrix} 1 & 1 \\ -4 & -3 \end{pmatrix}$; $U = c = e_1$ are our
# choice (how far an input must be to escape depends on $U$), Euler steps of `tanh_dt`.
# $W$ has the double eigenvalue $-1$, so the rest state is stable and a small held input
# is forgotten exponentially. A large one is not. Write $v = \tanh(z)$,
# $z = Wh + Ux$, so $\dot h = v$ and $\dot z = Wv$. Where both units saturate, $v$ is a
# corner of $[-1, 1]^2$ and $h$ moves along a ray. $v = (1, -1)$ is self-consistent:
# $W(1, -1)^\top = (0, -1)^\top$ holds $z_1 = h_1 + h_2 + x$ fixed and drives $z_2$ to
# $-\infty$; so is $v = (-1, 1)$. $v = (1, 1)$ is not: $W(1, 1)^\top = (2, -7)^\top$
# would drive $z_2$ to $-\infty$, against $v_2 = +1$ (and $(-1, -1)$ likewise). On
# either ray the output moves at $|\dot{\hat y}| = |v_1| = \tanh|z_1|$, within
# $2e^{-2|z_1|}$ of 1, and $z_1$ drifts only at that rate, so the ray lasts a time of
# order $e^{2|z_1|}$: $\tfrac{d}{dt}\hat y$ does not decay.

# %%
w11 = {"W": torch.tensor([[1.0, 1.0], [-4.0, -3.0]]).expand(2, 2, 2),   # the paper's W
       "U": torch.tensor([[[1.0], [0.0]]]).expand(2, 2, 1), "b": torch.zeros(2, 2),
       "c": torch.eye(2)}                                  # read out h_1 (y) and h_2
steps = int(round(tanh_T / tanh_dt))
x11 = memory.probe_inputs(torch.tensor(tanh_magnitudes), steps)            # (X, T, 1)
h11 = residual.rnn(w11, x11, "tanh", tanh_dt)                             # (2, X, T)
speed = (h11[0, :, 1:] - h11[0, :, :-1]).abs() / tanh_dt                  # |dy/dt|
z_end = torch.tensor([[1.0, 1.0], [-4.0, -3.0]]) @ h11[:, :, -1] \
    + torch.tensor([[1.0], [0.0]]) * x11[None, :, 0, 0]              # (2, X) z at T
v_end = torch.tanh(z_end)                                                  # (2, X)
corners = [f"x = {x:g}: ({a:.2f}, {b:.2f})" for x, a, b in
           zip(tanh_magnitudes, *v_end.tolist())]
print("v at the end of the run: " + "; ".join(corners))

# %%
t11 = tanh_dt * torch.arange(1, steps)
fig, axes = plotting.subplots(1)
per_unit = speed / x11[:, :1, 0]
for x, m, col in zip(tanh_magnitudes, per_unit, plotting.sequential(len(x11))):
    axes[0].semilogy(t11, m.clamp_min(1e-16), color=col, label=f"x = {x:g}")
plotting.label(axes[0], "time $t$ (time units)", r"$|\dot y(t)| / |x|$",
               "tanh RNN, W = [[1, 1], [-4, -3]]")
glue("fig_tanh11", plotting.finish(fig))
small = float(speed[0, -1] / speed[0].max())
large = float(speed[-1, -1])
for key, val in dict(small_drop=bound(small, 1e-12), large_speed=large,
                     z1_large=float(z_end[0, -1]), corners="; ".join(corners),
                     ray_time=float(torch.exp(2 * z_end[0, -1].abs()) / 4),
                     tanh_T=tanh_T).items():
    glue(key, val)

# %% [markdown]
# ```{glue:figure} fig_tanh11
# :name: fig-tanh11
# The paper's Fig. 11(a): the response speed per unit of held input,
# $|\dot{\hat y}(t)|/|x|$, of the tanh RNN with $W = [[1, 1], [-4, -3]]$ for held
# inputs of growing size (colour); log scale. Its supremum over $x$ is the memory
# function.
# ```
#
# The smallest input is forgotten (its response speed falls to at most
# {glue:text}`small_drop:.2g` of its peak), the largest is not: at $t =$
# {glue:text}`tanh_T` its output moves at {glue:text}`large_speed:.4f`, the derived ray
# speed 1 (its $z_1 =$ {glue:text}`z1_large:.1f`, so its ray lasts about
# $e^{2|z_1|}/4 =$ {glue:text}`ray_time:.1e` time units). The memory function, a supremum
# over $x$, therefore does not decay. Where each input's $v$ is at the end of the run:
# {glue:text}`corners`. Inputs that escape end near $(1, -1)$ or $(-1, 1)$, which one
# depending on $x$ and not only on its sign; a corner $(1, 1)$ or $(-1, -1)$ at the end
# can only be a passage between the two rays, which we see happen when $z_1$ has
# drifted across 0. The paper describes its Fig. 11(b) as a periodic trajectory with
# attractors at $[0, 0]$, $[1, 1]$ and $[-1, -1]$ in $v$-space (a second-hand reading:
# we could not read the appendix's text from here); we find rest for small inputs,
# rays at the other two corners for large ones, and switches between the rays, but no
# periodic orbit in the runs we made.
#
# This network breaks the hypothesis the theorem puts on its approximants, a
# *decaying* memory (uniformly so under perturbation), and it does so although its
# linearisation at rest is stable: stability of $J$ is local, and a large input leaves
# its basin. The stability chapters work where the hypothesis holds, at small signals
# around rest.
#
# ## Claims and verdicts

# %%
claims.check("probes-agree", f"RNN, GRU and LSTM at initialisation, every depth: the "
             f"impulse and held-input memories decay at the same rate, within a factor "
             f"{agree:g} (median over networks), at every input in 'magnitudes'",
             small_worst <= agree, "worst factor {worst:.2f} over {cells} cells at "
             "|x| = {mags}", worst=small_worst, cells=len(at_scale),
             mags=items(magnitudes, "{v:g}"), kind="paper",
             margin=below(small_worst, agree), ref="wang2024inverse Fig. 10")
claims.check("probes-part-large", f"at a held input of size {large_magnitude:g} the "
             f"gated networks' (GRU, LSTM) held-input memory decays slower than their "
             f"impulse memory by more than the factor {agree:g}, at every depth",
             min(gated) > agree,
             "impulse / Heaviside rates {gated} (plain RNN {plain})",
             gated=span(gated, ".2f"), plain=span(plain, ".2f"), kind="paper",
             margin=above(min(gated), agree))

# %%
claims.check("s4d-probes-identical", "S4D is linear: both probes of every layer drawn "
             "equal its kernel |K| to round-off", s4d_dev <= 1e-9,
             "largest deviation <= {dev:.2g} of the largest |K|",
             dev=bound(s4d_dev, 1e-12), kind="check",
             margin=below(bound(s4d_dev, 1e-12), 1e-9),
             ref="wang2024inverse Fig. 10 (S4D)")
claims.check("tanh-no-decay", "Fig. 11: the largest held input is never forgotten (its "
             "output moves at the derived ray speed 1, within 1%, at the end), the "
             "smallest is (speed below 1e-6 of its peak)",
             abs(large - 1) <= 0.01 and small <= 1e-6,
             "largest: speed {large:.4f}; smallest <= {small:.2g} of its peak",
             large=large, small=bound(small, 1e-12), kind="paper",
             margin=least(below(abs(large - 1), 0.01),
                          below(bound(small, 1e-12), 1e-6)),
             ref="wang2024inverse Fig. 11")
claims.finish()
