import math

import torch

from com import memory
from com.approximation import horizon
from com.models.kernels import dense_kernel
from com.stability import bounds, perturbations


def test_certified_upper_bounds_dense_perturbations():
    """The bound covers the whole ball, dense dW included (brute force on a window
    long enough for every perturbed mode to die, plus the target's tail)."""
    gen = torch.Generator().manual_seed(1)
    target = memory.power(1.5)
    delta, g = torch.tensor([[0.2, 0.05, 1.0]]), torch.tensor([[0.5, 0.3, 0.0]])
    u, c = perturbations.split(g[0])
    E0 = horizon.error(target, delta, g)
    beta = 0.01
    up = bounds.certified_upper(target, delta, g, E0, torch.tensor([beta]))[0, 0]
    T = 6000
    for _ in range(20):
        dW = torch.randn(3, 3, generator=gen)
        dW = beta * dW / torch.linalg.matrix_norm(dW, 2)
        du, dc = (beta * v / v.norm() for v in torch.randn(2, 3, generator=gen))
        A = torch.diag(1 - delta[0]) + dW
        K = dense_kernel(A, u + du, c + dc, T)
        t = torch.arange(T, dtype=torch.float64)
        e = float(((target.kernel(t) - K).abs().sum() + target.tail(T)) / target.l1)
        assert e <= float(up) + 1e-9


def test_crossings_find_where_the_wider_model_loses():
    betas = torch.logspace(-4, 0, 5)
    E = torch.tensor([[1.0, 1.0, 1.0, 1.0, 1.0],
                      [0.1, 0.1, 5.0, 9.0, 9.0],           # crosses between 1e-3 and 1e-2
                      [0.01, 0.01, 0.01, 0.01, 0.01]])     # never crosses its neighbour
    cr = bounds.crossings(betas, E)
    assert 1e-3 < float(cr[0]) < 1e-2 and math.isinf(cr[1])


def test_edge_bound_holds_for_a_fit_and_shrinks_with_the_error():
    target = memory.power(1.5)
    E0 = torch.tensor([0.3, 0.01])
    b = bounds.edge_bound(target, E0, torch.tensor([1.0, 1.0]))
    assert b[1] < b[0] / 10
    geo = bounds.edge_bound(memory.geometric(0.9), torch.tensor([0.0]), torch.tensor([1.0]))
    assert abs(float(geo) - 0.1) < 1e-3                          # exact fit: its own rate


def test_window_lower_is_uniform_in_width_and_falls_with_the_window():
    target = memory.power(1.5)
    short = bounds.window_lower(target, 64, 1.0, 1.0, 0.1)
    long = bounds.window_lower(target, 4096, 1.0, 1.0, 0.1)
    assert 0 < long < short < 1
