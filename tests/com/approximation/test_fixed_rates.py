import numpy as np
import pytest
import torch

from com import memory
from com.approximation import fixed_rates, grids


@pytest.fixture(scope="module")
def t():
    return grids.lag_grid(horizon=1e3, n_fine=800, n_coarse=800)


def test_exact_exponential_sum_is_fitted_exactly(t):
    rho = 2 * torch.exp(-t) - torch.exp(-3 * t)
    assert torch.allclose(fixed_rates.fit_fixed_rates(t, rho, 3), rho, atol=1e-10)


def test_l1_error_and_tail(t):
    rho = torch.exp(-t)
    whole = fixed_rates.l1_error(t, rho, torch.zeros_like(rho)).item()
    assert whole == pytest.approx(1.0, rel=1e-4)
    assert fixed_rates.l1_error(t, rho, rho, tail=0.25).item() == 0.25


def test_errors_decrease_with_width(t):
    rhos = torch.stack([memory.exponential_mixture(1.0).kernel(t),
                        memory.polynomial(0.5).kernel(t)])
    err = fixed_rates.fixed_rate_errors(t, rhos, [2, 4, 8],
                                        tails=[0.0, memory.polynomial(0.5).tail(1e3)])
    assert err.shape == (2, 3)
    assert np.all(np.diff(err, axis=1) < 0)
    assert err[1, -1] > 10 * err[0, -1]                      # polynomial memory is the hard one
