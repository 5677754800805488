import torch

from com import approximants, horizon


def test_fits_improve_with_width_with_bounded_positive_weights():
    memory = horizon.power(1.5)
    f = approximants.fits(memory, [2, 8], approximants.delta_grid(1e-10, 19))
    assert f["E0"][1] < f["E0"][0] / 3
    assert torch.all(f["g"] >= 0)
    assert torch.all((f["g"].sum(-1) - 1).abs() < 0.05)          # K_0 ~ rho_0 = 1
    edge = approximants.edge_distance(f["delta"], f["g"])
    assert edge[1] < edge[0]                                       # the tail asks for slow modes


def test_a_wider_model_is_never_worse():
    memory = horizon.geometric(0.9)
    f = approximants.fits(memory, [2, 3, 4], approximants.delta_grid(1e-6, 12))
    assert torch.all(f["E0"][1:] <= f["E0"][:-1] + 1e-15)


def test_pruning_costs_at_most_its_share():
    memory = horizon.power(1.5)
    delta = torch.logspace(-6, 0, 8)[None]
    g = torch.full((1, 8), 1 / 8)
    err = horizon.error(memory, delta, g) * memory.l1
    d2, g2 = approximants.prune(delta, g, err, share=0.1)
    assert float(horizon.error(memory, d2, g2) * memory.l1) <= 1.1 * float(err) + 1e-12
    assert torch.all(d2[g2 == 0] == 1.0)                           # removed units are inert
