import math
from functools import partial

import torch

from com import memory
from com.approximation import exp_sums, horizon
from com.models import families
from com.stability import bounds, curves, perturbations, verdict


def small_fit():
    target = memory.power(1.5)
    return target, exp_sums.fits(target, [2, 8], exp_sums.delta_grid(1e-8, 10))


def test_radius_sits_below_the_edge_and_above_the_certificate():
    target = memory.power(1.5)
    delta = torch.tensor([[0.3, 0.01, 1.0], [0.3, 1e-4, 1e-2]])
    g = torch.tensor([[0.5, 0.3, 0.0], [0.4, 0.2, 0.2]])
    betas = torch.logspace(-7, -0.5, 40)
    gen = torch.Generator().manual_seed(0)
    C = curves.diagonal_curve(target, delta, g, torch.tensor([3, 3]), betas, 3, gen)
    r = verdict.radius(betas, C["E"], C["E0"], 0.1)
    up = bounds.certified_upper(target, delta, g, C["E0"], betas)
    r_lo = verdict.radius(betas, up, C["E0"], 0.1)
    assert torch.all(up >= C["E"] * (1 - 1e-6))
    assert torch.all(r <= torch.tensor([0.01, 1e-4]) * 1.0001)
    assert torch.all(r_lo <= r)
    assert r[1] < r[0] / 10


def test_the_one_curve_routine_batches_models_either_way():
    """Per model (each on its own grid) or all models in one call, the same E0 and
    E(b, d), with E0 the error of the unperturbed model among its perturbations."""
    target = memory.power(1.5)
    delta = torch.tensor([[0.3, 0.01, 1.0], [0.3, 1e-4, 1e-2]])
    w = torch.tensor([[0.5, 0.3, 0.0], [0.4, 0.2, 0.2]])
    moved = perturbations.edge(delta, torch.tensor([1e-5, 1e-3]))
    g = w[:, None, None].expand_as(moved)
    err = partial(horizon.window_error, target, T=64)
    E0, E = curves.curve(err, (delta, w), (moved, g))
    E0b, Eb = curves.curve(lambda d, v: err(d, v), (delta, w), (moved, g), per_model=False)
    assert E.shape == (2, 2, 1) and torch.allclose(E0, E0b) and torch.allclose(E, Eb)
    assert torch.allclose(E0, horizon.window_error(target, delta, w, 64))
    assert torch.all(E[:, 1] >= E[:, 0])                           # further, worse


def test_every_family_has_the_approximants_error_at_rest():
    target, fit = small_fit()
    betas = torch.logspace(-8, -1, 6)
    for name, fam in families.FAMILIES.items():
        g = torch.Generator().manual_seed(0)
        C = curves.family_curve(fam, "best", target, fit, [2, 8], betas, 1, g)
        assert torch.allclose(C["E0"], fit["E0"], rtol=1e-3), name  # grids differ


def test_direct_is_unstable_and_exp_is_not_past_the_slowest_mode():
    target, fit = small_fit()
    edge = float(exp_sums.edge_distance(fit["delta"][1], fit["g"][1]))
    betas = torch.tensor([2 * edge])
    fam = families.FAMILIES["diagonal"]
    direct = curves.family_curve(fam, "direct", target, fit, [2, 8], betas, 0,
                                 torch.Generator())
    stable = curves.family_curve(fam, "exp", target, fit, [2, 8], betas, 0, torch.Generator())
    assert math.isinf(direct["E"][1, 0]) and math.isfinite(stable["E"][1, 0])
    assert torch.allclose(direct["E0"], stable["E0"])
