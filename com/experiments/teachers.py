"""The teachers of the filter (wang2024inverse, Fig. 3): three classes of tanh RNNs.

Every teacher is a random tanh RNN without biases (torch.nn.RNN's equation and
initialisation, com.models.random_nets),

    h_t = tanh(W h_{t-1} + U x_t),  v_t = r^T h_t,  h_{-1} = 0,

with W symmetrised and rescaled to a chosen spectral radius, the *gain* g: the rest
state h = 0 has Jacobian W, so g < 1 makes it attracting and g > 1 repelling
(``rnns``). The classes (``draw``) differ in what the filter can be wrong about:

* "random":    g uniform in ``gains`` (the paper's random teachers), y = v;
* "slow":      g uniform in SLOW_GAINS: exponential memory (g < 1: the step is a
               contraction by g, tanh being 1-Lipschitz) but slow, e-folding in 20 to
               200 steps; U scaled by (1 - g) / 0.1, so that the state, which sums
               about 1 / (1 - g) steps of input, stays as large as a g = 0.9
               teacher's, y = v;
* "power-law": g uniform in POWER_GAINS, read out through a filter with polynomial
               memory, y = rho * v, rho_t = (1 + t/tau)^{-p} / Z (Z its sum: unit
               gain on a held input): a fast nonlinear part and a slow linear one whose
               memory decays like t^{-p}, approximable on any window;
* "tempered":  the power-law teachers again (the same networks, ``twin`` gives each
               one's partner), their filter tempered, rho_t e^{-t/lambda}: memory that
               decays exponentially (at rate 1/lambda, as the theorem's definition
               asks), and on a window of T steps the same teacher up to the filter's
               mass sum_t rho_t (1 - e^{-t/lambda}) (``difference``).

``run`` gives every teacher's output on shared inputs.
"""
from __future__ import annotations

import torch

from ..memory import targets
from ..models import random_nets
from ..models.kernels import convolve

CLASSES = ("random", "slow", "power-law", "tempered")
SLOW_GAINS = (0.97, 0.995)
POWER_GAINS = (0.5, 0.9)


def rnns(gains: torch.Tensor, width: int, generator: torch.Generator) -> dict:
    """len(gains) random tanh RNNs of ``width`` units (torch's initialisation, biases set
    to 0, W_hh symmetrised, (W + W^T)/2, and rescaled to spectral radius gains_i), in
    com.models.random_nets' format. Symmetric W has real eigenvalues, modes a real
    diagonal student can take, and |W|_2 = g, so for g < 1 every held input is
    forgotten at rate -log g or faster (the step is a contraction by g).
    gains: (S,)  ->  params for com.models.random_nets.run (outputs (S, N, T))"""
    p = random_nets.init("RNN", 1, width, len(gains), generator)
    layer = p["layers"][0]
    W = (layer["W_hh"] + layer["W_hh"].transpose(-1, -2)) / 2          # (S, h, h)
    spectral = torch.linalg.eigvalsh(W).abs().amax(-1)                  # (S,) = |W|_2
    layer["W_hh"] = W * (gains / spectral)[:, None, None]
    layer["b_ih"], layer["b_hh"] = torch.zeros_like(layer["b_ih"]), torch.zeros_like(
        layer["b_hh"])
    return p


def draw(n_each: int, width: int, generator: torch.Generator, gains=(0.5, 1.3),
         power: float = 1.5, scale: float = 0.1, temper: float = 100.0) -> dict:
    """``n_each`` teachers of every class, class by class (module docstring); the
    power-law filter is (1 + t/scale)^{-power} (com.memory.targets.power), tempered by
    e^{-t/temper} for the tempered class.
    -> {"net": rnns' params (S = 4 n_each), "gain": (S,), "cls": [S] class names,
        "twin": (S,) the teacher whose network each one shares (itself but for the
        tempered class), "filter": the power-law Memory, "temper"}"""
    ranges = {"random": gains, "slow": SLOW_GAINS, "power-law": POWER_GAINS}
    gain = torch.cat([lo + (hi - lo) * torch.rand(n_each, generator=generator)
                      for lo, hi in map(ranges.get, CLASSES[:3])])             # (3 n,)
    net = rnns(gain, width, generator)
    slow = torch.arange(3 * n_each) // n_each == 1
    shrink = torch.where(slow, (1 - gain) / 0.1, torch.ones_like(gain))       # (3 n,)
    net["layers"][0]["W_ih"] = net["layers"][0]["W_ih"] * shrink[:, None, None]
    twin = torch.cat([torch.arange(3 * n_each), torch.arange(2 * n_each, 3 * n_each)])
    net = {"kind": net["kind"], "r": net["r"][twin],
           "layers": [{k: v[twin] for k, v in net["layers"][0].items()}]}
    return {"net": net, "gain": gain[twin], "twin": twin,
            "cls": [name for name in CLASSES for _ in range(n_each)],
            "filter": targets.power(power, scale), "temper": temper}


def readout(teach: dict, T: int) -> dict:
    """The read-out filters over lags t < T: "power-law" rho_t / Z (Z = its l1 norm: unit
    gain on a held input), "tempered" rho_t e^{-t/lambda} / Z.  -> {class: (T,)}"""
    t = torch.arange(T, dtype=torch.float64)
    rho = teach["filter"].kernel(t) / teach["filter"].l1
    return {"power-law": rho, "tempered": rho * torch.exp(-t / teach["temper"])}


def difference(teach: dict) -> float:
    """sum_t rho_t (1 - e^{-t/lambda}) / Z over all lags: how far a tempered teacher's
    output can be from its power-law twin's, per unit of max|v| (the filters differ by
    that l1 mass), on any window."""
    rho, T = teach["filter"], 1 << 20
    head = readout(teach, T)
    return float((head["power-law"] - head["tempered"]).sum()) + rho.tail(T) / rho.l1


def run(teach: dict, x: torch.Tensor) -> torch.Tensor:
    """Every teacher's output on shared inputs, from rest: v, filtered by ``readout``
    for the power-law and tempered classes.  x: (N, T, 1)  ->  (S, N, T)"""
    y = random_nets.run(teach["net"], x)                                      # (S, N, T)
    for name, rho in readout(teach, x.shape[1]).items():
        rows = torch.tensor([c == name for c in teach["cls"]])
        y[rows] = convolve(rho, y[rows])
    return y


__all__ = ["CLASSES", "SLOW_GAINS", "POWER_GAINS", "rnns", "draw", "readout", "difference",
           "run"]
