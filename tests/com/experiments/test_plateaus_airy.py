import numpy as np
import torch

from com import memory
from com.approximation.grids import quadrature_weights
from com.experiments import plateaus_airy
from com.training import loop, plateaus


def test_window_marks_the_lags_near_each_delay():
    t = torch.arange(0.0, 10.01, 0.5)
    w = plateaus_airy.window(t, [3.0, 6.0], 1.0)
    assert w.shape == (2, 21)
    assert t[w[0] > 0].tolist() == [2.0, 2.5, 3.0, 3.5, 4.0]
    assert t[w[1] > 0].tolist() == [5.0, 5.5, 6.0, 6.5, 7.0]


def test_oscillating_modes_learn_the_longer_delay_later():
    """Two Airy delays, the same two initial models for each: the recorded window error
    is part of the loss, starts at the target's own mass near the delay, and halves
    later for the longer delay."""
    t = torch.arange(0.0, 24.05, 0.1)
    q = quadrature_weights(t)
    t0s = [5.0, 7.0]
    targets = torch.stack([memory.airy(a).kernel(t) for a in t0s])
    init = loop.init_diagonal(2, 8, torch.Generator().manual_seed(0), rates=(0.45, 0.55),
                              freqs=(0.0, 4.0))
    out = plateaus_airy.train_delayed(init, t, targets, t0s, q, 2.0, 300, 0.05)
    assert out["loss"].shape == out["window"].shape == (300, 2, 2)
    assert np.all(out["window"] <= out["loss"] + 1e-15)
    near = (targets ** 2 * q * plateaus_airy.window(t, t0s, 2.0)).sum(-1).numpy()
    assert np.allclose(out["window"][0], near[:, None])          # the model starts silent
    k = plateaus.first_below(out["window"].reshape(300, -1)).reshape(2, 2)
    assert np.all(np.isfinite(k)) and np.all(k[1] > k[0])
