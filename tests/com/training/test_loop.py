import pytest
import torch

from com.approximation.grids import quadrature_weights
from com.training import loop as training


def test_init_is_seeded_and_in_range():
    a = training.init_diagonal(3, 4, seed=5, rates=(0.5, 2.0))
    b = training.init_diagonal(3, 4, seed=5, rates=(0.5, 2.0))
    assert torch.equal(a.raw, b.raw)
    assert a.rates().min() >= 0.5 and a.rates().max() <= 2.0
    assert a.coeffs.abs().sum() == 0


def test_gd_on_quadratic_matches_closed_form():
    x = torch.zeros(2, requires_grad=True)
    target = torch.tensor([1.0, -3.0])
    hist = training.train([x], lambda: (x - target) ** 2, steps=50, lr=0.1, method="gd")
    assert hist.shape == (50, 2)
    # x_k = target (1 - 0.8^k)
    assert torch.allclose(x.detach(), target * (1 - 0.8 ** 50))


def test_bad_method_named():
    with pytest.raises(ValueError, match="parameter 'method'"):
        x = torch.zeros(1, requires_grad=True)
        training.train([x], lambda: torch.zeros(1), 1, 0.1, "lbfgs")


def test_on_step_sees_every_step_and_its_loss():
    target = torch.tensor([2.0])
    x = torch.zeros(1, requires_grad=True)
    seen = []
    h = training.train([x], lambda: (x - target) ** 2, 5, 0.05, "adam",
                       on_step=lambda step, loss: seen.append((step, float(loss.detach()))))
    assert [s for s, _ in seen] == list(range(5))
    assert [v for _, v in seen] == [float(v) for v in h[:, 0]]


def test_fit_diagonal_reduces_loss():
    t = torch.linspace(0, 20, 401)
    rho = torch.exp(-0.7 * t) + 0.5 * torch.exp(-2.0 * t)
    w = quadrature_weights(t)
    out = training.fit_diagonal(t, rho, w, m=2, n_models=2, steps=600, lr=0.05, seed=0)
    assert out["history"].shape == (600, 2)
    assert torch.all(out["loss"] < 1e-2 * out["history"][0])


def test_fit_diagonal_on_two_targets_is_two_runs():
    """Targets trained at once from the same draws give each target's own run."""
    t = torch.linspace(0, 20, 200)
    q = quadrature_weights(t)
    targets = torch.stack([torch.exp(-t), (1 + t) ** -1.5])
    both = training.fit_diagonal(t, targets, q, 3, 2, 50, 0.05, seed=4)
    for k in range(2):
        one = training.fit_diagonal(t, targets[k], q, 3, 2, 50, 0.05, seed=4)
        assert torch.allclose(both["rates"][k], one["rates"], rtol=1e-10, atol=1e-14)
        assert torch.allclose(both["history"][:, k], one["history"], rtol=1e-10, atol=1e-14)
