"""Randomly initialised RNN, GRU and LSTM stacks, many networks in one tensor program.

wang2024inverse (appendix, Fig. 10) probes the memory of torch.nn.RNN, GRU and LSTM
networks at their random initialisation. One network at a time through torch.nn
costs a Python-level call per network; here ``n`` networks of the same kind and
depth share every step, with torch's own equations and initialisation (every weight
and bias uniform in [-1/sqrt(h), 1/sqrt(h)], gates stacked in torch's order), and a
random linear read-out r ~ N(0, 1/h) of the last layer. The tests check the
outputs against torch.nn with the same weights; ``torch_network`` is torch.nn itself.

Per layer, with pre-activations a = W_ih x + b_ih and b = W_hh h + b_hh split by gate:
    RNN:   h' = tanh(a + b)
    GRU:   r = sig(a_r + b_r), z = sig(a_z + b_z), n = tanh(a_n + r * b_n),
           h' = (1 - z) * n + z * h
    LSTM:  i, f, g, o = sig, sig, tanh, sig of a + b;  c' = f * c + i * g,
           h' = o * tanh(c')
"""
from __future__ import annotations

import torch

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def init(kind: str, layers: int, hidden: int, n: int, generator: torch.Generator,
         d: int = 1) -> dict:
    """n networks' weights: per layer W_ih (n, G h, d or h), W_hh (n, G h, h), b_ih and
    b_hh (n, G h), G = GATES[kind]; read-out r (n, h)."""
    G, bound = GATES[kind], hidden ** -0.5

    def uniform(*shape):
        return (2 * torch.rand(n, *shape, generator=generator) - 1) * bound
    stack = [{"W_ih": uniform(G * hidden, d if k == 0 else hidden),
              "W_hh": uniform(G * hidden, hidden),
              "b_ih": uniform(G * hidden), "b_hh": uniform(G * hidden)}
             for k in range(layers)]
    return {"kind": kind, "layers": stack,
            "r": torch.randn(n, hidden, generator=generator) * bound}


def _step(kind: str, a: torch.Tensor, b: torch.Tensor, h: torch.Tensor,
          c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of one layer for every network: a, b (n, N, G h); h, c (n, N, h)."""
    if kind == "RNN":
        return torch.tanh(a + b), c
    if kind == "GRU":
        ar, az, an = a.chunk(3, -1)
        br, bz, bn = b.chunk(3, -1)
        r, z = torch.sigmoid(ar + br), torch.sigmoid(az + bz)
        return (1 - z) * torch.tanh(an + r * bn) + z * h, c
    i, f, g, o = (a + b).chunk(4, -1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def run(params: dict, x: torch.Tensor) -> torch.Tensor:
    """Outputs of every network on the shared inputs, from rest (h = c = 0).
    x: (N, T, d)  ->  (n, N, T)"""
    seq = x.expand((params["r"].shape[0],) + x.shape)                  # (n, N, T, d)
    for layer in params["layers"]:
        drive = torch.einsum("ngd,nbtd->nbtg", layer["W_ih"], seq) \
            + layer["b_ih"][:, None, None]                              # (n, N, T, G h)
        h = seq.new_zeros(seq.shape[:2] + (layer["W_hh"].shape[-1],))  # (n, N, h)
        c, out = torch.zeros_like(h), []
        for a in drive.unbind(2):
            b = torch.einsum("ngh,nbh->nbg", layer["W_hh"], h) + layer["b_hh"][:, None]
            h, c = _step(params["kind"], a, b, h, c)
            out.append(h)
        seq = torch.stack(out, 2)                                       # (n, N, T, h)
    return torch.einsum("nbth,nh->nbt", seq, params["r"])


def torch_network(kind: str, layers: int, hidden: int, generator: torch.Generator):
    """One torch.nn RNN, GRU or LSTM (``kind``) at torch's own initialisation, seeded
    from ``generator`` (torch's global stream is set for its weights), with a random
    read-out r ~ N(0, 1/h): the model x (X, T, 1) -> r^T h (X, T) to probe (float64)."""
    torch.manual_seed(int(torch.randint(2 ** 31, (1,), generator=generator)))
    net = getattr(torch.nn, kind)(1, hidden, num_layers=layers, batch_first=True).double()
    readout = torch.randn(hidden, generator=generator) / hidden ** 0.5
    return lambda x: net(x)[0] @ readout                          # (X, T)


__all__ = ["GATES", "init", "run", "torch_network"]
