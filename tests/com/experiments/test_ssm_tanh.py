import math

import torch

from com import memory
from com.approximation import exp_sums
from com.experiments import ssm_tanh


def small(power=1.5, widths=(2, 4, 8)):
    mem = memory.power(power)
    return mem, exp_sums.fits(mem, list(widths), exp_sums.delta_grid(1e-8, 10))


def test_the_ceiling_bounds_every_error_and_the_floor_is_the_formula():
    assert abs(ssm_tanh.ceiling(2.0) - (0.5 + math.tanh(2) / 2) / (math.tanh(2) / 2)) < 1e-12
    mu = 0.1 * 0.05 * 3.0 * (math.tanh(2) / 2) / (1 + math.tanh(0.05))
    assert abs(ssm_tanh.floor(1.5, 3.0, 0.05, 2.0, 0.1) - (0.5 * mu) ** 2) < 1e-15


def test_a_cell_brackets_its_radius_and_stays_below_the_ceiling():
    """Direct f on a power law: the certified radius is below the sampled one, every
    sampled error is at most the ceiling (saturation: never infinite), and the layer-2
    pre-activation reaches about kappa."""
    mem, fit = small()
    betas, fine = torch.logspace(-10, -0.5, 40), torch.logspace(-10, -0.5, 64)
    out = ssm_tanh.cell(mem, fit, [2, 4, 8], "direct", betas, fine, 1,
                        torch.Generator().manual_seed(0), 0.05, 2.0, 0.1)
    assert bool((out["radius_lower"] <= out["radius"] * float(betas[1] / betas[0])).all())
    assert bool((out["E"] <= ssm_tanh.ceiling(2.0) + 1e-9).all())
    assert bool((out["E0_lower"] <= out["E0"]).all())
    assert 1.5 <= float(out["z"].max()) <= 2.0 * (1 + 1e-9)
