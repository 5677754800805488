"""The copies of each concept that the reshaping of com merges into one home agree
(issue 28): checked here on the old layout, before one copy of each is deleted."""
import math

import numpy as np
import pytest
import torch

from com import (
    approximation,
    horizon,
    memory,
    models,
    parameterisations,
    plateaus,
    residual,
)

G = torch.Generator().manual_seed(0)


def test_powers_in_lambda_and_in_delta_agree():
    lam = torch.cat([torch.rand(5, generator=G), -torch.rand(3, generator=G), torch.zeros(1)])
    t = torch.arange(40.0)
    a = models.signed_powers(lam, 40)
    b = horizon.powers(1 - lam, t)
    assert torch.allclose(a, b, rtol=1e-12, atol=1e-300)


def test_exponential_sums_agree():
    lam, c, u = torch.rand(3, 6, generator=G), torch.randn(3, 6, generator=G), \
        torch.randn(3, 6, generator=G)
    t = torch.arange(30.0)
    K = horizon.exp_sum(1 - lam, c, t)
    assert torch.allclose(models.discrete_diagonal_kernel(lam, c, 30), K, rtol=1e-12)
    assert torch.allclose(models.normalised_discrete_kernel(lam, c, 30),
                          horizon.exp_sum(1 - lam, c * (1 - lam), t), rtol=1e-12)
    w, dt = -torch.rand(3, 6, generator=G), 0.5
    Kr = residual.diagonal_kernel(w, u, c, 30, dt)
    assert torch.allclose(Kr[..., 1:], dt * horizon.exp_sum(-dt * w, c * u, t[:-1]),
                          rtol=1e-12)


@pytest.mark.parametrize("time", ["continuous", "discrete"])
def test_the_two_tables_of_f_agree(time):
    table = parameterisations.CONTINUOUS if time == "continuous" else parameterisations.DISCRETE
    w = torch.linspace(-2.0, 2.0, 41)
    for name, p in table.items():
        to_delta, from_delta = parameterisations.distance(time, name)
        edge = -p.f(w) if time == "continuous" else 1 - p.f(w)
        # the delta table stores discrete "direct" as w = a - 1 (delta = -w, exact near 1)
        raw = w - 1 if (time, name) == ("discrete", "direct") else w
        assert torch.allclose(to_delta(raw), edge, rtol=1e-12, atol=1e-15), name
        d = torch.logspace(-6, -0.5, 20)
        lam = -d if time == "continuous" else 1 - d
        back = from_delta(d) + (1 if (time, name) == ("discrete", "direct") else 0)
        assert torch.allclose(p.f(back), lam, rtol=1e-9), name


def test_the_two_memory_types_agree():
    t = torch.arange(200.0)
    for p in (1.1, 1.5):
        assert torch.allclose(horizon.power(p).kernel(t), memory.polynomial(t, p - 1),
                              rtol=1e-13)
    a = 0.9
    assert torch.allclose(horizon.geometric(a).kernel(t), memory.exponential(t, -math.log(a)),
                          rtol=1e-13)


def test_the_log_linear_fits_agree():
    x = np.linspace(1, 10, 12)
    y = 3 * np.exp(-0.7 * x) * (1 + 0.01 * np.sin(5 * x))
    rate, icpt, r2 = plateaus.exponential_fit(x, y)
    p, logc, r2p = approximation.power_law_fit(np.exp(x), y)
    assert (rate, icpt, r2) == (-p, logc, r2p)
    assert memory.decay_rate(torch.tensor(x), torch.tensor(y)) == pytest.approx(-rate, rel=1e-12)
    assert np.polyfit(x, np.log(y), 1)[0] == rate
