import numpy as np
import pytest
import torch

from com.approximation import laws


def test_power_law_fit_exact():
    m = np.array([2, 4, 8, 16])
    p, logc, r2 = laws.power_law_fit(m, 3.0 * m ** -1.5)
    assert (p, np.exp(logc), r2) == pytest.approx((1.5, 3.0, 1.0))


def test_log_law_and_its_inverse():
    eps, omega = 0.4, 0.5
    m = laws.width_for_error(eps, omega)
    assert laws.log_law(m, omega) == pytest.approx(eps)
    assert laws.width_for_error(0.01, 0.05) == float("inf")
    errs = laws.log_law(np.array([8, 16, 32]), 0.3, a=1.7)
    assert laws.fit_log_law([8, 16, 32], errs, 0.3) == pytest.approx(1.7)


def test_first_width_below():
    assert laws.first_width_below([2, 4, 8], [0.9, 0.4, 0.1], 0.5) == 4
    assert laws.first_width_below([2, 4, 8], [0.9, 0.8, 0.7], 0.5) is None


def test_the_log_linear_fits_are_one():
    """Power laws, exponential rates and memory decay rates are one least-squares fit
    of log y against x (np.polyfit's, as the chapters' own slopes)."""
    x = np.linspace(1, 10, 12)
    y = 3 * np.exp(-0.7 * x) * (1 + 0.01 * np.sin(5 * x))
    rate, icpt, r2 = laws.log_linear_fit(x, y)
    p, logc, r2p = laws.power_law_fit(np.exp(x), y)
    assert (rate, icpt, r2) == (-p, logc, r2p)
    assert np.polyfit(x, np.log(y), 1)[0] == rate
    assert laws.decay_rate(torch.tensor(x), torch.tensor(y)) == -rate


def test_decay_rate_recovers_exponent_above_its_floor():
    t = torch.linspace(0, 10, 101)
    assert laws.decay_rate(t, 3 * torch.exp(-0.7 * t)) == pytest.approx(0.7, rel=1e-10)
    M = torch.exp(-5 * t)                                  # below 1e-12 after t ~ 5.5
    assert laws.decay_rate(t, M) == pytest.approx(5.0, rel=1e-10)
    assert np.isnan(laws.decay_rate(t, 1e-20 * M))          # nothing above the floor


def test_tail_slope_tells_power_laws_from_exponentials():
    t = torch.arange(1, 2000, dtype=torch.float64)
    M = torch.stack([(t + 1) ** -1.5, (t + 1) ** -3.0, 0.995 ** t, 0.9 ** t, 0 * t])
    s = laws.tail_slope(t, M)
    assert abs(float(s[0]) + 1.5) < 0.01 and abs(float(s[1]) + 3.0) < 0.01
    assert float(s[2]) < -5                                     # -r t at t ~ 1500
    assert laws.decays_exponentially(t, M, 1e-10, 4.0).tolist() == [False, False, True,
                                                                     True, True]
    assert not laws.decays_exponentially(t, M[2:3], 1e-10, 8.0)    # too slow for slope 8
