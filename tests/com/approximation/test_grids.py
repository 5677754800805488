import torch

from com.approximation import grids


def test_lag_grid_is_fine_then_geometric():
    t = grids.lag_grid(1e4, fine_until=10.0, n_fine=100, n_coarse=50)
    assert t.shape == (150,) and t[0] == 0 and float(t[-1]) == 1e4
    assert torch.all(t[1:] > t[:-1])
    steps = t[1:] - t[:-1]
    assert torch.allclose(steps[:99], torch.full((99,), 0.1))        # uniform to 10
    assert float(steps[-1]) > 100 * float(steps[0])                  # then geometric


def test_lag_weights_uniform_and_weighted():
    assert torch.allclose(grids.lag_weights(4), torch.tensor([4, 3, 2, 1]) / 4)
    v = torch.tensor([1.0, 2.0, 0.0])
    assert torch.allclose(grids.lag_weights(3, v), torch.tensor([5.0, 4.0, 0.0]) / 3)


def test_quadrature_weights_integrate_exactly_linear():
    t = torch.tensor([0.0, 0.5, 2.0, 5.0])
    assert torch.isclose((grids.quadrature_weights(t) * (3 * t + 1)).sum(), torch.tensor(42.5))
