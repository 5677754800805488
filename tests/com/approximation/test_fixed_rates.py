import math

import numpy as np
import pytest
import torch
from numpy.polynomial import legendre
from scipy.special import eval_jacobi

from com import memory
from com.approximation import fixed_rates, grids


def test_basis_is_the_jacobi_recurrence_and_orthonormal_in_l2_dt():
    u, w = fixed_rates.panels(40)
    Phi = np.stack(list(fixed_rates.basis(40, u)))                       # (M, N)
    for n in (0, 1, 2, 7, 39):
        ref = math.sqrt(2 * (n + 1)) * u * eval_jacobi(n, 0, 1, 2 * u - 1)
        assert np.allclose(Phi[n], ref, atol=1e-10 * (n + 1) ** 1.5)
    G = (Phi * (w / u)) @ Phi.T
    assert np.abs(G - np.eye(40)).max() < 1e-11


def test_errors_are_those_of_least_squares_on_a_fine_grid():
    """An independent reference: the L2(dt) fit on e^{-kt}, k <= m, by least squares in
    a Legendre basis on a fine lag grid, and its relative L1 error with the same tail."""
    t = grids.lag_grid(1e4, n_fine=4000, n_coarse=4000)
    q = grids.quadrature_weights(t).numpy()
    u = np.exp(-t.numpy())
    for mem in (memory.polynomial(0.5), memory.exponential_mixture(0.5)):
        rho = mem.kernel(t).numpy()
        got = fixed_rates.errors(mem, 16)
        for m in (1, 4, 16):
            B = legendre.legvander(2 * u - 1, m - 1) * u[:, None]
            c, *_ = np.linalg.lstsq(B * np.sqrt(q)[:, None], rho * np.sqrt(q), rcond=None)
            ref = ((np.abs(rho - B @ c) * q).sum() + mem.tail(1e4)) / mem.l1
            assert got[m - 1] == pytest.approx(ref, rel=2e-3)


def test_a_target_in_the_span_is_fitted_exactly_from_its_width():
    """e^{-t} + e^{-3t} lies in the width-3 span: error ~0 from m = 3, not before."""
    mem = memory.Memory("in span", lambda t: torch.exp(-t) + torch.exp(-3 * t),
                        lambda T: math.exp(-T) + math.exp(-3 * T) / 3, 1 + 1 / 3)
    e = fixed_rates.errors(mem, 6)
    assert e[1] > 1e-3 and np.all(e[2:] < 1e-10)


def test_widths_pick_their_columns_and_errors_fall():
    mems = [memory.exponential_mixture(1.0), memory.polynomial(0.5)]
    err = fixed_rates.fixed_rate_errors(mems, [2, 4, 8])
    assert err.shape == (2, 3)
    assert np.allclose(err[1], fixed_rates.errors(mems[1], 8)[[1, 3, 7]])
    assert np.all(np.diff(err, axis=1) < 0)
    assert err[1, -1] > 10 * err[0, -1]                      # polynomial memory is the hard one
