import itertools

import torch

from com import memory
from com.approximation import exp_sums, horizon, wiener


def test_the_error_is_the_l1_error_in_the_linear_limit():
    mem = memory.power(1.5)
    fit = exp_sums.fits(mem, [8], exp_sums.delta_grid(1e-12, 16))
    d, g = fit["delta"], fit["g"]
    lin = float(wiener.error(mem, d, g, kappa=1e-6))
    assert abs(lin - float(horizon.error(mem, d, g)[0])) < 1e-5


def test_the_zonotope_sup_matches_brute_force_on_short_kernels():
    """Every sign input of a short kernel pair, and lines along each coordinate through
    the best one: none beats the boundary sup, which they reach to 1e-4."""
    gen = torch.Generator().manual_seed(3)
    L, kappa = 9, 2.0
    A = torch.rand(1, L, generator=gen, dtype=torch.float64) * 0.4 - 0.05
    B = torch.rand(L, generator=gen, dtype=torch.float64) * 0.3 + 0.01
    z = float(wiener.zonotope_sup(A, B, kappa, refine=L, points=201))
    best, arg = 0.0, None
    for s in itertools.product((-1.0, 1.0), repeat=L):
        x = torch.tensor(s, dtype=torch.float64)
        v = float((wiener.phi(A[0] @ x, kappa) - wiener.phi(B @ x, kappa)).abs())
        if v > best:
            best, arg = v, x
    u = torch.linspace(-1, 1, 401, dtype=torch.float64)
    for i in range(L):
        x = arg.expand(len(u), L).clone()
        x[:, i] = u
        best = max(best, float((wiener.phi(x @ A[0], kappa)
                                - wiener.phi(x @ B, kappa)).abs().max()))
    assert best <= z + 1e-9 and z <= best + 1e-4
