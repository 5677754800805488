import pytest
import torch

from com.memory import slew
from com.models.kernels import convolve_lagged


def test_small_signal_memory_is_exactly_the_power_law():
    target = slew.make(p=1.5)
    x = 1e-7 * torch.randn(3, 400, generator=torch.Generator().manual_seed(0),
                           dtype=torch.float64)
    y, _ = slew.run(target, x)
    ref = convolve_lagged(target.rho(torch.arange(400, dtype=torch.float64)), x)
    assert float((y - ref).abs().max() / ref.abs().max()) < 1e-6


def test_remainder_is_nonnegative():
    assert bool((slew.make(p=1.5).r(torch.arange(100000, dtype=torch.float64)) >= 0).all())


def test_the_target_is_nonlinear_at_unit_amplitude_and_not_when_slew_is_small():
    x = torch.sign(torch.randn(4, 200, generator=torch.Generator().manual_seed(3),
                               dtype=torch.float64))
    y0, _ = slew.run(slew.make(p=1.5, kappa=1e-8), x)
    y, _ = slew.run(slew.make(p=1.5, kappa=3.0), x)
    assert float((y - y0).abs().max() / y0.abs().max()) > 0.2


def test_affine_floor_of_a_saturating_output():
    assert slew.affine_floor(2.0) > 0.1 and slew.affine_floor(1e-3) < 1e-8


def test_memory_object_sums_to_its_l1():
    for tail in (True, False):
        mem = slew.make(tail=tail).memory()
        t = torch.arange(20000, dtype=torch.float64)
        assert abs(float(mem.kernel(t).sum()) + mem.tail(20000) - mem.l1) < 1e-3 * mem.l1


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="n_units"):
        slew.make(n_units=4)
