import math

import pytest
import torch

from com import memory, models


def test_kernels_at_known_points():
    t = torch.tensor([0.0, 1.0, 3.0])
    assert torch.allclose(memory.exponential(t, 2.0), torch.exp(-2 * t))
    assert torch.allclose(memory.exponential_mixture(t, 1.0), torch.exp(-t) / (1 + t))
    assert torch.allclose(memory.polynomial(t, 0.5), (1 + t) ** -1.5)
    assert memory.bump(torch.tensor([4.0]), t0=4.0).item() == 1.0
    # Ai(0) = 3^{-2/3} / Gamma(2/3)
    ai0 = 3 ** (-2 / 3) / math.gamma(2 / 3)
    assert memory.airy(torch.tensor([6.0]), t0=6.0).item() == pytest.approx(ai0, rel=1e-12)


def test_polynomial_tail_matches_quadrature():
    t = torch.logspace(torch.log10(torch.tensor(50.0)).item(), 6, 200_001)
    num = torch.trapezoid(memory.polynomial(t, 0.5), t) + memory.polynomial_tail(1e6, 0.5)
    assert num.item() == pytest.approx(memory.polynomial_tail(50.0, 0.5), rel=1e-6)


def test_target_rejects_unknown_kind():
    with pytest.raises(ValueError, match="memory kind"):
        memory.target("gaussian", torch.zeros(3), 1.0)
    assert torch.equal(memory.target("polynomial", torch.ones(2), 1.0), torch.full((2,), 0.25))


def test_memory_function_of_linear_response_is_abs_kernel():
    # y_t = sum_{s<=t} rho_s x for a held input x: differences recover |rho_{t+1}|
    rho = torch.tensor([1.0, -0.5, 0.25, -0.125])
    mags = torch.tensor([0.5, 2.0])
    outputs = mags[:, None] * torch.cumsum(rho, 0)            # (X, T)
    m = memory.memory_function(outputs, mags)
    assert torch.allclose(m, rho[1:].abs())


def test_decay_rate_recovers_exponent():
    t = torch.linspace(0, 10, 101)
    assert memory.decay_rate(t, 3 * torch.exp(-0.7 * t)) == pytest.approx(0.7, rel=1e-10)


def test_probe_of_linear_model_is_its_kernel():
    g = torch.Generator().manual_seed(0)
    K = torch.randn(20, generator=g)
    def model(x):
        return models.convolve(K, x[..., 0])                           # (X, T)
    mags = torch.tensor([0.5, 2.0])
    for kind in ("heaviside", "impulse"):
        assert torch.allclose(memory.probe(model, mags, 20, kind), K[1:].abs(), atol=1e-12)
    with pytest.raises(Exception, match="probe kind"):
        memory.probe(model, mags, 20, "ramp")


def test_probes_in_one_call_equal_one_probe_per_kind():
    gen = torch.Generator().manual_seed(3)
    W = torch.randn(4, 4, generator=gen) / 3

    def model(x):                                   # a small tanh RNN with a bias
        h, ys = torch.zeros(x.shape[0], 4), []
        for k in range(x.shape[1]):
            h = torch.tanh(h @ W.T + x[:, k] + 0.1)
            ys.append(h.sum(-1))
        return torch.stack(ys, -1)

    mags = torch.tensor([0.5, 2.0])
    both = memory.probes(model, mags, 30)
    for kind in ("heaviside", "impulse"):
        assert torch.allclose(both[kind], memory.probe(model, mags, 30, kind), atol=1e-14)
