import numpy as np
import pytest
import torch

from com import approximation as A
from com import memory, models


@pytest.fixture(scope="module")
def t():
    return A.lag_grid(horizon=1e3, n_fine=800, n_coarse=800)


def test_exact_exponential_sum_is_fitted_exactly(t):
    rho = 2 * torch.exp(-t) - torch.exp(-3 * t)
    assert torch.allclose(A.fit_fixed_rates(t, rho, 3), rho, atol=1e-10)
    c = A.fixed_rate_coefficients(t, rho, 3)
    assert torch.allclose(c, torch.tensor([2.0, 0.0, -1.0]), atol=1e-8)


def test_coefficients_reproduce_fit(t):
    rho = memory.exponential_mixture(t, 1.0)
    c = A.fixed_rate_coefficients(t, rho, 6)
    K = models.diagonal_kernel(t, torch.arange(1.0, 7.0), c)
    assert torch.allclose(K, A.fit_fixed_rates(t, rho, 6), atol=1e-10)


def test_l1_error_and_tail(t):
    rho = torch.exp(-t)
    assert A.l1_error(t, rho, torch.zeros_like(rho)).item() == pytest.approx(1.0, rel=1e-4)
    assert A.l1_error(t, rho, rho, tail=0.25).item() == 0.25


def test_errors_decrease_with_width(t):
    rhos = torch.stack([memory.exponential_mixture(t, 1.0), memory.polynomial(t, 0.5)])
    err = A.fixed_rate_errors(t, rhos, [2, 4, 8], tails=[0.0, memory.polynomial_tail(1e3, 0.5)])
    assert err.shape == (2, 3)
    assert np.all(np.diff(err, axis=1) < 0)
    assert err[1, -1] > 10 * err[0, -1]                      # polynomial memory is the hard one


def test_power_law_fit_exact():
    m = np.array([2, 4, 8, 16])
    p, logc, r2 = A.power_law_fit(m, 3.0 * m ** -1.5)
    assert (p, np.exp(logc), r2) == pytest.approx((1.5, 3.0, 1.0))


def test_log_law_and_its_inverse():
    eps, omega = 0.4, 0.5
    m = A.width_for_error(eps, omega)
    assert A.log_law(m, omega) == pytest.approx(eps)
    assert A.width_for_error(0.01, 0.05) == float("inf")
    errs = A.log_law(np.array([8, 16, 32]), 0.3, a=1.7)
    assert A.fit_log_law([8, 16, 32], errs, 0.3) == pytest.approx(1.7)


def test_first_width_below():
    assert A.first_width_below([2, 4, 8], [0.9, 0.4, 0.1], 0.5) == 4
    assert A.first_width_below([2, 4, 8], [0.9, 0.8, 0.7], 0.5) is None
