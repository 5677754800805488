import math

import torch
from scipy import special

from com import horizon


def brute(memory, delta, g, T):
    """sum_{t < T} |rho_t - K_t| lag by lag, plus the target's tail after T."""
    t = torch.arange(T, dtype=torch.float64)
    K = (g[:, None] * (1 - delta[:, None]) ** t).sum(0)
    return float((memory.kernel(t) - K).abs().sum() + memory.tail(T)) / memory.l1


def test_error_agrees_with_a_long_window():
    gen = torch.Generator().manual_seed(0)
    for memory in (horizon.power(1.5), horizon.power(1.1), horizon.geometric(0.9)):
        delta = torch.logspace(-3, 0, 6) * (1 + 0.1 * torch.rand(6, generator=gen)).clamp(max=1)
        g = torch.rand(6, generator=gen) / 6
        exact = brute(memory, delta, g, 200_000)        # every mode below e^-200 by then
        assert abs(float(horizon.error(memory, delta, g)) - exact) <= 1e-6 * exact


def test_unstable_is_infinite_and_dead_units_do_not_count():
    memory = horizon.power(1.5)
    g = torch.tensor([0.5, 0.5])
    assert math.isinf(horizon.error(memory, torch.tensor([0.1, 0.0]), g))
    assert math.isinf(horizon.error(memory, torch.tensor([0.1, -1e-9]), g))
    assert math.isinf(horizon.error(memory, torch.tensor([0.1, 2.0]), g))      # a = -1
    fine = horizon.error(memory, torch.tensor([0.1, 0.0]), torch.tensor([0.5, 0.0]))
    assert math.isfinite(fine)


def test_tails_and_norms_are_the_closed_forms():
    p = horizon.power(1.5)
    assert abs(p.l1 - special.zeta(1.5)) < 1e-12
    partial = float((torch.arange(1000, dtype=torch.float64) + 1).pow(-1.5).sum())
    assert abs(partial + p.tail(1000) - p.l1) < 1e-12
    q = horizon.geometric(0.9)
    assert abs(q.l1 - 10) < 1e-12 and abs(q.tail(3) - 0.729 / 0.1) < 1e-12


def test_window_error_is_the_plain_sum():
    memory = horizon.power(1.1)
    delta, g = torch.tensor([0.5, 0.01]), torch.tensor([0.3, 0.2])
    t = torch.arange(64, dtype=torch.float64)
    rho = memory.kernel(t)
    K = 0.3 * 0.5 ** t + 0.2 * 0.99 ** t
    want = (rho - K).abs().sum() / rho.sum()
    assert torch.allclose(horizon.window_error(memory, delta, g, 64), want)


def test_powers_handle_negative_modes_and_the_edge():
    t = torch.arange(5, dtype=torch.float64)
    got = horizon.powers(torch.tensor([1.5, 1e-20, 1.0]), t)
    assert torch.allclose(got[0], (-0.5) ** t)
    assert torch.all(got[1] == 1.0)                       # 1 - 1e-20 rounds, log1p does not
    assert torch.allclose(got[2], torch.tensor([1.0, 0, 0, 0, 0]), rtol=0, atol=1e-300)


def test_exp_sum_in_blocks_is_exp_sum_whole(monkeypatch):
    """The blocks only bound memory: the same values, bit for bit, for any block size."""
    g0 = torch.Generator().manual_seed(3)
    delta = torch.rand(2, 7, 5, generator=g0, dtype=torch.float64) * 1.5 + 1e-3
    g = torch.randn(2, 7, 5, generator=g0, dtype=torch.float64)
    t = torch.arange(40, dtype=torch.float64)
    whole = torch.einsum("...m,...mt->...t", g, horizon.powers(delta, t))
    for chunk in (1, 200, 10 ** 9):
        monkeypatch.setattr(horizon, "CHUNK", chunk)
        assert torch.equal(horizon.exp_sum(delta, g, t), whole)
    assert horizon.exp_sum(delta[:0], g[:0], t).shape == (0, 7, 40)
