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


def test_gone_decides_the_verdict_no_plateau():
    # what fell before the first flat step decides: 1.5% (< drop) plateaus, 3% does not
    def curve(first):
        return np.concatenate([[1.0, 1.0 - first], np.full(40, 1.0 - first),
                               np.linspace(1.0 - first, 0.4, 10)[1:]])
    out = plateaus.plateau(np.stack([curve(0.015), curve(0.03)], 1), drop=0.02)
    assert out["gone"] == pytest.approx([0.015, 0.03])
    assert out["length"][0] > 0 and out["length"][1] == 0
    assert np.array_equal(out["gone"] >= 0.02, out["length"] == 0)


def test_escaped_once_every_plateau_ended():
    L = np.concatenate([np.full(50, 1.0), np.linspace(1.0, 0.5, 20)])
    stuck = np.full(70, 1.0)
    assert plateaus.escaped(L[:, None])
    assert not plateaus.escaped(np.stack([L, stuck], 1))
    assert plateaus.escaped([torch.tensor([v]) for v in L])         # a list, as train keeps


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


def test_first_below_is_the_first_step_at_the_fraction_or_censored():
    L = np.stack([np.array([1.0, 1.0, 0.9, 0.5, 0.2, 0.2]),     # at 0.5: step 3
                  np.array([2.0, 0.9, 0.5, 0.5, 0.5, 0.5]),     # 0.9 <= 1.0: step 1
                  np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.6])], 1) # never: censored
    assert list(plateaus.first_below(L, 0.5)) == [3.0, 1.0, math.inf]


def test_bump_projection_and_its_derivative_match_quadrature():
    dt = 0.001
    t = torch.arange(0.0, 40.0 + dt / 2, dt, dtype=torch.float64)
    q = quadrature_weights(t)
    for t0, w in [(0.0, 0.5), (3.0, 0.45), (8.0, 1.2)]:
        rho = memory.bump(t0).kernel(t)
        P, dP = plateaus.bump_projection(w, t0)
        assert float(P) == pytest.approx(float((rho * torch.exp(-w * t) * q).sum()), rel=1e-6)
        assert float(dP) == pytest.approx(float((-t * rho * torch.exp(-w * t) * q).sum()),
                                          rel=1e-6)
        assert float(plateaus.bump_norm2(t0)) == pytest.approx(float((rho ** 2 * q).sum()),
                                                               rel=1e-6)


def test_onset_is_where_the_weight_alone_removes_drop():
    for w in (0.45, 0.5, 0.55):
        a = plateaus.onset(w, 0.02)
        assert 4.0 < a < 6.0
        assert float(plateaus.removed_fraction(w, a)) == pytest.approx(0.02, rel=1e-9)
        assert plateaus.removed_fraction(w, a - 0.5) > 0.02 > plateaus.removed_fraction(w, a + 0.5)
    assert plateaus.onset(0.5, 0.99) == 0.0              # nothing to remove: no onset delay


def test_plateau_decrease_is_what_gradient_descent_shows_on_the_plateau():
    """Width 1 on a bump at t0 = 7: once c has equilibrated, the measured relative
    decrease per step is the derived eta (w L')^2 / L at the current rate."""
    dt, lr, w0, t0 = 0.01, 0.1, 0.5, 7.0
    t = torch.arange(0.0, 30.0 + dt / 2, dt)
    q = quadrature_weights(t)
    rho = memory.bump(t0).kernel(t)
    raw = torch.full((1,), math.log(w0), requires_grad=True)
    c = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([raw, c], lr=lr)
    losses, rates = [], []
    for _ in range(200):
        L = loss.white_noise_loss(rho, kernels.diagonal_kernel(t, raw.exp(), c), q)
        losses.append(float(L.detach()))
        rates.append(float(raw.detach().exp()))
        opt.zero_grad()
        L.backward()
        opt.step()
    rel = (losses[150] - losses[151]) / losses[150]
    assert rel == pytest.approx(float(plateaus.plateau_decrease(rates[150], t0, lr)), rel=0.05)


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
