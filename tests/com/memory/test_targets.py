import math

import pytest
import torch

from com import memory


def test_kernels_at_known_points():
    t = torch.tensor([0.0, 1.0, 3.0])
    assert torch.allclose(memory.exponential(2.0).kernel(t), torch.exp(-2 * t))
    assert torch.allclose(memory.exponential_mixture(1.0).kernel(t), torch.exp(-t) / (1 + t))
    assert torch.allclose(memory.polynomial(0.5).kernel(t), (1 + t) ** -1.5)
    assert memory.bump(t0=4.0).kernel(torch.tensor([4.0])).item() == 1.0
    # Ai(0) = 3^{-2/3} / Gamma(2/3)
    ai0 = 3 ** (-2 / 3) / math.gamma(2 / 3)
    assert memory.airy(t0=6.0).kernel(torch.tensor([6.0])).item() == pytest.approx(ai0, rel=1e-12)


@pytest.mark.parametrize("target", [memory.polynomial(0.5), memory.exponential(0.7),
                                    memory.exponential_mixture(0.3), memory.bump(4.0, 1.5)])
def test_continuous_tails_and_norms_match_quadrature(target):
    near = torch.linspace(0, 50, 100_001)
    far = torch.logspace(torch.log10(torch.tensor(50.0)).item(), 6, 200_001)
    tail = torch.trapezoid(target.kernel(far), far).item() + target.tail(1e6)
    assert tail == pytest.approx(target.tail(50.0), rel=1e-6, abs=1e-14)
    whole = torch.trapezoid(target.kernel(near), near).item() + target.tail(50.0)
    assert whole == pytest.approx(target.l1, rel=1e-6)


def test_the_discrete_and_continuous_polynomials_are_one_kernel():
    """power(p) (discrete lags, tails by sums) and polynomial(p - 1) (continuous lags,
    tails by integrals) are one Memory type with the same kernel."""
    t = torch.arange(200.0)
    for p in (1.1, 1.5):
        assert torch.allclose(memory.power(p).kernel(t), memory.polynomial(p - 1).kernel(t),
                              rtol=1e-13)
    assert torch.allclose(memory.geometric(0.9).kernel(t),
                          memory.exponential(-math.log(0.9)).kernel(t), rtol=1e-13)
    assert memory.power(1.5).time == "discrete" and memory.polynomial(0.5).time == "continuous"


def test_target_rejects_unknown_kind():
    with pytest.raises(ValueError, match="memory kind"):
        memory.of("gaussian", 1.0)
    assert torch.equal(memory.of("polynomial", 1.0).kernel(torch.ones(2)), torch.full((2,), 0.25))


@pytest.mark.parametrize("scale", [1.0, 0.1, 4.0])
def test_discrete_power_tails_and_norms_are_the_sums(scale):
    """power(p, scale): (1 + t/scale)^-p, its tail and l1 norm the Hurwitz zeta sums."""
    target = memory.power(1.5, scale)
    t = torch.arange(200_000, dtype=torch.float64)
    rho = target.kernel(t)
    assert rho[0] == 1.0 and float(rho[3]) == pytest.approx((1 + 3 / scale) ** -1.5)
    far = target.tail(200_000)
    assert float(rho[100:].sum()) + far == pytest.approx(target.tail(100), rel=1e-12)
    assert float(rho.sum()) + far == pytest.approx(target.l1, rel=1e-12)
