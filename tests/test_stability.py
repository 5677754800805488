import math

import torch

from com import horizon, models, stability


def test_certified_upper_bounds_dense_perturbations():
    """The bound covers the whole ball, dense dW included (brute force on a window
    long enough for every perturbed mode to die, plus the target's tail)."""
    gen = torch.Generator().manual_seed(1)
    memory = horizon.power(1.5)
    delta, g = torch.tensor([[0.2, 0.05, 1.0]]), torch.tensor([[0.5, 0.3, 0.0]])
    u, c = stability.split(g[0])
    E0 = horizon.error(memory, delta, g)
    beta = 0.01
    up = stability.certified_upper(memory, delta, g, E0, torch.tensor([beta]))[0, 0]
    T = 6000
    for _ in range(20):
        dW = torch.randn(3, 3, generator=gen)
        dW = beta * dW / torch.linalg.matrix_norm(dW, 2)
        du, dc = (beta * v / v.norm() for v in torch.randn(2, 3, generator=gen))
        A = torch.diag(1 - delta[0]) + dW
        K = models.dense_kernel(A, u + du, c + dc, T)
        t = torch.arange(T, dtype=torch.float64)
        e = float(((memory.kernel(t) - K).abs().sum() + memory.tail(T)) / memory.l1)
        assert e <= float(up) + 1e-9


def test_radius_sits_below_the_edge_and_above_the_certificate():
    memory = horizon.power(1.5)
    delta = torch.tensor([[0.3, 0.01, 1.0], [0.3, 1e-4, 1e-2]])
    g = torch.tensor([[0.5, 0.3, 0.0], [0.4, 0.2, 0.2]])
    betas = torch.logspace(-7, -0.5, 40)
    gen = torch.Generator().manual_seed(0)
    C = stability.curve(memory, delta, g, torch.tensor([3, 3]), betas, 3, gen)
    r = stability.radius(betas, C["E"], C["E0"], 0.1)
    up = stability.certified_upper(memory, delta, g, C["E0"], betas)
    r_lo = stability.radius(betas, up, C["E0"], 0.1)
    assert torch.all(up >= C["E"] * (1 - 1e-6))
    assert torch.all(r <= torch.tensor([0.01, 1e-4]) * 1.0001)
    assert torch.all(r_lo <= r)
    assert r[1] < r[0] / 10


def test_stable_parameterisations_never_reach_the_edge():
    delta = torch.tensor([1e-12, 0.5])
    for pname in ("exp", "softplus"):
        assert torch.all(stability.moved(delta, torch.tensor(3.0), pname) > 0)
    assert torch.all(stability.moved(delta, torch.tensor(1e-12), "direct")[0] <= 0)


def test_crossings_find_where_the_wider_model_loses():
    betas = torch.logspace(-4, 0, 5)
    E = torch.tensor([[1.0, 1.0, 1.0, 1.0, 1.0],
                      [0.1, 0.1, 5.0, 9.0, 9.0],           # crosses between 1e-3 and 1e-2
                      [0.01, 0.01, 0.01, 0.01, 0.01]])     # never crosses its neighbour
    cr = stability.crossings(betas, E)
    assert 1e-3 < float(cr[0]) < 1e-2 and math.isinf(cr[1])


def test_edge_bound_holds_for_a_fit_and_shrinks_with_the_error():
    memory = horizon.power(1.5)
    E0 = torch.tensor([0.3, 0.01])
    b = stability.edge_bound(memory, E0, torch.tensor([1.0, 1.0]))
    assert b[1] < b[0] / 10
    geo = stability.edge_bound(horizon.geometric(0.9), torch.tensor([0.0]), torch.tensor([1.0]))
    assert abs(float(geo) - 0.1) < 1e-3                          # exact fit: its own rate
