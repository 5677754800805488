import math

import numpy as np
import pytest
import torch

from com import memory
from com.approximation.grids import quadrature_weights
from com.models import kernels
from com.training import loss, plateaus


def test_plateau_rule_finds_start_end_and_length():
    # a small transient (under the 2% drop), flat for 50 steps, then a drop
    L = np.concatenate([[1.01, 1.005], np.full(50, 1.0), np.linspace(1.0, 0.5, 20)[1:]])
    out = plateaus.plateau(L[:, None], flat=1e-3, drop=0.02)
    assert out["start"][0] == 2
    end = int(out["end"][0])
    assert L[end] <= 0.98 and L[end - 1] > 0.98
    assert out["length"][0] == end - 2


def test_plateau_rule_no_plateau_and_censored():
    fast = 0.5 ** np.arange(30)                    # falls at once: no plateau
    stuck = np.full(30, 1.0)                       # never escapes: censored
    out = plateaus.plateau(np.stack([fast, stuck], 1))
    assert out["length"][0] == 0
    assert math.isinf(out["length"][1])


def test_predicted_rate_tends_to_twice_initial_rate():
    near = plateaus.predicted_rate([4.0, 5.0, 6.0], 0.5)
    far = plateaus.predicted_rate([400.0, 401.0, 402.0], 0.5)
    assert near < 0.8 < far
    assert far == pytest.approx(1.0, abs=0.01)


def test_escape_time_of_width_one_gradient_descent():
    # the derived escape time is the right order of magnitude (no fitted constant)
    dt, lr, w0 = 0.1, 0.1, 0.5
    t = torch.arange(0.0, 40.0 + dt / 2, dt)
    q = quadrature_weights(t)
    t0s = torch.tensor([6.0, 8.0])
    rho = torch.stack([memory.bump(float(a)).kernel(t) for a in t0s])      # (2, T)
    raw = torch.full((2, 1), math.log(w0), requires_grad=True)
    c = torch.zeros(2, 1, requires_grad=True)
    opt = torch.optim.SGD([raw, c], lr=lr)
    moved = [None, None]
    for k in range(600):
        L = loss.white_noise_loss(rho, kernels.diagonal_kernel(t, raw.exp(), c), q)
        opt.zero_grad()
        L.sum().backward()
        opt.step()
        for j in range(2):
            if moved[j] is None and raw[j, 0].exp() < 0.75 * w0:
                moved[j] = k
    pred = plateaus.predicted_escape(t0s.numpy(), w0, lr)
    assert all(m is not None for m in moved)
    ratio = np.array(moved) / pred
    assert np.all((ratio > 0.5) & (ratio < 3.0))


def test_half_time_is_the_first_step_halfway_down():
    L = np.stack([np.array([1.0, 1.0, 0.9, 0.6, 0.2, 0.2]),     # halfway 0.6 at step 3
                  np.array([1.0, 0.5, 0.5, 0.5, 0.5, 0.5])], 1)  # at step 1
    assert list(plateaus.half_time(L)) == [3.0, 1.0]


def test_airy_projection_matches_quadrature():
    # lobe + boundary term against the integral itself, and the boundary term dominates
    # for long delays (it is polynomially small, the lobe exponentially)
    dt, w = 0.01, 0.5
    t = torch.arange(0.0, 40.0 + dt / 2, dt)
    q = quadrature_weights(t)
    t0s = np.array([8.0, 10.0, 12.0])
    exact = np.array([float((memory.airy(float(a)).kernel(t) * torch.exp(-w * t) * q).sum())
                      for a in t0s])
    lobe, boundary = plateaus.airy_projection(t0s, w)
    assert np.all(np.abs(lobe + boundary - exact) < 0.03 * np.abs(exact).max())
    assert np.all(np.abs(boundary) > 5 * lobe)
    assert lobe == pytest.approx(np.exp(-w * t0s - w ** 3 / 3))
