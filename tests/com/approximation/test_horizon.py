import math

import torch
from scipy import special

from com import memory
from com.approximation import horizon


def brute(target, delta, g, T):
    """sum_{t < T} |rho_t - K_t| lag by lag, plus the target's tail after T."""
    t = torch.arange(T, dtype=torch.float64)
    K = (g[:, None] * (1 - delta[:, None]) ** t).sum(0)
    return float((target.kernel(t) - K).abs().sum() + target.tail(T)) / target.l1


def test_error_agrees_with_a_long_window():
    gen = torch.Generator().manual_seed(0)
    for target in (memory.power(1.5), memory.power(1.1), memory.geometric(0.9)):
        delta = torch.logspace(-3, 0, 6) * (1 + 0.1 * torch.rand(6, generator=gen)).clamp(max=1)
        g = torch.rand(6, generator=gen) / 6
        exact = brute(target, delta, g, 200_000)        # every mode below e^-200 by then
        assert abs(float(horizon.error(target, delta, g)) - exact) <= 1e-6 * exact


def test_unstable_is_infinite_and_dead_units_do_not_count():
    target = memory.power(1.5)
    g = torch.tensor([0.5, 0.5])
    assert math.isinf(horizon.error(target, torch.tensor([0.1, 0.0]), g))
    assert math.isinf(horizon.error(target, torch.tensor([0.1, -1e-9]), g))
    assert math.isinf(horizon.error(target, torch.tensor([0.1, 2.0]), g))      # a = -1
    fine = horizon.error(target, torch.tensor([0.1, 0.0]), torch.tensor([0.5, 0.0]))
    assert math.isfinite(fine)


def test_tails_and_norms_are_the_closed_forms():
    p = memory.power(1.5)
    assert abs(p.l1 - special.zeta(1.5)) < 1e-12
    partial = float((torch.arange(1000, dtype=torch.float64) + 1).pow(-1.5).sum())
    assert abs(partial + p.tail(1000) - p.l1) < 1e-12
    q = memory.geometric(0.9)
    assert abs(q.l1 - 10) < 1e-12 and abs(q.tail(3) - 0.729 / 0.1) < 1e-12


def test_window_error_is_the_plain_sum():
    target = memory.power(1.1)
    delta, g = torch.tensor([0.5, 0.01]), torch.tensor([0.3, 0.2])
    t = torch.arange(64, dtype=torch.float64)
    rho = target.kernel(t)
    K = 0.3 * 0.5 ** t + 0.2 * 0.99 ** t
    want = (rho - K).abs().sum() / rho.sum()
    assert torch.allclose(horizon.window_error(target, delta, g, 64), want)
