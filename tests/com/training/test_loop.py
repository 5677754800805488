import pytest
import torch

from com.approximation.grids import quadrature_weights
from com.training import loop as training


def gen(seed):
    return torch.Generator().manual_seed(seed)


def test_init_draws_from_its_generator_and_in_range():
    a = training.init_diagonal(3, 4, gen(5), rates=(0.5, 2.0))
    b = training.init_diagonal(3, 4, gen(5), rates=(0.5, 2.0))
    assert torch.equal(a.raw, b.raw)
    assert a.rates().min() >= 0.5 and a.rates().max() <= 2.0
    assert a.coeffs.abs().sum() == 0 and a.freqs is None
    c = training.init_diagonal(3, 4, gen(5), rates=(0.5, 2.0), freqs=(1.0, 3.0))
    assert torch.equal(c.raw, a.raw)                  # the frequencies are drawn after
    assert c.freqs.min() >= 1.0 and c.freqs.max() <= 3.0 and c.sines.abs().sum() == 0
    assert len(c.parameters()) == 4


def test_repeat_gives_fresh_copies_target_major():
    a = training.init_diagonal(2, 3, gen(1), freqs=(0.0, 2.0))
    r = a.repeat(3)
    assert r.raw.shape == (6, 3) and torch.equal(r.freqs[4:], a.freqs.detach())
    assert all(p.is_leaf and p.requires_grad for p in r.parameters())


def test_until_stops_early_and_keeps_what_was_recorded():
    x = torch.zeros(1, requires_grad=True)
    h = training.train([x], lambda: (x - 1.0) ** 2, 100, 0.1, "gd",
                       until=lambda hist: len(hist) == 7)
    assert h.shape == (7, 1)


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
    out = training.fit_diagonal(t, rho, w, m=2, n_models=2, steps=600, lr=0.05,
                                generator=gen(0))
    assert out["history"].shape == (600, 2)
    assert torch.all(out["loss"] < 1e-2 * out["history"][0])


def test_fit_diagonal_on_two_targets_is_two_runs():
    """Targets trained at once from the same draws give each target's own run."""
    t = torch.linspace(0, 20, 200)
    q = quadrature_weights(t)
    targets = torch.stack([torch.exp(-t), (1 + t) ** -1.5])
    both = training.fit_diagonal(t, targets, q, 3, 2, 50, 0.05, gen(4))
    for k in range(2):
        one = training.fit_diagonal(t, targets[k], q, 3, 2, 50, 0.05, gen(4))
        assert torch.allclose(both["rates"][k], one["rates"], rtol=1e-10, atol=1e-14)
        assert torch.allclose(both["history"][:, k], one["history"], rtol=1e-10, atol=1e-14)
