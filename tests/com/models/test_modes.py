import math

import torch

from com.models import modes
from com.models.kernels import powers


def brute(d1, d2, T=200000):
    t = torch.arange(T, dtype=torch.float64)
    return float((d1 * powers(t, delta=torch.tensor(d1)) - d2 * powers(
        t, delta=torch.tensor(d2))).abs().sum())


def test_shift_is_the_l1_distance_of_normalised_modes():
    for d1, d2 in ((0.5, 0.1), (0.01, 0.02), (1.0, 0.3), (1.5, 0.4)):
        got = float(modes.shift(torch.tensor(d1, dtype=torch.float64),
                                torch.tensor(d2, dtype=torch.float64)))
        if d1 <= 1:                                                  # exact
            assert abs(got - brute(d1, d2)) <= 1e-6 * brute(d1, d2)
        else:                                                        # alternating: a bound
            assert brute(d1, d2) * (1 - 1e-9) <= got <= 1.01 * brute(d1, d2)


def test_mass_and_moves_past_the_edge():
    d = torch.tensor([0.5, 1.5, 0.0, 2.0], dtype=torch.float64)
    m = modes.mass(d)
    assert m[0] == 1 and abs(float(m[1]) - 3.0) < 1e-12 and math.isinf(m[2]) and math.isinf(m[3])
    mu, nu = modes.moves(torch.tensor([0.1]), torch.tensor([0.05]), torch.tensor([0.2]))
    assert float(mu) >= float(modes.shift(torch.tensor(0.1), torch.tensor(0.05)))
    assert float(nu) == 1.0
    mu, _ = modes.moves(torch.tensor([0.1]), torch.tensor([-0.01]), torch.tensor([0.2]))
    assert math.isinf(float(mu))
