import torch

from com import memory
from com.approximation import exp_sums, horizon


def test_fits_improve_with_width_with_bounded_positive_weights():
    target = memory.power(1.5)
    f = exp_sums.fits(target, [2, 8], exp_sums.delta_grid(1e-10, 19))
    assert f["E0"][1] < f["E0"][0] / 3
    assert torch.all(f["g"] >= 0)
    assert torch.all((f["g"].sum(-1) - 1).abs() < 0.05)          # K_0 ~ rho_0 = 1
    edge = exp_sums.edge_distance(f["delta"], f["g"])
    assert edge[1] < edge[0]                                       # the tail asks for slow modes


def test_a_wider_model_is_never_worse():
    target = memory.geometric(0.9)
    f = exp_sums.fits(target, [2, 3, 4], exp_sums.delta_grid(1e-6, 12))
    assert torch.all(f["E0"][1:] <= f["E0"][:-1] + 1e-15)


def test_pruning_costs_at_most_its_share():
    target = memory.power(1.5)
    delta = torch.logspace(-6, 0, 8)[None]
    g = torch.full((1, 8), 1 / 8)
    err = horizon.error(target, delta, g) * target.l1
    d2, g2 = exp_sums.prune(delta, g, err, share=0.1)
    assert float(horizon.error(target, d2, g2) * target.l1) <= 1.1 * float(err) + 1e-12
    assert torch.all(d2[g2 == 0] == 1.0)                           # removed units are inert
